package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/viper"
)

const testID = "6f1c1d3e-8a4b-4c55-9d1e-2b7f0a9c4e21"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// raceFlags are the go build flags that add the race detector; see
// race_test.go.
var raceFlags []string

// build compiles the example once per test run, with the race detector
// when the test has it.
func build(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "viper-example")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "viper-example")
		if runtime.GOOS == "windows" {
			binPath += ".exe"
		}
		args := append([]string{"build", "-o", binPath}, raceFlags...)
		buildOut, buildErr = exec.Command(goTool, append(args, ".")...).CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// env is a temporary project (its .env holding testID, and a config file)
// and a temporary store, with the environment the program runs in.
type env struct {
	project string
	store   *core.Store
	environ []string
}

func newEnv(t *testing.T, extra ...string) *env {
	t.Helper()
	tmp := t.TempDir()
	e := &env{project: filepath.Join(tmp, "project")}
	root := filepath.Join(tmp, "store")
	write(t, filepath.Join(e.project, ".env"), "# only the ID lives here\nUSER_SECRETS_ID="+testID+"\n")
	write(t, filepath.Join(e.project, "config.yaml"), "server:\n  port: 9090\ndb:\n  host: db.internal\n  password: from-the-file\napi_key: file-key\n")
	s, err := core.Open(core.Options{ID: testID, Root: root, LookupEnv: func(string) (string, bool) { return "", false }, WorkDir: e.project})
	if err != nil {
		t.Fatal(err)
	}
	e.store = s
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "HOME" || name == "USERPROFILE" || name == "APPDATA" || strings.HasPrefix(name, "USER_SECRETS_") || strings.HasPrefix(name, "APP_") {
			continue
		}
		e.environ = append(e.environ, kv)
	}
	home := filepath.Join(tmp, "home")
	e.environ = append(e.environ, "HOME="+home, "USERPROFILE="+home, "APPDATA="+home, "USER_SECRETS_DIR"+"="+root)
	e.environ = append(e.environ, extra...)
	return e
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *env) command(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(build(t), args...)
	cmd.Dir = e.project
	cmd.Env = e.environ
	return cmd
}

func TestOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "APP_LOG_LEVEL=debug-from-env")
	if _, err := e.store.SetMany([]core.Entry{
		{Key: "API_KEY", Value: "sk-live-0123456789"},
		// A control character among the three shown is masked too.
		{Key: "DB__PASSWORD", Value: "\x1b[2Jcorrect horse battery staple"},
	}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := e.command(t, "-once")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("run -once: %v\nstderr: %s", err, stderr.String())
	}
	want := `settings (lowest to highest: defaults, config.yaml, user secrets, environment APP_*):
  api_key     = sk-***     (user secrets)
  db.host     = db.***     (config.yaml)
  db.password = ?[2***     (user secrets)
  log.level   = deb***     (environment APP_LOG_LEVEL)
  server.port = 909***     (config.yaml)
`
	if got := stdout.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	for _, secret := range []string{"sk-live-0123456789", "correct horse", "from-the-file", "file-key"} {
		if strings.Contains(stdout.String()+stderr.String(), secret) {
			t.Errorf("output shows the value %q unmasked", secret)
		}
	}
}

func TestOnceWithoutSecrets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := os.Remove(filepath.Join(e.project, "config.yaml")); err != nil {
		t.Fatal(err)
	}
	out, err := e.command(t, "-once").CombinedOutput()
	if err != nil {
		t.Fatalf("run -once: %v\n%s", err, out)
	}
	want := `settings (lowest to highest: defaults, config file, user secrets, environment APP_*):
  api_key     = ***        (default)
  db.host     = loc***     (default)
  db.password = ***        (default)
  log.level   = inf***     (default)
  server.port = 808***     (default)
`
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestBrokenSecretsFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	write(t, e.store.Path(), "GOOD=CANARY-value\nBROKEN CANARY-value\n")
	var stdout, stderr bytes.Buffer
	cmd := e.command(t, "-once")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("run -once with a broken secrets file: %v, want exit status 1", err)
	}
	if !strings.Contains(stderr.String(), ".secrets:2:") {
		t.Errorf("stderr %q does not name the line", stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), "CANARY") {
		t.Error("output shows a secret value")
	}
}

// TestWatch runs the program until it has printed the settings again after
// a change of the secrets and of the config file, then interrupts it.
func TestWatch(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs os.Interrupt to stop the program")
	}
	t.Parallel()
	e := newEnv(t)
	if _, err := e.store.Set("API_KEY", "one-1111"); err != nil {
		t.Fatal(err)
	}
	cmd := e.command(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// A table is a header line ending in ":" and one line per setting;
	// waitTable returns the next table whose lines include all of want.
	var seen []string
	waitTable := func(want ...string) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		var table []string
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("program exited before printing %q; stderr: %s", want, stderr.String())
				}
				seen = append(seen, l)
				if strings.HasSuffix(l, ":") || !strings.HasPrefix(l, "  ") {
					table = nil
					continue
				}
				table = append(table, l)
				found := 0
				for _, w := range want {
					for _, tl := range table {
						if strings.Contains(tl, w) {
							found++
							break
						}
					}
				}
				if found == len(want) {
					return
				}
			case <-timeout:
				t.Fatalf("no table with %q; output:\n%s", want, strings.Join(seen, "\n"))
			}
		}
	}
	waitTable("api_key     = one***     (user secrets)")
	// The first table is printed before Watch starts: change nothing
	// until it has.
	waitLine := func(want string) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("program exited before printing %q; stderr: %s", want, stderr.String())
				}
				seen = append(seen, l)
				if l == want {
					return
				}
			case <-timeout:
				t.Fatalf("no line %q; output:\n%s", want, strings.Join(seen, "\n"))
			}
		}
	}
	waitLine("watching for changes; Ctrl-C to stop")

	if _, err := e.store.Set("API_KEY", "two-2222"); err != nil {
		t.Fatal(err)
	}
	waitTable("api_key     = two***     (user secrets)")

	// Rewrite the config file (by rename, as editors do): Viper reloads
	// it, and the secrets stay on top.
	cfg := filepath.Join(e.project, "config.yaml")
	write(t, cfg+".new", "server:\n  port: 7070\napi_key: file-key\n")
	if err := os.Rename(cfg+".new", cfg); err != nil {
		t.Fatal(err)
	}
	waitTable("api_key     = two***     (user secrets)", "server.port = 707***     (config.yaml)", "db.host     = loc***     (default)")

	// Both at once: one reload or two, the secrets stay on top.
	write(t, cfg+".new", "server:\n  port: 6060\napi_key: file-key\n")
	if err := os.Rename(cfg+".new", cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Set("API_KEY", "three-3333"); err != nil {
		t.Fatal(err)
	}
	waitTable("api_key     = thr***     (user secrets)", "server.port = 606***     (config.yaml)")

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("program after interrupt: %v; stderr: %s", err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// TestConfigParseErrorNamesOnlyTheFile: Viper's dotenv parser (gotenv)
// quotes a line it cannot read, value and all; the example must not print it.
func TestConfigParseErrorNamesOnlyTheFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "app.env")
	if err := os.WriteFile(f, []byte("DB-PASS=canary_secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := (&app{configFile: f}).readConfig(viper.New())
	if err == nil {
		t.Skip("this Viper parses the line; nothing to check")
	}
	if strings.Contains(err.Error(), "canary") {
		t.Fatal("the config parse error quotes the file's text")
	}
	if !strings.Contains(err.Error(), f) {
		t.Fatalf("the error does not name the file: %v", err)
	}
}
