package main

import (
	"reflect"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
)

func TestNewCmdRun(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      RunOptions
		wantUsage bool
	}{
		{name: "after --", args: []string{"--", "env", "-i"}, want: RunOptions{Command: []string{"env", "-i"}}},
		{name: "override", args: []string{"--override", "--", "env"}, want: RunOptions{Override: true, Command: []string{"env"}}},
		{name: "without --", args: []string{"printenv", "HOME"}, want: RunOptions{Command: []string{"printenv", "HOME"}}},
		{name: "flags after the command are its own", args: []string{"sh", "--override", "-c"}, want: RunOptions{Command: []string{"sh", "--override", "-c"}}},
		{name: "-- after the command is its own", args: []string{"git", "--", "x"}, want: RunOptions{Command: []string{"git", "--", "x"}}},
		{name: "no command", args: nil, wantUsage: true},
		{name: "only --", args: []string{"--"}, wantUsage: true},
		{name: "unknown flag", args: []string{"--nope", "env"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *RunOptions
			cmd := newCmdRun(&Factory{}, func(o *RunOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("run %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("run %q: %v", tt.args, err)
			}
			got.F = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("run %q: options = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}

func TestChildEnv(t *testing.T) {
	environ := []string{"PATH=/bin", "API_KEY=from-env", "EMPTY=", "=C:=C:\\odd"}
	secrets := []core.Entry{{Key: "API_KEY", Value: "s1"}, {Key: "EMPTY", Value: "s2"}, {Key: "NEW", Value: "s3=x"}}
	tests := []struct {
		name     string
		override bool
		want     []string
	}{
		{"environment wins", false, []string{"PATH=/bin", "API_KEY=from-env", "EMPTY=", "=C:=C:\\odd", "NEW=s3=x"}},
		{"override", true, []string{"PATH=/bin", "API_KEY=s1", "EMPTY=s2", "=C:=C:\\odd", "NEW=s3=x"}},
	}
	for _, tt := range tests {
		got := childEnv(environ, secrets, tt.override)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: childEnv = %q, want %q", tt.name, got, tt.want)
		}
	}
	if environ[1] != "API_KEY=from-env" {
		t.Errorf("childEnv changed its input")
	}
}
