//go:build solaris || aix

package fsutil

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive fcntl lock on the whole of f, waiting for it
// if wait is set. Without wait, it reports false when another process has
// it. The lock belongs to the process: acquire keeps its holders in this
// process apart.
func lockFile(f *os.File, wait bool) (bool, error) {
	cmd := unix.F_SETLK
	if wait {
		cmd = unix.F_SETLKW
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0}
	for {
		err := unix.FcntlFlock(f.Fd(), cmd, &lk)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EINTR):
			continue
		case !wait && (errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES)):
			return false, nil
		default:
			return false, err
		}
	}
}

func unlockFile(f *os.File) {
	lk := unix.Flock_t{Type: unix.F_UNLCK, Whence: 0}
	unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk)
}
