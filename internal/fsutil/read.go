package fsutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize is the largest file ReadRegular reads: a secrets file or a
// .env is a few kilobytes, and anything near this size is a mistake or an
// attack, not something to load into memory.
const MaxFileSize = 64 << 20

// ErrNotRegular means a path names a FIFO, a device, a directory or any
// other file that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge means a file is larger than MaxFileSize.
var ErrTooLarge = fmt.Errorf("larger than %d MiB", MaxFileSize>>20)

// ReadRegular reads the regular file at path, following symbolic links.
// Anything else is an *fs.PathError matching ErrNotRegular, found without
// blocking: the path is checked before it is opened, then opened
// non-blocking (a FIFO put in its place meanwhile would otherwise hang the
// open) and checked again with fstat before it is read. A file
// larger than MaxFileSize is an error matching ErrTooLarge.
//
// It returns the file's information too, from the same open file.
func ReadRegular(path string) ([]byte, fs.FileInfo, error) {
	// A device is not even opened: opening some has effects of its own.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fi, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, Kind(fi.Mode()))}
	}
	// Opened non-blocking and checked again after the open, in case the
	// path was replaced meanwhile.
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, Kind(fi.Mode()))}
	}
	if fi.Size() > MaxFileSize {
		return nil, fi, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	// As os.ReadFile does: room for the whole file and one byte more, so
	// that the read that finds the end needs no bigger buffer; and more if
	// the file grew meanwhile.
	data := make([]byte, 0, fi.Size()+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if len(data) > MaxFileSize {
			return nil, fi, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
		}
		if err == io.EOF {
			return data, fi, nil
		}
		if err != nil {
			return nil, fi, err
		}
	}
}

// Kind names the type of file a mode describes, for messages.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}
