// Package redact masks secret values in a stream of output, such as a
// child process's stdout or stderr, as it passes through: every occurrence
// of a value of at least MinLen bytes is replaced by "***".
//
// # What it guarantees
//
//   - An occurrence is masked however the stream is cut into writes: a value
//     split across two writes, or written a byte at a time, is masked as if
//     it had come in one write.
//   - Where occurrences overlap, no byte of any of them shows. At each
//     position the longest value that matches wins, so with "abcdef" and
//     "abcdefgh" both secret, "abcdefgh" becomes one "***"; a value inside
//     another is masked where the longer one does not match; and an
//     occurrence that begins inside a masked span and runs past its end
//     extends that span, so "abcdefxyz" and "defxyzab" in "abcdefxyzab" give
//     one "***" and not "***ab". Occurrences that merely touch are masked
//     one after the other: two adjacent values give "******".
//   - Nothing that can be decided is held back. A Write passes on at once
//     every byte that cannot be part of a value, and the "***" of a masked
//     span as soon as one complete value begins it, even while a longer
//     value may still follow. What it keeps is only the end of the output
//     that is the beginning of a value (fewer bytes than the longest value):
//     "hello s" with the value "secretvalue" writes "hello " and keeps "s".
//     Each kept byte could still be part of a value, so there is nothing an
//     idle timer could safely write out, and there is none: a value printed
//     in pieces with pauses between them stays masked. The kept bytes are
//     written by the Write that decides them, or by Close; output that stops
//     on the first bytes of a value (a prompt ending in them, say) shows
//     them only then.
//   - Every other byte is passed on exactly as it came: binary data, invalid
//     UTF-8, carriage returns and terminal escape sequences included.
//
// # What it does not guarantee
//
// Masking is best effort, a guard against accidents, not a defence against
// a program that wants to show a value. A value shorter than MinLen bytes
// is not masked (short values would mask ordinary words and numbers). A
// value the program transforms shows: encoded (base64, hex, URL or JSON
// escaping), re-encoded to another character set, printed with other text
// between its pieces, or split between two Writers (a child's stdout and
// stderr, say: each Writer masks its own stream). The matching is exact, byte for byte: a value in
// another letter case shows. The output shows where something was masked.
//
// # Cost
//
// Values are indexed by their first byte, and each byte of output is
// compared with the values that begin with it, longest first, up to the
// first byte that differs. On log text with 100 values of 64 bytes that is
// about 100 MB/s; output built to look like the beginning of every value
// at once (100 values sharing their first 62 bytes, and output of nothing
// but those bytes) is the worst case, at about 1.5 MB/s.
package redact

import (
	"cmp"
	"errors"
	"io"
	"slices"
	"sync"
)

// MinLen is the length in bytes below which a value is not masked.
const MinLen = 6

// mask is what replaces each masked span.
const mask = "***"

var errClosed = errors.New("redact: write after close")

// Writer masks values in what is written to it and passes the result on.
// Create it with New; call Close at the end of the stream to write out the
// bytes it still holds.
//
// Its methods may be called from several goroutines, each call taking a
// lock, but the stream is the writes in the order they take it: for a
// value split across writes to be masked, its pieces must be written in
// order, which one writing goroutine per stream gives (exec.Cmd copies a
// child's output from one goroutine per stream, or a single one when
// Stdout and Stderr are the same Writer).
type Writer struct {
	w io.Writer
	// byFirst holds the values to mask by their first byte, each list
	// longest first.
	byFirst [256][]string

	mu     sync.Mutex
	held   []byte // the end of the stream so far that could begin a value
	masked int    // held[:masked] is inside a span whose "***" is written
	out    []byte // scratch space for what one call passes on
	err    error  // the first error from w, returned ever after
	closed bool
}

// New returns a Writer that writes to w what is written to it, with every
// occurrence of a value in values of at least MinLen bytes replaced by
// "***". Values shorter than MinLen, the empty value included, are
// ignored, and duplicates count once. New keeps its own copy of the list.
func New(w io.Writer, values []string) *Writer {
	r := &Writer{w: w}
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if len(v) < MinLen || seen[v] {
			continue
		}
		seen[v] = true
		r.byFirst[v[0]] = append(r.byFirst[v[0]], v)
	}
	for _, list := range r.byFirst {
		slices.SortFunc(list, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	}
	return r
}

// Write masks p, as the continuation of what was written before, and
// passes on at once everything that can be decided: bytes that cannot be
// part of a value, and a "***" for each masked span. It holds back only the
// end of the stream that could be the beginning of a value, to be decided
// by the next Write or by Close.
//
// Write returns len(p) and nil when w accepted what was passed on, even if
// part of p is held. Otherwise it returns 0 and w's error (io.ErrShortWrite
// for a short write without one), and so does every later Write and Close:
// the stream is broken. Write after Close returns an error.
func (r *Writer) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	if r.closed {
		return 0, errClosed
	}
	if err := r.process(p, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes out what the Writer still holds, masking the values that are
// complete, and returns w's error if this or any earlier write to w failed.
// Close does not close w. Calling Close again does nothing and returns the
// same error.
func (r *Writer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil || r.closed {
		return r.err
	}
	r.closed = true
	err := r.process(nil, true)
	r.held, r.out = nil, nil
	return err
}

// process masks held followed by p and writes to w all that can be decided;
// at the end of the stream (final) that is everything.
func (r *Writer) process(p []byte, final bool) error {
	data := p
	if len(r.held) > 0 {
		r.held = append(r.held, p...)
		data = r.held
	}
	out := r.out[:0]
	spanEnd := r.masked // data[i] is masked while i < spanEnd
	plain := 0          // data[plain:i] is to be passed on as it is
	i := 0
	for ; i < len(data); i++ {
		if i >= spanEnd && len(r.byFirst[data[i]]) == 0 {
			continue // the common case: a byte that begins no value
		}
		n, open := r.match(data[i:], final)
		if n > 0 {
			if i >= spanEnd {
				out = append(out, data[plain:i]...)
				out = append(out, mask...)
			}
			spanEnd = max(spanEnd, i+n)
		}
		if open {
			break // data[i:] may be the beginning of a value
		}
		if i < spanEnd {
			plain = i + 1
		}
	}
	if i >= spanEnd {
		out = append(out, data[plain:i]...)
	}
	r.masked = max(spanEnd-i, 0)
	// Keep data[i:] (append copies like copy, so an overlap with r.held
	// is fine).
	r.held = append(r.held[:0], data[i:]...)
	r.out = out
	if len(out) == 0 {
		return nil
	}
	n, err := r.w.Write(out)
	if err == nil && n < len(out) {
		err = io.ErrShortWrite
	}
	r.err = err
	return err
}

// match reports the length of the longest value that s begins with (0 if
// none), and whether s, which ends where the stream so far ends, is the
// beginning of a longer value: then what follows decides. At the end of
// the stream (final) nothing follows, and open is false.
func (r *Writer) match(s []byte, final bool) (n int, open bool) {
	for _, v := range r.byFirst[s[0]] { // longest first
		if len(s) > 1 && s[1] != v[1] {
			continue // most candidates end here, without a call to compare
		}
		if len(v) > len(s) {
			if !final && !open && v[:len(s)] == string(s) {
				open = true
			}
			continue
		}
		if string(s[:len(v)]) == v {
			return len(v), open
		}
	}
	return 0, open
}
