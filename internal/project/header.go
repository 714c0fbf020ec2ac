package project

import (
	"strconv"
	"strings"

	"github.com/go-user-secrets/user-secrets/internal/envid"
)

// headerPrefix starts the line of a secrets file's header that names the
// project directory, in this project's header and in python-env-secrets'
// (which writes its working directory there, "." even).
const headerPrefix = "# Project:"

// HeaderDir returns the project directory that a secrets file's header
// names: the "# Project: " line of its leading block of comment and blank
// lines (the first, when there are several), trimmed of blanks, and
// unquoted when it is a Go-quoted string (as a name holding a line break
// is written). [start, end) is where that text lies in data. ok is false
// when the header has no such line.
func HeaderDir(data []byte) (dir string, start, end int, ok bool) {
	s := string(data)
	i := 0
	if strings.HasPrefix(s, "\ufeff") {
		i = len("\ufeff")
	}
	for i < len(s) {
		eol, next := envid.LineEnd(s, i)
		line := s[i:eol]
		t := strings.TrimLeft(line, " \t")
		if t != "" && t[0] != '#' {
			break // the first definition ends the header
		}
		if rest, found := strings.CutPrefix(t, headerPrefix); found {
			value := strings.Trim(rest, " \t")
			if value == "" {
				return "", 0, 0, false
			}
			start = eol - len(strings.TrimLeft(rest, " \t"))
			end = start + len(value)
			if u, err := strconv.Unquote(value); err == nil && value[0] == '"' {
				value = u
			}
			return value, start, end, true
		}
		i = next
	}
	return "", 0, 0, false
}

// FormatHeaderDir returns dir as a header line holds it: as it is, or
// Go-quoted when it holds a line break (which would end the comment and
// make the rest of the name a definition) or starts with a quote.
func FormatHeaderDir(dir string) string {
	if strings.ContainsAny(dir, "\r\n") || strings.HasPrefix(dir, `"`) {
		return strconv.Quote(dir)
	}
	return dir
}

// SetHeaderDir returns data with the directory of its header's
// "# Project: " line replaced by dir (see FormatHeaderDir); data as it is
// when the header has no such line.
func SetHeaderDir(data []byte, dir string) []byte {
	_, start, end, ok := HeaderDir(data)
	if !ok {
		return data
	}
	out := make([]byte, 0, len(data)+len(dir))
	out = append(out, data[:start]...)
	out = append(out, FormatHeaderDir(dir)...)
	return append(out, data[end:]...)
}
