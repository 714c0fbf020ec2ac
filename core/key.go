package core

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// KeySource gives the data key of an encrypted store (see Options.Keys).
// Package keychain implements it over the OS keychain.
type KeySource interface {
	// Key returns the 32-byte data key of the store with this ID (in
	// lower-case canonical form). It returns an error matching ErrNoKey
	// when the source holds no key for id. Its errors must not contain
	// key material.
	Key(id string) ([]byte, error)
}

// ErrNoKey means that a store is encrypted and no key for it is available:
// $USER_SECRETS_KEY is not set, and Options.Keys is nil or holds none. A
// KeySource returns an error matching it when it has no key for an ID.
var ErrNoKey = errors.New("no key for the encrypted store")

// keySize is the size of a data key: AES-256.
const keySize = 32

// keyPrefix starts the text form of a key: the format's version.
const keyPrefix = "usk1:"

// keyEncoding encodes a key's text form and an encrypted value: base64url
// without padding, and only its canonical form decodes.
var keyEncoding = base64.RawURLEncoding.Strict()

// NewKey returns a new random 32-byte data key. It fails only if the
// system's random source does.
func NewKey() ([]byte, error) {
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("new key: %w", err)
	}
	return key, nil
}

// FormatKey returns the text form of a data key: "usk1:" and the key in
// base64url without padding. It is what $USER_SECRETS_KEY holds, what
// `user-secrets key export` prints and what the OS keychain stores.
// ParseKey reads it back.
func FormatKey(key []byte) string {
	return keyPrefix + keyEncoding.EncodeToString(key)
}

// ParseKey reads a key in FormatKey's text form; blanks and line breaks
// around it are ignored. Its error says what form is expected and never
// quotes s.
func ParseKey(s string) ([]byte, error) {
	text, ok := strings.CutPrefix(strings.TrimSpace(s), keyPrefix)
	if !ok {
		return nil, errors.New(`not a user-secrets key: want "usk1:" and 43 base64url characters`)
	}
	key, err := keyEncoding.DecodeString(text)
	if err != nil || len(key) != keySize {
		return nil, errors.New(`not a user-secrets key: "usk1:" must be followed by 43 base64url characters (32 bytes)`)
	}
	return key, nil
}

// keyCache is a Store's key, kept once it has opened the store's key-check
// entry: a later read whose key-check entry is the same needs no lookup.
type keyCache struct {
	mu    sync.Mutex
	check string  // the key-check value the key was verified against
	seal  *sealer // the cipher made from the key
}

// get returns the cached sealer when check is the value it was verified
// against, else nil.
func (c *keyCache) get(check string) *sealer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seal != nil && c.check == check {
		return c.seal
	}
	return nil
}

// put caches sl, verified against check; put("", nil) clears the cache.
func (c *keyCache) put(check string, sl *sealer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.check, c.seal = check, sl
}

// sealer returns the cipher of the encrypted store whose key-check entry is
// check: the cached one, or the key from $USER_SECRETS_KEY (read through
// Options.LookupEnv), else from Options.Keys, verified against check.
func (s *Store) sealer(check Entry) (*sealer, error) {
	if sl := s.cache.get(check.Value); sl != nil {
		return sl, nil
	}
	// Two goroutines may both look the key up; both find the same one.
	key, from, err := s.lookupKey()
	if err != nil {
		return nil, err
	}
	sl, err := newSealer(key, s.id)
	if err != nil {
		return nil, err
	}
	if err := sl.verify(check, s.path, from); err != nil {
		if from == "$"+EnvKey {
			return nil, fmt.Errorf("%w: unset %s, or set it to this store's key", err, EnvKey)
		}
		return nil, fmt.Errorf("%w: store this store's key there (`user-secrets key import`), or set %s to it", err, EnvKey)
	}
	s.cache.put(check.Value, sl)
	return sl, nil
}

// lookupKey returns the key from $USER_SECRETS_KEY, else from the key
// source, and says where it came from, for errors: the source's String()
// when it has one ("the OS keychain").
func (s *Store) lookupKey() (key []byte, from string, err error) {
	if text, ok := s.lookupEnv(EnvKey); ok && text != "" {
		key, err := ParseKey(text)
		if err != nil {
			return nil, "", fmt.Errorf("%s is encrypted, but $%s is %w", s.path, EnvKey, err)
		}
		return key, "$" + EnvKey, nil
	}
	looked := "$" + EnvKey + " only"
	if s.source != nil {
		from = "Options.Keys"
		if str, ok := s.source.(fmt.Stringer); ok {
			from = str.String()
		}
		key, err := s.source.Key(strings.ToLower(s.id))
		switch {
		case err == nil && len(key) != keySize:
			return nil, "", fmt.Errorf("%s: the key from %s is %d bytes long, want %d", s.path, from, len(key), keySize)
		case err == nil:
			return key, from, nil
		case !errors.Is(err, ErrNoKey):
			return nil, "", fmt.Errorf("%s is encrypted: its key from %s: %w", s.path, from, err)
		}
		looked = "$" + EnvKey + " and " + from
	}
	return nil, "", fmt.Errorf("%s: %w (looked in %s): set %s to the key "+
		"(`user-secrets key export` prints it where the key is), or store it in the OS keychain with `user-secrets key import`",
		s.path, ErrNoKey, looked, EnvKey)
}

// Key returns the store's data key, from $USER_SECRETS_KEY or Options.Keys,
// once it has opened the store's key-check entry. A store that is not
// encrypted is an error; so is a key that does not open it (the error
// says where the key came from, never the key). No key is an error
// matching ErrNoKey.
func (s *Store) Key() ([]byte, error) {
	st, err := s.read()
	if err != nil {
		return nil, err
	}
	if st.check == nil {
		return nil, s.notEncrypted()
	}
	sl, err := s.sealer(*st.check)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), sl.key...), nil
}

// CheckKey reports whether key is the store's data key: nil when it opens
// the store's key-check entry, else an error saying it does not (never
// quoting the key). A store that is not encrypted is an error too. It
// consults no key source: `user-secrets key import` checks a key with it
// before storing it.
func (s *Store) CheckKey(key []byte) error {
	st, err := s.read()
	if err != nil {
		return err
	}
	if st.check == nil {
		return s.notEncrypted()
	}
	sl, err := newSealer(key, s.id)
	if err != nil {
		return err
	}
	return sl.verify(*st.check, s.path, "the key given")
}

// notEncrypted is the error of an operation that needs an encrypted store.
func (s *Store) notEncrypted() error {
	return fmt.Errorf("secrets file %s is not encrypted", s.path)
}
