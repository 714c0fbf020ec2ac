package mask

import "testing"

func TestValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: "***"},
		{name: "one", in: "a", want: "***"},
		{name: "three", in: "abc", want: "***"},
		{name: "four", in: "abcd", want: "abc***"},
		{name: "long", in: "sk-live-1234567890", want: "sk-***"},
		{name: "spaces kept", in: "a b c", want: "a b***"},
		{name: "three runes, nine bytes", in: "日本語", want: "***"},
		{name: "runes, not bytes", in: "日本語テキスト", want: "日本語***"},
		{name: "four-byte runes", in: "😀😀😀😀", want: "😀😀😀***"},
		{name: "combining mark counts as a rune", in: "é\u0301xyz", want: "é\u0301x***"},
		{name: "newline", in: "ab\ncdef", want: "ab?***"},
		{name: "carriage return", in: "\r\r\rsecret", want: "???***"},
		{name: "escape sequence", in: "\x1b[2Jsecret", want: "?[2***"},
		{name: "line separator", in: "a\u2028bcd", want: "a?b***"},
		{name: "bidi override", in: "\u202eabcd", want: "?ab***"},
		{name: "tab", in: "\tabc", want: "?ab***"},
		{name: "invalid UTF-8", in: "\xffabcd", want: "\ufffdab***"},
		{name: "short with control characters", in: "\n\n", want: "***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Value(tt.in); got != tt.want {
				t.Errorf("Value(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
