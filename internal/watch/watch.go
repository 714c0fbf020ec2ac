// Package watch calls a function when a file changes on disk, however the
// change is made: written in place, replaced by a rename (editors, the
// store's own temp+rename), deleted and recreated, or created together with
// its directory after the watch began.
//
// It watches the file's directory, not the file, because a rename-save
// replaces the file's inode and a file watch would go deaf. Events are
// filtered to the file's own name, so the store's temporary files
// (.secrets.tmp-*) and lock file (.secrets.lock) cause nothing, and bursts
// of events are folded into one call.
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher watches one file. Create it with New; stop it with Close, or
// with Stop from onChange.
type Watcher struct {
	path     string // the file, absolute and clean
	dir      string // filepath.Dir(path)
	debounce time.Duration
	onChange func()
	fsw      *fsnotify.Watcher

	// State below is owned by the goroutine running loop (and by New before
	// it starts).
	watched string // the directory watched for path: dir, or its nearest existing ancestor
	link    string // where path points when it is a symlink, else ""

	done     chan struct{} // closed by Stop
	stopOnce sync.Once
	exited   chan struct{} // closed when loop has returned and fsw is closed
	closeErr error         // fsw.Close's error, readable once exited is closed
}

// New starts watching the file at path and calls onChange (from a single
// goroutine, never concurrently) once per burst of changes, debounce after
// the last event of the burst.
//
// A change is any creation, write, removal or rename of path, including a
// rename of another file onto it and the removal or renaming of its
// directory. The watch survives all of them: a file deleted and created
// again is seen again. When path's directory does not exist yet, New
// watches its nearest existing ancestor instead and moves to the directory
// when it appears, calling onChange if the file is already there by then.
// When path is a symlink, writes to the file it points to are seen too.
//
// New returns an error when the watch cannot be set up (fsnotify is
// unavailable, or the directory cannot be watched). Errors later on (such
// as the kernel dropping events) cannot be reported, so they cause a call
// to onChange, after which the caller re-reads the file.
func New(path string, debounce time.Duration, onChange func()) (*Watcher, error) {
	if onChange == nil {
		return nil, errors.New("watch: onChange is nil")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("watch %q: %w", path, err)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %q: %w", abs, err)
	}
	w := &Watcher{
		path:     abs,
		dir:      filepath.Dir(abs),
		debounce: debounce,
		onChange: onChange,
		fsw:      fsw,
		done:     make(chan struct{}),
		exited:   make(chan struct{}),
	}
	if err := w.arm(); err != nil {
		fsw.Close()
		return nil, fmt.Errorf("watch %q: %w", abs, err)
	}
	go w.loop()
	return w, nil
}

// Stop stops watching without waiting. A call of onChange that is running,
// or just starting, when Stop is called may still run after Stop returns;
// no other call follows. The goroutine ends, and the file watch is
// released, when that call returns. Stop is the way to end the watch from
// onChange itself, where Close would wait for onChange, that is for ever.
// Stop may be called more than once, and before or after Close.
func (w *Watcher) Stop() {
	w.stopOnce.Do(func() { close(w.done) })
}

// Close stops watching and waits until it has stopped: when Close returns,
// no call of onChange is running or will run, the goroutine is gone and
// the file watch is released. Close may be called more than once, and
// after Stop; each call returns the error of releasing the file watch.
//
// Close must not be called from onChange: it would wait for that very
// call to return. Call Stop there.
func (w *Watcher) Close() error {
	w.Stop()
	<-w.exited
	return w.closeErr
}

func (w *Watcher) loop() {
	defer func() {
		w.closeErr = w.fsw.Close()
		close(w.exited)
	}()

	timer := time.NewTimer(w.debounce)
	timer.Stop()
	defer timer.Stop()
	var fire <-chan time.Time // timer.C while a call is pending, else nil

	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if w.relevant(ev) {
				timer.Reset(w.debounce)
				fire = timer.C
			}
		case _, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			// Most likely the kernel queue overflowed and events were lost:
			// look again at what exists and let the caller re-read.
			_ = w.arm()
			timer.Reset(w.debounce)
			fire = timer.C
		case <-fire:
			fire = nil
			select {
			case <-w.done:
				return
			default:
			}
			w.onChange()
		}
	}
}

// relevant updates the watch after an event and reports whether the event
// may have changed the file.
func (w *Watcher) relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod || ev.Op == 0 {
		return false // mode or timestamps only; the content is the same
	}
	name := filepath.Clean(ev.Name)

	if w.watched != w.dir {
		// Waiting for the directory: only a step towards it (or the loss
		// of the ancestor being watched) matters.
		if name != w.watched && !within(w.dir, name) {
			return false
		}
		if err := w.arm(); err != nil || w.watched != w.dir {
			return false
		}
		_, err := os.Lstat(w.path)
		return err == nil
	}

	switch {
	case (name == w.dir || w.link != "" && name == filepath.Dir(w.link)) && ev.Has(fsnotify.Create):
		// The directory's creation, seen late: queued by a watch on its
		// parent before arm moved on to the directory itself. Like any
		// step towards the directory, it matters only if the file is
		// there.
		_ = w.arm()
		_, err := os.Lstat(w.path)
		return err == nil
	case name == w.dir, w.link != "" && name == filepath.Dir(w.link):
		// A watched directory itself was removed or renamed, and the file
		// with it. Fall back to an ancestor until it comes back.
		_ = w.arm()
		return true
	case name == w.path, w.link != "" && name == w.link:
		if ev.Op != fsnotify.Write {
			_ = w.arm() // the file was replaced: it may be (or point) elsewhere now
		}
		return true
	}
	return false
}

// maxArm bounds arm's retries while directories appear or vanish under it.
const maxArm = 10

// arm makes the watch list match the file's situation: its directory, or
// the nearest existing ancestor while that is missing, plus the directory
// of the file path points to when path is a symlink.
func (w *Watcher) arm() error {
	var err error
	for range maxArm {
		var settled bool
		if settled, err = w.armOnce(); settled {
			return err
		}
	}
	return err
}

// armOnce does one pass of arm and reports whether the result held still.
func (w *Watcher) armOnce() (settled bool, err error) {
	watched, err := w.nearestDir()
	if err != nil {
		return true, err
	}
	want := []string{watched}
	link := ""
	if watched == w.dir {
		link = linkTarget(w.path)
		if link != "" && filepath.Dir(link) != w.dir {
			want = append(want, filepath.Dir(link))
		}
	}

	have := w.fsw.WatchList()
	for _, d := range have {
		if !slices.Contains(want, d) {
			_ = w.fsw.Remove(d) // may already be gone with its directory
		}
	}
	for i, d := range want {
		if slices.Contains(have, d) {
			continue
		}
		if err := w.fsw.Add(d); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return false, err // vanished since we looked: look again
			}
			if i == 0 {
				return true, err
			}
			// The symlink's target directory cannot be watched: keep the
			// store directory watched, which still sees the link replaced.
		}
	}
	w.watched, w.link = watched, link

	// A directory created between the look and the Add would go unseen.
	again, err := w.nearestDir()
	return err == nil && again == watched, err
}

// nearestDir returns w.dir if it exists, else its nearest existing ancestor.
func (w *Watcher) nearestDir() (string, error) {
	for d := w.dir; ; {
		// Anything but an existing directory (missing, a file in the way,
		// no permission) means: climb.
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no existing directory above %q", w.dir)
		}
		d = parent
	}
}

// linkTarget returns the file a symlink at path points to, or "" when path
// is not a symlink.
func linkTarget(path string) string {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return ""
	}
	if t, err := filepath.EvalSymlinks(path); err == nil {
		return t
	}
	t, err := os.Readlink(path) // dangling: follow one level
	if err != nil {
		return ""
	}
	if !filepath.IsAbs(t) {
		t = filepath.Join(filepath.Dir(path), t)
	}
	return filepath.Clean(t)
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	if path == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(path, dir)
}
