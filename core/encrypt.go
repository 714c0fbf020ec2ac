package core

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The format of an encrypted store. Keys stay as they are; each value is
// encMarker followed by base64url (no padding) of a random 12-byte nonce
// and the AES-256-GCM ciphertext of the value with its tag. The associated
// data binds the format, the project and the key:
//
//	"enc:v1" NUL <the ID in lower case> NUL <the key>
//
// (an ID is 36 characters and neither it nor a key holds a NUL), so a
// value moved to another key or another project's store does not decrypt.
// The key-check entry, checkKey, holds checkPlain encrypted the same way:
// it makes the store encrypted, and a key that opens it is the store's.
const (
	encMarker  = "enc:v1:"
	encFormat  = "enc:v1" // the version in the associated data
	checkKey   = "user-secrets-key-check"
	checkPlain = "user-secrets key check"
	// sealOverhead is what encryption adds to a value: nonce and tag.
	sealOverhead = 12 + 16
)

// Why an encrypted value cannot be read: the text that follows
// `the value of "KEY"` in a *ParseError. None names the value.
var (
	errUnmarked = errors.New("is not encrypted, but this store is (did another tool write it?): " +
		"set it again, with `user-secrets set` or `user-secrets edit` (which encrypts it), or delete it")
	errDamaged = errors.New("is not a valid encrypted value (the text after the marker is damaged): set it again, or delete it")
	errOpen    = errors.New("does not decrypt: it was altered, or copied from another key or another project's store: set it again, or delete it")
	errNotText = errors.New("decrypts to text that is not a valid value (invalid UTF-8 or a NUL byte): set it again, or delete it")
	errNoCheck = fmt.Errorf("is encrypted, but the file has no key-check entry (%s), so no key can be checked against it: "+
		"restore that line, or delete the encrypted values", checkKey)
)

// versionError is an encrypted value in a format this package does not read.
type versionError string

func (v versionError) Error() string {
	return fmt.Sprintf("is encrypted in format %s, which this version of user-secrets does not read: update user-secrets", string(v))
}

// marked reports whether v is an encrypted value of any format version,
// "enc:v" and digits and ':', and returns the version ("v1").
func marked(v string) (version string, ok bool) {
	rest, ok := strings.CutPrefix(v, "enc:v")
	if !ok {
		return "", false
	}
	i := 0
	for i < len(rest) && '0' <= rest[i] && rest[i] <= '9' {
		i++
	}
	if i == 0 || i == len(rest) || rest[i] != ':' {
		return "", false
	}
	return "v" + rest[:i], true
}

// valueError reports the value of e that cannot be read, for why (one of
// the errors above).
func valueError(path string, e Entry, why error) *ParseError {
	return &ParseError{File: path, Line: e.Line, Reason: fmt.Sprintf("the value of %s %v", displayKey(e.Key), why), Err: why}
}

// sealer encrypts and decrypts the values of one store under one key.
type sealer struct {
	key  []byte
	aead cipher.AEAD
	ad   []byte // the associated data up to the key: "enc:v1" NUL id NUL
}

// newSealer returns the sealer of the store with this ID under key, which
// must be 32 bytes long.
func newSealer(key []byte, id string) (*sealer, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("a data key is %d bytes long, not %d", keySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, err
	}
	ad := []byte(encFormat + "\x00" + strings.ToLower(id) + "\x00")
	return &sealer{key: append([]byte(nil), key...), aead: aead, ad: ad}, nil
}

// seal returns value encrypted as the value of key.
func (c *sealer) seal(key, value string) string {
	ad := append(c.ad[:len(c.ad):len(c.ad)], key...)
	return encMarker + keyEncoding.EncodeToString(c.aead.Seal(nil, nil, []byte(value), ad))
}

// check returns a new key-check value.
func (c *sealer) check() string { return c.seal(checkKey, checkPlain) }

// verify checks that the key opens check, the store's key-check entry; its
// error says where the key came from (from), never the key.
func (c *sealer) verify(check Entry, path, from string) error {
	text, err := c.opener().open(checkKey, check.Value)
	switch {
	case errors.Is(err, errOpen) || err == nil && text != checkPlain:
		return fmt.Errorf("%s:%d: the key from %s is not this store's key (it does not decrypt the key-check entry %s)", path, check.Line, from, checkKey)
	case err != nil:
		return valueError(path, check, err)
	}
	return nil
}

// opener returns an opener of c's values.
func (c *sealer) opener() *opener { return &opener{c: c} }

// opener decrypts values one after another, reusing its buffers.
type opener struct {
	c                *sealer
	src, ad, ct, out []byte
}

// open returns the value of key that text, as stored, holds. Its errors
// are those above; errUnmarked means text is not an encrypted value.
func (o *opener) open(key, text string) (string, error) {
	b64, ok := strings.CutPrefix(text, encMarker)
	if !ok {
		if v, ok := marked(text); ok {
			return "", versionError(v)
		}
		return "", errUnmarked
	}
	o.src = append(o.src[:0], b64...)
	ct, err := keyEncoding.AppendDecode(o.ct[:0], o.src)
	if err != nil || len(ct) < sealOverhead {
		return "", errDamaged
	}
	o.ct = ct
	o.ad = append(append(o.ad[:0], o.c.ad...), key...)
	out, err := o.c.aead.Open(o.out[:0], nil, ct, o.ad)
	if err != nil {
		return "", errOpen
	}
	o.out = out
	if !utf8.Valid(out) || bytes.IndexByte(out, 0) >= 0 {
		return "", errNotText
	}
	return string(out), nil
}

// checkEntry returns the key-check entry of entries, or nil.
func checkEntry(entries []Entry) *Entry {
	for i := range entries {
		if entries[i].Key == checkKey {
			return &entries[i]
		}
	}
	return nil
}

// plainOnly checks entries, a file without a key-check entry: an encrypted
// value there is an error naming it.
func plainOnly(entries []Entry, path string) error {
	for _, e := range entries {
		if _, ok := marked(e.Value); ok {
			return valueError(path, e, errNoCheck)
		}
	}
	return nil
}

// Encrypted reports whether the store is encrypted: whether its secrets
// file holds the key-check entry, whatever its header says (so a file
// python-env-secrets rewrote stays encrypted). It needs no key. A missing
// file is not encrypted. A file that does not parse is a *ParseError; so
// is a file holding encrypted values but no key-check entry.
func (s *Store) Encrypted() (bool, error) {
	st, err := s.read()
	if err != nil {
		return false, err
	}
	if st.check == nil {
		return false, plainOnly(st.entries, s.path)
	}
	return true, nil
}

// KeyInfo describes a secret without its value, as List returns it.
type KeyInfo struct {
	Key   string // the key, as written
	Line  int    // 1-based line of its definition
	Empty bool   // whether its value is empty
}

// List returns the secrets' keys in file order, and whether each value is
// empty, without decrypting anything: it needs no key, and an encrypted
// store's key-check entry is not listed. (An encrypted value's length
// tells whether it is empty.) A missing file holds no secrets; a file that
// does not parse is a *ParseError.
func (s *Store) List() ([]KeyInfo, error) {
	st, err := s.read()
	if err != nil {
		return nil, err
	}
	out := make([]KeyInfo, 0, len(st.entries))
	for _, e := range st.entries {
		if e.Key == checkKey {
			continue
		}
		empty := e.Value == ""
		if b64, ok := strings.CutPrefix(e.Value, encMarker); ok && st.check != nil {
			empty = keyEncoding.DecodedLen(len(b64)) <= sealOverhead
		}
		out = append(out, KeyInfo{Key: e.Key, Line: e.Line, Empty: empty})
	}
	return out, nil
}

// decryptAll returns entries, an encrypted store's, with their values
// decrypted and without the key-check entry. An unmarked value is an
// error, unless keepPlain: then it is returned as it is, and named in
// unmarked.
func decryptAll(sl *sealer, entries []Entry, path string, keepPlain bool) (out []Entry, unmarked map[string]bool, err error) {
	o := sl.opener()
	out = make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Key == checkKey {
			continue
		}
		v, err := o.open(e.Key, e.Value)
		switch {
		case errors.Is(err, errUnmarked) && keepPlain:
			if unmarked == nil {
				unmarked = make(map[string]bool)
			}
			unmarked[e.Key] = true
			v = e.Value
		case err != nil:
			return nil, nil, valueError(path, e, err)
		}
		out = append(out, Entry{Key: e.Key, Value: v, Line: e.Line})
	}
	return out, unmarked, nil
}

// plainView is an encrypted store's document as Update's fn and Text see
// it: every value decrypted, the key-check entry left out.
type plainView struct {
	doc      *Document
	before   []Entry         // the entries as decrypted, in file order
	unmarked map[string]bool // the keys whose value was not encrypted
}

// view decrypts st, an encrypted store's file. A value that was not
// encrypted is shown as it is; one that does not decrypt is an error.
func (s *Store) view(st *stored, sl *sealer) (*plainView, error) {
	plain, unmarked, err := decryptAll(sl, st.entries, s.path, true)
	if err != nil {
		return nil, err
	}
	d := &Document{p: st.doc.p, filename: st.doc.filename, Header: st.doc.Header}
	if _, err := d.apply(plain, []string{checkKey}); err != nil {
		return nil, err
	}
	return &plainView{doc: d, before: plain, unmarked: unmarked}, nil
}

// changes returns what fn did to the view, for the encrypted file: the
// entries it set to a new value, encrypted, and the keys it deleted. A
// value fn left as it was keeps its ciphertext; so does one that was not
// encrypted, unless fn set it.
func (v *plainView) changes(sl *sealer) (set []Entry, del []string) {
	old := make(map[string]string, len(v.before))
	for _, e := range v.before {
		old[e.Key] = e.Value
	}
	after := v.doc.Entries()
	kept := make(map[string]bool, len(after))
	for _, e := range after {
		kept[e.Key] = true
		if was, ok := old[e.Key]; ok && was == e.Value && !(v.unmarked[e.Key] && v.doc.touched[e.Key]) {
			continue
		}
		set = append(set, Entry{Key: e.Key, Value: sl.seal(e.Key, e.Value)})
	}
	for _, e := range v.before {
		if !kept[e.Key] {
			del = append(del, e.Key)
		}
	}
	return set, del
}

// Text returns the secrets file as an editor should see it. For a store
// that is not encrypted, and for a file that does not parse (so that an
// editor can repair it), it is ReadFile's content. For an encrypted store
// it is the same document with every value decrypted, written as Set
// writes values, and without the key-check entry: Replace and ReplaceIf
// take text in this form. It needs the store's key: see Key for the
// errors; a value that does not decrypt is a *ParseError naming its line
// and key. A value that is not encrypted is shown as it is, and saving the
// text through Replace encrypts it.
func (s *Store) Text() ([]byte, error) {
	data, err := s.ReadFile()
	if err != nil {
		return nil, err
	}
	return s.text(data)
}

// text is Text for data, the secrets file's content.
func (s *Store) text(data []byte) ([]byte, error) {
	st, err := parseStored(data, s.path)
	if err != nil || st.check == nil {
		return data, nil
	}
	sl, err := s.sealer(*st.check)
	if err != nil {
		return nil, err
	}
	st.doc.Header, _ = s.header(data)
	v, err := s.view(st, sl)
	if err != nil {
		return nil, err
	}
	return v.doc.Bytes(), nil
}

// Encrypt encrypts every value of a store that is not encrypted under key
// (32 bytes, from NewKey), and adds the key-check entry, in one locked
// write; a missing file is created holding only the header and that
// entry. Keys, comments and the order of lines are kept; earlier
// definitions of a key defined twice are removed. Nothing is written on an
// error: an encrypted store (even one holding values another tool wrote
// unencrypted: set those again) is refused, and so is a file holding
// encrypted values without a key-check entry (a *ParseError naming one).
//
// Losing the key loses the values: the caller keeps it, in commit (when
// not nil), which runs under the store's lock once the store is known not
// to be encrypted and the new content is ready, before it is written. The
// CLI stores the key in the OS keychain there, so that of two concurrent
// Encrypts only the one that writes stores its key. If commit fails,
// nothing is written and its error is returned. If writing fails after
// commit succeeded, the file is as it was: the caller may then drop the
// key again.
func (s *Store) Encrypt(key []byte, commit func() error) error {
	sl, err := newSealer(key, s.id)
	if err != nil {
		return err
	}
	var check string
	err = s.modifyCommit(func(st *stored) error {
		if st.check != nil {
			return s.alreadyEncrypted(st)
		}
		set := make([]Entry, 0, len(st.entries)+1)
		for _, e := range st.entries {
			if _, ok := marked(e.Value); ok {
				return valueError(s.path, e, errNoCheck)
			}
			set = append(set, Entry{Key: e.Key, Value: sl.seal(e.Key, e.Value)})
		}
		check = sl.check()
		_, err := st.doc.apply(append(set, Entry{Key: checkKey, Value: check}), nil)
		return err
	}, commit)
	if err != nil {
		return err
	}
	s.cache.put(check, sl)
	return nil
}

// alreadyEncrypted is Encrypt's error for an encrypted store.
func (s *Store) alreadyEncrypted(st *stored) error {
	plain := 0
	for _, e := range st.entries {
		if _, ok := marked(e.Value); !ok && e.Key != checkKey {
			plain++
		}
	}
	if plain == 0 {
		return fmt.Errorf("secrets file %s is already encrypted", s.path)
	}
	return fmt.Errorf("secrets file %s is already encrypted, but %d of its values are not (did another tool write them?): "+
		"set them again, with `user-secrets set` or `user-secrets edit`, which encrypts them", s.path, plain)
}

// Decrypt decrypts every value of an encrypted store, with its key from
// $USER_SECRETS_KEY or Options.Keys, and removes the key-check entry, in
// one locked write: the store is then plain text. A value another tool
// wrote unencrypted is kept as it is. Nothing is written on an error: a
// store that is not encrypted, no key (ErrNoKey), a wrong key, or a value
// that does not decrypt (a *ParseError naming its line and key).
func (s *Store) Decrypt() error {
	err := s.modify(func(st *stored) error {
		if st.check == nil {
			return s.notEncrypted()
		}
		sl, err := s.sealer(*st.check)
		if err != nil {
			return err
		}
		plain, unmarked, err := decryptAll(sl, st.entries, s.path, true)
		if err != nil {
			return err
		}
		set := plain[:0]
		for _, e := range plain {
			if !unmarked[e.Key] {
				set = append(set, e)
			}
		}
		_, err = st.doc.apply(set, []string{checkKey})
		return err
	})
	if err == nil {
		s.cache.put("", nil)
	}
	return err
}

// Rekey re-encrypts every value of an encrypted store under key (32
// bytes, from NewKey), with a new key-check entry, in one locked write.
// The store's current key comes from $USER_SECRETS_KEY or Options.Keys.
// Once the new content is ready, and before it is written, commit (when
// not nil) runs under the store's lock: that is where the caller stores
// the new key. If commit fails, nothing is written and its error is
// returned.
//
// Nothing is written on any other error either: a store that is not
// encrypted, no key (ErrNoKey), a wrong key, a value that does not
// decrypt or that is not encrypted (a *ParseError naming its line and
// key). If writing fails after commit succeeded, the file still holds the
// values under the old key: the caller must then restore the old key
// (get it with Key before calling Rekey).
func (s *Store) Rekey(key []byte, commit func() error) error {
	next, err := newSealer(key, s.id)
	if err != nil {
		return err
	}
	check := next.check()
	err = s.modifyCommit(func(st *stored) error {
		if st.check == nil {
			return s.notEncrypted()
		}
		sl, err := s.sealer(*st.check)
		if err != nil {
			return err
		}
		plain, _, err := decryptAll(sl, st.entries, s.path, false)
		if err != nil {
			return err
		}
		for i, e := range plain {
			plain[i].Value = next.seal(e.Key, e.Value)
		}
		_, err = st.doc.apply(append(plain, Entry{Key: checkKey, Value: check}), nil)
		return err
	}, commit)
	if err != nil {
		return err
	}
	s.cache.put(check, next)
	return nil
}
