package secrets

import (
	"reflect"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

// canary is the value of every entry in these tests; no error may hold it.
const canary = "CANARY-s3cr3t-value"

// entries returns entries with the keys given, on lines 1, 2, ..., each
// holding the canary as its value.
func entries(keys ...string) []core.Entry {
	out := make([]core.Entry, len(keys))
	for i, k := range keys {
		out[i] = core.Entry{Key: k, Value: canary, Line: i + 1}
	}
	return out
}

func TestRekey(t *testing.T) {
	t.Parallel()
	strip := func(k string) string {
		rest, ok := strings.CutPrefix(k, "APP_")
		if !ok {
			return ""
		}
		return rest
	}
	tests := []struct {
		name    string
		keys    []string
		rules   KeyRules
		want    []string // the keys, in order
		wantErr string   // in the error text
	}{
		{"as written", []string{"B", "a", "A"}, KeyRules{}, []string{"B", "a", "A"}, ""},
		{"lower", []string{"B", "DB.Host"}, KeyRules{Lower: true}, []string{"b", "db.host"}, ""},
		{"transform drops", []string{"APP_X", "OTHER", "APP_Y"}, KeyRules{Transform: strip}, []string{"X", "Y"}, ""},
		{
			"case collision", []string{"API_KEY", "X", "api_key"}, KeyRules{Lower: true}, nil,
			`f:3: secrets "api_key" and "API_KEY" (line 1) are the same key "api_key" once lower-cased`,
		},
		{
			"transform collision", []string{"APP_X", "X", "APP_Y"}, KeyRules{Transform: func(string) string { return "same" }}, nil,
			`f:2: secrets "X" and "APP_X" (line 1) are the same key "same" after TransformKey`,
		},
		{
			"transform and lower", []string{"APP_X", "APP_x"}, KeyRules{Transform: strip, Lower: true}, nil,
			`f:2: secrets "APP_x" and "APP_X" (line 1) are the same key "x" after TransformKey and lower-casing`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Rekey(entries(tc.keys...), "f", tc.rules)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Rekey(%q) = %v, want an error containing %q", tc.keys, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), canary) {
					t.Errorf("Rekey(%q): the error holds a value", tc.keys)
				}
				return
			}
			if err != nil {
				t.Fatalf("Rekey(%q) = %v", tc.keys, err)
			}
			var keys []string
			for _, s := range got {
				keys = append(keys, s.Key)
			}
			if !reflect.DeepEqual(keys, tc.want) {
				t.Errorf("Rekey(%q) keys = %q, want %q", tc.keys, keys, tc.want)
			}
		})
	}
}

func TestNest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		keys    []string
		delims  []string
		want    map[string]any
		wantErr string
	}{
		{"flat", []string{"A", "B"}, []string{"."}, map[string]any{"A": canary, "B": canary}, ""},
		{
			"dotted", []string{"db.password", "db.host", "x"}, []string{"."},
			map[string]any{"db": map[string]any{"password": canary, "host": canary}, "x": canary}, "",
		},
		{
			"two delimiters", []string{"DB__PASSWORD", "DB.HOST"}, []string{".", "__"},
			map[string]any{"DB": map[string]any{"PASSWORD": canary, "HOST": canary}}, "",
		},
		{"empty delimiter ignored", []string{"A.B"}, []string{""}, map[string]any{"A.B": canary}, ""},
		{
			"value then section", []string{"DB", "DB.PASSWORD"}, []string{"."}, nil,
			`f:2: secret "DB.PASSWORD" conflicts with secret "DB" (line 1): "DB" would be both a value and a section`,
		},
		{
			"section then value", []string{"DB__PASSWORD", "DB"}, []string{".", "__"}, nil,
			`f:2: secret "DB" conflicts with secret "DB__PASSWORD" (line 1): "DB" would be both a value and a section`,
		},
		{
			"deep conflict", []string{"A.B.C", "A.B"}, []string{"."}, nil,
			`f:2: secret "A.B" conflicts with secret "A.B.C" (line 1): "A.B" would be both a value and a section`,
		},
		{
			"same path", []string{"DB.PASSWORD", "DB__PASSWORD"}, []string{".", "__"}, nil,
			`f:2: secrets "DB__PASSWORD" and "DB.PASSWORD" (line 1) nest into the same key "DB.PASSWORD"`,
		},
		{
			"empty part", []string{"A..B"}, []string{".", "__"}, nil,
			`f:1: secret "A..B": nesting it on "." and "__" leaves an empty part`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			list, err := Rekey(entries(tc.keys...), "f", KeyRules{})
			if err != nil {
				t.Fatal(err)
			}
			tree, err := Nest(list, "f", tc.delims...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Nest(%q, %q) = %v, want an error containing %q", tc.keys, tc.delims, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), canary) {
					t.Errorf("Nest(%q): the error holds a value", tc.keys)
				}
				return
			}
			if err != nil {
				t.Fatalf("Nest(%q, %q) = %v", tc.keys, tc.delims, err)
			}
			if got := tree.Map(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Nest(%q, %q).Map() = %v, want %v", tc.keys, tc.delims, got, tc.want)
			}
		})
	}
}

func TestTreeLeavesAndEntry(t *testing.T) {
	t.Parallel()
	list, err := Rekey(entries("b.y", "a", "b.x"), "f", KeyRules{})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := Nest(list, "f", ".")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	tree.Leaves(nil, func(path []string, _ string) {
		paths = append(paths, strings.Join(path, "/"))
		if e := tree.Entry(path); e.Key != strings.Join(path, ".") {
			t.Errorf("Entry(%q).Key = %q", path, e.Key)
		}
	})
	if want := []string{"b/y", "b/x", "a"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("Leaves visited %q, want %q (file order, by first definition)", paths, want)
	}
}
