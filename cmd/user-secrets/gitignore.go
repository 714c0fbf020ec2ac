package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// gitStatus is what git says of a file that may hold secrets.
type gitStatus int

const (
	// gitIgnored: the file is in a work tree, and git ignores it.
	gitIgnored gitStatus = iota
	// gitNotIgnored: the file is in a work tree, and git does not ignore
	// it (a file git tracks is never ignored).
	gitNotIgnored
	// gitOutside: the file is in no git work tree.
	gitOutside
	// gitMissing: git is not installed, so nothing is known.
	gitMissing
	// gitUnknown: a .git lies above the file, but git could not say
	// whether it ignores the file (a repository git refuses to read, say).
	gitUnknown
)

// checkGitIgnore asks `git check-ignore` about file, run in file's
// directory. For gitUnknown, err says what git reported; it names paths,
// never a value.
func checkGitIgnore(file string) (gitStatus, error) {
	dir, name := filepath.Split(file)
	if dir == "" {
		dir = "."
	}
	var stderr bytes.Buffer
	cmd := exec.Command("git", "check-ignore", "-q", "--", name)
	cmd.Dir = dir
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return gitIgnored, nil
	case errors.Is(err, exec.ErrNotFound):
		return gitMissing, nil
	case !errors.As(err, &ee):
		return gitUnknown, fmt.Errorf("git check-ignore: %w", err)
	case ee.ExitCode() == 1:
		return gitNotIgnored, nil
	}
	// 128: outside any work tree, or a failure inside one. Only a .git
	// above tells them apart without reading git's (translated) message.
	if !hasGitAbove(dir) {
		return gitOutside, nil
	}
	msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
	if msg == "" {
		msg = ee.Error()
	}
	return gitUnknown, fmt.Errorf("git check-ignore: %s", msg)
}

// gitTracks reports whether git tracks file, which no .gitignore line then
// hides.
func gitTracks(file string) bool {
	dir, name := filepath.Split(file)
	if dir == "" {
		dir = "."
	}
	cmd := exec.Command("git", "ls-files", "--error-unmatch", "--", name)
	cmd.Dir = dir
	return cmd.Run() == nil
}

// hasGitAbove reports whether dir or a directory above it holds .git. It
// looks where git does: from dir with its symbolic links resolved, so a
// link in a work tree that leads out of it is outside.
func hasGitAbove(dir string) bool {
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	if d, err = filepath.Abs(d); err != nil {
		return false
	}
	for {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return false
		}
		d = parent
	}
}
