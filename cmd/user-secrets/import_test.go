package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

func TestNewCmdImport(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      ImportOptions
		wantUsage bool
	}{
		{name: "default file", args: nil, want: ImportOptions{}},
		{name: "file and flags", args: []string{"--move", "--overwrite", "a.env"}, want: ImportOptions{File: "a.env", Move: true, Overwrite: true}},
		{name: "keys", args: []string{"--keys", "A,B", "--keys", "C"}, want: ImportOptions{Keys: []string{"A", "B", "C"}}},
		{name: "stdin", args: []string{"-"}, want: ImportOptions{File: "-"}},
		{name: "move from stdin", args: []string{"--move", "-"}, wantUsage: true},
		{name: "two files", args: []string{"a", "b"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *ImportOptions
			cmd := newCmdImport(&Factory{}, func(o *ImportOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("import %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("import %q: %v", tt.args, err)
			}
			got.F = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("import %q: options = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

// TestImportMoveCRLF moves keys out of a CRLF file with duplicates, odd
// spacing, no final newline and a restrictive mode: only the moved keys'
// lines go, every other byte and the mode stay.
func TestImportMoveCRLF(t *testing.T) {
	const id = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"
	root, dir := t.TempDir(), t.TempDir()
	t.Setenv("USER_SECRETS_DIR", root)
	t.Setenv(core.EnvID, "")
	env := "\ufeff# header\r\n" +
		"API_KEY=canary-old\r\n" +
		"  PORT = 8080  # inline\r\n" +
		"\r\n" +
		"export API_KEY='canary-new'\r\n" +
		"DB_PASSWORD=\"canary\\npw\"\r\n" +
		"USER_SECRETS_ID=" + id + "\r\n" +
		"LAST=kept"
	want := "\ufeff# header\r\n" +
		"  PORT = 8080  # inline\r\n" +
		"\r\n" +
		"USER_SECRETS_ID=" + id + "\r\n" +
		"LAST=kept"
	path := filepath.Join(dir, ".env")
	if err := os.WriteFile(path, []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	// A copy of .env that a killed write left: the rewrite removes it.
	stale := path + fsutil.TempPrefix + "00000000000000aa"
	if err := os.WriteFile(stale, []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * fsutil.StaleTempAge)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	ios, out, errOut := testIO("")
	if code := run([]string{"-p", dir, "import", "--move", "--keys", "API_KEY,DB_PASSWORD"}, ios); code != 0 {
		t.Fatalf("import exited %d: %s", code, errOut)
	}
	for name, s := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
		if strings.Contains(s, "canary") {
			t.Errorf("%s shows a value: %q", name, s)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf(".env after --move:\n got %q\nwant %q", got, want)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale copy of .env is still there (%v)", err)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf(".env mode after --move = %o, want 640", fi.Mode().Perm())
	}
	s, err := core.Open(core.Options{Root: root, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Map()
	if err != nil {
		t.Fatal(err)
	}
	if m["API_KEY"] != "canary-new" || m["DB_PASSWORD"] != "canary\npw" || len(m) != 2 {
		t.Errorf("the store holds keys %v, or wrong values (the last definition wins)", keysOf(m))
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestImportMoveConcurrent runs `import --move --keys K<i>` from one .env
// in several processes at once, with an ID in the .env and without one
// (then each runs init first): every key must end in the store and none in
// .env, whose other bytes all stay, and the project gains no file.
func TestImportMoveConcurrent(t *testing.T) {
	bin, err := exec.LookPath("user-secrets") // put on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	const id = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"
	const n = 6
	tests := []struct{ name, idLine string }{
		{"with an ID", "USER_SECRETS_ID=" + id + "\n"},
		{"without an ID", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for round := range 3 {
				root, dir := t.TempDir(), t.TempDir()
				env := filepath.Join(dir, ".env")
				before, want := "# settings\n", "# settings\n"
				for i := range n {
					kept := fmt.Sprintf("KEEP_%d=%d  # stays\n\n", i, i)
					before += kept + fmt.Sprintf("K%d=canary-%d\n", i, i)
					want += kept
				}
				before, want = before+tt.idLine, want+tt.idLine
				if err := os.WriteFile(env, []byte(before), 0o644); err != nil {
					t.Fatal(err)
				}

				cmds := make([]*exec.Cmd, n)
				stdouts := make([]strings.Builder, n)
				stderrs := make([]strings.Builder, n)
				for i := range n {
					cmds[i] = exec.Command(bin, "import", "--move", "--keys", fmt.Sprintf("K%d", i))
					cmds[i].Dir = dir
					cmds[i].Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "USER_SECRETS_DIR" + "=" + root}
					cmds[i].Stdout, cmds[i].Stderr = &stdouts[i], &stderrs[i]
				}
				for _, c := range cmds {
					if err := c.Start(); err != nil {
						t.Fatal(err)
					}
				}
				for i, c := range cmds {
					err := c.Wait()
					out, errOut := stdouts[i].String(), stderrs[i].String()
					if strings.Contains(out+errOut, "canary") {
						t.Fatalf("round %d: import of K%d shows a value", round, i)
					}
					if err != nil || !strings.Contains(errOut, fmt.Sprintf("Removed from .env: K%d\n", i)) {
						t.Errorf("round %d: import of K%d: %v\n%s", round, i, err, errOut)
					}
				}

				got := readFile(t, env)
				d, err := core.ParseDocument([]byte(got), env)
				if err != nil {
					t.Fatal(err)
				}
				var left []string
				for i := range n {
					if _, ok := d.Get(fmt.Sprintf("K%d", i)); ok {
						left = append(left, fmt.Sprintf("K%d", i))
					}
				}
				if len(left) > 0 {
					t.Fatalf("round %d: after %d concurrent moves, .env still defines %s", round, n, strings.Join(left, ", "))
				}
				if tt.idLine == "" {
					newID, _ := d.Get(core.EnvID)
					want += core.EnvID + "=" + newID + "\n"
				}
				if got != want {
					t.Fatalf("round %d: .env after the moves differs from what was expected (%d bytes, want %d; not quoted: it holds values)", round, len(got), len(want))
				}
				s, err := core.Open(core.Options{WorkDir: dir, Root: root, LookupEnv: func(string) (string, bool) { return "", false }})
				if err != nil {
					t.Fatal(err)
				}
				m, err := s.Map()
				if err != nil {
					t.Fatal(err)
				}
				for i := range n {
					if m[fmt.Sprintf("K%d", i)] != fmt.Sprintf("canary-%d", i) {
						t.Errorf("round %d: K%d missing from the store, or wrong", round, i)
					}
				}
				if len(m) != n {
					t.Errorf("round %d: the store holds %v, want K0 to K%d", round, keysOf(m), n-1)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 1 {
					t.Errorf("round %d: the project holds %d files, want only .env", round, len(entries))
				}
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
