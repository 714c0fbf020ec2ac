package core

import (
	"errors"
	"fmt"
	"os"
)

// InjectOptions configures Inject.
type InjectOptions struct {
	Options
	// Override lets secrets replace variables already in the environment.
	// By default the real environment wins.
	Override bool
	// RequireStore makes a missing ID (ErrNoID) or a missing secrets file
	// (fs.ErrNotExist) an error instead of no secrets.
	RequireStore bool
	// Setenv sets a variable; nil means os.Setenv.
	Setenv func(key, value string) error
	// Required lists keys the program cannot run without (RequiredKeys
	// reads them from the project's manifest). Once the secrets are
	// injected, each must have a non-empty value in the environment, read
	// through LookupEnv, whether a secret or the environment itself gave
	// it: so plain environment variables, in CI say, satisfy it without a
	// store.
	Required []string
}

// Inject puts the project's secrets into the process environment and
// returns the keys it set, in file order. A variable that is already set
// is kept unless Override is set. Without an ID, or without a secrets file,
// it sets nothing and returns no error, unless RequireStore.
//
// An encrypted store is read with its key from $USER_SECRETS_KEY or
// Options.Keys; without one, Inject sets nothing and returns an error
// matching ErrNoKey.
//
// Then, when Required lists keys, every one of them that has no non-empty
// value in the environment is named in one *MissingKeysError (matching
// ErrMissingKeys), returned with the keys that were set: the secrets stay
// injected.
func Inject(opts InjectOptions) ([]string, error) {
	s, err := Open(opts.Options)
	if err != nil {
		if errors.Is(err, ErrNoID) && !opts.RequireStore {
			return nil, missingKeys(opts.Required, opts.lookupEnv)
		}
		return nil, err
	}
	if opts.RequireStore {
		if _, err := os.Lstat(s.Path()); err != nil {
			return nil, fmt.Errorf("secrets file: %w", err)
		}
	}
	set, err := inject(s, opts)
	if err != nil {
		return set, err
	}
	return set, missingKeys(opts.Required, opts.lookupEnv)
}

func inject(s *Store, opts InjectOptions) ([]string, error) {
	entries, err := s.All()
	if err != nil {
		return nil, err
	}
	setenv := opts.Setenv
	if setenv == nil {
		setenv = os.Setenv
	}
	var set []string
	for _, e := range entries {
		if !opts.Override {
			if _, ok := opts.lookupEnv(e.Key); ok {
				continue
			}
		}
		if err := setenv(e.Key, e.Value); err != nil {
			return set, &KeyError{Key: e.Key, Err: ErrInvalidKey, Reason: "cannot be set in the environment"}
		}
		set = append(set, e.Key)
	}
	return set, nil
}

// InitUserSecrets is the one-call set-up, like python-env-secrets'
// init_user_secrets(): it resolves the project's ID from the working
// directory, creating one (see Init) if there is none, then injects the
// secrets into the environment, the real environment winning. It returns
// the keys it set. An encrypted store needs its key in $USER_SECRETS_KEY
// here: to read it from the OS keychain, call Inject with Options.Keys.
func InitUserSecrets() ([]string, error) {
	s, _, err := Init(Options{})
	if err != nil {
		return nil, err
	}
	return inject(s, InjectOptions{})
}
