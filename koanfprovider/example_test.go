package koanfprovider_test

import (
	"fmt"
	"log"
	"os"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/koanfprovider"
	"github.com/knadh/koanf/parsers/dotenv"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/v2"
)

// In a program, Provider() with no options finds the project's
// USER_SECRETS_ID (in the environment or the nearest .env) and the user's
// store by itself. Loaded after the defaults and before the environment,
// the secrets override the one and are overridden by the other.
func Example() {
	k := koanf.New(".")
	k.Load(confmap.Provider(map[string]any{"DB_URL": "postgres://localhost/dev"}, "."), nil)
	if err := k.Load(koanfprovider.Provider(), dotenv.Parser()); err != nil {
		log.Fatal(err)
	}
	k.Load(env.Provider(".", env.Opt{}), nil)

	fmt.Println(k.String("API_KEY") != "")
}

// Options point the provider at a project and store explicitly; here a
// temporary store, so the example runs anywhere. Delim nests keys.
func ExampleProvider() {
	root, _ := os.MkdirTemp("", "usersecrets")
	defer os.RemoveAll(root)
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	s, _ := core.OpenID(root, id)
	s.Set("DB__PASSWORD", "hunter2") // what `user-secrets set` does
	s.Set("API_KEY", "abc123")

	k := koanf.New(".")
	p := koanfprovider.Provider(koanfprovider.Options{ID: id, Root: root, Delim: "__"})
	if err := k.Load(p, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.String("DB.PASSWORD"), k.String("API_KEY"))
	// Output:
	// hunter2 abc123
}

// Watch calls back when the secrets change on disk; the callback reloads
// every layer into a fresh koanf.Koanf.
func ExampleUserSecrets_Watch() {
	p := koanfprovider.Provider()
	load := func() (*koanf.Koanf, error) {
		k := koanf.New(".")
		if err := k.Load(p, dotenv.Parser()); err != nil {
			return nil, err
		}
		return k, nil
	}
	k, err := load()
	if err != nil {
		log.Fatal(err)
	}
	err = p.Watch(func(_ any, err error) {
		if err != nil {
			log.Printf("user secrets: %v (keeping the previous configuration)", err)
			return
		}
		if next, err := load(); err == nil {
			k = next // in a real program, guard k with a mutex or atomic.Pointer
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Unwatch()
	_ = k
}
