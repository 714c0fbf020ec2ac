// Package testguard stops a test binary of this module before it runs when
// a .env lies in or above the temporary directory.
//
// The ID is looked for in the nearest .env that defines it, walking up
// until a repository root (a .git), and so it is from a test's t.TempDir,
// which is in no repository: up to the file system's root.
// Such a file (a /tmp/.env, or a project's own .env above a TMPDIR inside
// it) that defines USER_SECRETS_ID would give every test that expects no
// ID, or its own, that one instead: dozens of failures that say nothing of
// the cause. One that does not is still looked in, and named by the error
// that tests of a missing ID compare. Wrap says it once, naming the file.
package testguard

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-user-secrets/user-secrets/internal/envid"
)

// Runner is what a TestMain runs: *testing.M, or a wrapper of one.
type Runner interface{ Run() int }

type guarded struct{ m Runner }

// Wrap returns m, to be run by a TestMain (directly, or by goleak or
// testscript), that first checks os.TempDir with Check and, when it finds
// a .env, reports it and runs no test.
func Wrap(m Runner) Runner { return guarded{m} }

func (g guarded) Run() int {
	// t.TempDir is under os.TempDir, testscript's $WORK under $GOTMPDIR.
	dirs := []string{os.TempDir()}
	if d := os.Getenv("GOTMPDIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		if err := Check(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return g.m.Run()
}

// Check returns an error naming a .env (a regular file) in dir or in a
// directory above it, if there is one, looking up from dir both as given
// and with its symbolic links resolved (testscript resolves them).
func Check(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil && real != dir {
		if err := check(real, dir); err != nil {
			return err
		}
	}
	return check(dir, dir)
}

// check is Check from dir, an absolute path; tmp is the directory named in
// the error.
func check(dir, tmp string) error {
	for {
		path := filepath.Join(dir, ".env")
		if line, ok := readEnv(path); ok {
			what := "the ID lookup would look in it, and the tests that check where it looked would fail"
			if line > 0 {
				path, what = fmt.Sprintf("%s:%d", path, line), "it defines USER_SECRETS_ID, which the tests would read"
			}
			return fmt.Errorf("testguard: %s is in or above the tests' temporary directory %s: %s; "+
				"move it, or point TMPDIR (and GOTMPDIR) outside it", path, tmp, what)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// readEnv reports whether path is a regular file (like the lookup, it reads
// no other kind: a FIFO would block) and the number of its line that
// defines USER_SECRETS_ID, read by envid.Scan as the lookup reads it, or 0.
func readEnv(path string) (line int, ok bool) {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, true
	}
	_, line = envid.Scan(data, "USER_SECRETS_ID")
	return line, true
}
