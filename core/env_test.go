package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeEnv is an environment held in a map, for Options.LookupEnv and
// InjectOptions.Setenv, so the tests never touch the real one.
type fakeEnv map[string]string

func (e fakeEnv) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e fakeEnv) setenv(k, v string) error       { e[k] = v; return nil }

// injectProject returns options for a project whose store holds A, B and C.
func injectProject(t *testing.T, env fakeEnv) Options {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "proj")
	putFile(t, filepath.Join(dir, ".env"), "USER_SECRETS_ID="+fixtureID+"\n")
	opts := Options{ProjectDir: dir, Root: filepath.Join(base, "root"), LookupEnv: env.lookup}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetMany([]Entry{{Key: "C", Value: "c-secret"}, {Key: "A", Value: "a-secret"}, {Key: "B", Value: ""}}); err != nil {
		t.Fatal(err)
	}
	return opts
}

func TestInject(t *testing.T) {
	tests := []struct {
		name     string
		before   fakeEnv
		override bool
		wantSet  []string
		wantEnv  fakeEnv
	}{
		{
			name:    "empty environment",
			before:  fakeEnv{},
			wantSet: []string{"C", "A", "B"},
			wantEnv: fakeEnv{"A": "a-secret", "B": "", "C": "c-secret"},
		},
		{
			name:    "real environment wins",
			before:  fakeEnv{"A": "from-env", "OTHER": "x"},
			wantSet: []string{"C", "B"},
			wantEnv: fakeEnv{"A": "from-env", "B": "", "C": "c-secret", "OTHER": "x"},
		},
		{
			name:    "set but empty still wins",
			before:  fakeEnv{"C": ""},
			wantSet: []string{"A", "B"},
			wantEnv: fakeEnv{"A": "a-secret", "B": "", "C": ""},
		},
		{
			name:     "override",
			before:   fakeEnv{"A": "from-env", "OTHER": "x"},
			override: true,
			wantSet:  []string{"C", "A", "B"},
			wantEnv:  fakeEnv{"A": "a-secret", "B": "", "C": "c-secret", "OTHER": "x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fakeEnv{}
			opts := injectProject(t, env)
			for k, v := range tt.before {
				env[k] = v
			}
			set, err := Inject(InjectOptions{Options: opts, Override: tt.override, Setenv: env.setenv})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(set) != fmt.Sprint(tt.wantSet) {
				t.Errorf("Inject() set %v, want %v (file order)", set, tt.wantSet)
			}
			if fmt.Sprint(map[string]string(env)) != fmt.Sprint(map[string]string(tt.wantEnv)) {
				t.Errorf("environment after Inject has keys %v, want %v", keysOfEnv(env), keysOfEnv(tt.wantEnv))
			}
		})
	}
}

func keysOfEnv(e fakeEnv) string {
	var ks []string
	for k := range e {
		ks = append(ks, k)
	}
	return fmt.Sprint(ks)
}

func TestInjectNoID(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "proj")
	putFile(t, filepath.Join(dir, ".env"), "DEBUG=1\n")
	env := fakeEnv{}
	opts := Options{ProjectDir: dir, Root: filepath.Join(base, "root"), LookupEnv: env.lookup}
	called := false
	setenv := func(k, v string) error { called = true; return nil }

	set, err := Inject(InjectOptions{Options: opts, Setenv: setenv})
	if set != nil || err != nil {
		t.Errorf("Inject() without an ID = %v, %v; want nil, nil", set, err)
	}
	set, err = Inject(InjectOptions{Options: opts, Setenv: setenv, RequireStore: true})
	var noID *NoIDError
	if set != nil || !errors.Is(err, ErrNoID) || !errors.As(err, &noID) {
		t.Errorf("Inject(Required) without an ID = %v, %v; want ErrNoID", set, err)
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, ".env")) {
		t.Errorf("error %q does not say where it looked", err)
	}
	if called {
		t.Errorf("Inject set a variable without an ID")
	}
	mustNotExist(t, opts.Root)
}

func TestInjectMissingFile(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "proj")
	putFile(t, filepath.Join(dir, ".env"), "USER_SECRETS_ID="+fixtureID+"\n")
	env := fakeEnv{}
	opts := Options{ProjectDir: dir, Root: filepath.Join(base, "root"), LookupEnv: env.lookup}
	set, err := Inject(InjectOptions{Options: opts, Setenv: env.setenv})
	if set != nil || err != nil {
		t.Errorf("Inject() with no secrets file = %v, %v; want nil, nil", set, err)
	}
	set, err = Inject(InjectOptions{Options: opts, Setenv: env.setenv, RequireStore: true})
	if set != nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Inject(RequireStore) with no secrets file = %v, %v; want nil, fs.ErrNotExist", set, err)
	}
	mustNotExist(t, opts.Root)
}

func TestInjectErrors(t *testing.T) {
	t.Run("invalid ID", func(t *testing.T) {
		env := fakeEnv{"USER_SECRETS_ID": "../x"}
		base := t.TempDir()
		_, err := Inject(InjectOptions{Options: Options{ProjectDir: base, Root: filepath.Join(base, "root"), LookupEnv: env.lookup}, Setenv: env.setenv})
		if !errors.Is(err, ErrInvalidID) {
			t.Errorf("Inject() with an invalid ID = %v, want ErrInvalidID (not ignored)", err)
		}
	})
	t.Run("broken file", func(t *testing.T) {
		env := fakeEnv{}
		opts := injectProject(t, env)
		s, _ := Open(opts)
		putFile(t, s.Path(), "A=1\nB='x\n")
		set, err := Inject(InjectOptions{Options: opts, Setenv: env.setenv})
		var pe *ParseError
		if set != nil || !errors.As(err, &pe) || pe.Line != 2 {
			t.Errorf("Inject() on a broken file = %v, %v; want a *ParseError at line 2", set, err)
		}
		if len(env) != 0 {
			t.Errorf("Inject set variables from a broken file")
		}
	})
	t.Run("setenv fails", func(t *testing.T) {
		env := fakeEnv{}
		opts := injectProject(t, env)
		setenv := func(k, v string) error {
			if k == "A" {
				return errors.New("setenv: invalid argument")
			}
			env[k] = v
			return nil
		}
		set, err := Inject(InjectOptions{Options: opts, Setenv: setenv})
		if fmt.Sprint(set) != "[C]" || err == nil || !strings.Contains(err.Error(), `"A"`) {
			t.Errorf("Inject() = %v, %v; want [C] and an error naming A", set, err)
		}
		if strings.Contains(err.Error(), "a-secret") {
			t.Errorf("error contains the value")
		}
	})
}

// TestInitUserSecrets runs the one-call set-up, which has no options: it
// reads the working directory and the process environment. t.Chdir and
// t.Setenv point both at temporary places (and restore them), so the real
// home and store are never used.
func TestInitUserSecrets(t *testing.T) {
	base := t.TempDir()
	skipIfAncestorDefinesID(t, base)
	proj := filepath.Join(base, "proj")
	putFile(t, filepath.Join(proj, "go.mod"), "module example.com/p\n")
	sub := filepath.Join(proj, "cmd", "app")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	t.Setenv("USER_SECRETS_DIR", filepath.Join(base, "root"))
	t.Setenv("USER_SECRETS_ID", "") // empty counts as unset
	const (
		injected = "USER_SECRETS_CORE_TEST_INJECTED"
		kept     = "USER_SECRETS_CORE_TEST_KEPT"
	)
	t.Setenv(injected, "")
	os.Unsetenv(injected) // unset now; t.Setenv's cleanup restores the original state
	t.Setenv(kept, "from-the-environment")

	set, err := InitUserSecrets()
	if err != nil || len(set) != 0 {
		t.Fatalf("InitUserSecrets() in a new project = %v, %v; want nothing set", set, err)
	}
	env := fileText(t, filepath.Join(proj, ".env"))
	id, line := scanID([]byte(env))
	if line == 0 || !v4ID.MatchString(id) {
		t.Fatalf("InitUserSecrets() did not write an ID to the module root's .env: %q", env)
	}

	s, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID() != id || filepath.Dir(s.Dir()) != filepath.Join(base, "root") {
		t.Fatalf("Open(Options{}) = %s in %s, want %s in the temporary root", s.ID(), s.Dir(), id)
	}
	if _, err := s.SetMany([]Entry{{Key: injected, Value: "v1"}, {Key: kept, Value: "from-the-store"}}); err != nil {
		t.Fatal(err)
	}
	set, err = InitUserSecrets()
	if err != nil || fmt.Sprint(set) != "["+injected+"]" {
		t.Fatalf("InitUserSecrets() = %v, %v; want [%s]", set, err, injected)
	}
	if v, _ := os.LookupEnv(injected); v != "v1" {
		t.Errorf("%s not injected", injected)
	}
	if v := os.Getenv(kept); v != "from-the-environment" {
		t.Errorf("%s was overridden; the real environment should win", kept)
	}
	if got := fileText(t, filepath.Join(proj, ".env")); got != env {
		t.Errorf("the second InitUserSecrets changed .env")
	}
}
