package fsutil

// ReadFile is os.ReadFile with fewer system calls where the OS allows
// (see readfile_unix.go): the file's bytes, or an *fs.PathError that
// matches fs.ErrNotExist and the like as os.ReadFile's would.
//
// On Linux, os.ReadFile's os.Open also offers the file to the runtime's
// poller (two fcntl calls to make it non-blocking, an epoll_ctl that a
// regular file refuses, two more to undo it) before its fstat, reads and
// close: ten system calls where five do. For a small file, the calls are
// most of the time a load takes.
func ReadFile(path string) ([]byte, error) { return readFile(path) }
