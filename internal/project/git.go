package project

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// MainWorktree returns the main worktree of the linked git worktree whose
// root is dir: dir/.git is then a file ("gitdir: <dir>") naming a git
// directory that holds a commondir file, and the common git directory is
// the main worktree's .git. ok is false for anything else: a main
// worktree, a submodule, a worktree of a bare repository, not a
// repository.
func MainWorktree(dir string) (main string, ok bool) {
	fi, err := os.Lstat(filepath.Join(dir, ".git"))
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	common, linked := commonDir(dir)
	if !linked || filepath.Base(common) != ".git" {
		return "", false
	}
	main = filepath.Dir(common)
	if sameFile(main, dir) {
		return "", false
	}
	return main, true
}

// MainWorktreeEnv is for a search s, from start, that ended without an ID
// at the root of a linked git worktree: it returns the main worktree and
// its .env that defines USER_SECRETS_ID, at the place of one of the
// directories searched relative to the worktree's root (nearest first).
// A worktree has a .env of its own, which git does not share. Both are ""
// when there is no such file.
func MainWorktreeEnv(s *Search) (main, env string) {
	if s.ID != "" || s.StopReason != StopRepo {
		return "", ""
	}
	main, ok := MainWorktree(s.Stop)
	if !ok {
		return "", ""
	}
	for _, looked := range s.Looked {
		rel, err := filepath.Rel(s.Stop, filepath.Dir(looked))
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		path := filepath.Join(main, rel, envFileName)
		if _, line, err := ScanEnv(path); err == nil && line > 0 {
			return main, path
		}
	}
	return "", ""
}

// SameRepository reports whether the directories a and b lie in work
// trees of one git repository: the same work tree, or two worktrees that
// share one common git directory.
func SameRepository(a, b string, home *Home) bool {
	ra, ok := repoRoot(a, home)
	if !ok {
		return false
	}
	rb, ok := repoRoot(b, home)
	if !ok {
		return false
	}
	ca, _ := commonDir(ra)
	cb, _ := commonDir(rb)
	return sameFile(ca, cb)
}

// repoRoot returns the nearest directory from dir up that holds .git,
// below the home directory and the file system root.
func repoRoot(dir string, home *Home) (string, bool) {
	for d := filepath.Clean(dir); home.Reserved(d) == ""; d = filepath.Dir(d) {
		if hasGit(d) {
			return d, true
		}
	}
	return "", false
}

// commonDir returns the common git directory of the work tree whose root
// is root: root/.git when it is a directory; for a .git file, the git
// directory it names, or that directory's commondir when it has one
// (linked is then true).
func commonDir(root string) (dir string, linked bool) {
	dotGit := filepath.Join(root, ".git")
	data, _, err := fsutil.ReadRegular(dotGit)
	if err != nil {
		return dotGit, false // a directory, or nothing git can use
	}
	gitdir, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
	if !ok {
		return dotGit, false
	}
	gitdir = resolve(root, strings.TrimSpace(gitdir))
	c, _, err := fsutil.ReadRegular(filepath.Join(gitdir, "commondir"))
	if err != nil {
		return gitdir, false
	}
	return resolve(gitdir, strings.TrimSpace(string(c))), true
}

// resolve returns path, taken relative to base unless it is absolute.
func resolve(base, path string) string {
	path = filepath.FromSlash(path)
	if !filepath.IsAbs(path) {
		path = filepath.Join(base, path)
	}
	return filepath.Clean(path)
}

// sameFile reports whether paths a and b name one existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
