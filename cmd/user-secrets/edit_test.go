package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

func TestNewCmdEdit(t *testing.T) {
	var called bool
	cmd := newCmdEdit(&Factory{}, func(*EditOptions) error { called = true; return nil })
	if err, _ := parse(t, cmd, nil); err != nil || !called {
		t.Fatalf("edit: err = %v, called = %v", err, called)
	}
	cmd = newCmdEdit(&Factory{}, func(*EditOptions) error { return nil })
	if err, usage := parse(t, cmd, []string{"file"}); !usage {
		t.Errorf("edit file: err = %v, want a usage error", err)
	}
}

// The editor string runs through the shell, with exec when it is one
// simple command, so that a signal passed on reaches the editor itself.
func TestEditorCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix form")
	}
	tests := []struct {
		editor, script string
	}{
		{`code --wait`, `exec code --wait "$@"`},
		{`vi`, `exec vi "$@"`},
		{`"/opt/my editor/ed" -w`, `exec "/opt/my editor/ed" -w "$@"`},
		{`$HOME/bin/ed`, `exec $HOME/bin/ed "$@"`},
		{`vim -c 'set nobackup'`, `exec vim -c 'set nobackup' "$@"`},
		{`TERM=xterm vim`, `TERM=xterm vim "$@"`},
		{`vim; echo`, `vim; echo "$@"`},
		{`vim && true`, `vim && true "$@"`},
		{`vim 2>/dev/null`, `vim 2>/dev/null "$@"`},
		{`(vim)`, `(vim) "$@"`},
		{`! vim`, `! vim "$@"`},
		{"vim\necho", "vim\necho \"$@\""},
	}
	for _, tt := range tests {
		cmd := editorCommand(tt.editor, "/s/.secrets.edit-1.env")
		want := []string{"/bin/sh", "-c", tt.script, tt.editor, "/s/.secrets.edit-1.env"}
		if !slices.Equal(cmd.Args, want) {
			t.Errorf("editorCommand(%q) args = %q, want %q", tt.editor, cmd.Args, want)
		}
	}
}

// A save replaces the secrets file only if it still holds what was read,
// compared under the store's lock: a change that lands while edit waits for
// the lock is never overwritten, not even when the file did not parse (the
// repair case, which once compared without the lock).
func TestEditComparesUnderTheLock(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "solaris", "aix":
		// No /bin/sh editor; fcntl locks do not exclude their own process.
		t.Skip("needs a POSIX shell and flock")
	}
	const id = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"
	root := t.TempDir()
	dir := filepath.Join(root, id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, ".secrets")
	const broken = "# hand-edited\nA=canary-a\nB=\"canary-unterminated\n"
	if err := os.WriteFile(file, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	edited := filepath.Join(tmp, "edited")
	editor := filepath.Join(tmp, "repair.sh")
	script := "#!/bin/sh\nprintf '# hand-edited\\nA=canary-a\\nB=canary-b\\n' > \"$1\"\n: > '" + edited + "'\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	// Hold the store's lock (core's lock file) as another writer would.
	unlock, err := fsutil.Lock(filepath.Join(dir, ".secrets.lock"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	locked := true
	defer func() {
		if locked {
			unlock()
		}
	}()

	s, _, errOut := testIO("")
	f := &Factory{IO: s, ID: id, LookupEnv: func(k string) (string, bool) {
		switch k {
		case "USER_SECRETS_DIR":
			return root, true
		case "EDITOR":
			return editor, true
		}
		return "", false
	}}
	done := make(chan error, 1)
	go func() { done <- runEdit(&EditOptions{F: f}) }()

	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(edited); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the editor did not run")
		}
	}
	// The edit is now on its way to the lock; let it get there, then write
	// as the lock's holder and let go.
	time.Sleep(200 * time.Millisecond)
	const other = broken + "OTHER=1\n"
	if err := os.WriteFile(file, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	unlock()
	locked = false

	if err := <-done; !errors.Is(err, errStoreChanged) {
		t.Errorf("edit = %v, want %v", err, errStoreChanged)
	}
	if data, err := os.ReadFile(file); err != nil || string(data) != other {
		t.Errorf("edit overwrote the change made while it waited for the lock (read error: %v)", err)
	}
	if !strings.Contains(errOut.String(), "your edited copy is kept") {
		t.Errorf("stderr %q does not say where the copy is", errOut)
	}
}
