package fsutil

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := Lock(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder, even in this process, is refused.
	start := time.Now()
	if _, err := Lock(path, 0); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Lock(held, 0) error = %v, want ErrLockTimeout", err)
	}
	if _, err := Lock(path, 30*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Lock(held, 30ms) error = %v, want ErrLockTimeout", err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("Lock gave up after %v, before its timeout", d)
	}
	unlock()
	unlock2, err := Lock(path, 0)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}

	// A waiter gets the lock when it is released.
	got := make(chan error)
	go func() {
		u, err := Lock(path, 5*time.Second)
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(20 * time.Millisecond)
	unlock2()
	if err := <-got; err != nil {
		t.Errorf("waiting Lock: %v", err)
	}
}

func TestLockErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Lock(filepath.Join(dir, "missing", "lock"), 0); err == nil {
		t.Errorf("Lock in a missing directory succeeded")
	}
	if _, err := Lock(dir, 0); err == nil {
		t.Errorf("Lock on a directory succeeded")
	}
}

// TestLockMutualExclusion checks that holders never overlap.
func TestLockMutualExclusion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	var mu sync.Mutex
	holders, maxHolders, total := 0, 0, 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				unlock, err := Lock(path, 10*time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				holders++
				total++
				maxHolders = max(maxHolders, holders)
				mu.Unlock()
				time.Sleep(100 * time.Microsecond)
				mu.Lock()
				holders--
				mu.Unlock()
				unlock()
			}
		}()
	}
	wg.Wait()
	if maxHolders != 1 || total != 80 {
		t.Errorf("%d locks taken, at most %d held at once; want 80 and 1", total, maxHolders)
	}
}

// TestLockErrorText checks that an error names the lock file once.
func TestLockErrorText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "lock")
	_, err := Lock(path, 0)
	if err == nil || strings.Count(err.Error(), path) != 1 {
		t.Errorf("Lock() error = %v, want one naming %s once", err, path)
	}
}
