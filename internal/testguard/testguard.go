// Package testguard stops a test binary of this module before it runs when
// a .env above the temporary directory defines USER_SECRETS_ID.
//
// The ID is looked for in the nearest .env that defines it, walking up to
// the file system's root (SPEC §3), and so it is from a test's t.TempDir.
// Such a file (a /tmp/.env, or a project's own .env above a TMPDIR inside
// it) would give every test that expects no ID, or its own, that one
// instead: dozens of failures that say nothing of the cause. Wrap says it
// once, naming the file.
package testguard

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Runner is what a TestMain runs: *testing.M, or a wrapper of one.
type Runner interface{ Run() int }

type guarded struct{ m Runner }

// Wrap returns m, to be run by a TestMain (directly, or by goleak or
// testscript), that first checks os.TempDir with Check and, when it finds
// a .env, reports it and runs no test.
func Wrap(m Runner) Runner { return guarded{m} }

func (g guarded) Run() int {
	if err := Check(os.TempDir()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return g.m.Run()
}

// Check returns an error naming the .env in dir or in a directory above it
// that defines USER_SECRETS_ID, if there is one.
func Check(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for {
		path := filepath.Join(dir, ".env")
		if line := definesID(path); line > 0 {
			return fmt.Errorf("testguard: %s:%d defines USER_SECRETS_ID, and it is in or above the tests' temporary "+
				"directory %s: tests would read that ID; move the file, or set TMPDIR to a directory outside it",
				path, line, os.TempDir())
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// definesID returns the number of the first line of the file at path that
// assigns USER_SECRETS_ID (after blanks and an "export "), or 0.
func definesID(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimLeft(sc.Text(), "\ufeff \t")
		line = strings.TrimLeft(strings.TrimPrefix(line, "export "), " \t")
		if rest, ok := strings.CutPrefix(line, "USER_SECRETS_ID"); ok && strings.HasPrefix(strings.TrimLeft(rest, " \t"), "=") {
			return n
		}
	}
	return 0
}
