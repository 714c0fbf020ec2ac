// Package mask hides secret values for display, for the programs of this
// module.
package mask

import "unicode"

// Value hides v: its first three characters, then "***"; "***" alone for
// a value of three characters or fewer. A shown character that is not
// graphic (a newline, an escape) is shown as '?', so a value cannot drive
// the terminal.
func Value(v string) string {
	r := []rune(v)
	if len(r) <= 3 {
		return "***"
	}
	for i, c := range r[:3] {
		if !unicode.IsGraphic(c) {
			r[i] = '?'
		}
	}
	return string(r[:3]) + "***"
}
