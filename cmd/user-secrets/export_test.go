package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/joho/godotenv"
)

// hardValues are values that quoting gets wrong: every kind of quote, shell
// expansions, escapes, line breaks, unicode and a leading dash. The keys
// say what each holds, so a failure never needs to show a value.
var hardValues = []core.Entry{
	{Key: "PLAIN", Value: "canary-plain"},
	{Key: "EMPTY", Value: ""},
	{Key: "SPACES", Value: "  two  spaces  "},
	{Key: "SINGLE_QUOTE", Value: "it's"},
	{Key: "DOUBLE_QUOTE", Value: `say "hi"`},
	{Key: "BOTH_QUOTES", Value: `'single' and "double"`},
	{Key: "ONLY_QUOTE", Value: "'"},
	{Key: "DOLLAR_HOME", Value: "$HOME and ${HOME}"},
	{Key: "BACKTICKS", Value: "`id` $(id)"},
	{Key: "BACKSLASHES", Value: `C:\new\table\\ trailing\`},
	{Key: "QUOTES_BACKSLASH", Value: `'quoted'\`}, // godotenv reads it in no form
	{Key: "NEWLINES", Value: "line1\nline2\n\nline4\n"},
	{Key: "CR", Value: "a\rb\r\n"},
	{Key: "TAB", Value: "a\tb"},
	{Key: "UNICODE", Value: "héllo wörld ✓ 秘密 \u00a0nbsp \u2028ls"},
	{Key: "BANG", Value: "hello!world !! !$"},
	{Key: "LEADING_DASH", Value: "-n"},
	{Key: "LEADING_DASH_E", Value: "-e \\n"},
	{Key: "HASH", Value: "a #not a comment"},
	{Key: "EQUALS", Value: "a=b=c"},
	{Key: "SEMICOLON", Value: "x; rm -rf /tmp/never"},
	{Key: "PEM", Value: "-----BEGIN KEY-----\nMIIB\n-----END KEY-----"},
	{Key: "JSON", Value: `{"a": [1, "two"], "b": null}`},
}

// exportStore writes entries to a fresh store and returns a Factory for
// it, with buffers as its streams.
func exportStore(t *testing.T, entries []core.Entry) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	root := t.TempDir()
	const id = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"
	s, err := core.Open(core.Options{Root: root, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetMany(entries); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	f := &Factory{
		IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, InFd: -1},
		ID: id,
		LookupEnv: func(k string) (string, bool) {
			if k == "USER_SECRETS_DIR" {
				return root, true
			}
			return "", false
		},
	}
	return f, &out, &errOut
}

func export(t *testing.T, entries []core.Entry, format string) (stdout, stderr string) {
	t.Helper()
	f, out, errOut := exportStore(t, entries)
	if err := runExport(&ExportOptions{F: f, Format: format}); err != nil {
		t.Fatalf("export --format %s: %v", format, err)
	}
	return out.String(), errOut.String()
}

// TestExportShellEval evals the shell export in real shells and compares
// what each variable holds, byte for byte, through files.
func TestExportShellEval(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs a POSIX shell")
	}
	script, stderr := export(t, hardValues, "shell")
	if stderr != "" {
		t.Errorf("export --format shell printed on stderr: %q", stderr)
	}
	for _, shell := range []string{"sh", "bash", "dash", "zsh"} {
		t.Run(shell, func(t *testing.T) {
			if _, err := exec.LookPath(shell); err != nil {
				if shell == "sh" || shell == "bash" {
					t.Fatalf("%s is required: %v", shell, err)
				}
				t.Skipf("%s not installed", shell)
			}
			dir := t.TempDir()
			scriptFile := filepath.Join(dir, "exports")
			if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
				t.Fatal(err)
			}
			// eval "$(cat file)" is how the output is meant to be used.
			var prog strings.Builder
			prog.WriteString(`eval "$(cat "$1")" || exit 1` + "\n")
			for _, e := range hardValues {
				fmt.Fprintf(&prog, "printf '%%s' \"$%s\" > \"$2/%s\"\n", e.Key, e.Key)
			}
			cmd := exec.Command(shell, "-c", prog.String(), shell, scriptFile, dir)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=/home/never-expanded"}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v (output withheld: %d bytes)", shell, err, len(out))
			}
			for _, e := range hardValues {
				got, err := os.ReadFile(filepath.Join(dir, e.Key))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != e.Value {
					t.Errorf("%s: $%s after eval differs from the stored value (%d bytes, want %d)", shell, e.Key, len(got), len(e.Value))
				}
			}
		})
	}
}

// TestExportDotenvReadsBack reads the dotenv export back with this
// project's reader, which must get every value, and with godotenv, which
// must get every value export does not warn about.
func TestExportDotenvReadsBack(t *testing.T) {
	out, stderr := export(t, hardValues, "dotenv")
	entries, err := core.Parse([]byte(out), "export")
	if err != nil {
		t.Fatalf("core.Parse(export): %v", err)
	}
	if len(entries) != len(hardValues) {
		t.Fatalf("core.Parse(export) has %d entries, want %d", len(entries), len(hardValues))
	}
	for i, e := range hardValues {
		if entries[i].Key != e.Key {
			t.Errorf("entry %d is %s, want %s (file order)", i, entries[i].Key, e.Key)
		} else if entries[i].Value != e.Value {
			t.Errorf("core.Parse: %s differs from the stored value", e.Key)
		}
	}
	if strings.Contains(stderr, "canary") {
		t.Errorf("stderr shows a value (%d bytes, not quoted here)", len(stderr))
	}

	// godotenv, one value at a time (a value it cannot read can make it
	// reject the whole file), then every value it can read, at once.
	var clean []core.Entry
	for _, e := range hardValues {
		out, stderr := export(t, []core.Entry{e}, "dotenv")
		warned := strings.Contains(stderr, fmt.Sprintf("%q: godotenv", e.Key))
		m, err := godotenv.Unmarshal(out) // its errors quote the input: never shown
		if exact := err == nil && len(m) == 1 && m[e.Key] == e.Value; !exact && !warned {
			t.Errorf("godotenv does not read %s exactly (error: %v), and export did not warn", e.Key, err != nil)
		}
		if !warned {
			clean = append(clean, e)
		}
	}
	out, stderr = export(t, clean, "dotenv")
	if stderr != "" {
		t.Errorf("export of values godotenv reads printed on stderr: %q", stderr)
	}
	m, err := godotenv.Unmarshal(out)
	if err != nil {
		t.Fatalf("godotenv rejects the export of the values it reads one by one")
	}
	for _, e := range clean {
		if m[e.Key] != e.Value {
			t.Errorf("godotenv: %s differs from the stored value in the whole export", e.Key)
		}
	}
}

// TestExportJSON checks that the object holds every value and lists the
// keys in file order.
func TestExportJSON(t *testing.T) {
	out, _ := export(t, hardValues, "json")
	var m map[string]string
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("json.Unmarshal(export): %v", err)
	}
	for _, e := range hardValues {
		if m[e.Key] != e.Value {
			t.Errorf("JSON %s differs from the stored value", e.Key)
		}
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for i := 0; dec.More(); i++ {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		if k != hardValues[i].Key {
			t.Fatalf("JSON key %d is %v, want %s", i, k, hardValues[i].Key)
		}
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"abc", "'abc'"},
		{"it's", `'it'\''s'`},
		{"''", `''\'''\'''`},
		{"$HOME `x` \\", "'$HOME `x` \\'"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsShellName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"A", true}, {"_a1", true}, {"API_KEY", true},
		{"", false}, {"1A", false}, {"a.b", false}, {"a-b", false}, {"é", false},
	}
	for _, tt := range tests {
		if got := isShellName(tt.in); got != tt.want {
			t.Errorf("isShellName(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNewCmdExport(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      string
		wantUsage bool
	}{
		{name: "default", args: nil, want: "dotenv"},
		{name: "json", args: []string{"--format", "json"}, want: "json"},
		{name: "shell", args: []string{"--format=shell"}, want: "shell"},
		{name: "unknown format", args: []string{"--format", "yaml"}, wantUsage: true},
		{name: "argument", args: []string{"extra"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *ExportOptions
			cmd := newCmdExport(&Factory{}, func(o *ExportOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("export %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("export %q: %v", tt.args, err)
			}
			if got.Format != tt.want {
				t.Errorf("export %q: Format = %q, want %q", tt.args, got.Format, tt.want)
			}
		})
	}
}
