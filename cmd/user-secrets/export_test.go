package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

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
		name       string
		args       []string
		want       string
		wantOutput string
		wantForce  bool
		wantUsage  bool
	}{
		{name: "default", args: nil, want: "dotenv"},
		{name: "json", args: []string{"--format", "json"}, want: "json"},
		{name: "shell", args: []string{"--format=shell"}, want: "shell"},
		{name: "docker", args: []string{"--format", "docker"}, want: "docker"},
		{name: "output", args: []string{"--output", "f.env"}, want: "dotenv", wantOutput: "f.env"},
		{name: "output and force", args: []string{"--format=docker", "--output=f.env", "--force"}, want: "docker", wantOutput: "f.env", wantForce: true},
		{name: "unknown format", args: []string{"--format", "yaml"}, wantUsage: true},
		{name: "argument", args: []string{"extra"}, wantUsage: true},
		{name: "force without output", args: []string{"--force"}, wantUsage: true},
		{name: "empty output", args: []string{"--output="}, wantUsage: true},
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
			if got.Format != tt.want || got.Output != tt.wantOutput || got.Force != tt.wantForce {
				t.Errorf("export %q: Format, Output, Force = %q, %q, %v, want %q, %q, %v", tt.args, got.Format, got.Output, got.Force, tt.want, tt.wantOutput, tt.wantForce)
			}
		})
	}
}

// readDockerEnvFile reads an env-file the way docker run --env-file does
// (docker/cli's pkg/kvfile): lines read by a default bufio.Scanner, which
// drops a CR before the LF; each line must be valid UTF-8; a BOM is
// dropped from the first; each line is trimmed of leading white space; an
// empty line or one starting with '#' is skipped; the key runs to the
// first '=' and may not hold a blank; the value is the rest of the line,
// as it is. A line without '=' takes the variable from docker's own
// environment: none here. Errors name the line, never its text.
func readDockerEnvFile(data []byte) (map[string]string, error) {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if !utf8.Valid(b) {
			return nil, fmt.Errorf("line %d: invalid UTF-8", n)
		}
		if n == 1 {
			b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		}
		line := strings.TrimLeftFunc(string(b), unicode.IsSpace)
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("line %d: no variable name, or one with a blank", n)
		}
		if ok {
			m[key] = value
		}
	}
	return m, sc.Err()
}

// TestExportDockerReadsBack reads the docker export back as docker does:
// every value without a line break comes back exactly, quotes, '$',
// backslashes and spaces included.
func TestExportDockerReadsBack(t *testing.T) {
	var oneLine []core.Entry
	for _, e := range hardValues {
		if !strings.ContainsAny(e.Value, "\r\n") {
			oneLine = append(oneLine, e)
		}
	}
	out, stderr := export(t, oneLine, "docker")
	if strings.Contains(stderr, "canary") {
		t.Errorf("stderr shows a value (%d bytes, not quoted here)", len(stderr))
	}
	m, err := readDockerEnvFile([]byte(out))
	if err != nil {
		t.Fatalf("docker's reader rejects the export: %v", err)
	}
	if len(m) != len(oneLine) {
		t.Errorf("docker reads %d variables, want %d", len(m), len(oneLine))
	}
	for _, e := range oneLine {
		if got, ok := m[e.Key]; !ok || got != e.Value {
			t.Errorf("docker reads %s differently from the stored value (%d bytes, want %d)", e.Key, len(got), len(e.Value))
		}
	}
}

// TestExportDockerRefuses checks what --format docker cannot write: a
// line break in a value, a key docker reads as something else, a line
// longer than docker's buffer. Each is an error naming the key, with no
// output at all.
func TestExportDockerRefuses(t *testing.T) {
	long := strings.Repeat("x", maxDockerLine-len("LONG="))
	tests := []struct {
		name    string
		entries []core.Entry
		wantErr string // "" for none
	}{
		{"longest line", []core.Entry{{Key: "LONG", Value: long}}, ""},
		{"line too long", []core.Entry{{Key: "LONG", Value: long + "x"}}, `key "LONG": the line would be longer than the 65535 bytes docker reads`},
		{"LF", []core.Entry{{Key: "OK", Value: "canary"}, {Key: "PEM", Value: "canary\nline"}}, `key "PEM": a value with a line break`},
		{"lone CR", []core.Entry{{Key: "CR", Value: "canary\rx"}}, `key "CR": a value with a line break`},
		{"several", []core.Entry{{Key: "A", Value: "canary\n"}, {Key: "B", Value: "\r\ncanary"}}, `keys "A", "B": a value with a line break, which docker's env-file (one line per variable) cannot hold; pass it from the environment instead: user-secrets run -- docker run -e A -e B IMAGE`},
		{"comment key", []core.Entry{{Key: "#K", Value: "canary"}}, `key "#K": not a name docker's env-file can hold`},
		{"blank in key", []core.Entry{{Key: "K K", Value: "canary"}}, `key "K K": not a name`},
		{"space before key", []core.Entry{{Key: "\u00a0K", Value: "canary"}}, `not a name`},
		{"byte-order mark before key", []core.Entry{{Key: "\uFEFFK", Value: "canary"}}, `not a name`},
		{"both", []core.Entry{{Key: "#K", Value: "canary"}, {Key: "P", Value: "canary\n"}}, `key "P": a value with a line break`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			ios := &IOStreams{ErrOut: &errOut}
			out, err := formatExport(ios, "docker", tt.entries)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("formatExport: %v", err)
				}
				m, err := readDockerEnvFile(out)
				if err != nil {
					t.Fatalf("docker's reader rejects the export: %v", err)
				}
				for _, e := range tt.entries {
					if m[e.Key] != e.Value {
						t.Errorf("docker reads %s differently from the stored value", e.Key)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("formatExport: no error, want one containing %q", tt.wantErr)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.wantErr) || !strings.HasSuffix(msg, "; nothing written") || strings.Contains(msg, "canary") {
				t.Errorf("formatExport error = %q, want one containing %q, ending in \"; nothing written\", without a value", msg, tt.wantErr)
			}
			if out != nil || errOut.Len() > 0 {
				t.Errorf("formatExport failed but gave %d bytes of output and %d of messages", len(out), errOut.Len())
			}
		})
	}
}

// TestMaxDockerLine checks the line limit against the scanner docker
// reads with: a line of maxDockerLine bytes and its newline are read, one
// byte more is refused.
func TestMaxDockerLine(t *testing.T) {
	for _, n := range []int{maxDockerLine, maxDockerLine + 1} {
		sc := bufio.NewScanner(strings.NewReader(strings.Repeat("x", n) + "\n"))
		for sc.Scan() {
		}
		if tooLong := errors.Is(sc.Err(), bufio.ErrTooLong); tooLong != (n > maxDockerLine) {
			t.Errorf("a line of %d bytes: scanner error %v, want an error: %v", n, sc.Err(), n > maxDockerLine)
		}
	}
}

func TestDockerQuoted(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`"a"`, true}, {`''`, true}, {`'a b'`, true}, {`""`, true},
		{`"`, false}, {`'`, false}, {`"a'`, false}, {`a"`, false}, {`"a`, false}, {"", false}, {"abc", false},
	}
	for _, tt := range tests {
		if got := dockerQuoted(tt.in); got != tt.want {
			t.Errorf("dockerQuoted(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
