// Package project finds a project's directory by the rules that core and
// the CLI share: the upward search for the .env that defines
// USER_SECRETS_ID, which stops at the repository root and never uses the
// home directory's or the file system root's .env; the directory init
// writes to; git worktrees; and the project directory a store's header
// names, compared with a project or judged from outside.
//
// It only reads. Every .env it reads is read as a regular file of at most
// 64 MiB (internal/fsutil.ReadRegular): never a FIFO, never a device.
package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-user-secrets/user-secrets/internal/envid"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

const (
	envFileName = ".env"
	idKey       = "USER_SECRETS_ID"
)

// Why a search stopped (Search.StopReason).
const (
	// StopFound: the directory's .env defines USER_SECRETS_ID.
	StopFound = "found"
	// StopRepo: the directory holds .git (a directory, or a file as in
	// worktrees and submodules): the repository root, the last directory
	// searched.
	StopRepo = "repository root"
	// StopHome: the directory is the home directory, which is never a
	// project directory; its .env is not used.
	StopHome = "home directory"
	// StopRoot: the directory is the file system root, which is never a
	// project directory; its .env is not used.
	StopRoot = "filesystem root"
)

// Home identifies the user's home directory, compared by identity
// (os.SameFile) so that another path to it is recognised too. A nil *Home
// means the home directory is unknown: only the file system root is then
// reserved.
type Home struct {
	path string
	fi   fs.FileInfo
}

// NewHome returns the Home at path, or nil when path is empty, not
// absolute or not a directory.
func NewHome(path string) *Home {
	if path == "" || !filepath.IsAbs(path) {
		return nil
	}
	path = filepath.Clean(path)
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return nil
	}
	return &Home{path: path, fi: fi}
}

// Path returns the home directory's path ("" for a nil Home).
func (h *Home) Path() string {
	if h == nil {
		return ""
	}
	return h.path
}

// is reports whether dir is the home directory.
func (h *Home) is(dir string) bool {
	if h == nil {
		return false
	}
	if dir == h.path {
		return true
	}
	fi, err := os.Stat(dir)
	return err == nil && os.SameFile(fi, h.fi)
}

// Reserved returns why dir can never be a project directory unless named
// explicitly: StopHome or StopRoot; "" for any other directory.
func (h *Home) Reserved(dir string) string {
	switch {
	case filepath.Dir(dir) == dir:
		return StopRoot
	case h.is(dir):
		return StopHome
	}
	return ""
}

// Search is what Find found.
type Search struct {
	// Looked lists every .env the search considered, nearest first,
	// whether it exists or not.
	Looked []string
	// Skipped says what the search passed over that the user should know
	// of: a .env that is a FIFO or a device. It never holds a value.
	Skipped []string
	// Dir and EnvFile are the directory whose .env defines the ID, and
	// that file; "" when none does.
	Dir, EnvFile string
	// ID is the ID the .env defines, trimmed but not validated, and Line
	// its line.
	ID   string
	Line int
	// Stop is the directory where the search ended, and StopReason why
	// (StopFound, StopRepo, StopHome or StopRoot). With StopHome and
	// StopRoot, Stop's .env was not used.
	Stop, StopReason string
	// HomeEnv is the home directory's .env when the search stopped at the
	// home directory and that file defines USER_SECRETS_ID: an ID the
	// search did not use.
	HomeEnv string
}

// Find looks for the nearest .env that defines USER_SECRETS_ID, from start
// (an absolute directory) up: it reads start/.env, then its parent's, and
// so on, and stops at the first that defines the ID, after the first
// directory that holds .git (the repository root), or at the home
// directory or the file system root, whose .env it does not use.
//
// A .env that is not a regular file (a Python virtualenv is often named
// .env) is passed over, and named in Skipped when it is a FIFO or a
// device. Another error reading a .env ends the search with that error.
func Find(start string, home *Home) (*Search, error) {
	s := &Search{}
	for d := filepath.Clean(start); ; d = filepath.Dir(d) {
		if r := home.Reserved(d); r != "" {
			s.Stop, s.StopReason = d, r
			if r == StopHome {
				path := filepath.Join(d, envFileName)
				if _, line, err := ScanEnv(path); err == nil && line > 0 {
					s.HomeEnv = path
				}
			}
			return s, nil
		}
		path := filepath.Join(d, envFileName)
		s.Looked = append(s.Looked, path)
		id, line, skipped, err := ReadEnv(path)
		if err != nil {
			return nil, err
		}
		if skipped != "" {
			s.Skipped = append(s.Skipped, skipped)
		}
		if line > 0 {
			s.Dir, s.EnvFile, s.ID, s.Line = d, path, id, line
			s.Stop, s.StopReason = d, StopFound
			return s, nil
		}
		if hasGit(d) {
			s.Stop, s.StopReason = d, StopRepo
			return s, nil
		}
	}
}

// ReadEnv is ScanEnv for a search: a file that does not exist or is not
// a regular file is passed over, without an error (line is 0). skipped
// then says so of a FIFO or a device; a directory is most likely a Python
// virtualenv named .env, and passed over without a word.
func ReadEnv(path string) (id string, line int, skipped string, err error) {
	id, line, err = ScanEnv(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", 0, "", nil
	case errors.Is(err, fsutil.ErrNotRegular):
		if fi, serr := os.Stat(path); serr == nil && !fi.IsDir() {
			skipped = fmt.Sprintf("%s is %s, not a regular file: skipped", path, fsutil.Kind(fi.Mode()))
		}
		return "", 0, skipped, nil
	}
	return id, line, "", err
}

// ScanEnv reads USER_SECRETS_ID from the .env file at path with envid's
// tolerant line scan (see ScanID); the last definition wins. line is 0
// when the file does not define it. The ID is trimmed of white space
// (which a UUID never holds, also inside quotes) but not validated. A path that is not a
// regular file gives an error matching fsutil.ErrNotRegular, found
// without blocking; a file larger than 64 MiB, fsutil.ErrTooLarge.
func ScanEnv(path string) (id string, line int, err error) {
	data, _, err := fsutil.ReadRegular(path)
	if err != nil {
		return "", 0, err
	}
	id, line = ScanID(data)
	return id, line, nil
}

// ScanID returns the USER_SECRETS_ID that data, a .env file's text,
// defines, and its line (0 when none): envid.Scan's, trimmed of white
// space.
func ScanID(data []byte) (id string, line int) {
	id, line = envid.Scan(data, idKey)
	return strings.TrimSpace(id), line
}

// hasGit reports whether dir holds .git, of any kind.
func hasGit(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}

// InitDir returns the directory init writes .env to when none is named:
// the nearest directory from wd (an absolute directory) up that holds
// go.mod or .git, not counting the home directory, the file system root
// and anything above them; else wd itself. reserved is why that directory
// can never be a project directory (StopHome or StopRoot, when wd is one),
// or "".
func InitDir(wd string, home *Home) (dir, reserved string) {
	wd = filepath.Clean(wd)
	for d := wd; home.Reserved(d) == ""; d = filepath.Dir(d) {
		for _, marker := range []string{"go.mod", ".git"} {
			if _, err := os.Lstat(filepath.Join(d, marker)); err == nil {
				return d, ""
			}
		}
	}
	return wd, home.Reserved(wd)
}
