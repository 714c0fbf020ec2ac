// Package keychain keeps the data keys of encrypted user-secrets stores in
// the operating system's keychain: the macOS Keychain, the Windows
// Credential Manager, or the Secret Service (GNOME Keyring, KWallet,
// KeePassXC) on Linux and the BSDs. A *Keychain is a core.KeySource.
//
// Each key is one entry under the service name [Service], whose account
// is the store's ID in lower-case canonical form, and whose secret is the
// key in the text form of core.FormatKey (what USER_SECRETS_KEY holds).
//
// Every call is bounded by a timeout: a keychain that does not answer (a
// locked one waiting for a desktop prompt nobody can see, over SSH) gives
// [ErrLocked] instead of a hang. A machine with no keychain at all gives
// [ErrUnavailable]. Neither is ever answered by a silent fallback: set
// USER_SECRETS_KEY instead.
package keychain

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
)

// Service is the service name of every entry this package makes.
const Service = "user-secrets"

// DefaultTimeout bounds a keychain call when Keychain.Timeout is zero.
// It leaves time to answer a desktop prompt that unlocks the keychain.
const DefaultTimeout = 10 * time.Second

var (
	// ErrLocked means the keychain did not answer in time, or refused to
	// unlock: it is locked, or waits for a prompt nobody can answer.
	ErrLocked = errors.New("keychain locked: unlock it or set USER_SECRETS_KEY")
	// ErrUnavailable means this machine has no keychain to ask: no
	// Secret Service on the D-Bus session bus, or no session bus (a
	// headless machine, a container, an SSH login without one).
	ErrUnavailable = errors.New("no keychain available")
)

// Keychain is the operating system's keychain as a store of data keys.
// The zero value is ready to use.
type Keychain struct {
	// Timeout bounds every call; zero means DefaultTimeout. A call that
	// times out is left to finish in the background, where its result is
	// dropped.
	Timeout time.Duration

	backend backend // nil: the operating system's
}

var _ core.KeySource = (*Keychain)(nil)

// New returns the operating system's keychain, with DefaultTimeout.
func New() *Keychain { return &Keychain{} }

// String names the keychain in core's errors: "the OS keychain".
func (k *Keychain) String() string { return "the OS keychain" }

// Key returns the data key stored for the store with this ID. With no key
// stored, the error matches core.ErrNoKey; a keychain that does not answer
// gives an error matching ErrLocked, and no keychain at all one matching
// ErrUnavailable. No error holds key material.
func (k *Keychain) Key(id string) ([]byte, error) {
	id, err := account(id)
	if err != nil {
		return nil, err
	}
	text, err := call(k, func(b backend) (string, error) { return b.Get(Service, id) })
	switch {
	case errors.Is(err, errNotFound):
		return nil, fmt.Errorf("the keychain holds no key for store %s: %w", id, core.ErrNoKey)
	case err != nil:
		return nil, fmt.Errorf("read the key of store %s from the keychain: %w", id, err)
	}
	key, err := core.ParseKey(text)
	if err != nil {
		return nil, fmt.Errorf("the keychain's entry for store %s (service %q) is not a user-secrets key: %w", id, Service, err)
	}
	return key, nil
}

// SetKey stores key as the data key of the store with this ID, replacing
// any key stored for it. Its errors are those of Key, less core.ErrNoKey.
func (k *Keychain) SetKey(id string, key []byte) error {
	id, err := account(id)
	if err != nil {
		return err
	}
	text := core.FormatKey(key)
	if _, err := core.ParseKey(text); err != nil {
		return fmt.Errorf("store the key of store %s in the keychain: %w", id, err)
	}
	_, err = call(k, func(b backend) (string, error) { return "", b.Set(Service, id, text) })
	if err != nil {
		return fmt.Errorf("store the key of store %s in the keychain: %w", id, err)
	}
	return nil
}

// DeleteKey removes the data key of the store with this ID. A keychain
// that holds none is not an error. Its errors are those of SetKey.
func (k *Keychain) DeleteKey(id string) error {
	id, err := account(id)
	if err != nil {
		return err
	}
	_, err = call(k, func(b backend) (string, error) { return "", b.Delete(Service, id) })
	if err != nil && !errors.Is(err, errNotFound) {
		return fmt.Errorf("remove the key of store %s from the keychain: %w", id, err)
	}
	return nil
}

// account returns the entry's account for a store ID: the ID in lower
// case, as core gives it.
func account(id string) (string, error) {
	if id == "" {
		return "", errors.New("keychain: no store ID")
	}
	return strings.ToLower(id), nil
}

// call runs op on k's backend, and gives up with ErrLocked after k's
// timeout. The backend's own errors come back classified: errNotFound,
// ErrLocked, ErrUnavailable, or as they are.
func call(k *Keychain, op func(backend) (string, error)) (string, error) {
	b := k.backend
	if b == nil {
		b = system{}
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1) // buffered: a late answer does not block
	go func() {
		s, err := op(b)
		done <- result{s, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.s, r.err
	case <-timer.C:
		return "", fmt.Errorf("%w (no answer within %v)", ErrLocked, timeout)
	}
}

// backend is a keychain: the operating system's (system), or one in
// memory for tests. Its errors are classified: errNotFound for no such
// entry, ErrLocked, ErrUnavailable, or any other.
type backend interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

// errNotFound is a backend's error for an entry that does not exist.
var errNotFound = errors.New("not found")
