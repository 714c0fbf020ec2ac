package koanfprovider_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/koanfprovider"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// In a program, Provider() with no options finds the project's
// USER_SECRETS_ID (in the environment or the nearest .env) and the user's
// store by itself. Loaded after the defaults and before the environment,
// the secrets override the one and are overridden by the other.
func Example() {
	k := koanf.New(".")
	k.Load(confmap.Provider(map[string]any{"DB_URL": "postgres://localhost/dev"}, "."), nil)
	if err := k.Load(koanfprovider.Provider(), nil); err != nil {
		log.Fatal(err)
	}
	k.Load(env.Provider(".", env.Opt{}), nil)

	fmt.Println(k.String("API_KEY") != "")
}

// tempStore returns Options for a store in a temporary directory holding
// the secrets given, so that the examples run anywhere; a real program
// needs none of this. Call the returned function to remove it.
func tempStore(kv ...string) (koanfprovider.Options, *core.Store, func()) {
	dir, err := os.MkdirTemp("", "koanfprovider-example")
	if err != nil {
		log.Fatal(err)
	}
	opts := koanfprovider.Options{
		ID:        "0f8fad5b-d9cb-469f-a165-70867728950e",
		Root:      dir,
		LookupEnv: func(string) (string, bool) { return "", false },
		WorkDir:   dir,
	}
	s, err := core.Open(core.Options{ID: opts.ID, Root: opts.Root, LookupEnv: opts.LookupEnv, WorkDir: opts.WorkDir})
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if _, err := s.Set(kv[i], kv[i+1]); err != nil { // what `user-secrets set` does
			log.Fatal(err)
		}
	}
	return opts, s, func() { os.RemoveAll(dir) }
}

// Options point the provider at a project and store explicitly. Delimiter
// nests keys, and TransformKey renames them first; either way k.Unmarshal
// sees the nested keys.
func ExampleProvider() {
	opts, _, cleanup := tempStore("DB__PASSWORD", "hunter2", "API_KEY", "abc123")
	defer cleanup()
	opts.Delimiter = "__"
	opts.TransformKey = strings.ToLower

	k := koanf.New(".")
	if err := k.Load(koanfprovider.Provider(opts), nil); err != nil {
		log.Fatal(err)
	}
	var c struct {
		APIKey string `koanf:"api_key"`
		DB     struct {
			Password string `koanf:"password"`
		} `koanf:"db"`
	}
	if err := k.Unmarshal("", &c); err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.String("db.password"), c.DB.Password, c.APIKey)
	// Output:
	// hunter2 hunter2 abc123
}

// DotenvParser reads a .env file as the user-secrets CLI does. Its errors
// name the file and the line, never the text there, which may be a secret.
func ExampleDotenvParser() {
	dir, err := os.MkdirTemp("", "koanfprovider-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, ".env")

	os.WriteFile(path, []byte("PORT=8080\nDB.HOST=localhost\n"), 0o600)
	k := koanf.New(".")
	if err := k.Load(file.Provider(path), koanfprovider.DotenvParser(".env")); err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.String("PORT"), k.String("DB.HOST"))

	os.WriteFile(path, []byte("PORT=8080\nAPI_KEY='hunter2\n"), 0o600) // the closing quote is missing
	err = koanf.New(".").Load(file.Provider(path), koanfprovider.DotenvParser(".env"))
	fmt.Println(err)
	// Output:
	// 8080 localhost
	// .env:2: key "API_KEY": unterminated single-quoted value
}

// Watch calls back when the secrets change on disk, never at the start:
// the first load is the caller's. The callback loads the layers again into
// a fresh koanf.Koanf, which reads the file once.
func ExampleUserSecrets_Watch() {
	opts, store, cleanup := tempStore("API_KEY", "first")
	defer cleanup()
	p := koanfprovider.Provider(opts)
	load := func() (*koanf.Koanf, error) {
		k := koanf.New(".")
		if err := k.Load(p, nil); err != nil {
			return nil, err
		}
		return k, nil
	}

	// Watch before the first load, so that no change goes unseen between
	// the two; mu keeps the first load ahead of any reload.
	var (
		mu       sync.Mutex
		current  *koanf.Koanf
		reloaded = make(chan struct{}, 1)
	)
	mu.Lock()
	err := p.Watch(func(_ any, _ error) {
		mu.Lock()
		defer mu.Unlock()
		k, err := load()
		if err != nil {
			log.Printf("user secrets: %v (keeping the previous configuration)", err) // names a file and line, never a value
			return
		}
		current = k
		reloaded <- struct{}{}
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Unwatch()
	if current, err = load(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(current.String("API_KEY"))
	mu.Unlock()

	store.Set("API_KEY", "rotated") // `user-secrets set API_KEY`, in another terminal
	select {
	case <-reloaded:
	case <-time.After(10 * time.Second):
		log.Fatal("no reload")
	}
	mu.Lock()
	fmt.Println(current.String("API_KEY"))
	mu.Unlock()
	// Output:
	// first
	// rotated
}
