package viperremote_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/viperremote"
	"github.com/spf13/viper"
)

// Required keys are checked once every layer is in place, so a key that a
// default, a config file or an environment variable sets counts as well as
// a secret. The keys come from the project's committed .env.example, where
// "# optional" marks the keys a program can run without.
func ExampleCheckRequired() {
	// A project whose .env holds its ID, its manifest, and a store, in
	// temporary directories. A real program sets none of this.
	tmp, err := os.MkdirTemp("", "viperremote-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	opts := viperremote.Options{
		ProjectDir: filepath.Join(tmp, "project"),
		Root:       filepath.Join(tmp, "store"),
		LookupEnv:  func(string) (string, bool) { return "", false },
	}
	os.Mkdir(opts.ProjectDir, 0o755)
	os.WriteFile(filepath.Join(opts.ProjectDir, ".env"), []byte("USER_SECRETS_ID=6f1c1d3e-8a4b-4c55-9d1e-2b7f0a9c4e21\n"), 0o644)
	os.WriteFile(filepath.Join(opts.ProjectDir, ".env.example"), []byte("API_KEY=\nDB.PASSWORD=\nPORT=8080 # optional\n"), 0o644)
	store, err := core.Open(core.Options{ProjectDir: opts.ProjectDir, Root: opts.Root, LookupEnv: opts.LookupEnv})
	if err != nil {
		log.Fatal(err)
	}
	store.Set("API_KEY", "sk-live-123")

	// In a program: core.RequiredKeys(core.Options{}).
	required, err := core.RequiredKeys(core.Options{ProjectDir: opts.ProjectDir, Root: opts.Root, LookupEnv: opts.LookupEnv})
	if err != nil {
		log.Fatal(err)
	}
	v := viper.New()
	if err := viperremote.Merge(v, opts); err != nil {
		log.Fatal(err)
	}
	err = viperremote.CheckRequired(v, required)
	var missing *core.MissingKeysError
	if errors.As(err, &missing) {
		fmt.Println("missing:", missing.Keys)
	}

	v.Set("db.password", "from-a-flag") // any layer will do
	fmt.Println(viperremote.CheckRequired(v, required))
	// Output:
	// missing: [DB.PASSWORD]
	// <nil>
}
