//go:build unix

package fsutil

import (
	"errors"
	"io/fs"
	"math"
	"syscall"

	"golang.org/x/sys/unix"
)

// readFile opens, sizes, reads to the end and closes path with the bare
// system calls, retrying each that a signal interrupts.
func readFile(path string) ([]byte, error) {
	var fd int
	var err error
	for {
		if fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0); !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	// As os.ReadFile: room for the whole file and one byte more, so that
	// the read that finds the end needs no bigger buffer; and the loop
	// grows the buffer if the file grew meanwhile.
	size := 512
	if st.Size >= int64(size) && st.Size < math.MaxInt {
		size = int(st.Size) + 1
	}
	data := make([]byte, 0, size)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		// At most 1 GiB a call, as os does: darwin refuses reads of more
		// than INT_MAX bytes.
		n, err := unix.Read(fd, data[len(data):min(cap(data), len(data)+1<<30)])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n <= 0 {
			return data, nil
		}
		data = data[:len(data)+n]
	}
}
