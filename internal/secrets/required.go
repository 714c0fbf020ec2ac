package secrets

import (
	"reflect"

	"github.com/go-user-secrets/user-secrets/core"
)

// Missing returns a *core.MissingKeysError naming, in order, the keys
// whose value get reports as empty (see Empty), or nil when none is. It is
// the adapters' check of required keys in a loaded configuration.
func Missing(keys []string, get func(key string) any) error {
	var missing []string
	for _, k := range keys {
		if Empty(get(k)) {
			missing = append(missing, k)
		}
	}
	if missing == nil {
		return nil
	}
	return &core.MissingKeysError{Keys: missing}
}

// Empty reports whether a configuration value counts as unset for a
// required key: nil (no such key), or a string, a section or a list with
// nothing in it. Any other value, 0 and false included, is set.
func Empty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Map, reflect.Slice, reflect.Array:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
