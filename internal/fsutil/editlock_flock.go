//go:build !windows && !solaris && !aix

package fsutil

import (
	"errors"
	"os"
	"syscall"
)

// tryEditLock takes the lock of an edit copy without waiting: an exclusive
// flock, which belongs to the open file.
func tryEditLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		default:
			return false, err
		}
	}
}

func unlockEditFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
