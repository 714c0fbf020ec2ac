package core

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Entry is one secret: a key, its value, and the 1-based line of the file
// where it is defined (0 for an entry that is not from a file).
type Entry struct {
	Key   string
	Value string
	Line  int
}

// Dialect is the set of rules a file is read by.
type Dialect int

const (
	// DialectGo is this project's grammar (see the package documentation).
	DialectGo Dialect = iota
	// DialectPython is the line format python-env-secrets writes, recognised
	// by its header line and read by that tool's rules.
	DialectPython
)

// pythonHeaders are the first lines python-env-secrets writes.
var pythonHeaders = []string{"# Python User Secrets", "# Python Env Secrets"}

// span is a definition in a file: the entry and the bytes [start, end) it
// occupies, its line terminator included.
type span struct {
	Entry
	start, end int
}

// parsed is a file split into its definitions.
type parsed struct {
	src     string
	dialect Dialect
	defs    []span // every definition, duplicates included, in file order
}

// Parse reads dotenv text and returns its entries, one per key, in file
// order. A key defined twice takes its last value and the position of its
// last definition. filename is used in errors only.
//
// The errors are *ParseError values naming the file and line; they never
// contain text from the file.
func Parse(data []byte, filename string) ([]Entry, error) {
	p, err := parse(data, filename)
	if err != nil {
		return nil, err
	}
	return p.entries(), nil
}

// Read is Parse over an io.Reader.
func Read(r io.Reader, filename string) ([]Entry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filename, err)
	}
	return Parse(data, filename)
}

// DetectDialect reports which rules a file's text is read by.
func DetectDialect(data []byte) Dialect {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	first := data
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		first = data[:i]
	}
	first = bytes.TrimRight(first, " \t")
	for _, h := range pythonHeaders {
		if bytes.HasPrefix(first, []byte(h)) {
			return DialectPython
		}
	}
	return DialectGo
}

// entries returns the effective entries: last definition wins, in the order
// of the winning definitions.
func (p *parsed) entries() []Entry {
	if len(p.defs) == 0 {
		return nil
	}
	last := make(map[string]int, len(p.defs))
	for i, d := range p.defs {
		last[d.Key] = i
	}
	out := make([]Entry, 0, len(last))
	for i, d := range p.defs {
		if last[d.Key] == i {
			out = append(out, d.Entry)
		}
	}
	return out
}

func parse(data []byte, filename string) (*parsed, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &ParseError{File: filename, Line: lineAt(data, i), Reason: "NUL byte"}
	}
	if !utf8.Valid(data) {
		return nil, &ParseError{File: filename, Line: lineAt(data, invalidUTF8At(data)), Reason: "invalid UTF-8"}
	}
	if DetectDialect(data) == DialectPython {
		return parsePython(string(data)), nil
	}
	return parseGo(string(data), filename)
}

func lineAt(data []byte, off int) int {
	n := 1
	for i := 0; i < off && i < len(data); i++ {
		if data[i] == '\n' || data[i] == '\r' && (i+1 >= len(data) || data[i+1] != '\n') {
			n++
		}
	}
	return n
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func trimLeftBlank(s string) string {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return s[i:]
}

func trimRightBlank(s string) string {
	i := len(s)
	for i > 0 && isBlank(s[i-1]) {
		i--
	}
	return s[:i]
}

// lineEnd returns the index of the terminator of the line starting at pos
// (len(s) if none) and the index just past it.
func lineEnd(s string, pos int) (eol, next int) {
	for i := pos; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return i, i + 1
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return i, i + 2
			}
			return i, i + 1
		}
	}
	return len(s), len(s)
}

// parseGo reads this project's grammar.
func parseGo(s, filename string) (*parsed, error) {
	p := &parsed{src: s}
	pos := 0
	if strings.HasPrefix(s, "\ufeff") {
		pos = 3
	}
	line := 1
	fail := func(l int, format string, a ...any) error {
		return &ParseError{File: filename, Line: l, Reason: fmt.Sprintf(format, a...)}
	}
	for pos < len(s) {
		start, startLine := pos, line
		eol, next := lineEnd(s, pos)
		t := trimLeftBlank(s[pos:eol])
		if t == "" || t[0] == '#' {
			pos, line = next, line+1
			continue
		}
		if len(t) > 6 && strings.HasPrefix(t, "export") && isBlank(t[6]) {
			t = trimLeftBlank(t[6:])
		}
		eq := strings.IndexByte(t, '=')
		if eq < 0 {
			return nil, fail(line, "expected KEY=VALUE: no '=' on this line")
		}
		key := trimRightBlank(t[:eq])
		if key == "" {
			return nil, fail(line, "empty key before '='")
		}
		rest := trimLeftBlank(t[eq+1:])
		off := eol - len(rest) // offset of rest in s
		var value string
		var after int // offset just past the value's text
		switch {
		case rest != "" && rest[0] == '\'':
			j := strings.IndexByte(s[off+1:], '\'')
			if j < 0 {
				return nil, fail(startLine, "key %q: unterminated single-quoted value", key)
			}
			raw := s[off+1 : off+1+j]
			value, line = normalizeBreaks(raw), line+countBreaks(raw)
			after = off + 1 + j + 1
		case rest != "" && rest[0] == '"':
			j, simple := off+1, true
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					simple = false
					j++
				} else if s[j] == '\r' || s[j] == '\n' {
					simple = false
				}
			}
			if j >= len(s) {
				return nil, fail(startLine, "key %q: unterminated double-quoted value", key)
			}
			raw := s[off+1 : j]
			if simple {
				value = raw
			} else {
				value, line = unescape(raw), line+countBreaks(raw)
			}
			after = j + 1
		default:
			v := rest
			prevBlank := off > start && isBlank(s[off-1])
			for i := 0; i < len(v); i++ {
				if v[i] == '#' && (prevBlank || i > 0 && isBlank(v[i-1])) {
					v = v[:i]
					break
				}
				prevBlank = false
			}
			value = trimRightBlank(v)
			after = eol
		}
		if after != eol {
			// After a closing quote: blanks and an optional comment only.
			e, n := lineEnd(s, after)
			tail := trimLeftBlank(s[after:e])
			if tail != "" && tail[0] != '#' {
				return nil, fail(line, "key %q: unexpected text after the closing quote", key)
			}
			next = n
		}
		p.defs = append(p.defs, span{Entry: Entry{Key: key, Value: value, Line: startLine}, start: start, end: next})
		pos, line = next, line+1
	}
	return p, nil
}

// countBreaks counts line breaks (LF, CRLF or a lone CR) in s.
func countBreaks(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' && (i+1 >= len(s) || s[i+1] != '\n') {
			n++
		}
	}
	return n
}

// normalizeBreaks turns CRLF and lone CR line breaks into LF.
func normalizeBreaks(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// unescape decodes a double-quoted value: \\ \" \n \r \t \$ are escapes,
// any other backslash is literal, and raw line breaks become LF.
func unescape(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\' && i+1 < len(raw):
			switch raw[i+1] {
			case '\\', '"', '$':
				b.WriteByte(raw[i+1])
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte('\\')
				continue
			}
			i++
		case c == '\r':
			b.WriteByte('\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parsePython reads a file by python-env-secrets' rules (SPEC §4.3): per
// line, strip Python whitespace, skip blank and '#' lines and lines without
// '=', drop one "export ", split at the first '=', strip both sides, and
// remove one pair of matching surrounding quotes. No escapes, no multi-line
// values.
func parsePython(s string) *parsed {
	p := &parsed{src: s, dialect: DialectPython}
	pos, line := 0, 1
	for pos < len(s) {
		start := pos
		eol, next := lineEnd(s, pos)
		t := strings.TrimFunc(s[pos:eol], isPySpace)
		pos, line = next, line+1
		if t == "" || t[0] == '#' {
			continue
		}
		t = strings.TrimPrefix(t, "export ")
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimFunc(k, isPySpace), strings.TrimFunc(v, isPySpace)
		if utf8.RuneCountInString(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		p.defs = append(p.defs, span{Entry: Entry{Key: k, Value: v, Line: line - 1}, start: start, end: next})
	}
	return p
}

// isPySpace reports whether Python's str.isspace holds for r: Unicode white
// space plus the separators U+001C to U+001F.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680,
		0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}
