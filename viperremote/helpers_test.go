package viperremote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/google/uuid"
	"github.com/spf13/viper"
)

// canary is stored as a secret by tests that provoke errors; it must never
// appear in an error, a log line or a failure message.
const canary = "CANARY-s3cr3t-VALUE"

// noEnv is a LookupEnv that sees an empty environment.
func noEnv(string) (string, bool) { return "", false }

// project is a temporary project with its own store root.
type project struct {
	dir   string
	root  string
	opts  Options
	store *core.Store
}

// newProject creates a project directory whose .env holds a fresh ID, and
// an empty store root; nothing touches the real home or environment.
func newProject(t *testing.T) *project {
	t.Helper()
	p := &project{dir: t.TempDir(), root: t.TempDir()}
	id := uuid.NewString()
	writeFile(t, filepath.Join(p.dir, ".env"), "USER_SECRETS_ID="+id+"\n")
	p.opts = Options{ProjectDir: p.dir, Root: p.root, LookupEnv: noEnv, WorkDir: p.dir}
	s, err := core.Open(p.opts.core())
	if err != nil {
		t.Fatalf("core.Open: %v", err)
	}
	p.store = s
	return p
}

// set stores key=value pairs.
func (p *project) set(t *testing.T, kv ...string) {
	t.Helper()
	var entries []core.Entry
	for i := 0; i+1 < len(kv); i += 2 {
		entries = append(entries, core.Entry{Key: kv[i], Value: kv[i+1]})
	}
	if _, err := p.store.SetMany(entries); err != nil {
		t.Fatalf("SetMany: %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// yamlViper returns a new Viper reading the YAML config file it writes in
// dir.
func yamlViper(t *testing.T, dir, content string) (*viper.Viper, string) {
	t.Helper()
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, content)
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		t.Fatalf("ReadInConfig: %v", err)
	}
	return v, path
}

// noCanary fails the test when s holds the canary value.
func noCanary(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, canary) {
		t.Errorf("%s contains the secret value", what)
	}
}
