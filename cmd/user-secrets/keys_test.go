package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/keychain"
)

// testKeychainEnv names the keychain stand-in of the test binary: a
// directory holding one file per key (named by the store's ID, holding
// the key's text form; with a file .readonly in it, it refuses writes),
// "locked" for a keychain that does not answer, or "none" (also when
// unset) for a machine without one. The test scripts
// set it to $WORK/keychain. The real binary never reads it: the test
// binary never asks the real keychain.
const testKeychainEnv = "USER_SECRETS_TEST_KEYCHAIN"

// useTestKeychain makes every command of the test binary use the stand-in
// that $USER_SECRETS_TEST_KEYCHAIN names. TestMain calls it.
func useTestKeychain() {
	systemKeys = func() keyStore { return fileKeychain(os.Getenv(testKeychainEnv)) }
}

// fileKeychain is the stand-in for the OS keychain; its errors are those
// of package keychain.
type fileKeychain string

func (k fileKeychain) String() string { return "the OS keychain" }

func (k fileKeychain) check(id, what string) error {
	switch k {
	case "", "none":
		return fmt.Errorf("%s the key of store %s: %w (the test keychain): set USER_SECRETS_KEY to the store's key instead", what, id, keychain.ErrUnavailable)
	case "locked":
		return fmt.Errorf("%s the key of store %s: %w (no answer within 10s)", what, id, keychain.ErrLocked)
	}
	return nil
}

// checkWrite is check, and the refusal of a read-only keychain.
func (k fileKeychain) checkWrite(id, what string) error {
	if err := k.check(id, what); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(string(k), ".readonly")); err == nil {
		return fmt.Errorf("%s the key of store %s: %w (the test keychain is read-only)", what, id, keychain.ErrLocked)
	}
	return nil
}

// file is the file of id's key: IDs are taken in any case, as package
// keychain takes them.
func (k fileKeychain) file(id string) string { return filepath.Join(string(k), strings.ToLower(id)) }

func (k fileKeychain) Key(id string) ([]byte, error) {
	if err := k.check(id, "read"); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(k.file(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the keychain holds no key for store %s: %w", id, core.ErrNoKey)
	}
	if err != nil {
		return nil, err
	}
	return core.ParseKey(string(b))
}

func (k fileKeychain) SetKey(id string, key []byte) error {
	if err := k.checkWrite(id, "store"); err != nil {
		return err
	}
	if err := os.MkdirAll(string(k), 0o700); err != nil {
		return err
	}
	return os.WriteFile(k.file(id), []byte(core.FormatKey(key)+"\n"), 0o600)
}

func (k fileKeychain) DeleteKey(id string) error {
	if err := k.checkWrite(id, "remove"); err != nil {
		return err
	}
	err := os.Remove(k.file(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// TestFileKeychainCase: the stand-in takes an ID in any case, in all
// three calls, as package keychain does.
func TestFileKeychainCase(t *testing.T) {
	t.Parallel()
	k := fileKeychain(t.TempDir())
	upper, lower := strings.ToUpper(projectA), projectA
	key := make([]byte, 32)
	if err := k.SetKey(upper, key); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Key(lower); err != nil {
		t.Errorf("Key(lower) after SetKey(upper): %v", err)
	}
	if _, err := k.Key(upper); err != nil {
		t.Errorf("Key(upper) after SetKey(upper): %v", err)
	}
	if err := k.DeleteKey(upper); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Key(lower); !errors.Is(err, core.ErrNoKey) {
		t.Errorf("Key(lower) after DeleteKey(upper) = %v, want ErrNoKey", err)
	}
}
