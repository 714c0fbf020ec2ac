//go:build solaris || aix

package fsutil

import (
	"errors"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// fcntl locks belong to the process, not to the open file, so a second
// lock from this process would always succeed: inProcess serialises the
// holders within the process first.
var inProcess sync.Mutex

func tryLock(f *os.File) (bool, error) {
	if !inProcess.TryLock() {
		return false, nil
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0}
	for {
		err := unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN), errors.Is(err, unix.EACCES):
			inProcess.Unlock()
			return false, nil
		default:
			inProcess.Unlock()
			return false, err
		}
	}
}

func unlockFile(f *os.File) {
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: 0}
	unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk)
	inProcess.Unlock()
}
