package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkPrivate checks the store root, the store directory and, when file
// is not nil, the secrets file it describes: each that exists must be the
// user's (or root's) and not writable by group or others (see
// checkPrivate). It returns the warnings of a filesystem without Unix
// permissions.
func (s *Store) checkPrivate(file fs.FileInfo) (warnings []string, err error) {
	check := func(path string, fi fs.FileInfo) error {
		w, err := checkPrivate(path, fi)
		if w != "" {
			warnings = append(warnings, w)
		}
		return err
	}
	for _, dir := range []string{s.project.Root, s.Dir()} {
		fi, err := os.Stat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if err := check(dir, fi); err != nil {
			return nil, err
		}
	}
	if file != nil {
		if err := check(s.path, file); err != nil {
			return nil, err
		}
	}
	return warnings, nil
}

// mkdirPrivate creates dir with mode 0700 (whatever the umask), creating
// missing parents with 0700 less the umask; a store directory that exists is
// tightened to 0700 if group or other bits are set; existing parents are
// left alone.
func mkdirPrivate(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("store directory %q is not a directory", dir)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(dir, 0o700); err != nil {
				return fmt.Errorf("tighten store directory: %w", err)
			}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store directory: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("create store root: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return fmt.Errorf("create store directory: %w", err)
	}
	// Mkdir applied the umask, which can only remove bits: set exactly 0700.
	return os.Chmod(dir, 0o700)
}
