package core_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/go-user-secrets/user-secrets/core"
)

// exampleOptions returns Options for a throw-away project and store, so the
// examples touch neither the real home directory nor the environment. A
// real program uses core.Options{}.
func exampleOptions() (core.Options, func()) {
	base, err := os.MkdirTemp("", "user-secrets-example-")
	if err != nil {
		log.Fatal(err)
	}
	opts := core.Options{
		ProjectDir: filepath.Join(base, "myapp"),
		Root:       filepath.Join(base, "store"),
		LookupEnv:  func(string) (string, bool) { return "", false },
	}
	if err := os.Mkdir(opts.ProjectDir, 0o755); err != nil {
		log.Fatal(err)
	}
	return opts, func() { os.RemoveAll(base) }
}

func ExampleInit() {
	opts, cleanup := exampleOptions()
	defer cleanup()

	s, created, err := core.Init(opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", created, "in", filepath.Base(s.Project().EnvFile))

	// A second Init finds the ID and changes nothing.
	s, created, err = core.Init(opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", created, "from", s.Project().Source)
	// Output:
	// created: true in .env
	// created: false from dotenv
}

func ExampleOpen() {
	opts, cleanup := exampleOptions()
	defer cleanup()

	// Without an ID, Open says where it looked.
	_, err := core.Open(opts)
	fmt.Println(errors.Is(err, core.ErrNoID))

	if _, _, err := core.Init(opts); err != nil {
		log.Fatal(err)
	}
	s, err := core.Open(opts)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Set("DATABASE_URL", "postgres://dev@localhost/app"); err != nil {
		log.Fatal(err)
	}
	v, err := s.Get("DATABASE_URL")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
	_, err = s.Get("MISSING")
	fmt.Println(errors.Is(err, core.ErrNotFound))
	// Output:
	// true
	// postgres://dev@localhost/app
	// true
}

func ExampleStore_Set() {
	opts, cleanup := exampleOptions()
	defer cleanup()
	s, _, err := core.Init(opts)
	if err != nil {
		log.Fatal(err)
	}

	for _, kv := range [][2]string{
		{"API_KEY", "abc123"},
		{"GREETING", "hello # world"},
		{"PEM", "-----BEGIN KEY-----\nMIIB\n-----END KEY-----"},
	} {
		w, err := s.Set(kv[0], kv[1])
		if err != nil {
			log.Fatal(err)
		}
		if w != nil {
			// Some readers of the compatibility set (here python-env-secrets,
			// which has no multi-line values) would read something else;
			// w.Misread names them. The value is stored exactly.
			fmt.Println("warning:", w.Key)
		}
	}
	_, err = s.Set("BAD-KEY", "x")
	fmt.Println(errors.Is(err, core.ErrInvalidKey))

	all, err := s.All()
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range all {
		fmt.Printf("%s (%d bytes)\n", e.Key, len(e.Value))
	}
	// Output:
	// warning: PEM
	// true
	// API_KEY (6 bytes)
	// GREETING (13 bytes)
	// PEM (42 bytes)
}

func ExampleInject() {
	opts, cleanup := exampleOptions()
	defer cleanup()
	s, _, err := core.Init(opts)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.SetMany([]core.Entry{{Key: "API_KEY", Value: "abc123"}, {Key: "DEBUG", Value: "false"}}); err != nil {
		log.Fatal(err)
	}

	// A stand-in for the process environment: DEBUG is already set.
	env := map[string]string{"DEBUG": "true"}
	opts.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	set, err := core.Inject(core.InjectOptions{
		Options: opts,
		Setenv:  func(k, v string) error { env[k] = v; return nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("set:", set)
	fmt.Println("DEBUG:", env["DEBUG"], "(the real environment wins)")
	// Output:
	// set: [API_KEY]
	// DEBUG: true (the real environment wins)
}

func ExampleParse() {
	entries, err := core.Parse([]byte(`# comment
export HOST=localhost   # inline comment
PASSWORD='p@ss #1'
MOTD="line one\nline two"
`), ".secrets")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Printf("%s=%q (line %d)\n", e.Key, e.Value, e.Line)
	}

	_, err = core.Parse([]byte("A=1\nB='unterminated\n"), ".secrets")
	fmt.Println(err)
	// Output:
	// HOST="localhost" (line 2)
	// PASSWORD="p@ss #1" (line 3)
	// MOTD="line one\nline two" (line 4)
	// .secrets:2: key "B": unterminated single-quoted value
}

func ExampleDocument() {
	d, err := core.ParseDocument([]byte("# my secrets\r\nA=1\r\n\r\nB=2\r\n"), ".secrets")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := d.Set("A", "changed"); err != nil {
		log.Fatal(err)
	}
	if _, err := d.Set("C", "new value"); err != nil {
		log.Fatal(err)
	}
	if _, err := d.Delete("B"); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", d.String())
	// Output:
	// "# my secrets\r\nA=changed\r\n\r\nC=new value\r\n"
}
