//go:build !linux

package etcdtest

import (
	"os"
	"os/exec"
)

// ownGroup leaves the server in the test's process group.
func ownGroup(*exec.Cmd) {}

// killGroup kills the server.
func killGroup(p *os.Process) {
	p.Kill()
}
