package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"testing"

	"github.com/go-user-secrets/user-secrets/internal/testguard"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "update testscript files' golden output in place")

func TestMain(m *testing.M) {
	useTestKeychain() // never the real keychain
	testscript.Main(testguard.Wrap(m), map[string]func(){
		"user-secrets": main,
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
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits": cmdExits,
			"perm":  cmdPerm,
			"envid": cmdEnvID,
			"await": cmdAwait,
		},
		Setup: func(env *testscript.Env) error {
			work := env.Getenv("WORK")
			env.Setenv("HOME", work+"/home")
			env.Setenv("APPDATA", work+"/appdata")
			env.Setenv("USER_SECRETS_DIR", work+"/store")
			env.Setenv("USER_SECRETS_ID", "")
			env.Setenv(testKeychainEnv, work+"/keychain")
			// BINDIR holds only the user-secrets command, for scripts
			// that need a PATH without git.
			bin, err := exec.LookPath("user-secrets")
			if err != nil {
				return err
			}
			env.Setenv("BINDIR", filepath.Dir(bin))
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

// cmdPerm is the script command `perm MODE path`: it asserts that path's
// permission bits are exactly MODE (octal). It checks nothing on Windows.
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm MODE path")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil {
		ts.Fatalf("perm: bad mode %q", args[0])
	}
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := uint64(fi.Mode().Perm())
	if (got == want) == neg {
		ts.Fatalf("%s has mode %04o, want %s%04o", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// envIDLine is the line init writes to .env.
var envIDLine = regexp.MustCompile(`(?m)^USER_SECRETS_ID=([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\r?$`)

// cmdEnvID is the script command `envid NAME [file]`: it asserts that file
// (default .env) holds a line USER_SECRETS_ID=<lowercase v4 UUID>, as init
// writes it, and sets the environment variable NAME to the last such ID.
func cmdEnvID(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: envid NAME [file]")
	}
	file := ".env"
	if len(args) == 2 {
		file = args[1]
	}
	m := envIDLine.FindAllStringSubmatch(ts.ReadFile(file), -1)
	if m == nil {
		ts.Fatalf("%s has no USER_SECRETS_ID=<lowercase v4 UUID> line", file)
	}
	ts.Setenv(args[0], m[len(m)-1][1])
}
