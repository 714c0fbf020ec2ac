//go:build unix

package fsutil

import "syscall"

// openNonblock makes an open return at once where it could block (a FIFO).
const openNonblock = syscall.O_NONBLOCK
