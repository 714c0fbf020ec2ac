package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the command's standard streams, and what it knows about
// them. Tests replace them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InFd is the file descriptor of In when it is a terminal, else -1.
	InFd int
	// ErrIsTTY reports whether ErrOut is a terminal (for prompts).
	ErrIsTTY bool
}

func newSystemIO() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, InFd: -1}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		s.InFd = fd
	}
	s.ErrIsTTY = term.IsTerminal(int(os.Stderr.Fd()))
	return s
}

// InIsTerminal reports whether standard input is a terminal.
func (s *IOStreams) InIsTerminal() bool { return s.InFd >= 0 }

// Warnf prints "user-secrets: warning: …" on stderr.
func (s *IOStreams) Warnf(format string, a ...any) {
	fmt.Fprintf(s.ErrOut, "user-secrets: warning: "+format+"\n", a...)
}

// Hintf prints "user-secrets: hint: …" on stderr.
func (s *IOStreams) Hintf(format string, a ...any) {
	fmt.Fprintf(s.ErrOut, "user-secrets: hint: "+format+"\n", a...)
}

// Infof prints a plain message on stderr.
func (s *IOStreams) Infof(format string, a ...any) {
	fmt.Fprintf(s.ErrOut, format+"\n", a...)
}
