package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/cobra"
)

// RunOptions are the inputs of `run`.
type RunOptions struct {
	F *Factory
	// Override lets secrets replace variables already in the environment.
	Override bool
	// Check runs `check` first, and starts nothing when a key is missing.
	Check bool
	// Command is the program and its arguments.
	Command []string
}

// Exit statuses of `run` itself, as shells use them.
const (
	exitCannotExec = 126 // found but not runnable
	exitNotFound   = 127 // command not found
)

func newCmdRun(f *Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{F: f}
	cmd := &cobra.Command{
		Use:   "run [--override] [--check] -- COMMAND [ARG...]",
		Short: "Run a command with the secrets in its environment",
		Long: `Run COMMAND with the project's secrets added to its environment.

A variable that is already set in the environment wins over a secret of the
same name, unless --override is given. With --check, the required keys of the
project's manifest are checked first, as 'user-secrets check' does: when one
has no value, they are listed and COMMAND is not started (exit 1).

The command's standard input, output and error are the terminal's; its exit
status becomes user-secrets' exit status (128+N when it is killed by signal
N). As in a shell, a command that is not found, or a script whose #!
interpreter does not exist, gives 127; one that is found but cannot be run
(not executable, a directory, not a program) gives 126.

Signals, on Unix: SIGINT, SIGTERM, SIGHUP and SIGQUIT do not stop
user-secrets while the command runs, so its exit status always comes back.
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
while it waits.

user-secrets prints nothing of its own unless something goes wrong; no
secret value is ever printed.`,
		Example: `  user-secrets run -- go run ./cmd/server
  user-secrets run --override -- env
  user-secrets run --check -- go run .
  user-secrets run -- sh -c 'psql "$DATABASE_URL"'`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			opts.Command = a
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
	return cmd
}

func runRun(opts *RunOptions) error {
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
	path, err := exec.LookPath(name)
	if err != nil {
		return cannotRun(name, "", err)
	}

	cmd := exec.Command(path, opts.Command[1:]...)
	cmd.Args[0] = name
	cmd.Env = childEnv(os.Environ(), entries, opts.Override)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.F.IO.In, opts.F.IO.Out, opts.F.IO.ErrOut

	// Catch the signals before the child exists, so that none of them can
	// kill user-secrets and leave the child running on its own.
	fwd := forwardSignals()
	defer fwd.stop()
	if err := cmd.Start(); err != nil {
		return cannotRun(name, path, err)
	}
	fwd.started(cmd.Process)
	err = cmd.Wait()
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

// childEnv returns environ with the secrets added. A variable already in
// environ is kept unless override; then the secret replaces it in place.
func childEnv(environ []string, secrets []core.Entry, override bool) []string {
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
