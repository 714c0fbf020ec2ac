package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// noTemps fails if dir holds a temporary file of WriteAtomic.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if isTemp(e.Name()) {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	for _, content := range []string{"first\n", "", "third\r\nwith CRLF", strings.Repeat("x", 1<<20)} {
		if err := WriteAtomic(path, []byte(content), 0o600, Private); err != nil {
			t.Fatal(err)
		}
		if got := readString(t, path); got != content {
			t.Errorf("content after WriteAtomic = %d bytes, want %d", len(got), len(content))
		}
	}
	noTemps(t, dir)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want 1", len(entries))
	}
}

func TestWriteAtomicErrors(t *testing.T) {
	dir := t.TempDir()
	// Missing directory.
	if err := WriteAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600, Private); err == nil {
		t.Errorf("WriteAtomic into a missing directory succeeded")
	}
	// A directory where the file should be: the rename fails and the
	// temporary file is removed.
	target := filepath.Join(dir, "d")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteAtomic(target, []byte("x"), 0o600, Private)
	if err == nil {
		t.Errorf("WriteAtomic over a non-empty directory succeeded")
	}
	noTemps(t, dir)
}

func TestWriteAtomicSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "target")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, link, dest string
	}{
		{"absolute", filepath.Join(dir, "abs"), real},
		{"relative", filepath.Join(dir, "rel"), filepath.Join("real", "target")},
		{"chain", filepath.Join(dir, "chain"), "abs"},
	}
	for _, tt := range tests {
		if err := os.Symlink(tt.dest, tt.link); err != nil {
			t.Skipf("cannot create a symlink: %v", err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := WriteAtomic(tt.link, []byte(tt.name), 0o600, Private); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(tt.link)
			if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a symlink (%v, %v)", tt.link, fi, err)
			}
			if dest, _ := os.Readlink(tt.link); dest != tt.dest {
				t.Errorf("link now points to %q, want %q", dest, tt.dest)
			}
			if got := readString(t, real); got != tt.name {
				t.Errorf("target = %q, want %q", got, tt.name)
			}
		})
	}
	noTemps(t, dir)
	noTemps(t, filepath.Dir(real))

	// A dangling link: the write creates its target.
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join("real", "new"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(dangling, []byte("new"), 0o600, Private); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, filepath.Join(dir, "real", "new")); got != "new" {
		t.Errorf("dangling link target = %q", got)
	}

	// A loop is an error, not a hang.
	a, b := filepath.Join(dir, "loopa"), filepath.Join(dir, "loopb")
	os.Symlink(b, a)
	os.Symlink(a, b)
	if err := WriteAtomic(a, []byte("x"), 0o600, Private); err == nil {
		t.Errorf("WriteAtomic through a symlink loop succeeded")
	}
}

func TestWriteAtomicKeepMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []fs.FileMode{0o640, 0o604, 0o755, 0o400} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := WriteAtomic(path, []byte("y"), 0o644, KeepMode); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("KeepMode: mode %#o became %#o", mode, fi.Mode().Perm())
		}
	}
	// Private replaces a loose file with exactly the requested bits.
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, []byte("z"), 0o600, Private); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("Private: mode = %#o, want 0600", fi.Mode().Perm())
	}
}

func TestCleanTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".secrets")
	for _, name := range []string{".secrets", ".secrets" + TempPrefix + "00112233445566ff", ".secrets" + TempPrefix + "mybackup", ".secrets" + TempPrefix + "0011", "other" + TempPrefix + "1", ".secrets.lock", "notes"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	CleanTemp(path)
	left := dirNames(dir)
	// Only the name WriteAtomic makes goes: a user's backup, or a name
	// that is merely like it, stays.
	want := []string{".secrets", ".secrets.lock", ".secrets" + TempPrefix + "0011", ".secrets" + TempPrefix + "mybackup", "notes", "other" + TempPrefix + "1"}
	if strings.Join(left, ",") != strings.Join(want, ",") {
		t.Errorf("after CleanTemp the directory holds %q, want %q", left, want)
	}
	// A missing directory is not an error.
	CleanTemp(filepath.Join(dir, "missing", "f"))
}

// TestCleanStaleTemp: only a leftover older than StaleTempAge goes; a live
// writer's newer file, a file of the user's and other files stay.
func TestCleanStaleTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	stale, fresh := path+TempPrefix+"0123456789abcdef", path+TempPrefix+"fedcba9876543210"
	mine := path + TempPrefix + "backup" // not a name WriteAtomic makes
	for _, name := range []string{path, stale, fresh, mine, filepath.Join(dir, "other"+TempPrefix+"03")} {
		if err := os.WriteFile(name, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Nor does a directory with a leftover's name.
	dirName := path + TempPrefix + "00000000000000dd"
	if err := os.Mkdir(dirName, 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for _, name := range []string{stale, mine, dirName, filepath.Join(dir, "other"+TempPrefix+"03")} {
		if err := os.Chtimes(name, old, old); err != nil {
			t.Fatal(err)
		}
	}
	CleanStaleTemp(path)
	left := dirNames(dir)
	want := []string{".env", ".env" + TempPrefix + "00000000000000dd", ".env" + TempPrefix + "backup",
		".env" + TempPrefix + "fedcba9876543210", "other" + TempPrefix + "03"}
	if strings.Join(left, ",") != strings.Join(want, ",") {
		t.Errorf("after CleanStaleTemp the directory holds %q, want %q", left, want)
	}
}

// dirNames returns the names in dir, sorted.
func dirNames(dir string) []string {
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestCleanTempThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "t"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(real, "t"+TempPrefix+"00000000000000ab")
	mine := filepath.Join(real, "t"+TempPrefix+"ab")
	if err := os.WriteFile(mine, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leftover, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(real, "t"), link); err != nil {
		t.Skipf("cannot create a symlink: %v", err)
	}
	CleanTemp(link)
	if _, err := os.Stat(leftover); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CleanTemp through a link left the target's temporary file")
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("CleanTemp through a link removed a file it did not make: %v", err)
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".secrets" + TempPrefix + "0123": true,
		".env" + TempPrefix + "ab":       true,
		".secrets":                       false,
		".secrets.lock":                  false,
		"tmp":                            false,
	} {
		if got := isTemp(name); got != want {
			t.Errorf("isTemp(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Errorf("SyncDir() error: %v", err)
	}
	if runtime.GOOS != "windows" {
		if err := SyncDir(filepath.Join(t.TempDir(), "missing")); err == nil {
			t.Errorf("SyncDir(missing) succeeded")
		}
	}
}

// isTemp reports whether name looks like a temporary file of WriteAtomic,
// loosely: for tests that look for any leftover.
func isTemp(name string) bool { return strings.Contains(name, TempPrefix) }
