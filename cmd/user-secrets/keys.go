package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/envid"
	"github.com/go-user-secrets/user-secrets/keychain"
)

// keyStore is where the data keys of encrypted stores are kept: the OS
// keychain (package keychain).
type keyStore interface {
	core.KeySource
	// SetKey stores key as the data key of the store with this ID.
	SetKey(id string, key []byte) error
	// DeleteKey removes it; none stored is not an error.
	DeleteKey(id string) error
}

// systemKeys returns the OS keychain. The test binary replaces it with a
// stand-in (see keys_test.go), so that no test touches the real one.
var systemKeys = func() keyStore { return keychain.New() }

// KeyStore returns the keychain the commands use: f.Keys, else the OS
// keychain.
func (f *Factory) KeyStore() keyStore {
	if f.Keys == nil {
		f.Keys = systemKeys()
	}
	return f.Keys
}

// keyInEnv reports whether USER_SECRETS_KEY is set: it then gives the
// key of every encrypted store, before the keychain.
func (f *Factory) keyInEnv() bool {
	return f.Getenv(core.EnvKey) != ""
}

// refuseEnvKey is the error of a command that puts a new key in the
// keychain (encrypt, key rotate) while USER_SECRETS_KEY is set: reads
// would go on taking that variable's key, which would not open the store.
func refuseEnvKey(f *Factory, what string) error {
	if !f.keyInEnv() {
		return nil
	}
	return fmt.Errorf("%s stores a new key in the OS keychain, but $%s is set and would be used instead of it: unset it first", what, core.EnvKey)
}

// looksLikeDataKey reports whether arg starts as a data key's text form
// does (core.FormatKey: "usk1:"): a key typed where a command or a file
// name goes, which no message may echo.
func looksLikeDataKey(arg string) bool {
	return strings.HasPrefix(strings.TrimSpace(arg), "usk1:")
}

// storeKeyID is the account of a store's key in the keychain: its ID in
// lower case, as core asks the key source for it.
func storeKeyID(s *core.Store) string { return strings.ToLower(s.ID()) }

// withoutDataKey returns environ without USER_SECRETS_KEY: `run` does not
// hand the key of the secrets to the command it runs.
func withoutDataKey(environ []string) []string {
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		if k, _, _ := strings.Cut(kv, "="); envKey(k) != envKey(core.EnvKey) {
			env = append(env, kv)
		}
	}
	return env
}

// countSecrets returns the number of secrets in s, without a key.
func countSecrets(s *core.Store) (int, error) {
	keys, err := s.List()
	return len(keys), err
}

// Names opens the project's store and returns its secrets in file order
// with their keys only: it needs no data key.
func (f *Factory) Names() ([]core.Entry, error) {
	s, err := f.Store()
	if err != nil {
		return nil, err
	}
	return keyNames(s)
}

// keyNames returns the secrets of s in file order with their keys only
// (every Value empty): it needs no data key.
func keyNames(s *core.Store) ([]core.Entry, error) {
	keys, err := s.List()
	entries := make([]core.Entry, len(keys))
	for i, k := range keys {
		entries[i] = core.Entry{Key: k.Key, Line: k.Line}
	}
	return entries, err
}

// keySource is where the key of a store is taken from, as info shows it:
// "USER_SECRETS_KEY", "keychain", or "" for a store that is not encrypted.
func keySource(f *Factory, encrypted bool) string {
	switch {
	case !encrypted:
		return ""
	case f.keyInEnv():
		return core.EnvKey
	}
	return "keychain"
}

// encryptionText is info's line for a store whose key comes from source.
func encryptionText(source string) string {
	if source == "" {
		return "plain text"
	}
	return "encrypted (" + source + ")"
}

// storeEncrypted reports whether the store of this ID under root is
// encrypted. A file that does not parse counts as encrypted when a line
// of it defines the key-check entry (the documented name
// user-secrets-key-check), so that prune removes its key too; false when
// the file cannot be read.
func storeEncrypted(f *Factory, root, id string) bool {
	s, err := core.Open(core.Options{ProjectDir: filepath.Join(root, id), ID: id, Root: root, LookupEnv: f.LookupEnv})
	if err != nil {
		return false
	}
	encrypted, err := s.Encrypted()
	if err == nil {
		return encrypted
	}
	data, err := s.ReadFile()
	if err != nil {
		return false
	}
	_, line := envid.Scan(data, "user-secrets-key-check") // the tolerant reader of the ID lookup
	return line > 0
}

// forgetKey removes the key of a removed store from the keychain. A
// failure is a warning: the store, and so what the key opened, is gone.
func forgetKey(f *Factory, id string) {
	if err := f.KeyStore().DeleteKey(strings.ToLower(id)); err != nil {
		f.IO.Warnf("the store is removed, but its key stays in the keychain: %v", err)
		return
	}
	f.IO.Infof("Removed its key from the OS keychain")
}

// openEncrypted opens the project's store, and tells whether it is
// encrypted.
func (f *Factory) openEncrypted() (*core.Store, bool, error) {
	s, err := f.Store()
	if err != nil {
		return nil, false, err
	}
	encrypted, err := s.Encrypted()
	return s, encrypted, err
}
