package main

import (
	"bytes"
	"encoding/json"
	"strings"
)

// jsonString returns s as a JSON string, without escaping <, > and &.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes (invalid UTF-8 becomes U+FFFD)
	return strings.TrimSuffix(b.String(), "\n")
}

// writeJSON writes v as indented JSON and a newline, without escaping <,
// > and &.
func writeJSON(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
