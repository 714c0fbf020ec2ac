//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// ptyEditor makes `vi`, the editor edit falls back to, a script that runs
// trap, appends a line to the copy, prints "ready" and waits until the
// test creates the file it returns. It puts the script first on PATH, for
// the CLI that startPTY starts.
func ptyEditor(t *testing.T, trap string) (goOn string) {
	t.Helper()
	bin := t.TempDir()
	goOn = filepath.Join(bin, "go-on")
	script := "#!/bin/sh\n" + trap + "\nprintf 'CHANGED=canary-changed\\n' >> \"$1\"\necho ready\n" +
		"i=0; while [ ! -e '" + goOn + "' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n"
	if err := os.WriteFile(filepath.Join(bin, "vi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return goOn
}

// TestPTYEditCtrlC: Ctrl-C at the terminal is the editor's, which here
// handles it and carries on; user-secrets waits on, and saves the edit.
func TestPTYEditCtrlC(t *testing.T) {
	goOn := ptyEditor(t, `trap 'echo editor got INT' INT`)
	store := runStore(t)
	r := startPTY(t, store, "edit")
	r.expect("ready")
	r.typeText("\x03")
	r.expect("editor got INT")
	if err := os.WriteFile(goOn, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := r.wait(); got != 0 {
		t.Fatalf("edit exited with %v after a Ctrl-C the editor handled, want 0; terminal shows %q", r.cmd.ProcessState, r.output())
	}
	r.expect("Saved 2 secret(s)")
	if strings.Contains(r.output(), "canary") {
		t.Errorf("the terminal shows a value (not quoted here: %d bytes)", len(r.output()))
	}
	if got := storeNames(t, filepath.Join(store, ptyID)); !slices.Equal(got, []string{".secrets"}) {
		t.Errorf("after the edit the store directory holds %q, want only .secrets", got)
	}
}

// TestPTYEditCtrlCKillsEditor: a Ctrl-C that kills the editor ends the
// edit: nothing saved, the copy removed, and user-secrets dies of SIGINT
// as the editor did, so that a shell script running it stops.
func TestPTYEditCtrlCKillsEditor(t *testing.T) {
	ptyEditor(t, "")
	store := runStore(t)
	r := startPTY(t, store, "edit")
	r.expect("ready")
	r.typeText("\x03")
	r.wait()
	if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("edit ended with %v, want death by SIGINT; terminal shows %q", r.cmd.ProcessState, r.output())
	}
	r.expect("Interrupted by SIGINT: nothing was saved.")
	dir := filepath.Join(store, ptyID)
	if got := storeNames(t, dir); !slices.Equal(got, []string{".secrets"}) {
		t.Errorf("after the interrupted edit the store directory holds %q, want only .secrets", got)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ".secrets")); string(data) != "API_KEY=canary-run\n" {
		t.Errorf("an interrupted edit changed the secrets file")
	}
}

// TestPTYEditTerm sends SIGTERM to a user-secrets that is its terminal's
// foreground, with the editor in its process group: SIGTERM must reach the
// editor itself (the shell that runs it execs it), not only a shell that
// would die of it and leave the editor running on the terminal.
func TestPTYEditTerm(t *testing.T) {
	ptyEditor(t, `trap 'echo editor got TERM; exit 0' TERM`)
	store := runStore(t)
	r := startPTY(t, store, "edit")
	r.expect("ready")
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r.wait()
	if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("edit ended with %v, want death by SIGTERM; terminal shows %q", r.cmd.ProcessState, r.output())
	}
	r.expect("editor got TERM")
	r.expect("Interrupted by SIGTERM: nothing was saved.")
	if got := storeNames(t, filepath.Join(store, ptyID)); !slices.Equal(got, []string{".secrets"}) {
		t.Errorf("after SIGTERM the store directory holds %q, want only .secrets", got)
	}
}
