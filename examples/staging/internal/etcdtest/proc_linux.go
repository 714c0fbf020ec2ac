package etcdtest

import (
	"os"
	"os/exec"
	"syscall"
)

// ownGroup puts the server in a process group of its own, and has Linux
// kill it if the test process dies first (a panic, go test's -timeout).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the server's process group.
func killGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGKILL)
}
