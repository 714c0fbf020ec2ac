package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/rogpeppe/go-internal/testscript"
)

const runTestID = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"

func TestNewCmdRun(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      RunOptions
		wantUsage bool
	}{
		{name: "after --", args: []string{"--", "env", "-i"}, want: RunOptions{Command: []string{"env", "-i"}}},
		{name: "override", args: []string{"--override", "--", "env"}, want: RunOptions{Override: true, Command: []string{"env"}}},
		{name: "watch", args: []string{"--watch", "--", "env"}, want: RunOptions{Watch: true, Command: []string{"env"}}},
		{name: "watch, check and mask", args: []string{"--watch", "--check", "--mask", "env"}, want: RunOptions{Watch: true, Check: true, Mask: true, MaskSet: true, Command: []string{"env"}}},
		{name: "mask=false", args: []string{"--mask=false", "env"}, want: RunOptions{MaskSet: true, Command: []string{"env"}}},
		{name: "--watch after the command is its own", args: []string{"env", "--watch"}, want: RunOptions{Command: []string{"env", "--watch"}}},
		{name: "mask takes no value", args: []string{"--mask", "yes", "env"}, want: RunOptions{Mask: true, MaskSet: true, Command: []string{"yes", "env"}}},
		{name: "without --", args: []string{"printenv", "HOME"}, want: RunOptions{Command: []string{"printenv", "HOME"}}},
		{name: "flags after the command are its own", args: []string{"sh", "--override", "-c"}, want: RunOptions{Command: []string{"sh", "--override", "-c"}}},
		{name: "-- after the command is its own", args: []string{"git", "--", "x"}, want: RunOptions{Command: []string{"git", "--", "x"}}},
		{name: "no command", args: nil, wantUsage: true},
		{name: "only --", args: []string{"--"}, wantUsage: true},
		{name: "unknown flag", args: []string{"--nope", "env"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *RunOptions
			cmd := newCmdRun(&Factory{}, func(o *RunOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("run %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("run %q: %v", tt.args, err)
			}
			got.F = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("run %q: options = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestRunMasking(t *testing.T) {
	tests := []struct {
		name    string
		opts    RunOptions
		env     string // USER_SECRETS_MASK, "unset" for none
		want    bool
		wantErr bool
	}{
		{name: "unset", env: "unset", want: false},
		{name: "empty", env: "", want: false},
		{name: "0", env: "0", want: false},
		{name: "1", env: "1", want: true},
		{name: "--mask", opts: RunOptions{Mask: true, MaskSet: true}, env: "unset", want: true},
		{name: "--mask=false wins over 1", opts: RunOptions{MaskSet: true}, env: "1", want: false},
		{name: "--mask wins over 0", opts: RunOptions{Mask: true, MaskSet: true}, env: "0", want: true},
		{name: "a flag makes a bad value harmless", opts: RunOptions{MaskSet: true}, env: "yes", want: false},
		{name: "yes", env: "yes", wantErr: true},
		{name: "true", env: "true", wantErr: true},
		{name: "surrounded by spaces", env: " 1 ", wantErr: true},
		{name: "never quoted", env: "canary-on", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.F = &Factory{LookupEnv: func(k string) (string, bool) {
				if k != maskEnv || tt.env == "unset" {
					return "", false
				}
				return tt.env, true
			}}
			got, err := opts.masking()
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), maskEnv) {
					t.Fatalf("masking() with %s=%q: err = %v, want an error naming the variable", maskEnv, tt.env, err)
				}
				if strings.Contains(err.Error(), "canary") {
					t.Errorf("masking() error quotes the value: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("masking() with %+v and %s=%q = %v, %v; want %v", tt.opts, maskEnv, tt.env, got, err, tt.want)
			}
		})
	}
}

// TestRunMaskPieces runs a child that prints a secret in pieces, with
// pauses between them, on stdout and on stderr: run --mask must show "***"
// and never a piece.
func TestRunMaskPieces(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	const secret = "canary-mask-pieces"
	root := t.TempDir()
	dir := filepath.Join(root, runTestID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".secrets"), []byte("API_KEY="+secret+"\nSHORT=abc12\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("USER_SECRETS_TEST_HELPER", "print-pieces")
	s, out, errOut := testIO("")
	f := &Factory{IO: s, ID: runTestID, LookupEnv: func(k string) (string, bool) {
		if k == "USER_SECRETS_DIR" {
			return root, true
		}
		return "", false
	}}
	err = runRun(&RunOptions{F: f, Mask: true, MaskSet: true, Command: []string{self, "-test.run=^TestRunHelperPrintPieces$"}})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 4 || ee.err != nil {
		t.Errorf("run --mask returned %v, want the child's status 4 and no message", err)
	}
	// A value shorter than 6 characters is not masked.
	const want = "before *** middle *** abc12 after\n"
	if out.String() != want {
		t.Errorf("stdout = %q, want %q", hideCanary(out.String()), want)
	}
	if errOut.String() != want {
		t.Errorf("stderr = %q, want %q", hideCanary(errOut.String()), want)
	}
}

// hideCanary returns s with every "canary" (the word the tests' secret
// values begin with) replaced, for a failure message to quote.
func hideCanary(s string) string {
	return strings.ReplaceAll(s, "canary", "<canary>")
}

// TestRunHelperPrintPieces is the child of TestRunMaskPieces: on stdout
// and stderr, it writes $API_KEY in three pieces with pauses between them,
// then a byte at a time, then $SHORT, and exits 4.
func TestRunHelperPrintPieces(t *testing.T) {
	if os.Getenv("USER_SECRETS_TEST_HELPER") != "print-pieces" {
		t.Skip("helper process for TestRunMaskPieces")
	}
	v := os.Getenv("API_KEY")
	for _, w := range []*os.File{os.Stdout, os.Stderr} {
		w.WriteString("before ")
		for _, piece := range []string{v[:3], v[3:9], v[9:]} {
			w.WriteString(piece)
			time.Sleep(200 * time.Millisecond)
		}
		w.WriteString(" middle ")
		for i := range len(v) {
			w.WriteString(v[i : i+1])
		}
		w.WriteString(" " + os.Getenv("SHORT") + " after\n")
	}
	os.Exit(4)
}

// cmdAwait is the script command `await file regexp`: it waits, for up to
// 30 seconds, until file exists and its contents match regexp (multi-line
// mode). Scripts use it to wait for what a command running in the
// background does. Failures never show the contents.
func cmdAwait(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: await file regexp")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil && re.Match(data) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not come to match %q in 30s", args[0], args[1])
		}
	}
}

func TestChildEnv(t *testing.T) {
	environ := []string{"PATH=/bin", "API_KEY=from-env", "EMPTY=", "=C:=C:\\odd"}
	secrets := []core.Entry{{Key: "API_KEY", Value: "s1"}, {Key: "EMPTY", Value: "s2"}, {Key: "NEW", Value: "s3=x"}}
	tests := []struct {
		name     string
		override bool
		want     []string
	}{
		{"environment wins", false, []string{"PATH=/bin", "API_KEY=from-env", "EMPTY=", "=C:=C:\\odd", "NEW=s3=x"}},
		{"override", true, []string{"PATH=/bin", "API_KEY=s1", "EMPTY=s2", "=C:=C:\\odd", "NEW=s3=x"}},
	}
	for _, tt := range tests {
		got := childEnv(environ, secrets, tt.override)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: childEnv = %q, want %q", tt.name, got, tt.want)
		}
	}
	if environ[1] != "API_KEY=from-env" {
		t.Errorf("childEnv changed its input")
	}
}
