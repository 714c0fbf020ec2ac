package secrets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
)

func noEnv(string) (string, bool) { return "", false }

func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noID := core.Options{ProjectDir: dir, Root: t.TempDir(), LookupEnv: noEnv, WorkDir: dir}
	if s, err := Open(noID, false); s != nil || err != nil {
		t.Errorf("Open(no ID, false) = %v, %v, want nil, nil", s, err)
	}
	if _, err := Open(noID, true); !errors.Is(err, core.ErrNoID) {
		t.Errorf("Open(no ID, true) = %v, want core.ErrNoID", err)
	}
	withID := noID
	withID.ID = "6f1c1d3e-8a4b-4c55-9d1e-2b7f0a9c4e21"
	if s, err := Open(withID, true); s == nil || err != nil {
		t.Errorf("Open(ID, true) = %v, %v, want a store", s, err)
	}
}

func TestEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := core.Open(core.Options{ID: "6f1c1d3e-8a4b-4c55-9d1e-2b7f0a9c4e21", Root: t.TempDir(), LookupEnv: noEnv, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	// Missing file.
	if got, err := Entries(s, false); got != nil || err != nil {
		t.Errorf("Entries(missing, false) = %v, %v, want nil, nil", got, err)
	}
	if _, err := Entries(s, true); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Entries(missing, true) = %v, want fs.ErrNotExist", err)
	}
	// Empty file: exists, so no error even when required.
	if err := os.MkdirAll(filepath.Dir(s.Path()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := Entries(s, true); len(got) != 0 || err != nil {
		t.Errorf("Entries(empty, true) = %v, %v, want none, nil", got, err)
	}
	if _, err := s.Set("A", "1"); err != nil {
		t.Fatal(err)
	}
	if got, err := Entries(s, true); len(got) != 1 || got[0].Key != "A" || err != nil {
		t.Errorf("Entries = %v, %v, want A", got, err)
	}
}

func TestWhere(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		line int
		want string
	}{
		{"/s/.secrets", 3, "/s/.secrets:3"},
		{"/s/.secrets", 0, "/s/.secrets"},
	} {
		if got := Where(tc.file, tc.line); got != tc.want {
			t.Errorf("Where(%q, %d) = %q, want %q", tc.file, tc.line, got, tc.want)
		}
	}
}

func TestDebounce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want time.Duration }{
		{0, DefaultDebounce},
		{-time.Second, DefaultDebounce},
		{time.Millisecond, time.Millisecond},
	} {
		if got := Debounce(tc.in); got != tc.want {
			t.Errorf("Debounce(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
