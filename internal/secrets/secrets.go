// Package secrets reads a project's secrets for the packages that hand
// them to a configuration library (koanfprovider, viperremote): it opens
// the store and reads the entries, where a missing ID or secrets file
// means no secrets unless the store is required, turns the entries' keys
// into the keys the library will see, refusing two secrets that would
// become one key, and names a line of the secrets file in errors.
package secrets

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
)

// DefaultDebounce is how long the adapters' watches wait after the last
// change on disk before they call back, when Options.Debounce is zero.
const DefaultDebounce = 50 * time.Millisecond

// Debounce returns d, or DefaultDebounce when d is not positive.
func Debounce(d time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return DefaultDebounce
}

// Open resolves the project and returns its store, as core.Open does. When
// no ID resolves (core.ErrNoID) and the store is not required, it returns
// nil and no error.
func Open(opts core.Options, requireStore bool) (*core.Store, error) {
	s, err := core.Open(opts)
	if errors.Is(err, core.ErrNoID) && !requireStore {
		return nil, nil
	}
	return s, err
}

// Entries returns the secrets in s, in file order. A missing secrets file
// is no entries and no error, unless the store is required: then it is an
// error wrapping fs.ErrNotExist. A file that does not parse is a
// *core.ParseError.
func Entries(s *core.Store, requireStore bool) ([]core.Entry, error) {
	entries, err := s.All()
	if err != nil || entries != nil || !requireStore {
		return entries, err
	}
	switch ok, err := s.Exists(); {
	case err != nil:
		return nil, fmt.Errorf("secrets file: %w", err)
	case !ok:
		return nil, fmt.Errorf("secrets file %s: %w", s.Path(), fs.ErrNotExist)
	}
	return nil, nil
}

// Where names a line of file for an error: "file:line", or file alone when
// line is not positive.
func Where(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}
