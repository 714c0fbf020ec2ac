// Package secrets reads a project's secrets for the packages that hand
// them to a configuration library (koanfprovider, viperremote): it opens
// the store and reads the entries, where a missing ID or secrets file
// means no secrets unless they are required, and names a line of the
// secrets file in errors.
package secrets

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/go-user-secrets/user-secrets/core"
)

// Open resolves the project and returns its store, as core.Open does. When
// no ID resolves (core.ErrNoID) and the secrets are not required, it
// returns nil and no error.
func Open(opts core.Options, required bool) (*core.Store, error) {
	s, err := core.Open(opts)
	if errors.Is(err, core.ErrNoID) && !required {
		return nil, nil
	}
	return s, err
}

// Entries returns the secrets in s, in file order. A missing secrets file
// is no entries and no error, unless the secrets are required: then it is
// an error wrapping fs.ErrNotExist. A file that does not parse is a
// *core.ParseError.
func Entries(s *core.Store, required bool) ([]core.Entry, error) {
	entries, err := s.All()
	if err != nil || entries != nil || !required {
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
