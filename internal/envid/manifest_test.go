package envid

import (
	"reflect"
	"testing"
)

func TestManifest(t *testing.T) {
	tests := []struct {
		name         string
		data         string
		wantRequired []string
		wantOptional []string
	}{
		{"empty", "", nil, nil},
		{"only comments", "# the keys\n\n", nil, nil},
		{"required", "API_KEY=\nDB_URL=postgres://localhost/dev\n", []string{"API_KEY", "DB_URL"}, nil},
		{"optional marker", "API_KEY=\nPORT=8080 # optional\nDEBUG= # Optional: off by default\nLOG=#optional\n",
			[]string{"API_KEY", "LOG"}, []string{"PORT", "DEBUG"}},
		{"marker is a whole first word", "A= # optionally\nB= # not optional\nC= # optional_x\nD= # optional.\nE= # OPTIONAL\n",
			[]string{"A", "B", "C"}, []string{"D", "E"}},
		{"a comment line above is no marker", "# optional\nA=\n", []string{"A"}, nil},
		{"export and quotes", "export A=\"x\" # optional\nexport B='y'\n C = \"multi\nD=line\" \n", []string{"B", "C"}, []string{"A"}},
		{"BOM and CRLF", "\ufeffA=\r\nB= # optional\r\n", []string{"A"}, []string{"B"}},
		{"duplicates: first place, last marker", "A= # optional\nB=\nA=\nB= # optional\n", []string{"A"}, []string{"B"}},
		{"the ID is left out", "USER_SECRETS_ID=\nA=\n", []string{"A"}, nil},
		{"not definitions skipped", "just text\n=x\nA=\n", []string{"A"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			required, optional := Manifest([]byte(tt.data))
			if !reflect.DeepEqual(required, tt.wantRequired) || !reflect.DeepEqual(optional, tt.wantOptional) {
				t.Errorf("Manifest(%q) = %q, %q; want %q, %q", tt.data, required, optional, tt.wantRequired, tt.wantOptional)
			}
		})
	}
}
