//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/go-user-secrets/user-secrets/core"
	"golang.org/x/sys/unix"
)

// The tests in this file run the CLI under a real pseudo-terminal, to check
// what only a terminal shows: the hidden prompt of `set` and the question
// of `clear`.

const ptyID = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"

// ptyRun is the CLI running with a pseudo-terminal as its controlling
// terminal and all three standard streams.
type ptyRun struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File // the terminal's master side: what a user types and sees
	tty  *os.File // the child's side, kept open here to read its mode

	mu  sync.Mutex
	out bytes.Buffer // everything the terminal displayed
}

// startPTY starts `user-secrets --id ptyID args...` on a new terminal, with
// USER_SECRETS_DIR set to store.
func startPTY(t *testing.T, store string, args ...string) *ptyRun {
	t.Helper()
	bin, err := exec.LookPath("user-secrets") // put on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	cmd := exec.Command(bin, append([]string{"--id", ptyID}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "USER_SECRETS_DIR=" + store, "TERM=dumb",
		testKeychainEnv + "=" + filepath.Join(filepath.Dir(store), "keychain")} // the keychain stand-in: see keys_test.go
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &ptyRun{t: t, cmd: cmd, ptmx: ptmx, tty: tty}
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := ptmx.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		ptmx.Close()
		tty.Close()
	})
	return r
}

// output returns what the terminal displayed so far.
func (r *ptyRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// waitFor waits until cond holds, or fails the test after a while. The
// failure quotes the terminal with the tests' canary values marked, so a
// value that should have been hidden (by run --mask, say) is not repeated.
func (r *ptyRun) waitFor(what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s; terminal shows %q", what, hideCanary(r.output()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// expect waits until the terminal shows s.
func (r *ptyRun) expect(s string) {
	r.t.Helper()
	r.waitFor(fmt.Sprintf("%q", s), func() bool { return strings.Contains(r.output(), s) })
}

// echo reports whether the terminal echoes what is typed.
func (r *ptyRun) echo() bool {
	r.t.Helper()
	tios, err := unix.IoctlGetTermios(int(r.tty.Fd()), ioctlGetTermios)
	if err != nil {
		r.t.Fatal(err)
	}
	return tios.Lflag&unix.ECHO != 0
}

// typeText types s at the terminal.
func (r *ptyRun) typeText(s string) {
	r.t.Helper()
	if _, err := r.ptmx.WriteString(s); err != nil {
		r.t.Fatal(err)
	}
}

// wait waits for the CLI to exit and returns its exit status.
func (r *ptyRun) wait() int {
	r.t.Helper()
	err := r.cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		r.t.Fatal(err)
	}
	return r.cmd.ProcessState.ExitCode()
}

func TestPTYSetHiddenPrompt(t *testing.T) {
	store := t.TempDir()
	r := startPTY(t, store, "set", "API_KEY")
	r.expect("Value for API_KEY: ")
	// Type only once echo is off, as a person would after the prompt.
	r.waitFor("echo to be turned off", func() bool { return !r.echo() })
	r.typeText("typed-canary value\r")
	r.expect("Set secret: API_KEY")
	if got := r.wait(); got != 0 {
		t.Fatalf("set exited with status %d; terminal shows %q", got, r.output())
	}
	if out := r.output(); strings.Contains(out, "canary") {
		t.Errorf("the typed value was echoed: terminal shows %q", out)
	}
	if !r.echo() {
		t.Errorf("echo is still off after set")
	}
	s, err := core.Open(core.Options{Root: store, ID: ptyID})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get("API_KEY"); err != nil || v != "typed-canary value" {
		// The value is the test's own, not a secret: safe to show.
		t.Errorf("stored API_KEY = %q, %v; want the typed value", v, err)
	}
}

// Enter alone at the hidden prompt stores nothing, and says how to store an
// empty value; with --allow-empty it stores one.
func TestPTYSetEmptyPrompt(t *testing.T) {
	store := t.TempDir()
	r := startPTY(t, store, "set", "API_KEY")
	r.expect("Value for API_KEY: ")
	r.waitFor("echo to be turned off", func() bool { return !r.echo() })
	r.typeText("\r")
	r.expect(`user-secrets: error: empty value for "API_KEY" from the prompt: nothing stored; to store an empty value, use 'user-secrets set --allow-empty API_KEY' or 'user-secrets set API_KEY ""'`)
	if got := r.wait(); got != 1 {
		t.Errorf("set with an empty answer exited with status %d, want 1; terminal shows %q", got, r.output())
	}
	if !r.echo() {
		t.Errorf("echo is still off after set")
	}
	if _, err := os.Stat(filepath.Join(store, ptyID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused set created the store directory (err %v)", err)
	}

	r = startPTY(t, store, "set", "--allow-empty", "API_KEY")
	r.expect("Value for API_KEY: ")
	r.waitFor("echo to be turned off", func() bool { return !r.echo() })
	r.typeText("\r")
	r.expect("Set secret: API_KEY")
	if got := r.wait(); got != 0 {
		t.Fatalf("set --allow-empty exited with status %d; terminal shows %q", got, r.output())
	}
	s, err := core.Open(core.Options{Root: store, ID: ptyID})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get("API_KEY"); err != nil || v != "" {
		t.Errorf("stored API_KEY = %q, %v; want an empty value", v, err)
	}
}

// An interrupt at the hidden prompt must not leave the terminal without
// echo, and must store nothing.
func TestPTYSetInterruptRestoresEcho(t *testing.T) {
	store := t.TempDir()
	r := startPTY(t, store, "set", "API_KEY")
	r.expect("Value for API_KEY: ")
	r.waitFor("echo to be turned off", func() bool { return !r.echo() })
	r.typeText("half-typed-canary\x03") // ^C: SIGINT through the line discipline
	r.wait()
	if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("set ended with %v, want death by SIGINT", r.cmd.ProcessState)
	}
	if !r.echo() {
		t.Errorf("echo is off after an interrupted prompt")
	}
	if _, err := os.Stat(filepath.Join(store, ptyID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an interrupted set created the store directory (err %v)", err)
	}
}

func TestPTYClearAsks(t *testing.T) {
	store := t.TempDir()
	dir := filepath.Join(store, ptyID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, ".secrets")
	const content = "# test\nA=canary-a\nB=canary-b\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, answer := range []string{"n", "", "whatever"} {
		r := startPTY(t, store, "clear")
		r.expect("Remove all 2 secret(s)? [y/N] ")
		r.typeText(answer + "\r")
		r.expect("Nothing removed.")
		if got := r.wait(); got != 1 {
			t.Errorf("clear answered %q exited with status %d, want 1", answer, got)
		}
		if data, _ := os.ReadFile(file); string(data) != content {
			t.Fatalf("clear answered %q changed the file:\n%s", answer, data)
		}
	}

	r := startPTY(t, store, "clear")
	r.expect("Remove all 2 secret(s)? [y/N] ")
	r.typeText("y\r")
	r.expect("Cleared 2 secret(s).")
	if got := r.wait(); got != 0 {
		t.Errorf("clear answered y exited with status %d, want 0", got)
	}
	if data, _ := os.ReadFile(file); string(data) != "# test\n" {
		t.Errorf("after clear the file is:\n%s", data)
	}
	if out := r.output(); strings.Contains(out, "canary") {
		t.Errorf("clear showed a value: %q", out)
	}

	// --yes does not ask, even on a terminal.
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r = startPTY(t, store, "clear", "--yes")
	r.expect("Cleared 2 secret(s).")
	if got := r.wait(); got != 0 {
		t.Errorf("clear --yes exited with status %d, want 0", got)
	}
	if strings.Contains(r.output(), "[y/N]") {
		t.Errorf("clear --yes asked: %q", r.output())
	}
}
