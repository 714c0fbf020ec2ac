package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/internal/project"
)

// IDs used by the tests.
const (
	fixtureID      = "0f8fad5b-d9cb-469f-a165-70867728950e"
	fixtureID2     = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	fixtureUpperID = "7C9E6679-7425-40DE-944B-E07FC1F90AE7"
)

// writeFile writes content to path, creating its parents.
func putFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readFile returns the content of path.
func fileText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// mustNotExist fails the test if path exists.
func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists (Lstat: %v), want nothing created", path, err)
	}
}

// scanEnvFileID reads USER_SECRETS_ID from the .env file at path, as the
// search for the ID does (see project.ScanEnv).
func scanEnvFileID(path string) (id string, line int, err error) {
	return project.ScanEnv(path)
}

// skipIfAncestorDefinesID skips the test when a .env above dir defines
// USER_SECRETS_ID, since the walk-up search would then find it.
func skipIfAncestorDefinesID(t *testing.T, dir string) {
	t.Helper()
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if _, line, err := scanEnvFileID(filepath.Join(d, ".env")); err == nil && line > 0 {
			t.Skipf("%s defines USER_SECRETS_ID; the walk-up from the temporary directory would find it", filepath.Join(d, ".env"))
		}
		if filepath.Dir(d) == d {
			return
		}
	}
}

func TestScanID(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantID   string
		wantLine int
	}{
		{"empty", "", "", 0},
		{"plain", "USER_SECRETS_ID=abc\n", "abc", 1},
		{"no final newline", "A=1\nUSER_SECRETS_ID=abc", "abc", 2},
		{"BOM", "\ufeffUSER_SECRETS_ID=abc\n", "abc", 1},
		{"CRLF", "A=1\r\nUSER_SECRETS_ID=abc\r\nB=2\r\n", "abc", 2},
		{"lone CR", "A=1\rB=2\rUSER_SECRETS_ID=abc\r", "abc", 3},
		{"export", "export USER_SECRETS_ID=abc\n", "abc", 1},
		{"export tab", "export\tUSER_SECRETS_ID=abc\n", "abc", 1},
		{"export blanks", "  export   USER_SECRETS_ID = abc\n", "abc", 1},
		{"double quotes", `USER_SECRETS_ID="abc"` + "\n", "abc", 1},
		{"single quotes", "USER_SECRETS_ID='abc'\n", "abc", 1},
		{"spaces around", "  USER_SECRETS_ID  =   abc   \n", "abc", 1},
		{"tabs around", "\tUSER_SECRETS_ID\t=\tabc\t\n", "abc", 1},
		{"spaces inside quotes", `USER_SECRETS_ID=" abc "` + "\n", "abc", 1},
		{"comment", "USER_SECRETS_ID=abc # the project's id\n", "abc", 1},
		{"tab comment", "USER_SECRETS_ID=abc\t# id\n", "abc", 1},
		{"quoted then comment", `USER_SECRETS_ID="abc" # id` + "\n", "abc", 1},
		{"single quoted then comment", `USER_SECRETS_ID='abc'   # id`, "abc", 1},
		{"hash without blank kept", "USER_SECRETS_ID=abc#x\n", "abc#x", 1},
		{"last wins", "USER_SECRETS_ID=abc\nA=1\nUSER_SECRETS_ID=def\n", "def", 3},
		{"commented out", "# USER_SECRETS_ID=abc\n#USER_SECRETS_ID=def\n", "", 0},
		{"commented out after", "USER_SECRETS_ID=abc\n# USER_SECRETS_ID=def\n", "abc", 1},
		{"other key", "MY_USER_SECRETS_ID=abc\nUSER_SECRETS_IDS=def\n", "", 0},
		{"empty value", "USER_SECRETS_ID=\n", "", 1},
		{"junk around", "this is not dotenv\n=novalue\nA=\"unterminated\nB='x\n${{weird}}\nUSER_SECRETS_ID=abc\nexport\n", "abc", 6},
		{"binary junk", "\x00\xff\xfe garbage\nUSER_SECRETS_ID=abc\n\xc3\x28\n", "abc", 2},
		{"yaml style ignored", "USER_SECRETS_ID: abc\n", "", 0},
		{"blank lines counted", "\n\n\r\n\nUSER_SECRETS_ID=abc\n", "abc", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, line := scanID([]byte(tt.data))
			if id != tt.wantID || line != tt.wantLine {
				t.Errorf("scanID(%q) = %q, %d; want %q, %d", tt.data, id, line, tt.wantID, tt.wantLine)
			}
		})
	}
}

func TestScanEnvFileID(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	if _, _, err := scanEnvFileID(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("scanEnvFileID(missing) error = %v, want fs.ErrNotExist", err)
	}
	putFile(t, path, "A=1\nUSER_SECRETS_ID="+fixtureID+"\n")
	id, line, err := scanEnvFileID(path)
	if err != nil || id != fixtureID || line != 2 {
		t.Errorf("scanEnvFileID() = %q, %d, %v; want %q, 2, nil", id, line, err, fixtureID)
	}
}

func TestValidateID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{fixtureID, true},
		{fixtureUpperID, true},
		{"7c9e6679-7425-40DE-944b-E07FC1F90ae7", true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"", false},
		{"../x", false},
		{"../../etc", false},
		{"/abs/path", false},
		{`C:\abs`, false},
		{".", false},
		{"{" + fixtureID + "}", false},
		{"urn:uuid:" + fixtureID, false},
		{fixtureID + "x", false},
		{fixtureID + " ", false},
		{" " + fixtureID, false},
		{fixtureID + "/..", false},
		{strings.ReplaceAll(fixtureID, "-", ""), false},
		{"0f8fad5b-d9cb-469f-a165-70867728950g", false},
		{"0f8fad5b_d9cb_469f_a165_70867728950e", false},
		{"0f8fad5bd-9cb-469f-a165-70867728950e", false},
		{"../8fad5b-d9cb-469f-a165-70867728950e", false},
		{"0f8fad5b-d9cb-469f-a165-7086772895\u00e9", false},
	}
	for _, tt := range tests {
		err := validateID(tt.id)
		if (err == nil) != tt.ok {
			t.Errorf("validateID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidID) {
			t.Errorf("validateID(%q) = %v, want an error matching ErrInvalidID", tt.id, err)
		}
	}
}

// TestResolveInvalidIDInDotEnv checks that an ID from .env that is not a
// UUID is refused with the file and line, and that nothing outside the
// root is touched because of it.
func TestResolveInvalidIDInDotEnv(t *testing.T) {
	tests := []struct {
		name  string
		value string
	}{
		{"parent dir", "../x"},
		{"parent of root", "../../" + fixtureID},
		{"absolute", "/abs/path"},
		{"empty", ""},
		{"quoted empty", `""`},
		{"braces", "{" + fixtureID + "}"},
		{"urn", "urn:uuid:" + fixtureID},
		{"trailing junk", fixtureID + "x"},
		{"trailing word", fixtureID + " junk"},
		{"trailing path", fixtureID + "/../../x"},
		{"no dashes", strings.ReplaceAll(fixtureID, "-", "")},
		{"unterminated quote", `"` + fixtureID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			dir := filepath.Join(base, "proj")
			root := filepath.Join(base, "root")
			env := filepath.Join(dir, ".env")
			putFile(t, env, "# project\nA=1\nUSER_SECRETS_ID="+tt.value+"\n")
			opts := Options{ProjectDir: dir, Root: root, LookupEnv: emptyEnv}
			for _, op := range readOps {
				err := op.run(opts)
				var idErr *idError
				if !errors.As(err, &idErr) || !errors.Is(err, ErrInvalidID) {
					t.Fatalf("%s: error = %v, want an *idError", op.name, err)
				}
				if idErr.Source != env || idErr.Line != 3 {
					t.Errorf("%s: idError at %s:%d, want %s:3", op.name, idErr.Source, idErr.Line, env)
				}
				if want := env + ":3:"; !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %q does not name %q", op.name, err, want)
				}
			}
			if _, err := initR(opts); !errors.Is(err, ErrInvalidID) {
				t.Errorf("Init() error = %v, want ErrInvalidID", err)
			}
			if got := fileText(t, env); got != "# project\nA=1\nUSER_SECRETS_ID="+tt.value+"\n" {
				t.Errorf("Init changed .env after an invalid ID")
			}
			entries, err := os.ReadDir(base)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Name() != "proj" {
				t.Errorf("the temporary directory holds %v, want only proj", entries)
			}
		})
	}
}

func TestResolveUppercaseIDKeepsCase(t *testing.T) {
	base := t.TempDir()
	dir, root := filepath.Join(base, "proj"), filepath.Join(base, "root")
	putFile(t, filepath.Join(dir, ".env"), "USER_SECRETS_ID="+fixtureUpperID+"\n")
	p, err := Resolve(Options{ProjectDir: dir, Root: root, LookupEnv: emptyEnv})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != fixtureUpperID {
		t.Errorf("Resolve().ID = %q, want %q (case kept)", p.ID, fixtureUpperID)
	}
	if want := filepath.Join(root, fixtureUpperID, ".secrets"); p.SecretsFile() != want {
		t.Errorf("SecretsFile() = %q, want %q", p.SecretsFile(), want)
	}
}

func TestResolveOrder(t *testing.T) {
	base := t.TempDir()
	dir, root := filepath.Join(base, "proj"), filepath.Join(base, "root")
	env := filepath.Join(dir, ".env")
	putFile(t, env, "USER_SECRETS_ID="+fixtureID+"\n")
	thirdID := "16fd2706-8baf-433b-82eb-8c7fada847da"

	tests := []struct {
		name       string
		explicit   string
		envVar     map[string]string
		wantID     string
		wantSource IDSource
		wantErr    string // Source of the *idError
	}{
		{"dotenv only", "", nil, fixtureID, SourceDotEnv, ""},
		{"env beats dotenv", "", map[string]string{"USER_SECRETS_ID": fixtureID2}, fixtureID2, SourceEnv, ""},
		{"explicit beats env", thirdID, map[string]string{"USER_SECRETS_ID": fixtureID2}, thirdID, SourceExplicit, ""},
		{"explicit beats dotenv", thirdID, nil, thirdID, SourceExplicit, ""},
		{"empty env ignored", "", map[string]string{"USER_SECRETS_ID": ""}, fixtureID, SourceDotEnv, ""},
		{"invalid explicit", "../x", nil, "", 0, "--id"},
		{"invalid env", "", map[string]string{"USER_SECRETS_ID": "/etc"}, "", 0, "$USER_SECRETS_ID"},
		{"invalid env beats valid dotenv", "", map[string]string{"USER_SECRETS_ID": "{" + fixtureID2 + "}"}, "", 0, "$USER_SECRETS_ID"},
		{"valid explicit hides invalid env", thirdID, map[string]string{"USER_SECRETS_ID": "../x"}, thirdID, SourceExplicit, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Resolve(Options{ProjectDir: dir, Root: root, ID: tt.explicit, LookupEnv: lookupIn(tt.envVar)})
			if tt.wantErr != "" {
				var idErr *idError
				if !errors.As(err, &idErr) || idErr.Source != tt.wantErr || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve() error = %v, want an *idError from %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve() error: %v", err)
			}
			if p.ID != tt.wantID || p.Source != tt.wantSource {
				t.Errorf("Resolve() = %q from %v, want %q from %v", p.ID, p.Source, tt.wantID, tt.wantSource)
			}
			if p.Dir != dir || p.EnvFile != env {
				t.Errorf("Resolve() dir, env file = %q, %q; want %q, %q", p.Dir, p.EnvFile, dir, env)
			}
		})
	}
	mustNotExist(t, root)
}

// TestResolveProjectDirOnly checks that an explicit project directory reads
// only <dir>/.env, not its parents.
func TestResolveProjectDirOnly(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	putFile(t, filepath.Join(base, "proj", ".env"), "USER_SECRETS_ID="+fixtureID+"\n")
	sub := filepath.Join(base, "proj", "sub")
	putFile(t, filepath.Join(sub, ".env"), "OTHER=1\n")

	p, err := Resolve(Options{ProjectDir: sub, Root: root, LookupEnv: emptyEnv})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "" {
		t.Errorf("Resolve(ProjectDir: sub) found %q from %s; want no ID (only sub/.env is read)", p.ID, p.EnvFile)
	}
	wantLooked := []string{"$USER_SECRETS_ID", filepath.Join(sub, ".env")}
	if fmt.Sprint(p.Looked) != fmt.Sprint(wantLooked) {
		t.Errorf("Looked = %q, want %q", p.Looked, wantLooked)
	}
	if p.Dir != sub || p.EnvFile != filepath.Join(sub, ".env") {
		t.Errorf("Dir, EnvFile = %q, %q; want %q and its .env", p.Dir, p.EnvFile, sub)
	}

	// A project directory without any .env.
	empty := filepath.Join(base, "proj", "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Open(Options{ProjectDir: empty, Root: root, LookupEnv: emptyEnv})
	var noID *NoIDError
	if !errors.As(err, &noID) || !errors.Is(err, ErrNoID) {
		t.Fatalf("Open(ProjectDir: empty) error = %v, want a *NoIDError", err)
	}
	if want := filepath.Join(empty, ".env"); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say it looked in %s", err, want)
	}
	mustNotExist(t, root)
}

// TestResolveWalkUp checks the search from a subdirectory, as `go test
// ./internal/...` runs with the package directory as working directory.
func TestResolveWalkUp(t *testing.T) {
	base := t.TempDir()
	mod := filepath.Join(base, "mod")
	root := filepath.Join(base, "root")
	putFile(t, filepath.Join(mod, "go.mod"), "module example.com/m\n")
	putFile(t, filepath.Join(mod, ".env"), "DEBUG=1\nUSER_SECRETS_ID="+fixtureID+"\n")
	// A nearer .env without the ID is passed over.
	putFile(t, filepath.Join(mod, "internal", ".env"), "LOCAL=1\n")
	pkg := filepath.Join(mod, "internal", "store", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}

	p, err := Resolve(Options{WorkDir: pkg, Root: root, LookupEnv: emptyEnv})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != fixtureID || p.Source != SourceDotEnv {
		t.Fatalf("Resolve() = %q from %v, want %q from dotenv", p.ID, p.Source, fixtureID)
	}
	if p.EnvFile != filepath.Join(mod, ".env") || p.Dir != mod {
		t.Errorf("EnvFile, Dir = %q, %q; want the module root's", p.EnvFile, p.Dir)
	}
	// Every .env on the way is named, whether it exists or not.
	wantLooked := []string{"$USER_SECRETS_ID", filepath.Join(pkg, ".env"), filepath.Join(mod, "internal", "store", ".env"),
		filepath.Join(mod, "internal", ".env"), filepath.Join(mod, ".env")}
	if fmt.Sprint(p.Looked) != fmt.Sprint(wantLooked) {
		t.Errorf("Looked = %q, want %q", p.Looked, wantLooked)
	}

	// The nearest .env that defines the ID wins.
	putFile(t, filepath.Join(mod, "internal", "store", ".env"), "USER_SECRETS_ID="+fixtureID2+"\n")
	p, err = Resolve(Options{WorkDir: pkg, Root: root, LookupEnv: emptyEnv})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != fixtureID2 {
		t.Errorf("Resolve() = %q, want the nearer .env's %q", p.ID, fixtureID2)
	}

	// A relative WorkDir is taken from the process's working directory.
	rel, err := filepath.Rel(mustGetwd(t), pkg)
	if err == nil {
		p, err = Resolve(Options{WorkDir: rel, Root: root, LookupEnv: emptyEnv})
		if err != nil || p.ID != fixtureID2 {
			t.Errorf("Resolve(WorkDir: relative) = %v, %v; want %q", p, err, fixtureID2)
		}
	}
	mustNotExist(t, root)
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestResolveNoID(t *testing.T) {
	base := t.TempDir()
	skipIfAncestorDefinesID(t, base)
	mod := filepath.Join(base, "mod")
	root := filepath.Join(base, "root")
	putFile(t, filepath.Join(mod, ".git", "HEAD"), "ref: refs/heads/main\n")
	putFile(t, filepath.Join(mod, ".env"), "DEBUG=1\n")
	sub := filepath.Join(mod, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{WorkDir: sub, Root: root, LookupEnv: emptyEnv}
	p, err := Resolve(opts)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "" || p.Source != sourceNone {
		t.Fatalf("Resolve() = %q from %v, want no ID", p.ID, p.Source)
	}
	// Init would write to the .git ancestor's .env.
	if p.Dir != mod || p.EnvFile != filepath.Join(mod, ".env") {
		t.Errorf("Dir, EnvFile = %q, %q; want %q and its .env", p.Dir, p.EnvFile, mod)
	}

	_, err = Open(opts)
	var noID *NoIDError
	if !errors.As(err, &noID) || !errors.Is(err, ErrNoID) {
		t.Fatalf("Open() error = %v, want a *NoIDError", err)
	}
	for _, want := range []string{"$USER_SECRETS_ID", filepath.Join(mod, ".env"), "run `user-secrets init`"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if len(noID.Looked) < 2 || noID.Looked[0] != "$USER_SECRETS_ID" {
		t.Errorf("Looked = %q, want $USER_SECRETS_ID and the .env files", noID.Looked)
	}

	// Without any .env, the error still names where a .env was expected.
	empty := filepath.Join(base, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Open(Options{WorkDir: empty, Root: root, LookupEnv: emptyEnv})
	if !errors.Is(err, ErrNoID) || !strings.Contains(err.Error(), filepath.Join(empty, ".env")) {
		t.Errorf("Open() error = %v, want ErrNoID naming %s", err, filepath.Join(empty, ".env"))
	}
	mustNotExist(t, root)
}

// readOps are the read-only operations; none may create anything.
var readOps = []struct {
	name string
	run  func(Options) error
}{
	{"Resolve", func(o Options) error { _, err := Resolve(o); return err }},
	{"Open", func(o Options) error { _, err := Open(o); return err }},
	{"All", func(o Options) error {
		s, err := Open(o)
		if err != nil {
			return err
		}
		_, err = s.All()
		return err
	}},
	{"Map", func(o Options) error {
		s, err := Open(o)
		if err != nil {
			return err
		}
		_, err = s.Map()
		return err
	}},
	{"Get", func(o Options) error {
		s, err := Open(o)
		if err != nil {
			return err
		}
		_, err = s.Get("KEY")
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}},
	{"Exists", func(o Options) error {
		s, err := Open(o)
		if err != nil {
			return err
		}
		_, err = s.Exists()
		return err
	}},
	{"Inject", func(o Options) error {
		_, err := Inject(InjectOptions{Options: o, Setenv: func(k, v string) error { return nil }})
		return err
	}},
}

func TestReadOnlyCreatesNothing(t *testing.T) {
	for _, withID := range []bool{true, false} {
		t.Run(fmt.Sprintf("id=%v", withID), func(t *testing.T) {
			base := t.TempDir()
			dir, root := filepath.Join(base, "proj"), filepath.Join(base, "root")
			env := "DEBUG=1\n"
			if withID {
				env += "USER_SECRETS_ID=" + fixtureID + "\n"
			}
			putFile(t, filepath.Join(dir, ".env"), env)
			opts := Options{ProjectDir: dir, Root: root, LookupEnv: emptyEnv}
			for _, op := range readOps {
				err := op.run(opts)
				if withID && err != nil {
					t.Errorf("%s: %v", op.name, err)
				}
				if !withID && err != nil && !errors.Is(err, ErrNoID) {
					t.Errorf("%s: %v, want nil or ErrNoID", op.name, err)
				}
			}
			mustNotExist(t, root)
			if got := fileText(t, filepath.Join(dir, ".env")); got != env {
				t.Errorf(".env changed by a read-only operation")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("project directory holds %d entries, want only .env", len(entries))
			}
		})
	}
}

func TestIDSourceString(t *testing.T) {
	for s, want := range map[IDSource]string{sourceNone: "none", SourceExplicit: "explicit", SourceEnv: "environment", SourceDotEnv: "dotenv"} {
		if got := s.String(); got != want {
			t.Errorf("IDSource(%d).String() = %q, want %q", s, got, want)
		}
	}
}
