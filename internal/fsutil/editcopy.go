package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// The names of the copies CreateEditCopy makes of a file NAME:
// "NAME.edit-<digits>.env", locked through "NAME.edit-<digits>.env.lock".
// A copy that Keep sets aside becomes "NAME.edit-<digits>.kept.env", a
// name CleanEditCopies leaves alone.
const (
	editInfix      = ".edit-"
	editSuffix     = ".env"
	editLockSuffix = ".lock"
	keptSuffix     = ".kept"
)

// EditCopy is a private copy of a file, made for a person to change in an
// editor, and the lock that marks it as in use while it is.
//
// The lock is an advisory lock on a file of its own beside the copy
// ("<copy>.lock"), never on the copy: an editor may save by writing a new
// file and renaming it over the copy, which would leave a lock on the copy
// with the old file; and on Windows a lock on the copy would keep the
// editor from reading it. A copy whose lock nobody holds was left by a
// process that was killed: EditLeftovers finds it and CleanEditCopies
// removes it.
type EditCopy struct {
	// Path is the copy's path.
	Path string

	lock *os.File // nil once released
	id   fs.FileInfo
}

// CreateEditCopy writes data to a new copy of the file at path, in the same
// directory, with mode 0600 (less nothing: the umask only removes bits), and
// holds the copy's lock until Remove or Keep. It returns an error naming the
// directory when the copy cannot be made; then nothing is left behind.
func CreateEditCopy(path string, data []byte) (*EditCopy, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 100 {
		copyPath := filepath.Join(dir, name+editInfix+strconv.FormatUint(uint64(rand.Uint32()), 10)+editSuffix)
		c, err := lockNewCopy(copyPath)
		if err != nil {
			return nil, err
		}
		if c == nil {
			continue // the name is taken, or a cleaner got to the lock first
		}
		if err := c.write(data); err != nil {
			if errors.Is(err, fs.ErrExist) {
				// A file of that name that is not this process's: leave
				// it, and its lock, to CleanEditCopies.
				c.release()
				continue
			}
			c.Remove()
			return nil, err
		}
		return c, nil
	}
	return nil, fmt.Errorf("create a copy in %q: too many collisions", dir)
}

// lockNewCopy creates and locks the lock file of copyPath, which must not
// exist yet. It returns nil and no error when the name is taken, or when a
// cleaner opened the new lock file and removed it before it was locked.
func lockNewCopy(copyPath string) (*EditCopy, error) {
	lockPath := copyPath + editLockSuffix
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock the copy: %w", err) // err names the file
	}
	id, ok, err := lockIfLinked(f, lockPath)
	if err != nil {
		f.Close()
		os.Remove(lockPath)
		return nil, fmt.Errorf("lock %q: %w", lockPath, err)
	}
	if !ok {
		f.Close()
		return nil, nil
	}
	c := &EditCopy{Path: copyPath, lock: f, id: id}
	held.add(c)
	return c, nil
}

// write creates the copy (which must not exist) holding data.
func (c *EditCopy) write(data []byte) error {
	f, err := os.OpenFile(c.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create a copy: %w", err) // err names the file
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %q: %w", c.Path, err)
	}
	return nil
}

// Remove removes the copy, then its lock file, and releases the lock. A
// copy that is already gone (an editor may delete it) is no error. Calling
// Remove again, or after Keep, does nothing.
func (c *EditCopy) Remove() error {
	if c.lock == nil {
		return nil
	}
	err := os.Remove(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	c.release()
	return err
}

// Keep sets the copy aside for the person to take their edit from: it
// renames it to "<file>.edit-<digits>.kept.env" (or ".kept-2.env" and so
// on, to replace no file), which CleanEditCopies leaves alone, and releases
// the lock. It returns the copy's path: the new one, or on error the one it
// kept, which is then a leftover that the next write removes.
func (c *EditCopy) Keep() (string, error) {
	if c.lock == nil {
		return c.Path, errors.New("keep a copy: it was already removed or kept")
	}
	defer c.release()
	base := strings.TrimSuffix(c.Path, editSuffix) + keptSuffix
	for i := 1; i <= 100; i++ {
		kept := base + editSuffix
		if i > 1 {
			kept = base + "-" + strconv.Itoa(i) + editSuffix
		}
		if _, err := os.Lstat(kept); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.Rename(c.Path, kept); err != nil {
			return c.Path, fmt.Errorf("keep a copy: %w", err)
		}
		return kept, nil
	}
	return c.Path, fmt.Errorf("keep %q: too many kept copies beside it", c.Path)
}

// release removes the lock file and lets go of the lock.
func (c *EditCopy) release() {
	held.remove(c)
	removeLocked(c.lock, c.Path+editLockSuffix)
	c.lock = nil
}

// removeLocked removes the lock file at path, which f holds locked, and
// releases the lock. On Unix the file goes first, so that no other process
// can lock it once this one lets go (lockIfLinked then sees the link gone);
// Windows cannot remove an open file.
func removeLocked(f *os.File, path string) {
	if runtime.GOOS != "windows" {
		os.Remove(path)
	}
	unlockEditFile(f)
	f.Close()
	if runtime.GOOS == "windows" {
		os.Remove(path)
	}
}

// lockIfLinked takes f's lock without waiting, and reports whether it got
// it while f is still the file at path: another process may remove the
// lock file between its open here and the lock, and a lock on a removed
// file guards nothing. It returns f's identity for held.
func lockIfLinked(f *os.File, path string) (fs.FileInfo, bool, error) {
	ok, err := tryEditLock(f)
	if err != nil || !ok {
		return nil, false, err
	}
	fi, err := f.Stat()
	if err == nil {
		var now fs.FileInfo
		if now, err = os.Stat(path); err == nil && os.SameFile(fi, now) {
			return fi, true, nil
		}
	}
	unlockEditFile(f)
	return nil, false, nil
}

// CleanEditCopies removes the copies that CreateEditCopy made of the file
// at path and that no process is editing: it takes each one's lock without
// waiting, removes the copy and then its lock file, and skips any copy
// whose lock is held. It removes only regular files named exactly as
// CreateEditCopy names them (never a kept copy, nor a user's
// ".secrets.edit-old.env"), and lock files of that form left without their
// copy. Errors are ignored: a copy that stays is removed next time.
func CleanEditCopies(path string) {
	for _, copyPath := range editCopies(path, true) {
		cleanEditCopy(copyPath)
	}
}

// cleanEditCopy removes copyPath and its lock file if it can take the lock.
func cleanEditCopy(copyPath string) {
	lockPath := copyPath + editLockSuffix
	if held.has(lockPath) {
		return
	}
	if fi, err := os.Lstat(lockPath); err == nil && !fi.Mode().IsRegular() {
		return
	}
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	if _, ok, err := lockIfLinked(f, lockPath); err != nil || !ok {
		f.Close()
		return
	}
	if fi, err := os.Lstat(copyPath); err == nil && fi.Mode().IsRegular() {
		os.Remove(copyPath)
	}
	removeLocked(f, lockPath)
}

// EditLeftovers returns the paths of the copies that CreateEditCopy made
// of the file at path and that no process is editing now: what a killed
// process left, each a copy of the file's content. It takes each lock for a
// moment, and does not wait for one.
func EditLeftovers(path string) []string {
	var out []string
	for _, copyPath := range editCopies(path, false) {
		lockPath := copyPath + editLockSuffix
		if held.has(lockPath) {
			continue
		}
		f, err := os.OpenFile(lockPath, os.O_RDWR, 0)
		if errors.Is(err, fs.ErrNotExist) {
			out = append(out, copyPath)
			continue
		}
		if err != nil {
			continue
		}
		if ok, err := tryEditLock(f); err == nil && ok {
			unlockEditFile(f)
			out = append(out, copyPath)
		}
		f.Close()
	}
	return out
}

// editCopies returns the copies of the file at path found in its
// directory: the regular files named as CreateEditCopy names them, and,
// with orphans, the copies named by a lock file of that form whose copy is
// gone.
func editCopies(path string, orphans bool) []string {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	seen := make(map[string]bool)
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		copyName := e.Name()
		if orphans {
			copyName = strings.TrimSuffix(copyName, editLockSuffix)
		}
		if !isEditCopyName(name, copyName) || seen[copyName] {
			continue
		}
		seen[copyName] = true
		out = append(out, filepath.Join(dir, copyName))
	}
	return out
}

// isEditCopyName reports whether base is the name of a copy of the file
// name: name, ".edit-", 1 to 20 decimal digits and ".env".
func isEditCopyName(name, base string) bool {
	digits, ok := strings.CutPrefix(base, name+editInfix)
	if !ok {
		return false
	}
	digits, ok = strings.CutSuffix(digits, editSuffix)
	return ok && len(digits) >= 1 && len(digits) <= 20 && strings.Trim(digits, "0123456789") == ""
}

// held are the edit copies whose lock this process holds. The cleaners
// skip them without opening their lock files: where locks are fcntl locks
// (Solaris, AIX), they belong to the process, so a second open here would
// take the lock again, and its close would release the holder's.
var held heldCopies

type heldCopies struct {
	mu     sync.Mutex
	copies map[*EditCopy]bool
}

func (h *heldCopies) add(c *EditCopy) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.copies == nil {
		h.copies = make(map[*EditCopy]bool)
	}
	h.copies[c] = true
}

func (h *heldCopies) remove(c *EditCopy) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.copies, c)
}

// has reports whether the lock file at lockPath is one this process holds.
func (h *heldCopies) has(lockPath string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.copies) == 0 {
		return false
	}
	fi, err := os.Lstat(lockPath)
	if err != nil {
		return false
	}
	for c := range h.copies {
		if os.SameFile(fi, c.id) {
			return true
		}
	}
	return false
}
