package core_test

import (
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/go-user-secrets/user-secrets/core"
)

// memoryKeys is a core.KeySource that holds keys in memory, by ID. A
// program would use package keychain's keychain.New(), the OS keychain.
type memoryKeys map[string][]byte

func (m memoryKeys) Key(id string) ([]byte, error) {
	if key, ok := m[id]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("no key for %s: %w", id, core.ErrNoKey)
}

func ExampleStore_Encrypt() {
	opts, cleanup := exampleOptions()
	defer cleanup()
	keys := memoryKeys{}
	opts.Keys = keys

	s, _, err := core.Init(opts)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Set("API_KEY", "hunter2"); err != nil {
		log.Fatal(err)
	}

	// Keep the key: losing it loses the values. Encrypt's commit stores
	// it under the store's lock, once the store is known not to be
	// encrypted, before the file is written.
	key, err := core.NewKey()
	if err != nil {
		log.Fatal(err)
	}
	id := strings.ToLower(s.ID())
	stored := false
	err = s.Encrypt(key, func() error {
		keys[id] = key
		stored = true
		return nil
	})
	if err != nil {
		if stored { // the write failed: the file is as it was
			delete(keys, id)
		}
		log.Fatal(err)
	}
	data, _ := s.ReadFile()
	fmt.Println("plain text in the file:", strings.Contains(string(data), "hunter2"))

	// Later, another program reads it with the key from the source.
	r, err := core.Open(opts)
	if err != nil {
		log.Fatal(err)
	}
	encrypted, _ := r.Encrypted()
	v, err := r.Get("API_KEY")
	fmt.Println(encrypted, v, err)

	// Or with the key in $USER_SECRETS_KEY, as on a CI machine.
	opts.Keys = nil
	opts.LookupEnv = func(name string) (string, bool) {
		if name == core.EnvKey {
			return core.FormatKey(key), true
		}
		return "", false
	}
	r, _ = core.Open(opts)
	v, err = r.Get("API_KEY")
	fmt.Println(v, err)

	// Without a key, reading fails and says what to do.
	opts.LookupEnv = func(string) (string, bool) { return "", false }
	r, _ = core.Open(opts)
	_, err = r.Get("API_KEY")
	fmt.Println(errors.Is(err, core.ErrNoKey))
	// Output:
	// plain text in the file: false
	// true hunter2 <nil>
	// hunter2 <nil>
	// true
}

// encryptedExample returns an encrypted store of a throw-away project,
// holding API_KEY, whose key is in keys, and its key.
func encryptedExample(keys memoryKeys) (*core.Store, []byte, func()) {
	opts, cleanup := exampleOptions()
	opts.Keys = keys
	s, _, err := core.Init(opts)
	if err != nil {
		log.Fatal(err)
	}
	key, _ := core.NewKey()
	err = s.Encrypt(key, func() error {
		keys[strings.ToLower(s.ID())] = key
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Set("API_KEY", "hunter2"); err != nil {
		log.Fatal(err)
	}
	return s, key, cleanup
}

func ExampleStore_Rekey() {
	keys := memoryKeys{}
	s, old, cleanup := encryptedExample(keys)
	defer cleanup()
	id := strings.ToLower(s.ID())

	// Re-encrypt every value under a new key; the new key is stored under
	// the store's lock, before the file is written.
	next, _ := core.NewKey()
	err := s.Rekey(next, func() error {
		keys[id] = next
		return nil
	})
	if err != nil {
		keys[id] = old // the file may still need the old key
		log.Fatal(err)
	}
	v, _ := s.Get("API_KEY")
	fmt.Println(v, s.CheckKey(next) == nil, s.CheckKey(old) == nil)
	// Output:
	// hunter2 true false
}
