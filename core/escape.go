package core

import "strings"

// unescape decodes a double-quoted value: \\ \" \n \r \t \$ are escapes,
// any other backslash is literal (and the byte after it is read as it
// is), and raw line breaks (LF, CRLF, a lone CR) become LF.
func unescape(raw string) string {
	if !strings.ContainsAny(raw, "\\\r") {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\r':
			b.WriteByte('\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		case c == '\\' && i+1 < len(raw) && escapes[raw[i+1]] != 0:
			i++
			b.WriteByte(escapes[raw[i]])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapes maps the byte after a backslash in a double-quoted value to what
// the pair stands for; a byte not listed makes the backslash literal.
var escapes = [256]byte{'\\': '\\', '"': '"', '$': '$', 'n': '\n', 'r': '\r', 't': '\t'}

// normalizeBreaks turns CRLF and lone CR line breaks into LF.
func normalizeBreaks(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// countBreaks counts line breaks (LF, CRLF or a lone CR) in s.
func countBreaks(s string) int {
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n")
}
