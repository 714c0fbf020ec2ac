package main

import (
	"fmt"
	"strings"
)

// hardValue is a value of the corpus. Test failures name its kind, never
// the value.
type hardValue struct {
	kind  string
	value string
}

// hardValues is a copy of the differential tests' corpus (the package
// internal/corpus of the repository): values that some dotenv reader reads
// differently from another. An example imports nothing internal, so the values are repeated
// here; keep the two lists alike.
func hardValues() []hardValue {
	var lines strings.Builder
	for i := 0; lines.Len() < 10<<10; i++ {
		fmt.Fprintf(&lines, "line %04d: %s\n", i, strings.Repeat("x", 50))
	}
	return []hardValue{
		{"empty", ""},
		{"plain", "hunter2"},
		{"inner space", "correct horse"},
		{"leading space", " lead"},
		{"trailing space", "trail "},
		{"spaces both ends", "  both  "},
		{"only spaces", "   "},
		{"leading tab", "\tlead"},
		{"trailing tab", "trail\t"},
		{"inner tab", "a\tb"},
		{"hash", "a#b"},
		{"leading hash", "#abc"},
		{"space hash", "pass #1"},
		{"tab hash", "pass\t#1"},
		{"U+00A0 hash", "pass\u00a0#1"},
		{"U+2028 hash", "pass\u2028#1"},
		{"equals", "a=b=c"},
		{"leading equals", "=abc"},
		{"colon", "user:pass"},
		{"$HOME", "$HOME"},
		{"${X}", "${X}"},
		{"${X:-default}", "${X:-default}"},
		{"${lower}", "${lower}"},
		{"lone $", "$"},
		{"trailing $", "cost$"},
		{"$ lowercase", "pa$word"},
		{"$ digit", "pa$5word"},
		{"$$", "$$"},
		{"$(X)", "$(X)"},
		{`\$X`, `\$X`},
		{`\$x`, `\$x`},
		{"single quote", "it's"},
		{"double quote", `say "hi"`},
		{"both quotes", `it's "x"`},
		{"leading single quote", "'abc"},
		{"trailing single quote", "abc'"},
		{"leading double quote", `"abc`},
		{"trailing double quote", `abc"`},
		{"single-quoted", "'abc'"},
		{"double-quoted", `"abc"`},
		{"lone single quote", "'"},
		{"lone double quote", `"`},
		{"quote and space hash", "it's #1"},
		{"quotes and space hash", `it's "x" #1`},
		{"quote and $VAR", "it's $HOME"},
		{"quote and lone $", "it's 5$ #1"},
		{"trailing backslash", `C:\dir\`},
		{"quote and trailing backslash", `it's C:\`},
		{"space and trailing backslash", `a b\`},
		{`\n as two characters`, `a\nb`},
		{`\r as two characters`, `a\rb`},
		{`\t as two characters`, `a\tb`},
		{"double backslash", `a\\b`},
		{"Windows path", `C:\new folder\x`},
		{`backslash quote`, `\'`},
		{`backslash double quote`, `\"`},
		{"space then backslash", ` a\b`},
		{"newline", "a\nb"},
		{"leading newline", "\nab"},
		{"trailing newline", "ab\n"},
		{"space before newline", "a \nb"},
		{"newline and quote", "it's\nhere"},
		{"newline and backslash", "a\\\nb\\"},
		{"CR", "a\rb"},
		{"CRLF", "a\r\nb"},
		{"U+00A0 leading", "\u00a0nbsp"},
		{"U+00A0 trailing", "nbsp\u00a0"},
		{"U+2028 inner", "a\u2028b"},
		{"U+2028 trailing", "ab\u2028"},
		{"U+0085 leading", "\u0085ab"},
		{"U+0085 inner", "a\u0085b"},
		{`\x1c leading`, "\x1cab"},
		{`\x1f trailing`, "ab\x1f"},
		{`\v trailing`, "ab\v"},
		{`\f leading`, "\fab"},
		{"control characters", "\x01\x07\x1b\x7f"},
		{"BOM inside", "\ufeffx"},
		{"unicode", "🔑 clé ключ 鍵"},
		{"JSON", `{"user":"admin","pass":"p@ss w0rd#1","n":[1,2]}`},
		{"PEM", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n"},
		{"URL", "postgres://user:p%40ss@db.example.com:5432/app?sslmode=disable"},
		{"JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"},
		{"base64 padding", "dGVzdA=="},
		{"export word", "export FOO=bar"},
		{"10 KB", strings.Repeat("0123456789abcdef", 640)},
		{"10 KB multi-line", lines.String()},
		{"100 KB line", strings.Repeat("0123456789", 10_000)},
	}
}
