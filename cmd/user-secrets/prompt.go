package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/term"
)

// readValue reads a secret's value from standard input: on a terminal,
// with a hidden prompt on stderr; otherwise the whole input, with one
// trailing newline ("\n" or "\r\n") dropped.
func readValue(s *IOStreams, key string) (string, error) {
	if s.InIsTerminal() {
		fmt.Fprintf(s.ErrOut, "Value for %s: ", key)
		b, err := readHidden(s.InFd, s.ErrOut)
		fmt.Fprintln(s.ErrOut)
		if err != nil {
			return "", fmt.Errorf("read the value of %q from the terminal: %w", key, err)
		}
		return string(b), nil
	}
	b, err := io.ReadAll(s.In)
	if err != nil {
		return "", fmt.Errorf("read the value of %q from standard input: %w", key, err)
	}
	v := string(b)
	if t, ok := strings.CutSuffix(v, "\r\n"); ok {
		v = t
	} else {
		v = strings.TrimSuffix(v, "\n")
	}
	return v, nil
}

// readHidden reads a line from the terminal fd without echo. If the user
// interrupts it, the terminal's echo is restored before the process dies
// of the signal (term.ReadPassword alone would leave echo off).
func readHidden(fd int, errOut io.Writer) ([]byte, error) {
	old, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	defer func() {
		signal.Stop(sig)
		close(done)
	}()
	go func() {
		select {
		case s := <-sig:
			_ = term.Restore(fd, old)
			fmt.Fprintln(errOut)
			reraise(s)
		case <-done:
		}
	}()
	return term.ReadPassword(fd)
}

// reraise delivers s to this process again, with its default action.
func reraise(s os.Signal) {
	signal.Reset(s)
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Signal(s)
	}
	if err != nil {
		// Windows cannot signal itself: leave as an interrupted program
		// does, by convention 128+SIGINT.
		os.Exit(130)
	}
}

// confirm asks question on stderr and reads a line from stdin; only "y"
// or "yes" (any case) is a yes.
func confirm(s *IOStreams, question string) bool {
	fmt.Fprintf(s.ErrOut, "%s [y/N] ", question)
	line, _ := bufio.NewReader(s.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
