// Package koanfprovider implements a koanf.Provider that reads a project's
// user secrets: the .secrets file kept outside the project tree under the
// project's USER_SECRETS_ID (see package core).
//
// With no configuration it finds the project as core.Resolve does (an
// explicit ID, then $USER_SECRETS_ID, then the nearest .env defining it),
// so loading secrets is one line:
//
//	k.Load(koanfprovider.Provider(), nil)
//
// Read, which k.Load(p, nil) uses, returns the secrets as a map, nested on
// "." (koanf's usual delimiter) and on an optional Options.Delimiter, and
// carries every value. ReadBytes renders them as dotenv text for a parser:
// DotenvParser, this package's, or koanf's dotenv.Parser (godotenv), which
// reads the text back exactly whichever tool wrote the file. Load the
// provider after config files and .env and before environment variables,
// and each layer overrides the one before it. Watch calls back when the
// secrets change on disk.
//
// An encrypted store (see core.Store.Encrypt) is read with its key from
// $USER_SECRETS_KEY, else from Options.Keys: keychain.New() there reads
// the key from the OS keychain.
//
// Options are the same, with the same meanings, as package viperremote's.
//
// No error of this package contains a secret value: errors name the file,
// the line and the key.
package koanfprovider

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/knadh/koanf/v2"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
)

// Options selects the project and says how its secrets become koanf keys.
// The zero value means: find the project from the working directory and
// the real environment, read the user's store, keep keys as they are
// (nested on "."), debounce Watch by 50ms, and treat a missing ID or
// secrets file as no secrets.
type Options struct {
	// ProjectDir is the project directory; when set, only ProjectDir/.env
	// is read for USER_SECRETS_ID.
	ProjectDir string
	// ID is an explicit project ID; it wins over $USER_SECRETS_ID and .env.
	ID string
	// Root overrides the store root (otherwise $USER_SECRETS_DIR, then the
	// per-OS default; see core.StoreRoot).
	Root string
	// LookupEnv reads the environment; nil means os.LookupEnv.
	LookupEnv func(key string) (string, bool)
	// WorkDir is where the search for .env starts; empty means os.Getwd.
	WorkDir string
	// Keys is where an encrypted store's key comes from when
	// $USER_SECRETS_KEY is not set (see core.Options.Keys); nil means that
	// variable only. For the key in the OS keychain:
	//
	//	Keys: keychain.New(),
	Keys core.KeySource

	// Delimiter, when set, nests keys on it as well as on ".": with "__",
	// DB__PASSWORD is k.String("DB.PASSWORD"), in the section "DB". Read
	// applies it; ReadBytes does not (a parser nests its own keys).
	Delimiter string
	// TransformKey, when set, maps each key before it is nested (to strip a
	// prefix or lower-case it, say); an empty result drops the secret.
	TransformKey func(key string) string
	// Debounce is how long Watch waits after the last change on disk before
	// it calls back; zero means 50ms.
	Debounce time.Duration
	// RequireStore makes a missing ID (core.ErrNoID) or a missing secrets
	// file (fs.ErrNotExist) an error instead of no secrets.
	RequireStore bool
}

// UserSecrets is the koanf provider of a project's user secrets. Create it
// with Provider. Its methods are safe for concurrent use.
type UserSecrets struct {
	opts Options
	err  error // returned by every method: Provider was misused

	mu sync.Mutex
	w  *watchState // nil while not watching
}

var _ koanf.Provider = (*UserSecrets)(nil)

// ErrAlreadyWatched is returned by Watch when the provider is already
// watching.
var ErrAlreadyWatched = errors.New("user secrets are already being watched")

// Provider returns a provider of the project's user secrets. Called with no
// argument it uses the zero Options, so k.Load(koanfprovider.Provider(),
// nil) needs no configuration. Given more than one Options, it returns a
// provider whose ReadBytes, Read and Watch return an error saying so.
//
// It neither reads nor creates anything: the project is resolved, and the
// file read, on each ReadBytes and Read, and once when Watch starts.
func Provider(opts ...Options) *UserSecrets {
	p := &UserSecrets{}
	switch len(opts) {
	case 0:
	case 1:
		p.opts = opts[0]
	default:
		p.err = fmt.Errorf("koanfprovider.Provider: given %d Options, want at most one", len(opts))
	}
	return p
}

// ReadBytes returns the secrets as dotenv text, one KEY=value line per
// secret in file order (keys after Options.TransformKey), each value
// written so that DotenvParser and koanf's dotenv.Parser (godotenv) read it
// back exactly, even from a file python-env-secrets wrote, whose quoting
// godotenv misreads. Options.Delimiter is not applied: the parser nests
// keys (DotenvParser on "."; dotenv.ParserEnv on the delimiter it is
// given).
//
// Its errors never contain a value. Without an ID or a secrets file it
// returns no text and no error, unless Options.RequireStore: then the
// error matches core.ErrNoID or fs.ErrNotExist. A file that does not parse
// is a *core.ParseError, and so is an encrypted value that does not
// decrypt; an encrypted store without its key is an error matching
// core.ErrNoKey. Two secrets that become one key after
// TransformKey, or a key that nested on "." would be both a value and a
// section (DB and DB.PASSWORD), are an error naming both keys and lines;
// a key with an empty part (A..B) is an error naming it. A
// key godotenv cannot read (core.ErrInvalidKey) or a value it cannot read
// back exactly (one with a tab and a trailing backslash, say) is an error
// naming the file, line and key: load such secrets with k.Load(p, nil),
// which uses Read.
func (p *UserSecrets) ReadBytes() ([]byte, error) {
	list, path, err := p.secrets()
	if err != nil {
		return nil, err
	}
	if _, err := secrets.Nest(list, path, "."); err != nil {
		return nil, err
	}
	size := 0
	for _, s := range list {
		size += len(s.Key) + len(s.Entry.Value) + 4 // '=', '\n', and quotes mostly
	}
	var b bytes.Buffer
	b.Grow(size)
	for _, s := range list {
		if err := core.ValidateKey(s.Key); err != nil {
			return nil, fmt.Errorf("%s: %w; koanf's dotenv.Parser() cannot read this key: use k.Load(p, nil), which reads it through Read()",
				secrets.Where(path, s.Entry.Line), err)
		}
		text, misread := compat.FormatValue(s.Entry.Value)
		if misread&compat.ReaderGodotenv != 0 {
			return nil, fmt.Errorf("%s: secret %q: koanf's dotenv.Parser() (godotenv) cannot read its value back exactly: use k.Load(p, nil), which reads it through Read()",
				secrets.Where(path, s.Entry.Line), s.Entry.Key)
		}
		b.WriteString(s.Key)
		b.WriteByte('=')
		b.WriteString(text)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// Read returns the secrets as a map of string values for k.Load(p, nil),
// which needs no parser and carries every key and value. Keys are taken
// after Options.TransformKey and nested on "." and on Options.Delimiter:
// DB.PASSWORD (or DB__PASSWORD with "__") is the key PASSWORD in the
// section DB, so that k.Unmarshal fills a struct's DB field with it.
//
// Its errors are those of ReadBytes, but for the ones about what godotenv
// cannot read; with Options.Delimiter, two keys that nest into one another
// or into the same key, or a key with an empty part (A____B with "__"),
// are an error naming both keys and lines too.
func (p *UserSecrets) Read() (map[string]any, error) {
	list, path, err := p.secrets()
	if err != nil {
		return nil, err
	}
	t, err := secrets.Nest(list, path, ".", p.opts.Delimiter)
	if err != nil {
		return nil, err
	}
	return t.Map(), nil
}

// secrets reads the secrets under their keys, and returns them with the
// file's path. No ID or no file is no secrets, unless RequireStore.
func (p *UserSecrets) secrets() ([]secrets.Secret, string, error) {
	s, err := p.store()
	if err != nil || s == nil {
		return nil, "", err
	}
	entries, err := secrets.Entries(s, p.opts.RequireStore)
	if err != nil {
		return nil, "", err
	}
	list, err := secrets.Rekey(entries, s.Path(), secrets.KeyRules{Transform: p.opts.TransformKey})
	if err != nil {
		return nil, "", err
	}
	return list, s.Path(), nil
}

// store returns the store to read: the watched one while watching, else
// the one the options resolve to now; nil (and no error) when no ID
// resolves and the store is not required.
func (p *UserSecrets) store() (*core.Store, error) {
	if p.err != nil {
		return nil, p.err
	}
	p.mu.Lock()
	w := p.w
	p.mu.Unlock()
	if w != nil {
		return w.store, nil
	}
	return p.open()
}

// open resolves the project and returns its store, or nil (and no error)
// when no ID resolves and the store is not required.
func (p *UserSecrets) open() (*core.Store, error) {
	return secrets.Open(core.Options{
		ProjectDir: p.opts.ProjectDir,
		ID:         p.opts.ID,
		Root:       p.opts.Root,
		LookupEnv:  p.opts.LookupEnv,
		WorkDir:    p.opts.WorkDir,
		Keys:       p.opts.Keys,
	}, p.opts.RequireStore)
}
