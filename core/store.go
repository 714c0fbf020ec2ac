package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/compat"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// lockFileName is the advisory lock file in a project's store directory:
// the secrets file's name and ".lock". Beside a secrets file reached through
// a symbolic link, the lock is the target's name and ".lock".
const lockFileName = secretsFileName + ".lock"

// Store is one project's secrets file, <root>/<id>/.secrets. Reads need no
// lock: writes replace the file atomically, so a reader sees a whole old or
// a whole new file. Every write is a locked read-modify-write.
//
// A store may be encrypted (see Encrypt): then reads decrypt, and writes
// encrypt, each value, with the store's key from $USER_SECRETS_KEY or
// Options.Keys, looked up at the first read or write that needs it and
// kept by the Store. A plain store never looks for a key.
//
// A Store is safe for concurrent use by goroutines and processes.
type Store struct {
	project     *Project
	id, path    string // the project's ID and SecretsFile, taken once
	lockTimeout time.Duration
	lookupEnv   func(key string) (string, bool)
	source      KeySource // Options.Keys
	cache       keyCache
}

// newStore returns the store of the resolved project p, which has an ID.
func newStore(p *Project, opts Options) *Store {
	lookupEnv := opts.LookupEnv
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	return &Store{project: p, id: p.ID, path: p.SecretsFile(), lockTimeout: opts.lockTimeout(), lookupEnv: lookupEnv, source: opts.Keys}
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
	s := newStore(p, opts)
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

// stored is the secrets file, parsed.
type stored struct {
	data    []byte    // the file's content; nil when it does not exist
	doc     *Document // the parsed file; nil for a read of a missing file
	entries []Entry   // the entries, one per key, the key-check entry included
	check   *Entry    // the key-check entry; nil when the store is not encrypted
}

// read reads and parses the secrets file. A missing file is a stored with
// no document and no entries.
func (s *Store) read() (*stored, error) {
	data, err := s.ReadFile()
	if err != nil {
		return nil, err
	}
	return parseStored(data, s.path)
}

// parseStored parses data, the content of the secrets file at path.
func parseStored(data []byte, path string) (*stored, error) {
	st := &stored{data: data}
	if data == nil {
		return st, nil
	}
	d, err := ParseDocument(data, path)
	if err != nil {
		return nil, err
	}
	st.doc, st.entries = d, d.Entries()
	st.check = checkEntry(st.entries)
	return st, nil
}

// All returns every secret in file order, decrypted when the store is
// encrypted. A missing file holds no secrets. A file that does not parse
// gives a *ParseError, and so does a value that cannot be read: one that
// does not decrypt, one that is not encrypted in an encrypted store, or an
// encrypted one in a store without the key-check entry. An encrypted
// store whose key is not available gives an error matching ErrNoKey; a
// wrong key, an error saying where it came from.
func (s *Store) All() ([]Entry, error) {
	st, err := s.read()
	if err != nil || st.entries == nil {
		return nil, err
	}
	if st.check == nil {
		return st.entries, plainOnly(st.entries, s.path)
	}
	sl, err := s.sealer(*st.check)
	if err != nil {
		return nil, err
	}
	entries, _, err := decryptAll(sl, st.entries, s.path, false)
	return entries, err
}

// Map returns every secret as a map. Its errors are those of All.
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
// In an encrypted store it decrypts that value only. Its other errors are
// those of All.
func (s *Store) Get(key string) (string, error) {
	st, err := s.read()
	if err != nil {
		return "", err
	}
	if st.check == nil {
		if err := plainOnly(st.entries, s.path); err != nil {
			return "", err
		}
	}
	for _, e := range st.entries {
		if e.Key != key || key == checkKey {
			continue
		}
		if st.check == nil {
			return e.Value, nil
		}
		sl, err := s.sealer(*st.check)
		if err != nil {
			return "", err
		}
		v, err := sl.opener().open(e.Key, e.Value)
		if err != nil {
			return "", valueError(s.path, e, err)
		}
		return v, nil
	}
	return "", &NotFoundError{Keys: []string{key}}
}

// Set stores value under key, creating the store directory (0700) and file
// (0600) if needed. The key and value are validated before anything is
// touched. The returned Warning, when not nil, names the readers of the
// compatibility set that would read the value differently (in an encrypted
// store, once decrypted: by export, say).
//
// In an encrypted store the value is encrypted under the store's key,
// which must open the key-check entry first: with no key (ErrNoKey) or a
// wrong one, nothing is written. In a store that is not encrypted, a value
// that looks encrypted ("enc:v1:…") is refused: it would make the store
// unreadable.
func (s *Store) Set(key, value string) (*Warning, error) {
	ws, err := s.SetMany([]Entry{{Key: key, Value: value}})
	if err != nil || len(ws) == 0 {
		return nil, err
	}
	return &ws[0], nil
}

// SetMany stores several secrets in one locked write, as Set does. Every
// key and value is validated before anything is touched.
func (s *Store) SetMany(entries []Entry) ([]Warning, error) {
	if err := validateEntries(entries); err != nil {
		return nil, err
	}
	var ws []Warning
	err := s.modify(func(st *stored) error {
		if st.check == nil {
			for _, e := range entries {
				if _, ok := marked(e.Value); ok {
					return &KeyError{Key: e.Key, Err: ErrInvalidValue,
						Reason: "it looks like an encrypted value (enc:v1: and text), which a store that is not encrypted cannot hold"}
				}
			}
			var err error
			ws, err = st.doc.apply(entries, nil)
			return err
		}
		sl, err := s.sealer(*st.check)
		if err != nil {
			return err
		}
		ws = valueWarnings(entries)
		sealed := make([]Entry, len(entries))
		for i, e := range entries {
			sealed[i] = Entry{Key: e.Key, Value: sl.seal(e.Key, e.Value)}
		}
		_, err = st.doc.apply(sealed, nil)
		return err
	})
	return ws, err
}

// Delete removes keys. Keys that exist are removed even when others do not;
// then it returns a *NotFoundError (matching ErrNotFound) naming the
// missing ones. With no secrets file it creates nothing. An encrypted
// store needs its key, as for Set.
func (s *Store) Delete(keys ...string) error {
	if ok, err := s.Exists(); err != nil || !ok {
		if err != nil {
			return fmt.Errorf("secrets file: %w", err)
		}
		return &NotFoundError{Keys: keys}
	}
	var missing []string
	err := s.modify(func(st *stored) error {
		missing = missing[:0]
		var del []string
		for _, k := range keys {
			if _, ok := st.doc.Get(k); !ok || k == checkKey {
				missing = append(missing, k)
			} else {
				del = append(del, k)
			}
		}
		if len(del) == 0 {
			return nil // nothing to delete: a python-env-secrets file stays as it is
		}
		if err := s.verified(st); err != nil {
			return err
		}
		_, err := st.doc.apply(nil, del)
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

// Clear removes every secret, keeping the file and its comments (and an
// encrypted store's key-check entry), and returns how many were removed.
// With no secrets file it creates nothing. An encrypted store needs its
// key, as for Set.
func (s *Store) Clear() (int, error) {
	if ok, err := s.Exists(); err != nil || !ok {
		if err != nil {
			return 0, fmt.Errorf("secrets file: %w", err)
		}
		return 0, nil
	}
	n := 0
	err := s.modify(func(st *stored) error {
		// st.entries stays as it is: st.check points into it.
		keys := make([]string, 0, len(st.entries))
		for _, e := range st.entries {
			if e.Key != checkKey {
				keys = append(keys, e.Key)
			}
		}
		if n = len(keys); n == 0 {
			return nil
		}
		if err := s.verified(st); err != nil {
			return err
		}
		_, err := st.doc.apply(nil, keys)
		return err
	})
	return n, err
}

// verified checks, before a write to an encrypted store that encrypts
// nothing, that the store's key is available and opens its key-check
// entry: every write needs the key.
func (s *Store) verified(st *stored) error {
	if st.check == nil {
		return nil
	}
	_, err := s.sealer(*st.check)
	return err
}

// valueWarnings returns a Warning for each value of entries (the last one
// for a key) that some reader of the compatibility set would misread, as
// Document.Update does.
func valueWarnings(entries []Entry) []Warning {
	var ws []Warning
	for _, e := range entries {
		ws = dropWarning(ws, e.Key)
		if _, mis := compat.FormatValue(e.Value); mis != 0 {
			ws = append(ws, Warning{Key: e.Key, Misread: mis.Names()})
		}
	}
	return ws
}
