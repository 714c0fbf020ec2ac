//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

// On a terminal, key import asks for the key at a hidden prompt.
func TestPTYKeyImportHiddenPrompt(t *testing.T) {
	store := t.TempDir()
	key, err := core.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := core.Open(core.Options{Root: store, ID: ptyID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set("API_KEY", "canary-value"); err != nil {
		t.Fatal(err)
	}
	if err := s.Encrypt(key, nil); err != nil {
		t.Fatal(err)
	}

	r := startPTY(t, store, "key", "import")
	r.expect("Key: ")
	r.waitFor("echo to be turned off", func() bool { return !r.echo() })
	r.typeText(core.FormatKey(key) + "\r")
	r.expect("Stored the key of ")
	if got := r.wait(); got != 0 {
		t.Fatalf("key import exited with status %d; terminal shows %q", got, r.output())
	}
	if out := r.output(); strings.Contains(out, core.FormatKey(key)) || strings.Contains(out, "canary") {
		t.Errorf("the terminal showed the key or a value (%d bytes, not quoted here)", len(out))
	}
	if !r.echo() {
		t.Errorf("echo is still off after key import")
	}
	stored, err := fileKeychain(filepath.Join(filepath.Dir(store), "keychain")).Key(ptyID)
	if err != nil || !bytes.Equal(stored, key) {
		t.Errorf("the keychain does not hold the typed key (%v)", err)
	}
}
