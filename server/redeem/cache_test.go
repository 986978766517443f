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

func TestTTLCache_AnswersFromAStaleEntryWhileOneRequestReloadsIt(t *testing.T) {
	var c ttlCache[int]
	c.m = map[string]ttlEntry[int]{"": {v: 1, at: time.Now().Add(-hotCacheTTL - hotCacheTTL/2)}}
	var loads atomic.Int32
	release, loading := make(chan struct{}), make(chan struct{})
	reloaded := make(chan int)
	go func() {
		v, _ := c.get("", func() (int, error) {
			loads.Add(1)
			close(loading)
			<-release
			return 2, nil
		})
		reloaded <- v
	}()
	<-loading
	for i := range 20 { // none of these waits for the load in progress
		got := make(chan int, 1)
		go func() {
			v, _ := c.get("", func() (int, error) { loads.Add(1); return 3, nil })
			got <- v
		}()
		select {
		case v := <-got:
			if v != 1 {
				t.Fatalf("request %d during the reload got %d; want the stale 1", i, v)
			}
		case <-time.After(10 * time.Second):
			close(release)
			t.Fatalf("request %d waited for the reload in progress", i)
		}
	}
	close(release)
	if v := <-reloaded; v != 2 {
		t.Errorf("the reloading request got %d; want 2", v)
	}
	if v, err := c.get("", func() (int, error) { loads.Add(1); return 4, nil }); err != nil || v != 2 {
		t.Errorf("request after the reload = %d, %v; want the reloaded 2", v, err)
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("%d loads; want 1", n)
	}
}
