//go:build unix

package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The tests in this file run `user-secrets run --watch` as a process of its
// own, change its secrets file, and follow what it says and what its
// commands print. They wait on events (lines of output, processes gone)
// with generous deadlines, never on a fixed delay.

// watchDeadline bounds every wait of these tests; it only matters when
// something is broken.
const watchDeadline = 30 * time.Second

// watchProc is a running `user-secrets run --watch`.
type watchProc struct {
	t    testing.TB
	cmd  *exec.Cmd
	file string // its secrets file

	stdout, stderr chan string // their lines, as they come

	mu  sync.Mutex
	all strings.Builder // everything it printed on either stream
	// eof is closed when both streams have ended.
	eof chan struct{}
}

// watchSecrets is the secrets file of the tests, with a canary no test
// child prints.
func watchSecrets(v string) string {
	return "API_KEY=canary-watch-value\nV=" + v + "\n"
}

// timing replaces run --watch's grace between SIGTERM and SIGKILL, and its
// debounce, where not zero. With ignoreTerm, user-secrets starts with
// SIGTERM ignored, and so do the commands it starts, from their first
// instruction on: end it with SIGINT.
type timing struct {
	grace, debounce time.Duration
	ignoreTerm      bool
}

// startWatch starts `user-secrets --id runTestID run --watch -- sh -c
// script` in a session of its own (so no terminal sends it signals), with
// V=1 in its secrets. With a timing that is not zero, it runs the test
// binary as user-secrets, through TestRunHelperTiming.
func startWatch(t testing.TB, tm timing, script string, flags ...string) *watchProc {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, runTestID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := &watchProc{t: t, file: filepath.Join(dir, ".secrets"),
		stdout: make(chan string, 100), stderr: make(chan string, 100), eof: make(chan struct{})}
	p.set("1")

	args := append(append([]string{"--id", runTestID, "run", "--watch"}, flags...), "--", "sh", "-c", script)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "USER_SECRETS_DIR=" + root}
	var bin string
	if tm == (timing{}) {
		var err error
		if bin, err = exec.LookPath("user-secrets"); err != nil { // put on PATH by testscript.Main
			t.Fatal(err)
		}
	} else {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		bin = self
		args = append([]string{"-test.run=^TestRunHelperTiming$", "--"}, args...)
		env = append(env, "USER_SECRETS_TEST_HELPER=timing",
			"USER_SECRETS_TEST_GRACE="+tm.grace.String(), "USER_SECRETS_TEST_DEBOUNCE="+tm.debounce.String())
		if tm.ignoreTerm {
			env = append(env, "USER_SECRETS_TEST_IGNORE_TERM=1")
		}
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = env
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	outPipe, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, s := range []struct {
		r  *os.File
		ch chan string
	}{{outPipe.(*os.File), p.stdout}, {errPipe.(*os.File), p.stderr}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(s.ch)
			sc := bufio.NewScanner(s.r)
			for sc.Scan() {
				p.mu.Lock()
				p.all.WriteString(sc.Text() + "\n")
				p.mu.Unlock()
				s.ch <- sc.Text()
			}
		}()
	}
	go func() {
		wg.Wait()
		close(p.eof)
	}()
	t.Cleanup(func() {
		// After a failure, leave nothing running: SIGINT makes run stop
		// its command; SIGKILL is the last resort.
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-p.eof:
			case <-time.After(watchDeadline):
				p.cmd.Process.Kill()
			}
			p.cmd.Wait()
		}
		if out := p.output(); strings.Contains(out, "canary") {
			t.Errorf("run --watch or its command printed the secret's value (%d bytes of output)", len(out))
		}
	})
	return p
}

// set replaces the secrets file, as the store does (a new file renamed over
// the old), with V=v.
func (p *watchProc) set(v string) {
	p.t.Helper()
	tmp := p.file + ".tmp-test"
	if err := os.WriteFile(tmp, []byte(watchSecrets(v)), 0o600); err != nil {
		p.t.Fatal(err)
	}
	if err := os.Rename(tmp, p.file); err != nil {
		p.t.Fatal(err)
	}
}

// output is everything printed so far.
func (p *watchProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.all.String()
}

// next returns the next line of ch (p.stdout or p.stderr).
func (p *watchProc) next(ch chan string, what string) string {
	p.t.Helper()
	select {
	case line, ok := <-ch:
		if !ok {
			p.t.Fatalf("%s ended while waiting for %s", what, what)
		}
		return line
	case <-time.After(watchDeadline):
		p.t.Fatalf("no line on %s in %v", what, watchDeadline)
	}
	panic("unreachable")
}

// startLine matches what the tests' commands print when they start: V,
// their pid, and for some the pid of a child of theirs.
var startLine = regexp.MustCompile(`^start (\S+) (\d+)(?: (\d+))?$`)

// started waits for the next command to start, checks it got V=v, and
// returns its pid and its child's (0 when it printed none).
func (p *watchProc) started(v string) (pid, child int) {
	p.t.Helper()
	line := p.next(p.stdout, "stdout")
	m := startLine.FindStringSubmatch(line)
	if m == nil || m[1] != v {
		p.t.Fatalf("stdout line %q, want a start with V=%s", hideCanary(line), v)
	}
	pid, _ = strconv.Atoi(m[2])
	child, _ = strconv.Atoi(m[3])
	return pid, child
}

// said waits for a line on stderr and checks it is want.
func (p *watchProc) said(want string) {
	p.t.Helper()
	if line := p.next(p.stderr, "stderr"); line != want {
		p.t.Fatalf("stderr line %q, want %q", hideCanary(line), want)
	}
}

// end sends sig to user-secrets and returns its exit status, once it has
// exited and its streams have ended.
func (p *watchProc) end(sig syscall.Signal) int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	return p.wait()
}

// endBy sends sig to user-secrets and checks that it exits with 128+N,
// as a shell reports a death by signal N.
func (p *watchProc) endBy(sig syscall.Signal) {
	p.t.Helper()
	if got := p.end(sig); got != 128+int(sig) {
		p.t.Errorf("run --watch ended by %v exited with %d, want %d", sig, got, 128+int(sig))
	}
}

// wait waits for user-secrets to exit and returns its exit status.
func (p *watchProc) wait() int {
	p.t.Helper()
	select {
	case <-p.eof:
	case <-time.After(watchDeadline):
		p.t.Fatalf("run --watch did not exit in %v", watchDeadline)
	}
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		p.t.Fatal(err)
	}
	return p.cmd.ProcessState.ExitCode()
}

// nothingMore checks, once run has exited, that it printed nothing more
// than the tests have read.
func (p *watchProc) nothingMore() {
	p.t.Helper()
	for line := range p.stdout {
		p.t.Errorf("stdout has more: %q", hideCanary(line))
	}
	for line := range p.stderr {
		p.t.Errorf("stderr has more: %q", hideCanary(line))
	}
}

// gone checks that no process has pid any more.
func gone(t *testing.T, what string, pid int) {
	t.Helper()
	if err := unix.Kill(pid, 0); !errors.Is(err, unix.ESRCH) {
		t.Errorf("%s (pid %d) is still there: kill(0) = %v", what, pid, err)
	}
}

// groupGone checks that no process is left in process group pgid.
func groupGone(t *testing.T, pgid int) {
	t.Helper()
	if err := unix.Kill(-pgid, 0); !errors.Is(err, unix.ESRCH) {
		t.Errorf("process group %d still has processes: kill(0) = %v", pgid, err)
	}
}

// TestRunWatchRestartsOnce changes the file twice at once: the command
// restarts once, with the last secrets, and the old one is gone by then.
// A later change restarts it again, and nothing came in between. The
// debounce is longer than the default, so that the two changes fall within
// it even on a loaded machine.
func TestRunWatchRestartsOnce(t *testing.T) {
	t.Parallel()
	p := startWatch(t, timing{debounce: 500 * time.Millisecond}, `echo "start $V $$"; exec sleep 1000`)
	first, _ := p.started("1")
	p.set("2")
	p.set("3")
	second, _ := p.started("3")
	p.said(`user-secrets: secrets changed, restarting "sh"`)
	gone(t, "the first command", first)
	groupGone(t, first)

	p.set("4")
	third, _ := p.started("4")
	p.said(`user-secrets: secrets changed, restarting "sh"`)
	gone(t, "the second command", second)

	p.endBy(syscall.SIGTERM)
	gone(t, "the last command", third)
	groupGone(t, third)
	p.nothingMore()
}

// TestRunWatchKillsAfterGrace: a command that ignores SIGTERM is killed
// after the grace, at a restart and when run ends.
func TestRunWatchKillsAfterGrace(t *testing.T) {
	t.Parallel()
	p := startWatch(t, timing{grace: 300 * time.Millisecond}, `trap "" TERM; echo "start $V $$"; while :; do sleep 0.05; done`)
	first, _ := p.started("1")
	p.set("2")
	p.said(`user-secrets: secrets changed, restarting "sh"`)
	p.said(`user-secrets: "sh" did not stop within 300ms of SIGTERM: killed`)
	second, _ := p.started("2")
	gone(t, "the command that ignored SIGTERM", first)
	groupGone(t, first)

	p.endBy(syscall.SIGTERM)
	p.said(`user-secrets: "sh" did not stop within 300ms of SIGTERM: killed`)
	groupGone(t, second)
	p.nothingMore()
}

// TestRunWatchSignalDuringRestart: a signal that comes while a restart
// waits for the old command to stop ends run once it has stopped, without
// starting the new command. The commands ignore SIGTERM from their start,
// so one started by mistake would show, and take the grace to stop.
func TestRunWatchSignalDuringRestart(t *testing.T) {
	t.Parallel()
	p := startWatch(t, timing{grace: time.Second, ignoreTerm: true}, `echo "start $V $$"; while :; do sleep 0.05; done`)
	first, _ := p.started("1")
	p.set("2")
	p.said(`user-secrets: secrets changed, restarting "sh"`)
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// The restart waits for the old command to be killed and collected:
	// while it is there, the signal came before any new start.
	if err := unix.Kill(first, 0); err != nil {
		t.Skipf("the old command was gone before the signal was sent (kill(0) = %v): the machine is too slow for this test", err)
	}
	p.endBy(syscall.SIGINT)
	p.said(`user-secrets: "sh" did not stop within 1s of SIGTERM: killed`)
	groupGone(t, first)
	p.nothingMore()
}

// TestRunWatchStopsGrandchild: the command's children get the SIGTERM
// too, although the command, like `go run`, does not pass it on.
func TestRunWatchStopsGrandchild(t *testing.T) {
	t.Parallel()
	// The child says its pid once it runs sleep: a SIGTERM that came
	// between the fork and the exec would be lost in the shell's trap. The
	// shell's own stderr, where it reports its child "Terminated", is
	// silenced.
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	p := startWatch(t, timing{}, fmt.Sprintf(`exec 2>/dev/null; trap "exit 0" TERM
sh -c 'echo $$ > %[1]s; exec sleep 1000' &
while [ ! -s %[1]s ]; do sleep 0.01; done
echo "start $V $$ $(cat %[1]s)"; rm %[1]s
wait`, pidFile))
	first, grandchild := p.started("1")
	if grandchild == 0 {
		t.Fatal("the command printed no child's pid")
	}
	p.set("2")
	second, grandchild2 := p.started("2")
	p.said(`user-secrets: secrets changed, restarting "sh"`)
	gone(t, "the first command's child", grandchild)
	groupGone(t, first)

	p.endBy(syscall.SIGINT)
	gone(t, "the second command's child", grandchild2)
	groupGone(t, second)
	p.nothingMore()
}

// TestRunWatchRestartsAfterExit: a command that exits on its own is
// started again at the next change, and stderr says so.
func TestRunWatchRestartsAfterExit(t *testing.T) {
	t.Parallel()
	p := startWatch(t, timing{}, `echo "start $V $$"; [ "$V" = 2 ] && exec sleep 1000; exit 3`)
	p.started("1")
	p.said(`user-secrets: "sh" exited with status 3; waiting for a change of the secrets`)
	p.set("2")
	p.said(`user-secrets: secrets changed, starting "sh"`)
	pid, _ := p.started("2")
	p.endBy(syscall.SIGHUP)
	groupGone(t, pid)
	p.nothingMore()
}

// TestRunWatchEndsWithCtrlC: a command killed by SIGINT, as Ctrl-C kills
// the terminal's foreground, ends run --watch with its status.
func TestRunWatchEndsWithCtrlC(t *testing.T) {
	t.Parallel()
	p := startWatch(t, timing{}, `echo "start $V $$"; kill -INT $$; sleep 1000`)
	p.started("1")
	if got := p.wait(); got != 128+int(syscall.SIGINT) {
		t.Errorf("run --watch whose command died of SIGINT exited with %d, want %d", got, 128+int(syscall.SIGINT))
	}
	p.nothingMore()
}

// TestRunWatchMaskEnds: with --mask, a process that left the command's
// process group holds the pipes to the filter open, and still run --watch
// ends on SIGTERM, once it has stopped the group, without waiting for that
// process.
func TestRunWatchMaskEnds(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("needs setsid to start a process outside the command's group")
	}
	// The process in a session of its own says its pid once it is there,
	// as in TestRunWatchStopsGrandchild.
	pidFile := filepath.Join(t.TempDir(), "escaped.pid")
	p := startWatch(t, timing{}, fmt.Sprintf(`setsid sh -c 'echo $$ > %[1]s; exec sleep 100' &
while [ ! -s %[1]s ]; do sleep 0.01; done
echo "start $V $$ $(cat %[1]s)"; rm %[1]s
exec sleep 1000`, pidFile), "--mask")
	pid, escaped := p.started("1")
	if escaped == 0 {
		t.Fatal("the command printed no pid of the process that left its group")
	}
	t.Cleanup(func() { unix.Kill(escaped, unix.SIGKILL) })
	p.endBy(syscall.SIGTERM)
	groupGone(t, pid)
	p.nothingMore()
}

// TestRunWatchBadSecrets: a secrets file that does not parse starts
// nothing, says where it is wrong, and waits for a change.
func TestRunWatchBadSecrets(t *testing.T) {
	t.Parallel()
	p := startWatch(t, timing{}, `echo "start $V $$"; exec sleep 1000`)
	p.started("1")
	if err := os.WriteFile(p.file, []byte("API_KEY=canary-watch-value\nbroken canary line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.said(`user-secrets: secrets changed, restarting "sh"`)
	line := p.next(p.stderr, "stderr")
	if !strings.HasPrefix(line, "user-secrets: error: ") || !strings.Contains(line, ".secrets:2: ") {
		t.Errorf("stderr line %q, want an error naming line 2", hideCanary(line))
	}
	p.said("user-secrets: waiting for a change of the secrets")
	p.set("2")
	p.said(`user-secrets: secrets changed, starting "sh"`)
	p.started("2")
	p.end(syscall.SIGTERM)
	p.nothingMore()
}

// BenchmarkWatchRestart measures how long run --watch takes from a change
// of the secrets file to the first output of the command it restarts: the
// debounce, stopping the old command (which exits at once on SIGTERM),
// reading the secrets and starting the new one. It reports the median as
// ms/restart.
func BenchmarkWatchRestart(b *testing.B) {
	p := startWatch(b, timing{}, `echo "start $V $$"; exec sleep 1000`)
	p.started("1")
	var took []time.Duration
	for i := 0; b.Loop(); i++ {
		v := strconv.Itoa(i + 2)
		start := time.Now()
		p.set(v)
		p.started(v)
		took = append(took, time.Since(start))
		p.said(`user-secrets: secrets changed, restarting "sh"`)
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms/restart")
	p.end(syscall.SIGTERM)
}

// TestRunHelperTiming is user-secrets with the grace and the debounce of
// run --watch set from $USER_SECRETS_TEST_GRACE and
// $USER_SECRETS_TEST_DEBOUNCE, where not zero, and SIGTERM ignored when
// $USER_SECRETS_TEST_IGNORE_TERM is 1: the test binary, run with
// -test.run=^TestRunHelperTiming$ -- ARGS..., runs the CLI on ARGS.
func TestRunHelperTiming(t *testing.T) {
	if os.Getenv("USER_SECRETS_TEST_HELPER") != "timing" {
		t.Skip("helper process for the tests of run --watch")
	}
	for _, v := range []struct {
		env string
		set *time.Duration
	}{{"USER_SECRETS_TEST_GRACE", &stopGrace}, {"USER_SECRETS_TEST_DEBOUNCE", &watchDebounce}} {
		d, err := time.ParseDuration(os.Getenv(v.env))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if d != 0 {
			*v.set = d
		}
	}
	if os.Getenv("USER_SECRETS_TEST_IGNORE_TERM") == "1" {
		signal.Ignore(syscall.SIGTERM)
	}
	os.Exit(run(flag.Args(), newSystemIO()))
}
