package core

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseRejectsValueAsKey: a line whose '=' went missing must not turn
// its value into a "key" that later messages would quote.
func TestParseRejectsValueAsKey(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
	}{
		{"blank in key", "A=1\nDATABASE_URL \"postgres://app:canary-pw@db/app?sslmode=disable\"\n", 2},
		{"quote in key", "K\"canary=1\n", 1},
		{"tab in key", "export A\tcanary=1\n", 1},
		{"control in key", "A\x01canary=1\n", 1},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.src), "f")
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != tt.line {
			t.Errorf("%s: Parse error = %v, want a *ParseError on line %d", tt.name, err, tt.line)
			continue
		}
		if strings.Contains(err.Error(), "canary") {
			t.Errorf("%s: the error quotes the line's text", tt.name)
		}
	}
	// Keys the Python tool may have written, without blanks, still read.
	if _, err := Parse([]byte("MY-KEY=1\n  SPACED  =2\n"), "f"); err != nil {
		t.Errorf("Parse of keys without inner blanks: %v", err)
	}
}

// TestKeyErrorShowsOnlyTheKeyPart: `set API_KEY=value` must not echo value.
func TestKeyErrorShowsOnlyTheKeyPart(t *testing.T) {
	for _, key := range []string{"API_KEY=canary-123", "API_KEY canary", "API_KEY\ncanary", strings.Repeat("K", 60) + "-canary"} {
		err := ValidateKey(key)
		if !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("ValidateKey(%q) = %v, want ErrInvalidKey", key[:7], err)
		}
		if strings.Contains(err.Error(), "canary") {
			t.Errorf("ValidateKey error for a key of %d bytes quotes text after the key part", len(key))
		}
		if !strings.Contains(err.Error(), `"API_KEY"`) && !strings.Contains(err.Error(), `"KKK`) {
			t.Errorf("ValidateKey error does not name the key part: %v", err)
		}
	}
}

// TestDotEnvDirectory: a virtualenv named .env is not the project's .env.
func TestDotEnvDirectory(t *testing.T) {
	proj := t.TempDir()
	if err := os.Mkdir(filepath.Join(proj, ".env"), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Root: filepath.Join(t.TempDir(), "root"), WorkDir: proj, LookupEnv: func(string) (string, bool) { return "", false }}
	p, err := Resolve(opts)
	if err != nil || p.ID != "" {
		t.Fatalf("Resolve with a .env directory = %v, %v; want no ID and no error", p, err)
	}
	if _, err := initR(opts); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Init with a .env directory = %v, want a 'not a regular file' error", err)
	}
	if _, err := os.Stat(filepath.Join(opts.Root, "")); err == nil {
		entries, _ := os.ReadDir(opts.Root)
		for _, e := range entries {
			if isUUID(e.Name()) {
				t.Errorf("Init with a .env directory created store directory %s", e.Name())
			}
		}
	}
}
