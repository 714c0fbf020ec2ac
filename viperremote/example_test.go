package viperremote_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/viperremote"
	"github.com/spf13/viper"
)

// This example layers defaults, a YAML config file and user secrets. A real
// program sets nothing but Delimiter: the project and the store are found
// from the working directory and the user's home.
func ExampleMerge() {
	// A project whose .env holds its ID, and a store, in temporary
	// directories.
	tmp, err := os.MkdirTemp("", "viperremote-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	opts := viperremote.Options{
		ProjectDir: filepath.Join(tmp, "project"),
		Root:       filepath.Join(tmp, "store"),
		LookupEnv:  func(string) (string, bool) { return "", false },
		Delimiter:  "__",
	}
	os.Mkdir(opts.ProjectDir, 0o755)
	os.WriteFile(filepath.Join(opts.ProjectDir, ".env"), []byte("USER_SECRETS_ID=6f1c1d3e-8a4b-4c55-9d1e-2b7f0a9c4e21\n"), 0o644)
	store, err := core.Open(core.Options{ProjectDir: opts.ProjectDir, Root: opts.Root, LookupEnv: opts.LookupEnv})
	if err != nil {
		log.Fatal(err)
	}
	store.Set("API_KEY", "sk-live-123")
	store.Set("DB__PASSWORD", "hunter2")

	v := viper.New()
	v.SetDefault("db.host", "localhost")
	v.SetDefault("api_key", "none")
	v.SetConfigType("yaml")
	if err := v.ReadConfig(strings.NewReader("db:\n  host: db.internal\n  password: from-file\n")); err != nil {
		log.Fatal(err)
	}

	if err := viperremote.Merge(v, opts); err != nil {
		log.Fatal(err)
	}
	fmt.Println("api_key:", v.GetString("api_key"))
	fmt.Println("db.host:", v.GetString("db.host"))
	fmt.Println("db.password:", v.GetString("db.password"))
	// Output:
	// api_key: sk-live-123
	// db.host: db.internal
	// db.password: hunter2
}

// This example keeps a snapshot of the configuration, for the rest of the
// program to read, up to date with the secrets and the config file. The
// first load is the program's: ReadInConfig, Merge and a first snapshot;
// then Watch reloads after each change. Viper is not safe for concurrent
// use, so once Watch has started, v is read only in the callback.
func ExampleWatch() {
	tmp, err := os.MkdirTemp("", "viperremote-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	opts := viperremote.Options{
		ID:        "6f1c1d3e-8a4b-4c55-9d1e-2b7f0a9c4e21",
		Root:      tmp,
		LookupEnv: func(string) (string, bool) { return "", false },
		WorkDir:   tmp,
		Delimiter: "__",
	}
	store, err := core.Open(core.Options{ID: opts.ID, Root: opts.Root, LookupEnv: opts.LookupEnv, WorkDir: opts.WorkDir})
	if err != nil {
		log.Fatal(err)
	}
	store.Set("DB__PASSWORD", "hunter2") // what `user-secrets set` does
	configFile := filepath.Join(tmp, "config.yaml")
	os.WriteFile(configFile, []byte("db:\n  host: db.internal\n  password: from-file\n"), 0o644)

	type Config struct {
		DB struct{ Host, Password string }
	}
	var current atomic.Pointer[Config]
	snapshot := func(v *viper.Viper) error {
		var c Config
		if err := v.Unmarshal(&c); err != nil {
			return err
		}
		current.Store(&c)
		return nil
	}

	v := viper.New()
	v.SetConfigFile(configFile)
	if err := v.ReadInConfig(); err != nil {
		log.Fatal(err)
	}
	if err := viperremote.Merge(v, opts); err != nil {
		log.Fatal(err)
	}
	if err := snapshot(v); err != nil {
		log.Fatal(err)
	}
	fmt.Println("db.password:", current.Load().DB.Password)

	reloaded := make(chan struct{}, 1)
	stop, err := viperremote.Watch(v, opts, func(err error) {
		if err == nil {
			err = snapshot(v)
		}
		if err != nil {
			log.Printf("configuration not reloaded: %v", err) // names a file and line, never a value
			return
		}
		reloaded <- struct{}{}
	})
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	// Do not call v.WatchConfig: Watch watches the config file.

	store.Set("DB__PASSWORD", "rotated") // `user-secrets set DB__PASSWORD`, in another terminal
	select {
	case <-reloaded:
	case <-time.After(10 * time.Second):
		log.Fatal("no reload")
	}
	fmt.Println("db.host:", current.Load().DB.Host)
	fmt.Println("db.password:", current.Load().DB.Password)
	// Output:
	// db.password: hunter2
	// db.host: db.internal
	// db.password: rotated
}
