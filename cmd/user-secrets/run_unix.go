//go:build unix

package main

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwardedSignals are caught while the child runs, so they cannot kill
// user-secrets, and passed on to the child.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// forwarder passes the signals user-secrets receives on to the child.
type forwarder struct {
	ch   chan os.Signal
	done chan struct{}

	mu      sync.Mutex
	child   *os.Process
	pending []os.Signal // received before the child started
}

// forwardSignals starts catching forwardedSignals. Call started once the
// child runs, and stop when it has exited.
func forwardSignals() *forwarder {
	f := &forwarder{ch: make(chan os.Signal, 8), done: make(chan struct{})}
	signal.Notify(f.ch, forwardedSignals...)
	go f.loop()
	return f
}

func (f *forwarder) loop() {
	for {
		select {
		case sig := <-f.ch:
			f.mu.Lock()
			if f.child == nil {
				f.pending = append(f.pending, sig)
			} else if !fromTerminal(sig) {
				_ = f.child.Signal(sig)
			}
			f.mu.Unlock()
		case <-f.done:
			return
		}
	}
}

// started records the child and delivers the signals that came before it.
func (f *forwarder) started(p *os.Process) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.child = p
	for _, sig := range f.pending {
		_ = p.Signal(sig)
	}
	f.pending = nil
}

// stop stops catching signals; their default action applies again.
func (f *forwarder) stop() {
	signal.Stop(f.ch)
	close(f.done)
}

// fromTerminal reports whether sig is one a terminal sends to its whole
// foreground process group (Ctrl-C, Ctrl-\, hang-up) while user-secrets is
// in that group: the child, which shares user-secrets' process group, then
// got the signal from the terminal itself, and forwarding it would deliver
// it twice. SIGTERM is always forwarded.
func fromTerminal(sig os.Signal) bool {
	if sig != syscall.SIGINT && sig != syscall.SIGQUIT && sig != syscall.SIGHUP {
		return false
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false // no controlling terminal
	}
	defer tty.Close()
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	if err != nil {
		return false
	}
	own, err := unix.Getpgid(0)
	return err == nil && fg == own
}

// exitStatus is the status a shell would report for the child: its exit
// code, or 128+N when signal N killed it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// envKey is the name under which the environment knows a variable.
func envKey(k string) string { return k }
