package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"
)

// TestEnvLockPath checks that every name of one .env leads to one lock in
// the store root, and that two files have two.
func TestEnvLockPath(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	proj := filepath.Join(base, "proj")
	if err := os.MkdirAll(filepath.Join(proj, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(proj, ".env")
	if err := os.WriteFile(env, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	want := EnvLockPath(root, env)
	if !regexp.MustCompile(`^[0-9a-f]{64}\.lock$`).MatchString(filepath.Base(want)) || filepath.Dir(want) != filepath.Join(root, ".env-locks") {
		t.Fatalf("EnvLockPath(%q, %q) = %q, want <root>/.env-locks/<64 hex digits>.lock", root, env, want)
	}

	t.Chdir(filepath.Join(proj, "sub"))
	same := []struct{ name, path string }{
		{"relative", filepath.Join("..", ".env")},
		{"unclean", filepath.Join(proj, "sub", "..", ".", ".env")},
	}
	if runtime.GOOS != "windows" {
		if err := os.Symlink(proj, filepath.Join(base, "link-to-proj")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(env, filepath.Join(base, "link.env")); err != nil {
			t.Fatal(err)
		}
		same = append(same,
			struct{ name, path string }{"through a linked directory", filepath.Join(base, "link-to-proj", ".env")},
			struct{ name, path string }{"a link to it", filepath.Join(base, "link.env")})
	}
	for _, tt := range same {
		if got := EnvLockPath(root, tt.path); got != want {
			t.Errorf("%s: EnvLockPath(%q) = %q, want %q", tt.name, tt.path, got, want)
		}
	}
	// A new .env (init's) has the lock it will have once it exists.
	if err := os.Remove(env); err != nil {
		t.Fatal(err)
	}
	if got := EnvLockPath(root, env); got != want {
		t.Errorf("EnvLockPath(%q) of a missing file = %q, want %q", env, got, want)
	}
	for _, other := range []string{filepath.Join(proj, "sub", ".env"), filepath.Join(proj, ".env.local")} {
		if got := EnvLockPath(root, other); got == want {
			t.Errorf("EnvLockPath(%q) = EnvLockPath(%q) = %q, want two locks", other, env, got)
		}
	}
}

// TestLockEnv checks that LockEnv makes its directory private, and that
// two names of one .env exclude each other.
func TestLockEnv(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	proj := filepath.Join(base, "proj")
	if err := os.Mkdir(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(proj, ".env")
	unlock, err := LockEnv(root, env, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(proj)
	if _, err := LockEnv(root, ".env", 0); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("LockEnv(.env) while %s is locked: error = %v, want ErrLockTimeout", env, err)
	}
	unlock()
	unlock, err = LockEnv(root, ".env", time.Second)
	if err != nil {
		t.Fatalf("LockEnv once free: %v", err)
	}
	unlock()

	fi, err := os.Stat(filepath.Join(root, ".env-locks"))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf(".env-locks has mode %o, want 700", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(proj); len(entries) != 0 {
		t.Errorf("the project directory holds %d files, want none", len(entries))
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LockEnv(filepath.Join(file, "root"), env, 0); err == nil {
		t.Errorf("LockEnv with a root under a regular file succeeded")
	}
}
