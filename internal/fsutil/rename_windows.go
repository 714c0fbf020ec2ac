package fsutil

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// rename retries os.Rename for a while when Windows refuses to replace a
// file that another process (a reader, an editor, the Python tool) has
// open without FILE_SHARE_DELETE, as cmd/go's robustio does.
func rename(from, to string) error {
	const (
		errorAccessDenied     syscall.Errno = 5
		errorSharingViolation syscall.Errno = 32
	)
	deadline := time.Now().Add(2 * time.Second)
	wait := time.Millisecond
	for {
		err := os.Rename(from, to)
		if err == nil || !(errors.Is(err, errorAccessDenied) || errors.Is(err, errorSharingViolation)) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
		if wait < 100*time.Millisecond {
			wait *= 2
		}
	}
}
