//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPTYRunCtrlCOnce types ^C at a terminal running `user-secrets run`:
// the terminal sends SIGINT to its whole foreground process group, the
// child included, so user-secrets must not forward it a second time. It
// must not die of it either: the child's exit status comes back.
func TestPTYRunCtrlCOnce(t *testing.T) {
	store := t.TempDir()
	if err := os.MkdirAll(filepath.Join(store, ptyID), 0o700); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The child is this test binary, running TestRunHelperCountInterrupts.
	r := startPTY(t, store, "run", "--", "env", "USER_SECRETS_TEST_HELPER=count-interrupts",
		self, "-test.run=^TestRunHelperCountInterrupts$")
	r.expect("ready")
	r.typeText("\x03")
	count := regexp.MustCompile(`interrupts=(\d+)\r\n`)
	r.waitFor("the child's count", func() bool { return count.MatchString(r.output()) })
	if got := r.wait(); got != 5 {
		t.Errorf("user-secrets exited with %d, want the child's 5; terminal shows %q", got, r.output())
	}
	if n := count.FindStringSubmatch(r.output())[1]; n != "1" {
		t.Errorf("the child got %s SIGINTs for one ^C, want 1", n)
	}
}

// TestPTYRunKillINTNotForwarded pins the limit of the rule above, which
// run's help and the README state: user-secrets cannot tell a SIGINT from
// its terminal from one sent with kill, so while it is the terminal's
// foreground, a SIGINT sent to it alone never reaches the child.
func TestPTYRunKillINTNotForwarded(t *testing.T) {
	store := t.TempDir()
	if err := os.MkdirAll(filepath.Join(store, ptyID), 0o700); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := startPTY(t, store, "run", "--", "env", "USER_SECRETS_TEST_HELPER=count-interrupts",
		self, "-test.run=^TestRunHelperCountInterrupts$")
	r.expect("ready")
	if err := syscall.Kill(r.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	count := regexp.MustCompile(`interrupts=(\d+)\r\n`)
	r.waitFor("the child's count", func() bool { return count.MatchString(r.output()) })
	if got := r.wait(); got != 5 {
		t.Errorf("user-secrets exited with %d, want the child's 5; terminal shows %q", got, r.output())
	}
	if n := count.FindStringSubmatch(r.output())[1]; n != "0" {
		t.Errorf("the child got %s SIGINTs sent to user-secrets alone in the foreground, want 0 (update run's help and the README if this changed)", n)
	}
}

// TestRunHelperCountInterrupts is the child of the tests above: it
// counts the SIGINTs it gets in the second after printing "ready", prints
// the count and exits 5. Go's handler sees two signals sent microseconds
// apart, where a shell's trap would run once; the kernel can still merge
// them, so a regression (a forwarded ^C) fails about half the runs.
func TestRunHelperCountInterrupts(t *testing.T) {
	if os.Getenv("USER_SECRETS_TEST_HELPER") != "count-interrupts" {
		t.Skip("helper process for TestPTYRunCtrlCOnce")
	}
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, syscall.SIGINT)
	fmt.Println("ready")
	n := 0
	for deadline := time.After(time.Second); ; {
		select {
		case <-ch:
			n++
			continue
		case <-deadline:
		}
		break
	}
	fmt.Printf("interrupts=%d\n", n)
	os.Exit(5)
}

// ptyRunStore makes a store root with V=1 and a canary for ptyID, and
// returns it with its secrets file.
func ptyRunStore(t *testing.T) (root, file string) {
	t.Helper()
	root = t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ptyID), 0o700); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(root, ptyID, ".secrets")
	if err := os.WriteFile(file, []byte(watchSecrets("1")), 0o600); err != nil {
		t.Fatal(err)
	}
	return root, file
}

// TestPTYRunWatchTerminal runs `run --watch` at a terminal: what is typed
// reaches the command (which would be stopped reading in the background),
// also after a restart; Ctrl-C reaches the command and not user-secrets;
// once the command has exited, user-secrets has the terminal back, and
// Ctrl-C ends it.
func TestPTYRunWatchTerminal(t *testing.T) {
	store, file := ptyRunStore(t)
	r := startPTY(t, store, "run", "--watch", "--", "sh", "-c",
		`trap "exit 0" INT; echo "start $V"; read line; echo "got $line"; while :; do sleep 0.05; done`)
	r.expect("start 1")
	r.typeText("typed-once\r")
	r.expect("got typed-once")

	if err := os.WriteFile(file, []byte(watchSecrets("2")), 0o600); err != nil {
		t.Fatal(err)
	}
	r.expect("start 2")
	// Ctrl-Z stops nothing: run could not resume a command stopped behind
	// its back, and the command could not read the next line.
	r.typeText("\x1a")
	r.typeText("typed-twice\r")
	r.expect("got typed-twice")

	r.typeText("\x03")
	r.expect(`user-secrets: "sh" exited with status 0; waiting for a change of the secrets`)
	r.typeText("\x03")
	if got := r.wait(); got != 128+int(syscall.SIGINT) {
		t.Errorf("run --watch exited with %d after Ctrl-C while it waited, want %d; terminal shows %q", got, 128+int(syscall.SIGINT), hideCanary(r.output()))
	}
	if strings.Contains(r.output(), "canary") {
		t.Errorf("the terminal showed the secret's value")
	}
}

// TestPTYRunWatchCtrlCEnds: Ctrl-C that kills the command ends run --watch,
// with the command's status, at once.
func TestPTYRunWatchCtrlCEnds(t *testing.T) {
	store, _ := ptyRunStore(t)
	r := startPTY(t, store, "run", "--watch", "--", "sh", "-c", `echo "start $V"; exec sleep 1000`)
	r.expect("start 1")
	r.typeText("\x03")
	if got := r.wait(); got != 128+int(syscall.SIGINT) {
		t.Errorf("run --watch exited with %d after Ctrl-C killed its command, want %d; terminal shows %q", got, 128+int(syscall.SIGINT), hideCanary(r.output()))
	}
	if out := r.output(); strings.Contains(out, "user-secrets:") || strings.Contains(out, "canary") {
		t.Errorf("run --watch said something: terminal shows %q", hideCanary(out))
	}
}

// TestPTYRunMask runs `run --mask` at a terminal: the command's output is
// masked, and it writes into pipes while its standard input is still the
// terminal.
func TestPTYRunMask(t *testing.T) {
	store, _ := ptyRunStore(t)
	r := startPTY(t, store, "run", "--mask", "--", "sh", "-c",
		`[ -t 0 ] && echo "stdin: terminal"; [ -t 1 ] || echo "stdout: pipe"; [ -t 2 ] || echo "stderr: pipe"; echo "key=$API_KEY" >&2`)
	if got := r.wait(); got != 0 {
		t.Fatalf("run --mask exited with %d; terminal shows %q", got, hideCanary(r.output()))
	}
	// Each stream has a filter of its own: their lines may come in any
	// order.
	for _, line := range []string{"key=***\r\n", "stdin: terminal\r\n", "stdout: pipe\r\n", "stderr: pipe\r\n"} {
		r.expect(line)
	}
	if strings.Contains(r.output(), "canary") {
		t.Errorf("the terminal showed the secret's value")
	}
}

// TestPTYRunWatchTostop runs `run --watch --mask` at a terminal set to
// "stty tostop", which stops a background process that writes to it (or,
// where no shell could resume it, fails the write): the command holds the
// terminal's foreground, and user-secrets, which writes the command's
// masked output and its own messages from the background, must still get
// them through.
func TestPTYRunWatchTostop(t *testing.T) {
	store, file := ptyRunStore(t)
	r := startPTY(t, store, "run", "--watch", "--mask", "--", "sh", "-c",
		`stty tostop; echo "start $V key=$API_KEY"; exec sleep 1000`)
	r.expect("start 1 key=***")
	if err := os.WriteFile(file, []byte(watchSecrets("2")), 0o600); err != nil {
		t.Fatal(err)
	}
	r.expect(`user-secrets: secrets changed, restarting "sh"`)
	r.expect("start 2 key=***")
	r.typeText("\x03")
	if got := r.wait(); got != 128+int(syscall.SIGINT) {
		t.Errorf("run --watch exited with %d after Ctrl-C killed its command, want %d; terminal shows %q", got, 128+int(syscall.SIGINT), hideCanary(r.output()))
	}
	if strings.Contains(r.output(), "canary") {
		t.Errorf("the terminal showed the secret's value")
	}
}
