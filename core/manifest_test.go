package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRequiredKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		manifest string
		want     []string
	}{
		{"empty", "", nil},
		{"values ignored", "API_KEY=\nDATABASE_URL=postgres://localhost/dev\n", []string{"API_KEY", "DATABASE_URL"}},
		{"optional marker", "API_KEY=\nPORT=8080 # optional\nDEBUG= # Optional: off by default\nTOKEN= # required\n", []string{"API_KEY", "TOKEN"}},
		{"comments", "# the keys\n# OLD_KEY=\nAPI_KEY= # from the dashboard\n\n  # optional\nB=\n", []string{"API_KEY", "B"}},
		{"export", "export API_KEY=\nexport\tPORT=1 # optional\n", []string{"API_KEY"}},
		{"quotes", "A=\"x # y\" # optional\nB='# optional'\nC=\"multi\nD=line\" # optional\nE=\"\"\n", []string{"B", "E"}},
		{"BOM and CRLF", "\ufeffA=\r\nB= # optional\r\nC=\r\n", []string{"A", "C"}},
		{"duplicates once, first place", "A=\nB=\nA= # optional\nA=\n", []string{"A", "B"}},
		{"the ID is not required", "USER_SECRETS_ID=\nA=\n", []string{"A"}},
		{"lines it does not read skipped", "not a definition\n=x\nA=\n", []string{"A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			putFile(t, filepath.Join(dir, ".env.example"), tt.manifest)
			got, err := RequiredKeys(Options{ProjectDir: dir, Root: filepath.Join(dir, "root"), LookupEnv: emptyEnv})
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RequiredKeys(%q) = %q, %v; want %q", tt.manifest, got, err, tt.want)
			}
		})
	}
}

// The manifest is the project directory's: the one whose .env holds the
// ID, or where Init would write one.
func TestRequiredKeysProjectDir(t *testing.T) {
	t.Parallel()
	t.Run("the .env holding the ID", func(t *testing.T) {
		base := t.TempDir()
		putFile(t, filepath.Join(base, ".env"), "USER_SECRETS_ID="+fixtureID+"\n")
		putFile(t, filepath.Join(base, ".env.example"), "FROM_PROJECT=\n")
		sub := filepath.Join(base, "cmd", "server")
		putFile(t, filepath.Join(sub, ".env.example"), "NOT_THIS=\n")
		got, err := RequiredKeys(Options{WorkDir: sub, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv})
		if err != nil || !reflect.DeepEqual(got, []string{"FROM_PROJECT"}) {
			t.Errorf("RequiredKeys(from a subdirectory) = %q, %v; want [FROM_PROJECT]", got, err)
		}
	})
	t.Run("no ID: where Init would write", func(t *testing.T) {
		base := t.TempDir()
		putFile(t, filepath.Join(base, "go.mod"), "module example.com/x\n")
		putFile(t, filepath.Join(base, ".env.example"), "FROM_MODULE=\n")
		sub := filepath.Join(base, "internal", "x")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		skipIfAncestorDefinesID(t, base)
		got, err := RequiredKeys(Options{WorkDir: sub, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv})
		if err != nil || !reflect.DeepEqual(got, []string{"FROM_MODULE"}) {
			t.Errorf("RequiredKeys(no ID) = %q, %v; want [FROM_MODULE]", got, err)
		}
		mustNotExist(t, filepath.Join(base, "root"))
		mustNotExist(t, filepath.Join(base, ".env"))
	})
}

func TestRequiredKeysErrors(t *testing.T) {
	t.Parallel()
	t.Run("no manifest", func(t *testing.T) {
		dir := t.TempDir()
		_, err := RequiredKeys(Options{ProjectDir: dir, Root: filepath.Join(dir, "root"), LookupEnv: emptyEnv})
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(dir, ".env.example")) {
			t.Errorf("RequiredKeys(no manifest) = %v; want fs.ErrNotExist naming the file", err)
		}
	})
	t.Run("a directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, ".env.example"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := RequiredKeys(Options{ProjectDir: dir, Root: filepath.Join(dir, "root"), LookupEnv: emptyEnv})
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, ".env.example")) {
			t.Errorf("RequiredKeys(a directory) = %v; want an error naming it", err)
		}
	})
	t.Run("invalid ID", func(t *testing.T) {
		dir := t.TempDir()
		putFile(t, filepath.Join(dir, ".env.example"), "A=\n")
		_, err := RequiredKeys(Options{ProjectDir: dir, ID: "../x", Root: filepath.Join(dir, "root"), LookupEnv: emptyEnv})
		if !errors.Is(err, ErrInvalidID) {
			t.Errorf("RequiredKeys(invalid ID) = %v; want ErrInvalidID", err)
		}
	})
}

func TestMissingKeysError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		keys []string
		want string
	}{
		{[]string{"API_KEY"}, `required key "API_KEY" is not set: run 'user-secrets set API_KEY', or set it in the environment`},
		{[]string{"API_KEY", "db.password"}, `2 required keys are not set: "API_KEY" ('user-secrets set API_KEY'), "db.password" ('user-secrets set db.password'); or set them in the environment`},
	}
	for _, tt := range tests {
		var err error = &MissingKeysError{Keys: tt.keys}
		if got := err.Error(); got != tt.want {
			t.Errorf("MissingKeysError%q.Error() =\n%s\nwant\n%s", tt.keys, got, tt.want)
		}
		wrapped := fmt.Errorf("start: %w", err)
		var me *MissingKeysError
		if !errors.Is(wrapped, ErrMissingKeys) || !errors.As(wrapped, &me) || !reflect.DeepEqual(me.Keys, tt.keys) {
			t.Errorf("MissingKeysError%q does not match ErrMissingKeys and *MissingKeysError when wrapped", tt.keys)
		}
		if errors.Is(err, ErrNotFound) {
			t.Errorf("MissingKeysError matches ErrNotFound")
		}
	}
}

// Required keys are checked in the environment after the injection: a
// secret, or a variable of the environment itself, satisfies one; an empty
// value does not.
func TestInjectRequired(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		before   fakeEnv
		required []string
		wantSet  []string
		missing  []string // nil: no error
	}{
		{"none required", fakeEnv{}, nil, []string{"C", "A", "B"}, nil},
		{"all from secrets", fakeEnv{}, []string{"A", "C"}, []string{"C", "A", "B"}, nil},
		{"from the environment", fakeEnv{"CI_ONLY": "x"}, []string{"A", "CI_ONLY"}, []string{"C", "A", "B"}, nil},
		{"an empty secret is missing", fakeEnv{}, []string{"B"}, []string{"C", "A", "B"}, []string{"B"}},
		{"an empty variable that wins is missing", fakeEnv{"A": ""}, []string{"A", "C"}, []string{"C", "B"}, []string{"A"}},
		{"every missing key, in order", fakeEnv{}, []string{"Z", "A", "Y", "B"}, []string{"C", "A", "B"}, []string{"Z", "Y", "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := fakeEnv{}
			opts := injectProject(t, env)
			for k, v := range tt.before {
				env[k] = v
			}
			set, err := Inject(InjectOptions{Options: opts, Setenv: env.setenv, Required: tt.required})
			if fmt.Sprint(set) != fmt.Sprint(tt.wantSet) {
				t.Errorf("Inject() set %v, want %v (the secrets are injected even when keys are missing)", set, tt.wantSet)
			}
			checkMissing(t, err, tt.missing)
		})
	}
}

// checkMissing fails unless err is nil when want is, or a
// *MissingKeysError naming exactly want.
func checkMissing(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("error %v, want none", err)
		}
		return
	}
	var me *MissingKeysError
	if !errors.Is(err, ErrMissingKeys) || !errors.As(err, &me) || !reflect.DeepEqual(me.Keys, want) {
		t.Errorf("error %v, want a *MissingKeysError naming %q", err, want)
	}
}

// Without an ID, nothing is injected, and the environment alone must hold
// the required keys: CI sets them as plain variables.
func TestInjectRequiredNoStore(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "proj")
	putFile(t, filepath.Join(dir, ".env"), "DEBUG=1\n")
	env := fakeEnv{"API_KEY": "from-ci"}
	opts := Options{ProjectDir: dir, Root: filepath.Join(base, "root"), LookupEnv: env.lookup}

	set, err := Inject(InjectOptions{Options: opts, Setenv: env.setenv, Required: []string{"API_KEY"}})
	if set != nil || err != nil {
		t.Errorf("Inject(Required, no ID, set in the environment) = %v, %v; want nil, nil", set, err)
	}
	set, err = Inject(InjectOptions{Options: opts, Setenv: env.setenv, Required: []string{"API_KEY", "DB_URL"}})
	if set != nil {
		t.Errorf("Inject(no ID) set %v", set)
	}
	checkMissing(t, err, []string{"DB_URL"})
	// RequireStore still comes first.
	_, err = Inject(InjectOptions{Options: opts, Setenv: env.setenv, Required: []string{"DB_URL"}, RequireStore: true})
	if !errors.Is(err, ErrNoID) {
		t.Errorf("Inject(RequireStore, Required, no ID) = %v, want ErrNoID", err)
	}
	mustNotExist(t, opts.Root)
}

// The required-keys errors name keys only, never the values beside them.
func TestNoSecretInMissingKeys(t *testing.T) {
	t.Parallel()
	c := &leakChecker{t: t}
	_, opts := leakStore(t)
	env := fakeEnv{"EMPTY": "", "OTHER": canary}
	opts.LookupEnv = env.lookup
	c.run("Inject(Required)", func() error {
		_, err := Inject(InjectOptions{Options: opts, Setenv: env.setenv, Required: []string{"API_KEY", "MISSING", "EMPTY", "OTHER"}})
		return err
	})
	putFile(t, filepath.Join(opts.ProjectDir, ".env.example"), "API_KEY="+canary+" # optional\nB='"+canary+"\n")
	keys, err := RequiredKeys(opts)
	if err != nil {
		t.Fatal(err)
	}
	c.run("Inject(RequiredKeys)", func() error {
		_, err := Inject(InjectOptions{Options: opts, Setenv: env.setenv, Required: keys})
		return err
	})
	c.run("RequiredKeys(no manifest)", func() error {
		_, err := RequiredKeys(Options{ProjectDir: t.TempDir(), Root: opts.Root, LookupEnv: emptyEnv})
		return err
	})
}
