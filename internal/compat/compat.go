// Package compat chooses how the store writes each value so that every
// dotenv reader a project may use reads it back exactly: this module's
// reader (package core), godotenv (koanf's dotenv parser), gotenv (Viper's
// dotenv codec), python-dotenv and python-env-secrets. Each reader is
// modelled from its source; the differential test in package core checks
// the models against the real parsers.
package compat

import (
	"strings"
)

// Readers is a set of dotenv readers of the compatibility set.
type Readers uint8

// The readers of the compatibility set.
const (
	// ReaderCore is this package's reader.
	ReaderCore Readers = 1 << iota
	// ReaderGodotenv is github.com/joho/godotenv v1.5.1, used by koanf's
	// parsers/dotenv.
	ReaderGodotenv
	// ReaderGotenv is github.com/subosito/gotenv v1.6.0, used by Viper's
	// dotenv codec.
	ReaderGotenv
	// ReaderPythonDotenv is python-dotenv (as packaged by Debian, 0.21).
	ReaderPythonDotenv
	// ReaderPythonEnvSecrets is the python-env-secrets line reader.
	ReaderPythonEnvSecrets

	// AllReaders is the whole compatibility set.
	AllReaders = ReaderCore | ReaderGodotenv | ReaderGotenv | ReaderPythonDotenv | ReaderPythonEnvSecrets
)

var readerNames = []struct {
	r    Readers
	name string
}{
	{ReaderCore, "user-secrets"},
	{ReaderGodotenv, "godotenv (koanf dotenv.Parser)"},
	{ReaderGotenv, "gotenv (Viper dotenv)"},
	{ReaderPythonDotenv, "python-dotenv"},
	{ReaderPythonEnvSecrets, "python-env-secrets"},
}

// Names returns the names of the readers in the set, in a fixed order.
func (r Readers) Names() []string {
	var out []string
	for _, n := range readerNames {
		if r&n.r != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// String returns the names of the readers in the set, comma-separated.
func (r Readers) String() string { return strings.Join(r.Names(), ", ") }

// Form is a way of writing a value after "KEY=".
type Form int

// The forms, in the writer's order of preference.
const (
	FormBare   Form = iota // KEY=value
	FormSingle             // KEY='value'
	FormDouble             // KEY="value" with \\ \" \n \r \$ escapes
)

// String names the form: "bare", "single-quoted" or "double-quoted".
func (f Form) String() string {
	return [...]string{"bare", "single-quoted", "double-quoted"}[f]
}

// FormatValue returns the text to write after "KEY=" for value, and the
// readers of the compatibility set that would read that text as something
// other than value (empty when every reader agrees).
//
// It picks the first of bare, single-quoted and double-quoted that every
// reader reads back exactly; where none does, the first that this package
// and godotenv both read exactly; where not even godotenv can, the
// double-quoted form, which this package always reads exactly.
func FormatValue(value string) (text string, misread Readers) {
	f, misread := ChooseForm(value)
	return Render(f, value), misread
}

// ChooseForm returns the form FormatValue uses for value and the readers
// that would misread it in that form.
func ChooseForm(value string) (Form, Readers) {
	if isPlain(value) {
		return FormBare, 0
	}
	var fallback Form = -1
	var fallbackOK Readers
	for f := FormBare; f <= FormDouble; f++ {
		ok := Accepts(f, value)
		if ok == AllReaders {
			return f, 0
		}
		if fallback < 0 && ok&(ReaderCore|ReaderGodotenv) == ReaderCore|ReaderGodotenv {
			fallback, fallbackOK = f, ok
		}
	}
	if fallback < 0 {
		return FormDouble, AllReaders &^ Accepts(FormDouble, value)
	}
	return fallback, AllReaders &^ fallbackOK
}

// plainByte marks the bytes that no reader of the compatibility set treats
// specially in a bare value: letters, digits and _ - . / : @ + , % =.
var plainByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "_-./:@+,%=" {
		t[c] = true
	}
	return t
}()

// isPlain reports whether value is made of plain bytes only and short
// enough for every reader's line limit, so that every reader reads it bare
// (the fast path of ChooseForm; TestPlainFastPath checks it against Accepts).
func isPlain(value string) bool {
	if len(value) > 4096 {
		return false
	}
	for i := 0; i < len(value); i++ {
		if !plainByte[value[i]] {
			return false
		}
	}
	return true
}

// Render writes value in form f. It does not check that f suits value.
//
// The double-quoted form escapes '\\', '"', LF (as \n) and CR (as \r). It
// escapes '$' only where godotenv or gotenv would otherwise expand or eat
// it (before a name character, '{' or '(', or after a backslash), because
// python-dotenv and python-env-secrets read "\$" as two characters. Every
// other character, tab included, is written as itself.
func Render(f Form, value string) string {
	switch f {
	case FormBare:
		return value
	case FormSingle:
		return "'" + value + "'"
	}
	var b strings.Builder
	b.Grow(len(value) + 2)
	b.WriteByte('"')
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '$':
			if dollarNeedsEscape(value, i) {
				b.WriteByte('\\')
			}
			b.WriteByte('$')
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// dollarNeedsEscape reports whether the '$' at v[i] is written as "\$" in
// the double-quoted form: where godotenv's or gotenv's variable expansion
// would take it (a name character after an optional '(' and '{'), or where
// the backslash before it would combine with it into godotenv's "\$".
func dollarNeedsEscape(v string, i int) bool {
	return i > 0 && v[i-1] == '\\' || godotenvVarAfter(v[i+1:])
}

// Accepts returns the readers that read Render(f, value), written as a
// KEY= line, back as exactly value, wherever the line stands in a file and
// leaving the lines around it as they were.
//
// The models of the other readers are derived from their sources (see the
// functions below) and checked against the real parsers by the differential
// test in compat_test.go; docs/compat-matrix.md shows the results. One
// approximation: gotenv cannot read a line longer than 65535 bytes, and
// Accepts, which does not know the key, allows 128 bytes for "KEY=".
func Accepts(f Form, value string) Readers {
	text := ""
	if f == FormDouble {
		text = Render(f, value)
	}
	var r Readers
	if coreReads(f, value) {
		r |= ReaderCore
	}
	if godotenvReads(f, value) {
		r |= ReaderGodotenv
	}
	if gotenvReads(f, value, text) {
		r |= ReaderGotenv
	}
	if pythonDotenvReads(f, value) {
		r |= ReaderPythonDotenv
	}
	if pyEnvSecretsReads(f, value, text) {
		r |= ReaderPythonEnvSecrets
	}
	return r
}

// coreReads models package core's grammar (core/read_go.go).
func coreReads(f Form, v string) bool {
	switch f {
	case FormBare:
		if v == "" {
			return true
		}
		if strings.ContainsAny(v, "\r\n") || isBlankByte(v[0]) || isBlankByte(v[len(v)-1]) || v[0] == '\'' || v[0] == '"' {
			return false
		}
		for i := 1; i < len(v); i++ {
			if v[i] == '#' && isBlankByte(v[i-1]) {
				return false
			}
		}
		return true
	case FormSingle:
		return !strings.ContainsAny(v, "'\r")
	}
	return true
}

func isBlankByte(c byte) bool { return c == ' ' || c == '\t' }
