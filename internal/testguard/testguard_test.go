package testguard

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMain guards these tests too: a .env above would be found by Check
// from every directory they make.
func TestMain(m *testing.M) { os.Exit(Wrap(m).Run()) }

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Check(deep); err != nil {
		t.Fatalf("no .env: %v", err)
	}
	// A .env that only mentions the name, or defines another key, is still
	// looked in: it is named, without a line.
	writeFile(t, filepath.Join(root, "a", ".env"), "# USER_SECRETS_ID=x is set by init\nUSER_SECRETS_ID_OLD=1\n")
	if err := Check(deep); err == nil || !strings.Contains(err.Error(), filepath.Join(root, "a", ".env")+" is in") {
		t.Fatalf("a .env without the ID: %v", err)
	}
	// So is one whose only definition lies inside a multi-line value.
	writeFile(t, filepath.Join(root, "a", ".env"), "CERT='x\nUSER_SECRETS_ID=6f1c1f5e\n'\n")
	if err := Check(deep); err == nil || !strings.Contains(err.Error(), filepath.Join(root, "a", ".env")+" is in") {
		t.Fatalf("a .env with the ID only inside a value: %v", err)
	}
	if err := os.Remove(filepath.Join(root, "a", ".env")); err != nil {
		t.Fatal(err)
	}
	// Every way the ID lookup reads a definition (envid.Scan) counts.
	long := "CERT=" + strings.Repeat("x", 70000) + "\n"
	for text, line := range map[string]int{
		"A=1\r\n export  USER_SECRETS_ID = 6f1c1f5e\r\n": 2,
		"A=1\rUSER_SECRETS_ID=6f1c1f5e\r":                2,
		"export\tUSER_SECRETS_ID=6f1c1f5e\n":             1,
		"\ufeff\f\u00a0USER_SECRETS_ID=6f1c1f5e\n":       1,
		long + "USER_SECRETS_ID=6f1c1f5e\n":              2,
		// A line inside a multi-line value is no definition.
		"USER_SECRETS_ID=6f1c1f5e\nA=\"x\nUSER_SECRETS_ID=0\n\"\n": 1,
	} {
		writeFile(t, filepath.Join(root, ".env"), text)
		want := filepath.Join(root, ".env") + ":" + strconv.Itoa(line) + " "
		if err := Check(deep); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a .env above defining the ID on line %d (%.30q): %v", line, text, err)
		}
	}
}

type runs int

func (r *runs) Run() int { *r++; return 0 }

func TestWrap(t *testing.T) {
	dir := t.TempDir()
	tmp, gotmp := filepath.Join(dir, "tmp"), filepath.Join(dir, "gotmp")
	for _, v := range []string{"TMPDIR", "TMP", "TEMP"} { // os.TempDir's, on Unix and Windows
		t.Setenv(v, tmp)
	}
	t.Setenv("GOTMPDIR", filepath.Join(gotmp, "w"))
	var r runs
	if code := Wrap(&r).Run(); code != 0 || r != 1 {
		t.Fatalf("clean: exit %d after %d runs", code, r)
	}
	// testscript's $WORK is under GOTMPDIR: a .env above it counts too.
	if err := os.MkdirAll(gotmp, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(gotmp, ".env"), "USER_SECRETS_ID=x\n")
	if code := Wrap(&r).Run(); code != 1 || r != 1 {
		t.Fatalf("with a .env above GOTMPDIR: exit %d after %d runs, want 1 and no run", code, r)
	}
	writeFile(t, filepath.Join(dir, ".env"), "USER_SECRETS_ID=x\n")
	t.Setenv("GOTMPDIR", "")
	if code := Wrap(&r).Run(); code != 1 || r != 1 {
		t.Fatalf("with a .env above TMPDIR: exit %d after %d runs, want 1 and no run", code, r)
	}
}
