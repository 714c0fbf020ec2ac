package viperremote

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
)

// format is a rendering of the secrets for one of Viper's decoders.
type format string

// The renderings the remote provider can produce.
const (
	formatJSON   format = "json"   // also read by Viper's yaml codec
	formatTOML   format = "toml"   // dotted quoted keys, basic strings
	formatDotenv format = "dotenv" // KEY=value lines, read by gotenv
)

// parseFormat maps a remote provider's path to a rendering. The empty path
// means JSON, which Viper's json and yaml codecs both read.
func parseFormat(path string) (format, error) {
	switch strings.ToLower(strings.TrimPrefix(path, ".")) {
	case "", "json", "yaml", "yml":
		return formatJSON, nil
	case "toml":
		return formatTOML, nil
	case "dotenv", "env":
		return formatDotenv, nil
	}
	return "", fmt.Errorf("remote provider %q: path %q is not a format this provider renders: want \"\" (json, yaml), \"toml\" or \"dotenv\"",
		ProviderName, path)
}

// render returns the secrets in f. file names the secrets file in errors.
func render(entries []core.Entry, file string, f format) ([]byte, error) {
	if f == formatDotenv {
		return renderDotenv(entries, file)
	}
	t, err := tree(entries, file, nil, ".")
	if err != nil {
		return nil, err
	}
	if f == formatTOML {
		return renderTOML(t), nil
	}
	return renderJSON(t), nil
}

// renderJSON writes t as a JSON object, one top-level key per line, the
// opening brace on a line of its own. Every string is escaped so that the
// text is also YAML that go.yaml.in/yaml/v3 reads as the same strings (see
// appendQuoted).
//
// The layout is chosen for when the config type does not match: Viper's
// dotenv decoder (gotenv) quotes the first line it cannot read in its error,
// which Viper logs, and here that line is "{".
func renderJSON(t *secrets.Tree) []byte {
	b := []byte("{\n")
	for i, k := range t.Keys {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = appendMember(b, t, k)
	}
	return append(b, "\n}\n"...)
}

// appendObject appends t as a one-line JSON object.
func appendObject(b []byte, t *secrets.Tree) []byte {
	b = append(b, '{')
	for i, k := range t.Keys {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendMember(b, t, k)
	}
	return append(b, '}')
}

// appendMember appends "k": value.
func appendMember(b []byte, t *secrets.Tree, k string) []byte {
	b = appendQuoted(b, k)
	b = append(b, ": "...)
	switch v := t.Vals[k].(type) {
	case *secrets.Tree:
		return appendObject(b, v)
	case string:
		return appendQuoted(b, v)
	}
	return b
}

// appendQuoted appends s as a double-quoted string that JSON, YAML 1.2 and
// TOML basic strings all decode to s: '"' and '\' are escaped, and every
// character YAML does not allow literally or would fold as a line break
// (C0 and C1 controls, DEL, U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF) is
// written as \uXXXX.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends s escaped as appendQuoted does, without the quotes.
func appendEscaped(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff:
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// renderTOML writes one multi-line basic string per value:
//
//	"a"."b" = """
//	value"""
//
// (TOML drops the newline after the opening quotes.) The value starts a
// line of its own so that, when the config type does not match, the line a
// decoder quotes in its error holds only the key: gotenv quotes the first
// line, and the YAML decoder the first key.
func renderTOML(t *secrets.Tree) []byte {
	var b []byte
	t.Leaves(nil, func(path []string, value string) {
		for i, p := range path {
			if i > 0 {
				b = append(b, '.')
			}
			b = appendQuoted(b, p)
		}
		b = append(b, " = \"\"\"\n"...)
		b = appendEscaped(b, value)
		b = append(b, "\"\"\"\n"...)
	})
	return b
}

// renderDotenv writes KEY=value lines in the form compat.FormatValue picks,
// each after a tab: gotenv trims it, and the YAML decoder, when the config
// type does not match, stops at it with an error that quotes nothing (it
// would otherwise quote the start of the first line, a value's too).
// A key gotenv cannot read, or a value it would read as something else, is
// an error naming the key and its line.
func renderDotenv(entries []core.Entry, file string) ([]byte, error) {
	list, err := secrets.Rekey(entries, file, secrets.KeyRules{Lower: true})
	if err != nil {
		return nil, err
	}
	var b []byte
	for _, s := range list {
		e := s.Entry
		if core.ValidateKey(e.Key) != nil {
			return nil, fmt.Errorf("%s: secret %q cannot be written for Viper's dotenv codec, which reads only keys of letters, digits, '_' and '.' (use the json format)",
				secrets.Where(file, e.Line), e.Key)
		}
		text, misread := compat.FormatValue(e.Value)
		if misread&compat.ReaderGotenv != 0 {
			return nil, fmt.Errorf("%s: the value of secret %q cannot be written so that Viper's dotenv codec reads it exactly (use the json format)",
				secrets.Where(file, e.Line), e.Key)
		}
		b = append(b, '\t')
		b = append(b, s.Key...)
		b = append(b, '=')
		b = append(b, text...)
		b = append(b, '\n')
	}
	return b, nil
}
