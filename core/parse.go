package core

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"io"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Entry is one secret: a key, its value, and the 1-based line of the file
// where it is defined (0 for an entry that is not from a file).
type Entry struct {
	Key   string // the key, as written
	Value string // the value, decoded
	Line  int    // 1-based line of the definition; 0 when not from a file
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
	// flat holds the definitions instead of defs when only the entries
	// are wanted (Parse): no spans, and no copy into a new slice.
	flat []Entry
}

// Parse reads dotenv text and returns its entries, one per key, in file
// order. A key defined twice takes its last value and the position of its
// last definition. filename is used in errors only.
//
// The errors are *ParseError values naming the file and line; they never
// contain text from the file.
func Parse(data []byte, filename string) ([]Entry, error) {
	p, err := parseData(data, filename, false)
	if err != nil {
		return nil, err
	}
	return p.entries(), nil
}

// parseOwned is Parse for a buffer that nothing else holds or will ever
// modify (Store.All's fresh read of the file): the entries' strings share
// its memory instead of a copy of it.
func parseOwned(data []byte, filename string) ([]Entry, error) {
	if len(data) == 0 {
		return Parse(data, filename)
	}
	if err := checkText(data, filename); err != nil {
		return nil, err
	}
	s := unsafe.String(unsafe.SliceData(data), len(data))
	if DetectDialect(data) == DialectPython {
		return parsePython(s).entries(), nil
	}
	p, err := parseGoMode(s, filename, false)
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
//
// With defs, the result is a new slice each time; with flat, it is flat
// itself, filtered in place.
func (p *parsed) entries() []Entry {
	out := p.flat
	if out == nil {
		if len(p.defs) == 0 {
			return nil
		}
		out = make([]Entry, len(p.defs))
		for i := range p.defs {
			out[i] = p.defs[i].Entry
		}
	}
	if len(out) == 0 || !hasDuplicateKeys(out) {
		return out // the common case
	}
	last := make(map[string]int, len(out))
	for i, e := range out {
		last[e.Key] = i
	}
	n := 0
	for i, e := range out {
		if last[e.Key] == i {
			out[n] = e
			n++
		}
	}
	return out[:n]
}

// keySeed seeds the hash of hasDuplicateKeys.
var keySeed = maphash.MakeSeed()

// hasDuplicateKeys reports whether two entries share a key. It uses an
// open-addressing table of indexes, which holds no pointers and costs far
// less than a map for the garbage collector.
func hasDuplicateKeys(es []Entry) bool {
	if len(es) < 2 {
		return false
	}
	size := 4
	for size < 2*len(es) {
		size <<= 1
	}
	mask := uint64(size - 1)
	table := make([]int32, size) // index+1 of the entry in each slot
	for i := range es {
		h := maphash.String(keySeed, es[i].Key) & mask
		for table[h] != 0 {
			if es[table[h]-1].Key == es[i].Key {
				return true
			}
			h = (h + 1) & mask
		}
		table[h] = int32(i + 1)
	}
	return false
}

// parse reads data for a Document: every definition with its span.
func parse(data []byte, filename string) (*parsed, error) {
	return parseData(data, filename, true)
}

// parseData checks the encoding, picks the dialect and reads data; with
// spans false, a file in this project's grammar is read into parsed.flat.
func parseData(data []byte, filename string, spans bool) (*parsed, error) {
	if err := checkText(data, filename); err != nil {
		return nil, err
	}
	if DetectDialect(data) == DialectPython {
		return parsePython(string(data)), nil
	}
	return parseGoMode(string(data), filename, spans)
}

// checkText reports a NUL byte or invalid UTF-8, with its line.
func checkText(data []byte, filename string) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &ParseError{File: filename, Line: lineAt(data, i), Reason: "NUL byte"}
	}
	if !utf8.Valid(data) {
		return &ParseError{File: filename, Line: lineAt(data, invalidUTF8At(data)), Reason: "invalid UTF-8"}
	}
	return nil
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

// lineScanner finds line ends like lineEnd, with IndexByte, remembering the
// next LF and the next CR so that each is searched for once per file (a
// file of lone-CR lines stays linear).
type lineScanner struct {
	s      string
	lf, cr int // offset of the next LF / CR at or after the last query, or len(s)
}

func newLineScanner(s string) lineScanner {
	return lineScanner{s: s, lf: -1, cr: -1}
}

// next returns the offset of the first c at or after pos, or len(s).
func (ls *lineScanner) next(c byte, cached, pos int) int {
	if cached >= pos {
		return cached
	}
	if i := strings.IndexByte(ls.s[pos:], c); i >= 0 {
		return pos + i
	}
	return len(ls.s)
}

// end returns the index of the terminator of the line starting at pos
// (len(s) if none) and the index just past it.
func (ls *lineScanner) end(pos int) (eol, next int) {
	if ls.lf < pos {
		ls.lf = ls.next('\n', ls.lf, pos)
	}
	if ls.cr < pos {
		ls.cr = ls.next('\r', ls.cr, pos)
	}
	switch {
	case ls.lf < ls.cr:
		return ls.lf, ls.lf + 1
	case ls.cr < len(ls.s):
		if ls.cr+1 == ls.lf && ls.lf < len(ls.s) {
			return ls.cr, ls.cr + 2
		}
		return ls.cr, ls.cr + 1
	}
	return len(ls.s), len(ls.s)
}

// parseGo reads this project's grammar, keeping each definition's span.
func parseGo(s, filename string) (*parsed, error) {
	return parseGoMode(s, filename, true)
}

// parseGoMode reads this project's grammar into parsed.defs (spans) or
// parsed.flat.
func parseGoMode(s, filename string, spans bool) (*parsed, error) {
	// One definition per line at most: sized once, the slice never grows.
	p := &parsed{src: s}
	if n := strings.Count(s, "\n") + 1; spans {
		p.defs = make([]span, 0, n)
	} else {
		p.flat = make([]Entry, 0, n)
	}
	pos := 0
	if strings.HasPrefix(s, "\ufeff") {
		pos = 3
	}
	line := 1
	fail := func(l int, format string, a ...any) error {
		return &ParseError{File: filename, Line: l, Reason: fmt.Sprintf(format, a...)}
	}
	lines := newLineScanner(s)
	for pos < len(s) {
		start, startLine := pos, line
		eol, next := lines.end(pos)
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
		if reason := badKeyByte(key); reason != "" {
			return nil, fail(line, "the text before '=' is not a key: it holds %s (is the '=' missing after the key?)", reason)
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
			// The closing quote is the first '"' not escaped: a backslash
			// escapes the byte after it, whatever it is.
			j, simple := off+1, true
			for {
				q := strings.IndexByte(s[j:], '"')
				if q < 0 {
					j = len(s)
					break
				}
				b := strings.IndexByte(s[j:j+q], '\\')
				if b < 0 {
					j += q
					break
				}
				simple = false
				if j += b + 2; j >= len(s) {
					j = len(s)
					break
				}
			}
			if j >= len(s) {
				return nil, fail(startLine, "key %q: unterminated double-quoted value", key)
			}
			raw := s[off+1 : j]
			if simple && strings.IndexByte(raw, '\n') < 0 && strings.IndexByte(raw, '\r') < 0 {
				value = raw
			} else {
				value, line = unescape(raw), line+countBreaks(raw)
			}
			after = j + 1
		default:
			v := rest
			for i := 0; ; i++ {
				j := strings.IndexByte(v[i:], '#')
				if j < 0 {
					break
				}
				// A '#' that follows a blank starts a comment; at i == 0
				// the blank would be the one before the value.
				if i += j; i > 0 && isBlank(v[i-1]) || i == 0 && off > start && isBlank(s[off-1]) {
					v = v[:i]
					break
				}
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
		if spans {
			p.defs = append(p.defs, span{Entry: Entry{Key: key, Value: value, Line: startLine}, start: start, end: next})
		} else {
			p.flat = append(p.flat, Entry{Key: key, Value: value, Line: startLine})
		}
		pos, line = next, line+1
	}
	return p, nil
}

// badKeyByte says what, in a key read from a file, shows that the text
// before '=' is not a key at all but, say, a value whose line lost its '=':
// a blank, a quote or a control character. It returns "" for a plausible
// key. The error built from it never quotes the text.
func badKeyByte(key string) string {
	for i := 0; i < len(key); i++ {
		if r := keyByteReason[key[i]]; r != "" {
			return r
		}
	}
	return ""
}

// keyByteReason maps each byte that cannot be in a key read from a file to
// the reason badKeyByte gives.
var keyByteReason = func() (t [256]string) {
	for c := 0; c < 0x20; c++ {
		t[c] = "a control character"
	}
	t[0x7f] = "a control character"
	t[' '], t['\t'] = "a blank", "a blank"
	t['"'], t['\''], t['`'] = "a quote", "a quote", "a quote"
	return t
}()

// countBreaks counts line breaks (LF, CRLF or a lone CR) in s.
func countBreaks(s string) int {
	n := strings.Count(s, "\n")
	if strings.IndexByte(s, '\r') < 0 {
		return n
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' && (i+1 >= len(s) || s[i+1] != '\n') {
			n++ // a lone CR
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
		// Copy the run up to the next backslash or CR at once.
		j := i
		for j < len(raw) && raw[j] != '\\' && raw[j] != '\r' {
			j++
		}
		b.WriteString(raw[i:j])
		if i = j; i == len(raw) {
			break
		}
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
