//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// On a terminal, prune lists the gone stores and asks; only "y" removes
// them.
func TestPTYPruneAsks(t *testing.T) {
	store := t.TempDir()
	const goneID = "22222222-2222-4222-8222-222222222222"
	dir := filepath.Join(store, goneID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(t.TempDir(), "deleted-project")
	content := "# test\n# Project: " + gone + "\nA=canary-a\n"
	if err := os.WriteFile(filepath.Join(dir, ".secrets"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, answer := range []string{"n", ""} {
		r := startPTY(t, store, "prune")
		r.expect(goneID)
		r.expect("Remove this store and its secrets? [y/N] ")
		r.typeText(answer + "\r")
		r.expect("Nothing removed.")
		if got := r.wait(); got != 1 {
			t.Errorf("prune answered %q exited with status %d, want 1", answer, got)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, ".secrets")); string(data) != content {
			t.Fatalf("prune answered %q changed the store", answer)
		}
	}

	r := startPTY(t, store, "prune")
	r.expect("[y/N] ")
	r.typeText("y\r")
	r.expect("Removed 1 store(s).")
	if got := r.wait(); got != 0 {
		t.Errorf("prune answered y exited with status %d, want 0; terminal shows %q", got, r.output())
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after prune answered y, the store is still there (%v)", err)
	}
	if out := r.output(); strings.Contains(out, "canary") {
		t.Errorf("prune showed a value (terminal output not quoted here: %d bytes)", len(out))
	}
}
