package koanfprovider_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/koanfprovider"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/v2"
)

// Required keys are checked once every layer is loaded, so a key that
// only an environment variable sets (in CI, say) counts. A program reads
// the keys from the project's manifest with core.RequiredKeys(core.Options{}).
func ExampleCheckRequired() {
	opts, _, cleanup := tempStore("API_KEY", "abc123")
	defer cleanup()
	required := []string{"API_KEY", "DATABASE_URL", "SMTP_PASSWORD", "PORT"}

	k := koanf.New(".")
	k.Load(confmap.Provider(map[string]any{"PORT": 8080}, "."), nil)
	if err := k.Load(koanfprovider.Provider(opts), nil); err != nil {
		log.Fatal(err)
	}
	// A stand-in for the process environment: env.Provider(".", env.Opt{}).
	environ := func() []string { return []string{"DATABASE_URL=postgres://ci/test"} }
	k.Load(env.Provider(".", env.Opt{EnvironFunc: environ}), nil)

	err := koanfprovider.CheckRequired(k, required)
	fmt.Println(errors.Is(err, core.ErrMissingKeys))
	fmt.Println(err)
	// Output:
	// true
	// required key "SMTP_PASSWORD" is not set: run 'user-secrets set SMTP_PASSWORD', or set it in the environment
}
