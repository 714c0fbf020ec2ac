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

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/cobra"
)

// EditOptions are the inputs of `edit`.
type EditOptions struct {
	F *Factory
}

// editCopyPattern names the private copy `edit` opens, in the store
// directory. It must not look like a temporary file of core's writer
// (".secrets.tmp-*"), which the next write deletes.
const editCopyPattern = ".secrets.edit-*.env"

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
error names the line, and the copy is kept so no edit is lost. The copy is
also kept, and nothing saved, if the secrets file changed meanwhile.

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
	raw, err := s.ReadFile()
	if err != nil {
		return err
	}
	text, converted, err := editText(s, raw)
	if err != nil {
		return err
	}

	tmp, err := os.CreateTemp(s.Dir(), editCopyPattern) // mode 0600
	if err != nil {
		return fmt.Errorf("create a private copy: %w", err)
	}
	copyPath := tmp.Name()
	keep := false
	defer func() {
		if !keep {
			os.Remove(copyPath)
		}
	}()
	_, err = tmp.Write(text)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write the private copy: %w", err)
	}

	editErr := runEditor(opts.F, copyPath)
	edited, err := os.ReadFile(copyPath)
	if err != nil {
		return fmt.Errorf("read the edited copy: %w", err)
	}
	changed := !bytes.Equal(edited, text)
	keepCopy := func() {
		keep = true
		ios.Hintf("your edited copy is kept in %s (copy what you need from it, then delete it)", copyPath)
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
		keepCopy()
		var pe *core.ParseError
		switch {
		case errors.Is(err, core.ErrChanged):
			return errStoreChanged
		case errors.As(err, &pe) && pe.File == s.Path():
			pe.File = copyPath // the line is the copy's: name the file the user edits
		}
		return err
	}
	entries, _ := core.Parse(edited, copyPath) // ReplaceIf has validated it
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

// runEditor runs the user's editor on path, with the terminal as its
// standard streams. Ctrl-C goes to the editor: user-secrets ignores it
// meanwhile, so it never exits leaving the copy behind.
func runEditor(f *Factory, path string) error {
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
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f.IO.In, f.IO.Out, f.IO.ErrOut

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("editor %q: %w", editor, err)
	}
	return nil
}

// editorCommand returns the command that opens path in editor: on Unix
// through /bin/sh, so the editor string may hold arguments and quotes; on
// Windows split at spaces, unless it names an existing file.
func editorCommand(editor, path string) *exec.Cmd {
	if runtime.GOOS != "windows" {
		return exec.Command("/bin/sh", "-c", editor+` "$@"`, editor, path)
	}
	if _, err := os.Stat(editor); err == nil {
		return exec.Command(editor, path)
	}
	fields := strings.Fields(editor)
	return exec.Command(fields[0], append(fields[1:], path)...)
}
