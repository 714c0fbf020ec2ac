package fsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrLockTimeout is returned by Lock when another holder kept the lock for
// longer than the timeout (or had it, for a single attempt).
var ErrLockTimeout = errors.New("timed out waiting for lock")

// DefaultLockTimeout is how long a writer waits for a lock unless told
// otherwise. A write holds its lock for milliseconds, and waiters are
// woken as soon as it is free, so only a stuck holder (a process stopped
// in a debugger, say) makes a waiter wait this long.
const DefaultLockTimeout = time.Minute

// Lock takes an exclusive advisory lock on the file at path, creating it
// (mode 0600) if needed, and returns the function that releases it;
// calling that more than once has no further effect.
//
// If another holder, in this process or another, has the lock, Lock waits
// for it to let go: the wait is the kernel's (flock on Unix, fcntl record
// locks on illumos, Solaris and AIX, LockFileEx on Windows), not polling,
// so a waiter is woken when the lock is free. A timeout of zero or less
// means a single attempt instead.
//
// The kernel's wait has no timeout, so it runs in a goroutine. If the
// timeout passes first, Lock returns an error wrapping ErrLockTimeout that
// names the lock file; the goroutine stays blocked until the holder lets
// go, then takes the lock, releases it at once and closes the file. With a
// timeout as long as DefaultLockTimeout only a stuck holder gets there, and
// it costs a goroutine and an open file until the holder goes. Any other
// failure (the file cannot be created or opened, or the kernel refuses the
// lock) is an error naming the file.
//
// The lock is advisory: it serialises the callers of Lock and nothing else.
// It dies with its process.
func Lock(path string, timeout time.Duration) (unlock func(), err error) {
	release, err := acquire(path, false)
	switch {
	case err != nil:
		return nil, err
	case release != nil:
		return sync.OnceFunc(release), nil
	case timeout <= 0:
		return nil, timeoutError(path)
	}

	type result struct {
		release func()
		err     error
	}
	got := make(chan result)
	gaveUp := make(chan struct{})
	go func() {
		release, err := acquire(path, true)
		select {
		case got <- result{release, err}:
		case <-gaveUp:
			if err == nil {
				release()
			}
		}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-got:
		if r.err != nil {
			return nil, r.err
		}
		return sync.OnceFunc(r.release), nil
	case <-timer.C:
		close(gaveUp)
		return nil, timeoutError(path)
	}
}

func timeoutError(path string) error {
	return fmt.Errorf("lock %q: %w (another user-secrets process holds it)", path, ErrLockTimeout)
}

// acquire locks the file at path, creating it if needed, and returns the
// function that unlocks and closes it. With wait, it waits for the lock;
// without, it returns a nil function and no error when the lock is held.
//
// Within this process, holders first queue on a mutex per lock file, and
// only then open the file and ask the kernel: fcntl locks belong to the
// process, so the kernel would not keep two of its holders apart, and
// closing any descriptor of the file would drop the process's lock. On
// every system, this also serves the process's own waiters in turn (Go
// hands a mutex to a waiter that has waited a millisecond), and leaves at
// most one of them, and one thread, in the kernel's wait.
func acquire(path string, wait bool) (release func(), err error) {
	mu := inProcessMutex(path)
	if wait {
		mu.Lock()
	} else if !mu.TryLock() {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		mu.Unlock()
		return nil, fmt.Errorf("lock: %w", err) // err names the path
	}
	ok, err := lockFile(f, wait)
	if err != nil || !ok {
		f.Close()
		mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("lock %q: %w", path, err)
		}
		return nil, nil
	}
	return func() {
		unlockFile(f)
		f.Close()
		mu.Unlock()
	}, nil
}

// inProcess holds a mutex for each lock file (by absolute path) that this
// process has taken: a few, one per store and .env it writes.
var inProcess = struct {
	sync.Mutex
	locks map[string]*sync.Mutex
}{locks: map[string]*sync.Mutex{}}

func inProcessMutex(path string) *sync.Mutex {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	inProcess.Lock()
	defer inProcess.Unlock()
	mu := inProcess.locks[path]
	if mu == nil {
		mu = new(sync.Mutex)
		inProcess.locks[path] = mu
	}
	return mu
}
