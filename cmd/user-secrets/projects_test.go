package main

import (
	"reflect"
	"testing"
)

func TestNewCmdProjects(t *testing.T) {
	f := &Factory{}
	var got *ProjectsOptions
	cmd := newCmdProjects(f, func(o *ProjectsOptions) error { got = o; return nil })
	if err, _ := parse(t, cmd, []string{"--json"}); err != nil || !got.JSON {
		t.Errorf("projects --json: %v, options %+v", err, got)
	}
	if _, usage := parse(t, newCmdProjects(f, nil), []string{"extra"}); !usage {
		t.Errorf("projects extra: want a usage error")
	}
}

func TestNewCmdPrune(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      PruneOptions
		wantUsage bool
	}{
		{name: "plain", args: nil, want: PruneOptions{}},
		{name: "dry run", args: []string{"--dry-run"}, want: PruneOptions{DryRun: true}},
		{name: "yes", args: []string{"--yes"}, want: PruneOptions{Yes: true}},
		{name: "-y", args: []string{"-y"}, want: PruneOptions{Yes: true}},
		{name: "argument", args: []string{"all"}, wantUsage: true},
		{name: "unknown flag", args: []string{"--force"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{}
			var got *PruneOptions
			cmd := newCmdPrune(f, func(o *PruneOptions) error { got = o; return nil })
			err, usage := parse(t, cmd, tt.args)
			if tt.wantUsage {
				if !usage {
					t.Fatalf("prune %q: err = %v, want a usage error", tt.args, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("prune %q: %v", tt.args, err)
			}
			tt.want.F = f
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("prune %q: options = %+v, want %+v", tt.args, *got, tt.want)
			}
		})
	}
}
