package core

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Entry is one secret: a key, its value, and the 1-based line of the file
// where it is defined (0 for an entry that is not from a file).
type Entry struct {
	Key   string // the key, as written
	Value string // the value, decoded
	Line  int    // 1-based line of the definition; 0 when not from a file
}

// dialect is the set of rules a file is read by.
type dialect int

const (
	// dialectGo is this project's grammar (see the package documentation).
	dialectGo dialect = iota
	// dialectPython is the line format python-env-secrets writes, recognised
	// by its header line and read by that tool's rules.
	dialectPython
)

// pythonHeaders are the first lines python-env-secrets writes.
var pythonHeaders = []string{"# Python User Secrets", "# Python Env Secrets"}

// bom is the UTF-8 byte-order mark, skipped at the start of a file.
const bom = "\ufeff"

// span is a definition in a file: the entry and the bytes [start, end) it
// occupies, its line terminator included.
type span struct {
	Entry
	start, end int
}

// parsed is a file split into its definitions.
type parsed struct {
	src     string
	dialect dialect
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

// parse checks the encoding, picks the dialect and reads every definition.
func parse(data []byte, filename string) (*parsed, error) {
	if err := checkText(data, filename); err != nil {
		return nil, err
	}
	if detectDialect(data) == dialectPython {
		return parsePython(string(data)), nil
	}
	return parseGo(string(data), filename)
}

// detectDialect reports which rules a file's text is read by.
func detectDialect(data []byte) dialect {
	first := bytes.TrimPrefix(data, []byte(bom))
	if i := bytes.IndexAny(first, "\r\n"); i >= 0 {
		first = first[:i]
	}
	for _, h := range pythonHeaders {
		if bytes.HasPrefix(first, []byte(h)) {
			return dialectPython
		}
	}
	return dialectGo
}

// entries returns the effective entries: the last definition of each key
// wins, in the order of the winning definitions.
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

// checkText reports a NUL byte or invalid UTF-8, with its line.
func checkText(data []byte, filename string) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &ParseError{File: filename, Line: lineAt(data, i), Reason: "NUL byte"}
	}
	if utf8.Valid(data) {
		return nil
	}
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return &ParseError{File: filename, Line: lineAt(data, i), Reason: "invalid UTF-8"}
}

// lineAt returns the 1-based number of the line holding data[off].
func lineAt(data []byte, off int) int {
	return 1 + countBreaks(string(data[:off]))
}

// lineEnd returns the index of the terminator of the line starting at pos
// (len(s) if none) and the index just past it. LF, CRLF and a lone CR end a
// line.
func lineEnd(s string, pos int) (eol, next int) {
	lines := newLines(s)
	return lines.end(pos)
}

// lines finds the ends of a text's lines, for a reader that moves forward
// through it. It remembers where the next LF is, so that a text of lines
// ending in lone CRs is not searched to its end for an LF at every line.
type lines struct {
	s  string
	lf int // index of the first LF at or after the last position asked, or len(s)
}

func newLines(s string) lines { return lines{s: s, lf: -1} }

// end returns the index of the terminator of the line starting at pos
// (len(s) if none) and the index just past it.
func (l *lines) end(pos int) (eol, next int) {
	if l.lf < pos {
		l.lf = len(l.s)
		if i := strings.IndexByte(l.s[pos:], '\n'); i >= 0 {
			l.lf = pos + i
		}
	}
	eol = l.lf
	if i := strings.IndexByte(l.s[pos:eol], '\r'); i >= 0 {
		eol = pos + i // a CR ends the line, alone or before the LF
	}
	switch {
	case eol == len(l.s):
		return eol, eol
	case l.s[eol] == '\r' && eol+1 < len(l.s) && l.s[eol+1] == '\n':
		return eol, eol + 2
	}
	return eol, eol + 1
}
