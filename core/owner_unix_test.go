//go:build unix

package core

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestStoreWritableByOthersRefused: a store root, store directory or
// secrets file that group or others can write is refused, by reads and
// writes alike, and left as it is.
func TestStoreWritableByOthersRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		mode fs.FileMode
		path func(s *Store) string
		want string
	}{
		{"root writable by others", 0o777, func(s *Store) string { return s.Project().Root }, "writable by its group and others (mode 0777)"},
		{"store directory writable by its group", 0o770, (*Store).Dir, "writable by its group (mode 0770)"},
		{"secrets file writable by others", 0o602, (*Store).Path, "writable by others (mode 0602)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			s, err := openID(filepath.Join(base, "root"), fixtureID)
			if err != nil {
				t.Fatal(err)
			}
			mustSet(t, s, "API_KEY", canary)
			before := fileText(t, s.Path())
			chmod(t, tt.path(s), tt.mode)

			_, err = Open(Options{Root: s.Project().Root, ID: fixtureID, LookupEnv: emptyEnv})
			c := &leakChecker{t: t}
			c.check("Open", fmt.Sprint(err))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path(s)) {
				t.Errorf("Open() error = %v, want one naming %s as %s", err, tt.path(s), tt.want)
			}
			for name, op := range map[string]func() error{
				"All": func() error { _, err := s.All(); return err },
				"Set": func() error { _, err := s.Set("API_KEY", "new"); return err },
			} {
				err := op()
				c.check(name, fmt.Sprint(err))
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s() error = %v, want %q", name, err, tt.want)
				}
			}
			wantMode(t, tt.path(s), tt.mode)
			if fileText(t, s.Path()) != before {
				t.Errorf("the secrets file changed")
			}
		})
	}
}

// TestStoreOwnedByAnotherUser: a store directory another user made (in a
// shared USER_SECRETS_DIR, say) is refused with an error naming its owner;
// one of root's is trusted. As root, the test makes files of other users and
// runs the unprivileged cases in a child process as user nobody (65534).
func TestStoreOwnedByAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, to make files owned by other users (CI runs as root)")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	const nobody, other = 65534, 65533
	base, err := os.MkdirTemp("", "core-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	chmod(t, base, 0o755)
	exe := filepath.Join(base, "core.test")
	copyFile(t, os.Args[0], exe)
	chmod(t, exe, 0o755)

	// newStore makes a store with one secret, owned as given: root
	// directory, store directory, secrets file.
	newStore := func(name string, rootUID, dirUID, fileUID int) string {
		root := filepath.Join(base, name)
		s, err := openID(root, fixtureID)
		if err != nil {
			t.Fatal(err)
		}
		mustSet(t, s, "API_KEY", canary)
		chmod(t, root, 0o755)
		chmod(t, s.Dir(), 0o755)
		chmod(t, s.Path(), 0o644)
		for path, uid := range map[string]int{root: rootUID, s.Dir(): dirUID, s.Path(): fileUID} {
			if err := os.Lchown(path, uid, uid); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}

	// As root: another user's store directory is refused, naming the owner.
	root := newStore("as-root", 0, other, 0)
	_, err = Open(Options{Root: root, ID: fixtureID, LookupEnv: emptyEnv})
	if err == nil || !strings.Contains(err.Error(), "belongs to uid 65533") || !strings.Contains(err.Error(), "not to you") {
		t.Errorf("Open() of a store directory of uid %d, as root: error = %v, want one naming its owner", other, err)
	}

	// As nobody: its own store and root's are read; another user's are not.
	for _, tt := range []struct {
		name                     string
		rootUID, dirUID, fileUID int
		want                     string
	}{
		{"own store", nobody, nobody, nobody, "ok 1"},
		{"root's store directory", nobody, 0, 0, "ok 1"},
		{"another user's store directory", nobody, other, nobody, "error: " + filepath.Join(base, "another-user-s-store-directory", fixtureID) + " belongs to uid 65533"},
		{"another user's secrets file", nobody, nobody, other, "belongs to uid 65533"},
		{"another user's root", other, nobody, nobody, "belongs to uid 65533"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := newStore(strings.NewReplacer(" ", "-", "'", "-").Replace(tt.name), tt.rootUID, tt.dirUID, tt.fileUID)
			cmd := exec.Command(exe, "-test.run=^TestOwnerChild$")
			cmd.Env = []string{ownerChildEnv + "=" + root}
			cmd.Dir = base
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("child as nobody: %v\n%s", err, out.String())
			}
			c := &leakChecker{t: t}
			c.check("child output", out.String())
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("as nobody: %s\nwant %q", out.String(), tt.want)
			}
		})
	}
}

// ownerChildEnv names the store root TestOwnerChild reads.
const ownerChildEnv = "CORE_OWNER_CHILD_ROOT"

// TestOwnerChild is TestStoreOwnedByAnotherUser's child: it reads the store
// under the root it is given and prints "ok N" (the number of secrets) or
// "error: " and the error. It does nothing in an ordinary test run.
func TestOwnerChild(t *testing.T) {
	root := os.Getenv(ownerChildEnv)
	if root == "" {
		return
	}
	s, err := openID(root, fixtureID)
	if err == nil {
		var all []Entry
		if all, err = s.All(); err == nil {
			fmt.Printf("ok %d\n", len(all))
			return
		}
	}
	fmt.Printf("error: %v\n", err)
}
