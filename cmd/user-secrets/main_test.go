package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "update testscript files' golden output in place")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"user-secrets": func() { os.Exit(run(os.Args[1:], newSystemIO())) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each runs in
// a fresh $WORK with HOME, APPDATA and USER_SECRETS_DIR inside it.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exits": cmdExits},
		Setup: func(env *testscript.Env) error {
			work := env.Getenv("WORK")
			env.Setenv("HOME", work+"/home")
			env.Setenv("APPDATA", work+"/appdata")
			env.Setenv("USER_SECRETS_DIR", work+"/store")
			env.Setenv("USER_SECRETS_ID", "")
			return os.MkdirAll(work+"/home", 0o755)
		},
	})
}

// cmdExits is the script command `exits N prog args...`: it runs prog like
// exec and asserts that its exit status is exactly N.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
