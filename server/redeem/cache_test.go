package redeem

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestTTLCache_LoadsOnceForManyRequestsThatFindTheEntryStale(t *testing.T) {
	var c ttlCache[int]
	c.m = map[string]ttlEntry[int]{"": {v: 1, at: time.Now().Add(-time.Hour)}}
	var loads atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	got := make([]int, 50)
	for i := range got {
		wg.Go(func() {
			v, err := c.get("", func() (int, error) {
				loads.Add(1)
				<-release
				return 2, nil
			})
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	time.Sleep(20 * time.Millisecond) // let the requests pile up behind the first load
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("%d loads for 50 concurrent requests; want 1", n)
	}
	for i, v := range got {
		if v != 2 {
			t.Errorf("request %d got %d; want the loaded 2", i, v)
		}
	}
}

func TestTTLCache_DoesNotCacheAnError(t *testing.T) {
	var c ttlCache[int]
	boom := errors.New("boom")
	if _, err := c.get("", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("first get: %v; want boom", err)
	}
	v, err := c.get("", func() (int, error) { return 3, nil })
	if err != nil || v != 3 {
		t.Fatalf("get after an error = %d, %v; want a fresh load, 3", v, err)
	}
}
