//go:build unix

package main

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// editSignals are the signals that would end user-secrets while it edits:
// it catches them, to remove its copy first.
var editSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// isolate puts the editor in a process group of its own when user-secrets
// has no controlling terminal (an IDE task, a script under setsid), and
// reports whether it did: a signal passed on then reaches every process of
// the editor, not only the shell that runs it. With a terminal, the editor
// stays in user-secrets' group, which the terminal and the shell's job
// control know: Ctrl-C, Ctrl-Z, fg and a hang-up reach it as they should.
func isolate(cmd *exec.Cmd) bool {
	tty, err := os.Open("/dev/tty")
	if err == nil {
		tty.Close()
		return false
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return true
}

// endsEdit reports whether sig, received while the editor runs, ends the
// edit. Every signal does but Ctrl-C at the terminal, which the terminal
// sent to the editor too: what it means is the editor's to decide (vi
// ignores it; if it kills the editor, killedBy ends the edit).
func endsEdit(sig os.Signal) bool {
	return sig != syscall.SIGINT || !fromTerminal(sig)
}

// passOn passes sig on to the editor: to its process group when isolated,
// else to the editor alone, unless the terminal sent it to the editor's
// process group already (see fromTerminal).
func passOn(p *os.Process, group bool, sig os.Signal) {
	switch {
	case group:
		_ = syscall.Kill(-p.Pid, sig.(syscall.Signal))
	case !fromTerminal(sig):
		_ = p.Signal(sig)
	}
}

// kill kills the editor: its process group when isolated.
func kill(p *os.Process, group bool) {
	if group {
		_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	}
	_ = p.Kill()
}

// killedBy returns the signal of editSignals that killed the editor, or nil.
func killedBy(ps *os.ProcessState) os.Signal {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return nil
	}
	for _, s := range editSignals {
		if s == ws.Signal() {
			return s
		}
	}
	return nil
}

// endedBy is the error with which an edit that sig interrupted ends
// user-secrets: death by sig, as if it had not been caught (see dieOf), so
// that a shell sees 128+N and a script running it stops. SIGQUIT is the
// exception: Go's runtime answers it with a dump of every goroutine, so
// user-secrets exits 128+SIGQUIT instead.
func endedBy(sig os.Signal) error {
	if sig == syscall.SIGQUIT {
		return &exitError{code: 128 + int(syscall.SIGQUIT)}
	}
	return &interruptError{sig: sig}
}

// signalName is sig's name, such as "SIGTERM".
func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if name := unix.SignalName(s); name != "" {
			return name
		}
	}
	return sig.String()
}
