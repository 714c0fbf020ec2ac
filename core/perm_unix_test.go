//go:build unix

package core

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// These tests change the process umask, so none of them may run in
// parallel with another test.

// withUmask runs f with the process umask set to mask.
func withUmask(mask int, f func()) {
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	f()
}

// wantMode checks the permission bits of path.
func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %#o, want %#o", path, got, want)
	}
}

func chmod(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// TestPermissionsFromCreation checks the store's modes under umask 0, which
// would leave any loose mode loose.
func TestPermissionsFromCreation(t *testing.T) {
	base := t.TempDir()
	existing := filepath.Join(base, "existing")
	if err := os.Mkdir(existing, 0o700); err != nil {
		t.Fatal(err)
	}
	chmod(t, existing, 0o777)
	root := filepath.Join(existing, "new", "root")
	withUmask(0, func() {
		s, err := openID(root, fixtureID)
		if err != nil {
			t.Fatal(err)
		}
		mustSet(t, s, "A", "1")
		wantMode(t, s.Dir(), 0o700)
		wantMode(t, s.Path(), 0o600)
		wantMode(t, filepath.Join(s.Dir(), lockFileName), 0o600)
		// Missing parents are made private; existing ones are left alone.
		wantMode(t, root, 0o700)
		wantMode(t, filepath.Join(existing, "new"), 0o700)
		wantMode(t, existing, 0o777)
		mustSet(t, s, "B", "2")
		wantMode(t, s.Path(), 0o600)
	})
}

func TestInitPermissions(t *testing.T) {
	for _, tt := range []struct {
		umask   int
		wantEnv fs.FileMode
	}{
		{0, 0o644},
		{0o022, 0o644},
		{0o027, 0o640},
		{0o077, 0o600},
	} {
		dir, opts := newInitProject(t)
		withUmask(tt.umask, func() {
			res, err := initR(opts)
			if err != nil {
				t.Fatal(err)
			}
			wantMode(t, filepath.Join(dir, ".env"), tt.wantEnv)
			wantMode(t, res.Project.SecretsDir(), 0o700)
			wantMode(t, res.Project.SecretsFile(), 0o600)
		})
	}
	// An existing .env keeps its mode, whatever the umask.
	dir, opts := newInitProject(t)
	putFile(t, filepath.Join(dir, ".env"), "A=1\n")
	chmod(t, filepath.Join(dir, ".env"), 0o604)
	withUmask(0o077, func() {
		if _, err := initR(opts); err != nil {
			t.Fatal(err)
		}
	})
	wantMode(t, filepath.Join(dir, ".env"), 0o604)
}

// TestPermissionsTightened checks that a write tightens a store others
// can read, and that reads change nothing. (A store others can write is
// refused: TestStoreWritableByOthersRefused.)
func TestPermissionsTightened(t *testing.T) {
	for _, tt := range []struct {
		dirMode, fileMode fs.FileMode
	}{
		{0o755, 0o644},
		{0o750, 0o640},
		{0o701, 0o604},
	} {
		base := t.TempDir()
		root := filepath.Join(base, "root")
		s, err := openID(root, fixtureID)
		if err != nil {
			t.Fatal(err)
		}
		mustSet(t, s, "A", "1")
		chmod(t, root, 0o755)
		chmod(t, s.Dir(), tt.dirMode)
		chmod(t, s.Path(), tt.fileMode)

		if _, err := s.All(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get("A"); err != nil {
			t.Fatal(err)
		}
		wantMode(t, s.Dir(), tt.dirMode)
		wantMode(t, s.Path(), tt.fileMode)

		withUmask(0, func() { mustSet(t, s, "B", "2") })
		wantMode(t, s.Dir(), 0o700)
		wantMode(t, s.Path(), 0o600)
		wantMode(t, root, 0o755)
	}

	// A symlinked secrets file: the target is replaced with a private file.
	s := newTestStore(t)
	if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "target")
	putFile(t, target, "A=1\n")
	chmod(t, target, 0o644)
	if err := os.Symlink(target, s.Path()); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "B", "2")
	wantMode(t, target, 0o600)
}

// TestPermissionDenied provokes real permission-denied errors on the store
// and checks that they say so without the stored value. Root is denied
// nothing, so as root the operations run in a child process as user
// nobody (uid 65534).
func TestPermissionDenied(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	asRoot := os.Getuid() == 0
	// A directory user nobody can traverse (t.TempDir's are private).
	base, err := os.MkdirTemp("", "core-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.Walk(base, func(p string, fi fs.FileInfo, err error) error {
			if err == nil && fi.IsDir() {
				os.Chmod(p, 0o700)
			}
			return nil
		})
		os.RemoveAll(base)
	})
	chmod(t, base, 0o755)
	exe := os.Args[0]
	if asRoot {
		exe = filepath.Join(base, "core.test")
		copyFile(t, os.Args[0], exe)
		chmod(t, exe, 0o755)
	}
	root := filepath.Join(base, "root")
	s, err := openID(root, fixtureID)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "API_KEY", canary)
	before := fileText(t, s.Path())
	proj := filepath.Join(base, "proj")
	putFile(t, filepath.Join(proj, ".env"), "API_KEY="+canary+"\n")

	for _, tt := range []struct {
		name  string
		setup func()
	}{
		{"store directory denied", func() {
			chmod(t, root, 0o555)
			chmod(t, s.Dir(), 0o000)
		}},
		{"secrets and lock files denied", func() {
			chmod(t, root, 0o555)
			chmod(t, s.Dir(), 0o755)
			chmod(t, s.Path(), 0o000)
			chmod(t, filepath.Join(s.Dir(), lockFileName), 0o000)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			cmd := helperCommand("denied", root, proj)
			cmd.Path, cmd.Args[0], cmd.Dir = exe, exe, base
			if asRoot {
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
			var out, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &stderr
			err := cmd.Run()
			c := &leakChecker{t: t}
			c.check("child output", out.String())
			c.check("child stderr", stderr.String())
			if err != nil {
				t.Fatalf("child as %s failed: %v", map[bool]string{true: "nobody", false: "this user"}[asRoot], err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != 6 {
				t.Fatalf("child printed %d lines, want 6", len(lines))
			}
			for _, line := range lines {
				name, rest, _ := strings.Cut(line, "\t")
				denied, text, _ := strings.Cut(rest, "\t")
				if denied != "true" {
					t.Errorf("%s: error %q, want one matching fs.ErrPermission", name, text)
				}
			}
			t.Logf("provoked as %s: %d operations denied, none leaked", map[bool]string{true: "uid 65534", false: "the file's owner"}[asRoot], len(lines))
			chmod(t, s.Dir(), 0o700)
			chmod(t, s.Path(), 0o600)
			if fileText(t, s.Path()) != before {
				t.Errorf("the secrets file changed")
			}
		})
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
