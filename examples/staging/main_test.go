package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/examples/staging/internal/etcdtest"
)

// The programs the tests run, built once by TestMain ("" when the go
// command is not available): this one, the seed command, and the
// user-secrets CLI of this checkout of the repository.
var appBin, seedBin, cliBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "staging-example")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if gotool, err := exec.LookPath("go"); err == nil {
		exe := ""
		if runtime.GOOS == "windows" {
			exe = ".exe"
		}
		appBin = filepath.Join(dir, "staging"+exe)
		seedBin = filepath.Join(dir, "seed"+exe)
		cliBin = filepath.Join(dir, "user-secrets"+exe)
		for _, b := range []struct{ dir, pkg, out string }{
			{".", ".", appBin},
			{".", "./cmd/seed", seedBin},
			// The CLI builds in the repository's own module.
			{"../..", "./cmd/user-secrets", cliBin},
		} {
			cmd := exec.Command(gotool, "build", "-o", b.out, b.pkg)
			cmd.Dir = b.dir
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "go build %s: %v\n%s", b.pkg, err, out)
				os.RemoveAll(dir)
				os.Exit(1)
			}
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	testID = "0f8fad5b-d9cb-469f-a165-70867728950e"
	canary = "CANARY-s3cr3t"
)

// fixture is a temporary project (config.yaml, .env naming testID) with
// its own HOME and store root.
type fixture struct {
	dir, home, root string
	store           *core.Store
}

// newFixture lays out a project and a store holding secrets, which may be
// empty.
func newFixture(t testing.TB, secrets []core.Entry) *fixture {
	t.Helper()
	if appBin == "" {
		t.Skip("the go command is not available to build the programs")
	}
	tmp := t.TempDir()
	f := &fixture{dir: filepath.Join(tmp, "project"), home: filepath.Join(tmp, "home"), root: filepath.Join(tmp, "usersecrets")}
	for _, d := range []string{f.dir, f.home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"config.yaml": "LOG_LEVEL: debug\nDB_URL: postgres://db.internal/app\nPORT: 9090\n",
		".env":        "USER_SECRETS_ID=" + testID + "\nDEBUG=true\nDB_URL=postgres://localhost/dev\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(f.dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := core.Open(core.Options{ID: testID, Root: f.root, LookupEnv: func(string) (string, bool) { return "", false }, WorkDir: f.dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(secrets) > 0 {
		if _, err := s.SetMany(secrets); err != nil {
			t.Fatal(err)
		}
	}
	f.store = s
	return f
}

// appSecrets are the secrets of the tests that run the program.
var appSecrets = []core.Entry{
	{Key: "DB_URL", Value: "postgres://app:" + canary + "@localhost/app"},
	{Key: "API_KEY", Value: "sk-" + canary},
}

// env is the environment of a program run in f: HOME and USER_SECRETS_DIR
// in the temporary directory, one APP_ variable, and SECRETS_SOURCE when
// source is not "-".
func (f *fixture) env(source string) []string {
	env := []string{"HOME=" + f.home, "USER_SECRETS_DIR=" + f.root, "APP_LOG_LEVEL=warn"}
	if source != "-" {
		env = append(env, SourceEnv+"="+source)
	}
	if runtime.GOOS == "windows" {
		env = append(env, "SystemRoot="+os.Getenv("SystemRoot"), "USERPROFILE="+f.home)
	}
	return env
}

// app returns the command that runs the program in f.
func (f *fixture) app(source string, args ...string) *exec.Cmd {
	cmd := exec.Command(appBin, args...)
	cmd.Dir = f.dir
	cmd.Env = f.env(source)
	return cmd
}

// seed runs `user-secrets export --format json | seed -endpoints ...
// -prefix prefix` in f, the two programs joined by a pipe, and checks that
// it put n keys.
func (f *fixture) seed(t testing.TB, s *etcdtest.Server, prefix string, n int) {
	t.Helper()
	export := exec.Command(cliBin, "export", "--format", "json")
	export.Dir, export.Env = f.dir, f.env("-")
	seed := exec.Command(seedBin, "-endpoints", s.HostPort, "-prefix", prefix)
	seed.Dir, seed.Env = f.dir, f.env("-")
	pipe, err := export.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	seed.Stdin = pipe
	var exportErr, seedOut bytes.Buffer
	export.Stderr = &exportErr
	seed.Stdout, seed.Stderr = &seedOut, &seedOut
	if err := seed.Start(); err != nil {
		t.Fatal(err)
	}
	if err := export.Run(); err != nil {
		seed.Wait()
		t.Fatalf("user-secrets export --format json: %v\n%s", err, exportErr.Bytes())
	}
	if err := seed.Wait(); err != nil {
		t.Fatalf("seed: %v\n%s", err, seedOut.Bytes())
	}
	if want := fmt.Sprintf("seed: put %d keys under %s\n", n, prefix); seedOut.String() != want {
		t.Errorf("seed's output = %q, want %q", seedOut.String(), want)
	}
	if exportErr.Len() != 0 {
		t.Errorf("user-secrets export: stderr %q, want nothing", exportErr.String())
	}
}

// table is the output for the fixture above, with the secrets layer's name
// and API_KEY's masked value given.
func table(layer, apiKey string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tLAYER\tVALUE")
	for _, row := range [][3]string{
		{"API_KEY", layer, apiKey},
		{"DB_URL", layer, "pos***"},
		{"DEBUG", ".env", "tru***"},
		{"LOG_LEVEL", "env", "war***"},
		{"PORT", "config.yaml", "909***"},
		{"USER_SECRETS_ID", ".env", "0f8***"},
	} {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", row[0], row[1], row[2])
	}
	tw.Flush()
	return b.String()
}

// noCanary fails t if out holds the secret.
func noCanary(t *testing.T, what, out string) {
	t.Helper()
	if strings.Contains(out, canary) {
		t.Errorf("%s contains a secret value", what)
	}
}

// runOnce runs cmd and checks that it exits 0, prints want on stdout and
// nothing on stderr.
func runOnce(t *testing.T, cmd *exec.Cmd, want string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("staging -once: %v; stderr:\n%s", err, stderr.String())
	}
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q, want nothing", stderr.String())
	}
	noCanary(t, "the output", stdout.String()+stderr.String())
}

func TestLocal(t *testing.T) {
	t.Parallel()
	for _, source := range []string{"-", "", "user-secrets"} {
		t.Run("SECRETS_SOURCE="+source, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, appSecrets)
			runOnce(t, f.app(source, "-once"), table("user secrets", "sk-***"))
		})
	}
}

// TestStaging fills etcd from a developer's store, through the CLI's
// export and the seed command, and runs the program on another machine, as
// it were: a project whose store is empty, reading the same keys from
// etcd.
func TestStaging(t *testing.T) {
	t.Parallel()
	laptop := newFixture(t, appSecrets)
	s := etcdtest.Start(t)
	laptop.seed(t, s, "/myapp/staging/", len(appSecrets))
	// Beside the prefix, not under it: never read.
	s.Put(t, "/myapp/staging-old/API_KEY", "old-"+canary)
	s.Put(t, "/myapp/API_KEY", "up-"+canary)

	staging := newFixture(t, nil)
	runOnce(t, staging.app("etcd://"+s.HostPort+"/myapp/staging", "-once"), table("etcd", "sk-***"))
}

// TestReload runs the program, changes API_KEY where its secrets layer
// reads it, and waits for the table that shows the new value.
func TestReload(t *testing.T) {
	t.Parallel()
	t.Run("user-secrets", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, appSecrets)
		testReload(t, f.app("user-secrets"), "user secrets", func() {
			if _, err := f.store.Set("API_KEY", "new-"+canary); err != nil {
				t.Fatal(err)
			}
		}, nil)
	})
	t.Run("etcd", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, appSecrets)
		s := etcdtest.Start(t)
		f.seed(t, s, "/myapp/staging/", len(appSecrets))
		staging := newFixture(t, nil)
		testReload(t, staging.app("etcd://"+s.HostPort+"/myapp/staging"), "etcd", func() {
			s.Put(t, "/myapp/staging/API_KEY", "new-"+canary)
		}, func() {
			// koanf's etcd provider starts its watch on a goroutine, and a
			// change made before etcd holds the watch is not sent to it:
			// wait for the watch to be there.
			s.WaitWatchers(t, 1)
		})
	})
}

// testReload starts cmd, reads its first table, calls ready (when not nil)
// and change, and reads tables until one shows API_KEY's new value; then
// it interrupts cmd and checks its exit and its messages.
func testReload(t *testing.T, cmd *exec.Cmd, layer string, change, ready func()) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := false
	defer func() {
		if !done {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// next reads one printed table. The wait bounds a hang, not a
	// duration the test expects.
	next := func(what string) string {
		t.Helper()
		var b strings.Builder
		for range 7 {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("%s: output ended; stderr:\n%s", what, stderr.String())
				}
				b.WriteString(l + "\n")
			case <-time.After(30 * time.Second):
				t.Fatalf("%s: no output in 30s; so far:\n%s", what, b.String())
			}
		}
		return b.String()
	}

	if got, want := next("start"), table(layer, "sk-***"); got != want {
		t.Fatalf("first table:\n%s\nwant:\n%s", got, want)
	}
	if ready != nil {
		ready()
	}
	change()
	want := table(layer, "new***")
	for got := next("after the change"); got != want; got = next("after the change") {
		if got != table(layer, "sk-***") {
			t.Fatalf("table after the change:\n%s\nwant:\n%s", got, want)
		}
	}

	if runtime.GOOS == "windows" {
		return // no os.Interrupt to send; the deferred Kill ends it
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	err = cmd.Wait()
	done = true
	if err != nil {
		t.Errorf("exit after SIGINT: %v", err)
	}
	msg := "staging: " + layer + " changed: reloading\n"
	if rest := strings.ReplaceAll(stderr.String(), msg, ""); !strings.HasPrefix(stderr.String(), msg) || rest != "" {
		t.Errorf("stderr = %q, want %q once or more", stderr.String(), msg)
	}
	noCanary(t, "stderr", stderr.String())
}

// TestHardValues stores every value of the corpus in a store, and checks
// that each arrives in the program's configuration exactly as stored:
// through the user-secrets layer, and through etcd after the CLI's export
// and the seed command.
func TestHardValues(t *testing.T) {
	values := hardValues()
	var entries []core.Entry
	for i, hv := range values {
		entries = append(entries, core.Entry{Key: fmt.Sprintf("V%03d", i), Value: hv.value})
	}
	f := newFixture(t, entries)
	s := etcdtest.Start(t)
	f.seed(t, s, "/corpus/", len(entries))

	// openSource("") reads the environment and the working directory, as
	// the program does.
	t.Setenv("HOME", f.home)
	t.Setenv("USER_SECRETS_DIR", f.root)
	t.Setenv("USER_SECRETS_ID", "")
	t.Chdir(f.dir)
	for _, source := range []string{"user-secrets", "etcd://" + s.HostPort + "/corpus"} {
		src, err := openSource(source)
		if err != nil {
			t.Fatal(err)
		}
		k, from, err := load(appLayers("no-config.yaml", src))
		if err != nil {
			t.Fatalf("%s: load: %v", src.name, err)
		}
		for i, hv := range values {
			key := fmt.Sprintf("V%03d", i)
			if !k.Exists(key) {
				t.Errorf("%s: %s (%s) is missing", src.name, key, hv.kind)
				continue
			}
			if got := k.String(key); got != hv.value {
				t.Errorf("%s: %s (%s) arrived changed: %d bytes, want %d", src.name, key, hv.kind, len(got), len(hv.value))
			}
			if from[key] != src.name {
				t.Errorf("%s: %s came from the layer %q", src.name, key, from[key])
			}
		}
	}
}

func TestOpenSource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		source, name string
		endpoints    []string
		prefix       string
	}{
		{"", "user secrets", nil, ""},
		{"user-secrets", "user secrets", nil, ""},
		{"etcd://127.0.0.1:2379/myapp/staging", "etcd", []string{"http://127.0.0.1:2379"}, "/myapp/staging/"},
		{"etcd://a:1,b:2/p/", "etcd", []string{"http://a:1", "http://b:2"}, "/p/"},
		{"etcd://[::1]:2379//p", "etcd", []string{"http://[::1]:2379"}, "/p/"},
	} {
		src, err := openSource(tc.source)
		if err != nil {
			t.Errorf("openSource(%q): %v", tc.source, err)
			continue
		}
		if src.name != tc.name {
			t.Errorf("openSource(%q) is the layer %q, want %q", tc.source, src.name, tc.name)
		}
		if tc.endpoints == nil {
			continue
		}
		endpoints, prefix, err := parseEtcdURL(tc.source)
		if err != nil || strings.Join(endpoints, " ") != strings.Join(tc.endpoints, " ") || prefix != tc.prefix {
			t.Errorf("parseEtcdURL(%q) = %q, %q, %v; want %q, %q", tc.source, endpoints, prefix, err, tc.endpoints, tc.prefix)
		}
	}
}

// A SECRETS_SOURCE that names no source is an error that does not repeat
// it: a URL may hold a password.
func TestBadSource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ source, want string }{
		{"vault://" + canary, "unknown source"},
		{"etcd://", "no HOST:PORT"},
		{"etcd://127.0.0.1:2379", "no key prefix"},
		{"etcd://127.0.0.1:2379//", "no key prefix"},
		{"etcd://root:" + canary + "@127.0.0.1:2379/p", "credentials in the URL are not supported"},
		{"etcd://127.0.0.1:2379/p?password=" + canary, "a query or fragment is not supported"},
		{"etcd://127.0.0.1:2379/p%zz" + canary, "not a URL"},
	} {
		_, err := openSource(tc.source)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("openSource(a %s URL) = %v, want an error saying %q", tc.want, err, tc.want)
			continue
		}
		noCanary(t, "the error", err.Error())
	}

	// The program says so and exits 1.
	f := newFixture(t, appSecrets)
	out, err := f.app("etcd://root:"+canary+"@127.0.0.1:2379/p", "-once").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("staging with a bad SECRETS_SOURCE: %v, want exit status 1", err)
	}
	const want = "staging: SECRETS_SOURCE: credentials in the URL are not supported: koanf's etcd provider connects without authentication\n"
	if string(out) != want {
		t.Errorf("output = %q, want %q", out, want)
	}
	noCanary(t, "the output", string(out))
}
