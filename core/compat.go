package core

import (
	"strings"
)

// Readers is a set of dotenv readers: the compatibility set of SPEC §4.2.
type Readers uint8

// The readers of the compatibility set.
const (
	// ReaderCore is this package's reader.
	ReaderCore Readers = 1 << iota
	// ReaderGodotenv is github.com/joho/godotenv v1.5.1, used by koanf's
	// parsers/dotenv.
	ReaderGodotenv
	// ReaderGotenv is github.com/subosito/gotenv, used by Viper's dotenv codec.
	ReaderGotenv
	// ReaderPythonDotenv is python-dotenv.
	ReaderPythonDotenv
	// ReaderPythonEnvSecrets is the python-env-secrets line reader (SPEC §4.3).
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
	var fallback Form = -1
	for f := FormBare; f <= FormDouble; f++ {
		ok := Accepts(f, value)
		if ok == AllReaders {
			return f, 0
		}
		if fallback < 0 && ok&(ReaderCore|ReaderGodotenv) == ReaderCore|ReaderGodotenv {
			fallback = f
		}
	}
	if fallback < 0 {
		fallback = FormDouble
	}
	return fallback, AllReaders &^ Accepts(fallback, value)
}

// Render writes value in form f. It does not check that f suits value.
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
		case '\\', '"', '$':
			b.WriteByte('\\')
			b.WriteByte(c)
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

// Accepts returns the readers that read Render(f, value), written as a
// KEY= line, back as exactly value.
func Accepts(f Form, value string) Readers {
	var r Readers
	if coreReads(f, value) {
		r |= ReaderCore
	}
	if godotenvReads(f, value) {
		r |= ReaderGodotenv
	}
	if gotenvReads(f, value) {
		r |= ReaderGotenv
	}
	if pythonDotenvReads(f, value) {
		r |= ReaderPythonDotenv
	}
	if pyEnvSecretsReads(f, value) {
		r |= ReaderPythonEnvSecrets
	}
	return r
}

func coreReads(f Form, v string) bool {
	switch f {
	case FormBare:
		if v == "" {
			return true
		}
		if strings.ContainsAny(v, "\r\n") || isBlank(v[0]) || isBlank(v[len(v)-1]) || v[0] == '\'' || v[0] == '"' {
			return false
		}
		for i := 1; i < len(v); i++ {
			if v[i] == '#' && isBlank(v[i-1]) {
				return false
			}
		}
		return true
	case FormSingle:
		return !strings.ContainsAny(v, "'\r")
	}
	return true
}

// The predicates below model the other readers; the differential test in
// compat_test.go checks them against the real parsers.

func godotenvReads(f Form, v string) bool {
	switch f {
	case FormBare:
		return coreReads(f, v) && !strings.ContainsAny(v, "$\\\v\f\u0085\u00a0")
	case FormSingle:
		return coreReads(f, v) && !strings.ContainsAny(v, "\\\n")
	}
	return !strings.HasSuffix(v, "\\") && !strings.HasPrefix(v, `"`) && !strings.HasSuffix(v, `"`) && !strings.Contains(v, "\t")
}

func gotenvReads(f Form, v string) bool { return godotenvReads(f, v) }

func pythonDotenvReads(f Form, v string) bool {
	return f != FormDouble && godotenvReads(f, v)
}

func pyEnvSecretsReads(f Form, v string) bool {
	if strings.ContainsAny(v, "\r\n") {
		return false
	}
	switch f {
	case FormBare:
		return strings.TrimFunc(v, isPySpace) == v && !(len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0])
	case FormSingle:
		return !strings.ContainsAny(v, "'")
	}
	return !strings.ContainsAny(v, `\"$`)
}
