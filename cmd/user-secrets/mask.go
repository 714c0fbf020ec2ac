package main

import (
	"strconv"
	"strings"
	"unicode"
)

// mask hides a value for `list`: its first three characters (runes, not
// bytes) followed by "***", or "***" alone when the value has three
// characters or fewer. Control characters among the three shown are
// replaced by '?' so a masked line stays one line.
func mask(v string) string {
	var b strings.Builder
	n := 0
	for _, r := range v {
		if n == 3 {
			return b.String() + "***"
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return "***"
}

// displayValue is how `list --reveal` shows a value on its line: as it is,
// or Go-quoted when it holds a line break or another control character
// (which would break the one-line-per-key layout or drive the terminal).
func displayValue(v string) string {
	for _, r := range v {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return strconv.Quote(v)
		}
	}
	return v
}
