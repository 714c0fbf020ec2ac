package testguard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Check(deep); err != nil {
		t.Fatalf("no .env: %v", err)
	}
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A .env that only mentions the name, or defines another key, is not one.
	write(filepath.Join(root, "a", ".env"), "# USER_SECRETS_ID=x is set by init\nUSER_SECRETS_ID_OLD=1\n")
	if err := Check(deep); err != nil {
		t.Fatalf("a .env without the ID: %v", err)
	}
	write(filepath.Join(root, ".env"), "A=1\r\n export  USER_SECRETS_ID = 6f1c1f5e-8d5c-4a8e-9d2a-1b2c3d4e5f60\r\n")
	err := Check(deep)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, ".env")+":2 ") {
		t.Fatalf("a .env above with the ID on line 2: %v", err)
	}
}

type runs int

func (r *runs) Run() int { *r++; return 0 }

func TestWrap(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"TMPDIR", "TMP", "TEMP"} { // os.TempDir's, on Unix and Windows
		t.Setenv(v, filepath.Join(dir, "tmp"))
	}
	var r runs
	if code := Wrap(&r).Run(); code != 0 || r != 1 {
		t.Fatalf("clean: exit %d after %d runs", code, r)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("USER_SECRETS_ID=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := Wrap(&r).Run(); code != 1 || r != 1 {
		t.Fatalf("with a .env above: exit %d after %d runs, want 1 and no run", code, r)
	}
}
