package fsutil

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	unlock() // a second call does nothing
	// The waiter that gave up takes the lock when it is free, and lets go
	// at once.
	unlock2, err := Lock(path, 5*time.Second)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	// Another lock file is another lock, even in this process.
	unlock3, err := Lock(path+"2", 0)
	if err != nil {
		t.Fatalf("Lock of a second file while the first is held: %v", err)
	}
	unlock3()

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

// TestLockTimeout checks the error of a wait that times out, and that the
// waiter that gave up leaves nothing behind once the holder lets go.
func TestLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := Lock(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	_, err = Lock(path, 50*time.Millisecond)
	if !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("Lock(held, 50ms) error = %v, want ErrLockTimeout", err)
	}
	if msg := err.Error(); strings.Count(msg, path) != 1 || !strings.Contains(msg, "another user-secrets process holds it") {
		t.Errorf("Lock(held, 50ms) error = %q, want one naming %s once and saying another process holds it", msg, path)
	}
	unlock()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines 5s after the holder let go, %d before the wait that timed out", n, before)
	}
	unlock, err = Lock(path, 0)
	if err != nil {
		t.Fatalf("Lock once the waiter that gave up is gone: %v", err)
	}
	unlock()
}

// TestLockWaiterNotStarved checks that a waiter gets the lock from a
// holder that takes it again as soon as it lets go, whether that holder
// is in this process or another: waiters are woken when the lock is free,
// not left to poll for a moment when it happens to be.
func TestLockWaiterNotStarved(t *testing.T) {
	tests := []struct {
		name   string
		hammer func(t *testing.T, path string) (stop func())
	}{
		{"same process", hammerHere},
		{"other process", hammerInChild},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lock")
			stop := tt.hammer(t, path)
			defer stop()
			var worst time.Duration
			for i := range 20 {
				start := time.Now()
				unlock, err := Lock(path, 2*time.Second)
				if err != nil {
					t.Fatalf("Lock %d beside a holder that takes the lock again at once: %v", i, err)
				}
				worst = max(worst, time.Since(start))
				unlock()
				time.Sleep(5 * time.Millisecond) // let the hammer take it
			}
			t.Logf("the longest of 20 waits took %v", worst)
		})
	}
}

// hammerHere takes the lock in a goroutine, holds it 2 ms, lets go and
// takes it again at once, until stopped.
func hammerHere(t *testing.T, path string) (stop func()) {
	t.Helper()
	held := make(chan struct{})
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for first := true; ; first = false {
			unlock, err := Lock(path, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if first {
				close(held)
			}
			time.Sleep(2 * time.Millisecond)
			unlock()
			select {
			case <-quit:
				return
			default:
			}
		}
	}()
	<-held
	return func() { close(quit); <-done }
}

const lockHelperEnv = "USER_SECRETS_FSUTIL_LOCK_HAMMER"

// hammerInChild does what hammerHere does in a child process: this test
// binary, run with lockHelperEnv naming the lock file.
func hammerInChild(t *testing.T, path string) (stop func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "held\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child did not take the lock: %q, %v\n%s", line, err, stderr.String())
	}
	return func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

// TestLockHelperProcess is the child of hammerInChild: it runs only when
// lockHelperEnv is set, and then until it is killed.
func TestLockHelperProcess(t *testing.T) {
	path := os.Getenv(lockHelperEnv)
	if path == "" {
		return
	}
	for first := true; ; first = false {
		unlock, err := Lock(path, time.Minute)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if first {
			fmt.Println("held")
		}
		time.Sleep(2 * time.Millisecond)
		unlock()
	}
}
