package mask

import "testing"

func TestValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "***"},
		{"abc", "***"},
		{"abcd", "abc***"},
		{"日本語です", "日本語***"},
		{"\x1b[2Jclear", "?[2***"},
		{"a\nbcdef", "a?b***"},
	} {
		if got := Value(tc.in); got != tc.want {
			t.Errorf("Value(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
