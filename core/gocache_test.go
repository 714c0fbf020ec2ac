package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The secrets file is read with os.ReadFile, which go test's test log
// records: TestGoTestCacheSeesSecretsFile checks, with a real go command on
// a throwaway module that uses core through a replace directive, that a
// `go test` of a package reading secrets through core re-runs when the
// secrets file changes instead of replaying a stale cached result.
//
// Scope: go test re-checks only the files it saw opened or stat'ed inside
// the tested package's module root (or GOPATH or GOROOT); see
// computeTestInputsID in cmd/go/internal/test (and golang/go#29111). A store
// elsewhere, as the default $HOME/.python/usersecrets always is, is not
// re-checked: a change there still replays the cached result, and only a
// change of $USER_SECRETS_DIR or $USER_SECRETS_ID (read with os.LookupEnv,
// and so recorded) re-runs the test. The store here is therefore inside
// the module, in its testdata, as a project's test fixture would be.

const (
	cacheCheckModule = "example.com/cachecheck"
	cacheCheckKey    = "CANARY_LEN_KEY"
	cacheCheckID     = "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)

// cacheCheckTest is the child module's only test. It logs the length of
// the secret, never the secret: the parent quotes the child's output in its
// failure messages. Errors of core never contain a value.
const cacheCheckTest = `package cachecheck

import (
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

func TestCanaryLength(t *testing.T) {
	s, err := core.Open(core.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	v, err := s.Get("` + cacheCheckKey + `")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	t.Logf("len=%d", len(v))
}
`

var (
	cacheCheckOK     = regexp.MustCompile(`(?m)^ok\s+` + regexp.QuoteMeta(cacheCheckModule) + `\s+(.*)$`)
	cacheCheckLength = regexp.MustCompile(`(?m)\blen=(\d+)\s*$`)
)

func TestGoTestCacheSeesSecretsFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command several times")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH: %v", err)
	}
	ctx := t.Context()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-5*time.Second))
		defer cancel()
	}

	// The repository root is the parent of this package's directory, the
	// test's working directory.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Dir(wd)
	if !filepath.IsAbs(repo) {
		t.Fatalf("repository root %q is not absolute", repo)
	}
	repoMod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	modPath, goLine := "", ""
	for _, line := range strings.Split(string(repoMod), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "module":
			modPath = f[1]
		case len(f) == 2 && f[0] == "go" && goLine == "":
			goLine = line
		}
	}
	if modPath != "github.com/go-user-secrets/user-secrets" || goLine == "" {
		t.Fatalf("%s/go.mod: module %q, go line %q: not this repository's go.mod", repo, modPath, goLine)
	}
	repoSum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}

	// The parent's go settings, including those of its go env file: the
	// child reads none (GOENV=off), and gets these explicitly. The build
	// cache must be shared for "(cached)" to mean anything, and for speed.
	goEnv := parentGoEnv(ctx, t, goBin)
	if c := goEnv["GOCACHE"]; c == "" || c == "off" {
		t.Skipf("the build cache is off (GOCACHE=%q): go test caches no result", c)
	}

	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	mod := filepath.Join(tmp, "mod")
	root := filepath.Join(mod, "testdata", "store") // inside the module: see the comment at the top
	storeDir := filepath.Join(root, cacheCheckID)
	secrets := filepath.Join(storeDir, ".secrets")
	for _, d := range []string{home, mod} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(storeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	goMod := fmt.Sprintf("module %s\n\n%s\n\nrequire %s v0.0.0\n\nreplace %s => %s\n",
		cacheCheckModule, goLine, modPath, modPath, repo)
	files := map[string][]byte{
		"go.mod":             []byte(goMod),
		"go.sum":             repoSum,
		"cachecheck_test.go": []byte(cacheCheckTest),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(mod, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	env := []string{
		"HOME=" + home,
		"USERPROFILE=" + home,
		"USER_SECRETS_DIR=" + root,
		"USER_SECRETS_ID=" + cacheCheckID,
		"GOFLAGS=-mod=mod",
		"GOTOOLCHAIN=local",
		"GOENV=off",
	}
	for _, k := range []string{"PATH", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for _, k := range goEnvKeys {
		if v := goEnv[k]; v != "" {
			env = append(env, k+"="+v)
		}
	}

	goTest := func(step string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, goBin, "test", "-v", ".")
		cmd.Dir = mod
		cmd.Env = env
		cmd.WaitDelay = 10 * time.Second
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("%s: go test -v . took %v", step, time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("%s: go test -v .: %v\n%s", step, err, out)
		}
		return string(out)
	}
	// Values of characters that go test never prints, so that the check
	// that its output holds no value cannot match by chance.
	first, second := "^~~~~~~^", "^~^"
	// check runs go test and checks that it printed the length want, and
	// was replayed from the cache or not as cached says.
	check := func(step string, wantLen int, cached bool) {
		t.Helper()
		out := goTest(step)
		for _, v := range []string{first, second} {
			if strings.Contains(out, v) {
				t.Fatalf("%s: the output of go test contains a secret value (not quoted here)", step)
			}
		}
		m := cacheCheckOK.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("%s: no ok line for %s in the output of go test:\n%s", step, cacheCheckModule, out)
		}
		if got := strings.Contains(m[1], "(cached)"); got != cached {
			hint := ""
			if cached {
				hint = " (an edit of this repository's non-test sources meanwhile also re-runs it)"
			}
			t.Fatalf("%s: go test result cached = %v, want %v%s:\n%s", step, got, cached, hint, out)
		}
		lens := cacheCheckLength.FindAllStringSubmatch(out, -1)
		if len(lens) != 1 || lens[0][1] != fmt.Sprint(wantLen) {
			t.Fatalf("%s: want exactly one line len=%d in the output of go test:\n%s", step, wantLen, out)
		}
	}

	// Both mtimes are well past the 2 seconds under which go test caches
	// no result that read the file, and differ from each other: the cache
	// key of a file read is its mode, size and mtime, not its content.
	base := time.Now().Add(-10 * time.Second)
	writeSecret(t, secrets, first, base)
	check("first run", 8, false)
	// Nothing changed: cached. This also proves the module is settled
	// (-mod=mod may have rewritten go.mod in the first run, and core stats
	// go.mod), so the only change the next run sees is the secrets file.
	check("unchanged after first run", 8, true)

	writeSecret(t, secrets, second, base.Add(5*time.Second))
	check("secret changed", 3, false)

	// Control: nothing changed, so the result is replayed from the cache:
	// caching works, and the re-run above was caused by the change.
	check("unchanged after change", 3, true)
}

// goEnvKeys are the go settings the child takes from the parent.
var goEnvKeys = []string{
	"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GONOPROXY", "GOPRIVATE",
	"GOSUMDB", "GONOSUMDB", "GOINSECURE", "GOTMPDIR", "CGO_ENABLED",
}

// parentGoEnv returns the parent's values of goEnvKeys, as go env reports
// them (environment, then go env file, then defaults).
func parentGoEnv(ctx context.Context, t *testing.T, goBin string) map[string]string {
	t.Helper()
	cmd := exec.CommandContext(ctx, goBin, append([]string{"env", "-json"}, goEnvKeys...)...)
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go env: %v\n%s", err, stderr.Bytes())
	}
	m := map[string]string{}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("go env -json: %v\n%s", err, out)
	}
	return m
}

// writeSecret writes the secrets file anew (0600) with one entry, and sets
// its access and modification times to mtime.
func writeSecret(t *testing.T, path, value string, mtime time.Time) {
	t.Helper()
	data := fmt.Sprintf("%s=%s\n", cacheCheckKey, value)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
