package main

import (
	"reflect"
	"testing"
)

func TestNewCmdCheck(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      CheckOptions
		wantUsage bool
	}{
		{name: "defaults", args: nil, want: CheckOptions{}},
		{name: "manifest", args: []string{"--manifest", "config/keys.env"}, want: CheckOptions{Manifest: "config/keys.env"}},
		{name: "json", args: []string{"--json"}, want: CheckOptions{JSON: true}},
		{name: "prompt", args: []string{"--prompt"}, want: CheckOptions{Prompt: true}},
		{name: "json and prompt", args: []string{"--json", "--prompt"}, wantUsage: true},
		{name: "an argument", args: []string{"API_KEY"}, wantUsage: true},
		{name: "manifest without a file", args: []string{"--manifest"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{}
			var got *CheckOptions
			cmd := newCmdCheck(f, func(o *CheckOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("check %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("check %q: %v", tt.args, err)
			}
			tt.want.F = f
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("check %q: options = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestNewCmdRunCheck(t *testing.T) {
	tests := []struct {
		args      []string
		wantCheck bool
		wantCmd   []string
	}{
		{[]string{"--", "env"}, false, []string{"env"}},
		{[]string{"--check", "--", "env"}, true, []string{"env"}},
		{[]string{"--check", "env", "--check"}, true, []string{"env", "--check"}},
		{[]string{"env", "--check"}, false, []string{"env", "--check"}},
	}
	for _, tt := range tests {
		var got *RunOptions
		cmd := newCmdRun(&Factory{}, func(o *RunOptions) error { got = o; return nil })
		if err, _ := parse(t, cmd, tt.args); err != nil {
			t.Fatalf("run %q: %v", tt.args, err)
		}
		if got.Check != tt.wantCheck || !reflect.DeepEqual(got.Command, tt.wantCmd) {
			t.Errorf("run %q: Check %v, Command %q; want %v, %q", tt.args, got.Check, got.Command, tt.wantCheck, tt.wantCmd)
		}
	}
}

func TestSetCommand(t *testing.T) {
	tests := []struct {
		project, id, key string
		want             string
	}{
		{"", "", "API_KEY", "user-secrets set API_KEY"},
		{"../api", "", "db.password", "user-secrets -p ../api set db.password"},
		{"/my projects/x", "", "K", "user-secrets -p '/my projects/x' set K"},
		{"", "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c", "K", "user-secrets --id 0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c set K"},
		{"", "", "it's", `user-secrets set 'it'\''s'`},
	}
	for _, tt := range tests {
		f := &Factory{ProjectDir: tt.project, ID: tt.id}
		if got := setCommand(f, tt.key); got != tt.want {
			t.Errorf("setCommand(-p %q, --id %q, %q) = %s, want %s", tt.project, tt.id, tt.key, got, tt.want)
		}
	}
}
