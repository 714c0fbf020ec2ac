package core

import "strings"

// parsePython reads a file by python-env-secrets' own rules, so that each
// value means what that tool meant. Per line (LF, CRLF or a lone CR): strip
// Python white space (isPySpace); skip empty lines and lines starting with
// '#'; drop one leading "export "; skip a line without '='; split at the
// first '=' and strip both sides; remove one pair of matching surrounding
// quotes. There are no escapes, no inline comments and no multi-line values,
// so no text is an error (checkText has already refused NUL bytes and
// invalid UTF-8).
func parsePython(src string) *parsed {
	p := &parsed{src: src, dialect: DialectPython, defs: make([]span, 0, strings.Count(src, "\n")+1)}
	lines := newLines(src)
	for pos, line := 0, 1; pos < len(src); line++ {
		start := pos
		eol, next := lines.end(pos)
		pos = next
		t := strings.TrimFunc(src[start:eol], isPySpace)
		if t == "" || t[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(t, "export "), "=")
		if !ok {
			continue
		}
		k, v = strings.TrimFunc(k, isPySpace), strings.TrimFunc(v, isPySpace)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		p.defs = append(p.defs, span{Entry{k, v, line}, start, next})
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
