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

// compareHeader fills in the project's HeaderDir and HeaderState from the
// secrets file's header, for an ID from a .env (another source says
// nothing of where the project is), and warns of a store that another
// project directory shares. A file that does not read is left to the
// reads that follow to report.
func (s *Store) compareHeader() {
	p := s.project
	if p.Source != SourceDotEnv {
		return
	}
	data, err := s.ReadFile()
	if err != nil || data == nil {
		return
	}
	dir, _, _, ok := project.HeaderDir(data)
	if !ok {
		p.HeaderState = project.Unknown
		return
	}
	state, other := project.Compare(dir, p.Dir, p.ID, p.home)
	p.HeaderDir, p.HeaderState = dir, state
	if other != "" {
		p.HeaderDir = other
	}
	if state == project.Copied {
		p.Warnings = append(p.Warnings, fmt.Sprintf("this project (%s) shares its store with %s, whose .env holds the same USER_SECRETS_ID (a copy?): "+
			"a write here changes that project's secrets too; run `user-secrets init --new` (--copy-secrets keeps the values) to give this project a store of its own", p.Dir, other))
	}
}

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

// header returns the header for a write of data, the secrets file's
// current content (nil: none), to start a new file or to replace
// python-env-secrets' header with. It names the project directory:
//
//   - for an ID from a .env, this project's, unless the header names
//     another project whose .env holds the same ID (a copy, or another
//     worktree): that one is kept, so that the store's origin stays
//     known. When the header names a directory that no longer holds this
//     project (it moved), moved is true: the write records the new
//     directory in the existing header's line too;
//   - for an ID from a flag or the environment, which says nothing of
//     where the project is, the existing header's directory, else Dir;
//   - none for the home directory and the file system root (see
//     Project.Reserved).
//
// A header that names no absolute directory is left as it is.
func (s *Store) header(data []byte) (header string, moved bool) {
	p := s.project
	name := p.Dir
	if p.Reserved != "" {
		name = ""
	}
	if dir, _, _, ok := project.HeaderDir(data); ok {
		if p.Source != SourceDotEnv {
			name = dir
		} else {
			switch state, _ := project.Compare(dir, p.Dir, p.ID, p.home); state {
			case project.Copied, project.Worktree:
				name = dir
			case project.Moved:
				moved = true
			}
		}
	}
	return storeHeader(name, s.ID()), moved
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

// Header returns the comment block that starts a new secrets file of the
// store: what the file is, the project directory (none for the home
// directory or the file system root, see Project.Reserved), the ID, and a
// warning not to share it. (Update keeps an existing file's header, and
// records a moved project's new directory in it.)
func (s *Store) Header() string {
	header, _ := s.header(nil)
	return header
}

// storeHeader returns the comment block a new secrets file starts with.
func storeHeader(projectDir, id string) string {
	h := "# user-secrets: local development secrets (dotenv syntax), kept outside the project tree\n"
	if projectDir != "" {
		// Quoted when it holds a line break, which would end the comment
		// and make the rest of the name a definition.
		h += "# Project: " + project.FormatHeaderDir(projectDir) + "\n"
	}
	return h + "# USER_SECRETS_ID: " + id + "\n# Do not share or commit this file.\n"
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
