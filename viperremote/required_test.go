package viperremote

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/pflag"
)

// CheckRequired looks at the final configuration, every layer merged:
// defaults, the config file, the secrets, environment variables and flags,
// in any case, nested on ".". It sets environment variables, so it does
// not run in parallel.
func TestCheckRequired(t *testing.T) {
	p := newProject(t)
	p.set(t, "API_KEY", canary, "DB__PASSWORD", canary, "BLANK", "", "EMPTIED", canary)
	v, _ := yamlViper(t, p.dir, "port: 8080\ndb:\n  host: localhost\nempty_section: {}\nzero: 0\n")
	v.SetDefault("defaulted", "x")
	opts := p.opts
	opts.Delimiter = "__"
	if err := Merge(v, opts); err != nil {
		t.Fatal(err)
	}
	t.Setenv("USERSECRETS_TEST_CI_ONLY", "from-ci")
	t.Setenv("USERSECRETS_TEST_EMPTIED", "")
	v.SetEnvPrefix("USERSECRETS_TEST")
	v.AllowEmptyEnv(true)
	v.AutomaticEnv()
	flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
	flags.String("from-flag", "", "")
	if err := flags.Parse([]string{"--from-flag=x"}); err != nil {
		t.Fatal(err)
	}
	if err := v.BindPFlag("from_flag", flags.Lookup("from-flag")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		keys    []string
		missing []string // nil: no error
	}{
		{"none", nil, nil},
		{"every layer", []string{"defaulted", "port", "db.host", "API_KEY", "DB.PASSWORD", "CI_ONLY", "from_flag"}, nil},
		{"any case", []string{"api_key", "Api_Key", "DB.Password", "ci_only"}, nil},
		{"a section", []string{"db", "DB"}, nil},
		{"zero is set", []string{"zero"}, nil},
		{"missing", []string{"NOPE"}, []string{"NOPE"}},
		{"nested only on '.'", []string{"DB__PASSWORD"}, []string{"DB__PASSWORD"}},
		{"empty values", []string{"BLANK", "EMPTIED", "empty_section"}, []string{"BLANK", "EMPTIED", "empty_section"}},
		{"named as given, in order", []string{"Z", "API_KEY", "Db.Nope", "A"}, []string{"Z", "Db.Nope", "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRequired(v, tt.keys)
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
			noCanary(t, "the error", err.Error())
			noCanary(t, "the error (%#v)", fmt.Sprintf("%#v", err))
		})
	}
}

// The keys of the manifest, read by core, and checked in Viper.
func TestCheckRequiredManifest(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	writeFile(t, filepath.Join(p.dir, ".env.example"), "API_KEY=\nDB_URL=\nPORT=8080 # optional\n")
	p.set(t, "API_KEY", canary)
	keys, err := core.RequiredKeys(p.opts.core())
	if err != nil {
		t.Fatal(err)
	}
	v, _ := yamlViper(t, p.dir, "port: 8080\n")
	if err := Merge(v, p.opts); err != nil {
		t.Fatal(err)
	}
	var me *core.MissingKeysError
	if err := CheckRequired(v, keys); !errors.As(err, &me) || !reflect.DeepEqual(me.Keys, []string{"DB_URL"}) {
		t.Errorf("CheckRequired(%q) = %v, want DB_URL missing", keys, err)
	}
}
