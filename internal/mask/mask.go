// Package mask hides secret values for display, the one way every part of
// this module does it: `user-secrets list` and the example programs.
package mask

import (
	"strings"
	"unicode"
)

// shown is how many characters of a value Value keeps.
const shown = 3

// Value returns v masked: its first three characters (runes, not bytes)
// followed by "***", or "***" alone when v has three characters or fewer,
// the empty value included, so a masked value never tells an empty secret
// from a short one. Among the characters kept, any that is not graphic
// (control characters such as a newline or ESC, format characters such as
// a bidi override, line and paragraph separators) is replaced by '?', so a
// masked value stays on one line and cannot drive the terminal. An invalid
// UTF-8 byte shows as U+FFFD.
func Value(v string) string {
	var b strings.Builder
	n := 0
	for _, r := range v {
		if n == shown {
			b.WriteString("***")
			return b.String()
		}
		if !unicode.IsGraphic(r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return "***"
}
