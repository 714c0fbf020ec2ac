package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"golang.org/x/term"
)

// readValue reads a secret's value from standard input: on a terminal,
// with a hidden prompt on stderr; otherwise the whole input, with one
// trailing newline ("\n" or "\r\n") dropped. An interrupt at the prompt
// returns an *interruptError.
func readValue(s *IOStreams, key string) (string, error) {
	if s.InIsTerminal() {
		return askHidden(s, "Value for "+key+": ", fmt.Sprintf("the value of %q", key))
	}
	b, err := io.ReadAll(io.LimitReader(s.In, fsutil.MaxFileSize+1))
	if err != nil {
		return "", fmt.Errorf("read the value of %q from standard input: %w", key, err)
	}
	if len(b) > fsutil.MaxFileSize {
		return "", fmt.Errorf("the value of %q on standard input is %w", key, fsutil.ErrTooLarge)
	}
	v := string(b)
	if t, ok := strings.CutSuffix(v, "\r\n"); ok {
		v = t
	} else {
		v = strings.TrimSuffix(v, "\n")
	}
	return v, nil
}

// askHidden prints prompt on stderr and reads a line from the terminal
// without echo; what names the input in an error ("the value of "KEY"").
// An interrupt returns an *interruptError.
func askHidden(s *IOStreams, prompt, what string) (string, error) {
	fmt.Fprint(s.ErrOut, prompt)
	b, err := readHidden(s.InFd)
	fmt.Fprintln(s.ErrOut)
	var ie *interruptError
	if err != nil && !errors.As(err, &ie) {
		return "", fmt.Errorf("read %s from the terminal: %w", what, err)
	}
	return string(b), err
}

// interruptError means the user interrupted a prompt (Ctrl-C). run ends the
// process by the signal itself; see dieOf.
type interruptError struct{ sig os.Signal }

func (e *interruptError) Error() string { return "interrupted" }

// readHidden reads a line from the terminal fd without echo. If the user
// interrupts it, the terminal's mode is restored (term.ReadPassword alone
// would leave echo off) and it returns an *interruptError; the read itself
// cannot be cancelled, and is left to end with the process.
func readHidden(fd int) ([]byte, error) {
	old, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case s := <-sig:
		_ = term.Restore(fd, old)
		return nil, &interruptError{sig: s}
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
