package core

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/internal/compat"
)

// pyEnvSecretsWrite renders a file as python-env-secrets writes one: its
// header line, any further comment lines, then KEY=value lines, the value
// wrapped in "…" without escaping when it contains a space, '=', '#', or a
// single or double quote.
func pyEnvSecretsWrite(header string, comments []string, entries []refEntry, nl string) string {
	var b strings.Builder
	b.WriteString(header + nl)
	for _, c := range comments {
		b.WriteString(c + nl)
	}
	for _, e := range entries {
		v := e.Value
		if strings.ContainsAny(v, " =#'\"") {
			v = `"` + v + `"`
		}
		b.WriteString(e.Key + "=" + v + nl)
	}
	return b.String()
}

var pythonHeaderLines = []string{"# Python User Secrets", "# Python Env Secrets"}

// pythonFixture is a file in the Python dialect and what python-env-secrets
// reads from it.
type pythonFixture struct {
	name string
	body string // the lines after the header
	want []refEntry
}

// pythonFixtures are files as python-env-secrets writes them, and as a
// person edits them, with the values that tool reads.
var pythonFixtures = []pythonFixture{
	{"quoted unescaped", "K=\"say \"hi\"\"\nP=\"C:\\new folder\"\n",
		[]refEntry{{"K", `say "hi"`}, {"P", `C:\new folder`}}},
	{"every quoting trigger", "A=\"a b\"\nB=\"a=b\"\nC=\"a#b\"\nD=\"it's\"\nE=\"x\"y\"\nF=plain\n",
		[]refEntry{{"A", "a b"}, {"B", "a=b"}, {"C", "a#b"}, {"D", "it's"}, {"E", `x"y`}, {"F", "plain"}}},
	{"surrounding spaces kept by quotes", "A=\"  lead\"\nB=\"trail  \"\nC=\"   \"\n",
		[]refEntry{{"A", "  lead"}, {"B", "trail  "}, {"C", "   "}}},
	{"no inline comments", "A=value # not a comment\nB=\"q\" # tail\n",
		[]refEntry{{"A", "value # not a comment"}, {"B", `"q" # tail`}}},
	{"no escapes no expansion", "A=a\\nb\nB=\"$HOME ${X}\"\nC=\\\"x\\\"\n",
		[]refEntry{{"A", `a\nb`}, {"B", "$HOME ${X}"}, {"C", `\"x\"`}}},
	{"one pair of quotes", "A=''\nB=\"\"\nC='\"'\nD=\"\nE='x\"\nF=\"\"x\"\"\n",
		[]refEntry{{"A", ""}, {"B", ""}, {"C", `"`}, {"D", `"`}, {"E", `'x"`}, {"F", `"x"`}}},
	{"python white space", "\x1cA=1\x1f\n\u00a0B = 2 \u2028\n\x1d\n\v\n\x1e# comment=not a key\n C\t=\t\x1f'3 '\x1c\n",
		[]refEntry{{"A", "1"}, {"B", "2"}, {"C", "3 "}}},
	{"export and odd lines", "export A=1\nexport  B=2\nexportC=3\nno equals sign\n=empty key is skipped? no\nD=4\n",
		[]refEntry{{"A", "1"}, {"B", "2"}, {"exportC", "3"}, {"", "empty key is skipped? no"}, {"D", "4"}}},
	{"duplicates", "A=1\nB=2\nA=3\n",
		[]refEntry{{"A", "3"}, {"B", "2"}}},
	{"CRLF", "A=\"x y\"\r\nB=2\r\n",
		[]refEntry{{"A", "x y"}, {"B", "2"}}},
	{"lone CR", "A=1\rB=\"2 2\"\r",
		[]refEntry{{"A", "1"}, {"B", "2 2"}}},
	{"unicode and dashes", "my-key=clé 🔑\nK.V=\"ключ = 鍵\"\n",
		[]refEntry{{"my-key", "clé 🔑"}, {"K.V", "ключ = 鍵"}}},
	{"no final newline", "A=1\nB=\"x #y\"",
		[]refEntry{{"A", "1"}, {"B", "x #y"}}},
}

// pythonFiles returns every fixture under every header, with and without
// further comment lines, as (name, file) pairs.
func pythonFiles() []struct{ name, data string } {
	var out []struct{ name, data string }
	for _, fx := range pythonFixtures {
		for _, h := range pythonHeaderLines {
			nl := "\n"
			if strings.Contains(fx.body, "\r\n") {
				nl = "\r\n"
			} else if strings.Contains(fx.body, "\r") {
				nl = "\r"
			}
			out = append(out,
				struct{ name, data string }{fx.name + " / " + h, h + nl + fx.body},
				struct{ name, data string }{fx.name + " / " + h + " + comments", h + nl + "# Project: /src/app" + nl + "#" + nl + "# set by hand" + nl + fx.body})
		}
	}
	return out
}

func pyEntriesMap(entries []Entry) map[string]string {
	m := make(map[string]string, len(entries))
	for _, e := range entries {
		m[e.Key] = e.Value
	}
	return m
}

// pySameMaps reports whether a and b hold the same keys and values; on a
// difference it returns the first differing key (keys are not secret).
func pySameMaps(a, b map[string]string) (string, bool) {
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return k, false
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			return k, false
		}
	}
	return "", true
}

// TestPythonDialectRead checks that core reads a python-env-secrets file
// exactly as that tool does: as the fixture says, and as the reference
// reader says.
func TestPythonDialectRead(t *testing.T) {
	for i, f := range pythonFiles() {
		t.Run(f.name, func(t *testing.T) {
			fx := pythonFixtures[i/4]
			if got := detectDialect([]byte(f.data)); got != dialectPython {
				t.Fatalf("detectDialect = %v, want dialectPython", got)
			}
			entries, err := Parse([]byte(f.data), "py.secrets")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			ref, err := refRead([]byte(f.data))
			if err != nil {
				t.Fatalf("refRead: %v", err)
			}
			if k, ok := pySameMaps(refMap(fx.want), refMap(ref)); !ok {
				t.Fatalf("reference reader disagrees with the fixture at key %q", k)
			}
			if k, ok := pySameMaps(pyEntriesMap(entries), refMap(ref)); !ok {
				t.Errorf("Parse differs from python-env-secrets at key %q", k)
			}
		})
	}
}

// TestPythonWriterRoundTrip writes the corpus as python-env-secrets does
// and checks that core reads what the reference reader reads, value for
// value (the Python tool itself loses white space around unquoted values).
func TestPythonWriterRoundTrip(t *testing.T) {
	var values []hardValue
	for _, hv := range append(hardValues(), randomValues(400, 8, 4)...) {
		if !strings.ContainsAny(hv.value, "\r\n") { // the Python tool cannot hold these
			values = append(values, hv)
		}
	}
	for _, h := range pythonHeaderLines {
		for _, nl := range []string{"\n", "\r\n"} {
			var entries []refEntry
			for i := range values {
				entries = append(entries, refEntry{pyKeyN(i), values[i].value})
			}
			data := []byte(pyEnvSecretsWrite(h, []string{"# a comment"}, entries, nl))
			got, err := Parse(data, "py.secrets")
			if err != nil {
				t.Fatalf("%s, %q line ends: Parse: %v", h, nl, err)
			}
			ref, err := refRead(data)
			if err != nil {
				t.Fatal(err)
			}
			gotMap, refM := pyEntriesMap(got), refMap(ref)
			for i, hv := range values {
				if gotMap[pyKeyN(i)] != refM[pyKeyN(i)] {
					t.Errorf("%s, %q line ends: value kind %q: Parse differs from python-env-secrets", h, nl, hv.kind)
				}
			}
		}
	}
}

func pyKeyN(i int) string { return fmt.Sprintf("K%04d", i) }

// pyCheckConverted checks a Python-dialect file after one Set: it is in this
// project's dialect, starts with header, keeps the other comment lines,
// every other value is unchanged for core, and every value still reads the
// same for python-env-secrets wherever the form chosen for it lets that
// tool read it.
func pyCheckConverted(t *testing.T, orig, out []byte, header, setKey, setValue string) {
	t.Helper()
	if detectDialect(out) != dialectGo {
		t.Fatalf("after Set: still the Python dialect")
	}
	if first, _, _ := strings.Cut(header, "\n"); !strings.HasPrefix(string(out), first) {
		t.Errorf("after Set: the file does not start with the header")
	}
	for _, h := range pythonHeaderLines {
		if strings.Contains(string(out), h) {
			t.Errorf("after Set: the Python header line %q is still there", h)
		}
	}
	// Comment lines after the Python header are kept, in order.
	rest := string(out)
	for _, line := range refSplitLines(string(orig))[1:] {
		if s := refStrip(line); strings.HasPrefix(s, "#") {
			i := strings.Index(rest, s)
			if i < 0 {
				t.Errorf("after Set: a comment line is missing or out of order")
				break
			}
			rest = rest[i+len(s):]
		}
	}
	before, err := Parse(orig, "py.secrets")
	if err != nil {
		t.Fatal(err)
	}
	after, err := Parse(out, "py.secrets")
	if err != nil {
		t.Fatalf("after Set: Parse: %v", err)
	}
	want := pyEntriesMap(before)
	want[setKey] = setValue
	if k, ok := pySameMaps(pyEntriesMap(after), want); !ok {
		t.Errorf("after Set: core reads key %q differently", k)
	}
	ref, err := refRead(out)
	if err != nil {
		t.Fatal(err)
	}
	refM := refMap(ref)
	for k, v := range want {
		f, mis := compat.ChooseForm(v)
		if mis&compat.ReaderPythonEnvSecrets != 0 {
			if compat.Accepts(f, v)&compat.ReaderPythonEnvSecrets != 0 {
				t.Errorf("key %q: compat.ChooseForm's misread set disagrees with Accepts", k)
			}
			continue
		}
		if got, ok := refM[k]; !ok || got != v {
			t.Errorf("after Set: python-env-secrets reads key %q differently", k)
		}
	}
}

const pyTestID = "0b5e1a6c-3f1d-4c7e-9a51-2d9e8f7a6b3c"

// TestPythonConvertOnSet edits Python-dialect files with Document.Set.
func TestPythonConvertOnSet(t *testing.T) {
	header := storeHeader("", pyTestID)
	for _, f := range pythonFiles() {
		if strings.Contains(f.name, "export and odd lines") {
			continue // an empty key: see TestPythonConvertEmptyKey
		}
		for _, set := range []struct{ key, value string }{
			{"NEW_KEY", "new value"},
			{"A", "it's \"changed\" #1"},
		} {
			t.Run(f.name+" / set "+set.key, func(t *testing.T) {
				d, err := ParseDocument([]byte(f.data), "py.secrets")
				if err != nil {
					t.Fatal(err)
				}
				d.Header = header
				if _, err := d.Set(set.key, set.value); err != nil {
					t.Fatalf("Set(%q): %v", set.key, err)
				}
				out := d.Bytes()
				pyCheckConverted(t, []byte(f.data), out, header, set.key, set.value)

				// A second edit is an ordinary in-place one.
				d2, err := ParseDocument(out, "py.secrets")
				if err != nil {
					t.Fatal(err)
				}
				d2.Header = header
				if _, err := d2.Set(set.key, set.value); err != nil {
					t.Fatal(err)
				}
				if string(d2.Bytes()) != string(out) {
					t.Errorf("setting the same value again changed the file")
				}
			})
		}
	}
}

// TestPythonConvertEmptyKey: a Python file can define the empty key, which
// this project's grammar cannot; converting it is refused with an error
// that names the line, and the document is not changed.
func TestPythonConvertEmptyKey(t *testing.T) {
	data := []byte("# Python User Secrets\n=canary-secret-value\nA=1\n")
	d, err := ParseDocument(data, "py.secrets")
	if err != nil {
		t.Fatal(err)
	}
	d.Header = storeHeader("", pyTestID)
	_, err = d.Set("B", "2")
	if err == nil {
		t.Fatal("Set: no error, want one for the empty key")
	}
	if strings.Contains(err.Error(), "canary") {
		t.Errorf("the error contains the value")
	}
	if !strings.Contains(err.Error(), "py.secrets:2") {
		t.Errorf("error %q does not name the line", err)
	}
	if string(d.Bytes()) != string(data) {
		t.Errorf("the document changed")
	}
}

// TestPythonConvertStore does the same through a Store on a temporary root.
func TestPythonConvertStore(t *testing.T) {
	for _, f := range pythonFiles() {
		if strings.Contains(f.name, "export and odd lines") || strings.HasSuffix(f.name, "comments") {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			s, err := Open(Options{
				Root:      t.TempDir(),
				ID:        pyTestID,
				LookupEnv: func(string) (string, bool) { return "", false },
				WorkDir:   t.TempDir(),
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(s.Path()), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.Path(), []byte(f.data), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Set("NEW_KEY", "v a l"); err != nil {
				t.Fatalf("Store.Set: %v", err)
			}
			out, err := os.ReadFile(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			pyCheckConverted(t, []byte(f.data), out, s.Header(), "NEW_KEY", "v a l")
		})
	}
}

// TestEditKeepsDialect: deleting the first line of a file whose second line
// is the python-env-secrets header must not switch the file to that tool's
// rules (which would change what the other values mean).
func TestEditKeepsDialect(t *testing.T) {
	for _, src := range []string{
		"KEY=1\n# Python User Secrets\nB=\"x\\ny\"\nC='c' # note\n",
		"\ufeffKEY=1\r\n# Python Env Secrets\r\nB=\"x\\ny\"\r\nC='c' # note\r\n",
	} {
		d, err := ParseDocument([]byte(src), "f.secrets")
		if err != nil {
			t.Fatal(err)
		}
		if n, err := d.Delete("KEY"); n != 1 || err != nil {
			t.Fatalf("Delete = %d, %v", n, err)
		}
		if got := detectDialect(d.Bytes()); got != dialectGo {
			t.Errorf("after Delete, detectDialect = %v, want dialectGo", got)
		}
		got, err := Parse(d.Bytes(), "f.secrets")
		if err != nil {
			t.Fatal(err)
		}
		if want := []Entry{{Key: "B", Value: "x\ny"}, {Key: "C", Value: "c"}}; !fuzzSameEntries(got, want) {
			t.Errorf("after Delete, the other values read differently")
		}
	}
}
