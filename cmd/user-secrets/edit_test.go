package main

import (
	"runtime"
	"testing"
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

func TestEditorCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix form")
	}
	cmd := editorCommand(`code --wait`, "/s/.secrets.edit-1.env")
	want := []string{"/bin/sh", "-c", `code --wait "$@"`, "code --wait", "/s/.secrets.edit-1.env"}
	if len(cmd.Args) != len(want) {
		t.Fatalf("editorCommand args = %q, want %q", cmd.Args, want)
	}
	for i := range want {
		if cmd.Args[i] != want[i] {
			t.Errorf("editorCommand args = %q, want %q", cmd.Args, want)
			break
		}
	}
}
