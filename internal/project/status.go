package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// What the project directory a store's header names is to the project
// that uses the store (Compare).
const (
	// Same: the header names this project (its root or a directory in it).
	Same = "same"
	// Copied: the header names another project directory whose .env holds
	// the same ID: two directories share one store, a copy of a project
	// most likely.
	Copied = "copied"
	// Worktree: the header names another worktree of this project's git
	// repository, whose .env holds the same ID: shared on purpose.
	Worktree = "worktree"
	// Moved: the header names a directory that no longer holds this
	// project: it does not exist, or its project holds another ID or none.
	Moved = "moved"
	// Unknown: the header names no absolute directory (python-env-secrets
	// writes its working directory, "." even), or it could not be checked.
	// Never acted on.
	Unknown = "unknown"
)

// The status of a store judged from outside, by its header alone (Status).
const (
	// OK: the named directory's project holds the store's ID.
	OK = "ok"
	// Gone: the named absolute directory does not exist, or its project's
	// .env holds another ID.
	Gone = "gone"
	// Unknown (above): the header names no absolute directory, or the
	// named directory exists and its project defines no ID (its .env may
	// have been deleted, by git clean say: nothing says the store is not
	// wanted), or it could not be checked.
)

// Compare says what headerDir, the directory a store's header names, is
// to the project at dir, whose .env holds id: Same, Copied, Worktree,
// Moved or Unknown (see those). It compares project roots, not paths:
// headerDir is resolved to its project by Find, and that project's
// directory compared with dir by os.SameFile. other is the other project's
// directory, for Copied and Worktree.
func Compare(headerDir, dir, id string, home *Home) (state, other string) {
	if headerDir == "" || !filepath.IsAbs(headerDir) {
		return Unknown, ""
	}
	if filepath.Clean(headerDir) == filepath.Clean(dir) {
		return Same, ""
	}
	fi, err := os.Stat(headerDir)
	switch {
	case errors.Is(err, fs.ErrNotExist) || err == nil && !fi.IsDir():
		return Moved, ""
	case err != nil:
		return Unknown, ""
	}
	s, err := Find(headerDir, home)
	switch {
	case err != nil:
		return Unknown, ""
	case s.ID == "" || !strings.EqualFold(s.ID, id):
		return Moved, ""
	case sameFile(s.Dir, dir):
		return Same, ""
	case SameRepository(s.Dir, dir, home):
		return Worktree, s.Dir
	}
	return Copied, s.Dir
}

// Status judges a store from outside: headerDir is the directory its
// header names, and id its ID. It returns OK, Gone or Unknown, and why,
// naming directories and files, never a value. It reads nothing but the
// .env files on the way up from headerDir to its project's root (see
// Find).
func Status(headerDir, id string, home *Home) (status, reason string) {
	switch {
	case headerDir == "":
		return Unknown, "the header names no project directory"
	case !filepath.IsAbs(headerDir):
		return Unknown, fmt.Sprintf("the header names %q, not an absolute directory", headerDir)
	}
	fi, err := os.Stat(headerDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Gone, "the directory does not exist"
	case err != nil:
		return Unknown, err.Error()
	case !fi.IsDir():
		return Gone, "not a directory any more"
	}
	s, err := Find(headerDir, home)
	switch {
	case err != nil:
		return Unknown, err.Error()
	case s.ID == "":
		return Unknown, "its project defines no USER_SECRETS_ID" + searchEnd(s)
	case !strings.EqualFold(s.ID, id):
		return Gone, fmt.Sprintf("%s holds another USER_SECRETS_ID", s.EnvFile)
	}
	return OK, fmt.Sprintf("%s holds this USER_SECRETS_ID", s.EnvFile)
}

// searchEnd says where a search that found nothing stopped.
func searchEnd(s *Search) string {
	switch s.StopReason {
	case StopRepo:
		return fmt.Sprintf(", up to the repository root %s", s.Stop)
	case StopHome, StopRoot:
		return fmt.Sprintf(", up to the %s %s", s.StopReason, s.Stop)
	}
	return ""
}
