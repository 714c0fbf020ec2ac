package compat

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The models below follow each reader's source, step by step; the comments
// name the step. They must match the real parsers exactly: the differential
// test in compat_test.go checks every one against them.

// godotenvSpace is godotenv's isSpace: blanks, but not line breaks.
func godotenvSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

// isVarByte reports whether c may appear in a variable name that godotenv
// and gotenv expand: [A-Z0-9_].
func isVarByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// godotenvVarAfter reports whether the text after a '$' makes godotenv's
// expandVarRegex, `(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?`, capture a name.
func godotenvVarAfter(s string) bool {
	if s != "" && s[0] == '(' {
		s = s[1:]
	}
	if s != "" && s[0] == '{' {
		s = s[1:]
	}
	return s != "" && isVarByte(s[0])
}

// godotenvExpands reports whether godotenv's expandVariables changes s: a
// "\$" loses its backslash, and a '$' with a name is replaced.
func godotenvExpands(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '$' && (i > 0 && s[i-1] == '\\' || godotenvVarAfter(s[i+1:])) {
			return true
		}
	}
	return false
}

// bareSurvives reports whether a bare value is read back whole by a reader
// that ends it at CR or LF, reads a leading quote as an opening quote, trims
// the runes for which space holds at either end, and starts a comment at a
// '#' after such a rune.
func bareSurvives(v string, space func(rune) bool) bool {
	if v == "" {
		return true
	}
	if strings.ContainsAny(v, "\r\n") || v[0] == '\'' || v[0] == '"' {
		return false
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	if space(first) || space(last) {
		return false
	}
	prev := rune(0)
	for _, r := range v {
		if r == '#' && space(prev) {
			return false
		}
		prev = r
	}
	return true
}

// godotenvReads models github.com/joho/godotenv v1.5.1 (parser.go).
func godotenvReads(f Form, v string) bool {
	switch f {
	case FormBare:
		// The value runs to the first CR or LF; an opening quote makes it
		// a quoted value, whose quotes are dropped; leading and trailing
		// isSpace runes are trimmed; a '#' after one starts a comment.
		return bareSurvives(v, godotenvSpace) && !godotenvExpands(v)
	case FormSingle:
		// CRLF becomes LF in the whole file before parsing.
		if strings.Contains(v, "\r\n") {
			return false
		}
		// The value ends at the first quote not preceded by a backslash.
		for i := 0; i < len(v); i++ {
			if v[i] == '\'' && (i == 0 || v[i-1] != '\\') {
				return false
			}
		}
		// A closing quote after a backslash is skipped, and quote
		// characters at either end of the value are trimmed. There are
		// no escapes and no expansion.
		n := len(v)
		return n == 0 || v[n-1] != '\\' && v[n-1] != '\''
	}
	// Double-quoted, as Render writes it: every quote inside is escaped,
	// so the value ends at the closing quote unless a backslash (the
	// value's last character, escaped) precedes it; a '"' that ends the
	// value is trimmed with the closing quote. The escapes decode right:
	// \n and \r, then \X as X except before '$', then "\$" as '$', and a
	// '$' that would expand is escaped.
	n := len(v)
	return n == 0 || v[n-1] != '\\' && v[n-1] != '"'
}

// gotenvMaxLine is the longest line gotenv can read: bufio.Scanner's
// default token limit, less one.
const gotenvMaxLine = 64*1024 - 1

// gotenvKeyAllowance is the room left for "KEY=" on a value's first line
// when checking gotenvMaxLine: Accepts does not know the key.
const gotenvKeyAllowance = 128

// gotenvExpands reports whether gotenv's variable replacement changes s:
// `(\\)?(\$)(\{?([A-Z0-9_]+)?\}?)` drops the backslash of "\$" and replaces
// a '$' with a name.
func gotenvExpands(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		if i > 0 && s[i-1] == '\\' {
			return true
		}
		rest := s[i+1:]
		if rest != "" && rest[0] == '{' {
			rest = rest[1:]
		}
		if rest != "" && isVarByte(rest[0]) {
			return true
		}
	}
	return false
}

// gotenvLinesFit reports whether every physical line of text fits
// bufio.Scanner's limit, the first with room for the key.
func gotenvLinesFit(text string) bool {
	if len(text)+gotenvKeyAllowance <= gotenvMaxLine {
		return true
	}
	first := true
	for text != "" {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			i = len(text)
		}
		limit := gotenvMaxLine
		if first {
			limit -= gotenvKeyAllowance
		}
		if i > limit {
			return false
		}
		first = false
		if i < len(text) {
			i++
		}
		text = text[i:]
	}
	return true
}

// gotenvClosesOnFirstLine is gotenv's test for a quoted value that ends on
// the line it starts: with val the trimmed text after '=' (which starts
// with quote q), idx := strings.LastIndex(strings.TrimSpace(val[1:]), q),
// and the line is closed when idx >= 0 && val[idx] != '\\'. (The index is
// into the trimmed text but is used on val: a quirk.)
func gotenvClosesOnFirstLine(val string, q byte) bool {
	idx := strings.LastIndexByte(strings.TrimSpace(val[1:]), q)
	return idx >= 0 && val[idx] != '\\'
}

// gotenvReads models github.com/subosito/gotenv v1.6.0 (gotenv.go) as
// Viper's dotenv codec calls it (StrictParse). text is Render(f, v) for
// FormDouble.
func gotenvReads(f Form, v, text string) bool {
	switch f {
	case FormBare:
		if v == "" {
			return true
		}
		// Lines end at CR, LF or CRLF; the line and the value are trimmed
		// of Unicode white space; the value pattern [^#\n]+ stops at any
		// '#', and the rest is read as a comment.
		if strings.ContainsAny(v, "\r\n#") || !gotenvLinesFit(v) {
			return false
		}
		first, _ := utf8.DecodeRuneInString(v)
		last, _ := utf8.DecodeLastRuneInString(v)
		if unicode.IsSpace(first) || unicode.IsSpace(last) {
			return false
		}
		if q := v[0]; q == '\'' || q == '"' {
			// An opening quote: the value must look closed on this line
			// (else the next lines are read into it), and a value that
			// also ends with the quote loses both.
			if len(v) < 2 || !gotenvClosesOnFirstLine(v, q) || v[len(v)-1] == q {
				return false
			}
		}
		return !gotenvExpands(v)
	case FormSingle:
		// A CR ends a line and lines are joined with LF.
		if strings.IndexByte(v, '\r') >= 0 || !gotenvLinesFit(v) {
			return false
		}
		nl := strings.IndexByte(v, '\n')
		if nl < 0 {
			return gotenvClosesOnFirstLine("'"+v+"'", '\'')
		}
		// A multi-line value. The first line is trimmed before the next
		// ones are appended to it, so it must not end in white space,
		// and must not look closed.
		seg := v[:nl]
		if strings.TrimRightFunc(seg, unicode.IsSpace) != seg || gotenvClosesOnFirstLine("'"+seg, '\'') {
			return false
		}
		// Each further line closes the value when it has a quote whose
		// last occurrence is not after a backslash; only the last line may.
		rest := v[nl+1:]
		for {
			nl = strings.IndexByte(rest, '\n')
			if nl < 0 {
				break
			}
			seg, rest = rest[:nl], rest[nl+1:]
			if idx := strings.LastIndexByte(seg, '\''); idx == 0 || idx > 0 && seg[idx-1] != '\\' {
				return false
			}
		}
		return rest == "" || rest[len(rest)-1] != '\\'
	}
	// Double-quoted (one physical line, as Render writes it).
	if !gotenvLinesFit(text) || !gotenvClosesOnFirstLine(text, '"') {
		return false
	}
	// \n and \r are replaced before other escapes, so a backslash in the
	// value (written \\) followed by 'n' or 'r' turns into a line break.
	// Then \X is X except before '$', and "\$" is '$' (escaped where needed).
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '\\' && (v[i+1] == 'n' || v[i+1] == 'r') {
			return false
		}
	}
	return true
}

// pyDollarBrace reports whether python-dotenv's interpolation changes s: it
// replaces every match of `\$\{([^\}:]*)(?::-([^\}]*))?\}`.
func pyDollarBrace(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' || s[i+1] != '{' {
			continue
		}
		j := i + 2
		for j < len(s) && s[j] != '}' && s[j] != ':' {
			j++
		}
		if j < len(s) && s[j] == '}' {
			return true
		}
		if j+1 < len(s) && s[j] == ':' && s[j+1] == '-' && strings.IndexByte(s[j+2:], '}') >= 0 {
			return true
		}
	}
	return false
}

// pythonDotenvReads models python-dotenv 0.21 (parser.py, main.py) reading
// a file as dotenv_values and load_dotenv do: opened in text mode, so CR and
// CRLF become LF, with interpolation on.
func pythonDotenvReads(f Form, v string) bool {
	// ${NAME} and ${NAME:-default} are expanded in every form.
	if pyDollarBrace(v) {
		return false
	}
	switch f {
	case FormBare:
		// White space after '=' is skipped; a quote starts a quoted value;
		// the value runs to the end of the line, is cut at white space
		// followed by '#', and is right-stripped.
		return bareSurvives(v, IsPySpace)
	case FormSingle:
		// `'((?:\\'|[^'])*)'`, then \\ and \' are decoded: a quote or a
		// doubled backslash changes the value, and a final backslash pairs
		// with the closing quote, running the value on to the next quote
		// in the file.
		if strings.ContainsAny(v, "'\r") || strings.Contains(v, `\\`) {
			return false
		}
		return v == "" || v[len(v)-1] != '\\'
	}
	// Double-quoted: `"((?:\\"|[^"])*)"`, then \\ \' \" \a \b \f \n \r \t
	// \v are decoded; "\$" is kept as two characters. A final backslash
	// (written \\) pairs with the closing quote.
	for i := 0; i < len(v); i++ {
		if v[i] == '$' && dollarNeedsEscape(v, i) {
			return false
		}
	}
	return v == "" || v[len(v)-1] != '\\'
}

// pyEnvSecretsReads models the python-env-secrets reader: per
// line (LF, CRLF or CR), the value after the first '=' is stripped of
// Python white space and loses one pair of matching surrounding quotes; no
// escapes. text is Render(f, v) for FormDouble.
func pyEnvSecretsReads(f Form, v, text string) bool {
	if strings.ContainsAny(v, "\r\n") {
		return false
	}
	switch f {
	case FormBare:
		if strings.TrimFunc(v, IsPySpace) != v {
			return false
		}
		return !(utf8.RuneCountInString(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0])
	case FormSingle:
		return true
	}
	// Read without escapes: only a value Render writes unescaped.
	return len(text) == len(v)+2
}

// IsPySpace reports whether Python's str.isspace holds for r: Unicode white
// space plus the separators U+001C to U+001F. python-env-secrets strips it
// from lines, keys and values.
func IsPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680,
		0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}
