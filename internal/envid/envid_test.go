package envid

import (
	"reflect"
	"strings"
	"testing"
)

const (
	id1 = "6f1c1f5e-1111-4111-8111-111111111111"
	id2 = "6f1c1f5e-2222-4222-8222-222222222222"
)

func TestLines(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []Def
	}{
		{"empty", "", nil},
		{"plain", "A=1\nB=2", []Def{{"A", "1", 1, ""}, {"B", "2", 2, ""}}},
		{"BOM", "\ufeffA=1\n", []Def{{"A", "1", 1, ""}}},
		{"BOM only at the start", "A=1\n\ufeffB=2\n", []Def{{"A", "1", 1, ""}, {"\ufeffB", "2", 2, ""}}},
		{"CRLF", "A=1\r\nB=2\r\n", []Def{{"A", "1", 1, ""}, {"B", "2", 2, ""}}},
		{"lone CR", "A=1\rB=2\r\rC=3", []Def{{"A", "1", 1, ""}, {"B", "2", 2, ""}, {"C", "3", 4, ""}}},
		{"mixed line ends", "A=1\r\n\rB=2\n\nC=3\r", []Def{{"A", "1", 1, ""}, {"B", "2", 3, ""}, {"C", "3", 5, ""}}},
		{"white space", " \t\f\u00a0A \t= \t1 \t\n", []Def{{"A", "1", 1, ""}}},
		{"blank and comment lines", "\n  \n# A=1\n  #B=2\nC=3\n", []Def{{"C", "3", 5, ""}}},
		{"export", "export A=1\nexport\tB=2\n  export   C = 3\n", []Def{{"A", "1", 1, ""}, {"B", "2", 2, ""}, {"C", "3", 3, ""}}},
		{"export is a key", "export=1\nexported=2\nexportC=3\n", []Def{{"export", "1", 1, ""}, {"exported", "2", 2, ""}, {"exportC", "3", 3, ""}}},
		{"not definitions", "no equals\n=1\n  = 2\nexport #A=1\nexport\nA: 1\n", nil},
		{"key before the first =", "A=b=c\n", []Def{{"A", "b=c", 1, ""}}},
		{"empty values", "A=\nB=  \nC=\"\"\nD=''\nE= # note\n", []Def{{"A", "", 1, ""}, {"B", "", 2, ""}, {"C", "", 3, ""}, {"D", "", 4, ""}, {"E", "", 5, "note"}}},
		{"double quotes", `A="x y" # c` + "\n" + `B=" x "` + "\n", []Def{{"A", "x y", 1, "c"}, {"B", " x ", 2, ""}}},
		{"single quotes", "A='x y' # c\nB='a\"b'\n", []Def{{"A", "x y", 1, "c"}, {"B", `a"b`, 2, ""}}},
		{"text after the closing quote ignored", `A="x"y # c` + "\nB=2\n", []Def{{"A", "x", 1, ""}, {"B", "2", 2, ""}}},
		{"escapes kept raw", `A="a\"b\\" # c` + "\n", []Def{{"A", `a\"b\\`, 1, "c"}}},
		{"no escape in single quotes", `A='a\' # c` + "\n", []Def{{"A", `a\`, 1, "c"}}},
		{"quote inside an unquoted value", "A=x\"y\nB=2\n", []Def{{"A", `x"y`, 1, ""}, {"B", "2", 2, ""}}},
		{"inline comment", "A=x # c\nB=x\t# c\nC=x#y\nD=#y\nE=x #a #b\n", []Def{{"A", "x", 1, "c"}, {"B", "x", 2, "c"}, {"C", "x#y", 3, ""}, {"D", "#y", 4, ""}, {"E", "x", 5, "a #b"}}},
		{"duplicates kept", "A=1\nB=2\nA=3\n", []Def{{"A", "1", 1, ""}, {"B", "2", 2, ""}, {"A", "3", 3, ""}}},
		{"multi-line double quotes", "A=\"x\nB=2\n y\" # c\nC=3\n", []Def{{"A", "x\nB=2\n y", 1, "c"}, {"C", "3", 4, ""}}},
		{"multi-line single quotes", "A='x\nB=2\ny'\nC=3\n", []Def{{"A", "x\nB=2\ny", 1, ""}, {"C", "3", 4, ""}}},
		{"multi-line, rest of the closing line skipped", "A=\"x\ny\" B=2\nC=3\n", []Def{{"A", "x\ny", 1, ""}, {"C", "3", 3, ""}}},
		{"multi-line, CRLF kept raw and counted once", "A=\"x\r\ny\r\nz\"\r\nB=2\r\n", []Def{{"A", "x\r\ny\r\nz", 1, ""}, {"B", "2", 4, ""}}},
		{"multi-line, lone CR", "A='x\ry'\rB=2\r", []Def{{"A", "x\ry", 1, ""}, {"B", "2", 3, ""}}},
		{"multi-line, trailing blanks of the first line kept", "A=\"x  \ny\"\n", []Def{{"A", "x  \ny", 1, ""}}},
		{"multi-line, escaped quote does not close", "A=\"x\\\"\nB=2\n\"\nC=3\n", []Def{{"A", "x\\\"\nB=2\n", 1, ""}, {"C", "3", 4, ""}}},
		{"multi-line, escaped backslash before the closing quote", "A=\"x\\\\\"\nB=2\n", []Def{{"A", `x\\`, 1, ""}, {"B", "2", 2, ""}}},
		{"multi-line, other quote does not close", "A='x\"\nB=2\n'\nC=3\n", []Def{{"A", "x\"\nB=2\n", 1, ""}, {"C", "3", 4, ""}}},
		{"unterminated double quote", "A=\"x # c\nB='y\nC=3\n", []Def{{"A", `"x # c`, 1, ""}, {"B", "'y", 2, ""}, {"C", "3", 3, ""}}},
		{"unterminated after a multi-line value", "A=\"x\ny\"\nB='z\nC=3\n", []Def{{"A", "x\ny", 1, ""}, {"B", "'z", 3, ""}, {"C", "3", 4, ""}}},
		{"quote in a line that is no definition", "not \"a definition\nA=1\n\"\n", []Def{{"A", "1", 2, ""}}},
		{"comments", "A= # optional\nB=x #  Optional: why  \nC=\"x\"# c\nD='x' #\nE=\"x\" y # not after the quote\nF=\"x # in\" # out\n", []Def{{"A", "", 1, "optional"}, {"B", "x", 2, "Optional: why"}, {"C", "x", 3, "c"}, {"D", "x", 4, ""}, {"E", "x", 5, ""}, {"F", "x # in", 6, "out"}}},
		{"comment after a multi-line value", "A=\"x\ny\" # optional\r\nB=1\n", []Def{{"A", "x\ny", 1, "optional"}, {"B", "1", 3, ""}}},
		{"no comment in an unterminated value", "A=\"x # c\n", []Def{{"A", `"x # c`, 1, ""}}},
		{"comment on a comment line is no definition", "# A= # optional\n", nil},
		{"binary junk", "\x00\xff\xfe junk\nA=1\n\xc3\x28\n", []Def{{"A", "1", 2, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Lines([]byte(tt.data)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Lines(%q) =\n%#v\nwant\n%#v", tt.data, got, tt.want)
			}
		})
	}
}

func TestScan(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		key       string
		wantValue string
		wantLine  int
	}{
		{"missing", "A=1\n", "USER_SECRETS_ID", "", 0},
		{"plain", "USER_SECRETS_ID=" + id1 + "\n", "USER_SECRETS_ID", id1, 1},
		{"BOM CRLF export quotes comment", "\ufeff# c\r\n export USER_SECRETS_ID = '" + id1 + "' # id\r\n", "USER_SECRETS_ID", id1, 2},
		{"lone CR", "A=1\rUSER_SECRETS_ID=\"" + id1 + "\"\r", "USER_SECRETS_ID", id1, 2},
		{"last wins", "USER_SECRETS_ID=" + id1 + "\nA=1\nUSER_SECRETS_ID=" + id2 + "\n", "USER_SECRETS_ID", id2, 3},
		{"empty value still defines", "USER_SECRETS_ID=\n", "USER_SECRETS_ID", "", 1},
		{"commented out", "USER_SECRETS_ID=" + id1 + "\n# USER_SECRETS_ID=" + id2 + "\n", "USER_SECRETS_ID", id1, 1},
		{"other keys", "MY_USER_SECRETS_ID=" + id1 + "\nUSER_SECRETS_IDS=" + id2 + "\n", "USER_SECRETS_ID", "", 0},
		{"the caller's key", "USER_SECRETS_ID=a\nexport OTHER_ID = 'b' # c\r\nOTHER_ID=\"c\"\rOTHER_IDX=d\n", "OTHER_ID", "c", 3},
		// A USER_SECRETS_ID line inside a multi-line value is part of
		// the value: the real definition wins, as for godotenv and
		// python-dotenv.
		{"inside multi-line double quotes", "USER_SECRETS_ID=" + id1 + "\nMY=\"a\nUSER_SECRETS_ID=" + id2 + "\nb\"\n", "USER_SECRETS_ID", id1, 1},
		{"inside multi-line single quotes", "USER_SECRETS_ID=" + id1 + "\nMY='a\nUSER_SECRETS_ID=" + id2 + "\nb'\n", "USER_SECRETS_ID", id1, 1},
		{"inside multi-line, CRLF", "USER_SECRETS_ID=" + id1 + "\r\nMY=\"a\r\nUSER_SECRETS_ID=" + id2 + "\r\nb\"\r\n", "USER_SECRETS_ID", id1, 1},
		{"inside multi-line, after an escaped quote", "USER_SECRETS_ID=" + id1 + "\nMY=\"a\\\"\nUSER_SECRETS_ID=" + id2 + "\nb\"\n", "USER_SECRETS_ID", id1, 1},
		{"after a multi-line value", "MY=\"a\nUSER_SECRETS_ID=" + id1 + "\nb\"\nUSER_SECRETS_ID=" + id2 + "\n", "USER_SECRETS_ID", id2, 4},
		// With no closing quote anywhere, the opening line alone is the
		// value, and the next lines are read.
		{"after an unterminated quote", "MY=\"a\nUSER_SECRETS_ID=" + id1 + "\n", "USER_SECRETS_ID", id1, 2},
		{"unterminated ID", "USER_SECRETS_ID=\"" + id1 + "\n", "USER_SECRETS_ID", "\"" + id1, 1},
		{"long line", "CERT=" + strings.Repeat("x", 70000) + "\nUSER_SECRETS_ID=" + id1 + "\n", "USER_SECRETS_ID", id1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			value, line := Scan([]byte(tt.data), tt.key)
			// Fixture IDs only: no secret can be printed here.
			if value != tt.wantValue || line != tt.wantLine {
				t.Errorf("Scan(%s) = %q on line %d; want %q on line %d", tt.key, value, line, tt.wantValue, tt.wantLine)
			}
		})
	}
}
