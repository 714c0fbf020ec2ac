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
	"time"

	"github.com/go-user-secrets/user-secrets/core"
)

// bin is the example program, built once by TestMain ("" when the go
// command is not available).
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "koanf-example")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if gotool, err := exec.LookPath("go"); err == nil {
		bin = filepath.Join(dir, "koanf-example")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		if out, err := exec.Command(gotool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			os.Exit(1)
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

// project lays out a temporary project (config.yaml, .env naming testID)
// and a store holding two secrets, and returns the command to run the
// example in it, with an environment of its own: HOME and USER_SECRETS_DIR
// in the temporary directory, and one APP_ variable.
func project(t *testing.T, args ...string) (*exec.Cmd, *core.Store) {
	t.Helper()
	if bin == "" {
		t.Skip("the go command is not available to build the example")
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "project")
	home := filepath.Join(tmp, "home")
	root := filepath.Join(tmp, "usersecrets")
	for _, d := range []string{dir, home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"config.yaml": "LOG_LEVEL: debug\nDB_URL: postgres://db.internal/app\nPORT: 9090\n",
		".env":        "USER_SECRETS_ID=" + testID + "\nDEBUG=true\nDB_URL=postgres://localhost/dev\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := core.Open(core.Options{ID: testID, Root: root, LookupEnv: func(string) (string, bool) { return "", false }, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetMany([]core.Entry{
		{Key: "DB_URL", Value: "postgres://app:" + canary + "@localhost/app"},
		{Key: "API_KEY", Value: "sk-" + canary},
	}); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + home, "USER_SECRETS_DIR" + "=" + root, "APP_LOG_LEVEL=warn"}
	if runtime.GOOS == "windows" {
		cmd.Env = append(cmd.Env, "SystemRoot="+os.Getenv("SystemRoot"), "USERPROFILE="+home)
	}
	return cmd, s
}

// table is the output for the project above, with API_KEY's masked value
// given.
func table(apiKey string) string {
	return "" +
		"KEY              LAYER         VALUE\n" +
		"API_KEY          user secrets  " + apiKey + "\n" +
		"DB_URL           user secrets  pos***\n" +
		"DEBUG            .env          tru***\n" +
		"LOG_LEVEL        env           war***\n" +
		"PORT             config.yaml   909***\n" +
		"USER_SECRETS_ID  .env          0f8***\n"
}

func TestOnce(t *testing.T) {
	t.Parallel()
	cmd, _ := project(t, "-once")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("koanf-example -once: %v; stderr:\n%s", err, stderr.String())
	}
	if want := table("sk-***"); stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q, want nothing", stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), canary) {
		t.Error("the output contains a secret value")
	}
}

func TestMissingConfigFile(t *testing.T) {
	t.Parallel()
	cmd, _ := project(t, "-once", "-config", "nonexistent.yaml")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("koanf-example -config nonexistent.yaml: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PORT             defaults      808***\n") {
		t.Errorf("output without the config file:\n%s\nwant PORT from the defaults", out)
	}
}

func TestReloadOnChange(t *testing.T) {
	t.Parallel()
	cmd, s := project(t)
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
	// next reads one printed table.
	next := func(what string) string {
		t.Helper()
		var b strings.Builder
		for i := 0; i < 7; i++ {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("%s: output ended; stderr:\n%s", what, stderr.String())
				}
				b.WriteString(l + "\n")
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: no output in 10s; so far:\n%s", what, b.String())
			}
		}
		return b.String()
	}

	if got, want := next("start"), table("sk-***"); got != want {
		t.Fatalf("first table:\n%s\nwant:\n%s", got, want)
	}
	if _, err := s.Set("API_KEY", "new-"+canary); err != nil {
		t.Fatal(err)
	}
	if got, want := next("after Set"), table("new***"); got != want {
		t.Fatalf("table after Set:\n%s\nwant:\n%s", got, want)
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
	if want := "koanf-example: user secrets changed: reloading\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
	if strings.Contains(stderr.String(), canary) {
		t.Error("stderr contains a secret value")
	}
}

// A .env that does not parse is named, with the line, never quoted:
// godotenv's own error would quote the text near the failure, which here
// is the secret itself.
func TestUnreadableDotenv(t *testing.T) {
	t.Parallel()
	cmd, _ := project(t, "-once")
	env := "USER_SECRETS_ID=" + testID + "\nDB_PASS='" + canary + "\nNEXT=" + canary + "\n"
	if err := os.WriteFile(filepath.Join(cmd.Dir, ".env"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("koanf-example -once with an unreadable .env: %v, want exit status 1", err)
	}
	if strings.Contains(stdout.String()+stderr.String(), canary) {
		t.Fatal("the output contains a secret value")
	}
	const want = "koanf-example: load .env: .env:2: key \"DB_PASS\": unterminated single-quoted value\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

func TestMasked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "***"},
		{"abc", "***"},
		{"abcd", "abc***"},
		{"日本語です", "日本語***"},
		{"\x1b[2Jclear", "?[2***"},
		{"a\nbcdef", "a?b***"},
	} {
		if got := masked(tc.in); got != tc.want {
			t.Errorf("masked(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
