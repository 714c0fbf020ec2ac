package secrets

import (
	"fmt"
	"strings"

	"github.com/go-user-secrets/user-secrets/core"
)

// Secret is an entry under the key a configuration library sees.
type Secret struct {
	// Key is the entry's key after the adapter's transform.
	Key string
	// Entry is the entry as read; its Key and Line name it in errors.
	Entry core.Entry
}

// KeyRules say how the keys of the secrets file become a library's keys.
type KeyRules struct {
	// Transform, when not nil, maps each key; an empty result drops the
	// secret.
	Transform func(key string) string
	// Lower lower-cases each key after Transform, as Viper does.
	Lower bool
}

// Rekey returns entries under their keys after r, in file order. Two
// entries that become the same key are an error naming both keys and the
// key they become, with the lines (file names the secrets file); never a
// value.
func Rekey(entries []core.Entry, file string, r KeyRules) ([]Secret, error) {
	out := make([]Secret, 0, len(entries))
	seen := make(map[string]core.Entry, len(entries))
	for _, e := range entries {
		key := e.Key
		if r.Transform != nil {
			if key = r.Transform(key); key == "" {
				continue
			}
		}
		if r.Lower {
			key = strings.ToLower(key)
		}
		if other, ok := seen[key]; ok {
			return nil, fmt.Errorf("%s: secrets %q and %q (line %d) are the same key %q %s",
				Where(file, e.Line), e.Key, other.Key, other.Line, key, r.why())
		}
		seen[key] = e
		out = append(out, Secret{Key: key, Entry: e})
	}
	return out, nil
}

// why says what made two keys one.
func (r KeyRules) why() string {
	switch {
	case r.Transform != nil && r.Lower:
		return "after TransformKey and lower-casing (Viper's keys are case-insensitive)"
	case r.Lower:
		return "once lower-cased (Viper's keys are case-insensitive)"
	}
	return "after TransformKey"
}

// Tree is secrets nested into sections, as a configuration library holds
// them, in file order.
type Tree struct {
	// File is the secrets file, for errors.
	File string
	// Keys are this level's keys, in the order they were first defined.
	Keys []string
	// Vals maps each key to a value (string) or a section (*Tree).
	Vals map[string]any
	// From maps each key to the entry that defined it, so that an error
	// can name the key as written and its line.
	From map[string]core.Entry
}

func newTree(file string) *Tree {
	return &Tree{File: file, Vals: map[string]any{}, From: map[string]core.Entry{}}
}

// Nest arranges secrets into a tree, splitting each key on every one of
// delims (empty ones are ignored). It is an error, naming the keys as
// written and their lines but never a value, for a key to split into an
// empty part (A..B on "."), for one path to be both a value and a section
// (DB and DB.PASSWORD), or for two keys to nest into the same path
// (DB.PASSWORD and DB__PASSWORD with "__").
func Nest(secrets []Secret, file string, delims ...string) (*Tree, error) {
	root := newTree(file)
	for _, s := range secrets {
		e := s.Entry
		parts := split(s.Key, delims)
		for _, p := range parts {
			if p == "" {
				return nil, fmt.Errorf("%s: secret %q: nesting it on %s leaves an empty part",
					Where(file, e.Line), e.Key, quoteAll(delims))
			}
		}
		t := root
		for i, p := range parts {
			last := i == len(parts)-1
			cur, ok := t.Vals[p]
			if !ok {
				t.Keys = append(t.Keys, p)
				t.From[p] = e
				if last {
					t.Vals[p] = e.Value
					break
				}
				sub := newTree(file)
				t.Vals[p] = sub
				t = sub
				continue
			}
			other := t.From[p]
			path := strings.Join(parts[:i+1], ".")
			sub, isTree := cur.(*Tree)
			switch {
			case last && !isTree:
				return nil, fmt.Errorf("%s: secrets %q and %q (line %d) nest into the same key %q",
					Where(file, e.Line), e.Key, other.Key, other.Line, path)
			case last || !isTree:
				return nil, fmt.Errorf("%s: secret %q conflicts with secret %q (line %d): %q would be both a value and a section",
					Where(file, e.Line), e.Key, other.Key, other.Line, path)
			}
			t = sub
		}
	}
	return root, nil
}

// split splits key on every delimiter in delims.
func split(key string, delims []string) []string {
	parts := []string{key}
	for _, d := range delims {
		if d == "" {
			continue
		}
		var out []string
		for _, p := range parts {
			out = append(out, strings.Split(p, d)...)
		}
		parts = out
	}
	return parts
}

// quoteAll names the non-empty delimiters: `"."`, `"." and "__"`.
func quoteAll(delims []string) string {
	var q []string
	for _, d := range delims {
		if d != "" {
			q = append(q, fmt.Sprintf("%q", d))
		}
	}
	return strings.Join(q, " and ")
}

// Entry returns the entry that defined the value at path.
func (t *Tree) Entry(path []string) core.Entry {
	for _, p := range path[:len(path)-1] {
		t = t.Vals[p].(*Tree)
	}
	return t.From[path[len(path)-1]]
}

// Map returns the tree as nested maps: map[string]any whose values are
// strings or, for sections, maps of the same kind.
func (t *Tree) Map() map[string]any {
	m := make(map[string]any, len(t.Keys))
	for _, k := range t.Keys {
		switch v := t.Vals[k].(type) {
		case *Tree:
			m[k] = v.Map()
		default:
			m[k] = v
		}
	}
	return m
}

// Leaves calls fn for every value, with its path below prefix, in file
// order.
func (t *Tree) Leaves(prefix []string, fn func(path []string, value string)) {
	for _, k := range t.Keys {
		path := append(prefix[:len(prefix):len(prefix)], k)
		switch v := t.Vals[k].(type) {
		case *Tree:
			v.Leaves(path, fn)
		case string:
			fn(path, v)
		}
	}
}
