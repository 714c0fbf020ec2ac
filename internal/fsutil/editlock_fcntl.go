//go:build solaris || aix

package fsutil

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// tryEditLock takes the lock of an edit copy, without waiting. It is an
// fcntl lock, as Lock's is here, but without Lock's process-wide mutex: an
// edit holds its copy's lock while it writes the store, which takes Lock.
// Within the process, held keeps the cleaners off the copies it holds.
func tryEditLock(f *os.File) (bool, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0}
	for {
		err := unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EACCES):
			return false, nil
		default:
			return false, err
		}
	}
}

func unlockEditFile(f *os.File) {
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: 0}
	unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk)
}
