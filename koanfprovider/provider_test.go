package koanfprovider

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/joho/godotenv"
	"github.com/knadh/koanf/parsers/dotenv"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	"go.uber.org/goleak"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
	"github.com/go-user-secrets/user-secrets/internal/testguard"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(testguard.Wrap(m))
}

const (
	testID = "0f8fad5b-d9cb-469f-a165-70867728950e"
	// canary is stored as a secret value wherever an error is provoked; it
	// must never show up in an error.
	canary = "CANARY-s3cr3t-value"
)

// project is a temporary project with a .env naming testID, and a store
// root of its own. Nothing outside t.TempDir is read.
type project struct {
	dir   string // the project directory, holding .env
	root  string // the store root
	env   map[string]string
	store *core.Store
}

func newProject(t *testing.T) *project {
	t.Helper()
	p := &project{dir: t.TempDir(), root: t.TempDir(), env: map[string]string{}}
	writeFile(t, filepath.Join(p.dir, ".env"), "USER_SECRETS_ID="+testID+"\n")
	s, err := core.Open(core.Options{ID: testID, Root: p.root, LookupEnv: noEnv, WorkDir: p.dir})
	if err != nil {
		t.Fatal(err)
	}
	p.store = s
	return p
}

// noEnv is a LookupEnv that sees an empty environment.
func noEnv(string) (string, bool) { return "", false }

// opts returns Options that find the project through its .env, as a
// program started in p.dir would.
func (p *project) opts() Options {
	return Options{
		WorkDir: p.dir,
		Root:    p.root,
		LookupEnv: func(k string) (string, bool) {
			v, ok := p.env[k]
			return v, ok
		},
	}
}

// set stores secrets through the core store (the CLI's write path).
func (p *project) set(t *testing.T, kv ...string) {
	t.Helper()
	for i := 0; i < len(kv); i += 2 {
		if _, err := p.store.Set(kv[i], kv[i+1]); err != nil {
			t.Fatalf("Set(%q) = %v", kv[i], err)
		}
	}
}

// writeSecrets writes the secrets file directly, as another tool would.
func (p *project) writeSecrets(t *testing.T, content string) {
	t.Helper()
	if err := os.MkdirAll(p.store.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, p.store.Path(), content)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// noCanary fails the test if err's text holds the canary value.
func noCanary(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), canary) {
		t.Errorf("error contains a secret value: %v", err)
	}
}

// TestLayers loads config.yaml, .env, user secrets and the environment, in
// that order, and checks that each layer overrides the ones before it.
func TestLayers(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	yamlPath := filepath.Join(p.dir, "config.yaml")
	writeFile(t, yamlPath, "YAML_ONLY: yaml\nIN_DOTENV: yaml\nIN_SECRETS: yaml\nIN_ENV: yaml\nPORT: 8080\n")
	dotenvPath := filepath.Join(p.dir, ".env")
	writeFile(t, dotenvPath, "USER_SECRETS_ID="+testID+"\nIN_DOTENV=dotenv\nIN_SECRETS=dotenv\nIN_ENV=dotenv\n")
	p.set(t, "IN_SECRETS", "secrets", "IN_ENV", "secrets", "SECRET_ONLY", "s3cret value # not a comment")
	environ := []string{"IN_ENV=env", "UNRELATED=x"}

	want := map[string]any{
		"YAML_ONLY":       "yaml",
		"PORT":            8080,
		"IN_DOTENV":       "dotenv",
		"IN_SECRETS":      "secrets",
		"SECRET_ONLY":     "s3cret value # not a comment",
		"IN_ENV":          "env",
		"USER_SECRETS_ID": testID,
	}

	for _, tt := range []struct {
		name   string
		parser koanf.Parser
	}{
		{"ReadBytes+dotenv.Parser", dotenv.Parser()},
		{"ReadBytes+DotenvParser", DotenvParser("user secrets")},
		{"Read", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := koanf.New(".")
			mustLoad(t, k, file.Provider(yamlPath), yaml.Parser())
			mustLoad(t, k, file.Provider(dotenvPath), dotenv.Parser())
			mustLoad(t, k, Provider(p.opts()), tt.parser)
			mustLoad(t, k, env.Provider(".", env.Opt{
				EnvironFunc:   func() []string { return environ },
				TransformFunc: func(k, v string) (string, any) { return only(k, "IN_ENV"), v },
			}), nil)

			for key, w := range want {
				if got := k.Get(key); got != w {
					t.Errorf("k.Get(%q) = %#v, want %#v", key, got, w)
				}
			}
			if keys := k.Keys(); len(keys) != len(want) {
				t.Errorf("k.Keys() = %q, want %d keys", keys, len(want))
			}
		})
	}
}

// only keeps key when it is one of keep, else drops it ("").
func only(key string, keep ...string) string {
	for _, k := range keep {
		if key == k {
			return key
		}
	}
	return ""
}

// TestNestedLayers is TestLayers with nested keys: "__" separates levels
// in .env, the secrets and the environment, "." in koanf.
func TestNestedLayers(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	yamlPath := filepath.Join(p.dir, "config.yaml")
	writeFile(t, yamlPath, "db:\n  host: yamlhost\n  port: 5432\n  user: yamluser\n  password: yamlpass\napp:\n  name: demo\n")
	dotenvPath := filepath.Join(p.dir, ".env")
	writeFile(t, dotenvPath, "USER_SECRETS_ID="+testID+"\nDB__USER=dotenvuser\nDB__PASSWORD=dotenvpass\n")
	p.set(t, "DB__PASSWORD", "secretpass", "DB__HOST", "secrethost", "API__KEY", "k3y")
	environ := []string{"APP_DB__HOST=envhost", "HOME=/nowhere"}

	lower := func(s string) string { return strings.ToLower(s) }
	opts := p.opts()
	opts.Delimiter = "__"
	opts.TransformKey = lower

	k := koanf.New(".")
	mustLoad(t, k, file.Provider(yamlPath), yaml.Parser())
	mustLoad(t, k, file.Provider(dotenvPath), dotenv.ParserEnv("", "__", lower))
	mustLoad(t, k, Provider(opts), nil)
	mustLoad(t, k, env.Provider(".", env.Opt{
		Prefix:      "APP_",
		EnvironFunc: func() []string { return environ },
		TransformFunc: func(k, v string) (string, any) {
			return strings.ReplaceAll(lower(strings.TrimPrefix(k, "APP_")), "__", "."), v
		},
	}), nil)

	for key, w := range map[string]any{
		"db.port":     5432,         // yaml
		"app.name":    "demo",       // yaml
		"db.user":     "dotenvuser", // .env over yaml
		"db.password": "secretpass", // secrets over .env
		"api.key":     "k3y",        // secrets only
		"db.host":     "envhost",    // env over secrets
	} {
		if got := k.Get(key); got != w {
			t.Errorf("k.Get(%q) = %#v, want %#v", key, got, w)
		}
	}
	if got := k.MapKeys("db"); len(got) != 4 {
		t.Errorf(`k.MapKeys("db") = %q, want 4 keys`, got)
	}
}

func mustLoad(t *testing.T, k *koanf.Koanf, p koanf.Provider, pa koanf.Parser) {
	t.Helper()
	if err := k.Load(p, pa); err != nil {
		t.Fatalf("k.Load(%T) = %v", p, err)
	}
}

// TestZeroConfig checks that Provider() alone finds the project from the
// working directory, with the store root from $USER_SECRETS_DIR.
func TestZeroConfig(t *testing.T) {
	// Not parallel: it sets the process's environment and directory.
	p := newProject(t)
	p.set(t, "API_KEY", "abc123")
	sub := filepath.Join(p.dir, "internal", "pkg")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("USER_SECRETS_DIR", p.root)
	t.Setenv(core.EnvID, "")
	t.Chdir(sub) // as `go test` runs a package below the module root

	k := koanf.New(".")
	if err := k.Load(Provider(), dotenv.Parser()); err != nil {
		t.Fatalf("k.Load(Provider(), dotenv.Parser()) = %v", err)
	}
	if got := k.String("API_KEY"); got != "abc123" {
		t.Errorf(`k.String("API_KEY") = %q, want "abc123"`, got)
	}
}

// TestPythonFile reads a file python-env-secrets wrote: its unescaped
// quoting means something else to godotenv, yet both ways of loading give
// what core (and the Python tool) reads.
func TestPythonFile(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.writeSecrets(t, "# Python User Secrets\n"+
		"# Project: demo\n"+
		"API_KEY=abc123\n"+
		"GREETING=\"say \"hi\"\"\n"+
		"WIN_PATH=\"C:\\new folder\\x\"\n"+
		"PADDED=\"  padded  \"\n"+
		"HASH=\"a # b\"\n"+
		"DOLLAR=\"$HOME and ${USER}\"\n"+
		"SINGLE='it is'\n"+
		"EQUALS=\"a=b\"\n"+
		"URL=postgres://u:p@h/db?x=1&y=2\n"+
		"EMPTY=\n"+
		"export EXPORTED=yes\n")

	want, err := p.store.Map()
	if err != nil {
		t.Fatal(err)
	}
	if want["GREETING"] != `say "hi"` || want["WIN_PATH"] != `C:\new folder\x` {
		t.Fatalf("core reads the Python file differently than expected: %q", want)
	}

	for _, tt := range []struct {
		name   string
		parser koanf.Parser
	}{
		{"ReadBytes+dotenv.Parser", dotenv.Parser()},
		{"ReadBytes+DotenvParser", DotenvParser("user secrets")},
		{"Read", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := koanf.New(".")
			mustLoad(t, k, Provider(p.opts()), tt.parser)
			got := k.StringMap("")
			if !maps.Equal(got, want) {
				t.Errorf("loaded %q, want %q", got, want)
			}
		})
	}
}

// hardValues are values that the dotenv readers disagree about.
var hardValues = []string{
	"", "plain", " lead", "trail ", "\tTab", "a\tb", "a#b", "a #b", "#start", "a=b", "$HOME", "${X}", "a$", `\$X`,
	"it's", `say "hi"`, `both ' and "`, `trail\`, `\n as text`, "real\nnewline", "cr\rhere", "crlf\r\n",
	"é ü 日本", "nbsp\u00a0x", "\u00a0lead", "ls\u2028sep", `{"json": [1, "two"]}`, "'quoted'", `"dq"`,
	"-----BEGIN KEY-----\nMIIB\n-----END KEY-----\n", strings.Repeat("long", 2000), "back\\slash", `\\`, "x\v", "\fy",
	"a\tb\\", "tab\tand\nnewline",
	// godotenv reads these wrong in every form.
	`'single then double"`, `"dq then backslash\`, `'a\`, "'x\ny\"", `'"`, "x'\n\\",
}

// TestReadBytesRoundTrip checks that godotenv reads ReadBytes' text back
// as exactly the stored values, or that ReadBytes refuses, naming the key
// but not the value, exactly where core says godotenv cannot; and that
// Read carries every value.
func TestReadBytesRoundTrip(t *testing.T) {
	t.Parallel()
	for i, v := range hardValues {
		p := newProject(t)
		key := "K" + string(rune('A'+i%26)) + strings.Repeat("X", i/26)
		p.set(t, "FIRST", "1", key, v, "LAST", "2")
		_, misread := compat.FormatValue(v)
		cannot := misread&compat.ReaderGodotenv != 0

		data, err := Provider(p.opts()).ReadBytes()
		switch {
		case cannot && err == nil:
			t.Errorf("value %d: ReadBytes() = nil error, want an error for a value godotenv cannot read", i)
		case cannot:
			if !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "k.Load(p, nil)") {
				t.Errorf("value %d: ReadBytes() error %q does not name the key and k.Load(p, nil)", i, err)
			}
			if len(v) > 2 && strings.Contains(err.Error(), v) {
				t.Errorf("value %d: ReadBytes() error contains the value", i)
			}
			// And godotenv really cannot: no form reads back as v.
			for f := compat.FormBare; f <= compat.FormDouble; f++ {
				if got, err := godotenv.Unmarshal("K=" + compat.Render(f, v)); err == nil && got["K"] == v {
					t.Errorf("value %d: ReadBytes() refused it, yet godotenv reads the %v form exactly", i, f)
				}
			}
		case err != nil:
			t.Errorf("value %d: ReadBytes() = %v", i, err)
		default:
			got, err := godotenv.Unmarshal(string(data))
			if err != nil {
				t.Errorf("value %d: godotenv.Unmarshal(ReadBytes()) = %v", i, err)
			} else if want := map[string]string{"FIRST": "1", key: v, "LAST": "2"}; !maps.Equal(got, want) {
				t.Errorf("value %d: godotenv.Unmarshal(ReadBytes()) = %q, want %q", i, got, want)
			}
		}

		m, err := Provider(p.opts()).Read()
		if err != nil {
			t.Errorf("value %d: Read() = %v", i, err)
		} else if m[key] != v {
			t.Errorf("value %d: Read()[%q] = %q, want %q", i, key, m[key], v)
		}
	}
}

func TestReadBytesFormat(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "B", "a #b", "A", "1", "C", "it's #c")
	data, err := Provider(p.opts()).ReadBytes()
	if err != nil {
		t.Fatal(err)
	}
	// File order, each value as compat.FormatValue writes it, the header
	// comment left out.
	if want := "B='a #b'\nA=1\nC=\"it's #c\"\n"; string(data) != want {
		t.Errorf("ReadBytes() = %q, want %q", data, want)
	}
}

func TestMissing(t *testing.T) {
	t.Parallel()
	noID := func(t *testing.T) Options {
		dir := t.TempDir()
		return Options{WorkDir: dir, Root: t.TempDir(), LookupEnv: func(string) (string, bool) { return "", false }}
	}
	noFile := func(t *testing.T) Options { return newProject(t).opts() }
	tests := []struct {
		name    string
		opts    func(t *testing.T) Options
		wantErr error
	}{
		{"no ID", noID, core.ErrNoID},
		{"no file", noFile, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts(t)
			p := Provider(opts)
			if b, err := p.ReadBytes(); err != nil || len(b) != 0 {
				t.Errorf("ReadBytes() = %q, %v, want no text and no error", b, err)
			}
			if m, err := p.Read(); err != nil || len(m) != 0 {
				t.Errorf("Read() = %v, %v, want an empty map", m, err)
			}
			k := koanf.New(".")
			mustLoad(t, k, p, dotenv.Parser())
			mustLoad(t, k, p, nil)
			if len(k.Keys()) != 0 {
				t.Errorf("k.Keys() = %q, want none", k.Keys())
			}

			opts.RequireStore = true
			p = Provider(opts)
			if _, err := p.ReadBytes(); !errors.Is(err, tt.wantErr) {
				t.Errorf("RequireStore: ReadBytes() = %v, want %v", err, tt.wantErr)
			}
			if _, err := p.Read(); !errors.Is(err, tt.wantErr) {
				t.Errorf("RequireStore: Read() = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		secrets  string // the file's content
		opts     func(*Options)
		env      map[string]string
		wantErr  error  // for errors.Is, when set
		wantText string // in the error text
		bytesOK  bool   // ReadBytes succeeds
		readOK   bool   // Read succeeds
	}{
		{
			name:     "parse error",
			secrets:  "A=1\nB='" + canary + "\n",
			wantText: ".secrets:2:",
		},
		{
			name:     "invalid UTF-8",
			secrets:  "A=1\nB=" + canary + "\xff\n",
			wantText: ".secrets:2:",
		},
		{
			name:     "invalid ID",
			env:      map[string]string{"USER_SECRETS_ID": "../not-a-uuid"},
			wantErr:  core.ErrInvalidID,
			wantText: "$USER_SECRETS_ID",
		},
		{
			name:     "key godotenv cannot read",
			secrets:  "# Python User Secrets\nOK=1\nMY-KEY=" + canary + "\n",
			wantErr:  core.ErrInvalidKey,
			wantText: `.secrets:3: invalid key "MY-KEY"`,
			readOK:   true,
		},
		{
			name:     "value godotenv cannot read",
			secrets:  `QUOTES="'` + canary + `\""` + "\n",
			wantText: `.secrets:1: secret "QUOTES"`,
			readOK:   true,
		},
		{
			name:     "nesting conflict",
			secrets:  "DB=" + canary + "\nDB__PASSWORD=" + canary + "\n",
			opts:     func(o *Options) { o.Delimiter = "__" },
			wantText: `secret "DB__PASSWORD" conflicts with secret "DB" (line 1)`,
			bytesOK:  true,
		},
		{
			name:     "nesting conflict after TransformKey",
			secrets:  "db=" + canary + "\nDB__PASSWORD=" + canary + "\n",
			opts:     func(o *Options) { o.Delimiter = "__"; o.TransformKey = strings.ToLower },
			wantText: `secret "DB__PASSWORD" conflicts with secret "db" (line 1)`,
			bytesOK:  true,
		},
		{
			name:     "empty part",
			secrets:  "DB____PASSWORD=" + canary + "\n",
			opts:     func(o *Options) { o.Delimiter = "__" },
			wantText: `secret "DB____PASSWORD": nesting it on "." and "__" leaves an empty part`,
			bytesOK:  true,
		},
		{
			name:     "empty part on the dot",
			secrets:  "A..B=" + canary + "\n",
			wantText: `.secrets:1: secret "A..B": nesting it on "." leaves an empty part`,
		},
		{
			name:     "two keys nest into the same key",
			secrets:  "DB.PASSWORD=" + canary + "\nDB__PASSWORD=" + canary + "\n",
			opts:     func(o *Options) { o.Delimiter = "__" },
			wantText: `.secrets:2: secrets "DB__PASSWORD" and "DB.PASSWORD" (line 1) nest into the same key "DB.PASSWORD"`,
			bytesOK:  true,
		},
		{
			name:     "dotted key and its section",
			secrets:  "DB=" + canary + "\nDB.PASSWORD=" + canary + "\n",
			wantText: `.secrets:2: secret "DB.PASSWORD" conflicts with secret "DB" (line 1): "DB" would be both a value and a section`,
		},
		{
			name:     "same key after a lower-casing TransformKey",
			secrets:  "API_KEY=" + canary + "\napi_key=" + canary + "\n",
			opts:     func(o *Options) { o.TransformKey = strings.ToLower },
			wantText: `.secrets:2: secrets "api_key" and "API_KEY" (line 1) are the same key "api_key" after TransformKey`,
		},
		{
			name:    "two keys TransformKey maps to one",
			secrets: "APP_TOKEN=" + canary + "\nTOKEN=" + canary + "\n",
			opts: func(o *Options) {
				o.TransformKey = func(k string) string { return strings.TrimPrefix(k, "APP_") }
			},
			wantText: `.secrets:2: secrets "TOKEN" and "APP_TOKEN" (line 1) are the same key "TOKEN" after TransformKey`,
		},
		{
			name:    "value and section after TransformKey",
			secrets: "DB=" + canary + "\nDB_PASSWORD=" + canary + "\n",
			opts: func(o *Options) {
				o.TransformKey = func(k string) string { return strings.ReplaceAll(strings.ToLower(k), "_", ".") }
			},
			wantText: `.secrets:2: secret "DB_PASSWORD" conflicts with secret "DB" (line 1): "db" would be both a value and a section`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			maps.Copy(p.env, tt.env)
			if tt.secrets != "" {
				p.writeSecrets(t, tt.secrets)
			}
			opts := p.opts()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			check := func(method string, ok bool, err error) {
				t.Helper()
				noCanary(t, err)
				if ok {
					if err != nil {
						t.Errorf("%s() = %v, want no error", method, err)
					}
					return
				}
				if err == nil {
					t.Fatalf("%s() = nil error, want one", method)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("%s() = %v, want %v", method, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantText) {
					t.Errorf("%s() = %q, want it to contain %q", method, err, tt.wantText)
				}
			}
			_, err := Provider(opts).ReadBytes()
			check("ReadBytes", tt.bytesOK, err)
			_, err = Provider(opts).Read()
			check("Read", tt.readOK, err)
			err = koanf.New(".").Load(Provider(opts), dotenv.Parser())
			check("k.Load(dotenv.Parser)", tt.bytesOK, err)
			err = koanf.New(".").Load(Provider(opts), DotenvParser("user secrets"))
			check("k.Load(DotenvParser)", tt.bytesOK, err)
		})
	}
}

func TestUnreadableValueIsUnreadable(t *testing.T) {
	t.Parallel()
	// TestErrors relies on godotenv being unable to read this value.
	if _, misread := compat.FormatValue("'" + canary + `"`); misread&compat.ReaderGodotenv == 0 {
		t.Fatalf("compat.FormatValue says godotenv reads %q: pick another value for TestErrors", "'x\"")
	}
}

func TestParseErrorType(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.writeSecrets(t, "A=1\nnot a definition\n")
	_, err := Provider(p.opts()).Read()
	var pe *core.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.File != p.store.Path() {
		t.Fatalf("Read() = %v, want a *core.ParseError for line 2 of %s", err, p.store.Path())
	}
}

func TestTransformKey(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "APP_DB__HOST", "h", "APP_NAME", "n", "OTHER", "dropped")
	opts := p.opts()
	opts.TransformKey = func(k string) string {
		if rest, ok := strings.CutPrefix(k, "APP_"); ok {
			return strings.ToLower(rest)
		}
		return ""
	}
	data, err := Provider(opts).ReadBytes()
	if err != nil {
		t.Fatal(err)
	}
	if want := "db__host=h\nname=n\n"; string(data) != want {
		t.Errorf("ReadBytes() = %q, want %q", data, want)
	}

	opts.Delimiter = "__"
	m, err := Provider(opts).Read()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"db": map[string]any{"host": "h"}, "name": "n"}
	if !equalTree(m, want) {
		t.Errorf("Read() = %v, want %v", m, want)
	}
}

// TestReadIsFresh checks that every Read and ReadBytes reads the file and
// resolves the ID anew.
func TestReadIsFresh(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	prov := Provider(p.opts())
	p.set(t, "A", "1")
	if m, _ := prov.Read(); m["A"] != "1" {
		t.Fatalf("Read()[A] = %v, want 1", m["A"])
	}
	p.set(t, "A", "2")
	if m, _ := prov.Read(); m["A"] != "2" {
		t.Fatalf("Read()[A] after Set = %v, want 2", m["A"])
	}
}

// TestUnmarshalSeesDottedKeys: a key that TransformKey makes dotted is
// nested on ".", so k.Unmarshal fills the struct with the secret, not with
// the config file's value that k.String already shows it over.
func TestUnmarshalSeesDottedKeys(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	yamlPath := filepath.Join(p.dir, "config.yaml")
	writeFile(t, yamlPath, "db:\n  host: yamlhost\n  password: yamlpass\n")
	p.set(t, "DB_PASSWORD", "secretpass")
	opts := p.opts()
	opts.TransformKey = func(k string) string { return strings.ReplaceAll(strings.ToLower(k), "_", ".") }

	for _, tt := range []struct {
		name   string
		parser koanf.Parser
	}{
		{"Read", nil},
		{"ReadBytes+DotenvParser", DotenvParser("user secrets")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := koanf.New(".")
			mustLoad(t, k, file.Provider(yamlPath), yaml.Parser())
			mustLoad(t, k, Provider(opts), tt.parser)
			var c struct {
				DB struct {
					Host     string `koanf:"host"`
					Password string `koanf:"password"`
				} `koanf:"db"`
			}
			if err := k.Unmarshal("", &c); err != nil {
				t.Fatal(err)
			}
			if c.DB.Password != "secretpass" || c.DB.Host != "yamlhost" {
				t.Errorf("k.Unmarshal: db = {host %q, password %q}, want {yamlhost, secretpass}", c.DB.Host, c.DB.Password)
			}
			if got := k.String("db.password"); got != "secretpass" {
				t.Errorf(`k.String("db.password") = %q, want "secretpass"`, got)
			}
		})
	}
}

func TestProviderTwoOptions(t *testing.T) {
	t.Parallel()
	p := Provider(Options{}, Options{})
	const want = "given 2 Options, want at most one"
	if _, err := p.ReadBytes(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ReadBytes() = %v, want an error containing %q", err, want)
	}
	if _, err := p.Read(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Read() = %v, want an error containing %q", err, want)
	}
	if err := p.Watch(func(any, error) {}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Watch() = %v, want an error containing %q", err, want)
	}
	if err := p.Unwatch(); err != nil {
		t.Errorf("Unwatch() = %v, want nil", err)
	}
	if err := koanf.New(".").Load(p, nil); err == nil {
		t.Error("k.Load(Provider(Options{}, Options{}), nil) = nil, want an error")
	}
}

func equalTree(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			return false
		}
		am, aIsMap := av.(map[string]any)
		bm, bIsMap := bv.(map[string]any)
		switch {
		case aIsMap != bIsMap:
			return false
		case aIsMap:
			if !equalTree(am, bm) {
				return false
			}
		case av != bv:
			return false
		}
	}
	return true
}
