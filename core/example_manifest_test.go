package core_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/go-user-secrets/user-secrets/core"
)

// A program reads the keys it needs from the project's committed
// .env.example, and checks them once every layer is loaded: here the
// secrets and the environment, through Inject.
func ExampleRequiredKeys() {
	opts, cleanup := exampleOptions()
	defer cleanup()
	manifest := "API_KEY=\nDATABASE_URL=postgres://localhost/dev\nPORT=8080 # optional\n"
	if err := os.WriteFile(filepath.Join(opts.ProjectDir, ".env.example"), []byte(manifest), 0o644); err != nil {
		log.Fatal(err)
	}
	s, _, err := core.Init(opts)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Set("API_KEY", "abc123"); err != nil {
		log.Fatal(err)
	}

	required, err := core.RequiredKeys(opts)
	if err != nil {
		log.Fatal(err) // names the .env.example it looked for
	}
	fmt.Println("required:", required)

	// A stand-in for the process environment.
	env := map[string]string{}
	opts.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	_, err = core.Inject(core.InjectOptions{
		Options:  opts,
		Setenv:   func(k, v string) error { env[k] = v; return nil },
		Required: required,
	})
	fmt.Println(errors.Is(err, core.ErrMissingKeys))
	fmt.Println(err)
	// Output:
	// required: [API_KEY DATABASE_URL]
	// true
	// required key "DATABASE_URL" is not set: run 'user-secrets set DATABASE_URL', or set it in the environment
}

// Required keys may come from the environment as well as from the
// secrets: in CI, plain environment variables and no store at all.
func ExampleInjectOptions_required() {
	opts, cleanup := exampleOptions()
	defer cleanup()

	// No USER_SECRETS_ID: nothing to inject, and the environment holds
	// one of the two keys.
	env := map[string]string{"API_KEY": "from-ci"}
	opts.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	_, err := core.Inject(core.InjectOptions{Options: opts, Required: []string{"API_KEY", "DATABASE_URL"}})
	var missing *core.MissingKeysError
	if errors.As(err, &missing) {
		fmt.Println("missing:", missing.Keys)
	}
	// Output:
	// missing: [DATABASE_URL]
}
