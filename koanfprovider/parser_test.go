package koanfprovider

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

func TestDotenvParserUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		text     string
		want     map[string]any
		wantLine int    // for a *core.ParseError, when set
		wantText string // in the error text
	}{
		{
			name: "flat and nested",
			text: "# comment\nPORT=8080\nDB.HOST=localhost\nDB.PASSWORD='" + canary + "'\nexport X=\"a b\"\n",
			want: map[string]any{"PORT": "8080", "DB": map[string]any{"HOST": "localhost", "PASSWORD": canary}, "X": "a b"},
		},
		{
			name: "a key defined twice takes its last value",
			text: "A=1\nA=2\n",
			want: map[string]any{"A": "2"},
		},
		{name: "empty", text: "", want: map[string]any{}},
		{
			name:     "unterminated quote",
			text:     "A=1\nB='" + canary + "\nC=" + canary + "\n",
			wantLine: 2,
			wantText: ".env:2:",
		},
		{
			name:     "no equals sign",
			text:     "A=1\n" + canary + "\n",
			wantLine: 2,
			wantText: ".env:2:",
		},
		{
			name:     "invalid UTF-8",
			text:     "A=" + canary + "\xff\n",
			wantLine: 1,
			wantText: ".env:1:",
		},
		{
			name:     "value and section",
			text:     "DB=" + canary + "\nDB.PASSWORD=" + canary + "\n",
			wantText: `.env:2: secret "DB.PASSWORD" conflicts with secret "DB" (line 1)`,
		},
		{
			name:     "empty part",
			text:     "A.=" + canary + "\n",
			wantText: `.env:1: secret "A.": nesting it on "." leaves an empty part`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DotenvParser(".env").Unmarshal([]byte(tt.text))
			if tt.wantText == "" {
				if err != nil {
					t.Fatalf("Unmarshal() = %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("Unmarshal() = %v, want %v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Unmarshal() = nil error, want one")
			}
			noCanary(t, err)
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Unmarshal() = %q, want it to contain %q", err, tt.wantText)
			}
			var pe *core.ParseError
			if tt.wantLine != 0 && (!errors.As(err, &pe) || pe.Line != tt.wantLine || pe.File != ".env") {
				t.Errorf("Unmarshal() = %v, want a *core.ParseError for .env line %d", err, tt.wantLine)
			}
		})
	}
}

func TestDotenvParserDefaultName(t *testing.T) {
	t.Parallel()
	_, err := DotenvParser("").Unmarshal([]byte("A='x\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "dotenv:1:") {
		t.Errorf(`DotenvParser("").Unmarshal() = %v, want an error starting "dotenv:1:"`, err)
	}
}

// TestDotenvParserMarshal checks that Unmarshal reads Marshal's text back
// as the values given, stringified, for every hard value.
func TestDotenvParserMarshal(t *testing.T) {
	t.Parallel()
	p := DotenvParser("out.env")
	in := map[string]any{
		"PORT":  8080,
		"DEBUG": true,
		"RATIO": 0.5,
		"DB":    map[string]any{"HOST": "localhost", "PASSWORD": canary},
	}
	want := map[string]any{
		"PORT":  "8080",
		"DEBUG": "true",
		"RATIO": "0.5",
		"DB":    map[string]any{"HOST": "localhost", "PASSWORD": canary},
	}
	for i, v := range hardValues {
		k := "HARD_" + string(rune('A'+i%26)) + strings.Repeat("X", i/26)
		in[k], want[k] = v, v
	}
	b, err := p.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal() = %v", err)
	}
	if !strings.HasPrefix(string(b), "DB.HOST=localhost\nDB.PASSWORD="+canary+"\nDEBUG=true\n") {
		t.Errorf("Marshal() does not start with the sorted, flattened keys:\n%s", b)
	}
	got, err := p.Unmarshal(b)
	if err != nil {
		t.Fatalf("Unmarshal(Marshal()) = %v", err)
	}
	if !equalTree(got, want) {
		t.Errorf("Unmarshal(Marshal()) differs from the values marshalled")
	}
}

func TestDotenvParserMarshalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       map[string]any
		wantText string
		wantErr  error
	}{
		{"invalid key", map[string]any{"MY-KEY": canary}, `out.env: invalid key`, core.ErrInvalidKey},
		{"a list", map[string]any{"HOSTS": []any{canary, canary}}, `out.env: key "HOSTS": a []interface {} cannot be written as a dotenv value`, nil},
		{"nil", map[string]any{"NOTHING": nil}, `out.env: key "NOTHING": a <nil> cannot be written`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := DotenvParser("out.env").Marshal(tt.in)
			if err == nil {
				t.Fatal("Marshal() = nil error, want one")
			}
			noCanary(t, err)
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Marshal() = %q, want it to contain %q", err, tt.wantText)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Marshal() = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
