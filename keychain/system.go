package keychain

import (
	"errors"
	"fmt"
	"runtime"

	keyring "github.com/zalando/go-keyring"
)

// system is the operating system's keychain, through go-keyring: the
// macOS Keychain (by running /usr/bin/security), the Windows Credential
// Manager, or the Secret Service over D-Bus.
type system struct{}

func (system) Get(service, account string) (string, error) {
	if err := available(); err != nil {
		return "", err
	}
	s, err := keyring.Get(service, account)
	return s, classify(err)
}

func (system) Set(service, account, secret string) error {
	if err := available(); err != nil {
		return err
	}
	return classify(keyring.Set(service, account, secret))
}

func (system) Delete(service, account string) error {
	if err := available(); err != nil {
		return err
	}
	return classify(keyring.Delete(service, account))
}

// noKeychainFix says what to do on a machine without a keychain.
const noKeychainFix = "set USER_SECRETS_KEY to the store's key instead (`user-secrets key export` prints it where the key is)"

// classify sorts go-keyring's errors into the ones backend promises.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return errNotFound
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return fmt.Errorf("%w (no keychain is supported on %s): %s", ErrUnavailable, runtime.GOOS, noKeychainFix)
	}
	return classifyPlatform(err)
}
