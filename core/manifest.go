package core

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-user-secrets/user-secrets/internal/envid"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// ErrMissingKeys means keys a program requires have no non-empty value in
// its configuration. The concrete error is a *MissingKeysError naming them.
var ErrMissingKeys = errors.New("required keys are not set")

// MissingKeysError names the required keys that have no non-empty value:
// Inject returns it for InjectOptions.Required, and the adapters' checks
// of a loaded configuration (koanfprovider.CheckRequired,
// viperremote.CheckRequired) return it too. It matches ErrMissingKeys
// with errors.Is. It never holds a value.
type MissingKeysError struct {
	// Keys are the missing keys, in the order they were required.
	Keys []string
}

// Error names every missing key and the command that stores it:
//
//	required key "API_KEY" is not set: run 'user-secrets set API_KEY', or set it in the environment
func (e *MissingKeysError) Error() string {
	if len(e.Keys) == 1 {
		return fmt.Sprintf("required key %q is not set: run 'user-secrets set %s', or set it in the environment", e.Keys[0], e.Keys[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d required keys are not set: ", len(e.Keys))
	for i, k := range e.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q ('user-secrets set %s')", k, k)
	}
	b.WriteString("; or set them in the environment")
	return b.String()
}

// Is reports whether target is ErrMissingKeys.
func (e *MissingKeysError) Is(target error) bool { return target == ErrMissingKeys }

// missingKeys returns a *MissingKeysError naming the keys that have no
// non-empty value according to lookup, or nil when every key has one.
func missingKeys(keys []string, lookup func(key string) (string, bool)) error {
	var missing []string
	for _, k := range keys {
		if v, ok := lookup(k); !ok || v == "" {
			missing = append(missing, k)
		}
	}
	if missing == nil {
		return nil
	}
	return &MissingKeysError{Keys: missing}
}

// RequiredKeys returns the keys the project's manifest requires, in file
// order, for InjectOptions.Required or an adapter's CheckRequired.
//
// The manifest is the file .env.example in the project directory (see
// Project.Dir), committed with the project while .env is not: a dotenv
// file whose values are ignored. Every key defined in it is required,
// unless the line of its definition ends in a "# optional" comment (one
// whose first word is "optional"):
//
//	API_KEY=
//	DATABASE_URL=postgres://localhost/dev
//	PORT=8080 # optional
//
// It is read as the ID is read from .env, line by line: a line it does
// not understand is skipped, and no line is ever an error. USER_SECRETS_ID
// is never required.
//
// Without a manifest the error names the file looked for and matches
// fs.ErrNotExist. A manifest that is not a regular file (a directory, a
// FIFO) or is larger than 64 MiB is an error naming it too. An invalid
// USER_SECRETS_ID is an error (see Resolve), but a missing one is not: the
// project directory is then the one Init would use. RequiredKeys never
// creates anything.
func RequiredKeys(opts Options) ([]string, error) {
	p, err := Resolve(opts)
	if err != nil {
		return nil, err
	}
	data, _, err := fsutil.ReadRegular(filepath.Join(p.Dir, envid.ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("read the manifest of required keys: %w", err)
	}
	required, _ := envid.Manifest(data)
	return required, nil
}
