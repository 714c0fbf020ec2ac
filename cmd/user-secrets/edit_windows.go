//go:build windows

package main

import (
	"os"
	"os/exec"
	"syscall"
)

// editSignals are the signals that would end user-secrets while it edits:
// Ctrl-C and Ctrl-Break (os.Interrupt), and closing the console, logging
// off or shutting down (SIGTERM). It catches them, to remove its copy
// first.
var editSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// isolate does nothing on Windows, and reports false.
func isolate(*exec.Cmd) bool { return false }

// endsEdit reports whether sig, received while the editor runs, ends the
// edit: Ctrl-C does not, for the console sends it to the editor too.
func endsEdit(sig os.Signal) bool { return sig != os.Interrupt }

// passOn ends the editor: Windows cannot pass a signal on, and gives a
// process only a few seconds once its console closes.
func passOn(p *os.Process, _ bool, _ os.Signal) { _ = p.Kill() }

// kill kills the editor.
func kill(p *os.Process, _ bool) { _ = p.Kill() }

// killedBy returns nil: a Windows process does not die of a signal.
func killedBy(*os.ProcessState) os.Signal { return nil }

// endedBy is the error with which an edit that sig interrupted ends
// user-secrets: exit status 128+N, as a POSIX shell would report death by
// signal N.
func endedBy(sig os.Signal) error {
	n := 2 // os.Interrupt
	if s, ok := sig.(syscall.Signal); ok {
		n = int(s)
	}
	return &exitError{code: 128 + n}
}

// signalName is sig's name, such as "SIGTERM".
func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}
