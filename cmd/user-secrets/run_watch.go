package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
	"github.com/go-user-secrets/user-secrets/internal/watch"
)

// stopGrace is how long a command that run --watch stops has between
// SIGTERM and SIGKILL. Tests shorten it.
var stopGrace = 5 * time.Second

// watchDebounce is how long run --watch waits after the last change on
// disk before it restarts the command. Tests lengthen it.
var watchDebounce = secrets.DefaultDebounce

// drainWait bounds how long run --watch, once it has stopped a command,
// waits for the command's masked output to be written out, before a
// restart and before it exits: a process that left the command's process
// group may hold the pipes open for ever.
const drainWait = time.Second

// watchRun is one `run --watch`: the command, the store it watches, and
// how it reports.
type watchRun struct {
	opts  *RunOptions
	store *core.Store
	path  string // the program, as LookPath found it
	mask  bool
}

// started is one start of the command.
type started struct {
	group *group
	out   *maskedOutput // nil without --mask
	done  chan struct{} // closed when the command has exited and state is set
	state *os.ProcessState
}

// runWatch runs the command and starts it again, with the secrets read
// anew, each time the secrets file changes. It returns when run receives
// one of watchSignals, or when the command dies of one the terminal sends
// (Ctrl-C): an *exitError with 128+N for signal N, or the command's own
// status. Without an ID, with a command that cannot be found, or when the
// file cannot be watched, it returns an error and starts nothing. Other
// failures (a missing key under --check, a secrets file that does not
// parse, a command that cannot start or exits) are reported on stderr,
// and it waits for the next change.
func runWatch(opts *RunOptions, mask bool) error {
	s, err := opts.F.Store()
	if err != nil {
		return err
	}
	name := opts.Command[0]
	path, err := lookCommand(name)
	if err != nil {
		return err
	}

	// Catch the signals before any command exists, so that none of them
	// can kill user-secrets and leave the command running on its own. One
	// that user-secrets was started with ignored (SIGHUP under nohup,
	// SIGINT in a script's background job) stays ignored.
	sigs := make(chan os.Signal, 1)
	for _, sig := range watchSignals {
		if !signal.Ignored(sig) {
			signal.Notify(sigs, sig)
		}
	}
	defer signal.Stop(sigs)
	prepareWatch()

	changed := make(chan struct{}, 1)
	fw, err := watch.New(s.Path(), watchDebounce, func() {
		select {
		case changed <- struct{}{}:
		default: // a change is already pending
		}
	})
	if err != nil {
		return fmt.Errorf("watch the secrets file: %w", err)
	}
	defer fw.Close()

	w := &watchRun{opts: opts, store: s, path: path, mask: mask}
	for {
		// A signal that came while the last command was stopped ends run
		// before anything starts again.
		select {
		case sig := <-sigs:
			return &exitError{code: signalStatus(sig)}
		default:
		}
		// The start reads the file as it is now, so a change seen so far
		// is no reason for another start.
		select {
		case <-changed:
		default:
		}
		if c := w.start(); c != nil {
			select {
			case <-changed:
				w.say("secrets changed, restarting %q", name)
				w.stop(c)
				continue
			case sig := <-sigs:
				w.stop(c)
				return &exitError{code: signalStatus(sig)}
			case <-c.done:
				// Stop what it left running in its group, and take the
				// terminal back.
				w.stop(c)
				if endsWatch(c.state) {
					return &exitError{code: exitStatus(c.state)}
				}
				w.say("%q exited with status %d; waiting for a change of the secrets", name, exitStatus(c.state))
			}
		} else {
			w.say("waiting for a change of the secrets")
		}
		select {
		case <-changed:
			w.say("secrets changed, starting %q", name)
		case sig := <-sigs:
			return &exitError{code: signalStatus(sig)}
		}
	}
}

// start starts the command with the secrets as they are now, and returns
// nil, after saying why, when it did not start.
func (w *watchRun) start() *started {
	f := w.opts.F
	if w.opts.Check {
		if err := checkBeforeRun(f); err != nil {
			w.fail(err)
			return nil
		}
	}
	entries, err := w.store.All()
	if err != nil {
		w.fail(err)
		return nil
	}
	cmd := childCommand(w.opts, w.path, entries)
	c := &started{done: make(chan struct{})}
	if w.mask {
		if c.out, err = maskOutput(cmd, f.IO, entries); err != nil {
			w.fail(err)
			return nil
		}
	}
	c.group = newGroup(f.IO)
	err = c.group.start(cmd)
	c.out.detach()
	if err != nil {
		c.out.wait()
		w.fail(cannotRun(w.opts.Command[0], w.path, err))
		return nil
	}
	go func() {
		// The exit status is in ProcessState; Wait's error says no more.
		_ = cmd.Wait()
		c.state = cmd.ProcessState
		close(c.done)
	}()
	return c
}

// stop stops the command's group, if anything in it still runs, and says
// so when that took SIGKILL; then it waits, for at most drainWait, until
// the command's masked output has been written out.
func (w *watchRun) stop(c *started) {
	if c.group.stop(c.done, stopGrace) {
		w.say("%q did not stop within %v of SIGTERM: killed", w.opts.Command[0], stopGrace)
	}
	c.out.waitUpTo(drainWait)
}

// say prints a message of run --watch on stderr.
func (w *watchRun) say(format string, a ...any) {
	w.opts.F.IO.Infof("user-secrets: "+format, a...)
}

// fail reports why the command was not started.
func (w *watchRun) fail(err error) {
	var ee *exitError
	if errors.As(err, &ee) && ee.err != nil {
		err = ee.err
	}
	fmt.Fprintf(w.opts.F.IO.ErrOut, "user-secrets: error: %v\n", err)
}

// signalStatus is the exit status of run --watch ended by sig: 128+N, as
// a shell reports a death by signal N.
func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitFail
}
