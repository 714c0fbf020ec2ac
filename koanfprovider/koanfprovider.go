// Package koanfprovider implements a koanf.Provider that reads a project's
// user secrets: the .secrets file kept outside the project tree under the
// project's USER_SECRETS_ID (see package core).
//
// With no configuration it finds the project as core.Resolve does (an
// explicit ID, then $USER_SECRETS_ID, then the nearest .env defining it),
// so loading secrets is one line:
//
//	k.Load(koanfprovider.Provider(), dotenv.Parser())
//
// ReadBytes renders the secrets as dotenv text that koanf's dotenv.Parser
// (godotenv) reads back exactly, whichever tool wrote the file. Read returns
// the map directly, so k.Load(p, nil) needs no parser, carries every value
// (even those godotenv cannot), and can nest keys on a delimiter. Load the
// provider after config files and .env and before environment variables,
// and each layer overrides the one before it. Watch calls back when the
// secrets change on disk.
//
// No error of this package contains a secret value: errors name the file,
// the line and the key.
package koanfprovider

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/knadh/koanf/maps"
	"github.com/knadh/koanf/v2"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
)

// Options configures the provider. The zero value means: find the project
// from the working directory and the real environment, read the user's
// store, keep keys as they are and flat, and treat a missing ID or file as
// no secrets.
type Options struct {
	// ProjectDir is the project directory; when set, only ProjectDir/.env
	// is read for USER_SECRETS_ID.
	ProjectDir string
	// ID is an explicit project ID; it wins over $USER_SECRETS_ID and .env.
	ID string
	// Root overrides the store root (otherwise $USER_SECRETS_DIR, then the
	// per-OS default; see core.StoreRoot).
	Root string

	// Delim, when set, makes Read nest keys on it: with "__",
	// DB__PASSWORD becomes {"DB": {"PASSWORD": …}}, which koanf (with its
	// usual "." delimiter) serves as k.String("DB.PASSWORD"). Two keys that
	// would nest into one another (DB and DB__PASSWORD) are an error.
	// ReadBytes ignores Delim: give the parser its own (dotenv.ParserEnv).
	Delim string
	// TransformKey, when set, maps each key before it is used (for example
	// to strip a prefix or lower-case it); an empty result drops the key.
	TransformKey func(key string) string
	// Required makes a missing ID (core.ErrNoID) or a missing secrets file
	// (fs.ErrNotExist) an error instead of an empty config.
	Required bool

	// LookupEnv reads the environment; nil means os.LookupEnv.
	LookupEnv func(key string) (string, bool)
	// WorkDir is where the search for .env starts; empty means os.Getwd.
	WorkDir string

	// Debounce is how long Watch waits after the last change on disk before
	// it calls back; zero means 50ms.
	Debounce time.Duration
}

// DefaultDebounce is the Watch debounce used when Options.Debounce is zero.
const DefaultDebounce = 50 * time.Millisecond

// UserSecrets is the koanf provider of a project's user secrets. Create it
// with Provider. Its methods are safe for concurrent use.
type UserSecrets struct {
	opts Options

	mu       sync.Mutex
	watching bool
	w        *watchState // nil while not watching, or when there is no file to watch
}

var _ koanf.Provider = (*UserSecrets)(nil)

// ErrAlreadyWatched is returned by Watch when the provider is already
// watching.
var ErrAlreadyWatched = errors.New("user secrets are already being watched")

// Provider returns a provider of the project's user secrets. Called with no
// argument it uses the zero Options; given more than one, it panics.
//
// It neither reads nor creates anything: the project is resolved, and the
// file read, on each ReadBytes, Read and Watch.
func Provider(opts ...Options) *UserSecrets {
	if len(opts) > 1 {
		panic("koanfprovider.Provider: more than one Options")
	}
	p := &UserSecrets{}
	if len(opts) == 1 {
		p.opts = opts[0]
	}
	return p
}

// ReadBytes returns the secrets as dotenv text, one KEY=value line per
// secret in file order, each value written (by compat.FormatValue) so that
// godotenv, and so koanf's dotenv.Parser, reads it back exactly. This holds
// for files python-env-secrets wrote too, whose quoting godotenv misreads.
//
// A key godotenv cannot read (one that core.ValidateKey refuses) or a value
// it cannot read back exactly (one with a tab and a trailing backslash, say)
// is an error naming the file, line and key: load such secrets with
// k.Load(p, nil), which uses Read. Without an ID or a secrets file it
// returns no text, unless Options.Required. A file that does not parse is a
// *core.ParseError.
func (p *UserSecrets) ReadBytes() ([]byte, error) {
	entries, path, err := p.entries()
	if err != nil {
		return nil, err
	}
	size := 0
	for _, e := range entries {
		size += len(e.Key) + len(e.Value) + 4 // '=', '\n', and quotes mostly
	}
	var b bytes.Buffer
	b.Grow(size)
	for _, e := range entries {
		key := p.key(e.Key)
		if key == "" {
			continue
		}
		if err := core.ValidateKey(key); err != nil {
			return nil, fmt.Errorf("%s: %w; koanf's dotenv.Parser() cannot read this key: use k.Load(p, nil), which reads it through Read()",
				secrets.Where(path, e.Line), err)
		}
		text, misread := compat.FormatValue(e.Value)
		if misread&compat.ReaderGodotenv != 0 {
			return nil, fmt.Errorf("%s: secret %q: koanf's dotenv.Parser() (godotenv) cannot read its value back exactly: use k.Load(p, nil), which reads it through Read()",
				secrets.Where(path, e.Line), key)
		}
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(text)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// Read returns the secrets as a map of string values: flat (keys as they
// are, after Options.TransformKey), or nested on Options.Delim when it is
// set. Load it with k.Load(p, nil). Its errors are those of ReadBytes,
// except that every key and value is carried; with Options.Delim, two keys
// that nest into one another, or a key with an empty part (A____B with
// "__"), are an error naming both keys and lines.
func (p *UserSecrets) Read() (map[string]any, error) {
	entries, path, err := p.entries()
	if err != nil {
		return nil, err
	}
	mp := make(map[string]any, len(entries))
	var from map[string]core.Entry // key → the entry that set it, for conflicts
	if p.opts.Delim != "" {
		from = make(map[string]core.Entry, len(entries))
	}
	for _, e := range entries {
		key := p.key(e.Key)
		if key == "" {
			continue
		}
		mp[key] = e.Value
		if from != nil {
			from[key] = e
		}
	}
	if p.opts.Delim == "" {
		return mp, nil
	}
	if err := checkNesting(from, p.opts.Delim, path); err != nil {
		return nil, err
	}
	return maps.Unflatten(mp, p.opts.Delim), nil
}

// checkNesting reports keys that maps.Unflatten would nest into one another
// (it would silently put one in the wrong place) or split into empty parts.
func checkNesting(from map[string]core.Entry, delim, path string) error {
	for key, e := range from {
		parts := strings.Split(key, delim)
		for _, part := range parts {
			if part == "" {
				return fmt.Errorf("%s: secret %q: nesting it on %q leaves an empty part", secrets.Where(path, e.Line), e.Key, delim)
			}
		}
		for i := 1; i < len(parts); i++ {
			prefix := strings.Join(parts[:i], delim)
			if other, ok := from[prefix]; ok {
				return fmt.Errorf("%s: secret %q conflicts with secret %q (line %d): nested on %q, %q would be both a value and a section",
					secrets.Where(path, e.Line), e.Key, other.Key, other.Line, delim, prefix)
			}
		}
	}
	return nil
}

// entries reads the secrets and returns them with the file's path. No ID
// or no file is no entries, unless Required.
func (p *UserSecrets) entries() ([]core.Entry, string, error) {
	s, err := p.open()
	if err != nil || s == nil {
		return nil, "", err
	}
	entries, err := secrets.Entries(s, p.opts.Required)
	if err != nil {
		return nil, "", err
	}
	return entries, s.Path(), nil
}

// open resolves the project and returns its store, or nil (and no error)
// when no ID resolves and the secrets are not Required.
func (p *UserSecrets) open() (*core.Store, error) {
	return secrets.Open(core.Options{
		ProjectDir: p.opts.ProjectDir,
		ID:         p.opts.ID,
		Root:       p.opts.Root,
		LookupEnv:  p.opts.LookupEnv,
		WorkDir:    p.opts.WorkDir,
	}, p.opts.Required)
}

func (p *UserSecrets) key(k string) string {
	if p.opts.TransformKey != nil {
		return p.opts.TransformKey(k)
	}
	return k
}
