//go:build unix

package fsutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteAtomicModes checks the new file's bits under several umasks.
// It changes the process umask, so it must not run in parallel.
func TestWriteAtomicModes(t *testing.T) {
	for _, tt := range []struct {
		umask    int
		perm     fs.FileMode
		policy   Policy
		wantMode fs.FileMode
	}{
		{0, 0o600, Private, 0o600},
		{0o022, 0o600, Private, 0o600},
		{0o077, 0o640, Private, 0o640},
		{0, 0o644, KeepMode, 0o644},
		{0o022, 0o666, KeepMode, 0o644},
		{0o027, 0o644, KeepMode, 0o640},
		{0o077, 0o644, KeepMode, 0o600},
	} {
		path := filepath.Join(t.TempDir(), "f")
		old := syscall.Umask(tt.umask)
		err := WriteAtomic(path, []byte("x"), tt.perm, tt.policy)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != tt.wantMode {
			t.Errorf("umask %#o, perm %#o, policy %d: mode %#o, want %#o", tt.umask, tt.perm, tt.policy, fi.Mode().Perm(), tt.wantMode)
		}
	}
}
