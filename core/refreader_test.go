package core

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// refEntry is one definition read by refRead.
type refEntry struct {
	Key, Value string
}

// refRead is a reference implementation of the python-env-secrets reader,
// written from the Python tool's rules and behaviour, independently of
// parsePython: per line, strip Python white space (str.strip), skip empty
// lines and lines starting with '#', drop one leading "export ", skip lines
// without '=', split at the first '=', strip both sides, and remove one pair
// of matching surrounding quotes (no escapes, no expansion). The last
// duplicate wins; the result keeps the order in which keys first appear, as
// a Python dict does.
func refRead(data []byte) ([]refEntry, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("invalid UTF-8") // Python: UnicodeDecodeError
	}
	var out []refEntry
	index := map[string]int{}
	for _, line := range refSplitLines(string(data)) {
		line = refStrip(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		eq := strings.Index(line, "=")
		if eq < 0 {
			continue
		}
		key, value := refStrip(line[:eq]), refStrip(line[eq+1:])
		if r := []rune(value); len(r) >= 2 && (r[0] == '"' || r[0] == '\'') && r[len(r)-1] == r[0] {
			value = string(r[1 : len(r)-1])
		}
		if i, ok := index[key]; ok {
			out[i].Value = value
			continue
		}
		index[key] = len(out)
		out = append(out, refEntry{key, value})
	}
	return out, nil
}

// refMap returns refRead's entries as a map.
func refMap(entries []refEntry) map[string]string {
	m := make(map[string]string, len(entries))
	for _, e := range entries {
		m[e.Key] = e.Value
	}
	return m
}

// refSplitLines splits text as Python's universal newlines do: at LF, CRLF
// and CR (and nowhere else: not at U+0085 or U+2028, which str.splitlines
// would split at).
func refSplitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			lines = append(lines, s[start:i])
			start = i + 1
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// refStrip is Python's str.strip() with no argument: it removes the
// characters for which str.isspace() is true, listed here from Python's
// unicodeobject (_Py_ascii_whitespace and the Unicode White_Space and
// bidirectional B/S/WS classes).
func refStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f', ' ',
			'\u0085', '\u00a0', '\u1680',
			'\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006',
			'\u2007', '\u2008', '\u2009', '\u200a',
			'\u2028', '\u2029', '\u202f', '\u205f', '\u3000':
			return true
		}
		return false
	})
}
