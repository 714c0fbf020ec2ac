// Package envid is the one tolerant reader of .env files that the project
// keeps for the places that must read a file its strict reader (core.Parse)
// may reject: core's lookup of USER_SECRETS_ID, internal/testguard (which
// core's own tests import, and so cannot import core), scan's check of
// the keys of a project's .env, and the manifest of the keys a project
// expects (see Manifest), which core and the CLI both read.
//
// It never fails: a line it does not understand is skipped. It reads:
//
//   - A leading UTF-8 byte-order mark is skipped. LF, CRLF and a lone CR
//     end a line. Lines are trimmed of white space; blank lines and lines
//     starting with '#' are skipped.
//   - "export" followed by a blank or a tab before the key is dropped.
//   - The key is the text before the first '=', trimmed; a line without
//     '=', with an empty key or with a key starting with '#' is skipped.
//   - The value is the text after the '=', trimmed. One starting with a
//     double or a single quote runs to the matching closing quote (what
//     follows it on its line is ignored); inside double quotes a backslash
//     escapes the next character. As for godotenv and python-dotenv, when
//     the closing quote is not on the key's line the value continues over
//     the following lines up to it: those lines are the value, not
//     definitions, and the scan goes on at the line after the closing
//     quote. When there is no closing quote at all, the value is the rest
//     of the key's line as written, opening quote included, and the scan
//     goes on at the next line.
//   - An unquoted value is cut at a '#' that follows a blank or a tab (the
//     blanks after '=' included, so "KEY= # note" is empty), and trimmed.
//     What follows the '#' is the definition's comment, as is what follows
//     a '#' after the closing quote of a quoted value.
package envid

import "strings"

// Def is one definition line of a .env file.
type Def struct {
	// Key is the trimmed text before the '='.
	Key string
	// Value is the text between the quotes of a quoted value, as written
	// (no escape is decoded, a multi-line value keeps its line breaks), or
	// the unquoted value without its comment.
	Value string
	// Line is the 1-based number of the line that holds the key.
	Line int
	// Comment is the text of the comment that ends the definition, after
	// its '#' and trimmed, or "": the comment of an unquoted value (from a
	// '#' that follows a blank or a tab), or a '#' and what follows it
	// after the closing quote of a quoted value, on the line of that
	// quote. An unterminated quoted value has no comment.
	Comment string
}

// Lines returns the definitions of data, the text of a .env file, in file
// order, keys defined more than once included (see the package doc for
// what is read as a definition).
func Lines(data []byte) []Def {
	s := strings.TrimPrefix(string(data), "\ufeff")
	var defs []Def
	n := 0 // the number of the line being read
	for i := 0; i < len(s); {
		n++
		end, next := LineEnd(s, i)
		line := s[i:end]
		i = next

		l := strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(l, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			l = strings.TrimSpace(rest)
		}
		key, _, ok := strings.Cut(l, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || key[0] == '#' {
			continue // a comment, a blank line, or not a definition
		}
		d := Def{Key: key, Line: n}

		// raw is the value as written: line's text after its first '='
		// (which is l's: a dropped "export" holds none).
		raw := line[strings.IndexByte(line, '=')+1:]
		value := strings.TrimSpace(raw)
		if value == "" || value[0] != '"' && value[0] != '\'' {
			d.Value, d.Comment = cutComment(raw)
		} else {
			// Only white space precedes the opening quote in raw, and raw
			// ends where line does, at s[end].
			open := end - len(raw) + strings.IndexByte(raw, value[0])
			closing := closingQuote(s, open)
			switch {
			case closing < 0:
				// No closing quote anywhere: the line alone is the value.
				d.Value = value
			case closing < end:
				d.Value = s[open+1 : closing]
				d.Comment = afterQuote(s[closing+1 : end])
			default:
				// The value spans lines: they are skipped, with the rest
				// of the line of the closing quote.
				d.Value = s[open+1 : closing]
				n += countLineBreaks(s[end:closing])
				var closingEnd int
				closingEnd, i = LineEnd(s, closing)
				d.Comment = afterQuote(s[closing+1 : closingEnd])
			}
		}
		defs = append(defs, d)
	}
	return defs
}

// Scan returns the value of the last definition of key in data, the text
// of a .env file, and the 1-based number of its line; line is 0 when data
// does not define key. The value is as Lines returns it, not validated.
func Scan(data []byte, key string) (value string, line int) {
	for _, d := range Lines(data) {
		if d.Key == key {
			value, line = d.Value, d.Line
		}
	}
	return value, line
}

// LineEnd returns the end of the line that starts at s[i], its line
// terminator (LF, CRLF or CR) excluded, and the start of the next line.
func LineEnd(s string, i int) (end, next int) {
	j := strings.IndexAny(s[i:], "\r\n")
	if j < 0 {
		return len(s), len(s)
	}
	end = i + j
	if s[end] == '\r' && end+1 < len(s) && s[end+1] == '\n' {
		return end, end + 2
	}
	return end, end + 1
}

// closingQuote returns the offset in s of the quote that closes the one at
// s[open], or -1 if there is none. Inside double quotes a backslash
// escapes the next byte; single quotes have no escapes.
func closingQuote(s string, open int) int {
	q := s[open]
	for j := open + 1; j < len(s); j++ {
		switch {
		case s[j] == q:
			return j
		case q == '"' && s[j] == '\\':
			j++ // the escaped byte cannot close the value
		}
	}
	return -1
}

// countLineBreaks returns the number of line terminators in s, a CRLF
// counting once.
func countLineBreaks(s string) int {
	n := 0
	for j := 0; j < len(s); j++ {
		if s[j] == '\n' || s[j] == '\r' && (j+1 == len(s) || s[j+1] != '\n') {
			n++
		}
	}
	return n
}

// cutComment splits an unquoted value, raw (the text after '='), at its
// comment (from a '#' that follows a blank or a tab), and returns the
// value and the comment's text after the '#', both trimmed.
func cutComment(raw string) (value, comment string) {
	for j := 1; j < len(raw); j++ {
		if raw[j] == '#' && (raw[j-1] == ' ' || raw[j-1] == '\t') {
			return strings.TrimSpace(raw[:j]), strings.TrimSpace(raw[j+1:])
		}
	}
	return strings.TrimSpace(raw), ""
}

// afterQuote returns the comment in rest, the text that follows a closing
// quote on its line: the text after a '#' that only blanks precede,
// trimmed, or "".
func afterQuote(rest string) string {
	rest = strings.TrimSpace(rest)
	if c, ok := strings.CutPrefix(rest, "#"); ok {
		return strings.TrimSpace(c)
	}
	return ""
}
