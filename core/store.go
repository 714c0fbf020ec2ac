package core

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/go-user-secrets/user-secrets/internal/project"
)

// lockFileName is the advisory lock file in a project's store directory:
// the secrets file's name and ".lock". Beside a secrets file reached through
// a symbolic link, the lock is the target's name and ".lock".
const lockFileName = secretsFileName + ".lock"

// Store is one project's secrets file, <root>/<id>/.secrets. Reads need no
// lock: writes replace the file atomically, so a reader sees a whole old or
// a whole new file. Every write is a locked read-modify-write.
//
// A Store is safe for concurrent use by goroutines and processes.
type Store struct {
	project     *Project
	id, path    string // the project's ID and SecretsFile, taken once
	lockTimeout time.Duration
}

// newStore returns the store of the resolved project p, which has an ID.
func newStore(p *Project, lockTimeout time.Duration) *Store {
	return &Store{project: p, id: p.ID, path: p.SecretsFile(), lockTimeout: lockTimeout}
}

// Open resolves the project (see Resolve) and returns its store. It creates
// nothing. When no ID resolves it returns a *NoIDError (ErrNoID).
func Open(opts Options) (*Store, error) {
	p, err := Resolve(opts)
	if err != nil {
		return nil, err
	}
	if p.ID == "" {
		return nil, noIDError(p)
	}
	s := newStore(p, opts.lockTimeout())
	var file fs.FileInfo
	if fi, err := os.Stat(s.path); err == nil {
		file = fi
	}
	warnings, err := s.checkPrivate(file)
	if err != nil {
		return nil, err
	}
	p.Warnings = append(p.Warnings, warnings...)
	if file != nil {
		s.compareHeader()
	}
	return s, nil
}

// Project returns the resolved project the store belongs to. The store
// keeps the paths it was opened with: changing the Project does not move
// it.
func (s *Store) Project() *Project { return s.project }

// ID returns the project's ID.
func (s *Store) ID() string { return s.id }

// Dir returns the store directory, <root>/<id>.
func (s *Store) Dir() string { return filepath.Dir(s.path) }

// Path returns the secrets file, <root>/<id>/.secrets.
func (s *Store) Path() string { return s.path }

// Exists reports whether the secrets file exists.
func (s *Store) Exists() (bool, error) {
	_, err := os.Stat(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// ReadFile returns the raw content of the secrets file; a missing file is
// not an error (nil, nil). A secrets file that is not a regular file (a
// FIFO, a device, a directory, or a symbolic link to one) is an error at
// once, never a hang; so is one larger than 64 MiB.
func (s *Store) ReadFile() ([]byte, error) {
	data, fi, err := fsutil.ReadRegular(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets file: %w", err)
	}
	if _, err := s.checkPrivate(fi); err != nil {
		return nil, err
	}
	return data, nil
}

// target returns the file a write replaces: the secrets file, or, when it
// is a symbolic link, the file the link leads to, which must exist and be a
// regular file. The link itself is kept.
func (s *Store) target() (string, error) {
	target, err := fsutil.ResolveLink(s.path)
	if err != nil {
		return "", err
	}
	fi, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist) && target == s.path:
		return target, nil // a new secrets file
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("secrets file %s is a symbolic link to %s, which does not exist", s.path, target)
	case err != nil:
		return "", fmt.Errorf("secrets file: %w", err)
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("secrets file %s: %w (%s): refused", target, fsutil.ErrNotRegular, fsutil.Kind(fi.Mode()))
	}
	return target, nil
}

// All returns every secret in file order. A missing file holds no secrets.
// A file that does not parse gives a *ParseError.
func (s *Store) All() ([]Entry, error) {
	data, err := s.ReadFile()
	if err != nil || data == nil {
		return nil, err
	}
	return Parse(data, s.Path())
}

// Map returns every secret as a map.
func (s *Store) Map() (map[string]string, error) {
	entries, err := s.All()
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(entries))
	for _, e := range entries {
		m[e.Key] = e.Value
	}
	return m, nil
}

// Get returns the value of key, or a *NotFoundError matching ErrNotFound.
func (s *Store) Get(key string) (string, error) {
	entries, err := s.All()
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.Key == key {
			return e.Value, nil
		}
	}
	return "", &NotFoundError{Keys: []string{key}}
}

// Set stores value under key, creating the store directory (0700) and file
// (0600) if needed. The key and value are validated before anything is
// touched. The returned Warning, when not nil, names the readers of the
// compatibility set that would read the stored value differently.
func (s *Store) Set(key, value string) (*Warning, error) {
	ws, err := s.SetMany([]Entry{{Key: key, Value: value}})
	if err != nil || len(ws) == 0 {
		return nil, err
	}
	return &ws[0], nil
}

// SetMany stores several secrets in one locked write. Every key and value
// is validated before anything is touched.
func (s *Store) SetMany(entries []Entry) ([]Warning, error) {
	if err := validateEntries(entries); err != nil {
		return nil, err
	}
	var ws []Warning
	err := s.Update(func(d *Document) error {
		var err error
		ws, err = d.apply(entries, nil)
		return err
	})
	return ws, err
}

// Delete removes keys. Keys that exist are removed even when others do not;
// then it returns a *NotFoundError (matching ErrNotFound) naming the
// missing ones. With no secrets file it creates nothing.
func (s *Store) Delete(keys ...string) error {
	if ok, err := s.Exists(); err != nil || !ok {
		if err != nil {
			return fmt.Errorf("secrets file: %w", err)
		}
		return &NotFoundError{Keys: keys}
	}
	var missing []string
	err := s.Update(func(d *Document) error {
		missing = missing[:0]
		for _, k := range keys {
			if _, ok := d.Get(k); !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) == len(keys) {
			return nil // nothing to delete: a python-env-secrets file stays as it is
		}
		_, err := d.apply(nil, keys)
		return err
	})
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return &NotFoundError{Keys: missing}
	}
	return nil
}

// Clear removes every secret, keeping the file and its comments, and
// returns how many were removed. With no secrets file it creates nothing.
func (s *Store) Clear() (int, error) {
	if ok, err := s.Exists(); err != nil || !ok {
		if err != nil {
			return 0, fmt.Errorf("secrets file: %w", err)
		}
		return 0, nil
	}
	n := 0
	err := s.Update(func(d *Document) error {
		entries := d.Entries()
		n = len(entries)
		if n == 0 {
			return nil
		}
		keys := make([]string, n)
		for i, e := range entries {
			keys[i] = e.Key
		}
		_, err := d.apply(nil, keys)
		return err
	})
	return n, err
}

// Replace validates data as a whole secrets file (it must parse, and every
// key must be valid) and, only then, makes it the store's content.
func (s *Store) Replace(data []byte) error {
	if err := validateFile(data, s.Path()); err != nil {
		return err
	}
	return s.write(func() ([]byte, error) { return data, nil })
}

// ErrChanged is returned by ReplaceIf when the secrets file is no longer
// what the caller read.
var ErrChanged = errors.New("the secrets file changed meanwhile")

// ReplaceIf is Replace, done only if the file's current content is still
// old (nil: the file does not exist), compared under the store's lock. It
// returns ErrChanged, and writes nothing, otherwise. It is the
// compare-and-swap an editor needs: another writer's change is never
// overwritten.
func (s *Store) ReplaceIf(old, data []byte) error {
	if err := validateFile(data, s.Path()); err != nil {
		return err
	}
	return s.write(func() ([]byte, error) {
		cur, err := s.ReadFile()
		if err != nil {
			return nil, err
		}
		if (cur == nil) != (old == nil) || !bytes.Equal(cur, old) {
			return nil, ErrChanged
		}
		return data, nil
	})
}

// validateFile checks that data is a whole secrets file this package
// accepts: it parses, and every key is valid. Either failure is a
// *ParseError naming filename and the line.
func validateFile(data []byte, filename string) error {
	entries, err := Parse(data, filename)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := ValidateKey(e.Key); err != nil {
			return &ParseError{File: filename, Line: e.Line, Reason: err.Error(), Err: err}
		}
	}
	return nil
}

// Update runs fn on the parsed secrets file under the store's exclusive
// lock and writes the result atomically, unless fn left an existing file
// as it was. A missing file starts as a new document with the store header,
// and is created. A file that does not parse is never rewritten: Update returns its
// *ParseError. If fn returns an error, nothing is written and that error is
// returned.
func (s *Store) Update(fn func(d *Document) error) error {
	return s.write(func() ([]byte, error) {
		data, err := s.ReadFile()
		if err != nil {
			return nil, err
		}
		header, moved := s.header(data)
		var d *Document
		if data == nil {
			d = newDocument(header, s.Path())
		} else if d, err = ParseDocument(data, s.Path()); err != nil {
			return nil, err
		}
		d.Header = header
		before := d.String()
		if err := fn(d); err != nil {
			return nil, err
		}
		if data != nil && d.String() == before {
			return nil, nil // nothing to write
		}
		if moved {
			return project.SetHeaderDir(d.Bytes(), s.project.Dir), nil
		}
		return d.Bytes(), nil
	})
}

// write creates the store directory if needed, takes the lock, cleans up
// temporary files of dead writers, and writes what content returns (nil:
// nothing). When the secrets file is a symbolic link, the lock, the
// temporary file and the rename are beside the file it leads to, so that
// writers through two links to one file exclude each other.
func (s *Store) write(content func() ([]byte, error)) error {
	if _, err := s.checkPrivate(nil); err != nil {
		return err
	}
	if err := mkdirPrivate(s.Dir()); err != nil {
		return err
	}
	target, err := s.target()
	if err != nil {
		return err
	}
	unlock, err := fsutil.Lock(target+".lock", s.lockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	if target, err = s.target(); err != nil { // the link may have changed meanwhile
		return err
	}
	fsutil.CleanTemp(target)
	fsutil.CleanEditCopies(s.path) // copies left by an edit that was killed
	data, err := content()
	if err != nil || data == nil {
		return err
	}
	if len(data) > fsutil.MaxFileSize {
		return fmt.Errorf("write secrets file: the new content is %w", fsutil.ErrTooLarge)
	}
	if err := fsutil.WriteAtomic(target, data, 0o600, fsutil.Private); err != nil {
		return fmt.Errorf("write secrets file: %w", err)
	}
	return nil
}
