//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

// On a terminal, key import asks for the key at a hidden prompt.
func TestPTYKeyImportHiddenPrompt(t *testing.T) {
	store, key := encryptedPTYStore(t)
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

// On a terminal, set and check --prompt ask for no value when an
// encrypted store's key is missing: what was typed could not be stored.
func TestPTYPromptNeedsKeyFirst(t *testing.T) {
	for _, args := range [][]string{{"set", "NEW_KEY"}, {"check", "--prompt"}} {
		t.Run(args[0], func(t *testing.T) {
			store, _ := encryptedPTYStore(t) // the keychain stand-in stays empty
			full := args
			if args[0] == "check" {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, ".env.example"), []byte("NEW_KEY=\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				full = append([]string{"-p", dir}, args...)
			}
			r := startPTY(t, store, full...)
			r.waitFor("an error or a prompt", func() bool {
				out := r.output()
				return strings.Contains(out, "error:") || strings.Contains(out, "Value for")
			})
			if strings.Contains(r.output(), "Value for") {
				t.Fatalf("%s prompted for a value before it found the key; terminal shows %q", args[0], hideCanary(r.output()))
			}
			if got := r.wait(); got != 1 {
				t.Fatalf("%s exited with status %d, want 1; terminal shows %q", args[0], got, hideCanary(r.output()))
			}
			out := r.output()
			if !strings.Contains(out, "no key for the encrypted store") {
				t.Errorf("%s did not say the key is missing; terminal shows %q", args[0], hideCanary(out))
			}
			if strings.Contains(out, "(it is not shown)") || strings.Contains(out, "Value for") || strings.Contains(out, "canary") {
				t.Errorf("%s prompted for a value (or showed one) before it found the key; terminal shows %q", args[0], hideCanary(out))
			}
		})
	}
}

// encryptedPTYStore makes a store root whose store for ptyID holds a
// canary value, encrypted under a new key that no keychain holds; it
// returns the root and the key.
func encryptedPTYStore(t *testing.T) (store string, key []byte) {
	t.Helper()
	store = t.TempDir()
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
	return store, key
}
