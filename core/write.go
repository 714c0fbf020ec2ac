package core

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/go-user-secrets/user-secrets/internal/project"
)

// Replace validates data as a whole secrets file (it must parse, and every
// key must be valid) and, only then, makes it the store's content.
//
// For an encrypted store, data is in Text's form, plain text without the
// key-check entry: each value is encrypted (one that is unchanged keeps
// its ciphertext) and the key-check entry is kept, so Replace needs the
// store's key (see Key for the errors). Text that holds the key-check
// entry, as a file that did not parse is shown, is taken as an encrypted
// file: its encrypted values must decrypt with the store's key, and its
// other values are encrypted. In a store that is not encrypted, a value
// that looks encrypted is refused (a *ParseError naming it).
func (s *Store) Replace(data []byte) error { return s.replace(data, nil) }

// ErrChanged is returned by ReplaceIf when the secrets file is no longer
// what the caller read.
var ErrChanged = errors.New("the secrets file changed meanwhile")

// ReplaceIf is Replace, done only if the file is still old, as Text shows
// it (nil: the file does not exist), compared under the store's lock. It
// returns ErrChanged, and writes nothing, otherwise. It is the
// compare-and-swap an editor needs: another writer's change is never
// overwritten.
func (s *Store) ReplaceIf(old, data []byte) error {
	return s.replace(data, func(cur []byte) error {
		text, err := s.text(cur)
		if err != nil {
			return err
		}
		if (text == nil) != (old == nil) || !bytes.Equal(text, old) {
			return ErrChanged
		}
		return nil
	})
}

// replace is Replace, done only if unchanged (when not nil) accepts the
// secrets file's current content.
func (s *Store) replace(data []byte, unchanged func(cur []byte) error) error {
	if err := validateFile(data, s.path); err != nil {
		return err
	}
	return s.write(func() ([]byte, error) {
		cur, err := s.ReadFile()
		if err != nil {
			return nil, err
		}
		if unchanged != nil {
			if err := unchanged(cur); err != nil {
				return nil, err
			}
		}
		return s.replacement(cur, data)
	})
}

// replacement returns the content Replace writes for data, validated, over
// cur, the secrets file's content: data itself for a store that is not
// encrypted, else data with its values encrypted (see Replace).
func (s *Store) replacement(cur, data []byte) ([]byte, error) {
	now, err := parseStored(cur, s.path)
	if err != nil {
		now = &stored{} // a file that does not parse is replaced: edit repairs it so
	}
	next, err := parseStored(data, s.path)
	if err != nil {
		return nil, err
	}
	check := now.check
	if check == nil {
		check = next.check
	}
	if check == nil {
		return data, plainOnly(next.entries, s.path)
	}
	sl, err := s.sealer(*check)
	if err != nil {
		return nil, err
	}
	plain := next.entries
	if next.check != nil {
		// An encrypted file's text: its key-check entry must be this
		// store's, and its encrypted values must decrypt.
		if check != next.check && sl.verify(*next.check, s.path, "") != nil {
			return nil, &ParseError{File: s.path, Line: next.check.Line,
				Reason: fmt.Sprintf("the key-check entry %s is not this store's: remove that line", checkKey)}
		}
		if plain, _, err = decryptAll(sl, next.entries, s.path, true); err != nil {
			return nil, err
		}
	}
	// The values that did not change keep their ciphertext.
	type sealed struct{ plain, text string }
	keep := make(map[string]sealed, len(now.entries))
	o := sl.opener()
	for _, e := range now.entries {
		if v, err := o.open(e.Key, e.Value); err == nil && e.Key != checkKey {
			keep[e.Key] = sealed{v, e.Value}
		}
	}
	set := make([]Entry, 0, len(plain)+1)
	for _, e := range plain {
		if k, ok := keep[e.Key]; ok && k.plain == e.Value {
			set = append(set, Entry{Key: e.Key, Value: k.text})
		} else {
			set = append(set, Entry{Key: e.Key, Value: sl.seal(e.Key, e.Value)})
		}
	}
	next.doc.Header, _ = s.header(cur)
	if _, err := next.doc.apply(append(set, Entry{Key: checkKey, Value: check.Value}), nil); err != nil {
		return nil, err
	}
	return next.doc.Bytes(), nil
}

// validateFile checks that data is a whole secrets file this package
// accepts: it parses, and every key is valid (or is the key-check entry of
// an encrypted file). Either failure is a *ParseError naming filename and
// the line.
func validateFile(data []byte, filename string) error {
	entries, err := Parse(data, filename)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := ValidateKey(e.Key); err != nil && e.Key != checkKey {
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
//
// For an encrypted store, fn sees and sets plain values: the document it
// gets holds every value decrypted (a value another tool wrote
// unencrypted is shown as it is) and not the key-check entry. What fn
// sets is encrypted; the values it leaves as they were keep their
// ciphertext. Update needs the store's key (see Key for the errors), and
// a value that does not decrypt is a *ParseError naming its line and key:
// delete it first (Delete needs no value to decrypt).
func (s *Store) Update(fn func(d *Document) error) error {
	return s.modify(func(st *stored) error {
		if st.check == nil {
			return fn(st.doc)
		}
		sl, err := s.sealer(*st.check)
		if err != nil {
			return err
		}
		v, err := s.view(st, sl)
		if err != nil {
			return err
		}
		v.doc.touched = make(map[string]bool)
		if err := fn(v.doc); err != nil {
			return err
		}
		set, del := v.changes(sl)
		st.doc.Header = v.doc.Header
		if len(set) == 0 && len(del) == 0 {
			return nil
		}
		_, err = st.doc.apply(set, del)
		return err
	})
}

// modify runs fn on the secrets file under the store's exclusive lock and
// writes the document fn leaves, atomically (see edited).
func (s *Store) modify(fn func(st *stored) error) error { return s.modifyCommit(fn, nil) }

// modifyCommit is modify, with commit (when not nil) run under the lock
// once fn succeeded and the content is ready, before it is written: if
// commit fails, nothing is written and its error is returned.
func (s *Store) modifyCommit(fn func(st *stored) error, commit func() error) error {
	return s.write(func() ([]byte, error) {
		out, err := s.edited(fn)
		if err != nil || commit == nil {
			return out, err
		}
		if err := checkSize(out); err != nil {
			return nil, err
		}
		return out, commit()
	})
}

// edited reads the secrets file, which must be locked, runs fn on it and
// returns the content to write: nil when fn left an existing file as it
// was. A missing file starts as a new document with the store header. A
// file that does not parse is a *ParseError; so is one that fn leaves
// holding encrypted values without a key-check entry.
func (s *Store) edited(fn func(st *stored) error) ([]byte, error) {
	data, err := s.ReadFile()
	if err != nil {
		return nil, err
	}
	st, err := parseStored(data, s.path)
	if err != nil {
		return nil, err
	}
	header, moved := s.header(data)
	if st.doc == nil {
		st.doc = newDocument(header, s.path)
	}
	st.doc.Header = header
	before := st.doc.String()
	if err := fn(st); err != nil {
		return nil, err
	}
	d := st.doc
	if data != nil && d.String() == before {
		return nil, nil // nothing to write
	}
	if after := d.Entries(); checkEntry(after) == nil {
		if err := plainOnly(after, s.path); err != nil {
			return nil, err
		}
	}
	if moved {
		return project.SetHeaderDir(d.Bytes(), s.project.Dir), nil
	}
	return d.Bytes(), nil
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
	s.prefetchKey()
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
	if err := checkSize(data); err != nil {
		return err
	}
	if err := fsutil.WriteAtomic(target, data, 0o600, fsutil.Private); err != nil {
		return fmt.Errorf("write secrets file: %w", err)
	}
	return nil
}

// prefetchKey looks an encrypted store's key up before a write takes the
// lock, so that a slow key source (a keychain that waits to be unlocked)
// never holds the lock while other writers wait. Under the lock the key is
// verified against the key-check entry as it is then: the cached key is
// used when that entry did not change meanwhile, and looked up again when
// it did (another process rekeyed the store). Without Options.Keys there
// is nothing slow to move out of the lock ($USER_SECRETS_KEY is read at
// once), and no extra read. Errors are left for the write to meet and
// report under the lock.
func (s *Store) prefetchKey() {
	if s.source == nil {
		return
	}
	data, err := s.ReadFile()
	if err != nil || !bytes.Contains(data, []byte(checkKey)) {
		return // a plain store costs no parse
	}
	if st, err := parseStored(data, s.path); err == nil && st.check != nil {
		_, _ = s.sealer(*st.check)
	}
}

// checkSize refuses content larger than a secrets file may be.
func checkSize(data []byte) error {
	if len(data) > fsutil.MaxFileSize {
		return fmt.Errorf("write secrets file: the new content is %w", fsutil.ErrTooLarge)
	}
	return nil
}
