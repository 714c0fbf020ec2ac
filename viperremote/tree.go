package viperremote

import (
	"fmt"
	"strings"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
)

// tree is the secrets arranged the way Viper will hold them: lower-cased
// keys, nested where a key is split on a delimiter, in file order.
type tree struct {
	keys []string       // in the order they were first defined
	vals map[string]any // string or *tree
	// from records, for each key of this level, the entry that defined it,
	// so a conflict can name both keys and their lines.
	from map[string]core.Entry
}

func newTree() *tree {
	return &tree{vals: map[string]any{}, from: map[string]core.Entry{}}
}

// buildTree arranges entries into a tree. Keys are lower-cased (Viper is
// case-insensitive) and split on each of delims. A later entry whose key
// differs only in case replaces an earlier one. It is an error for one path
// to be both a value and a section (DB=x and DB__PASSWORD=y with "__"), or
// for a split to leave an empty part; the error names the file, the keys and
// their lines, never a value.
func buildTree(entries []core.Entry, file string, delims ...string) (*tree, error) {
	root := newTree()
	for _, e := range entries {
		parts := splitKey(strings.ToLower(e.Key), delims)
		for _, p := range parts {
			if p == "" {
				return nil, fmt.Errorf("%s: secret %q: splitting it on %q leaves an empty part",
					secrets.Where(file, e.Line), e.Key, strings.Join(delims, `" and "`))
			}
		}
		t := root
		for i, p := range parts {
			last := i == len(parts)-1
			cur, ok := t.vals[p]
			if !ok {
				t.keys = append(t.keys, p)
				t.from[p] = e
				if last {
					t.vals[p] = e.Value
					break
				}
				sub := newTree()
				t.vals[p] = sub
				t = sub
				continue
			}
			sub, isTree := cur.(*tree)
			if last && !isTree {
				t.vals[p] = e.Value // same key in another case: the later wins
				t.from[p] = e
				break
			}
			if last || !isTree {
				other := t.from[p]
				return nil, fmt.Errorf("%s: secret %q conflicts with secret %q (line %d): %q would be both a value and a section",
					secrets.Where(file, e.Line), e.Key, other.Key, other.Line, strings.Join(parts[:i+1], "."))
			}
			t = sub
		}
	}
	return root, nil
}

// splitKey splits key on every delimiter in delims.
func splitKey(key string, delims []string) []string {
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

// entry returns the entry that defined the value at path.
func (t *tree) entry(path []string) core.Entry {
	for _, p := range path[:len(path)-1] {
		t = t.vals[p].(*tree)
	}
	return t.from[path[len(path)-1]]
}

// toMap returns the tree as the nested map MergeConfigMap takes.
func (t *tree) toMap() map[string]any {
	m := make(map[string]any, len(t.keys))
	for _, k := range t.keys {
		switch v := t.vals[k].(type) {
		case *tree:
			m[k] = v.toMap()
		default:
			m[k] = v
		}
	}
	return m
}

// leaves calls fn for every value, with its path, in file order.
func (t *tree) leaves(prefix []string, fn func(path []string, value string)) {
	for _, k := range t.keys {
		path := append(prefix[:len(prefix):len(prefix)], k)
		switch v := t.vals[k].(type) {
		case *tree:
			v.leaves(path, fn)
		case string:
			fn(path, v)
		}
	}
}
