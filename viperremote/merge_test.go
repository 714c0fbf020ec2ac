package viperremote

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/viper"
)

func TestMergeOverridesFileAndDefaults(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t,
		"API_KEY", "from-secrets",
		"ONLY_SECRET", "secret-only",
		"db.password", "pw-from-secrets",
		"Timeout", "30s",
	)
	v, _ := yamlViper(t, t.TempDir(), `
api_key: from-file
only_file: file-only
db:
  host: db.example
  password: pw-from-file
`)
	v.SetDefault("api_key", "from-default")
	v.SetDefault("only_default", "default-only")
	v.SetDefault("timeout", "10s")
	v.SetDefault("db.port", 5432)

	if err := Merge(v, p.opts); err != nil {
		t.Fatalf("Merge: %v", err)
	}
	for _, tc := range []struct{ key, want string }{
		{"api_key", "from-secrets"},        // secret over file over default
		{"API_KEY", "from-secrets"},        // Viper lower-cases lookups too
		{"only_secret", "secret-only"},     // secret alone
		{"only_file", "file-only"},         // file alone
		{"only_default", "default-only"},   // default alone
		{"timeout", "30s"},                 // secret over default
		{"db.password", "pw-from-secrets"}, // dotted secret nests over the file's section
		{"db.host", "db.example"},          // the rest of the section stays
		{"db.port", "5432"},                // default under the section
	} {
		if got := v.GetString(tc.key); got != tc.want {
			t.Errorf("GetString(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
	if got := v.Sub("db").GetString("password"); got != "pw-from-secrets" {
		t.Errorf(`Sub("db").GetString("password") = %q, want the secret`, got)
	}
	var cfg struct {
		APIKey string `mapstructure:"api_key"`
		DB     struct {
			Host     string
			Password string
		}
	}
	if err := v.Unmarshal(&cfg); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if cfg.APIKey != "from-secrets" || cfg.DB.Password != "pw-from-secrets" || cfg.DB.Host != "db.example" {
		t.Errorf("Unmarshal = %+v, want the secrets over the file", cfg)
	}
}

// TestMergePrecedence pins where merged secrets sit among Viper's layers:
// below v.Set, flags and the environment, above the config file, the
// key/value store and defaults.
func TestMergePrecedence(t *testing.T) {
	p := newProject(t)
	p.set(t, "FROM_ENV", "secret", "FROM_SET", "secret")
	t.Setenv("VRTEST_FROM_ENV", "env")
	v, _ := yamlViper(t, t.TempDir(), "from_env: file\nfrom_set: file\n")
	v.SetEnvPrefix("VRTEST")
	v.AutomaticEnv()
	if err := Merge(v, p.opts); err != nil {
		t.Fatal(err)
	}
	v.Set("from_set", "set")
	if got := v.GetString("from_env"); got != "env" {
		t.Errorf(`GetString("from_env") = %q, want the environment's "env"`, got)
	}
	if got := v.GetString("from_set"); got != "set" {
		t.Errorf(`GetString("from_set") = %q, want v.Set's "set"`, got)
	}
}

// TestMergeAfterReadInConfig shows why Merge must follow ReadInConfig: a
// read replaces the config layer.
func TestMergeAfterReadInConfig(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "API_KEY", "from-secrets")
	v, _ := yamlViper(t, t.TempDir(), "api_key: from-file\n")
	if err := Merge(v, p.opts); err != nil {
		t.Fatal(err)
	}
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	if got := v.GetString("api_key"); got != "from-file" {
		t.Errorf("after ReadInConfig, GetString = %q, want the file's value", got)
	}
}

func TestMergeDelimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		delim   string
		kv      []string
		want    map[string]string
		wantErr []string // substrings of the error
	}{
		{
			name:  "flat by default",
			kv:    []string{"DB__PASSWORD", "pw"},
			want:  map[string]string{"db__password": "pw", "db.password": ""},
			delim: "",
		},
		{
			name:  "nested on __",
			delim: "__",
			kv:    []string{"DB__PASSWORD", "pw", "DB__HOST", "h", "A__B__C", "abc", "PLAIN", "p"},
			want:  map[string]string{"db.password": "pw", "db.host": "h", "a.b.c": "abc", "plain": "p", "db__password": ""},
		},
		{
			name:  "dot and delimiter together",
			delim: "__",
			kv:    []string{"APP.DB__USER", "u"},
			want:  map[string]string{"app.db.user": "u"},
		},
		{
			name:  "single underscore delimiter",
			delim: "_",
			kv:    []string{"DB_PASSWORD", "pw"},
			want:  map[string]string{"db.password": "pw"},
		},
		{
			name:    "value and section conflict",
			delim:   "__",
			kv:      []string{"DB", canary, "DB__PASSWORD", canary},
			wantErr: []string{`"DB__PASSWORD"`, `"DB"`, ".secrets:", "line "},
		},
		{
			name:    "section then value conflict",
			delim:   "__",
			kv:      []string{"DB__PASSWORD", canary, "DB", canary},
			wantErr: []string{`"DB__PASSWORD"`, `"DB"`},
		},
		{
			name:    "dotted conflict without delimiter",
			kv:      []string{"db", canary, "db.password", canary},
			wantErr: []string{`"db.password"`, `"db"`},
		},
		{
			name:    "empty part",
			delim:   "__",
			kv:      []string{"A____B", canary},
			wantErr: []string{`"A____B"`, "empty part"},
		},
		{
			name:    "trailing dot",
			kv:      []string{"a.", canary},
			wantErr: []string{`"a."`, "empty part"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			p.set(t, tc.kv...)
			opts := p.opts
			opts.Delimiter = tc.delim
			v := viper.New()
			err := Merge(v, opts)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("Merge(delimiter %q) = nil, want an error", tc.delim)
				}
				for _, s := range tc.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("Merge error %q does not contain %q", err, s)
					}
				}
				noCanary(t, "Merge error", err.Error())
				if len(v.AllKeys()) != 0 {
					t.Errorf("Merge failed but merged %d keys", len(v.AllKeys()))
				}
				return
			}
			if err != nil {
				t.Fatalf("Merge: %v", err)
			}
			for k, want := range tc.want {
				if got := v.GetString(k); got != want {
					t.Errorf("GetString(%q) = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestMergeConflictNamesLines(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	writeFile(t, p.store.Path(), "# header\nDB="+canary+"\n\nDB__PASSWORD="+canary+"\n")
	opts := p.opts
	opts.Delimiter = "__"
	err := Merge(viper.New(), opts)
	if err == nil {
		t.Fatal("Merge = nil, want a conflict error")
	}
	want := p.store.Path() + `:4: secret "DB__PASSWORD" conflicts with secret "DB" (line 2)`
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Merge error = %q, want it to start with %q", err, want)
	}
	noCanary(t, "Merge error", err.Error())
}

// TestMergeKeyCollisions: two secrets that Viper would hold as one key are
// an error naming both, never a value, and nothing is merged.
func TestMergeKeyCollisions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		secrets   string
		opts      func(*Options)
		wantText  string
		wantValue map[string]string // when it merges
	}{
		{
			name:     "differ only in case",
			secrets:  "API_KEY=" + canary + "\napi_key=" + canary + "\n",
			wantText: `.secrets:2: secrets "api_key" and "API_KEY" (line 1) are the same key "api_key" once lower-cased`,
		},
		{
			name:    "TransformKey maps two keys to one",
			secrets: "APP_TOKEN=" + canary + "\nTOKEN=" + canary + "\n",
			opts: func(o *Options) {
				o.TransformKey = func(k string) string { return strings.TrimPrefix(k, "APP_") }
			},
			wantText: `.secrets:2: secrets "TOKEN" and "APP_TOKEN" (line 1) are the same key "token" after TransformKey and lower-casing`,
		},
		{
			name:     "nest into the same key",
			secrets:  "DB.PASSWORD=" + canary + "\nDB__PASSWORD=" + canary + "\n",
			opts:     func(o *Options) { o.Delimiter = "__" },
			wantText: `.secrets:2: secrets "DB__PASSWORD" and "DB.PASSWORD" (line 1) nest into the same key "db.password"`,
		},
		{
			name:    "value and section after TransformKey",
			secrets: "DB=" + canary + "\nDB_PASSWORD=" + canary + "\n",
			opts: func(o *Options) {
				o.TransformKey = func(k string) string { return strings.ReplaceAll(k, "_", ".") }
			},
			wantText: `.secrets:2: secret "DB_PASSWORD" conflicts with secret "DB" (line 1): "db" would be both a value and a section`,
		},
		{
			name:    "TransformKey drops and renames",
			secrets: "APP_DB_PASSWORD=pw\nOTHER=x\n",
			opts: func(o *Options) {
				o.TransformKey = func(k string) string {
					rest, ok := strings.CutPrefix(k, "APP_")
					if !ok {
						return ""
					}
					return strings.Replace(rest, "_", ".", 1)
				}
			},
			wantValue: map[string]string{"db.password": "pw", "other": ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			writeFile(t, p.store.Path(), tc.secrets)
			opts := p.opts
			if tc.opts != nil {
				tc.opts(&opts)
			}
			v := viper.New()
			err := Merge(v, opts)
			if tc.wantValue != nil {
				if err != nil {
					t.Fatalf("Merge = %v", err)
				}
				for k, want := range tc.wantValue {
					if got := v.GetString(k); got != want {
						t.Errorf("GetString(%q) = %q, want %q", k, got, want)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("Merge = %v, want an error containing %q", err, tc.wantText)
			}
			noCanary(t, "Merge error", err.Error())
			if len(v.AllKeys()) != 0 {
				t.Errorf("Merge failed but merged %q", v.AllKeys())
			}
		})
	}
}

func TestMergeMissing(t *testing.T) {
	t.Parallel()
	noID := func(t *testing.T) Options {
		dir := t.TempDir()
		return Options{ProjectDir: dir, Root: t.TempDir(), LookupEnv: noEnv, WorkDir: dir}
	}
	noFile := func(t *testing.T) Options { return newProject(t).opts }
	tests := []struct {
		name     string
		opts     func(*testing.T) Options
		required bool
		wantIs   error
	}{
		{"no ID", noID, false, nil},
		{"no ID required", noID, true, core.ErrNoID},
		{"no file", noFile, false, nil},
		{"no file required", noFile, true, fs.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts(t)
			opts.RequireStore = tc.required
			v := viper.New()
			v.SetDefault("keep", "default")
			err := Merge(v, opts)
			if !errors.Is(err, tc.wantIs) || (tc.wantIs == nil) != (err == nil) {
				t.Fatalf("Merge = %v, want %v", err, tc.wantIs)
			}
			if got := v.AllKeys(); len(got) != 1 {
				t.Errorf("AllKeys = %q, want only the default", got)
			}
			if err := Merge(v, opts); !errors.Is(err, tc.wantIs) {
				t.Errorf("second Merge = %v, want %v", err, tc.wantIs)
			}
			for _, p := range []string{opts.Root} {
				entries, _ := os.ReadDir(p)
				if len(entries) != 0 {
					t.Errorf("Merge created %d entries in the store root", len(entries))
				}
			}
		})
	}
}

func TestMergeEmptyFileRequired(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	writeFile(t, p.store.Path(), "# only a comment\n")
	opts := p.opts
	opts.RequireStore = true
	if err := Merge(viper.New(), opts); err != nil {
		t.Errorf("Merge of an existing empty file with RequireStore = %v, want nil", err)
	}
}

func TestMergeParseErrorHasNoValue(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	writeFile(t, p.store.Path(), "GOOD="+canary+"\nBAD='"+canary+"' trailing "+canary+"\n")
	v := viper.New()
	err := Merge(v, p.opts)
	var pe *core.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Merge = %v, want a *core.ParseError", err)
	}
	if pe.Line != 2 || pe.File != p.store.Path() {
		t.Errorf("ParseError at %s:%d, want %s:2", pe.File, pe.Line, p.store.Path())
	}
	noCanary(t, "Merge error", err.Error())
	if v.IsSet("good") {
		t.Error("Merge failed but merged a key")
	}
}

func TestMergeExplicitIDAndEnv(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "K", "v")
	elsewhere := t.TempDir() // no .env here
	for _, opts := range []Options{
		{ID: p.store.ID(), Root: p.root, LookupEnv: noEnv, WorkDir: elsewhere},
		{Root: p.root, WorkDir: elsewhere, LookupEnv: func(k string) (string, bool) {
			if k == core.EnvID {
				return p.store.ID(), true
			}
			return "", false
		}},
		{Root: p.root, LookupEnv: noEnv, WorkDir: filepath.Join(p.dir)}, // .env found from the working directory
	} {
		v := viper.New()
		opts.RequireStore = true
		if err := Merge(v, opts); err != nil {
			t.Fatalf("Merge(%+v): %v", opts, err)
		}
		if got := v.GetString("k"); got != "v" {
			t.Errorf("GetString(k) = %q, want %q", got, "v")
		}
	}
}
