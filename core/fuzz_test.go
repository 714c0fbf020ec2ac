package core

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-user-secrets/user-secrets/internal/compat"
)

// fuzzSeedValues returns the corpus values small enough to mutate well.
func fuzzSeedValues() []string {
	var out []string
	for _, hv := range hardValues() {
		if len(hv.value) <= 1<<10 {
			out = append(out, hv.value)
		}
	}
	return out
}

// fuzzSeedFiles returns whole files: every small corpus value in every form,
// the Python fixtures, and a few broken files.
func fuzzSeedFiles() []string {
	var out []string
	for _, v := range fuzzSeedValues() {
		for f := compat.FormBare; f <= compat.FormDouble; f++ {
			out = append(out, "KEY="+compat.Render(f, v)+"\n")
		}
	}
	for _, f := range pythonFiles() {
		out = append(out, f.data)
	}
	return append(out,
		"# header\r\nA=1\r\nexport B = 'two' # c\r\nA=\"x\\ny\"\r\n",
		"A='multi\nline'\nB=\"multi\nline\"\n",
		"\ufeffA=1\rB=2\r",
		"A=\"unterminated\nB=2\n",
		"A='unterminated\n",
		"A=\"x\" junk\n",
		"no equals\n",
		" =empty key\n",
		"A=1\x00\n",
		"A=\xff\n",
		"# Python User Secrets\n\u3000 KEY\u00a0= \t'v'\u2028\r\x1cB\x1f=\"\u0085\n=x\nexport C=\"\nC=dup\n",
	)
}

// FuzzParse: Parse never panics; its errors are *ParseError values with a
// plausible line and a reason that quotes nothing of the file but the key.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeedFiles() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse(data, "fuzz.env")
		d, derr := ParseDocument(data, "fuzz.env")
		if (err == nil) != (derr == nil) {
			t.Fatalf("Parse error %v, ParseDocument error %v", err, derr)
		}
		fuzzSameAsPython(t, data, entries, err)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || err != error(pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.File != "fuzz.env" {
				t.Errorf("ParseError.File = %q, want fuzz.env", pe.File)
			}
			if n := countBreaks(string(data)) + 1; pe.Line < 1 || pe.Line > n {
				t.Fatalf("ParseError.Line = %d, file has %d lines", pe.Line, n)
			}
			if leak := fuzzLeak(data, pe); leak != "" {
				t.Fatalf("ParseError.Reason quotes the file: %s", leak)
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range entries {
			if seen[e.Key] {
				t.Fatalf("key %q returned twice", e.Key)
			}
			seen[e.Key] = true
			if e.Line < 1 {
				t.Fatalf("key %q: Line = %d", e.Key, e.Line)
			}
			if !utf8.ValidString(e.Value) || strings.IndexByte(e.Value, 0) >= 0 {
				t.Fatalf("key %q: value is not valid UTF-8 without NUL", e.Key)
			}
		}
		if got := d.Entries(); !fuzzSameLines(got, entries) {
			t.Fatalf("Document.Entries differs from Parse")
		}
	})
}

// fuzzLeak returns what is wrong when pe's reason quotes the file beyond
// the key it names: the reason, without its quoted key, must not contain
// a 6-byte piece of the input that is not plain prose (the reasons are
// prose, so a piece made only of letters, digits and punctuation may match
// them by chance).
func fuzzLeak(data []byte, pe *ParseError) string {
	reason := pe.Reason
	if rest, ok := strings.CutPrefix(reason, "key "); ok {
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			reason = "key " + rest[len(q):]
		}
	}
	for i := 0; i+6 <= len(data); i++ {
		if w := string(data[i : i+6]); !isProse(w) && strings.Contains(reason, w) {
			return "a piece of the input at byte " + strconv.Itoa(i)
		}
	}
	return ""
}

// isProse reports whether s is made only of the characters an error reason
// is written in.
func isProse(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(" '\"=:-().,", c) >= 0) {
			return false
		}
	}
	return true
}

func fuzzSameEntries(a, b []Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Value != b[i].Value {
			return false
		}
	}
	return true
}

// fuzzSameLines reports whether a and b are the same entries read from the
// same lines.
func fuzzSameLines(a, b []Entry) bool {
	return slices.Equal(a, b)
}

// fuzzSameAsPython checks that Parse reads a file in the Python dialect as
// refRead, the reference reader written from the Python tool's rules, does:
// the same keys with the same values.
func fuzzSameAsPython(t *testing.T, data []byte, entries []Entry, err error) {
	t.Helper()
	if detectDialect(data) != dialectPython || checkText(data, "fuzz.env") != nil {
		return
	}
	ref, rerr := refRead(data)
	if err != nil || rerr != nil {
		t.Fatalf("Parse error %v, reference reader's error %v", err, rerr)
	}
	got := map[string]string{}
	for _, e := range entries {
		got[e.Key] = e.Value
	}
	if len(got) != len(ref) {
		t.Fatalf("Parse read %d keys, the reference reader %d", len(got), len(ref))
	}
	for _, e := range ref {
		if v, ok := got[e.Key]; !ok || v != e.Value {
			t.Fatalf("key %q: Parse and the reference reader read different values", e.Key)
		}
	}
}

// fuzzKey turns any string into a key ValidateKey accepts.
func fuzzKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 40; i++ {
		c := s[i]
		if c == '_' || c == '.' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		}
	}
	k := b.String()
	if k == "" || k[0] == '.' || '0' <= k[0] && k[0] <= '9' {
		k = "K" + k
	}
	return k
}

// fuzzValue turns any string into a value ValidateValue accepts.
func fuzzValue(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// fuzzDocument parses base for editing, or starts a new document when base
// does not parse.
func fuzzDocument(base []byte) *Document {
	d, err := ParseDocument(base, "fuzz.env")
	if err != nil {
		d = newDocument(storeHeader("", pyTestID), "fuzz.env")
	}
	d.Header = storeHeader("", pyTestID)
	return d
}

// fuzzConvertRefused reports whether err is the one refusal Update may give
// for valid keys and values: a Python-dialect file with a key this grammar
// cannot write.
func fuzzConvertRefused(d *Document, err error) bool {
	return d.p.dialect == dialectPython && errors.Is(err, ErrInvalidKey)
}

// FuzzRoundTrip: setting keys in any file (or a new one) and parsing the
// result gives the values back exactly, and leaves the other keys as they
// were; setting them again changes nothing; deleting one removes only it.
func FuzzRoundTrip(f *testing.F) {
	values := fuzzSeedValues()
	for i, v := range values {
		f.Add([]byte(nil), "KEY", v, values[(i+1)%len(values)])
	}
	for i, s := range fuzzSeedFiles() {
		f.Add([]byte(s), "A", values[i%len(values)], "x")
	}
	f.Fuzz(func(t *testing.T, base []byte, key, value, value2 string) {
		key, value, value2 = fuzzKey(key), fuzzValue(value), fuzzValue(value2)
		key2 := key + "_2"
		d := fuzzDocument(base)
		before := d.Entries()
		converted := d.p.dialect == dialectPython
		set := []Entry{{Key: key, Value: value}, {Key: key2, Value: value2}}
		ws, err := d.Update(set, nil)
		if err != nil {
			if fuzzConvertRefused(d, err) {
				return
			}
			t.Fatalf("Update: %v", err)
		}
		out := d.String()
		want := map[string]string{}
		for _, e := range before {
			want[e.Key] = e.Value
		}
		want[key], want[key2] = value, value2

		// A warning for each set value (and, when a Python file was
		// converted, each re-rendered one) that some reader misreads.
		warned := map[string]bool{}
		for _, w := range ws {
			if w.Key != key && w.Key != key2 && !converted {
				t.Fatalf("warning for key %q, which was not set", w.Key)
			}
			if _, mis := compat.FormatValue(want[w.Key]); !slices.Equal(w.Misread, mis.Names()) || mis == 0 || warned[w.Key] {
				t.Fatalf("warning for key %q: misread by [%v], want one warning for [%v]", w.Key, w.Misread, mis)
			}
			warned[w.Key] = true
		}
		for _, k := range []string{key, key2} {
			if _, mis := compat.FormatValue(want[k]); mis != 0 && !warned[k] {
				t.Fatalf("no warning for key %q, misread by [%v]", k, mis)
			}
		}
		after, err := Parse([]byte(out), "fuzz.env")
		if err != nil {
			t.Fatalf("the edited file does not parse: %v", err)
		}
		if k, ok := pySameMaps(pyEntriesMap(after), want); !ok {
			t.Fatalf("after Update, key %q is wrong", k)
		}

		if _, err := d.Update(set, nil); err != nil {
			t.Fatalf("second Update: %v", err)
		}
		if d.String() != out {
			t.Fatalf("setting the same values again changed the file")
		}

		if n, err := d.Delete(key); err != nil || n != 1 {
			t.Fatalf("Delete(%q) = %d, %v; want 1, nil", key, n, err)
		}
		delete(want, key)
		after, err = Parse(d.Bytes(), "fuzz.env")
		if err != nil {
			t.Fatalf("the file does not parse after Delete: %v", err)
		}
		if k, ok := pySameMaps(pyEntriesMap(after), want); !ok {
			t.Fatalf("after Delete, key %q is wrong", k)
		}
	})
}

// FuzzFormatStable: re-setting every entry of any parseable file to its own
// value gives a file that parses to the same entries, in the same order,
// and doing it again is byte-identical.
func FuzzFormatStable(f *testing.F) {
	for _, s := range fuzzSeedFiles() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDocument(data, "fuzz.env")
		if err != nil {
			return
		}
		d.Header = storeHeader("", pyTestID)
		entries := d.Entries()
		var set []Entry
		for _, e := range entries {
			if ValidateKey(e.Key) == nil {
				set = append(set, Entry{Key: e.Key, Value: e.Value})
			}
		}
		if _, err := d.Update(set, nil); err != nil {
			if fuzzConvertRefused(d, err) {
				return
			}
			t.Fatalf("Update: %v", err)
		}
		out := d.String()
		after, err := Parse([]byte(out), "fuzz.env")
		if err != nil {
			t.Fatalf("the re-rendered file does not parse: %v", err)
		}
		if !fuzzSameEntries(after, entries) {
			t.Fatalf("the re-rendered file reads differently")
		}
		if _, err := d.Update(set, nil); err != nil {
			t.Fatalf("second Update: %v", err)
		}
		if d.String() != out {
			t.Fatalf("the second identical Update changed the file")
		}
		d2, err := ParseDocument([]byte(out), "fuzz.env")
		if err != nil {
			t.Fatal(err)
		}
		d2.Header = storeHeader("", pyTestID)
		if _, err := d2.Update(set, nil); err != nil {
			t.Fatalf("Update of the re-read file: %v", err)
		}
		if d2.String() != out {
			t.Fatalf("the same Update on the re-read file changed it")
		}
	})
}

// FuzzAccepts extends the differential test of compat_test.go to any value:
// for every form, compat.Accepts must agree with godotenv, gotenv, this package and
// the python-env-secrets reference reader (python-dotenv, run in one batch
// per test, is left to TestCompat and TestCompatExhaustive).
func FuzzAccepts(f *testing.F) {
	for _, v := range fuzzSeedValues() {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, value string) {
		if ValidateValue("KEY", value) != nil {
			return
		}
		res := runCompat(t, []hardValue{{"fuzzed", value}}, "")
		checkAccepts(t, res, compat.AllReaders&^compat.ReaderPythonDotenv)
		if text, _ := compat.FormatValue(value); !strings.HasPrefix(text, "'") && !strings.HasPrefix(text, `"`) && text != value {
			t.Fatalf("FormatValue: a bare form that is not the value")
		}
	})
}

// FuzzOpenValue: decrypting any text never panics and fails with one of
// the value errors; a text that decrypts stops decrypting when any bit of
// its ciphertext changes, and what it decrypts to encrypts back.
func FuzzOpenValue(f *testing.F) {
	sl, err := newSealer(make([]byte, keySize), fixtureID)
	if err != nil {
		f.Fatal(err)
	}
	for i, v := range fuzzSeedValues() {
		f.Add(sl.seal("K", v), uint16(i))
	}
	for _, s := range []string{"", "enc:v1:", "enc:v1:AAAA", "enc:v2:AAAA", "enc:v:", "enc:v1", "enc:v01:x", "plain", "enc:v1:" + strings.Repeat("A", 38), "enc:v1:====", "enc:v1:-_-_"} {
		f.Add(s, uint16(0))
	}
	f.Fuzz(func(t *testing.T, text string, bit uint16) {
		o := sl.opener()
		v, err := o.open("K", text)
		if err != nil {
			var ve versionError
			if !errors.Is(err, errUnmarked) && !errors.Is(err, errDamaged) && !errors.Is(err, errOpen) && !errors.Is(err, errNotText) && !errors.As(err, &ve) {
				t.Fatalf("open = an error of another kind: %v", err)
			}
			return
		}
		if got, err := o.open("K", sl.seal("K", v)); err != nil || got != v {
			t.Fatalf("a decrypted value does not encrypt back: %v", err)
		}
		if _, err := o.open("L", text); !errors.Is(err, errOpen) {
			t.Fatalf("the value opens as another key's: %v", err)
		}
		ct, err := keyEncoding.DecodeString(strings.TrimPrefix(text, encMarker))
		if err != nil {
			t.Fatal(err)
		}
		ct[int(bit/8)%len(ct)] ^= 1 << (bit % 8)
		if _, err := o.open("K", encMarker+keyEncoding.EncodeToString(ct)); !errors.Is(err, errOpen) {
			t.Fatalf("a changed bit still decrypts: %v", err)
		}
	})
}
