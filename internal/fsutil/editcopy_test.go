package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestEditCopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".secrets")
	c, err := CreateEditCopy(path, []byte("A=canary\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !isEditCopyName(".secrets", filepath.Base(c.Path)) || filepath.Dir(c.Path) != dir {
		t.Errorf("CreateEditCopy made %q, not a copy's name in %q", c.Path, dir)
	}
	if got := readString(t, c.Path); got != "A=canary\n" {
		t.Errorf("the copy holds %d bytes, want the 9 written", len(got))
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(c.Path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("the copy's mode is %v (%v), want 0600", fi.Mode().Perm(), err)
		}
	}
	if got, want := dirNames(dir), []string{filepath.Base(c.Path), filepath.Base(c.Path) + ".lock"}; !slices.Equal(got, want) {
		t.Errorf("the directory holds %q, want %q", got, want)
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := c.Remove(); err != nil {
		t.Errorf("a second Remove = %v, want nil", err)
	}
	if got := dirNames(dir); len(got) != 0 {
		t.Errorf("after Remove the directory holds %q", got)
	}

	// An editor that deletes the copy: Remove still removes the lock.
	c, err = CreateEditCopy(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(c.Path)
	if err := c.Remove(); err != nil {
		t.Errorf("Remove of a copy already gone = %v, want nil", err)
	}
	if got := dirNames(dir); len(got) != 0 {
		t.Errorf("after Remove the directory holds %q", got)
	}

	if _, err := CreateEditCopy(filepath.Join(dir, "missing", ".secrets"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CreateEditCopy in a missing directory = %v, want ErrNotExist", err)
	}
}

// Keep moves the copy out of the cleaners' way, never over another file.
func TestEditCopyKeep(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".secrets")
	c, err := CreateEditCopy(path, []byte("edited"))
	if err != nil {
		t.Fatal(err)
	}
	first := strings.TrimSuffix(c.Path, ".env") + ".kept.env"
	if err := os.WriteFile(first, []byte("earlier"), 0o600); err != nil {
		t.Fatal(err)
	}
	kept, err := c.Keep()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSuffix(c.Path, ".env") + ".kept-2.env"; kept != want {
		t.Errorf("Keep() = %q, want %q", kept, want)
	}
	if readString(t, kept) != "edited" || readString(t, first) != "earlier" {
		t.Errorf("Keep moved the wrong content, or replaced a kept file")
	}
	if _, err := c.Keep(); err == nil {
		t.Errorf("a second Keep succeeded")
	}
	CleanEditCopies(path)
	if left := EditLeftovers(path); len(left) != 0 {
		t.Errorf("EditLeftovers = %q after Keep, want none", left)
	}
	if got, want := dirNames(dir), []string{filepath.Base(kept), filepath.Base(first)}; !slices.Equal(got, want) {
		t.Errorf("after Keep and CleanEditCopies the directory holds %q, want %q", got, want)
	}
}

// CleanEditCopies removes only the copies whose lock it can take, and only
// names of exactly the form CreateEditCopy makes; EditLeftovers names the
// same copies.
func TestCleanEditCopies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".secrets")
	files := []string{
		".secrets",
		".secrets.lock",
		".secrets.edit-1.env",                     // killed before it locked anything: no lock file
		".secrets.edit-22.env",                    // killed while editing: its lock file is left, unlocked
		".secrets.edit-22.env.lock",               //
		".secrets.edit-333.env.lock",              // killed after removing its copy
		".secrets.edit-4444.env",                  // held by another process (below)
		".secrets.edit-4444.env.lock",             //
		".secrets.edit-55.kept.env",               // set aside by Keep
		".secrets.edit-old.env",                   // the user's
		".secrets.edit-6.env.bak",                 //
		".secrets.edit-.env",                      //
		".secrets.edit-123456789012345678901.env", // 21 digits
		"other.edit-7.env",                        // another file's
		".secrets.tmp-00112233445566ff",           // WriteAtomic's
	}
	for _, name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("canary"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".secrets.edit-8.env"), 0o700); err != nil {
		t.Fatal(err)
	}
	// A lock held through another open file: flock and LockFileEx exclude
	// it as they would another process.
	other, err := os.OpenFile(filepath.Join(dir, ".secrets.edit-4444.env.lock"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if runtime.GOOS == "solaris" || runtime.GOOS == "aix" {
		t.Skip("fcntl locks do not exclude their own process")
	}
	if ok, err := tryEditLock(other); err != nil || !ok {
		t.Fatalf("tryEditLock = %v, %v", ok, err)
	}
	defer unlockEditFile(other)
	// And a copy this process is editing.
	mine, err := CreateEditCopy(path, []byte("canary"))
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Remove()

	left := EditLeftovers(path)
	for i := range left {
		left[i] = filepath.Base(left[i])
	}
	if want := []string{".secrets.edit-1.env", ".secrets.edit-22.env"}; !slices.Equal(left, want) {
		t.Errorf("EditLeftovers = %q, want %q", left, want)
	}

	CleanEditCopies(path)
	var want []string
	for _, name := range files {
		switch name {
		case ".secrets.edit-1.env", ".secrets.edit-22.env", ".secrets.edit-22.env.lock", ".secrets.edit-333.env.lock":
		default:
			want = append(want, name)
		}
	}
	want = append(want, ".secrets.edit-8.env", filepath.Base(mine.Path), filepath.Base(mine.Path)+".lock")
	slices.Sort(want)
	if got := dirNames(dir); !slices.Equal(got, want) {
		t.Errorf("after CleanEditCopies the directory holds\n%q\nwant\n%q", got, want)
	}
	if got := readString(t, mine.Path); got != "canary" {
		t.Errorf("the copy being edited changed")
	}

	// Once its holder lets go, a copy is a leftover.
	unlockEditFile(other)
	CleanEditCopies(path)
	if _, err := os.Stat(filepath.Join(dir, ".secrets.edit-4444.env")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a copy whose lock was let go survived CleanEditCopies (%v)", err)
	}
	// A missing directory is not an error.
	CleanEditCopies(filepath.Join(dir, "missing", ".secrets"))
	if left := EditLeftovers(filepath.Join(dir, "missing", ".secrets")); left != nil {
		t.Errorf("EditLeftovers in a missing directory = %q", left)
	}
}
