package core

import (
	"bytes"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
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
	// unique is set when flat is known to hold no key twice.
	unique bool
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
		return parsePython(s, false).entries(), nil
	}
	p, err := parseGoMode(s, filename, 0)
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
	switch {
	case out != nil:
		if p.unique {
			return out // the common case
		}
	case len(p.defs) == 0:
		return nil
	default:
		out = make([]Entry, len(p.defs))
		for i := range p.defs {
			out[i] = p.defs[i].Entry
		}
		if !hasDuplicateKeys(out) {
			return out // the common case
		}
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

// hasDuplicateKeys reports whether two entries may share a key: it is
// true for a key defined twice, and also where keyIndex gives up (see
// add), which only sends the caller to its exact, slower way.
func hasDuplicateKeys(es []Entry) bool {
	if len(es) < 2 {
		return false
	}
	x := newKeyIndex(len(es), nil)
	if x.slots == nil {
		return true
	}
	for i := range es {
		if !x.add(es, es[i].Key, keyHash(es[i].Key), i) {
			return true
		}
	}
	return false
}

// keyIndex finds a key defined twice, as a file is read (parseFlat) or in
// a Document's entries (hasDuplicateKeys): an open-addressing table of
// entry indexes, hashed by keyHash. It costs less than a map: no pointers
// for the garbage collector to scan, and a cheaper hash.
//
// A slot holds 16 bits of the key's hash above the index+1 of its entry
// (0 for an empty slot), so that a search compares keys, which lie
// anywhere in memory, only when the 16 bits match.
type keyIndex struct {
	slots []uint32
	mask  uint64
}

// maxProbe bounds a search of keyIndex: a file whose keys were made to
// collide in the table stops using it, rather than cost time quadratic in
// its length.
const maxProbe = 32

// newKeyIndex returns a keyIndex for n keys, or, for more than a slot can
// number, one without slots. Its table is buf when buf is big enough (a
// caller's array, on its stack: no allocation for a small file).
func newKeyIndex(n int, buf []uint32) keyIndex {
	if n >= 1<<16-1 {
		return keyIndex{}
	}
	size := 8
	for size < 2*n {
		size <<= 1
	}
	if size <= len(buf) {
		return keyIndex{slots: buf[:size], mask: uint64(size - 1)}
	}
	return keyIndex{slots: make([]uint32, size), mask: uint64(size - 1)}
}

// add records that es[i], not yet in es, will have key, whose keyHash is
// h. It reports false when it cannot tell that key is new: es holds it
// already, or the search ran longer than maxProbe; the caller then looks
// for duplicates another way, and calls add no more. x must have slots.
func (x *keyIndex) add(es []Entry, key string, h uint64, i int) bool {
	// Small enough for the compiler to inline into the read loop.
	if i >= 1<<16-1 {
		// More entries than newKeyIndex was told of (it counts LFs, and a
		// lone CR ends a line too): the index would not fit its 16 bits.
		return false
	}
	fp, at := uint32(h>>48)<<16, h&x.mask
	for range maxProbe {
		slot := x.slots[at]
		if slot == 0 {
			x.slots[at] = fp | uint32(i+1)
			return true
		}
		if slot&^0xffff == fp && es[slot&0xffff-1].Key == key {
			return false
		}
		at = (at + 1) & x.mask
	}
	return false
}

// hashSeed seeds keyHash, different in each process.
var hashSeed = rand.Uint64()

// The multipliers of keyHash, wyhash's.
const hashM1, hashM2 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db

// keyHash hashes a key for keyIndex: each eight bytes of it, the last ones
// padded with zeros, as a little-endian number mixed into the seed, and
// then its length. fastLine computes the same from the words its key scan
// loads.
func keyHash(k string) uint64 {
	h, i := hashSeed, 0
	for ; i+8 <= len(k); i += 8 {
		h = mix(h^load64(k, i), hashM2)
	}
	if i < len(k) {
		var w uint64
		for j := len(k) - 1; j >= i; j-- {
			w = w<<8 | uint64(k[j])
		}
		h = mix(h^w, hashM2)
	}
	return mix(h^uint64(len(k)), hashM1)
}

// mix is wyhash's mixing step: the two halves of a*b, folded.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// load64 returns the eight bytes of s at i as a little-endian number.
func load64(s string, i int) uint64 {
	b := s[i : i+8] // one bounds check; the compiler merges the eight loads into one
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
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
		return parsePython(string(data), spans), nil
	}
	var mode parseMode
	if spans {
		mode = withSpans
	}
	return parseGoMode(string(data), filename, mode)
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

// lineScanner finds line ends like lineEnd, remembering the next LF so
// that it is searched for once per file, and searching for a CR only
// within the line: a file of LF lines is not scanned to its end for a CR
// at every line, nor a file of lone-CR lines for an LF.
type lineScanner struct {
	s  string
	lf int // offset of the next LF at or after the last query, or len(s)
	// noCR is set by a caller that knows s holds no CR: end then looks
	// for none.
	noCR bool
}

func newLineScanner(s string) lineScanner {
	return lineScanner{s: s, lf: -1}
}

// end returns the index of the terminator of the line starting at pos
// (len(s) if none) and the index just past it.
func (ls *lineScanner) end(pos int) (eol, next int) {
	if ls.lf < pos {
		ls.lf = len(ls.s)
		if i := strings.IndexByte(ls.s[pos:], '\n'); i >= 0 {
			ls.lf = pos + i
		}
	}
	// A CR before the LF ends the line: a CRLF, or a lone CR.
	lf := ls.lf
	if !ls.noCR {
		if i := strings.IndexByte(ls.s[pos:lf], '\r'); i >= 0 {
			cr := pos + i
			if cr+1 == lf && lf < len(ls.s) {
				return cr, lf + 1
			}
			return cr, cr + 1
		}
	}
	if lf == len(ls.s) {
		return lf, lf
	}
	return lf, lf + 1
}

// parseGo reads this project's grammar, keeping each definition's span.
func parseGo(s, filename string) (*parsed, error) {
	return parseGoMode(s, filename, withSpans)
}

// parseMode says how parseGoMode reads.
type parseMode uint8

const (
	// withSpans keeps every definition with its span (parsed.defs, for a
	// Document); without it the entries go to parsed.flat.
	withSpans parseMode = 1 << iota
	// slowOnly reads every line with the general code, never fastLine, so
	// that tests can compare the two.
	slowOnly
)

// parseGoMode reads this project's grammar into parsed.defs or parsed.flat.
func parseGoMode(s, filename string, mode parseMode) (*parsed, error) {
	// One definition per line at most: sized once, the slices never grow.
	n := strings.Count(s, "\n") + 1
	pos := 0
	if strings.HasPrefix(s, "\ufeff") {
		pos = 3
	}
	if mode&withSpans == 0 {
		return parseFlat(s, filename, pos, n, mode&slowOnly == 0)
	}
	defs := make([]span, 0, n)
	// The definitions whose values hold escapes that fastLine left
	// undecoded: all of them are decoded at the end into one buffer.
	var escaped []int
	line, lines := 1, newLineScanner(s)
	for pos < len(s) {
		// Nearly every line of a secrets file is a one-line definition
		// that fastLine reads in a single pass; it declines anything else,
		// which slowLine reads.
		if mode&slowOnly == 0 {
			if key, value, _, esc, next, ok := fastLine(s, pos); ok {
				if esc {
					escaped = append(escaped, len(defs))
				}
				defs = append(defs, span{Entry: Entry{Key: key, Value: value, Line: line}, start: pos, end: next})
				pos, line = next, line+1
				continue
			}
		}
		e, next, nextLine, ok, err := slowLine(s, pos, line, &lines, filename)
		if err != nil {
			return nil, err
		}
		if ok {
			defs = append(defs, span{Entry: e, start: pos, end: next})
		}
		pos, line = next, nextLine
	}
	if len(escaped) > 0 {
		decodeEscaped(escaped, func(i int) *Entry { return &defs[i].Entry })
	}
	return &parsed{src: s, defs: defs}, nil
}

// parseFlat is parseGoMode into parsed.flat, from pos, for a text of at
// most n lines; with fast false it never calls fastLine. It is the reader
// of every load, kept apart for speed: its loop holds little, and checks
// each key for a duplicate in a keyIndex as it goes.
func parseFlat(s, filename string, pos, n int, fast bool) (*parsed, error) {
	flat := make([]Entry, 0, n)
	// A file of up to 128 lines needs no allocation but flat: the table of
	// its keyIndex and the list of its escaped values start on the stack.
	var table [256]uint32
	var escapedBuf [16]int
	index := newKeyIndex(n, table[:])
	unique := index.slots != nil // while index has seen every key, and no key twice
	escaped := escapedBuf[:0]    // as in parseGoMode
	lines := newLineScanner(s)   // slowLine's
	line := 1
	for pos < len(s) {
		if fast {
			if key, value, h, esc, next, ok := fastLine(s, pos); ok {
				if esc {
					escaped = append(escaped, len(flat))
				}
				if unique {
					unique = index.add(flat, key, h, len(flat))
				}
				flat = append(flat, Entry{Key: key, Value: value, Line: line})
				pos, line = next, line+1
				continue
			}
		}
		e, next, nextLine, ok, err := slowLine(s, pos, line, &lines, filename)
		if err != nil {
			return nil, err
		}
		if ok {
			if unique {
				unique = index.add(flat, e.Key, keyHash(e.Key), len(flat))
			}
			flat = append(flat, e)
		}
		pos, line = next, nextLine
	}
	if len(escaped) > 0 {
		decodeEscaped(escaped, func(i int) *Entry { return &flat[i] })
	}
	return &parsed{src: s, flat: flat, unique: unique}, nil
}

// decodeEscaped decodes the values of the entries at indexes escaped (as
// written between double quotes, escapes and all) into one buffer, which
// the decoded values share.
func decodeEscaped(escaped []int, entry func(int) *Entry) {
	size := 0
	for _, i := range escaped {
		size += len(entry(i).Value) // a value never grows when decoded
	}
	buf := make([]byte, 0, size)
	for _, i := range escaped {
		e := entry(i)
		start := len(buf)
		buf = appendUnescaped(buf, e.Value)
		// buf never grows, so what is written stays where it is; and it is
		// never written again, so the string may share it.
		e.Value = unsafe.String(unsafe.SliceData(buf[start:]), len(buf)-start)
	}
}

// slowLine reads the line at pos, line number line, by the general rules.
// It returns the definition there (ok false for a blank or comment line),
// next (the offset past the definition's last line) and the number of the
// line at next.
func slowLine(s string, pos, line int, lines *lineScanner, filename string) (e Entry, next, nextLine int, ok bool, err error) {
	fail := func(l int, format string, a ...any) error {
		return &ParseError{File: filename, Line: l, Reason: fmt.Sprintf(format, a...)}
	}
	start, startLine := pos, line
	eol, next := lines.end(pos)
	t := trimLeftBlank(s[pos:eol])
	if t == "" || t[0] == '#' {
		return Entry{}, next, line + 1, false, nil
	}
	if len(t) > 6 && strings.HasPrefix(t, "export") && isBlank(t[6]) {
		t = trimLeftBlank(t[6:])
	}
	eq := strings.IndexByte(t, '=')
	if eq < 0 {
		return Entry{}, 0, 0, false, fail(line, "expected KEY=VALUE: no '=' on this line")
	}
	key := trimRightBlank(t[:eq])
	if key == "" {
		return Entry{}, 0, 0, false, fail(line, "empty key before '='")
	}
	if reason := badKeyByte(key); reason != "" {
		return Entry{}, 0, 0, false, fail(line, "the text before '=' is not a key: it holds %s (is the '=' missing after the key?)", reason)
	}
	rest := trimLeftBlank(t[eq+1:])
	off := eol - len(rest) // offset of rest in s
	var value string
	var after int // offset just past the value's text
	switch {
	case rest != "" && rest[0] == '\'':
		j := strings.IndexByte(s[off+1:], '\'')
		if j < 0 {
			return Entry{}, 0, 0, false, fail(startLine, "key %q: unterminated single-quoted value", key)
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
			return Entry{}, 0, 0, false, fail(startLine, "key %q: unterminated double-quoted value", key)
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
		end, n := lineEnd(s, after)
		tail := trimLeftBlank(s[after:end])
		if tail != "" && tail[0] != '#' {
			return Entry{}, 0, 0, false, fail(line, "key %q: unexpected text after the closing quote", key)
		}
		next = n
	}
	return Entry{Key: key, Value: value, Line: startLine}, next, line + 1, true, nil
}

// fastLine reads the definition that starts at pos when it has the shape
// nearly every line of a secrets file has: KEY=value, KEY='value' or
// KEY="value", with no blank around the key or the '=', the whole value on
// this line, and the line end (or the end of s) right after it. For such a
// line it returns what slowLine would (the key, the value, and next, the
// offset past the line terminator), and the key's keyHash; for any other
// line it returns ok false, so blanks, "export", comments, multi-line
// values, the rarer bytes in keys and every error stay with slowLine.
//
// Each part of the line is read by one scan that finds whichever of its
// stop bytes comes first, eight bytes at a time (keyStops, firstBelow),
// in place of slowLine's separate searches for the line end, the '=', a
// '#' and the closing quote; and the key is hashed from the words its scan
// loads.
//
// A double-quoted value with escapes is returned as written, with escaped
// true: the caller decodes it (appendUnescaped).
func fastLine(s string, pos int) (key, value string, hash uint64, escaped bool, next int, ok bool) {
	// The key, up to the '=': eight bytes at a time, hashed as it goes
	// (see keyHash). A key near the end of s, where no eight bytes can be
	// loaded, is slowLine's.
	i, h := pos, hashSeed
	for {
		if i+8 > len(s) {
			return "", "", 0, false, 0, false
		}
		w := load64(s, i)
		m := keyStops(w)
		if m == 0 {
			h = mix(h^w, hashM2)
			i += 8
			continue
		}
		n := bits.TrailingZeros64(m) / 8 // the bytes of w in the key
		if i += n; s[i] != '=' || i == pos {
			return "", "", 0, false, 0, false
		}
		if n > 0 {
			h = mix(h^w&(1<<(8*n)-1), hashM2)
		}
		break
	}
	key, hash = s[pos:i], mix(h^uint64(i-pos), hashM1)
	i++ // past the '='
	if i == len(s) {
		return key, "", hash, false, i, true // "KEY=" at the end of s: an empty value
	}
	var end int // offset just past the value's text, closing quote included
	switch s[i] {
	case '\'':
		// Literal text up to the closing quote, which must come before
		// any line break (a multi-line value is the general code's).
		j := i + 1
		for {
			// Every byte that ends the scan is the quote or below 0x0e:
			// blanks and '#', common in such values, do not stop it.
			j = firstBelowOr(s, j, 0x0e, '\'')
			if j == len(s) || fastClass[s[j]]&fastSingleStop != 0 {
				break
			}
			j++
		}
		if j == len(s) || s[j] != '\'' {
			return "", "", 0, false, 0, false
		}
		value, end = s[i+1:j], j+1
	case '"':
		// Up to the first unescaped '"': a backslash escapes the byte
		// after it, as in the general code, unless that byte is a line
		// break (left to the general code with every multi-line value).
		j := i + 1
		for j < len(s) {
			// Every byte that ends the scan is below 0x23 or is '\\'.
			j = firstBelowOr(s, j, 0x23, '\\')
			if j == len(s) {
				break
			}
			c := s[j]
			if fastClass[c]&fastDoubleStop == 0 {
				j++
				continue
			}
			if c != '\\' {
				break
			}
			if j+1 == len(s) || s[j+1] == '\n' || s[j+1] == '\r' {
				return "", "", 0, false, 0, false
			}
			escaped, j = true, j+2
		}
		if j >= len(s) || s[j] != '"' {
			return "", "", 0, false, 0, false
		}
		value, end = s[i+1:j], j+1
	default:
		// A bare value with no blank and no '#' in it: nothing to trim
		// and no inline comment. A value that starts with a blank or
		// holds one stops here at the blank, and so is declined below.
		j := i
		for j < len(s) {
			// Every byte that ends a bare value is below 0x24.
			j = firstBelow(s, j, 0x24)
			if j == len(s) || fastClass[s[j]]&fastBare == 0 {
				break
			}
			j++
		}
		value, end = s[i:j], j
	}
	// The value must end the line: LF, CRLF, a lone CR, or the end of s.
	switch {
	case end == len(s):
		return key, value, hash, escaped, end, true
	case s[end] == '\n':
		return key, value, hash, escaped, end + 1, true
	case s[end] == '\r':
		if end+1 < len(s) && s[end+1] == '\n' {
			return key, value, hash, escaped, end + 2, true
		}
		return key, value, hash, escaped, end + 1, true
	}
	return "", "", 0, false, 0, false
}

// firstBelow returns the offset of the first byte of s, at or after i,
// that is below limit (at most 0x80), or len(s). It tests eight bytes at a
// time: fastLine's scans stop only at bytes it finds, and a value is mostly
// bytes it skips.
func firstBelow(s string, i int, limit byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	lim := ones * uint64(limit)
	// Sixteen bytes a round; t, which the compiler can see is long enough,
	// spares the bounds checks.
	for t := s[i:]; len(t) >= 16; t = t[16:] {
		w, v := load64(t, 0), load64(t, 8)
		// The high bit of a byte of m is set when that byte of w is below
		// limit. A borrow can set it in a higher byte too, never in a lower
		// one: the lowest bit set marks the first byte sought.
		if m := (w - lim) &^ w & highs; m != 0 {
			return len(s) - len(t) + bits.TrailingZeros64(m)/8
		}
		if m := (v - lim) &^ v & highs; m != 0 {
			return len(s) - len(t) + 8 + bits.TrailingZeros64(m)/8
		}
		i += 16
	}
	for ; i < len(s) && s[i] >= limit; i++ {
	}
	return i
}

// firstBelowOr is firstBelow that also stops at the byte extra.
func firstBelowOr(s string, i int, limit, extra byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	lim, ext := ones*uint64(limit), ones*uint64(extra)
	for ; i+8 <= len(s); i += 8 {
		w := load64(s, i)
		// As in firstBelow; and x has a zero byte where w has extra.
		x := w ^ ext
		if m := ((w-lim)&^w | (x-ones)&^x) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s) && s[i] >= limit && s[i] != extra; i++ {
	}
	return i
}

// The classes of fastClass: the bytes each of fastLine's value scans runs
// over (fastBare) or stops at (fastSingleStop, fastDoubleStop).
const (
	fastBare       = 1 << iota // may be in a bare value: not a line break, a blank or '#'
	fastSingleStop = 1 << iota // ends a scan for the closing '\'': the quote or a line break
	fastDoubleStop = 1 << iota // interrupts a scan for the closing '"': the quote, '\\' or a line break
)

// fastClass maps each byte to its fast* classes.
var fastClass = func() (t [256]uint8) {
	for c := range 256 {
		switch c {
		case '\n', '\r', ' ', '\t', '#':
		default:
			t[c] |= fastBare
		}
	}
	t['\''] |= fastSingleStop
	t['"'] |= fastDoubleStop
	t['\\'] |= fastDoubleStop
	for _, c := range []byte{'\n', '\r'} {
		t[c] |= fastSingleStop | fastDoubleStop
	}
	return t
}()

// keyStops returns the bytes of w (eight bytes of s, the first in the
// lowest) where fastLine's key scan stops, as the high bit of each such
// byte: a byte below '(' (a control character, a blank, a quote, '#',
// and the rarer '!', '$', '%' and '&', left to slowLine), '=', '`', DEL and
// every byte from 0x80. As in firstBelow, a bit may be set in a byte above
// the first one that stops the scan, never below it.
func keyStops(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	eq, tick := w^(ones*'='), w^(ones*'`')
	return ((w-ones*'(')&^w | (eq-ones)&^eq | (tick-ones)&^tick | w | (w + ones)) & highs
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
	return string(appendUnescaped(make([]byte, 0, len(raw)), raw))
}

// appendUnescaped appends unescape(raw) to b.
func appendUnescaped(b []byte, raw string) []byte {
	hasCR := strings.IndexByte(raw, '\r') >= 0
	for raw != "" {
		// Copy the run up to the next backslash (or CR) at once.
		var j int
		if hasCR {
			j = strings.IndexAny(raw, "\\\r")
		} else {
			j = strings.IndexByte(raw, '\\')
		}
		if j < 0 {
			return append(b, raw...)
		}
		b, raw = append(b, raw[:j]...), raw[j:]
		if raw[0] == '\r' {
			b, raw = append(b, '\n'), raw[1:]
			if raw != "" && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		if len(raw) == 1 {
			return append(b, '\\') // a backslash at the end is literal
		}
		switch raw[1] {
		case '\\', '"', '$':
			b = append(b, raw[1])
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		default:
			// Any other backslash is literal, and the byte after it is
			// read afresh.
			b, raw = append(b, '\\'), raw[1:]
			continue
		}
		raw = raw[2:]
	}
	return b
}

// parsePython reads a file by python-env-secrets' rules (SPEC §4.3): per
// line, strip Python whitespace, skip blank and '#' lines and lines without
// '=', drop one "export ", split at the first '=', strip both sides, and
// remove one pair of matching surrounding quotes. No escapes, no multi-line
// values. With spans false the entries go to parsed.flat, their keys
// checked for duplicates as parseFlat checks them.
func parsePython(s string, spans bool) *parsed {
	p := &parsed{src: s, dialect: DialectPython}
	n := strings.Count(s, "\n") + 1 // lines, but for lone CRs
	if spans {
		p.defs = make([]span, 0, n)
	} else {
		p.flat = make([]Entry, 0, n)
	}
	var table [256]uint32 // as in parseFlat
	var index keyIndex
	if !spans {
		index = newKeyIndex(n, table[:])
	}
	unique := index.slots != nil
	lines := newLineScanner(s)
	lines.noCR = strings.IndexByte(s, '\r') < 0 // as python-env-secrets writes a file on Unix
	for pos, line := 0, 1; pos < len(s); line++ {
		start := pos
		eol, next := lines.end(pos)
		pos = next
		t := s[start:eol]
		if !plainEdges(t) {
			t = trimPySpace(t)
		}
		if t == "" || t[0] == '#' {
			continue
		}
		t = strings.TrimPrefix(t, "export ")
		eq := strings.IndexByte(t, '=')
		if eq < 0 {
			continue
		}
		k, v := t[:eq], t[eq+1:]
		if !plainEdges(k) {
			k = trimPySpace(k)
		}
		if !plainEdges(v) {
			v = trimPySpace(v)
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		e := Entry{Key: k, Value: v, Line: line}
		if spans {
			p.defs = append(p.defs, span{Entry: e, start: start, end: next})
			continue
		}
		if unique {
			unique = index.add(p.flat, k, keyHash(k), len(p.flat))
		}
		p.flat = append(p.flat, e)
	}
	p.unique = unique
	return p
}

// plainEdges reports whether t starts and ends with an ASCII byte that is
// not white space, so that trimPySpace has nothing to trim: the common
// case, tested inline before the call.
func plainEdges(t string) bool {
	return len(t) > 0 && pyPlainEdge[t[0]]&pyPlainEdge[t[len(t)-1]] != 0
}

// trimPySpace is strings.TrimFunc(t, isPySpace), without decoding a rune
// where the text is ASCII.
func trimPySpace(t string) string {
	i, j := 0, len(t)
	for i < j && pyASCIISpace[t[i]] {
		i++
	}
	for j > i && pyASCIISpace[t[j-1]] {
		j--
	}
	if t = t[i:j]; t != "" && (t[0] >= utf8.RuneSelf || t[len(t)-1] >= utf8.RuneSelf) {
		return strings.TrimFunc(t, isPySpace)
	}
	return t
}

// pyASCIISpace marks the ASCII bytes for which isPySpace is true, and
// pyPlainEdge the other ASCII bytes: a text that starts and ends with one
// has nothing to trim.
var pyASCIISpace, pyPlainEdge = func() (space [256]bool, plain [256]uint8) {
	for c := range utf8.RuneSelf {
		if space[c] = isPySpace(rune(c)); !space[c] {
			plain[c] = 1
		}
	}
	return space, plain
}()

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
