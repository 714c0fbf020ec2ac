package koanfprovider

import (
	"fmt"
	"slices"

	"github.com/knadh/koanf/maps"
	"github.com/knadh/koanf/v2"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
)

// DotenvParser returns a koanf.Parser of dotenv text, such as a .env file
// or ReadBytes' output, that reads it as the user-secrets CLI does (see
// core.Parse) and never quotes it in an error. name names the text in
// errors (a file's path, say); empty means "dotenv".
//
// Use it in place of koanf's dotenv.Parser, whose errors are godotenv's:
// they quote the text near the failure, which can be a secret, there or on
// the next line.
//
// Unmarshal returns the keys nested on ".", as Read does. A line that does
// not parse is a *core.ParseError naming name and the line; a key that
// would be both a value and a section (DB and DB.PASSWORD), or one with an
// empty part (A..B), is an error naming the keys and their lines.
//
// Marshal writes KEY=value lines, keys flattened on "." and sorted, each
// value in a form Unmarshal reads back exactly. A value must be a string,
// a bool or a number. A key that is not [A-Za-z_][A-Za-z0-9_.]*
// (core.ErrInvalidKey) or a value of another type is an error naming the
// key.
//
// No error contains a value.
func DotenvParser(name string) koanf.Parser {
	if name == "" {
		name = "dotenv"
	}
	return dotenvParser{name: name}
}

// dotenvParser is the koanf.Parser DotenvParser returns.
type dotenvParser struct{ name string }

// Unmarshal parses b as dotenv text.
func (p dotenvParser) Unmarshal(b []byte) (map[string]any, error) {
	entries, err := core.Parse(b, p.name)
	if err != nil {
		return nil, err
	}
	list, err := secrets.Rekey(entries, p.name, secrets.KeyRules{})
	if err != nil {
		return nil, err
	}
	t, err := secrets.Nest(list, p.name, ".")
	if err != nil {
		return nil, err
	}
	return t.Map(), nil
}

// Marshal writes o as dotenv text.
func (p dotenvParser) Marshal(o map[string]any) ([]byte, error) {
	flat, _ := maps.Flatten(o, nil, ".")
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b []byte
	for _, k := range keys {
		if err := core.ValidateKey(k); err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		var value string
		switch v := flat[k].(type) {
		case string:
			value = v
		case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
			value = fmt.Sprint(v)
		default:
			return nil, fmt.Errorf("%s: key %q: a %T cannot be written as a dotenv value", p.name, k, v)
		}
		text, misread := compat.FormatValue(value)
		if misread&compat.ReaderCore != 0 {
			return nil, fmt.Errorf("%s: key %q: its value cannot be written so that it reads back exactly", p.name, k)
		}
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, text...)
		b = append(b, '\n')
	}
	return b, nil
}
