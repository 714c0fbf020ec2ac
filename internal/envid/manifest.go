package envid

import "strings"

// ManifestFile is the name of the manifest of the keys a project expects,
// in the project directory: a .env file whose values are ignored, committed
// beside the .env that is not.
const ManifestFile = ".env.example"

// Manifest returns the keys that data, the text of a manifest, declares:
// every key defined in it (as Lines reads it), each once, in the order of
// its first definition, split into the required and the optional ones. A
// key is optional when the line of its last definition ends in a comment
// whose first word is "optional", in any case: "KEY= # optional" or
// "PORT=8080 # Optional: defaults to 8080". USER_SECRETS_ID, the
// project's ID rather than a key the program reads, is left out.
func Manifest(data []byte) (required, optional []string) {
	var keys []string
	isOptional := map[string]bool{}
	for _, d := range Lines(data) {
		if d.Key == "USER_SECRETS_ID" {
			continue
		}
		if _, seen := isOptional[d.Key]; !seen {
			keys = append(keys, d.Key)
		}
		isOptional[d.Key] = firstWordIs(d.Comment, "optional")
	}
	for _, k := range keys {
		if isOptional[k] {
			optional = append(optional, k)
		} else {
			required = append(required, k)
		}
	}
	return required, optional
}

// firstWordIs reports whether text starts with word, in any case, followed
// by its end or by a character that cannot continue a word.
func firstWordIs(text, word string) bool {
	if len(text) < len(word) || !strings.EqualFold(text[:len(word)], word) {
		return false
	}
	if len(text) == len(word) {
		return true
	}
	c := text[len(word)]
	return !(c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80)
}
