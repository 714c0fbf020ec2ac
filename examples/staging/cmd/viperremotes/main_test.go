package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/viper"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/examples/staging/cmd/viperremotes/internal/registerfirst"
	"github.com/go-user-secrets/user-secrets/examples/staging/internal/etcdtest"
)

// bin is the program, built once by TestMain ("" when the go command is
// not available). Built on its own, it has the usual order: viper/remote's
// init, then RegisterRemote from main. This test binary has the other: it
// imports registerfirst.
var bin string

// atStart is viper.RemoteConfig once every init of this test binary has
// run.
var atStart any = viper.RemoteConfig

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "viperremotes")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if gotool, err := exec.LookPath("go"); err == nil {
		bin = filepath.Join(dir, "viperremotes")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		if out, err := exec.Command(gotool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	testID = "6f1c3c2e-8d4b-4a7e-9a52-3f0c5d2b1e47"
	canary = "CANARY-s3cr3t"
	// docKey is the etcd key holding the staging config document.
	docKey = "/myapp/staging.json"
)

// fixture is a project whose store holds the local secrets, with its own
// HOME and store root, and an etcd server holding the staging document.
type fixture struct {
	dir, home, root string
	etcd            *etcdtest.Server
}

// newFixture lays out the project and its store, and starts etcd with
// docKey set: the same keys, other values.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	tmp := t.TempDir()
	f := &fixture{dir: filepath.Join(tmp, "project"), home: filepath.Join(tmp, "home"), root: filepath.Join(tmp, "usersecrets")}
	for _, d := range []string{f.dir, f.home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(f.dir, ".env"), []byte("USER_SECRETS_ID="+testID+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := core.Open(core.Options{ID: testID, Root: f.root, LookupEnv: func(string) (string, bool) { return "", false }, WorkDir: f.dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetMany([]core.Entry{
		{Key: "API_KEY", Value: "loc-" + canary},
		{Key: "DB_URL", Value: "postgres://app:" + canary + "@localhost/app"},
	}); err != nil {
		t.Fatal(err)
	}
	f.etcd = etcdtest.Start(t)
	f.etcd.Put(t, docKey, `{"API_KEY": "stg-`+canary+`", "DB_URL": "mysql://app:`+canary+`@db.staging/app"}`)
	return f
}

// args are the program's arguments for f.
func (f *fixture) args() []string {
	return []string{"-project", f.dir, "-etcd", f.etcd.Endpoint, "-key", docKey}
}

// want is the program's output when it read both providers.
const want = "" +
	"PROVIDER     KEY      VALUE\n" +
	"usersecrets  api_key  loc***\n" +
	"usersecrets  db_url   pos***\n" +
	"etcd3        api_key  stg***\n" +
	"etcd3        db_url   mys***\n"

// TestBothRead runs the program as built: viper/remote's init installs its
// provider, then main calls RegisterRemote, and both are read.
func TestBothRead(t *testing.T) {
	if bin == "" {
		t.Skip("the go command is not available to build the program")
	}
	f := newFixture(t)
	cmd := exec.Command(bin, f.args()...)
	cmd.Env = []string{"HOME=" + f.home, "USER_SECRETS_DIR=" + f.root}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("viperremotes: %v; stderr:\n%s", err, stderr.String())
	}
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q, want nothing", stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), canary) {
		t.Error("the output contains a secret value")
	}
}

// TestRegisterRemoteFirst is the other order, in this test binary:
// registerfirst's init called RegisterRemote before viper/remote's init
// ran, and that init's plain assignment replaced what RegisterRemote had
// installed. RegisterRemote called again, as run does from main, wraps
// viper/remote's provider: both are read, and reading again changes
// nothing.
func TestRegisterRemoteFirst(t *testing.T) {
	if registerfirst.Before != nil {
		t.Fatalf("registerfirst's init ran after viper/remote's (it found viper.RemoteConfig = %T): the order this test is about did not happen", registerfirst.Before)
	}
	if atStart == registerfirst.Installed {
		t.Fatal("viper/remote's init kept the provider RegisterRemote installed before it; it used to replace it")
	}
	f := newFixture(t)
	t.Setenv("HOME", f.home)
	t.Setenv("USER_SECRETS_DIR", f.root)
	t.Setenv("USER_SECRETS_ID", "")
	for i := range 2 {
		var stdout, stderr bytes.Buffer
		if code := run(f.args(), &stdout, &stderr); code != 0 {
			t.Fatalf("run #%d: exit status %d; stderr:\n%s", i+1, code, stderr.String())
		}
		if stdout.String() != want {
			t.Errorf("run #%d: stdout:\n%s\nwant:\n%s", i+1, stdout.String(), want)
		}
		if strings.Contains(stdout.String()+stderr.String(), canary) {
			t.Errorf("run #%d: the output contains a secret value", i+1)
		}
	}
}

// A provider that fails is named, with the provider's own error (Viper's
// is "No Files Found"), and the other is still read.
func TestMissingDocument(t *testing.T) {
	f := newFixture(t)
	t.Setenv("HOME", f.home)
	t.Setenv("USER_SECRETS_DIR", f.root)
	t.Setenv("USER_SECRETS_ID", "")
	var stdout, stderr bytes.Buffer
	args := []string{"-project", f.dir, "-etcd", f.etcd.Endpoint, "-key", "/myapp/missing.json"}
	if code := run(args, &stdout, &stderr); code != 1 {
		t.Fatalf("run with a missing etcd key: exit status %d, want 1", code)
	}
	const wantOut = "" +
		"PROVIDER     KEY      VALUE\n" +
		"usersecrets  api_key  loc***\n" +
		"usersecrets  db_url   pos***\n"
	if stdout.String() != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), wantOut)
	}
	const wantErr = "viperremotes: error: read etcd3: getting from etcd with key [/myapp/missing.json], res count 0 not equal to 1\n"
	if stderr.String() != wantErr {
		t.Errorf("stderr = %q, want %q", stderr.String(), wantErr)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"-key", "/k", "extra"}, {"-nope"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
		if stdout.Len() != 0 || stderr.Len() == 0 {
			t.Errorf("run(%q): stdout %q, stderr %q; want a message on stderr only", args, stdout.String(), stderr.String())
		}
	}
}
