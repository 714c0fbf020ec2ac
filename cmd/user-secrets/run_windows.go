//go:build windows

package main

import (
	"os"
	"os/signal"
	"strings"
)

// forwarder keeps Ctrl-C (and Ctrl-Break) from killing user-secrets while
// the child runs. Windows delivers console control events to every process
// attached to the console, so the child gets them directly and there is
// nothing to forward.
type forwarder struct{ ch chan os.Signal }

func forwardSignals() *forwarder {
	f := &forwarder{ch: make(chan os.Signal, 1)}
	signal.Notify(f.ch, os.Interrupt)
	return f
}

func (f *forwarder) started(*os.Process) {}

func (f *forwarder) stop() { signal.Stop(f.ch) }

// exitStatus is the child's exit code.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }

// envKey is the name under which the environment knows a variable:
// Windows compares names without regard to case.
func envKey(k string) string { return strings.ToUpper(k) }
