package main

import (
	"errors"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

func TestNearKey(t *testing.T) {
	keys := []string{"API_KEY", "DB_URL", "PROXY", "URL", "A", "TOKEN", "Token2"}
	tests := []struct {
		name   string
		key    string
		keys   []string
		want   string
		wantOK bool
	}{
		{name: "case only", key: "api_key", keys: keys, want: "API_KEY", wantOK: true},
		{name: "plural", key: "API_KEYS", keys: keys, want: "API_KEY", wantOK: true},
		{name: "plural ies", key: "PROXIES", keys: keys, want: "PROXY", wantOK: true},
		{name: "singular", key: "URLS", keys: keys, want: "URL", wantOK: true},
		{name: "one edit", key: "DB_URI", keys: keys, want: "DB_URL", wantOK: true},
		{name: "two edits", key: "DBURI", keys: keys, want: "DB_URL", wantOK: true},
		{name: "transposed", key: "TOEKN", keys: keys, want: "TOKEN", wantOK: true},
		{name: "three edits", key: "D_UR", keys: []string{"DB_URL2"}, wantOK: false},
		{name: "short key, one edit", key: "URI", keys: keys, want: "URL", wantOK: true},
		{name: "one letter is not near another", key: "B", keys: keys, wantOK: false},
		{name: "one letter, case only", key: "a", keys: keys, want: "A", wantOK: true},
		{name: "far", key: "PASSWORD", keys: keys, wantOK: false},
		{name: "case beats an edit", key: "token", keys: []string{"TOKENS", "TOKEN"}, want: "TOKEN", wantOK: true},
		{name: "a tie goes to the first", key: "KEY_C", keys: []string{"KEY_A", "KEY_B"}, want: "KEY_A", wantOK: true},
		{name: "no keys", key: "API_KEY", keys: nil, wantOK: false},
		{name: "not itself", key: "API_KEY", keys: []string{"API_KEY"}, wantOK: false},
		{name: "non-ASCII", key: "CLÉ", keys: []string{"CLE"}, want: "CLE", wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := nearKey(tt.key, tt.keys)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("nearKey(%q, %q) = %q, %v; want %q, %v", tt.key, tt.keys, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 3, 0},
		{"ABC", "ABC", 3, 0},
		{"ABC", "ABD", 3, 1},
		{"ABC", "AC", 3, 1},
		{"AC", "ABC", 3, 1},
		{"KITTEN", "SITTING", 5, 3},
		{"KITTEN", "SITTING", 3, 3},
		{"KITTEN", "SITTING", 2, 2}, // capped
		{"A", "ABCDEF", 3, 3},       // capped by the lengths alone
		{"É", "E", 3, 1},            // characters, not bytes
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func TestWithSuggestions(t *testing.T) {
	s, err := core.Open(core.Options{Root: t.TempDir(), ID: "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"})
	if err != nil {
		t.Fatal(err)
	}

	// No store yet: the error comes back as it is.
	nf := &core.NotFoundError{Keys: []string{"API_KEYS"}}
	if got := withSuggestions(nf, s); got != error(nf) {
		t.Errorf("withSuggestions without a store = %v, want %v", got, nf)
	}

	if _, err := s.SetMany([]core.Entry{{Key: "API_KEY", Value: "canary-1"}, {Key: "DB_URL", Value: "canary-2"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "nil", err: nil, want: ""},
		{name: "other error", err: errors.New("boom"), want: "boom"},
		{name: "one missing, near", err: &core.NotFoundError{Keys: []string{"API_KEYS"}}, want: `"API_KEYS": secret not found; did you mean "API_KEY"?`},
		{name: "one missing, far", err: &core.NotFoundError{Keys: []string{"NOPE"}}, want: `"NOPE": secret not found`},
		{name: "two missing, one near", err: &core.NotFoundError{Keys: []string{"NOPE", "db_url"}}, want: `2 keys not found: "NOPE", "db_url"; did you mean "DB_URL" for "db_url"?`},
		{name: "two missing, both near", err: &core.NotFoundError{Keys: []string{"APIKEY", "DB_URI"}}, want: `2 keys not found: "APIKEY", "DB_URI"; did you mean "API_KEY" for "APIKEY", "DB_URL" for "DB_URI"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withSuggestions(tt.err, s)
			if tt.err == nil {
				if got != nil {
					t.Errorf("withSuggestions(nil) = %v, want nil", got)
				}
				return
			}
			if got.Error() != tt.want {
				t.Errorf("withSuggestions(%v) = %q, want %q", tt.err, got, tt.want)
			}
			var nf *core.NotFoundError
			if errors.As(tt.err, &nf) && (!errors.Is(got, core.ErrNotFound) || !errors.As(got, &nf)) {
				t.Errorf("withSuggestions(%v) = %v, which no longer matches core.ErrNotFound", tt.err, got)
			}
		})
	}
}
