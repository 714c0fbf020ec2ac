package viperremote

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/viper"
)

// TestMergeRefusesValueOverSection: a secret DB=x over a config file's db:
// section would be dropped by Viper, which logs the value at error level.
// Merge refuses it first, naming the key, and nothing is logged.
func TestMergeRefusesValueOverSection(t *testing.T) {
	const id = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"
	root, dir := t.TempDir(), t.TempDir()
	s, err := core.Open(core.Options{ID: id, Root: root, LookupEnv: noEnv, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set("DB", "canary-over-section"); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("db:\n  host: localhost\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	v := viper.NewWithOptions(viper.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))))
	v.SetConfigFile(cfg)
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	err = Merge(v, Options{ID: id, Root: root, LookupEnv: func(string) (string, bool) { return "", false }, WorkDir: dir})
	if err == nil || !strings.Contains(err.Error(), `"DB"`) {
		t.Fatalf("Merge of a value over a section = %v, want an error naming DB", err)
	}
	if strings.Contains(err.Error(), "canary") || strings.Contains(logs.String(), "canary") {
		t.Fatal("the secret's value reached the error or Viper's log")
	}
	if got := v.GetString("db.host"); got != "localhost" {
		t.Fatalf("db.host = %q after the refused merge, want the file's value", got)
	}
}
