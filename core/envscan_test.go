package core

import (
	"path/filepath"
	"testing"
)

// TestScanIDMultiLine: a USER_SECRETS_ID line inside a multi-line quoted
// value is part of that value, not a definition, as for godotenv and
// python-dotenv; the file's real definition wins.
func TestScanIDMultiLine(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantID   string
		wantLine int
	}{
		{"double quotes", "USER_SECRETS_ID=" + fixtureID + "\nMY=\"a\nUSER_SECRETS_ID=" + fixtureID2 + "\nb\"\n", fixtureID, 1},
		{"single quotes", "USER_SECRETS_ID=" + fixtureID + "\nMY='a\nUSER_SECRETS_ID=" + fixtureID2 + "\nb'\n", fixtureID, 1},
		{"escaped quote does not close", "USER_SECRETS_ID=" + fixtureID + "\nMY=\"a\\\"\nUSER_SECRETS_ID=" + fixtureID2 + "\nb\"\n", fixtureID, 1},
		{"CRLF", "USER_SECRETS_ID=" + fixtureID + "\r\nMY=\"a\r\nUSER_SECRETS_ID=" + fixtureID2 + "\r\nb\"\r\n", fixtureID, 1},
		{"only inside a value", "MY='a\nUSER_SECRETS_ID=" + fixtureID2 + "\n'\n", "", 0},
		{"after a multi-line value", "MY=\"a\nb\"\nUSER_SECRETS_ID=" + fixtureID + "\n", fixtureID, 3},
		{"after an unterminated quote", "MY=\"a\nUSER_SECRETS_ID=" + fixtureID + "\n", fixtureID, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, line := scanID([]byte(tt.data))
			if id != tt.wantID || line != tt.wantLine {
				t.Errorf("scanID(%q) = %q, %d; want %q, %d", tt.data, id, line, tt.wantID, tt.wantLine)
			}
		})
	}
}

func TestResolveIgnoresIDInsideMultiLineValue(t *testing.T) {
	base := t.TempDir()
	dir, root := filepath.Join(base, "proj"), filepath.Join(base, "root")
	putFile(t, filepath.Join(dir, ".env"), "USER_SECRETS_ID="+fixtureID+"\nCERT=\"-----BEGIN-----\nUSER_SECRETS_ID="+fixtureID2+"\n-----END-----\"\n")
	p, err := Resolve(Options{ProjectDir: dir, Root: root, LookupEnv: emptyEnv})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != fixtureID {
		t.Errorf("Resolve().ID = %q, want %q (the definition on line 1)", p.ID, fixtureID)
	}
}
