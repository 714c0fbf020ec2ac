package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/redact"
	"github.com/spf13/cobra"
)

// RunOptions are the inputs of `run`.
type RunOptions struct {
	F *Factory
	// Override lets secrets replace variables already in the environment.
	Override bool
	// Check runs `check` first, and starts nothing when a key is missing.
	Check bool
	// Watch restarts the command each time the secrets file changes.
	Watch bool
	// Mask passes the command's output through a filter that hides the
	// secret values. MaskSet is whether --mask was given; without it,
	// USER_SECRETS_MASK decides.
	Mask, MaskSet bool
	// Command is the program and its arguments.
	Command []string
}

// maskEnv turns --mask on for every run when it is "1".
const maskEnv = "USER_SECRETS_MASK"

// Exit statuses of `run` itself, as shells use them.
const (
	exitCannotExec = 126 // found but not runnable
	exitNotFound   = 127 // command not found
)

func newCmdRun(f *Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{F: f}
	cmd := &cobra.Command{
		Use:   "run [--override] [--check] [--watch] [--mask] -- COMMAND [ARG...]",
		Short: "Run a command with the secrets in its environment",
		Long: `Run COMMAND with the project's secrets added to its environment.

A variable that is already set in the environment wins over a secret of the
same name, unless --override is given. With --check, the required keys of the
project's manifest are checked first, as 'user-secrets check' does: when one
has no value, they are listed and COMMAND is not started (exit 1).

With --watch, COMMAND is started again with the new secrets each time the
secrets file changes. It runs in a process group of its own: to stop it,
the whole group gets SIGTERM and, 5 seconds later, SIGKILL, so that the
server 'go run' built stops too. At a terminal, COMMAND's group gets the
terminal, so Ctrl-C and the keyboard reach it (Ctrl-Z does nothing). A
COMMAND that exits is started again at the next change; with --check, a
missing key means no start until then. run ends on SIGINT, SIGTERM, SIGHUP
or SIGQUIT, and when COMMAND dies of Ctrl-C (one that catches it and exits
leaves run waiting: a second Ctrl-C ends it). It says on stderr what it
does, never a value. On Windows, COMMAND runs in a job object, and
stopping it ends every process in it at once.

With --mask, or with USER_SECRETS_MASK=1 in the environment, COMMAND's
output passes through a filter that replaces every secret value of 6
characters or more with ***. It is best effort: a shorter value, or one
that COMMAND changes (encodes, reverses), still shows. COMMAND writes into
pipes, not the terminal, so it may buffer its output or drop its colours.
--mask=false turns the filter off whatever the variable says.

The command's standard input, output and error are the terminal's; its exit
status becomes user-secrets' exit status (128+N when it is killed by signal
N). As in a shell, a command that is not found, or a script whose #!
interpreter does not exist, gives 127; one that is found but cannot be run
(not executable, a directory, not a program) gives 126. With --watch, the
exit status is 128+N when signal N ended run, or COMMAND's when Ctrl-C did.

Signals, on Unix (without --watch): SIGINT, SIGTERM, SIGHUP and SIGQUIT do
not stop user-secrets while the command runs, so its exit status comes back.
SIGTERM is always passed on to the command. SIGINT, SIGQUIT and SIGHUP are
passed on only when user-secrets is not in its terminal's foreground
process group (it has no terminal, or runs in the background): in the
foreground, the terminal sends them (Ctrl-C, Ctrl-\, a hang-up) to the whole
group, the command included, and passing them on would deliver them twice.
user-secrets cannot tell those from the same signal sent with kill, so
while it runs in a terminal's foreground, "kill -INT <pid of user-secrets>"
from another shell is caught and dropped: the command never sees it
(likewise -QUIT and -HUP). Signal the command's own pid, or the process
group ("kill -INT -<pgid>"), or send SIGTERM. On Windows, Ctrl-C and Ctrl-Break
reach the command directly from the console; user-secrets ignores them
while it waits (with --watch, they end it).

user-secrets prints nothing of its own unless something goes wrong (or, with
--watch, COMMAND is restarted or exits); no secret value is ever printed.`,
		Example: `  user-secrets run -- go run ./cmd/server
  user-secrets run --override -- env
  user-secrets run --check -- go run .
  user-secrets run --watch -- go run ./cmd/server
  user-secrets run --mask -- go test ./...
  user-secrets run -- sh -c 'psql "$DATABASE_URL"'`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			opts.Command = a
			opts.MaskSet = cmd.Flags().Changed("mask")
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	// Everything after COMMAND belongs to COMMAND, flags included.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&opts.Override, "override", false, "let secrets replace variables already set in the environment")
	cmd.Flags().BoolVar(&opts.Check, "check", false, "check the manifest's required keys first; start nothing when one is missing")
	cmd.Flags().BoolVar(&opts.Watch, "watch", false, "start the command again each time the secrets change")
	cmd.Flags().BoolVar(&opts.Mask, "mask", false, "replace the secret values in the command's output with *** (default: $"+maskEnv+")")
	return cmd
}

func runRun(opts *RunOptions) error {
	mask, err := opts.masking()
	if err != nil {
		return err
	}
	if opts.Watch {
		return runWatch(opts, mask)
	}
	if opts.Check {
		if err := checkBeforeRun(opts.F); err != nil {
			return err
		}
	}
	entries, err := opts.F.Entries()
	if err != nil {
		return err
	}
	name := opts.Command[0]
	path, err := lookCommand(name)
	if err != nil {
		return err
	}

	cmd := childCommand(opts, path, entries)
	var out *maskedOutput
	if mask {
		if out, err = maskOutput(cmd, opts.F.IO, entries); err != nil {
			return err
		}
	}

	// Catch the signals before the child exists, so that none of them can
	// kill user-secrets and leave the child running on its own.
	fwd := forwardSignals()
	defer fwd.stop()
	err = cmd.Start()
	out.detach()
	if err != nil {
		out.wait()
		return cannotRun(name, path, err)
	}
	fwd.started(cmd.Process)
	err = cmd.Wait()
	out.wait()
	return childResult(name, err)
}

// masking reports whether the command's output is to be masked: as --mask
// says when it is given, else as USER_SECRETS_MASK says ("1" on; "0",
// empty or unset off). Any other value of the variable is an error, which
// names the variable but does not quote the value.
func (opts *RunOptions) masking() (bool, error) {
	if opts.MaskSet {
		return opts.Mask, nil
	}
	switch opts.F.Getenv(maskEnv) {
	case "1":
		return true, nil
	case "0", "":
		return false, nil
	}
	return false, fmt.Errorf("%s must be 1 (mask the output of run) or 0 (do not); --mask or --mask=false overrides it", maskEnv)
}

// lookCommand returns the path of the program that name runs, or the
// error of cannotRun.
func lookCommand(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", cannotRun(name, "", err)
	}
	return path, nil
}

// childCommand is the command to run: path, with the name and arguments
// the user typed, the secrets in its environment, and run's own streams.
func childCommand(opts *RunOptions, path string, entries []core.Entry) *exec.Cmd {
	cmd := exec.Command(path, opts.Command[1:]...)
	cmd.Args[0] = opts.Command[0]
	cmd.Env = childEnv(os.Environ(), entries, opts.Override)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.F.IO.In, opts.F.IO.Out, opts.F.IO.ErrOut
	return cmd
}

// childResult is run's result for the error of waiting for the command
// name: nil when it exited 0, else an *exitError with the status a shell
// would report.
func childResult(name string, err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		// The child ran but waiting for it or copying its streams failed.
		return fmt.Errorf("run %q: %w", name, err)
	}
	return &exitError{code: exitStatus(ee.ProcessState)}
}

// maskedOutput carries a command's standard output and error through pipes
// and filters that mask the secret values, on their way to run's own
// streams.
type maskedOutput struct {
	ends []*os.File // the pipes' write ends, the command's stdout and stderr
	wg   sync.WaitGroup
}

// maskOutput points cmd's stdout and stderr at pipes whose contents reach
// streams.Out and streams.ErrOut with every value of entries masked. Call
// detach once cmd.Start has returned, and wait once cmd.Wait has.
func maskOutput(cmd *exec.Cmd, streams *IOStreams, entries []core.Entry) (*maskedOutput, error) {
	values := make([]string, len(entries))
	for i, e := range entries {
		values[i] = e.Value
	}
	m := &maskedOutput{}
	for _, s := range []struct {
		dst   io.Writer
		child *io.Writer
	}{{streams.Out, &cmd.Stdout}, {streams.ErrOut, &cmd.Stderr}} {
		r, w, err := os.Pipe()
		if err != nil {
			m.detach()
			m.wait()
			return nil, fmt.Errorf("mask the output: %w", err)
		}
		*s.child = w
		m.ends = append(m.ends, w)
		m.wg.Add(1)
		go m.copy(s.dst, r, values)
	}
	return m, nil
}

// copy copies what the command writes into r to dst, masked, until every
// writer has closed r, and then writes out what the filter held back. When
// writing to dst fails, it stops reading, so that the command's writes fail
// as they would on dst itself.
func (m *maskedOutput) copy(dst io.Writer, r *os.File, values []string) {
	defer m.wg.Done()
	defer r.Close()
	f := redact.New(dst, values)
	if _, err := io.Copy(f, r); err == nil {
		_ = f.Close()
	}
}

// detach closes run's copies of the pipes' write ends, which the command
// has inherited (or, when it did not start, no one has): the copies end
// when the command, and whatever it left running, closes them. A nil m
// does nothing.
func (m *maskedOutput) detach() {
	if m == nil {
		return
	}
	for _, w := range m.ends {
		w.Close()
	}
	m.ends = nil
}

// wait waits until all of the command's output has been copied; a nil m
// returns at once. Like a shell pipeline, it waits as long as anything
// holds the pipes open, such as a process the command left running.
func (m *maskedOutput) wait() {
	if m != nil {
		m.wg.Wait()
	}
}

// waitUpTo is wait, for at most d.
func (m *maskedOutput) waitUpTo(d time.Duration) {
	if m == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// childEnv returns environ with the secrets added. A variable already in
// environ is kept unless override; then the secret replaces it in place.
func childEnv(environ []string, secrets []core.Entry, override bool) []string {
	environ = withoutDataKey(environ) // the key of the secrets is not the command's
	index := make(map[string]int, len(environ))
	for i, kv := range environ {
		if k, _, ok := strings.Cut(kv, "="); ok && k != "" {
			index[envKey(k)] = i
		}
	}
	env := append([]string(nil), environ...)
	for _, e := range secrets {
		i, present := index[envKey(e.Key)]
		switch {
		case !present:
			index[envKey(e.Key)] = len(env)
			env = append(env, e.Key+"="+e.Value)
		case override:
			env[i] = e.Key + "=" + e.Value
		}
	}
	return env
}

// cannotRun is the error for a command name that could not be run, with
// the status a POSIX shell gives: 127 when there is nothing to run (no such
// command on PATH, no such file, or a script whose #! interpreter does not
// exist: exec fails with ENOENT for all of them), 126 when something was
// found but cannot be run (no execute permission, a directory, a file that
// is no program). path is what LookPath found, or "" when it failed; err is
// LookPath's or Start's error. The message names the command and the
// cause, never anything of the environment.
func cannotRun(name, path string, err error) *exitError {
	if errors.Is(err, exec.ErrNotFound) {
		return &exitError{code: exitNotFound, err: fmt.Errorf("%q: command not found", name)}
	}
	cause := execCause(err)
	if errors.Is(err, fs.ErrNotExist) {
		if path != "" {
			// The file is there, but what would run it is not.
			if interp := interpreter(path); interp != "" {
				if _, serr := os.Stat(interp); errors.Is(serr, fs.ErrNotExist) {
					return &exitError{code: exitNotFound, err: fmt.Errorf("cannot run %q: its interpreter %q does not exist", name, interp)}
				}
			}
			return &exitError{code: exitNotFound, err: fmt.Errorf("cannot run %q: %w (a missing interpreter or loader)", name, cause)}
		}
		return &exitError{code: exitNotFound, err: fmt.Errorf("cannot run %q: %w", name, cause)}
	}
	found := path
	if found == "" {
		found = name
	}
	if fi, serr := os.Stat(found); serr == nil && fi.IsDir() {
		return &exitError{code: exitCannotExec, err: fmt.Errorf("cannot run %q: it is a directory", name)}
	}
	return &exitError{code: exitCannotExec, err: fmt.Errorf("cannot run %q: %w", name, cause)}
}

// execCause is the system's reason in an error of LookPath or Start
// ("no such file or directory", "permission denied"), without the
// "exec: NAME:" or "fork/exec PATH:" that would repeat the name our
// message already quotes.
func execCause(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		err = ee.Err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err
}

// interpreter returns the program that the #! line of the script at path
// names, or "" when it has none (or cannot be read).
func interpreter(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 256)
	n, _ := io.ReadFull(f, buf)
	line, ok := strings.CutPrefix(string(buf[:n]), "#!")
	if !ok {
		return ""
	}
	line, _, _ = strings.Cut(line, "\n")
	if fields := strings.Fields(line); len(fields) > 0 {
		return fields[0]
	}
	return ""
}
