package core

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/internal/compat"
)

// edit is one change to a document.
type edit struct {
	set []Entry
	del []string
}

func setOp(k, v string) edit    { return edit{set: []Entry{{Key: k, Value: v}}} }
func delOp(keys ...string) edit { return edit{del: keys} }

func TestDocumentEdits(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		edits []edit
		want  string
	}{
		{"set existing in place", "# c\nA=1\nB=2\n# d\n", []edit{setOp("A", "x")}, "# c\nA=x\nB=2\n# d\n"},
		{"set middle", "A=1\nB=2\nC=3\n", []edit{setOp("B", "x")}, "A=1\nB=x\nC=3\n"},
		{"set same value", "A=1\n", []edit{setOp("A", "1")}, "A=1\n"},
		{"drop earlier duplicates", "A=1\nB=2\nA=3\nC=4\n", []edit{setOp("A", "x")}, "B=2\nA=x\nC=4\n"},
		{"drop earlier duplicates keeps comments", "# a\nA=1\n# b\nA=2\n# c\n", []edit{setOp("A", "x")}, "# a\n# b\nA=x\n# c\n"},
		{"append", "A=1\n", []edit{setOp("C", "3")}, "A=1\nC=3\n"},
		{"append to empty", "", []edit{setOp("C", "3")}, "C=3\n"},
		{"append after comment", "# only a comment\n", []edit{setOp("C", "3")}, "# only a comment\nC=3\n"},
		{"append without final newline", "A=1", []edit{setOp("C", "3")}, "A=1\nC=3\n"},
		{"append after comment without final newline", "A=1\n# end", []edit{setOp("C", "3")}, "A=1\n# end\nC=3\n"},
		{"set last without final newline", "A=1\nB=2", []edit{setOp("B", "x")}, "A=1\nB=x"},
		{"append two in order", "A=1\n", []edit{{set: []Entry{{Key: "Z", Value: "1"}, {Key: "Y", Value: "2"}}}}, "A=1\nZ=1\nY=2\n"},
		{"same key twice: last wins", "", []edit{{set: []Entry{{Key: "Z", Value: "1"}, {Key: "Z", Value: "2"}}}}, "Z=2\n"},
		{"CRLF set", "A=1\r\nB=2\r\n", []edit{setOp("A", "x")}, "A=x\r\nB=2\r\n"},
		{"CRLF append", "A=1\r\nB=2\r\n", []edit{setOp("C", "3")}, "A=1\r\nB=2\r\nC=3\r\n"},
		{"CRLF append without final newline", "A=1\r\nB=2", []edit{setOp("C", "3")}, "A=1\r\nB=2\r\nC=3\r\n"},
		{"CR append", "A=1\rB=2\r", []edit{setOp("C", "3")}, "A=1\rB=2\rC=3\r"},
		{"BOM kept", "\ufeffA=1\n", []edit{setOp("A", "2"), setOp("B", "3")}, "\ufeffA=2\nB=3\n"},
		{"BOM first key", "\ufeffA=1\nB=2\n", []edit{setOp("A", "2")}, "\ufeffA=2\nB=2\n"},
		{"delete", "A=1\nB=2\nC=3\n", []edit{delOp("B")}, "A=1\nC=3\n"},
		{"delete duplicates", "B=0\nA=1\nB=2\n", []edit{delOp("B")}, "A=1\n"},
		{"delete last without final newline", "A=1\nB=2", []edit{delOp("B")}, "A=1\n"},
		{"delete multi-line", "A=\"x\ny\nz\"\nB=2\n", []edit{delOp("A")}, "B=2\n"},
		{"delete missing", "A=1\n", []edit{delOp("Z")}, "A=1\n"},
		{"delete all", "# h\nA=1\nB=2\n", []edit{delOp("A", "B")}, "# h\n"},
		{"set multi-line in place", "A='x\ny'\nB=2\n", []edit{setOp("A", "z")}, "A=z\nB=2\n"},
		{"set removes quoted tail comment", "A='x' # note\nB=2\n", []edit{setOp("A", "z")}, "A=z\nB=2\n"},
		{"set export line", "export A=1\n", []edit{setOp("A", "z")}, "A=z\n"},
		{"set then delete", "A=1\n", []edit{{set: []Entry{{Key: "B", Value: "2"}}, del: []string{"B"}}}, "A=1\n"},
		{"set then delete existing", "A=1\nB=1\n", []edit{{set: []Entry{{Key: "B", Value: "2"}}, del: []string{"B"}}}, "A=1\n"},
		{
			"every other byte kept",
			"\ufeff# top  \r\n\n  export   K1 = v1   # c1\n\tK2='multi\nline'\nK3=\"x\\ty\"\t# c3\n#\n   \nK4=$HOME\nK5=end",
			[]edit{setOp("K3", "new"), setOp("K6", "6")},
			"\ufeff# top  \r\n\n  export   K1 = v1   # c1\n\tK2='multi\nline'\nK3=new\n#\n   \nK4=$HOME\nK5=end\r\nK6=6\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDocument([]byte(tt.in), "f")
			if err != nil {
				t.Fatalf("ParseDocument(%q) error: %v", tt.in, err)
			}
			for _, e := range tt.edits {
				if _, err := d.Update(e.set, e.del); err != nil {
					t.Fatalf("Update(%v, %q) error: %v", e.set, e.del, err)
				}
			}
			if got := string(d.Bytes()); got != tt.want {
				t.Errorf("after edits:\n got %q\nwant %q", got, tt.want)
			}
			if d.String() != string(d.Bytes()) {
				t.Errorf("String() and Bytes() differ")
			}
			// The result reads back as the edits say.
			want := map[string]string{}
			before, _ := Parse([]byte(tt.in), "f")
			for _, e := range before {
				want[e.Key] = e.Value
			}
			for _, e := range tt.edits {
				for _, s := range e.set {
					want[s.Key] = s.Value
				}
				for _, k := range e.del {
					delete(want, k)
				}
			}
			got, err := Parse(d.Bytes(), "f")
			if err != nil {
				t.Fatalf("edited document does not parse: %v", err)
			}
			if len(got) != len(want) {
				t.Errorf("edited document has %d keys, want %d", len(got), len(want))
			}
			for _, e := range got {
				if w, ok := want[e.Key]; !ok || w != e.Value {
					t.Errorf("edited document: %s = %q, want %q", e.Key, e.Value, w)
				}
			}
		})
	}
}

// TestDocumentWritesFormatValue checks that a set line is KEY= followed by
// compat.FormatValue's text (which forms it picks is compat.go's business).
func TestDocumentWritesFormatValue(t *testing.T) {
	values := []string{"plain", "", "a #b", "it's #x", "l1\nl2", " lead", "trail ", `"q"`, "$HOME", `back\`, "tab\there", "\u00a0nbsp", "cr\rlf"}
	d := newDocument("# h\n", "f")
	want := "# h\n"
	for i, v := range values {
		key := fmt.Sprintf("K%d", i)
		if _, err := d.Set(key, v); err != nil {
			t.Fatalf("Set(%s) error: %v", key, err)
		}
		text, _ := compat.FormatValue(v)
		want += key + "=" + text + "\n"
	}
	if d.String() != want {
		t.Errorf("document = %q, want %q", d.String(), want)
	}
	got, err := Parse(d.Bytes(), "f")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range got {
		if e.Value != values[i] {
			t.Errorf("%s reads back as %q, want %q", e.Key, e.Value, values[i])
		}
	}
}

func TestDocumentMethods(t *testing.T) {
	d, err := ParseDocument([]byte("A=1\nB=2\nA=3\n"), "f")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := d.Get("A"); !ok || v != "3" {
		t.Errorf("Get(A) = %q, %v; want 3, true", v, ok)
	}
	if _, ok := d.Get("Z"); ok {
		t.Errorf("Get(Z) found a value")
	}
	if d.Len() != 2 || d.p.dialect != dialectGo {
		t.Errorf("Len, dialect = %d, %v; want 2, dialectGo", d.Len(), d.p.dialect)
	}
	if es := d.Entries(); !sameEntries(es, entriesKV("B", "2", "A", "3")) {
		t.Errorf("Entries() = %s", fmtEntries(es))
	}
	n, err := d.Delete("A", "Z")
	if err != nil || n != 1 {
		t.Errorf("Delete(A, Z) = %d, %v; want 1, nil", n, err)
	}
	if n, err := d.Delete("Z"); err != nil || n != 0 {
		t.Errorf("Delete(Z) = %d, %v; want 0, nil", n, err)
	}
	if w, err := d.Set("C", "x"); err != nil || w != nil {
		t.Errorf("Set(C, x) = %v, %v; want no warning", w, err)
	}
	if got := d.String(); got != "B=2\nC=x\n" {
		t.Errorf("document = %q", got)
	}
}

func TestNewDocument(t *testing.T) {
	h := storeHeader("/p", fixtureID)
	d := newDocument(h, "f")
	if d.String() != h || d.Len() != 0 {
		t.Fatalf("newDocument() = %q, %d entries", d.String(), d.Len())
	}
	if _, err := d.Set("A", "1"); err != nil {
		t.Fatal(err)
	}
	if got, want := d.String(), h+"A=1\n"; got != want {
		t.Errorf("document = %q, want %q", got, want)
	}
	if detectDialect([]byte(h)) != dialectGo {
		t.Errorf("storeHeader() starts like a python-env-secrets file")
	}
	for _, want := range []string{"/p", fixtureID, "Do not share or commit"} {
		if !strings.Contains(h, want) {
			t.Errorf("storeHeader() does not mention %q", want)
		}
	}
	for _, line := range strings.SplitAfter(strings.TrimSuffix(h, "\n"), "\n") {
		if !strings.HasPrefix(line, "# ") {
			t.Errorf("storeHeader() line %q is not a comment", line)
		}
	}
}

// TestDocumentRefusesBeforeChange checks that an invalid key or value
// leaves the document as it was.
func TestDocumentRefusesBeforeChange(t *testing.T) {
	const in = "A=1\nB=2\n"
	tests := []struct {
		name    string
		set     []Entry
		wantErr error
	}{
		{"bad key", []Entry{{Key: "C", Value: "3"}, {Key: "BAD-KEY", Value: "x"}}, ErrInvalidKey},
		{"empty key", []Entry{{Key: "", Value: "x"}}, ErrInvalidKey},
		{"bad UTF-8", []Entry{{Key: "A", Value: "x"}, {Key: "C", Value: "\xff"}}, ErrInvalidValue},
		{"NUL", []Entry{{Key: "C", Value: "a\x00b"}}, ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDocument([]byte(in), "f")
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.Update(tt.set, []string{"A"})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Update() error = %v, want %v", err, tt.wantErr)
			}
			if d.String() != in {
				t.Errorf("document changed to %q after a refused update", d.String())
			}
		})
	}
}

func TestDocumentWarnings(t *testing.T) {
	d := newDocument("", "f")
	ws, err := d.Update([]Entry{{Key: "PLAIN", Value: "abc"}, {Key: "MULTI", Value: "l1\nl2"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].Key != "MULTI" || len(ws[0].Misread) == 0 || slices.Contains(ws[0].Misread, compat.ReaderCore.String()) {
		t.Fatalf("warnings = %+v, want one for MULTI, not naming this reader", ws)
	}
	if s := ws[0].String(); !strings.Contains(s, `"MULTI"`) || strings.Contains(s, "l1") {
		t.Errorf("Warning.String() = %q, want the key and no value", s)
	}
	// A later plain value for the same key drops the warning.
	ws, err = d.Update([]Entry{{Key: "MULTI", Value: "l1\nl2"}, {Key: "MULTI", Value: "plain"}}, nil)
	if err != nil || len(ws) != 0 {
		t.Errorf("warnings = %+v, %v; want none", ws, err)
	}
	ws, err = d.Update([]Entry{{Key: "MULTI", Value: "l1\nl2"}}, []string{"MULTI"})
	if err != nil || len(ws) != 0 {
		t.Errorf("warnings for a deleted key = %+v, %v; want none", ws, err)
	}
}

func TestDocumentPythonConversion(t *testing.T) {
	in := "# Python User Secrets\n# Project: /p\n\nA=\"say \"hi\"\"\nB=\"C:\\new folder\"\nnot a definition\nC=plain\nA=dup\n"
	d, err := ParseDocument([]byte(in), "f")
	if err != nil {
		t.Fatal(err)
	}
	if d.p.dialect != dialectPython {
		t.Fatalf("Dialect() = %v, want dialectPython", d.p.dialect)
	}
	before, err := Parse([]byte(in), "f")
	if err != nil {
		t.Fatal(err)
	}
	d.Header = storeHeader("/p", fixtureID)
	if _, err := d.Set("D", "new"); err != nil {
		t.Fatal(err)
	}
	out := d.String()
	if !strings.HasPrefix(out, d.Header) || strings.Contains(out, "# Python User Secrets") {
		t.Errorf("converted document does not start with the new header:\n%s", out)
	}
	if detectDialect([]byte(out)) != dialectGo {
		t.Errorf("converted document is still in the Python dialect")
	}
	for _, want := range []string{"# Project: /p\n", "\n\n", "# not a definition\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("converted document lost %q:\n%s", want, out)
		}
	}
	after, err := Parse([]byte(out), "f")
	if err != nil {
		t.Fatalf("converted document does not parse: %v", err)
	}
	want := append(before, Entry{Key: "D", Value: "new"})
	if !sameEntries(after, want) {
		t.Errorf("converted entries = %s, want %s", fmtEntries(after), fmtEntries(want))
	}
}

func TestValidateKey(t *testing.T) {
	for _, k := range []string{"A", "_", "a", "A1", "a_b", "a.b", "A.B.C", "_1", "DATABASE_URL", "x..y"} {
		if err := ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", k, err)
		}
	}
	for _, k := range []string{"", "1A", "9", "A-B", "A B", ".A", "A=B", "A\n", "\u00fc", "A$", "A#", "'A'", "export A"} {
		err := ValidateKey(k)
		var ke *KeyError
		if !errors.Is(err, ErrInvalidKey) || !errors.As(err, &ke) || ke.Reason == "" {
			t.Errorf("ValidateKey(%q) = %v, want a *KeyError with a reason", k, err)
		}
	}
}

func TestValidateValue(t *testing.T) {
	for _, v := range []string{"", "x", "l1\nl2", "\r", "\u2028", "'\"\\$#"} {
		if err := ValidateValue("K", v); err != nil {
			t.Errorf("ValidateValue(%q) = %v, want nil", v, err)
		}
	}
	for _, v := range []string{"\xff", "a\x00", "\xe2\x82"} {
		err := ValidateValue("K", v)
		if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), `"K"`) {
			t.Errorf("ValidateValue(%q) = %v, want ErrInvalidValue naming K", v, err)
		}
	}
}
