package core

import (
	"fmt"
	"strings"
)

// parseGo reads this project's grammar (see the package documentation):
// every definition, duplicates included, with the bytes it spans.
func parseGo(src, filename string) (*parsed, error) {
	fail := func(line int, format string, a ...any) error {
		return &ParseError{File: filename, Line: line, Reason: fmt.Sprintf(format, a...)}
	}
	p := &parsed{src: src, defs: make([]span, 0, strings.Count(src, "\n")+1)}
	pos, line := 0, 1
	if strings.HasPrefix(src, bom) {
		pos = len(bom)
	}
	lines := newLines(src)
	for pos < len(src) {
		start, startLine := pos, line
		eol, next := lines.end(pos)
		pos, line = next, line+1
		t := trimLeftBlank(src[start:eol])
		if t == "" || t[0] == '#' {
			continue
		}
		if rest, ok := strings.CutPrefix(t, "export"); ok && rest != "" && isBlank(rest[0]) {
			t = trimLeftBlank(rest)
		}
		key, rest, ok := strings.Cut(t, "=")
		if !ok {
			return nil, fail(startLine, "expected KEY=VALUE: no '=' on this line")
		}
		if key = trimRightBlank(key); key == "" {
			return nil, fail(startLine, "empty key before '='")
		}
		if reason := badKeyByte(key); reason != "" {
			return nil, fail(startLine, "the text before '=' is not a key: it holds %s (is the '=' missing after the key?)", reason)
		}
		value := trimLeftBlank(rest)
		off := eol - len(value) // where the value starts in src
		quote := byte(0)
		if value != "" && (value[0] == '\'' || value[0] == '"') {
			quote = value[0]
		}
		if quote == 0 {
			// Unquoted: to the end of the line, cut at a '#' that
			// follows a blank (the one before the value counts).
			for i := strings.IndexByte(value, '#'); i >= 0; i = nextHash(value, i) {
				if i > 0 && isBlank(value[i-1]) || i == 0 && isBlank(src[off-1]) {
					value = value[:i]
					break
				}
			}
			p.defs = append(p.defs, span{Entry{key, trimRightBlank(value), startLine}, start, next})
			continue
		}
		// Quoted: to the closing quote, which may be on a later line.
		closing := closingQuote(src, off+1, quote)
		if closing < 0 {
			kind := "single"
			if quote == '"' {
				kind = "double"
			}
			return nil, fail(startLine, "key %q: unterminated %s-quoted value", key, kind)
		}
		raw := src[off+1 : closing]
		line += countBreaks(raw)
		if quote == '"' {
			value = unescape(raw)
		} else {
			value = normalizeBreaks(raw)
		}
		// After the closing quote: blanks and an optional comment only.
		eol, next = lines.end(closing + 1)
		if tail := trimLeftBlank(src[closing+1 : eol]); tail != "" && tail[0] != '#' {
			return nil, fail(line-1, "key %q: unexpected text after the closing quote", key)
		}
		p.defs = append(p.defs, span{Entry{key, value, startLine}, start, next})
		pos = next
	}
	return p, nil
}

// nextHash returns the index of the next '#' in s after index i, or -1.
func nextHash(s string, i int) int {
	if j := strings.IndexByte(s[i+1:], '#'); j >= 0 {
		return i + 1 + j
	}
	return -1
}

// closingQuote returns the index in s of the quote that closes a value
// opened just before from, or -1. In a double-quoted value a backslash
// escapes the byte after it, whatever it is.
func closingQuote(s string, from int, quote byte) int {
	if quote == '\'' {
		if j := strings.IndexByte(s[from:], '\''); j >= 0 {
			return from + j
		}
		return -1
	}
	for i := from; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func trimLeftBlank(s string) string {
	for s != "" && isBlank(s[0]) {
		s = s[1:]
	}
	return s
}

func trimRightBlank(s string) string {
	for s != "" && isBlank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// badKeyByte says what, in a key read from a file, shows that the text
// before '=' is not a key at all but, say, a value whose line lost its '=':
// a blank, a quote or a control character. It returns "" for a plausible
// key. The error built from it never quotes the text.
func badKeyByte(key string) string {
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c == ' ' || c == '\t':
			return "a blank"
		case c == '"' || c == '\'' || c == '`':
			return "a quote"
		case c < 0x20 || c == 0x7f:
			return "a control character"
		}
	}
	return ""
}
