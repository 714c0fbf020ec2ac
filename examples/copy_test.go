// Package examples_test checks that each example program stands alone: copied
// out of this repository into a module of its own, it builds.
package examples_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// TestCopiedExamplesBuild copies each examples/<name> that is not a module
// of its own into a new module, example.com/<name>, that requires this
// module through a replace directive, and runs go build there. It fails
// when an example imports a package of this module that another module
// cannot (internal/...), or one it does not export.
func TestCopiedExamplesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: builds every example in a module of its own")
	}
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the copied examples")
	}
	root, mod := thisModule(t, gotool)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	environ := buildEnv(t, gotool)

	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		name := d.Name()
		if _, err := os.Stat(filepath.Join(name, "go.mod")); err == nil {
			continue // a module of its own (staging): its own go test builds it
		}
		found++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			dir := filepath.Join(tmp, name)
			if err := os.CopyFS(dir, os.DirFS(name)); err != nil {
				t.Fatal(err)
			}
			gomod := fmt.Sprintf("module example.com/%s\n\ngo %s\n\nrequire %s v0.0.0\n\nreplace %s => %s\n",
				name, mod.Go, mod.Module.Path, mod.Module.Path, root)
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
				t.Fatal(err)
			}
			home := filepath.Join(tmp, "home")
			if err := os.Mkdir(home, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(gotool, "build", "./...")
			cmd.Dir = dir
			cmd.Env = slices.Concat(environ, []string{"HOME=" + home, "USERPROFILE=" + home})
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build ./... in a copy of examples/%s (module example.com/%s): %v\n%s", name, name, err, out)
			}
		})
	}
	if found == 0 {
		t.Fatal("no example directories found")
	}
}

// goMod is the part of `go mod edit -json` this test reads.
type goMod struct {
	Module struct{ Path string }
	Go     string
}

// thisModule returns the directory and the go.mod of the module holding
// the examples.
func thisModule(t *testing.T, gotool string) (string, goMod) {
	t.Helper()
	out, err := exec.Command(gotool, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	path := string(bytes.TrimSpace(out))
	if path == "" || path == os.DevNull {
		t.Fatal("go env GOMOD: not in a module")
	}
	out, err = exec.Command(gotool, "mod", "edit", "-json", path).Output()
	if err != nil {
		t.Fatalf("go mod edit -json %s: %v", path, err)
	}
	var m goMod
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("go mod edit -json %s: %v", path, err)
	}
	return filepath.Dir(path), m
}

// buildEnv returns the environment for the go command in a copied
// example: PATH, the caches, module proxy and checksum settings this go
// command uses, GOFLAGS=-mod=mod (the copy's go.mod lists only this
// module; go adds the rest, at the versions this module selects) and
// GOTOOLCHAIN=local. The caller adds HOME.
func buildEnv(t *testing.T, gotool string) []string {
	t.Helper()
	names := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOSUMDB", "GONOSUMDB", "GONOPROXY", "GOPRIVATE", "GOINSECURE", "CGO_ENABLED"}
	out, err := exec.Command(gotool, append([]string{"env", "-json"}, names...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	var vals map[string]string
	if err := json.Unmarshal(out, &vals); err != nil {
		t.Fatalf("go env -json: %v", err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"}
	for _, n := range names {
		if v := vals[n]; v != "" {
			env = append(env, n+"="+v)
		}
	}
	if runtime.GOOS == "windows" {
		for _, n := range []string{"SystemRoot", "TEMP", "TMP", "LOCALAPPDATA"} {
			if v, ok := os.LookupEnv(n); ok {
				env = append(env, n+"="+v)
			}
		}
	}
	return env
}
