package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/spf13/cobra"
)

// EditOptions are the inputs of `edit`.
type EditOptions struct {
	F *Factory
}

// errStoreChanged means the secrets file changed while it was being edited.
var errStoreChanged = errors.New("the secrets file changed while you were editing it; nothing was saved")

func newCmdEdit(f *Factory, runF func(*EditOptions) error) *cobra.Command {
	opts := &EditOptions{F: f}
	return &cobra.Command{
		Use:   "edit",
		Short: "Edit the secrets file in your editor",
		Long: `Open a private copy of the secrets file in $VISUAL, else $EDITOR, else vi
(notepad on Windows). The copy is made in the store directory, mode 0600.

The editor variable may hold arguments: on Unix it is run by /bin/sh as
'$EDITOR "$@"' with the copy's path as the argument (as git does), so
EDITOR="code --wait" and quoted paths work; on Windows it is split at
spaces, unless the whole value names an existing file.

When the editor exits, the copy is read: unchanged, nothing happens; valid,
it replaces the secrets file atomically; invalid (a line that does not
parse, a key that is not [A-Za-z_][A-Za-z0-9_.]*), nothing is saved, the
error names the line, and the copy is kept so no edit is lost, renamed to
.secrets.edit-<n>.kept.env. The copy is also kept, and nothing saved, if the
secrets file changed meanwhile, or if the editor failed after changing it.

Signals: the copy is removed whenever user-secrets is interrupted or
terminated. On SIGTERM, SIGHUP or SIGQUIT (or SIGINT, when user-secrets is
not in its terminal's foreground), user-secrets passes the signal on to the
editor (unless the terminal already sent it to both), gives it 5 seconds to
exit, then kills it, removes the copy and ends with status 128+N, saving
nothing. Ctrl-C at the terminal is the editor's: user-secrets waits on,
unless it kills the editor, which ends the edit the same way. (As for run:
while user-secrets is in its terminal's foreground, a SIGINT sent to it
alone with kill is dropped.) On Windows, closing the console kills the
editor and removes the copy.

While the editor runs, the copy is locked (through a .lock file beside it).
A copy left by a process that was killed outright (SIGKILL, a crash) holds
no lock: 'user-secrets info' reports it, and the next write of the store
removes it. A kept copy is the user's to delete.

A file written by python-env-secrets is opened converted to this tool's
format (values unchanged); saving it keeps that format, which
python-env-secrets still reads.

A missing secrets file is created first. Without a USER_SECRETS_ID, edit
fails: run 'user-secrets init' (or 'set', which runs it) first.`,
		Example: `  user-secrets edit
  EDITOR="code --wait" user-secrets edit`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runEdit(opts)
		},
	}
}

func runEdit(opts *EditOptions) error {
	ios := opts.F.IO
	s, err := opts.F.Store()
	if err != nil {
		return err
	}
	exists, err := s.Exists()
	if err != nil {
		return err
	}
	if !exists {
		// An empty update writes a new file holding only the header.
		if err := s.Update(func(*core.Document) error { return nil }); err != nil {
			return err
		}
		ios.Infof("Created %s", s.Path())
	}
	raw, err := s.Text() // an encrypted store's values decrypted: in the private copy only
	if err != nil {
		return err
	}
	text, converted, err := editText(s, raw)
	if err != nil {
		return err
	}

	// From the moment the copy exists until it is saved or removed, the
	// signals that would end user-secrets are caught, so that it removes
	// the copy before it ends.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, editSignals...)
	defer signal.Stop(sigs)

	c, err := fsutil.CreateEditCopy(s.Path(), text) // mode 0600, locked
	if err != nil {
		return fmt.Errorf("create a private copy: %w", err)
	}
	defer c.Remove() // does nothing once the copy is kept

	sig, editErr := runEditor(opts.F, c.Path, sigs)
	if sig != nil {
		if err := c.Remove(); err != nil {
			ios.Warnf("%v", err) // names the copy
		}
		ios.Infof("Interrupted by %s: nothing was saved.", signalName(sig))
		return endedBy(sig)
	}
	edited, _, err := fsutil.ReadRegular(c.Path) // the editor may have left anything there
	if err != nil {
		return fmt.Errorf("read the edited copy: %w", err)
	}
	changed := !bytes.Equal(edited, text)
	// keepCopy sets the copy aside, so no edit is lost, under a name that
	// the next write does not clean, and returns its path.
	keepCopy := func() string {
		kept, err := c.Keep()
		if err != nil {
			ios.Warnf("%v", err)
		}
		ios.Hintf("your edited copy is kept in %s (copy what you need from it, then delete it)", kept)
		return kept
	}
	if editErr != nil {
		if changed {
			keepCopy()
		}
		return editErr
	}
	if !changed {
		ios.Infof("No changes.")
		return nil
	}
	// One compare-and-swap for every case (a valid file, a broken one being
	// repaired, a converted python-env-secrets file): the edit replaces the
	// file only if it still holds what was read, compared under the
	// store's lock, so no other writer's change is ever overwritten.
	if err := s.ReplaceIf(raw, edited); err != nil {
		kept := keepCopy()
		var pe *core.ParseError
		switch {
		case errors.Is(err, core.ErrChanged):
			return errStoreChanged
		case errors.As(err, &pe) && pe.File == s.Path():
			pe.File = kept // the line is the copy's: name the file the user edits
		}
		return err
	}
	entries, _ := core.Parse(edited, c.Path) // ReplaceIf has validated it
	ios.Infof("Saved %d secret(s) to %s", len(entries), s.Path())
	if converted {
		ios.Infof("The file was python-env-secrets'; it is now in user-secrets' format, which that tool still reads.")
	}
	return nil
}

// editText returns the text to edit for raw, the secrets file's content:
// raw itself, or, for a file python-env-secrets wrote, its secrets
// converted to this project's grammar (values unchanged, comment lines
// kept, the Python header replaced by this project's), with converted set.
// The Python dialect is chosen by the header line alone, and reads values
// by other rules ("C:\new" keeps its backslash there, and is a newline
// here): editing the raw text, a deleted header line would silently change
// the values on every other line.
//
// A file that does not parse is edited as it is: edit is how it is
// repaired.
func editText(s *core.Store, raw []byte) (text []byte, converted bool, err error) {
	d, err := core.ParseDocument(raw, s.Path())
	if err != nil || !d.PythonDialect() {
		return raw, false, nil
	}
	d.Header = s.Header()
	if _, err := d.Update(nil, nil); err != nil { // converts the whole file
		return nil, false, fmt.Errorf("convert the python-env-secrets file for editing: %w", err)
	}
	return d.Bytes(), true, nil
}

// editorGrace is how long an editor that user-secrets passed a signal on
// to has to exit before it is killed.
const editorGrace = 5 * time.Second

// runEditor runs the user's editor on path, with the terminal as its
// standard streams, while sigs receives editSignals.
//
// A signal that would end user-secrets ends the edit: it is passed on to
// the editor (see passOn), which gets editorGrace to exit before it is
// killed, and runEditor returns it, for the caller to remove the copy and
// end with it. Ctrl-C at the terminal is the exception: the terminal has
// sent it to the editor, whose business it is (see endsEdit). An editor
// that a signal of editSignals kills ends the edit the same way.
func runEditor(f *Factory, path string, sigs <-chan os.Signal) (os.Signal, error) {
	editor := f.Getenv("VISUAL")
	if strings.TrimSpace(editor) == "" {
		editor = f.Getenv("EDITOR")
	}
	if strings.TrimSpace(editor) == "" {
		editor = "vi"
		if runtime.GOOS == "windows" {
			editor = "notepad"
		}
	}
	cmd := editorCommand(editor, path)
	cmd.Env = withoutDataKey(os.Environ()) // as run does: the editor gets the values, not their key
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f.IO.In, f.IO.Out, f.IO.ErrOut
	// Streams that are not files are copied by goroutines, which a child
	// of a killed editor could hold up: let Wait give up on them.
	cmd.WaitDelay = time.Second

	select {
	case sig := <-sigs: // before there is an editor to pass it to
		return sig, nil
	default:
	}
	group := isolate(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("editor %q: %w", editor, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			if sig := killedBy(cmd.ProcessState); sig != nil {
				return sig, nil
			}
			if err != nil {
				return nil, fmt.Errorf("editor %q: %w", editor, err)
			}
			return nil, nil
		case sig := <-sigs:
			if !endsEdit(sig) {
				continue
			}
			passOn(cmd.Process, group, sig)
			select {
			case <-done:
			case <-time.After(editorGrace):
				kill(cmd.Process, group)
				<-done
			}
			return sig, nil
		}
	}
}

// editorCommand returns the command that opens path in editor: on Unix
// through /bin/sh, so the editor string may hold arguments and quotes; on
// Windows split at spaces, unless it names an existing file.
//
// A simple command (see simpleCommand) is run with exec, so that the
// shell becomes the editor: a signal user-secrets passes on reaches the
// editor itself rather than a shell that would die of it and leave the
// editor running.
func editorCommand(editor, path string) *exec.Cmd {
	if runtime.GOOS != "windows" {
		script := editor + ` "$@"`
		if simpleCommand(editor) {
			script = "exec " + script
		}
		return exec.Command("/bin/sh", "-c", script, editor, path)
	}
	if _, err := os.Stat(editor); err == nil {
		return exec.Command(editor, path)
	}
	fields := strings.Fields(editor)
	return exec.Command(fields[0], append(fields[1:], path)...)
}

// simpleCommand reports whether the shell text editor is one simple
// command, a program and its arguments, that "exec" may precede: no
// operator or grouping (; & | ( ) { } < > or a line break) and no variable
// assignment before the program (FOO=1 vi), which exec would take for the
// program's name. Quotes, spaces and $VARIABLES are allowed.
func simpleCommand(editor string) bool {
	fields := strings.Fields(editor)
	return len(fields) > 0 && !strings.ContainsAny(editor, ";&|(){}<>\n\r`") &&
		!strings.Contains(fields[0], "=") && !strings.HasPrefix(fields[0], "!")
}
