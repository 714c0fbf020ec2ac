package viperremote

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
	"github.com/spf13/viper"
)

// Options selects the project and says how its secrets become Viper keys.
// The zero value means: find the project from the working directory and
// the real environment, read the user's store, keep keys as they are
// (lower-cased and nested on ".", as Viper holds them), debounce Watch by
// 50ms, and treat a missing ID or secrets file as no secrets.
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
	// DB__PASSWORD is v.GetString("db.password"), in the section "db".
	Delimiter string
	// TransformKey, when set, maps each key before it is lower-cased and
	// nested (to strip a prefix, say); an empty result drops the secret.
	TransformKey func(key string) string
	// Debounce is how long Watch waits after the last change to the secrets
	// file or the config file before it reloads; zero means 50ms.
	Debounce time.Duration
	// RequireStore makes a missing ID (core.ErrNoID) or a missing secrets
	// file (fs.ErrNotExist) an error instead of no secrets.
	RequireStore bool
}

func (o Options) core() core.Options {
	return core.Options{
		ProjectDir: o.ProjectDir,
		ID:         o.ID,
		Root:       o.Root,
		LookupEnv:  o.LookupEnv,
		WorkDir:    o.WorkDir,
		Keys:       o.Keys,
	}
}

// Merge merges the project's secrets into v's config layer with
// v.MergeConfigMap, so each secret overrides the same key from a config
// file or v.SetDefault, and is itself overridden by environment variables,
// flags and v.Set (see the package documentation for the whole order).
// Call it after v.ReadInConfig, which replaces the config layer.
//
// Keys are taken after Options.TransformKey, lower-cased as Viper does
// (API_KEY is v.GetString("api_key")), and nested on "." (Viper's key
// delimiter) and on Options.Delimiter.
//
// Its errors never contain a value, and on error nothing is merged.
// Without an ID, or when the secrets file does not exist, Merge merges
// nothing and returns nil, unless Options.RequireStore: then the error
// matches core.ErrNoID or fs.ErrNotExist. A file that does not parse is a
// *core.ParseError, and so is an encrypted value that does not decrypt; an
// encrypted store without its key is an error matching core.ErrNoKey. Two
// secrets that become one key (API_KEY and api_key,
// which Viper does not tell apart, or two keys TransformKey maps to one),
// two keys that nest into one another (DB and DB__PASSWORD) or into the
// same key (DB.PASSWORD and DB__PASSWORD), and a key with an empty part
// are an error naming both keys and lines. So is a secret that is a single
// value where v already has a section (DB over a config file's db: keys),
// which Viper would drop, logging its value.
func Merge(v *viper.Viper, opts Options) error {
	s, err := secrets.Open(opts.core(), opts.RequireStore)
	if err != nil || s == nil {
		return err
	}
	t, err := loadStore(s, opts)
	if err != nil {
		return err
	}
	return mergeTree(v, t)
}

// mergeTree merges t into v's config layer. A secret that is a single value
// where v holds a section (DB=x over a config file's db: keys) is refused
// first: Viper would ignore it, logging its value at error level.
func mergeTree(v *viper.Viper, t *secrets.Tree) error {
	var conflict error
	t.Leaves(nil, func(path []string, _ string) {
		if conflict != nil {
			return
		}
		key := strings.Join(path, ".")
		switch v.Get(key).(type) {
		case map[string]any, map[any]any:
			e := t.Entry(path)
			conflict = fmt.Errorf("%s: secret %q is a single value, but the configuration has a section %q: rename the secret or set the section's keys",
				secrets.Where(t.File, e.Line), e.Key, key)
		}
	})
	if conflict != nil {
		return conflict
	}
	return v.MergeConfigMap(t.Map())
}

// loadStore reads the secrets in s as Viper will hold them.
func loadStore(s *core.Store, opts Options) (*secrets.Tree, error) {
	entries, err := secrets.Entries(s, opts.RequireStore)
	if err != nil {
		return nil, err
	}
	return tree(entries, s.Path(), opts.TransformKey, ".", opts.Delimiter)
}

// tree arranges entries as Viper holds them: keys after transform (which
// may be nil), lower-cased, nested on delims.
func tree(entries []core.Entry, file string, transform func(string) string, delims ...string) (*secrets.Tree, error) {
	list, err := secrets.Rekey(entries, file, secrets.KeyRules{Transform: transform, Lower: true})
	if err != nil {
		return nil, err
	}
	return secrets.Nest(list, file, delims...)
}
