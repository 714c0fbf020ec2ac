package viperremote

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
	"github.com/spf13/viper"
)

// Options says which project's secrets to merge and how. The zero value
// means: find the project from the working directory (as core.Resolve
// does), in the real environment and the user's store, keys not split, a
// missing ID or file merging nothing.
type Options struct {
	// ProjectDir is the project directory; when set, only ProjectDir/.env
	// is read for USER_SECRETS_ID.
	ProjectDir string
	// ID is an explicit project ID; it wins over $USER_SECRETS_ID and .env.
	ID string
	// Root overrides the store root (otherwise $USER_SECRETS_DIR, then the
	// per-OS default; see core.StoreRoot).
	Root string
	// Delimiter, when set, nests keys: with "__", DB__PASSWORD becomes
	// db.password. Keys are always nested on ".", Viper's key delimiter.
	Delimiter string
	// Required makes a missing ID (core.ErrNoID) or a missing secrets file
	// (fs.ErrNotExist) an error instead of merging nothing.
	Required bool
	// LookupEnv reads the environment; nil means os.LookupEnv.
	LookupEnv func(key string) (string, bool)
	// WorkDir is where the search for .env starts; empty means os.Getwd.
	WorkDir string

	// Debounce is how long Watch waits after the last change to the secrets
	// file or the config file before it reloads; zero means 100ms.
	Debounce time.Duration
}

func (o Options) core() core.Options {
	return core.Options{
		ProjectDir: o.ProjectDir,
		ID:         o.ID,
		Root:       o.Root,
		LookupEnv:  o.LookupEnv,
		WorkDir:    o.WorkDir,
	}
}

func (o Options) debounce() time.Duration {
	if o.Debounce > 0 {
		return o.Debounce
	}
	return 100 * time.Millisecond
}

// Merge merges the project's secrets into v's config layer with
// v.MergeConfigMap, so each secret overrides the same key from a config
// file or v.SetDefault, and is itself overridden by environment variables,
// flags and v.Set (see the package documentation for the whole order).
// Call it after v.ReadInConfig, which replaces the config layer.
//
// Keys are lower-cased, as Viper does: API_KEY is v.GetString("api_key").
// They are nested on "." (Viper's key delimiter) and on Options.Delimiter.
//
// Without an ID, or when the secrets file does not exist, Merge merges
// nothing and returns nil, unless Options.Required. A file that does not
// parse is a *core.ParseError; two keys that nest into one another (DB and
// DB__PASSWORD) are an error naming both keys and lines. On error nothing is
// merged. No error contains a value.
func Merge(v *viper.Viper, opts Options) error {
	t, err := load(opts)
	if err != nil || t == nil {
		return err
	}
	return mergeTree(v, t)
}

// mergeTree merges t into v's config layer. A secret that is a single value
// where v holds a section (DB=x over a config file's db: keys) is refused
// first: Viper would ignore it, logging its value at error level.
func mergeTree(v *viper.Viper, t *tree) error {
	var conflict error
	t.leaves(nil, func(path []string, _ string) {
		if conflict != nil {
			return
		}
		key := strings.Join(path, ".")
		switch v.Get(key).(type) {
		case map[string]any, map[any]any:
			e := t.entry(path)
			conflict = fmt.Errorf("secret %q (line %d) is a single value, but the configuration has a section %q: rename the secret or set the section's keys",
				e.Key, e.Line, key)
		}
	})
	if conflict != nil {
		return conflict
	}
	return v.MergeConfigMap(t.toMap())
}

// load returns the secrets as a tree; nil when there is nothing to merge.
func load(opts Options) (*tree, error) {
	s, err := secrets.Open(opts.core(), opts.Required)
	if err != nil || s == nil {
		return nil, err
	}
	return loadStore(s, opts)
}

// loadStore reads the secrets in s as a tree.
func loadStore(s *core.Store, opts Options) (*tree, error) {
	entries, err := secrets.Entries(s, opts.Required)
	if err != nil {
		return nil, err
	}
	return buildTree(entries, s.Path(), ".", opts.Delimiter)
}
