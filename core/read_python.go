package core

import (
	"strings"

	"github.com/go-user-secrets/user-secrets/internal/compat"
)

// parsePython reads a file by python-env-secrets' own rules, so that each
// value means what that tool meant. Per line (LF, CRLF or a lone CR): strip
// Python white space (compat.IsPySpace); skip empty lines and lines starting with
// '#'; drop one leading "export "; skip a line without '='; split at the
// first '=' and strip both sides; remove one pair of matching surrounding
// quotes. There are no escapes, no inline comments and no multi-line values,
// so no text is an error (checkText has already refused NUL bytes and
// invalid UTF-8).
func parsePython(src string) *parsed {
	p := &parsed{src: src, dialect: dialectPython, defs: make([]span, 0, strings.Count(src, "\n")+1)}
	lines := newLines(src)
	for pos, line := 0, 1; pos < len(src); line++ {
		start := pos
		eol, next := lines.end(pos)
		pos = next
		t := strings.TrimFunc(src[start:eol], compat.IsPySpace)
		if t == "" || t[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(t, "export "), "=")
		if !ok {
			continue
		}
		k, v = strings.TrimFunc(k, compat.IsPySpace), strings.TrimFunc(v, compat.IsPySpace)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		p.defs = append(p.defs, span{Entry{k, v, line}, start, next})
	}
	return p
}
