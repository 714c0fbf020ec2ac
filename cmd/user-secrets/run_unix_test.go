//go:build unix

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runStore makes a store root holding one secret for runTestID.
func runStore(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, runTestID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".secrets"), []byte("API_KEY=canary-run\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return root
}

// startRun starts `user-secrets run -- sh -c script` in a new session (so
// no terminal sends it signals, and the test can end the whole group), and
// waits until the script prints "ready".
func startRun(t *testing.T, script string) (cmd *exec.Cmd, out *bufio.Reader, stderr *strings.Builder) {
	t.Helper()
	bin, err := exec.LookPath("user-secrets") // put on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, "--id", runTestID, "run", "--", "sh", "-c", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "USER_SECRETS_DIR=" + runStore(t)}
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
	t.Cleanup(func() {
		// On failure, leave no shell looping: end the session's group.
		if cmd.ProcessState == nil || t.Failed() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		if cmd.ProcessState == nil {
			cmd.Wait()
		}
	})
	out = bufio.NewReader(stdout)
	ready := make(chan error, 1)
	go func() {
		line, err := out.ReadString('\n')
		if err == nil && line != "ready\n" {
			err = fmt.Errorf("first line %q, want \"ready\"", line)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("child did not get ready: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("child did not get ready in 10s")
	}
	return cmd, out, stderr
}

// waitExit waits for cmd, up to a deadline, and returns its exit status.
func waitExit(t *testing.T, cmd *exec.Cmd, out io.Reader) (status int, rest string) {
	t.Helper()
	type result struct {
		rest string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		b, _ := io.ReadAll(out) // until the child's stdout closes
		done <- result{string(b), cmd.Wait()}
	}()
	select {
	case r := <-done:
		var ee *exec.ExitError
		if r.err != nil && !errors.As(r.err, &ee) {
			t.Fatal(r.err)
		}
		return cmd.ProcessState.ExitCode(), r.rest
	case <-time.After(10 * time.Second):
		t.Fatal("user-secrets run did not exit in 10s")
	}
	panic("unreachable")
}

// TestRunForwardsSignals sends SIGTERM and SIGINT to user-secrets: the
// child must see them, and user-secrets must survive to pass on the exit
// status the child's trap chose.
func TestRunForwardsSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		name := strings.TrimPrefix(sigName(sig), "SIG")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			script := fmt.Sprintf(`trap 'echo got %s; exit 7' %s; echo ready; while :; do sleep 0.05; done`, name, name)
			cmd, out, stderr := startRun(t, script)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			status, rest := waitExit(t, cmd, out)
			if status != 7 {
				t.Errorf("user-secrets exited with %d after %v, want the child's 7", status, sig)
			}
			if rest != "got "+name+"\n" {
				t.Errorf("child printed %q after ready, want %q", rest, "got "+name+"\n")
			}
			if stderr.String() != "" {
				t.Errorf("user-secrets printed on stderr: %q", stderr.String())
			}
		})
	}
}

// TestRunSignalDeath: a child killed by a signal it does not trap gives
// 128+N, as a shell reports it.
func TestRunSignalDeath(t *testing.T) {
	cmd, out, _ := startRun(t, `echo ready; while :; do sleep 0.05; done`)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if status, _ := waitExit(t, cmd, out); status != 128+int(syscall.SIGTERM) {
		t.Errorf("user-secrets exited with %d, want %d", status, 128+int(syscall.SIGTERM))
	}
}

func sigName(s syscall.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return s.String()
}
