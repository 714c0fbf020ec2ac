package core

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/joho/godotenv"
	"github.com/subosito/gotenv"

	"github.com/go-user-secrets/user-secrets/internal/compat"
	"github.com/go-user-secrets/user-secrets/internal/corpus"
)

var updateMatrix = flag.Bool("update-matrix", false, "rewrite docs/compat-matrix.md from the differential test (also: UPDATE_MATRIX=1)")

// hardValue is a value of the differential corpus. Test failures name its
// kind, never the value.
type hardValue struct {
	kind  string
	value string
}

// hardValues is the differential corpus (package corpus): values that
// some dotenv reader reads differently from another.
func hardValues() []hardValue {
	var out []hardValue
	for _, v := range corpus.Values() {
		out = append(out, hardValue{v.Kind, v.Value})
	}
	return out
}

// compatContexts are the files each rendered line is read in: the writer
// cannot know what surrounds a line, so a reader reads a form exactly only
// if it does so in every context, leaving the neighbours intact.
var compatContexts = []struct {
	name, before, after string
	neighbours          map[string]string
}{
	{"alone", "", "\n", nil},
	{"between", "A='a'\nB=\"b\"\n", "\nC='c'\nD=\"d\"\nE=e\n", map[string]string{"A": "a", "B": "b", "C": "c", "D": "d", "E": "e"}},
	{"at EOF", "A=a\n", "", map[string]string{"A": "a"}},
	{"CRLF file", "A='a'\r\n", "\r\nB=\"b\"\r\nC=c\r\n", map[string]string{"A": "a", "B": "b", "C": "c"}},
}

// readerNames lists the readers of the compatibility set with their names.
var readerNames = func() (out []struct {
	r    compat.Readers
	name string
}) {
	for _, r := range []compat.Readers{compat.ReaderCore, compat.ReaderGodotenv, compat.ReaderGotenv, compat.ReaderPythonDotenv, compat.ReaderPythonEnvSecrets} {
		out = append(out, struct {
			r    compat.Readers
			name string
		}{r, r.String()})
	}
	return out
}()

// compatReaders are the real readers, in readerNames order. python-dotenv
// is read in one batch by pythonDotenvBatch instead.
var compatReaders = []struct {
	r    compat.Readers
	read func([]byte) (map[string]string, error)
}{
	{compat.ReaderCore, func(b []byte) (map[string]string, error) {
		entries, err := Parse(b, "test.env")
		if err != nil {
			return nil, err
		}
		m := make(map[string]string, len(entries))
		for _, e := range entries {
			m[e.Key] = e.Value
		}
		return m, nil
	}},
	// koanf's parsers/dotenv calls godotenv.Unmarshal.
	{compat.ReaderGodotenv, func(b []byte) (map[string]string, error) { return godotenv.Unmarshal(string(b)) }},
	// Viper's dotenv codec calls gotenv.StrictParse.
	{compat.ReaderGotenv, func(b []byte) (map[string]string, error) { return gotenv.StrictParse(bytes.NewReader(b)) }},
	{compat.ReaderPythonEnvSecrets, func(b []byte) (map[string]string, error) {
		entries, err := refRead(b)
		return refMap(entries), err
	}},
}

// compatCell is what the real readers did with one value in one form.
type compatCell struct {
	reads compat.Readers // the readers that read it exactly in every context
	known compat.Readers // the readers that were run
}

// compatResult is the outcome of the differential run for one value.
type compatResult struct {
	hardValue
	cells [3]compatCell // by compat.Form
}

// runCompat renders every value in every form and context, reads each file
// with every reader, and returns what each reader read exactly. python is
// the interpreter for python-dotenv, or "" to leave it out.
func runCompat(t *testing.T, values []hardValue, python string) []compatResult {
	t.Helper()
	type file struct {
		value, form, ctx int
	}
	var files []file
	var texts [][]byte
	results := make([]compatResult, len(values))
	for vi, hv := range values {
		results[vi].hardValue = hv
		for f := compat.FormBare; f <= compat.FormDouble; f++ {
			cell := &results[vi].cells[f]
			cell.reads = compat.AllReaders
			for ci, c := range compatContexts {
				text := []byte(c.before + "KEY=" + compat.Render(f, hv.value) + c.after)
				for _, rd := range compatReaders {
					cell.known |= rd.r
					m, err := rd.read(text)
					if !readExactly(m, err, hv.value, c.neighbours) {
						cell.reads &^= rd.r
					}
				}
				files = append(files, file{vi, int(f), ci})
				texts = append(texts, text)
			}
		}
	}
	if python == "" {
		for vi := range results {
			for f := range results[vi].cells {
				results[vi].cells[f].reads &^= compat.ReaderPythonDotenv
			}
		}
		return results
	}
	got := pythonDotenvBatch(t, python, texts)
	for i, fl := range files {
		cell := &results[fl.value].cells[fl.form]
		cell.known |= compat.ReaderPythonDotenv
		if !readExactly(got[i], nil, values[fl.value].value, compatContexts[fl.ctx].neighbours) {
			cell.reads &^= compat.ReaderPythonDotenv
		}
	}
	return results
}

// readExactly reports whether a reader's result holds KEY=value and every
// neighbour unchanged.
func readExactly(m map[string]string, err error, value string, neighbours map[string]string) bool {
	if err != nil || m == nil {
		return false
	}
	if v, ok := m["KEY"]; !ok || v != value {
		return false
	}
	for k, want := range neighbours {
		if m[k] != want {
			return false
		}
	}
	return true
}

var (
	pythonOnce sync.Once
	pythonPath string
)

// findPythonDotenv returns a Python interpreter that can import dotenv
// (the Debian package python3-dotenv), or "". It tries /usr/bin/python3,
// then python3 on PATH; $USER_SECRETS_PYTHON, when set, is the only one
// tried.
func findPythonDotenv() string {
	pythonOnce.Do(func() {
		candidates := []string{"/usr/bin/python3", "python3"}
		if p := os.Getenv("USER_SECRETS_PYTHON"); p != "" {
			candidates = []string{p}
		}
		for _, name := range candidates {
			p, err := exec.LookPath(name)
			if err != nil {
				continue
			}
			if exec.Command(p, "-I", "-c", "import dotenv").Run() == nil {
				pythonPath = p
				return
			}
		}
	})
	return pythonPath
}

// requirePythonDotenv returns the interpreter, or skips the test (fails it
// when USER_SECRETS_REQUIRE_PYDOTENV=1).
func requirePythonDotenv(t *testing.T) string {
	t.Helper()
	p := findPythonDotenv()
	if p == "" {
		msg := "python-dotenv not available: no /usr/bin/python3 or python3 on PATH (or $USER_SECRETS_PYTHON) can `import dotenv` (install the Debian package python3-dotenv)"
		if os.Getenv("USER_SECRETS_REQUIRE_PYDOTENV") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// pythonDotenvScript reads a JSON list of base64 files on stdin, reads each
// as python-dotenv reads a file (dotenv_values over a text stream opened
// like open() opens it: UTF-8, universal newlines, interpolation on), and
// writes a JSON list of dicts (null for a file it raised on).
const pythonDotenvScript = `
import base64, io, json, logging, sys
logging.disable(logging.CRITICAL)
from dotenv import dotenv_values
out = []
for b in json.load(sys.stdin):
    stream = io.TextIOWrapper(io.BytesIO(base64.b64decode(b)), encoding="utf-8")
    try:
        out.append(dotenv_values(stream=stream))
    except Exception:
        out.append(None)
sys.stdout.write(json.dumps(out))
`

// pythonDotenvBatch reads every file with python-dotenv in one process.
// Keys without a value (None) are left out of the maps.
func pythonDotenvBatch(t *testing.T, python string, files [][]byte) []map[string]string {
	t.Helper()
	in := make([]string, len(files))
	for i, f := range files {
		in[i] = base64.StdEncoding.EncodeToString(f)
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-I", "-c", pythonDotenvScript)
	cmd.Stdin = bytes.NewReader(stdin)
	// A fixed environment: ${NAME} expansions read os.environ.
	cmd.Env = []string{"LC_ALL=C.UTF-8", "HOME=/nonexistent", "X=expanded"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// stderr is not printed: a traceback can quote the data.
		t.Fatalf("python-dotenv batch: %v (%d bytes on stderr)", err, stderr.Len())
	}
	var raw []map[string]*string
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("python-dotenv batch: decode its output: %v", err)
	}
	if len(raw) != len(files) {
		t.Fatalf("python-dotenv batch: %d results for %d files", len(raw), len(files))
	}
	res := make([]map[string]string, len(raw))
	for i, m := range raw {
		if m == nil {
			continue
		}
		res[i] = make(map[string]string, len(m))
		for k, v := range m {
			if v != nil {
				res[i][k] = *v
			}
		}
	}
	return res
}

// checkAccepts asserts that compat.Accepts equals the real readers' behaviour for
// every (value, form, reader) cell that was run, for the given readers.
func checkAccepts(t *testing.T, results []compatResult, readers compat.Readers) {
	t.Helper()
	for _, res := range results {
		for f := compat.FormBare; f <= compat.FormDouble; f++ {
			cell := res.cells[f]
			got := compat.Accepts(f, res.value) & cell.known
			for _, n := range readerNames {
				if readers&n.r == 0 || cell.known&n.r == 0 || got&n.r == cell.reads&n.r {
					continue
				}
				if cell.reads&n.r != 0 {
					t.Errorf("value kind %q, %s form: %s reads it exactly, but compat.Accepts says it does not", res.kind, f, n.name)
				} else {
					t.Errorf("value kind %q, %s form: compat.Accepts says %s reads it exactly, but it does not", res.kind, f, n.name)
				}
			}
		}
	}
}

// checkChooseForm asserts that compat.ChooseForm follows the writer's rule over the real
// readers' behaviour (all five readers must have been run).
func checkChooseForm(t *testing.T, results []compatResult) {
	t.Helper()
	for _, res := range results {
		want, wantMis := compat.FormDouble, compat.AllReaders&^res.cells[compat.FormDouble].reads
		found := false
		for f := compat.FormBare; f <= compat.FormDouble; f++ {
			if res.cells[f].reads == compat.AllReaders {
				want, wantMis, found = f, 0, true
				break
			}
		}
		if !found {
			for f := compat.FormBare; f <= compat.FormDouble; f++ {
				if r := res.cells[f].reads; r&(compat.ReaderCore|compat.ReaderGodotenv) == compat.ReaderCore|compat.ReaderGodotenv {
					want, wantMis = f, compat.AllReaders&^r
					break
				}
			}
		}
		got, gotMis := compat.ChooseForm(res.value)
		if got != want || gotMis != wantMis {
			t.Errorf("value kind %q: compat.ChooseForm = %s, misread by [%s]; want %s, misread by [%s]", res.kind, got, gotMis, want, wantMis)
		}
	}
}

// TestCompat is the differential test: compat.Accepts and compat.ChooseForm
// against godotenv, gotenv, python-dotenv and the §4.3 reference reader.
func TestCompat(t *testing.T) {
	values := hardValues()
	seen := map[string]bool{}
	for _, hv := range values {
		if seen[hv.kind] {
			t.Fatalf("corpus: kind %q twice", hv.kind)
		}
		seen[hv.kind] = true
	}
	if len(values) < 60 {
		t.Fatalf("corpus has %d values, want at least 60", len(values))
	}
	python := findPythonDotenv()
	results := runCompat(t, append(values, randomValues(400, 8, 1)...), python)
	corpus := results[:len(values)]

	t.Run("Go readers", func(t *testing.T) { checkAccepts(t, results, compat.AllReaders&^compat.ReaderPythonDotenv) })
	t.Run("python-dotenv", func(t *testing.T) {
		requirePythonDotenv(t)
		checkAccepts(t, results, compat.ReaderPythonDotenv)
	})
	t.Run("ChooseForm", func(t *testing.T) {
		requirePythonDotenv(t)
		checkChooseForm(t, results)
	})
	if python != "" && testing.Verbose() {
		t.Log("\n" + matrixTable(corpus, false))
	}
	if *updateMatrix || os.Getenv("UPDATE_MATRIX") == "1" {
		t.Run("update matrix", func(t *testing.T) {
			if python == "" {
				t.Fatal("cannot write docs/compat-matrix.md without python-dotenv")
			}
			path := filepath.Join("..", "docs", "compat-matrix.md")
			if err := os.WriteFile(path, []byte(matrixDoc(corpus)), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", path)
		})
	}
}

// TestCompatExhaustive runs the differential test over every string of up
// to three characters from an alphabet of troublesome ones, and a larger
// random sample. It takes a while: USER_SECRETS_COMPAT_EXHAUSTIVE=1 runs it.
func TestCompatExhaustive(t *testing.T) {
	if os.Getenv("USER_SECRETS_COMPAT_EXHAUSTIVE") != "1" {
		t.Skip("set USER_SECRETS_COMPAT_EXHAUSTIVE=1 to run")
	}
	python := requirePythonDotenv(t)
	var values []hardValue
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		values = append(values, hardValue{fmt.Sprintf("exhaustive#%d", len(values)), prefix})
		if n == 0 {
			return
		}
		for _, c := range compatAlphabet {
			gen(prefix+c, n-1)
		}
	}
	gen("", 3)
	values = append(values, randomValues(20000, 14, 2)...)
	results := runCompat(t, values, python)
	checkAccepts(t, results, compat.AllReaders)
	checkChooseForm(t, results)
}

// compatAlphabet is the characters the random values are made of: those
// that some reader treats specially, and a few plain ones.
var compatAlphabet = []string{
	"a", "A", "n", "r", " ", "\t", "#", "=", "$", "{", "}", "(", ":", "-",
	"'", `"`, `\`, "\n", "\r", "\v", "\u00a0", "\u0085", "\u2028", "\x1c",
	"_", "\u3000", "é",
}

// randomValues returns n reproducible random values of 1 to maxLen
// characters from compatAlphabet, named "random#<seed>.<i>".
func randomValues(n, maxLen int, seed uint64) []hardValue {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	out := make([]hardValue, n)
	for i := range out {
		var b strings.Builder
		for range 1 + rng.IntN(maxLen) {
			b.WriteString(compatAlphabet[rng.IntN(len(compatAlphabet))])
		}
		out[i] = hardValue{fmt.Sprintf("random#%d.%d", seed, i), b.String()}
	}
	return out
}

// TestParseFormatValue checks that this package reads back exactly every
// value of the corpus as compat.FormatValue writes it.
func TestParseFormatValue(t *testing.T) {
	for _, hv := range append(hardValues(), randomValues(400, 8, 3)...) {
		text, _ := compat.FormatValue(hv.value)
		entries, err := Parse([]byte("KEY="+text+"\n"), "test.env")
		if err != nil {
			t.Errorf("value kind %q: Parse(compat.FormatValue) failed: %v", hv.kind, err)
			continue
		}
		if len(entries) != 1 || entries[0].Key != "KEY" || entries[0].Value != hv.value {
			t.Errorf("value kind %q: Parse(compat.FormatValue) did not return the value", hv.kind)
		}
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name  string
		form  compat.Form
		value string
		want  string
	}{
		{"bare", compat.FormBare, "a b", "a b"},
		{"single", compat.FormSingle, `a "b"`, `'a "b"'`},
		{"double escapes", compat.FormDouble, "a\\b\"c\nd\re\tf", `"a\\b\"c\nd\re` + "\tf\""},
		{"lone dollar kept", compat.FormDouble, "5$ #1", `"5$ #1"`},
		{"dollar name escaped", compat.FormDouble, "$HOME ${X} $(Y) $_", `"\$HOME \${X} \$(Y) \$_"`},
		{"dollar after backslash escaped", compat.FormDouble, `\$x`, `"\\\$x"`},
		{"dollar lowercase kept", compat.FormDouble, "$x ${x", `"$x ${x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := compat.Render(tt.form, tt.value); got != tt.want {
				t.Errorf("Render(%s, %q) = %q, want %q", tt.form, tt.value, got, tt.want)
			}
		})
	}
}

func TestReadersNames(t *testing.T) {
	if got, want := (compat.ReaderCore | compat.ReaderGotenv).String(), "user-secrets, gotenv (Viper dotenv)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := compat.Readers(0).Names(); len(got) != 0 {
		t.Errorf("Readers(0).Names() = %q, want none", got)
	}
	if got := len(compat.AllReaders.Names()); got != 5 {
		t.Errorf("len(compat.AllReaders.Names()) = %d, want 5", got)
	}
}

var readerShort = map[compat.Readers]string{
	compat.ReaderCore:             "user-secrets",
	compat.ReaderGodotenv:         "godotenv",
	compat.ReaderGotenv:           "gotenv",
	compat.ReaderPythonDotenv:     "python-dotenv",
	compat.ReaderPythonEnvSecrets: "python-env-secrets",
}

// matrixTable renders value kind × reader for the chosen form. With forms,
// each cell also lists the forms the reader reads exactly (b, s, d).
func matrixTable(results []compatResult, forms bool) string {
	var b strings.Builder
	b.WriteString("| value kind | written as |")
	for _, n := range readerNames {
		b.WriteString(" " + readerShort[n.r] + " |")
	}
	b.WriteString("\n|---|---|")
	for range readerNames {
		b.WriteString(":---:|")
	}
	b.WriteString("\n")
	for _, res := range results {
		f, _ := compat.ChooseForm(res.value)
		fmt.Fprintf(&b, "| %s | %s |", mdEscape(res.kind), f)
		for _, n := range readerNames {
			mark := "✗"
			if res.cells[f].reads&n.r != 0 {
				mark = "✓"
			}
			if forms {
				var fs []string
				for g := compat.FormBare; g <= compat.FormDouble; g++ {
					if res.cells[g].reads&n.r != 0 {
						fs = append(fs, g.String()[:1])
					}
				}
				if len(fs) == 0 {
					fs = []string{"–"}
				}
				mark += " " + strings.Join(fs, "")
			}
			b.WriteString(" " + mark + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "\\`", "$", `\$`, "*", `\*`, "_", `\_`).Replace(s)
}

// matrixDoc renders docs/compat-matrix.md.
func matrixDoc(results []compatResult) string {
	var b strings.Builder
	b.WriteString(`# Compatibility matrix

<!-- Generated by the differential test in core/compat_test.go; do not edit.
     Regenerate: UPDATE_MATRIX=1 go test -run '^TestCompat$' ./core -->

Each value of the test corpus is written the way ` + "`user-secrets set`" + ` writes it
(` + "`compat.FormatValue` in internal/compat" + `: the first of bare ` + "`KEY=value`" + `, single-quoted ` + "`KEY='value'`" + ` and
double-quoted ` + "`KEY=\"value\"`" + ` that every reader reads back exactly; else the first that
this project's reader and godotenv read exactly; else double-quoted), and read back by
the real readers of the compatibility set:

* **user-secrets**: this project's reader (` + "`core.Parse`" + `);
* **godotenv**: github.com/joho/godotenv v1.5.1, ` + "`godotenv.Unmarshal`" + ` (what koanf's ` + "`parsers/dotenv`" + ` calls);
* **gotenv**: github.com/subosito/gotenv v1.6.0, ` + "`gotenv.StrictParse`" + ` (what Viper's dotenv codec calls);
* **python-dotenv**: Debian's python3-dotenv 0.21, ` + "`dotenv_values`" + ` on the file as ` + "`open()`" + ` reads it;
* **python-env-secrets**: a reference implementation of that tool's line reader (the rules in docs/file-format.md).

A reader reads a value exactly when it returns the same string with the line alone in a
file, between other lines (quoted ones included), last in a file without a final newline,
and in a file with CRLF line ends, leaving the other lines' values intact. ` + "`compat.Accepts`" + ` models each reader, and the
test checks the model against the real reader for every value, form and reader, over this
corpus and a sample of random values built from troublesome characters.

## Summary

`)
	type group struct {
		form    compat.Form
		misread compat.Readers
	}
	groups := map[group][]string{}
	var order []group
	for _, res := range results {
		f, mis := compat.ChooseForm(res.value)
		g := group{f, mis}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], res.kind)
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].form != order[j].form {
			return order[i].form < order[j].form
		}
		return order[i].misread < order[j].misread
	})
	b.WriteString("| written as | misread by | value kinds |\n|---|---|---|\n")
	for _, g := range order {
		mis := "nobody"
		if g.misread != 0 {
			var names []string
			for _, n := range readerNames {
				if g.misread&n.r != 0 {
					names = append(names, readerShort[n.r])
				}
			}
			mis = strings.Join(names, ", ")
		}
		kinds := make([]string, len(groups[g]))
		for i, k := range groups[g] {
			kinds[i] = mdEscape(k)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", g.form, mis, strings.Join(kinds, "; "))
	}
	b.WriteString(`
## By value

✓ or ✗: whether the reader reads the value exactly in the form it is written in. The
letters list every form the reader reads exactly: **b**are, **s**ingle-quoted,
**d**ouble-quoted (– for none).

`)
	b.WriteString(matrixTable(results, true))
	return b.String()
}
