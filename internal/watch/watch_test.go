package watch

import (
	"fmt"
	"github.com/fsnotify/fsnotify"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	debounce = 50 * time.Millisecond
	// burst is the debounce of tests whose one change takes several
	// syscalls, long enough that a loaded machine does not split it.
	burst = 250 * time.Millisecond
	// quiet is how long a test waits, beyond the debounce, to be sure no
	// further call comes.
	quiet = 150 * time.Millisecond
	// patience bounds the wait for a call that must come.
	patience = 5 * time.Second
)

// calls counts a Watcher's callbacks through a channel.
type calls struct {
	ch      chan struct{}
	d       time.Duration // the watcher's debounce
	running atomic.Int32
	overlap atomic.Bool
}

// start watches path and returns the callback recorder. The watcher is
// closed when the test ends.
func start(t *testing.T, path string, d time.Duration) (*Watcher, *calls) {
	t.Helper()
	c := &calls{ch: make(chan struct{}, 100), d: d}
	w, err := New(path, d, func() {
		if c.running.Add(1) > 1 {
			c.overlap.Store(true)
		}
		c.ch <- struct{}{}
		c.running.Add(-1)
	})
	if err != nil {
		t.Fatalf("New(%q) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
		if c.overlap.Load() {
			t.Error("onChange ran concurrently with itself")
		}
	})
	return w, c
}

// want waits for exactly n calls: n calls within patience, then none for
// the quiet period.
func (c *calls) want(t *testing.T, n int, after string) {
	t.Helper()
	deadline := time.After(patience)
	for i := 0; i < n; i++ {
		select {
		case <-c.ch:
		case <-deadline:
			t.Fatalf("after %s: got %d callbacks in %v, want %d", after, i, patience, n)
		}
	}
	select {
	case <-c.ch:
		t.Fatalf("after %s: got more than %d callbacks", after, n)
	case <-time.After(c.d + quiet):
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// storeFile returns a path <tmp>/<id>/.secrets whose directory exists.
func storeFile(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, ".secrets")
}

func TestWriteInPlace(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	write(t, path, "A=1\n")
	_, c := start(t, path, debounce)

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("B=2\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "append")

	write(t, path, "A=3\n") // truncate and write
	c.want(t, 1, "rewrite")
}

func TestCreate(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	_, c := start(t, path, debounce)
	write(t, path, "A=1\n")
	c.want(t, 1, "create")
}

func TestTempRename(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	write(t, path, "A=1\n")
	_, c := start(t, path, burst)

	tmp := filepath.Join(filepath.Dir(path), ".secrets.tmp-12345")
	write(t, tmp, "A=2\n")
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "temp+rename")
}

func TestStoreSet(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s, err := core.Open(core.Options{Root: root, ID: "0f8fad5b-d9cb-469f-a165-70867728950e"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set("A", "1"); err != nil {
		t.Fatal(err)
	}
	_, c := start(t, s.Path(), debounce)

	for i, v := range []string{"2", "3"} {
		if _, err := s.Set("A", v); err != nil {
			t.Fatal(err)
		}
		c.want(t, 1, fmt.Sprintf("Store.Set #%d", i+1))
	}
	if err := s.Delete("A"); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "Store.Delete")
}

func TestVimSave(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	dir := filepath.Dir(path)
	write(t, path, "A=1\n")
	_, c := start(t, path, burst)

	// vim with 'backupcopy=no': write the new text to a new file after
	// moving the original to the backup name, then drop the backup. A swap
	// file comes and goes beside it.
	write(t, filepath.Join(dir, ".secrets.swp"), "swap")
	if err := os.Rename(path, path+"~"); err != nil {
		t.Fatal(err)
	}
	write(t, path, "A=2\n")
	if err := os.Remove(path + "~"); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, ".secrets.swp")); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "vim-style save")
}

func TestDeleteRecreate(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	write(t, path, "A=1\n")
	_, c := start(t, path, burst)

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "delete")
	write(t, path, "A=2\n")
	c.want(t, 1, "recreate")
	write(t, path, "A=3\n")
	c.want(t, 1, "write after recreate")

	// Both in one burst: one call.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	write(t, path, "A=4\n")
	c.want(t, 1, "delete and recreate in one burst")
}

func TestDirectoryCreatedLater(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "home", ".python", "usersecrets")
	path := filepath.Join(root, "0f8fad5b-d9cb-469f-a165-70867728950e", ".secrets")
	w, c := start(t, path, debounce)

	// The directories alone are no change to the file.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	c.want(t, 0, "creating the directories")
	write(t, path, "A=1\n")
	c.want(t, 1, "creating the file")
	write(t, path, "A=2\n")
	c.want(t, 1, "writing the file")

	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDirectoryAndFileCreatedLater(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "usersecrets")
	s, err := core.Open(core.Options{Root: root, ID: "0f8fad5b-d9cb-469f-a165-70867728950e"})
	if err != nil {
		t.Fatal(err)
	}
	_, c := start(t, s.Path(), burst)

	// Store.Set creates the root, the store directory and the file at once.
	if _, err := s.Set("A", "1"); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "first Store.Set")
	if _, err := s.Set("A", "2"); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "second Store.Set")
}

func TestDirectoryRemoved(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	dir := filepath.Dir(path)
	write(t, path, "A=1\n")
	_, c := start(t, path, burst)

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "removing the directory")

	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, path, "A=2\n")
	c.want(t, 1, "recreating the directory and file")
	write(t, path, "A=3\n")
	c.want(t, 1, "writing the recreated file")
}

func TestDirectoryRenamed(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	dir := filepath.Dir(path)
	write(t, path, "A=1\n")
	_, c := start(t, path, debounce)

	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "renaming the directory away")
	// Writes in the old, renamed directory are not the file any more.
	write(t, filepath.Join(dir+".old", ".secrets"), "A=2\n")
	c.want(t, 0, "writing in the renamed directory")

	if err := os.Rename(dir+".old", dir); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "renaming the directory back")
	write(t, path, "A=3\n")
	c.want(t, 1, "writing after the directory came back")
}

func TestIgnoresOtherFiles(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	dir := filepath.Dir(path)
	write(t, path, "A=1\n")
	_, c := start(t, path, debounce)

	write(t, filepath.Join(dir, ".secrets.lock"), "")
	tmp := filepath.Join(dir, ".secrets.tmp-999")
	write(t, tmp, "A=2\n")
	if err := os.Remove(tmp); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "other"), "x")
	if err := os.Rename(filepath.Join(dir, "other"), filepath.Join(dir, "other2")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, ".secrets2"), "x")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sub", ".secrets"), "x")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := os.Chtimes(path, now, now); err != nil {
		t.Fatal(err)
	}
	c.want(t, 0, "changes to other files, mode and times")
}

func TestBurstIsOneCall(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	_, c := start(t, path, burst)
	for i := range 20 {
		write(t, path, fmt.Sprintf("A=%d\n", i))
	}
	c.want(t, 1, "20 writes in a burst")
}

func TestSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	t.Parallel()
	path := storeFile(t)
	real := filepath.Join(t.TempDir(), "dotfiles", "secrets.env")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, real, "A=1\n")
	if err := os.Symlink(real, path); err != nil {
		t.Fatal(err)
	}
	_, c := start(t, path, burst)

	write(t, real, "A=2\n")
	c.want(t, 1, "writing the symlink's target")
	tmp := real + ".tmp"
	write(t, tmp, "A=3\n")
	if err := os.Rename(tmp, real); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "replacing the symlink's target")

	// Point the link elsewhere: the new target is watched, the old one not.
	other := filepath.Join(t.TempDir(), "other.env")
	write(t, other, "A=4\n")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, path); err != nil {
		t.Fatal(err)
	}
	c.want(t, 1, "re-pointing the symlink")
	write(t, real, "A=5\n")
	c.want(t, 0, "writing the old target")
	write(t, other, "A=6\n")
	c.want(t, 1, "writing the new target")
}

func TestCloseCancelsPendingCall(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	c := make(chan struct{}, 10)
	w, err := New(path, time.Hour, func() { c <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, "A=1\n")
	if err := w.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close() = %v", err)
	}
	select {
	case <-c:
		t.Fatal("callback after Close")
	case <-time.After(debounce + quiet):
	}
}

func TestCloseWaitsForCallback(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	entered := make(chan struct{})
	var finished atomic.Bool
	w, err := New(path, time.Millisecond, func() {
		close(entered)
		time.Sleep(100 * time.Millisecond)
		finished.Store(true)
	})
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, "A=1\n")
	select {
	case <-entered:
	case <-time.After(patience):
		t.Fatal("no callback")
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if !finished.Load() {
		t.Fatal("Close returned while the callback was running")
	}
}

func TestStopFromCallback(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	stopped := make(chan struct{})
	var calls atomic.Int32
	var w *Watcher
	ready := make(chan struct{})
	var err error
	w, err = New(path, time.Millisecond, func() {
		<-ready
		calls.Add(1)
		w.Stop()
		w.Stop() // twice is fine too
		close(stopped)
	})
	if err != nil {
		t.Fatal(err)
	}
	close(ready)
	write(t, path, "A=1\n")
	select {
	case <-stopped:
	case <-time.After(patience):
		t.Fatal("Stop from the callback did not return")
	}
	write(t, path, "A=2\n")
	time.Sleep(debounce + quiet)
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d callbacks, want 1: the watch went on after Stop", n)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close() after Stop from the callback = %v", err)
	}
}

// TestCloseWaitsForCallbackThatStops: a Close from another goroutine waits
// for the callback to return even when the callback itself stops the
// watch meanwhile.
func TestCloseWaitsForCallbackThatStops(t *testing.T) {
	t.Parallel()
	path := storeFile(t)
	entered := make(chan struct{})
	closing := make(chan struct{})
	var finished atomic.Bool
	var w *Watcher
	ready := make(chan struct{})
	var err error
	w, err = New(path, time.Millisecond, func() {
		<-ready
		close(entered)
		<-closing
		time.Sleep(20 * time.Millisecond) // let Close start waiting
		w.Stop()
		time.Sleep(80 * time.Millisecond)
		finished.Store(true)
	})
	if err != nil {
		t.Fatal(err)
	}
	close(ready)
	write(t, path, "A=1\n")
	select {
	case <-entered:
	case <-time.After(patience):
		t.Fatal("no callback")
	}
	close(closing)
	if err := w.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if !finished.Load() {
		t.Fatal("Close returned while the callback was running")
	}
}

func TestStopDoesNotWait(t *testing.T) {
	// Not parallel: goleak sees every goroutine of the process.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	path := storeFile(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	w, err := New(path, time.Millisecond, func() {
		close(entered)
		<-release
	})
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, "A=1\n")
	select {
	case <-entered:
	case <-time.After(patience):
		t.Fatal("no callback")
	}
	w.Stop() // returns although the callback is blocked
	close(release)
	if err := w.Close(); err != nil {
		t.Fatalf("Close() after Stop = %v", err)
	}
	w.Stop()
}

func TestNoGoroutineAfterClose(t *testing.T) {
	// Not parallel: goleak sees every goroutine of the process.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	path := filepath.Join(t.TempDir(), "missing", ".secrets")
	for range 3 {
		w, err := New(path, debounce, func() {})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	if _, err := New(storeFile(t), debounce, nil); err == nil {
		t.Error("New with a nil callback: no error")
	}
}

func TestWithin(t *testing.T) {
	sep := string(filepath.Separator)
	root := sep
	if runtime.GOOS == "windows" {
		root = `C:\`
	}
	a := filepath.Join(root, "a")
	tests := []struct {
		path, dir string
		want      bool
	}{
		{a, a, true},
		{filepath.Join(a, "b"), a, true},
		{a + "b", a, false},
		{a, filepath.Join(a, "b"), false},
		{a, root, true},
	}
	for _, tt := range tests {
		if got := within(tt.path, tt.dir); got != tt.want {
			t.Errorf("within(%q, %q) = %v, want %v", tt.path, tt.dir, got, tt.want)
		}
	}
}

// TestLateDirectoryCreate: the creation of the store directory, queued by
// the watch on its parent but read only after arm has moved on to the
// directory itself, is no change to a file that is not there (it made
// TestDirectoryCreatedLater fail now and then on a loaded machine).
func TestLateDirectoryCreate(t *testing.T) {
	path := storeFile(t)
	// A Watcher without its loop, so that the test alone calls relevant.
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer fsw.Close()
	w := &Watcher{path: path, dir: filepath.Dir(path), fsw: fsw}
	if err := w.arm(); err != nil {
		t.Fatal(err)
	}
	if w.watched != w.dir {
		t.Fatalf("watching %s, want the store directory", w.watched)
	}
	if w.relevant(fsnotify.Event{Name: w.dir, Op: fsnotify.Create}) {
		t.Error("a late Create of the directory counts as a change to a missing file")
	}
	write(t, path, "A=1\n")
	if !w.relevant(fsnotify.Event{Name: w.dir, Op: fsnotify.Create}) {
		t.Error("a late Create of the directory, with the file in it, does not count")
	}
}
