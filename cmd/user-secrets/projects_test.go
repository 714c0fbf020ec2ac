package main

import (
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
