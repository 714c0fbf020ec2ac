// Package envid reads a project's ID from its .env by the tolerant line
// scan of SPEC §3, for core's ID lookup and for internal/testguard (which
// core's own tests import, and so cannot import core).
package envid

import "bytes"

// Scan returns the value of the last line of data that assigns key, and
// the 1-based number of that line; line is 0 when no line does. Lines end
// at LF, CRLF or CR. A UTF-8 BOM, surrounding white space, "export "
// (with a blank or a tab), surrounding quotes and a trailing " # comment"
// are accepted; nothing else of the file is parsed, so other lines may use
// any syntax. The value is not validated.
func Scan(data []byte, key string) (value string, line int) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	n := 0
	for len(data) > 0 {
		n++
		var l []byte
		if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
			l = data[:i]
			if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			data = data[i+1:]
		} else {
			l, data = data, nil
		}
		l = bytes.TrimSpace(l)
		if rest, ok := bytes.CutPrefix(l, []byte("export")); ok && len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			l = bytes.TrimSpace(rest)
		}
		k, val, ok := bytes.Cut(l, []byte("="))
		if !ok || string(bytes.TrimSpace(k)) != key {
			continue
		}
		val = bytes.TrimSpace(val)
		if len(val) > 0 && (val[0] == '"' || val[0] == '\'') {
			if end := bytes.IndexByte(val[1:], val[0]); end >= 0 {
				val = val[1 : 1+end]
			}
		} else if i := bytes.Index(val, []byte(" #")); i >= 0 {
			val = val[:i]
		} else if i := bytes.Index(val, []byte("\t#")); i >= 0 {
			val = val[:i]
		}
		value, line = string(bytes.TrimSpace(val)), n
	}
	return value, line
}
