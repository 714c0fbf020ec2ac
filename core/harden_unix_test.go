//go:build unix

package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// withDeadline runs f and fails the test if it has not returned within d:
// the cases below would hang on a FIFO if the store ever opened one for
// reading in the ordinary, blocking way.
func withDeadline(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v (blocked on a FIFO?)", what, d)
	}
}

// TestStoreRefusesNonRegularFile: a .secrets that is a FIFO, a directory, a
// device or a link to one is an error at once for every operation, naming
// the file and its kind, and is never replaced.
func TestStoreRefusesNonRegularFile(t *testing.T) {
	cases := []struct {
		name string
		make func(t *testing.T, path string)
		kind string
	}{
		{"FIFO", func(t *testing.T, path string) { mkfifo(t, path) }, "a FIFO"},
		{"directory", func(t *testing.T, path string) { mkdir(t, path) }, "a directory"},
		{"link to a FIFO", func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "fifo")
			mkfifo(t, target)
			symlink(t, target, path)
		}, "a FIFO"},
		{"link to a directory", func(t *testing.T, path string) { symlink(t, t.TempDir(), path) }, "a directory"},
		{"link to a device", func(t *testing.T, path string) {
			// A device node of our own (like /dev/zero), never a real one:
			// a bug here must not replace /dev/zero on a test machine.
			dev := filepath.Join(t.TempDir(), "zero")
			if err := syscall.Mknod(dev, syscall.S_IFCHR|0o600, int(1<<8|5)); err != nil {
				t.Skipf("cannot make a device node (needs root): %v", err)
			}
			symlink(t, dev, path)
		}, "a device"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			mkdir(t, s.Dir())
			tt.make(t, s.Path())
			before, err := os.Lstat(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			ops := map[string]func() error{
				"All":     func() error { _, err := s.All(); return err },
				"Get":     func() error { _, err := s.Get("A"); return err },
				"Set":     func() error { _, err := s.Set("A", "canary-value"); return err },
				"Delete":  func() error { return s.Delete("A") },
				"Clear":   func() error { _, err := s.Clear(); return err },
				"Replace": func() error { return s.Replace([]byte("A=1\n")) },
			}
			for name, op := range ops {
				var err error
				withDeadline(t, 5*time.Second, name, func() { err = op() })
				if !errors.Is(err, fsutil.ErrNotRegular) || !strings.Contains(err.Error(), tt.kind) {
					t.Errorf("%s: error = %v, want one matching ErrNotRegular naming %s", name, err, tt.kind)
				}
			}
			after, err := os.Lstat(s.Path())
			if err != nil || after.Mode() != before.Mode() {
				t.Errorf(".secrets was changed: mode %v, now %v (%v)", before.Mode(), after.Mode(), err)
			}
		})
	}
}

// TestStoreRefusesHugeFile: a secrets file over 64 MiB is an error, on read
// and on write, not an attempt to load it (a sparse file costs no disk).
func TestStoreRefusesHugeFile(t *testing.T) {
	s := newTestStore(t)
	mkdir(t, s.Dir())
	f, err := os.OpenFile(s.Path(), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(20 << 30); err != nil { // 20 GiB, sparse
		t.Skipf("cannot make a sparse file: %v", err)
	}
	f.Close()
	if _, err := s.All(); !errors.Is(err, fsutil.ErrTooLarge) {
		t.Errorf("All() on a 20 GiB file: error = %v, want ErrTooLarge", err)
	}
	if _, err := s.Set("A", "1"); !errors.Is(err, fsutil.ErrTooLarge) {
		t.Errorf("Set() on a 20 GiB file: error = %v, want ErrTooLarge", err)
	}
	if fi, err := os.Stat(s.Path()); err != nil || fi.Size() != 20<<30 {
		t.Errorf("the huge file was rewritten")
	}

	// A write that would make the file too large is refused too.
	s2 := newTestStore(t)
	big := strings.Repeat("x", fsutil.MaxFileSize)
	if _, err := s2.Set("BIG", big); !errors.Is(err, fsutil.ErrTooLarge) {
		t.Errorf("Set() of a 64 MiB value: error = %v, want ErrTooLarge", err)
	}
	mustNotExist(t, s2.Path())
}

// TestStoreTwoLinksToOneFile: two stores whose .secrets link to one file
// take one lock, beside the file, so parallel writers through both links
// lose no update.
func TestStoreTwoLinksToOneFile(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared.secrets")
	putFile(t, shared, "")
	if err := os.Chmod(shared, 0o600); err != nil {
		t.Fatal(err)
	}
	var stores []*Store
	for range 2 {
		s := newTestStore(t)
		mkdir(t, s.Dir())
		symlink(t, shared, s.Path())
		stores = append(stores, s)
	}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := stores[i%2].Set(fmt.Sprintf("K%d", i), "v"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	all, err := stores[0].All()
	if err != nil || len(all) != n {
		t.Errorf("after %d parallel sets through two links: %d keys, %v", n, len(all), err)
	}
	if _, err := os.Stat(shared + ".lock"); err != nil {
		t.Errorf("no lock beside the link's target: %v", err)
	}
}

// TestResolveSkipsNonRegularEnv: a .env that is a FIFO is skipped, at once
// and with a warning; one that is a directory (a Python virtualenv) is
// skipped silently; a huge one is an error.
func TestResolveSkipsNonRegularEnv(t *testing.T) {
	base := t.TempDir()
	proj := filepath.Join(base, "proj")
	putFile(t, filepath.Join(base, envFileName), "USER_SECRETS_ID="+fixtureID+"\n")
	mkdir(t, proj)
	mkfifo(t, filepath.Join(proj, envFileName))
	opts := Options{WorkDir: proj, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv}
	var p *Project
	var err error
	withDeadline(t, 5*time.Second, "Resolve", func() { p, err = Resolve(opts) })
	if err != nil || p.ID != fixtureID {
		t.Fatalf("Resolve past a FIFO .env = %+v, %v; want the ID of the .env above", p, err)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "a FIFO") {
		t.Errorf("Warnings = %q, want one naming the FIFO", p.Warnings)
	}

	venv := filepath.Join(base, "venv-proj")
	mkdir(t, filepath.Join(venv, envFileName))
	opts.WorkDir = venv
	if p, err = Resolve(opts); err != nil || p.ID != fixtureID || len(p.Warnings) != 0 {
		t.Errorf("Resolve past a .env directory = %+v, %v; want the ID above and no warning", p, err)
	}

	huge := filepath.Join(base, "huge")
	mkdir(t, huge)
	f, err := os.Create(filepath.Join(huge, envFileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(20 << 30); err != nil {
		t.Skipf("cannot make a sparse file: %v", err)
	}
	f.Close()
	opts.WorkDir = huge
	if _, err = Resolve(opts); !errors.Is(err, fsutil.ErrTooLarge) {
		t.Errorf("Resolve with a 20 GiB .env: error = %v, want ErrTooLarge", err)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(link); errors.Is(err, fs.ErrNotExist) {
		t.Fatal("symlink not made")
	}
}
