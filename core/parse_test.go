package core

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// kv builds the entries a test expects, from alternating keys and values;
// lines are not compared.
func entriesKV(pairs ...string) []Entry {
	var out []Entry
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Entry{Key: pairs[i], Value: pairs[i+1]})
	}
	return out
}

// sameEntries compares keys and values, in order.
func sameEntries(got, want []Entry) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Key != want[i].Key || got[i].Value != want[i].Value {
			return false
		}
	}
	return true
}

func fmtEntries(es []Entry) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range es {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", e.Key, e.Value)
	}
	b.WriteByte(']')
	return b.String()
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Entry
	}{
		// Lines and comments.
		{"empty", "", nil},
		{"only comments", "# a\n   # b\n\t#c\n\n  \n", nil},
		{"basic", "A=1\nB=two\n", entriesKV("A", "1", "B", "two")},
		{"no final newline", "A=1\nB=2", entriesKV("A", "1", "B", "2")},
		{"CRLF", "A=1\r\nB=2\r\n", entriesKV("A", "1", "B", "2")},
		{"lone CR", "A=1\rB=2\r", entriesKV("A", "1", "B", "2")},
		{"mixed line endings", "A=1\rB=2\r\nC=3\n", entriesKV("A", "1", "B", "2", "C", "3")},
		{"BOM", "\ufeffA=1\n", entriesKV("A", "1")},
		{"BOM then comment", "\ufeff# c\nA=1\n", entriesKV("A", "1")},
		{"hash comment needs first non-blank", "A=1\n  # B=2\n", entriesKV("A", "1")},

		// export.
		{"export", "export A=1\n", entriesKV("A", "1")},
		{"export tab", "export\tA=1\n", entriesKV("A", "1")},
		{"export blanks", "  export  \t A = 1\n", entriesKV("A", "1")},
		{"export as key", "export=1\n", entriesKV("export", "1")},
		{"export prefix of key", "exportA=1\n", entriesKV("exportA", "1")},
		{"export with spaced key", "export =1\nX=2", nil}, // an error, see TestParseErrors

		// Keys.
		{"key trimmed", "  A  =1\n", entriesKV("A", "1")},
		{"key with tabs", "\tA\t=\t1\n", entriesKV("A", "1")},
		{"key with dots", "a.b.c=1\n", entriesKV("a.b.c", "1")},
		{"key runs to first =", "A=b=c\n", entriesKV("A", "b=c")},
		{"odd key kept", "my-key=1\n", entriesKV("my-key", "1")},

		// Unquoted values.
		{"empty value", "A=\n", entriesKV("A", "")},
		{"empty value at EOF", "A=", entriesKV("A", "")},
		{"blank value", "A=   \n", entriesKV("A", "")},
		{"value trimmed", "A=  b c  \n", entriesKV("A", "b c")},
		{"value tab trimmed", "A=\tb\t\n", entriesKV("A", "b")},
		{"inline comment", "A=b # c\n", entriesKV("A", "b")},
		{"inline comment tab", "A=b\t# c\n", entriesKV("A", "b")},
		{"hash without blank kept", "A=b#c\n", entriesKV("A", "b#c")},
		{"value starting with hash", "A=#c\n", entriesKV("A", "#c")},
		{"comment after blank before value", "A= # c\n", entriesKV("A", "")},
		{"second hash", "A=b#c #d\n", entriesKV("A", "b#c")},
		{"dollar literal", "A=$HOME\nB=${X}\n", entriesKV("A", "$HOME", "B", "${X}")},
		{"backslash literal", `A=C:\new\t` + "\n", entriesKV("A", `C:\new\t`)},
		{"quote inside", `A=it's "x"` + "\n", entriesKV("A", `it's "x"`)},
		{"unicode", "A=h\u00e9llo \u2028 w\u00f6rld\n", entriesKV("A", "h\u00e9llo \u2028 w\u00f6rld")},
		{"nbsp not trimmed", "A=\u00a0x\u00a0\n", entriesKV("A", "\u00a0x\u00a0")},

		// Single quotes.
		{"single", "A='b c'\n", entriesKV("A", "b c")},
		{"single empty", "A=''\n", entriesKV("A", "")},
		{"single keeps blanks", "A='  b  '\n", entriesKV("A", "  b  ")},
		{"single literal", `A='a\nb $X \\ "q"'` + "\n", entriesKV("A", `a\nb $X \\ "q"`)},
		{"single hash", "A='b # c'\n", entriesKV("A", "b # c")},
		{"single then comment", "A='b' # c\n", entriesKV("A", "b")},
		{"single then hash", "A='b'#c\n", entriesKV("A", "b")},
		{"single then blanks", "A='b'  \t\n", entriesKV("A", "b")},
		{"single multi-line", "A='l1\nl2'\nB=2\n", entriesKV("A", "l1\nl2", "B", "2")},
		{"single multi-line CRLF", "A='l1\r\nl2'\r\nB=2\r\n", entriesKV("A", "l1\nl2", "B", "2")},
		{"single multi-line CR", "A='l1\rl2'\rB=2\r", entriesKV("A", "l1\nl2", "B", "2")},
		{"single leading blanks before quote", "A=   'b'\n", entriesKV("A", "b")},

		// Double quotes.
		{"double", `A="b c"` + "\n", entriesKV("A", "b c")},
		{"double empty", `A=""` + "\n", entriesKV("A", "")},
		{"double escapes", `A="\\ \" \n \r \t \$"` + "\n", entriesKV("A", "\\ \" \n \r \t $")},
		{"double other backslash", `A="C:\x\y \u00e9 \'"` + "\n", entriesKV("A", `C:\x\y \u00e9 \'`)},
		{"double trailing escaped backslash", `A="a\\"` + "\n", entriesKV("A", `a\`)},
		{"double escaped quote at end", `A="a\""` + "\n", entriesKV("A", `a"`)},
		{"double dollar", `A="$HOME ${X}"` + "\n", entriesKV("A", "$HOME ${X}")},
		{"double hash", `A="b # c"` + "\n", entriesKV("A", "b # c")},
		{"double single inside", `A="it's"` + "\n", entriesKV("A", "it's")},
		{"double then comment", `A="b" # c` + "\n", entriesKV("A", "b")},
		{"double multi-line", "A=\"l1\nl2\"\nB=2\n", entriesKV("A", "l1\nl2", "B", "2")},
		{"double multi-line CRLF", "A=\"l1\r\nl2\"\r\nB=2\r\n", entriesKV("A", "l1\nl2", "B", "2")},
		{"double multi-line CR", "A=\"l1\rl2\"\rB=2\r", entriesKV("A", "l1\nl2", "B", "2")},
		{"double multi-line escapes", "A=\"l1\\n\nl2\\\"\"\n", entriesKV("A", "l1\n\nl2\"")},
		{"double backslash newline", "A=\"a\\\nb\"\n", entriesKV("A", "a\\\nb")},
		{"pem", "K=\"-----BEGIN KEY-----\nMIIB=\nab+/\n-----END KEY-----\n\"\n", entriesKV("K", "-----BEGIN KEY-----\nMIIB=\nab+/\n-----END KEY-----\n")},
		{"json", `J={"a": 1, "b": [2]}` + "\n" + `K='{"a": "b # c"}'` + "\n", entriesKV("J", `{"a": 1, "b": [2]}`, "K", `{"a": "b # c"}`)},

		// Duplicates.
		{"last wins", "A=1\nB=2\nA=3\n", entriesKV("B", "2", "A", "3")},
		{"last wins three", "A=1\nA=2\nA=3\n", entriesKV("A", "3")},
		{"last wins to empty", "A=1\nA=\n", entriesKV("A", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in), "f.env")
			if tt.want == nil && err != nil {
				return // checked by TestParseErrors
			}
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !sameEntries(got, tt.want) {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, fmtEntries(got), fmtEntries(tt.want))
			}
		})
	}
}

func TestParseLines(t *testing.T) {
	in := "\ufeff# c\r\n" + // 1
		"A=1\r\n" + // 2
		"\r\n" + // 3
		"B='x\r\ny\r\nz'\r\n" + // 4-6
		"C=\"p\nq\"  # tail\n" + // 7-8
		"D=3\r" + // 9
		"export E=4\n" + // 10
		"F=\"a\\\nb\"\n" + // 11-12
		"G=5" // 13
	got, err := Parse([]byte(in), "f")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"A": 2, "B": 4, "C": 7, "D": 9, "E": 10, "F": 11, "G": 13}
	if len(got) != len(want) {
		t.Fatalf("Parse() = %s, want %d entries", fmtEntries(got), len(want))
	}
	for _, e := range got {
		if e.Line != want[e.Key] {
			t.Errorf("%s at line %d, want %d", e.Key, e.Line, want[e.Key])
		}
	}
	dup, err := Parse([]byte("A=1\nB=2\nA=3\n"), "f")
	if err != nil || dup[1].Key != "A" || dup[1].Line != 3 {
		t.Errorf("duplicate key takes line %v, want the last definition's line 3", dup)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantLine int
		wantText string // in the reason
	}{
		{"no equals", "A=1\nnot a definition\n", 2, "no '='"},
		{"no equals at EOF", "A=1\nB", 2, "no '='"},
		{"export without key", "export A\n", 1, "no '='"},
		{"empty key", "A=1\n\n=value\n", 3, "empty key"},
		{"blank key", "  \t = value\n", 1, "empty key"},
		{"export empty key", "export =1\n", 1, "empty key"},
		{"unterminated single", "A=1\nB='abc\nC=2\nD=3\n", 2, "unterminated single-quoted"},
		{"unterminated double", "A=1\r\nB=\"abc\r\nC=2\r\n", 2, "unterminated double-quoted"},
		{"unterminated double escaped quote", "A=\"abc\\\"\n", 1, "unterminated double-quoted"},
		{"unterminated double trailing backslash", "A=\"abc\\", 1, "unterminated double-quoted"},
		{"unterminated after multi-line value", "A='x\ny'\nB=\"z\n", 3, "unterminated double-quoted"},
		{"text after single", "A='b' c\n", 1, "after the closing quote"},
		{"text after double", "A=1\nB=\"b\"c\n", 2, "after the closing quote"},
		{"quote after quote", "A='it''s'\n", 1, "after the closing quote"},
		{"text after multi-line close", "A=\"x\ny\nz\" tail\n", 3, "after the closing quote"},
		{"text after multi-line close CR", "A='x\ry' tail\r", 2, "after the closing quote"},
		{"error after multi-line value", "A='x\ny\nz'\nB=1\nbad\n", 5, "no '='"},
		{"error after escaped multi-line value", "A=\"x\\\ny\\\"\nz\"\nbad\n", 4, "no '='"},
		{"error after CRLF multi-line value", "A='x\r\ny'\r\nbad\r\n", 3, "no '='"},
		{"error after lone CR lines", "A=1\rB=2\rbad\r", 3, "no '='"},
		{"invalid UTF-8", "A=1\nB=2\nC=\xff\n", 3, "invalid UTF-8"},
		{"invalid UTF-8 in comment", "# \xc3\x28\n", 1, "invalid UTF-8"},
		{"invalid UTF-8 after CR", "A=1\rB=\xe2\x82\n", 2, "invalid UTF-8"},
		{"truncated rune at EOF", "A=\xe2\x82", 1, "invalid UTF-8"},
		{"NUL", "A=1\nB=a\x00b\n", 2, "NUL"},
		{"NUL in comment", "A=1\n\n# \x00\n", 3, "NUL"},
		{"NUL in Python file", "# Python User Secrets\nA=\x00\n", 2, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in), "dir/f.env")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %s, %v; want a *ParseError", tt.in, fmtEntries(got), err)
			}
			if pe.File != "dir/f.env" || pe.Line != tt.wantLine || !strings.Contains(pe.Reason, tt.wantText) {
				t.Errorf("Parse(%q) error = %q (line %d), want dir/f.env line %d with %q", tt.in, err, pe.Line, tt.wantLine, tt.wantText)
			}
			if want := fmt.Sprintf("dir/f.env:%d: ", tt.wantLine); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
		})
	}
}

func TestParsePythonDialect(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Entry
	}{
		{"header", "# Python User Secrets\nA=1\n", entriesKV("A", "1")},
		{"later header", "# Python Env Secrets\r\nA=1\r\n", entriesKV("A", "1")},
		{"quotes unescaped", "# Python User Secrets\nA=\"say \"hi\"\"\nB=\"C:\\new folder\"\n", entriesKV("A", `say "hi"`, "B", `C:\new folder`)},
		{"no inline comment", "# Python User Secrets\nA=b # c\n", entriesKV("A", "b # c")},
		{"lines without = skipped", "# Python User Secrets\nnot a line\nA=1\n", entriesKV("A", "1")},
		{"unterminated quote literal", "# Python User Secrets\nA='abc\n", entriesKV("A", "'abc")},
		{"export", "# Python User Secrets\nexport A=1\n", entriesKV("A", "1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := detectDialect([]byte(tt.in)); d != dialectPython {
				t.Errorf("detectDialect(%q) = %v, want dialectPython", tt.in, d)
			}
			got, err := Parse([]byte(tt.in), "f")
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !sameEntries(got, tt.want) {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, fmtEntries(got), fmtEntries(tt.want))
			}
		})
	}
	for _, in := range []string{"", "A=1\n# Python User Secrets\n", "# user-secrets\n", "#Python User Secrets\n"} {
		if d := detectDialect([]byte(in)); d != dialectGo {
			t.Errorf("detectDialect(%q) = %v, want dialectGo", in, d)
		}
	}
}

// TestParsePathsAgree checks that Parse and a Document's Entries read
// every text alike.
func TestParsePathsAgree(t *testing.T) {
	texts := []string{
		"A=1\nB=2\nA=3\n", "A=1\nA=1\n", "\ufeffA='x\ny'\r\nB=\"p\\nq\" # c\rC=3", "# Python User Secrets\nA=1\nA=2\n",
		"A=1\nB=2\nC=3\nB=4\nA=5\n", "A=1\nbad\n", "K=\"a\\\\\\\"b\\$c\\qd\\\r\ne\"\n",
	}
	r := uint32(7)
	for range 2000 {
		var b []byte
		for range int(r % 24) {
			r = r*1664525 + 1013904223
			alpha := "AB=='\"\\# \n\r\tx"
			b = append(b, alpha[(r>>24)%uint32(len(alpha))])
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		got, err1 := Parse([]byte(s), "f")
		d, err2 := ParseDocument([]byte(s), "f")
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("Parse(%q) error %v, ParseDocument error %v", s, err1, err2)
		}
		if err1 != nil {
			continue
		}
		want := d.Entries()
		if len(got) != len(want) {
			t.Fatalf("Parse(%q) = %s, Document.Entries() = %s", s, fmtEntries(got), fmtEntries(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("Parse(%q) = %s, Document.Entries() = %s", s, fmtEntries(got), fmtEntries(want))
			}
		}
	}
}

// TestDuplicateAcrossForms: a key defined once plainly and once with
// "export" or blanks is a duplicate, whichever comes first.
func TestDuplicateAcrossForms(t *testing.T) {
	for _, src := range []string{
		"API_TOKEN=one\nexport API_TOKEN=two\nOTHER=x\n",
		"export API_TOKEN=one\nAPI_TOKEN=two\nOTHER=x\n",
		"API_TOKEN=one\nOTHER=x\nAPI_TOKEN = two\n",
	} {
		es, err := Parse([]byte(src), "f")
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].Key != "OTHER" && es[1].Key != "OTHER" {
			t.Errorf("Parse(%q) = %d entries, want API_TOKEN once and OTHER", src, len(es))
		}
		for _, e := range es {
			if e.Key == "API_TOKEN" && e.Value != "two" {
				t.Errorf("Parse(%q): API_TOKEN is not its last value", src)
			}
		}
	}
}

// TestParseManyDuplicates: a file whose keys repeat keeps each key's last
// value and the order of the last definitions.
func TestParseManyDuplicates(t *testing.T) {
	var b strings.Builder
	for round := range 3 {
		for i := range 300 {
			fmt.Fprintf(&b, "KEY_%03d=v%d\n", i, round)
		}
	}
	es, err := Parse([]byte(b.String()), "f")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 300 {
		t.Fatalf("Parse = %d entries, want 300", len(es))
	}
	for i, e := range es {
		if e.Key != fmt.Sprintf("KEY_%03d", i) || e.Value != "v2" || e.Line != 600+i+1 {
			t.Fatalf("entry %d = %s (line %d), want KEY_%03d with its third value, line %d", i, e.Key, e.Line, i, 601+i)
		}
	}
}

// TestParseMoreEntriesThanLFs: lone CRs end lines too, so a file can hold
// more definitions than it has LFs, duplicates among them.
func TestParseMoreEntriesThanLFs(t *testing.T) {
	var b strings.Builder
	for i := range 65533 {
		fmt.Fprintf(&b, "K%d=1\n", i)
	}
	b.WriteString("A=1\rB=1\rC=1\rC=2")
	es, err := Parse([]byte(b.String()), "f")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 65536 {
		t.Fatalf("Parse = %d entries, want 65536", len(es))
	}
	if last := es[len(es)-1]; last.Key != "C" || last.Value != "2" {
		t.Errorf("last entry = %s (line %d), want C with its second value", last.Key, last.Line)
	}
}
