//go:build unix

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startEdit starts `user-secrets edit` in a new session (no terminal sends
// it signals; the test can end the whole group) on a store holding one
// secret, with an editor script that runs trap, appends a line to the copy,
// prints "ready <pid> <copy>" and loops. It returns the copy's path once the
// editor is ready, and the store directory.
func startEdit(t *testing.T, trap string) (cmd *exec.Cmd, out *bufio.Reader, stderr *strings.Builder, copyPath, dir string) {
	t.Helper()
	bin, err := exec.LookPath("user-secrets") // put on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	root := runStore(t)
	dir = filepath.Join(root, runTestID)
	editor := filepath.Join(t.TempDir(), "editor.sh")
	script := "#!/bin/sh\n" + trap + "\nprintf 'CHANGED=canary-changed\\n' >> \"$1\"\necho \"ready $$ $1\"\nwhile :; do sleep 0.05; done\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, "--id", runTestID, "edit")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "USER_SECRETS_DIR=" + root, "EDITOR=" + editor}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr = &strings.Builder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	editorPid := 0
	t.Cleanup(func() {
		// Leave no editor looping: end the session's group, and the
		// editor's, which is its own without a terminal.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if editorPid > 0 {
			syscall.Kill(-editorPid, syscall.SIGKILL)
		}
		if cmd.ProcessState == nil {
			cmd.Wait()
		}
	})
	out = bufio.NewReader(stdout)
	ready := make(chan string, 1)
	go func() {
		line, _ := out.ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		f := strings.SplitN(strings.TrimSuffix(line, "\n"), " ", 3)
		if len(f) != 3 || f[0] != "ready" {
			t.Fatalf("the editor's first line is %q, want \"ready <pid> <copy>\"; stderr: %q", line, stderr)
		}
		editorPid, _ = strconv.Atoi(f[1])
		copyPath = f[2]
	case <-time.After(10 * time.Second):
		t.Fatal("the editor did not get ready in 10s")
	}
	if filepath.Dir(copyPath) != dir {
		t.Fatalf("the copy %q is not in the store directory %q", copyPath, dir)
	}
	for _, p := range []string{copyPath, copyPath + ".lock"} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("while the editor runs: %v", err)
		}
	}
	return cmd, out, stderr, copyPath, dir
}

// storeNames lists dir, less the store's own lock file.
func storeNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != ".secrets.lock" {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestEditSignals sends SIGTERM, SIGHUP, SIGQUIT and SIGINT (with kill:
// there is no terminal) to user-secrets while its editor runs: it must
// pass the signal on to the editor, wait for it, remove the copy (changed
// as it is) and its lock, save nothing, and end with 128+N.
func TestEditSignals(t *testing.T) {
	tests := []struct {
		name   string
		sig    syscall.Signal
		ignore bool // the editor ignores the signal, and is killed after the grace period
	}{
		{name: "TERM", sig: syscall.SIGTERM},
		{name: "HUP", sig: syscall.SIGHUP},
		{name: "QUIT", sig: syscall.SIGQUIT},
		{name: "INT", sig: syscall.SIGINT},
		{name: "TERM ignored", sig: syscall.SIGTERM, ignore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := strings.Fields(tt.name)[0]
			trap := "trap 'echo editor got " + name + "; exit 0' " + name
			if tt.ignore {
				trap = "trap '' " + name
			}
			cmd, out, stderr, copyPath, dir := startEdit(t, trap)
			start := time.Now()
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			status, rest := waitExit(t, cmd, out)
			took := time.Since(start)

			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			switch {
			case ws.Signaled() && ws.Signal() == tt.sig:
				// died of it: a shell reports 128+N
			case tt.sig == syscall.SIGQUIT && status == 128+int(tt.sig):
				// exited 128+N: Go's runtime would dump its goroutines
			default:
				t.Errorf("user-secrets ended with %v after %v, want 128+%d", cmd.ProcessState, tt.sig, int(tt.sig))
			}
			if want := "editor got " + name + "\n"; !tt.ignore && rest != want {
				t.Errorf("the editor printed %q after ready, want %q", rest, want)
			}
			if tt.ignore && took < editorGrace {
				t.Errorf("user-secrets ended %v after %v, before the editor's %v of grace", took, tt.sig, editorGrace)
			}
			if tt.ignore && took > editorGrace+5*time.Second {
				t.Errorf("user-secrets took %v to kill an editor that ignores %v", took, tt.sig)
			}
			if _, err := os.Stat(copyPath); !os.IsNotExist(err) {
				t.Errorf("the copy is still there after %v (stat: %v)", tt.sig, err)
			}
			if got := storeNames(t, dir); !slices.Equal(got, []string{".secrets"}) {
				t.Errorf("after %v the store directory holds %q, want only .secrets", tt.sig, got)
			}
			if data, err := os.ReadFile(filepath.Join(dir, ".secrets")); err != nil || string(data) != "API_KEY=canary-run\n" {
				t.Errorf("the secrets file changed after %v (read error: %v)", tt.sig, err)
			}
			// The editor's shell may report its sleep's death: the rest
			// is user-secrets' own.
			if want := "Interrupted by SIG" + name + ": nothing was saved.\n"; !strings.HasSuffix(stderr.String(), want) {
				t.Errorf("stderr = %q, want it to end with %q", stderr.String(), want)
			}
			if strings.Contains(stderr.String(), "canary") {
				t.Errorf("stderr shows a value (%d bytes, not quoted here)", stderr.Len())
			}
		})
	}
}

// TestEditKilled: a user-secrets killed outright (SIGKILL) leaves its copy,
// whose lock died with it. info reports it, by name only, and the next
// write removes it and its lock file.
func TestEditKilled(t *testing.T) {
	cmd, _, _, copyPath, dir := startEdit(t, "")
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitKilled(t, cmd)
	if _, err := os.Stat(copyPath); err != nil {
		t.Fatalf("the copy of a killed edit: %v", err)
	}

	cli := func(args ...string) (stdout, stderr string) {
		t.Helper()
		c := exec.Command(cmd.Path, append([]string{"--id", runTestID}, args...)...)
		c.Env = cmd.Env
		var o, e strings.Builder
		c.Stdout, c.Stderr = &o, &e
		if err := c.Run(); err != nil {
			t.Fatalf("user-secrets %q: %v; stderr: %q", args, err, e.String())
		}
		if strings.Contains(o.String()+e.String(), "canary") {
			t.Errorf("user-secrets %q printed a value", args)
		}
		return o.String(), e.String()
	}
	// The editor still runs, orphaned, but the lock was user-secrets'.
	_, stderr := cli("info")
	if want := "user-secrets: warning: " + copyPath + " is a copy of the secrets file left by an interrupted edit: the next write removes it\n"; !strings.Contains(stderr, want) {
		t.Errorf("info's stderr = %q, want a line %q", stderr, want)
	}
	cli("set", "NEXT", "canary-next")
	if got := storeNames(t, dir); !slices.Equal(got, []string{".secrets"}) {
		t.Errorf("after the next set the store directory holds %q, want only .secrets", got)
	}
	if _, stderr := cli("info"); strings.Contains(stderr, "interrupted edit") {
		t.Errorf("info still reports a copy: %q", stderr)
	}
}

// waitKilled waits for cmd, which was killed and whose editor lives on
// holding its stdout: unlike waitExit, it does not read stdout to its end.
func waitKilled(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		cmd.Process.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("user-secrets did not exit in 10s")
	}
}
