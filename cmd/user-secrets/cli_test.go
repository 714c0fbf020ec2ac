package main

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// testIO returns streams over buffers: stdin holds in, and is not a terminal.
func testIO(in string) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut, InFd: -1}, &out, &errOut
}

// parse runs cmd on args with a runF that records nothing, so only flag
// and argument parsing happen. It returns the error, and whether it is a
// usage error.
func parse(t *testing.T, cmd *cobra.Command, args []string) (err error, usage bool) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetFlagErrorFunc(flagError)
	_, err = cmd.ExecuteC()
	var ue *usageError
	return err, errors.As(err, &ue)
}

func TestNewCmdSet(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      SetOptions
		wantUsage bool
	}{
		{name: "value", args: []string{"API_KEY", "v"}, want: SetOptions{Key: "API_KEY", Value: "v"}},
		{name: "empty value", args: []string{"K", ""}, want: SetOptions{Key: "K"}},
		{name: "value omitted", args: []string{"K"}, want: SetOptions{Key: "K", FromStdin: true}},
		{name: "dash", args: []string{"K", "-"}, want: SetOptions{Key: "K", FromStdin: true}},
		{name: "after --", args: []string{"K", "--", "--not-a-flag"}, want: SetOptions{Key: "K", Value: "--not-a-flag"}},
		{name: "-- before KEY", args: []string{"--", "K", "-v"}, want: SetOptions{Key: "K", Value: "-v"}},
		{name: "value starting with -", args: []string{"K", "-sk_live_canary"}, want: SetOptions{Key: "K", Value: "-sk_live_canary"}},
		{name: "flag after KEY is the value", args: []string{"K", "--help"}, want: SetOptions{Key: "K", Value: "--help"}},
		{name: "-- alone after KEY", args: []string{"K", "--"}, want: SetOptions{Key: "K", FromStdin: true}},
		{name: "-- as the value", args: []string{"K", "--", "--"}, want: SetOptions{Key: "K", Value: "--"}},
		{name: "allow empty", args: []string{"--allow-empty", "K"}, want: SetOptions{Key: "K", FromStdin: true, AllowEmpty: true}},
		{name: "allow empty and a value", args: []string{"--allow-empty", "K", ""}, want: SetOptions{Key: "K", AllowEmpty: true}},
		{name: "--allow-empty after KEY", args: []string{"K", "--allow-empty"}, wantUsage: true},
		{name: "--allow-empty=true after KEY", args: []string{"K", "--allow-empty=true"}, wantUsage: true},
		{name: "--allow-empty as the value after --", args: []string{"K", "--", "--allow-empty"}, want: SetOptions{Key: "K", Value: "--allow-empty"}},
		{name: "-- and three args", args: []string{"K", "--", "a", "b"}, wantUsage: true},
		{name: "no args", args: nil, wantUsage: true},
		{name: "three args", args: []string{"A", "b", "c"}, wantUsage: true},
		{name: "unknown flag", args: []string{"--value", "x", "A"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{}
			var got *SetOptions
			cmd := newCmdSet(f, func(o *SetOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("set %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("set %q: %v", tt.args, err)
			}
			tt.want.F = f
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("set %q: options = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestNewCmdList(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      ListOptions
		wantUsage bool
	}{
		{name: "default", args: nil, want: ListOptions{}},
		{name: "reveal", args: []string{"--reveal"}, want: ListOptions{Reveal: true}},
		{name: "json reveal", args: []string{"--json", "--reveal"}, want: ListOptions{JSON: true, Reveal: true}},
		{name: "keys json", args: []string{"--keys", "--json"}, want: ListOptions{Keys: true, JSON: true}},
		{name: "keys and reveal", args: []string{"--keys", "--reveal"}, wantUsage: true},
		{name: "argument", args: []string{"API_KEY"}, wantUsage: true},
		{name: "bad bool", args: []string{"--json=maybe"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{}
			var got *ListOptions
			cmd := newCmdList(f, func(o *ListOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("list %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("list %q: %v", tt.args, err)
			}
			tt.want.F = f
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("list %q: options = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestNewCmdDelete(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      []string
		wantUsage bool
	}{
		{name: "one", args: []string{"A"}, want: []string{"A"}},
		{name: "several, duplicates dropped", args: []string{"B", "A", "B"}, want: []string{"B", "A"}},
		{name: "keys are not validated", args: []string{"MY-KEY"}, want: []string{"MY-KEY"}},
		{name: "none", args: nil, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			cmd := newCmdDelete(&Factory{}, func(o *DeleteOptions) error { got = o.Keys; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage != usage || !tt.wantUsage && err != nil {
				t.Fatalf("delete %q: err = %v, usage = %v; want usage %v", tt.args, err, usage, tt.wantUsage)
			}
			if !tt.wantUsage && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("delete %q: keys = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

func TestNewCmdClearAndInfo(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{{nil, false}, {[]string{"-y"}, true}, {[]string{"--yes"}, true}} {
		var got *ClearOptions
		cmd := newCmdClear(&Factory{}, func(o *ClearOptions) error { got = o; return nil })
		if err, _ := parse(t, cmd, tt.args); err != nil {
			t.Fatalf("clear %q: %v", tt.args, err)
		}
		if got.Yes != tt.want {
			t.Errorf("clear %q: Yes = %v, want %v", tt.args, got.Yes, tt.want)
		}
	}
	var got *InfoOptions
	cmd := newCmdInfo(&Factory{}, func(o *InfoOptions) error { got = o; return nil })
	if err, _ := parse(t, cmd, []string{"--json"}); err != nil || !got.JSON {
		t.Errorf("info --json: err = %v, JSON = %v", err, got != nil && got.JSON)
	}
}

// Without a terminal, clear cannot ask: it refuses unless --yes, also with
// an answer on its standard input.
func TestRunClearWithoutTerminal(t *testing.T) {
	t.Setenv("USER_SECRETS_DIR", t.TempDir())
	t.Setenv("USER_SECRETS_ID", "")
	const id = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"
	s, _, errOut := testIO("")
	if got := run([]string{"--id", id, "set", "A", "canary-a"}, s); got != exitOK {
		t.Fatalf("set: status %d; stderr:\n%s", got, errOut)
	}
	for _, stdin := range []string{"", "y\n"} {
		s, out, errOut := testIO(stdin)
		if got := run([]string{"--id", id, "clear"}, s); got != exitFail {
			t.Errorf("clear with stdin %q = %d, want %d", stdin, got, exitFail)
		}
		const want = "user-secrets: error: not clearing 1 secret(s): standard input is not a terminal, so clear cannot ask; pass --yes (-y) to clear without asking\n"
		if out.Len() != 0 || errOut.String() != want {
			t.Errorf("clear with stdin %q: stdout %q, stderr %q; want none and %q", stdin, out, errOut, want)
		}
	}
	s, out, errOut := testIO("")
	if got := run([]string{"--id", id, "clear", "-y"}, s); got != exitOK || out.Len() != 0 || errOut.String() != "Cleared 1 secret(s).\n" {
		t.Errorf("clear -y = %d, stdout %q, stderr %q; want 0, none, %q", got, out, errOut, "Cleared 1 secret(s).\n")
	}
	if strings.Contains(errOut.String(), "canary") {
		t.Errorf("clear printed a value (%d bytes on stderr, not quoted here)", errOut.Len())
	}
}

// The global flags reach every command's options through the Factory.
func TestGlobalFlags(t *testing.T) {
	s, _, _ := testIO("")
	f := &Factory{IO: s}
	root := newRootCmd(f)
	root.SetArgs([]string{"-p", "some/dir", "--id", "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c", "path", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if f.ProjectDir != "some/dir" || f.ID != "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c" {
		t.Errorf("Factory = {ProjectDir: %q, ID: %q}", f.ProjectDir, f.ID)
	}
	o := f.Options()
	if o.ProjectDir != f.ProjectDir || o.ID != f.ID {
		t.Errorf("Options() = %+v", o)
	}
}

func TestDisplayValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain value", "plain value"},
		{"", ""},
		{`say "hi"`, `say "hi"`},
		{"two\nlines", `"two\nlines"`},
		{"tab\there", `"tab\there"`},
	}
	for _, tt := range tests {
		if got := displayValue(tt.in); got != tt.want {
			t.Errorf("displayValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReadValueFromPipe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"v", "v"},
		{"v\n", "v"},
		{"v\r\n", "v"},
		{"v\n\n", "v\n"},
		{"v\r\n\r\n", "v\r\n"},
		{"v\r", "v\r"}, // only a newline is dropped
		{"\n", ""},
		{"", ""},
		{"line 1\nline 2\n", "line 1\nline 2"},
		{"  spaced  \n", "  spaced  "},
	}
	for _, tt := range tests {
		s, _, errOut := testIO(tt.in)
		got, err := readValue(s, "K")
		if err != nil || got != tt.want {
			t.Errorf("readValue(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if errOut.Len() != 0 {
			t.Errorf("readValue(%q) from a pipe prompted: %q", tt.in, errOut)
		}
	}
}

// run decides every exit status, and prints errors in one format.
func TestRunExitCodes(t *testing.T) {
	store := t.TempDir()
	t.Setenv("USER_SECRETS_DIR", store)
	t.Setenv("USER_SECRETS_ID", "")
	const id = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"
	tests := []struct {
		name      string
		args      []string
		stdin     string
		want      int
		wantErr   string // a line of stderr
		wantOut   string
		notStored bool
	}{
		{name: "unknown command", args: []string{"frobnicate"}, want: exitUsage, wantErr: `user-secrets: error: unknown command "frobnicate" for "user-secrets"`},
		{name: "unknown flag", args: []string{"get", "--nope", "K"}, want: exitUsage, wantErr: "user-secrets: error: unknown flag: --nope"},
		{name: "missing argument", args: []string{"get"}, want: exitUsage},
		{name: "extra argument", args: []string{"path", "x"}, want: exitUsage},
		{name: "bad --id", args: []string{"--id", "../x", "get", "K"}, want: exitUsage},
		{name: "set from stdin", args: []string{"--id", id, "set", "K"}, stdin: "canary-1\n", want: exitOK, wantErr: "Set secret: K"},
		{name: "get", args: []string{"--id", id, "get", "K"}, want: exitOK, wantOut: "canary-1\n"},
		{name: "not found", args: []string{"--id", id, "get", "NOPE"}, want: exitFail, wantErr: `user-secrets: error: "NOPE": secret not found`},
		{name: "invalid key", args: []string{"--id", id, "set", "A-B", "canary-2"}, want: exitFail},
		{name: "KEY=VALUE", args: []string{"--id", id, "set", "K=canary-3"}, want: exitFail, wantErr: `user-secrets: error: invalid key "K": use 'user-secrets set KEY VALUE'`},
		{name: "KEY -VALUE", args: []string{"--id", id, "set", "DASH", "-scanary-4"}, want: exitOK, wantErr: "Set secret: DASH"},
		{name: "unknown shorthand", args: []string{"--id", id, "get", "-scanary-5"}, want: exitUsage, wantErr: "user-secrets: error: unknown shorthand flag: 's'"},
		{name: "delete missing", args: []string{"--id", id, "rm", "NOPE"}, want: exitFail},
		{name: "delete missing, near", args: []string{"--id", id, "rm", "k"}, want: exitFail, wantErr: `user-secrets: error: "k": secret not found; did you mean "K"?`},
		{name: "get missing, near", args: []string{"--id", id, "get", "DASHES"}, want: exitFail, wantErr: `user-secrets: error: "DASHES": secret not found; did you mean "DASH"?`},
		{name: "set empty from stdin", args: []string{"--id", id, "set", "E"}, stdin: "\n", want: exitFail, wantErr: `user-secrets: error: empty value for "E" from standard input: nothing stored; to store an empty value, use 'user-secrets set --allow-empty E' or 'user-secrets set E ""'`},
		{name: "set empty, allowed", args: []string{"--id", id, "set", "--allow-empty", "E"}, want: exitOK, wantErr: "Set secret: E"},
		{name: "set empty argument", args: []string{"--id", id, "set", "E2", ""}, want: exitOK, wantErr: "Set secret: E2"},
		{name: "set case variant", args: []string{"--id", id, "set", "dash", "canary-6"}, want: exitOK, wantErr: `user-secrets: warning: "dash" differs only in case from the stored key "DASH": Viper, Windows and other case-insensitive readers see them as one key`},
		{name: "help", args: []string{"help"}, want: exitOK},
		{name: "version", args: []string{"--version"}, want: exitOK, wantOut: "user-secrets devel\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, out, errOut := testIO(tt.stdin)
			if got := run(tt.args, s); got != tt.want {
				t.Errorf("run(%q) = %d, want %d; stderr:\n%s", tt.args, got, tt.want, errOut)
			}
			if tt.wantErr != "" && !strings.Contains(errOut.String(), tt.wantErr+"\n") {
				t.Errorf("run(%q) stderr = %q, want a line %q", tt.args, errOut, tt.wantErr)
			}
			if tt.wantOut != "" && out.String() != tt.wantOut {
				t.Errorf("run(%q) stdout = %q, want %q", tt.args, out, tt.wantOut)
			}
			if tt.want == exitUsage && !strings.Contains(errOut.String(), "user-secrets: hint: run 'user-secrets help' for usage\n") {
				t.Errorf("run(%q): usage error without the help hint: %q", tt.args, errOut)
			}
			if strings.Contains(errOut.String(), "canary") {
				t.Errorf("run(%q) printed a value on stderr", tt.args)
			}
		})
	}
}
