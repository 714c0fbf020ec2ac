package koanfprovider

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"

	"github.com/go-user-secrets/user-secrets/core"
)

// CheckRequired looks at the final configuration: a key that only the
// environment sets counts, and a secret the environment empties does not.
func TestCheckRequired(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	yamlPath := filepath.Join(p.dir, "config.yaml")
	writeFile(t, yamlPath, "port: 8080\ndb:\n  host: localhost\nempty_section: {}\nzero: 0\noff: false\n")
	p.set(t, "API_KEY", canary, "DB.PASSWORD", canary, "EMPTIED", canary, "BLANK", "")
	environ := []string{"CI_ONLY=from-ci", "EMPTIED="}

	k := koanf.New(".")
	mustLoad(t, k, confmap.Provider(map[string]any{"DEFAULTED": "x"}, "."), nil)
	mustLoad(t, k, file.Provider(yamlPath), yaml.Parser())
	mustLoad(t, k, Provider(p.opts()), nil)
	mustLoad(t, k, env.Provider(".", env.Opt{EnvironFunc: func() []string { return environ }}), nil)

	tests := []struct {
		name    string
		keys    []string
		missing []string // nil: no error
	}{
		{"none", nil, nil},
		{"every layer", []string{"DEFAULTED", "port", "db.host", "API_KEY", "DB.PASSWORD", "CI_ONLY"}, nil},
		{"a section", []string{"db", "DB"}, nil},
		{"zero and false are set", []string{"zero", "off"}, nil},
		{"missing", []string{"NOPE"}, []string{"NOPE"}},
		{"empty values", []string{"BLANK", "EMPTIED", "empty_section"}, []string{"BLANK", "EMPTIED", "empty_section"}},
		{"case matters", []string{"api_key", "API_KEY"}, []string{"api_key"}},
		{"every missing key, in order", []string{"Z", "API_KEY", "db.nope", "A"}, []string{"Z", "db.nope", "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRequired(k, tt.keys)
			if tt.missing == nil {
				if err != nil {
					t.Errorf("CheckRequired(%q) = %v, want nil", tt.keys, err)
				}
				return
			}
			var me *core.MissingKeysError
			if !errors.Is(err, core.ErrMissingKeys) || !errors.As(err, &me) || !reflect.DeepEqual(me.Keys, tt.missing) {
				t.Fatalf("CheckRequired(%q) = %v, want a *core.MissingKeysError naming %q", tt.keys, err, tt.missing)
			}
			for _, key := range tt.missing {
				if !strings.Contains(err.Error(), fmt.Sprintf("user-secrets set %s", key)) {
					t.Errorf("CheckRequired(%q) = %v: no command to set %q", tt.keys, err, key)
				}
			}
			if strings.Contains(err.Error(), canary) || strings.Contains(fmt.Sprintf("%#v", err), canary) {
				t.Errorf("CheckRequired(%q): the error holds a secret value", tt.keys)
			}
		})
	}
}

// The keys of the manifest, read by core, and checked in koanf.
func TestCheckRequiredManifest(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	writeFile(t, filepath.Join(p.dir, ".env.example"), "API_KEY=\nDB_URL=\nPORT=8080 # optional\n")
	p.set(t, "API_KEY", canary)
	keys, err := core.RequiredKeys(core.Options{WorkDir: p.dir, Root: p.root, LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	k := koanf.New(".")
	mustLoad(t, k, Provider(p.opts()), nil)
	var me *core.MissingKeysError
	if err := CheckRequired(k, keys); !errors.As(err, &me) || !reflect.DeepEqual(me.Keys, []string{"DB_URL"}) {
		t.Errorf("CheckRequired(%q) = %v, want DB_URL missing", keys, err)
	}
}
