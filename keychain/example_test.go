package keychain_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/keychain"
)

// Read a secret of the project in the working directory, whose store may
// be encrypted (`user-secrets encrypt`): its key comes from
// $USER_SECRETS_KEY when that is set, else from the OS keychain. A store
// that is not encrypted never asks the keychain.
//
// (Not run as a test: it would read your own store and keychain.)
func Example() {
	s, err := core.Open(core.Options{Keys: keychain.New()})
	if err != nil {
		log.Fatal(err)
	}
	apiKey, err := s.Get("API_KEY")
	switch {
	case errors.Is(err, core.ErrNoKey), errors.Is(err, keychain.ErrLocked), errors.Is(err, keychain.ErrUnavailable):
		// The message names the store and says what to do: no value.
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	case err != nil:
		log.Fatal(err)
	}
	_ = apiKey
}

// Put the secrets into the process environment, as core.Inject does, with
// the key of an encrypted store from the OS keychain: the one line is
// Keys: keychain.New(). koanfprovider.Options and viperremote.Options take
// the same field.
func Example_inject() {
	if _, err := core.Inject(core.InjectOptions{Options: core.Options{Keys: keychain.New()}}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(os.Getenv("API_KEY") != "")
}
