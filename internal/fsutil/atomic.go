package fsutil

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// TempPrefix is the name prefix of the temporary files WriteAtomic creates
// beside its target: "<target name>.tmp-". Readers ignore such files and
// CleanTemp removes the ones a killed writer left behind.
const TempPrefix = ".tmp-"

// WriteAtomic replaces the file at path with data: it writes a temporary file
// in the same directory, syncs it, renames it over path and syncs the
// directory, so a reader sees either the old or the new content and a crash
// leaves one of the two.
//
// With Private, the file gets exactly perm, whatever the umask and the
// old file's mode, from the moment it is created. With KeepMode, an
// existing file keeps its permission bits and a new one gets perm less the
// umask. If path is a symbolic link, the link is kept and its target is
// replaced.
func WriteAtomic(path string, data []byte, perm fs.FileMode, policy Policy) error {
	target, err := ResolveLink(path)
	if err != nil {
		return err
	}
	exact := policy == Private
	if policy == KeepMode {
		if fi, err := os.Stat(target); err == nil {
			perm, exact = fi.Mode().Perm(), true
		}
	}
	dir, name := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := createTemp(dir, name+TempPrefix, perm, exact)
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %q: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %q: %w", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %q: %w", tmpName, err)
	}
	if err := rename(tmpName, target); err != nil {
		return fmt.Errorf("replace %q: %w", target, err)
	}
	ok = true
	return SyncDir(dir)
}

// ResolveLink follows path through symbolic links to the file that a
// write should replace. A path that does not exist (a new file, or the
// missing target of a link) is returned as it is.
func ResolveLink(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", fmt.Errorf("read link %q: %w", path, err)
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", fmt.Errorf("resolve %q: too many levels of symbolic links", path)
}

// Policy says how WriteAtomic sets the new file's permission bits.
type Policy int

const (
	// Private gives the file exactly the requested bits, never looser at
	// any moment, whatever the umask.
	Private Policy = iota
	// KeepMode keeps an existing file's bits; a new file gets the requested
	// bits less the umask, as os.Create would.
	KeepMode
)

// createTemp creates a new file named prefix+random in dir. When exact, it
// is opened with at most perm&0600 and then chmod-ed to perm, so there is
// never a window in which a looser mode applies; otherwise it is opened with
// perm and the umask applies.
func createTemp(dir, prefix string, perm fs.FileMode, exact bool) (*os.File, error) {
	for range 100 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(dir, prefix+hex.EncodeToString(b[:]))
		openPerm := perm
		if exact {
			openPerm &= 0o600
		}
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, openPerm)
		if os.IsExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create temporary file in %q: %w", dir, err)
		}
		if exact && runtime.GOOS != "windows" {
			if err := f.Chmod(perm); err != nil {
				f.Close()
				os.Remove(name)
				return nil, fmt.Errorf("chmod %q: %w", name, err)
			}
		}
		return f, nil
	}
	return nil, fmt.Errorf("create temporary file in %q: too many collisions", dir)
}

// CleanTemp removes the temporary files that WriteAtomic calls for path
// left behind when their process died: only regular files named exactly as
// WriteAtomic names them (the prefix and 16 hex digits), never a user's
// ".secrets.tmp-backup". Call it only while holding the lock that
// serialises writers of path.
func CleanTemp(path string) { cleanTemp(path, 0) }

// CleanStaleTemp is CleanTemp for a file whose writers share no lock (a
// project's .env): it removes only the temporary files last modified more
// than StaleTempAge ago. A live writer's file is younger; and a writer
// whose file went missing all the same only fails, leaving path as it was.
// Like CleanTemp, it removes only names that WriteAtomic makes.
//
// A leftover of a .env holds its content, secrets and all, under a name
// that a .gitignore line ".env" does not match.
func CleanStaleTemp(path string) { cleanTemp(path, StaleTempAge) }

// StaleTempAge is how old a temporary file of WriteAtomic must be for
// CleanStaleTemp to take it for a leftover: far longer than a write takes.
const StaleTempAge = time.Minute

// cleanTemp removes path's temporary files; with age > 0, only those last
// modified at least age ago.
func cleanTemp(path string, age time.Duration) {
	for _, t := range Leftovers(path) {
		if age > 0 {
			if fi, err := os.Lstat(t); err != nil || time.Since(fi.ModTime()) < age {
				continue
			}
		}
		os.Remove(t)
	}
}

// Leftovers returns the paths of the regular files beside path (through
// symbolic links, at its target) named as WriteAtomic names its temporary
// files for path: the prefix and 16 hex digits. Outside a write they are
// what a killed write left, each a copy of path's new content.
func Leftovers(path string) []string {
	target, err := ResolveLink(path)
	if err != nil {
		return nil
	}
	dir, name := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		suffix, ok := strings.CutPrefix(e.Name(), name+TempPrefix)
		if !ok || len(suffix) != 16 || strings.Trim(suffix, "0123456789abcdef") != "" || !e.Type().IsRegular() {
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out
}
