package fsutil

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrLockTimeout is returned by Lock when another process held the lock for
// longer than the timeout.
var ErrLockTimeout = errors.New("timed out waiting for lock")

// Lock takes an exclusive advisory lock on the file at path, creating it
// (mode 0600) if needed, and waits up to timeout for a holder in another
// process to let go. A timeout of zero or less means a single attempt. The
// returned function releases the lock.
//
// The lock is advisory (flock on Unix, LockFileEx on Windows): it serialises
// the processes that ask for it and nothing else.
func Lock(path string, timeout time.Duration) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err) // err names the path
	}
	deadline := time.Now().Add(timeout)
	wait := 500 * time.Microsecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %q: %w", path, err)
		}
		if ok {
			return func() {
				unlockFile(f)
				f.Close()
			}, nil
		}
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, fmt.Errorf("lock %q: %w (another user-secrets process holds it)", path, ErrLockTimeout)
		}
		time.Sleep(wait)
		if wait < 20*time.Millisecond {
			wait *= 2
		}
	}
}
