package auth

import (
	"testing"
	"time"
)

func TestCheckPassword_WaitsForAFreeHasherWhenAsManyRunAsThereAreCPUs(t *testing.T) {
	h, err := HashPassword("a shop's password")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(hashers) { // every slot busy, as during a burst of logins
		hashers <- struct{}{}
	}
	done := make(chan bool)
	go func() {
		ok, _ := CheckPassword(h, "a shop's password")
		done <- ok
	}()
	select {
	case <-done:
		t.Fatal("a password was hashed while every hasher slot was taken")
	case <-time.After(200 * time.Millisecond):
	}
	<-hashers
	select {
	case ok := <-done:
		if !ok {
			t.Error("the right password was refused")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the check did not run once a hasher was free")
	}
	for range cap(hashers) - 1 {
		<-hashers
	}
}
