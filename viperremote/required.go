package viperremote

import (
	"github.com/spf13/viper"

	"github.com/go-user-secrets/user-secrets/internal/secrets"
)

// CheckRequired checks the keys a program cannot run without in v, once
// every layer is in place (config file, defaults, Merge's secrets, bound
// or automatic environment variables, flags): a key is set by whichever
// layer gives it a value, so environment variables in CI satisfy it
// without any store. keys may come from the project's manifest, through
// core.RequiredKeys.
//
// Keys are looked up as v.Get does: in any case (API_KEY is api_key), and
// nested on "." (DB.PASSWORD is the key password in the section db). A
// secret nested on Options.Delimiter is required under its Viper key: map
// DB__PASSWORD to DB.PASSWORD first (strings.ReplaceAll(key, "__", ".")).
// A key whose value is missing, nil, "" or an empty section or list is
// missing; any other value, 0 and false included, is set.
//
// It returns nil when every key is set, else one *core.MissingKeysError
// (matching core.ErrMissingKeys) that names every missing key as given, in
// the order of keys, and the command that stores it; never a value.
func CheckRequired(v *viper.Viper, keys []string) error {
	return secrets.Missing(keys, v.Get)
}
