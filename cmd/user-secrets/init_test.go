package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestNewCmdInit(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      InitOptions
		wantUsage bool
	}{
		{name: "plain", args: nil, want: InitOptions{}},
		{name: "new", args: []string{"--new"}, want: InitOptions{New: true}},
		{name: "new, copying", args: []string{"--new", "--copy-secrets"}, want: InitOptions{New: true, CopySecrets: true}},
		{name: "copy without new", args: []string{"--copy-secrets"}, wantUsage: true},
		{name: "argument", args: []string{"now"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{}
			var got *InitOptions
			cmd := newCmdInit(f, func(o *InitOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("init %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("init %q: %v", tt.args, err)
			}
			tt.want.F = f
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("init %q: options = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestReplaceID(t *testing.T) {
	const (
		oldID = "0f8fad5b-d9cb-469f-a165-70867728950e"
		newID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	)
	tests := []struct {
		name, data, want string
		wantErr          bool
	}{
		{"plain", "USER_SECRETS_ID=" + oldID + "\n", "USER_SECRETS_ID=" + newID + "\n", false},
		{"no final newline", "A=1\nUSER_SECRETS_ID=" + oldID, "A=1\nUSER_SECRETS_ID=" + newID, false},
		{"CRLF, export, quotes and a comment kept", "\ufeff# s\r\nexport USER_SECRETS_ID = \"" + oldID + "\" # id\r\nB=2\r\n",
			"\ufeff# s\r\nexport USER_SECRETS_ID = \"" + newID + "\" # id\r\nB=2\r\n", false},
		{"lone CR", "A=1\rUSER_SECRETS_ID=" + oldID + "\rB=" + oldID + "\r", "A=1\rUSER_SECRETS_ID=" + newID + "\rB=" + oldID + "\r", false},
		{"the last definition, which wins", "USER_SECRETS_ID=" + oldID + "\nUSER_SECRETS_ID=" + oldID + "\n",
			"USER_SECRETS_ID=" + oldID + "\nUSER_SECRETS_ID=" + newID + "\n", false},
		{"a multi-line value before it", "A=\"x\ny\"\nUSER_SECRETS_ID=" + oldID + "\n", "A=\"x\ny\"\nUSER_SECRETS_ID=" + newID + "\n", false},
		{"another ID now", "USER_SECRETS_ID=" + newID + "\n", "", true},
		{"no ID now", "A=1\n", "", true},
		{"empty", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replaceID([]byte(tt.data), ".env", oldID, newID)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), ".env no longer defines") {
					t.Errorf("replaceID(%q) error = %v, want one saying it changed", tt.data, err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("replaceID(%q) = %q, %v; want %q", tt.data, got, err, tt.want)
			}
		})
	}
}

func TestLineSpan(t *testing.T) {
	data := []byte("a\r\nbb\rccc\n\ndd")
	for n, want := range map[int]string{1: "a", 2: "bb", 3: "ccc", 4: "", 5: "dd"} {
		start, end := lineSpan(data, n)
		if got := string(data[start:end]); got != want {
			t.Errorf("lineSpan(%q, %d) = %q, want %q", data, n, got, want)
		}
	}
	for _, n := range []int{0, 6} {
		if start, end := lineSpan(data, n); start != 0 || end != 0 {
			t.Errorf("lineSpan(%q, %d) = %d, %d; want 0, 0", data, n, start, end)
		}
	}
}
