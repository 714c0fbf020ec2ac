//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

// checkPTYManifest writes a manifest requiring A_KEY and B_KEY, and returns
// its path.
func checkPTYManifest(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env.example")
	if err := os.WriteFile(path, []byte("A_KEY=\nB_KEY=\nC_KEY= # optional\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// typeAtPrompt waits for the n-th hidden prompt for key, and types line.
func (r *ptyRun) typeAtPrompt(key string, n int, line string) {
	r.t.Helper()
	prompt := "Value for " + key + ": "
	r.waitFor(prompt, func() bool { return strings.Count(r.output(), prompt) >= n })
	r.waitFor("echo to be turned off", func() bool { return !r.echo() })
	r.typeText(line + "\r")
}

// TestPTYCheckPrompt types the missing values at check --prompt's hidden
// prompts: an empty answer is refused and asked again, each value is
// stored, and none is shown.
func TestPTYCheckPrompt(t *testing.T) {
	store := t.TempDir()
	r := startPTY(t, store, "check", "--prompt", "--manifest", checkPTYManifest(t))
	r.expect("2 required keys of ")
	r.typeAtPrompt("A_KEY", 1, "")
	r.expect("user-secrets: warning: an empty value is not stored: type the value of A_KEY, or press Ctrl-C to stop")
	r.typeAtPrompt("A_KEY", 2, "typed-canary-a")
	r.expect("Set secret: A_KEY")
	r.typeAtPrompt("B_KEY", 1, "typed canary b")
	r.expect("Set secret: B_KEY")
	r.expect("All 2 required keys of ")
	if got := r.wait(); got != 0 {
		t.Fatalf("check --prompt exited with status %d; terminal shows %q", got, r.output())
	}
	if out := r.output(); strings.Contains(out, "canary") || strings.Contains(out, "C_KEY") {
		t.Errorf("check --prompt showed a value, or asked for an optional key (terminal output not quoted here: %d bytes)", len(out))
	}
	if !r.echo() {
		t.Errorf("echo is still off after check --prompt")
	}
	s, err := core.Open(core.Options{Root: store, ID: ptyID})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"A_KEY": "typed-canary-a", "B_KEY": "typed canary b"} {
		// The values are the test's own, not secrets: safe to show.
		if v, err := s.Get(key); err != nil || v != want {
			t.Errorf("stored %s = %q, %v; want %q", key, v, err, want)
		}
	}
}

// Empty answers, again and again, end check --prompt with exit 1 and
// nothing stored.
func TestPTYCheckPromptEmpty(t *testing.T) {
	store := t.TempDir()
	r := startPTY(t, store, "check", "--prompt", "--manifest", checkPTYManifest(t))
	for n := 1; n <= emptyAnswers; n++ {
		r.typeAtPrompt("A_KEY", n, "")
	}
	r.expect(`user-secrets: error: empty value for "A_KEY" from the prompt: nothing stored for it`)
	if got := r.wait(); got != 1 {
		t.Fatalf("check --prompt with empty answers exited with status %d, want 1; terminal shows %q", got, r.output())
	}
	if strings.Contains(r.output(), "B_KEY") {
		t.Errorf("check --prompt went on to the next key: %q", r.output())
	}
	if _, err := os.Stat(filepath.Join(store, ptyID)); !os.IsNotExist(err) {
		t.Errorf("check --prompt created the store with nothing to store (err %v)", err)
	}
}
