package koanfprovider

import (
	"github.com/knadh/koanf/v2"

	"github.com/go-user-secrets/user-secrets/internal/secrets"
)

// CheckRequired checks the keys a program cannot run without in k, once
// every layer is loaded (config files, .env, the user secrets, environment
// variables): a key is set by whichever layer gives it a value, so plain
// environment variables in CI satisfy it without any store. keys may come
// from the project's manifest, through core.RequiredKeys.
//
// Keys are koanf keys, looked up with k.Get: their case matters, and k's
// delimiter nests them (with koanf.New("."), DB.PASSWORD is the key
// PASSWORD in the section DB). A key whose value is missing, nil, "" or an
// empty section or list is missing; any other value, 0 and false included,
// is set.
//
// It returns nil when every key is set, else one *core.MissingKeysError
// (matching core.ErrMissingKeys) that names every missing key, in the
// order of keys, and the command that stores it; never a value.
func CheckRequired(k *koanf.Koanf, keys []string) error {
	return secrets.Missing(keys, k.Get)
}
