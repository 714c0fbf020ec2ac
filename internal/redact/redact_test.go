package redact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Failure messages in this file never quote an input or an output: either
// could hold a value that failed to be masked. They name the case and give
// lengths and positions.

// reference masks in all at once, the plain way: it finds every occurrence
// of every value, merges the ones that overlap, and replaces each merged
// span with "***".
func reference(in string, values []string) string {
	type span struct{ start, end int }
	var spans []span
	for _, v := range values {
		if len(v) < MinLen {
			continue
		}
		for off := 0; ; {
			k := strings.Index(in[off:], v)
			if k < 0 {
				break
			}
			spans = append(spans, span{off + k, off + k + len(v)})
			off += k + 1
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	pos := 0 // in[:pos] is done
	for i := 0; i < len(spans); {
		cur := spans[i]
		for i++; i < len(spans) && spans[i].start < cur.end; i++ {
			cur.end = max(cur.end, spans[i].end)
		}
		b.WriteString(in[pos:cur.start])
		b.WriteString("***")
		pos = cur.end
	}
	b.WriteString(in[pos:])
	return b.String()
}

// undecided returns the length of the longest end of in that is the
// beginning of a longer value: what a Writer may hold after in.
func undecided(in string, values []string) int {
	for i := range len(in) {
		for _, v := range values {
			if len(v) >= MinLen && len(v) > len(in)-i && strings.HasPrefix(v, in[i:]) {
				return len(in) - i
			}
		}
	}
	return 0
}

// mismatch describes how got differs from want without quoting either.
func mismatch(got, want string) string {
	n := 0
	for n < len(got) && n < len(want) && got[n] == want[n] {
		n++
	}
	return fmt.Sprintf("output differs from the expected one at byte %d (got %d bytes, want %d)", n, len(got), len(want))
}

// check writes pieces to a new Writer one by one, then closes it, and
// fails unless the output is want. After each write it also checks that
// what reached w is the beginning of want, and that the Writer holds
// exactly the end of the input that could begin a value.
func check(t *testing.T, desc string, values []string, pieces []string, want string) {
	t.Helper()
	var out bytes.Buffer
	r := New(&out, values)
	in := ""
	for k, p := range pieces {
		n, err := r.Write([]byte(p))
		if n != len(p) || err != nil {
			t.Fatalf("%s: Write of piece %d (%d bytes) = %d, %v", desc, k, len(p), n, err)
		}
		in += p
		if !strings.HasPrefix(want, out.String()) {
			t.Fatalf("%s: after piece %d: %s", desc, k, mismatch(out.String(), want))
		}
		if got, want := len(r.held), undecided(in, values); got != want {
			t.Fatalf("%s: after piece %d the Writer holds %d bytes, want %d", desc, k, got, want)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatalf("%s: Close: %v", desc, err)
	}
	if got := out.String(); got != want {
		t.Fatalf("%s: %s", desc, mismatch(got, want))
	}
}

// cut returns s cut at the given ascending positions.
func cut(s string, at ...int) []string {
	pieces := make([]string, 0, len(at)+1)
	prev := 0
	for _, a := range at {
		pieces = append(pieces, s[prev:a])
		prev = a
	}
	return append(pieces, s[prev:])
}

var cases = []struct {
	name   string
	values []string
	in     string
	want   string
}{
	{"no values", nil, "plain output\n", "plain output\n"},
	{"empty input", []string{"supersecret"}, "", ""},
	{"one value", []string{"supersecret"}, "token=supersecret\n", "token=***\n"},
	{"value alone", []string{"supersecret"}, "supersecret", "***"},
	{"repeated", []string{"supersecret"}, "supersecret and supersecret\nsupersecret", "*** and ***\n***"},
	{"adjacent", []string{"supersecret"}, "supersecretsupersecret", "******"},
	{"two adjacent values", []string{"secretA1", "secretB2"}, "[secretA1secretB2]", "[******]"},
	{"beginning of a value only", []string{"supersecret"}, "super supersecre supersecret", "super supersecre ***"},
	{"six bytes masked", []string{"abcdef"}, "x abcdef y", "x *** y"},
	{"five bytes not masked", []string{"abcde", "", "ab"}, "x abcde ab y", "x abcde ab y"},
	{"duplicates", []string{"supersecret", "supersecret"}, "a supersecret b", "a *** b"},
	{"prefix of another, longer present", []string{"abcdef", "abcdefgh"}, "[abcdefgh]", "[***]"},
	{"prefix of another, shorter present", []string{"abcdefgh", "abcdef"}, "[abcdefg]", "[***g]"},
	{"prefix of another, at the end", []string{"abcdef", "abcdefgh"}, "abcdefg", "***g"},
	{"contained, longer present", []string{"xxsecretxx", "secret"}, "a xxsecretxx b", "a *** b"},
	{"contained, alone", []string{"xxsecretxx", "secret"}, "a secret b xxsecretx", "a *** b xx***x"},
	{"overlap", []string{"abcdefxyz", "defxyzab"}, "abcdefxyzab", "***"},
	{"overlap, second first", []string{"defxyzab", "abcdefxyz"}, "<abcdefxyzab>", "<***>"},
	{"overlap, first only", []string{"abcdefxyz", "defxyzab"}, "abcdefxyza", "***a"},
	{"overlap, second only", []string{"abcdefxyz", "defxyzab"}, "bcdefxyzab", "bc***"},
	{"overlap chain", []string{"aaaabbbb", "bbbbcccc", "ccccdddd"}, "aaaabbbbccccdddd!", "***!"},
	{"self overlap", []string{"abababab"}, "ababababab", "***"},
	{"same first byte", []string{"sk_live_one", "sk_live_two", "sk_test_three"}, "sk_live_two sk_test_three sk_live_", "*** *** sk_live_"},
	{"regexp metacharacters", []string{`a.b*c+(d)[e]$^\|?`}, `a.b*c+(d)[e]$^\|? aXbbbc+(d)[e]$^\|?`, `*** aXbbbc+(d)[e]$^\|?`},
	{"newline inside", []string{"line one\nline two"}, "x line one\nline two y\nline one\n", "x *** y\nline one\n"},
	{"carriage return inside", []string{"pass\r\nword"}, "pass\r\nword\r\n", "***\r\n"},
	{"escape codes kept", []string{"supersecret"}, "\x1b[31msupersecret\x1b[0m\r", "\x1b[31m***\x1b[0m\r"},
	{"binary", []string{"\x00\xff\xfe\x01\x02\x03"}, "\xff\x00\xff\xfe\x01\x02\x03\x00", "\xff***\x00"},
	{"invalid UTF-8 kept", []string{"supersecret"}, "\xc3\x28 supersecret \xe2\x82", "\xc3\x28 *** \xe2\x82"},
	{"UTF-8 value", []string{"пароль"}, "пароль: пароль", "***: ***"},
	{"star in value", []string{"***abc***"}, "****abc****", "*****"},
}

func TestWriter(t *testing.T) {
	t.Parallel()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := reference(tt.in, tt.values); got != tt.want {
				t.Fatalf("reference: %s", mismatch(got, tt.want))
			}
			check(t, "one write", tt.values, []string{tt.in}, tt.want)
			check(t, "a byte at a time", tt.values, strings.Split(tt.in, ""), tt.want)
			for i := 0; i <= len(tt.in); i++ {
				for j := i; j <= len(tt.in); j++ {
					check(t, fmt.Sprintf("cut at %d and %d", i, j), tt.values, cut(tt.in, i, j), tt.want)
				}
			}
		})
	}
}

// TestEveryCut writes each value inside some text, cut at every position
// of the value.
func TestEveryCut(t *testing.T) {
	t.Parallel()
	values := []string{"abcdef", "abcdefgh", "xxabcdefghxx", "defxyzab", "line\nbreak", "aaaaaaaaa"}
	for vi, v := range values {
		in := "<" + v + ">"
		want := reference(in, values)
		for i := 0; i <= len(in); i++ {
			check(t, fmt.Sprintf("value %d cut at %d", vi, i), values, cut(in, i), want)
		}
	}
}

// TestRandom compares the Writer with reference on random inputs over a
// small alphabet, where values overlap and contain each other often, cut
// into random pieces.
func TestRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab\n"[rng.IntN(3)]
		}
		return string(b)
	}
	for iter := range 3000 {
		values := make([]string, 1+rng.IntN(4))
		for i := range values {
			values[i] = word(4 + rng.IntN(8))
		}
		var in strings.Builder
		for in.Len() < 60 {
			if rng.IntN(2) == 0 {
				in.WriteString(values[rng.IntN(len(values))])
			} else {
				in.WriteString(word(rng.IntN(5)))
			}
		}
		s := in.String()
		var at []int
		for i := 0; i < len(s); i += 1 + rng.IntN(8) {
			at = append(at, i)
		}
		check(t, fmt.Sprintf("iteration %d", iter), values, cut(s, at...), reference(s, values))
	}
}

func FuzzWriter(f *testing.F) {
	f.Add([]byte("token=supersecret\n"), []byte{3, 7}, "supersecret", uint8(0), uint8(0), uint8(0), uint8(0))
	f.Add([]byte("abcdefxyzab"), []byte{1, 1, 1}, "defxyzab", uint8(0), uint8(9), uint8(0), uint8(6))
	f.Add([]byte("[abcdefg] abcdefgh"), []byte{5}, "abcdef", uint8(10), uint8(8), uint8(3), uint8(8))
	f.Add([]byte("\x1b[31mpass\r\nword\x00\xff"), []byte{0, 2}, "pass\r\nword", uint8(5), uint8(12), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, in, sizes []byte, v string, o1, n1, o2, n2 uint8) {
		// Two values are taken from the input, so that they occur in it.
		sub := func(o, n uint8) string {
			start := min(int(o), len(in))
			return string(in[start:min(start+int(n), len(in))])
		}
		values := []string{v, sub(o1, n1), sub(o2, n2)}
		var at []int
		pos := 0
		for _, s := range sizes {
			pos += int(s % 16)
			if pos > len(in) {
				break
			}
			at = append(at, pos)
		}
		check(t, "fuzz", values, cut(string(in), at...), reference(string(in), values))
	})
}

func TestPrompt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		pieces []string
		want   []string // what has reached w after each piece
		final  string   // after Close
	}{
		{
			name:   "nothing that can begin a value is held",
			values: []string{"secretvalue"},
			pieces: []string{"hello "},
			want:   []string{"hello "},
			final:  "hello ",
		},
		{
			name:   "the beginning of a value is held until decided",
			values: []string{"secretvalue"},
			pieces: []string{"hello s", "ecret", "value", "!"},
			want:   []string{"hello ", "hello ", "hello ***", "hello ***!"},
			final:  "hello ***!",
		},
		{
			name:   "held until more output shows it is no value",
			values: []string{"secretvalue"},
			pieces: []string{"a secre", "t? no\n"},
			want:   []string{"a ", "a secret? no\n"},
			final:  "a secret? no\n",
		},
		{
			name:   "held until Close",
			values: []string{"secretvalue"},
			pieces: []string{"token: secr"},
			want:   []string{"token: "},
			final:  "token: secr",
		},
		{
			name:   "a complete value is masked at once while a longer one may follow",
			values: []string{"abcdef", "abcdefgh"},
			pieces: []string{"x abcdef", "g", "h", " y"},
			want:   []string{"x ***", "x ***", "x ***", "x *** y"},
			final:  "x *** y",
		},
		{
			name:   "the longer one does not come",
			values: []string{"abcdef", "abcdefgh"},
			pieces: []string{"x abcdef", "g", "!"},
			want:   []string{"x ***", "x ***", "x ***g!"},
			final:  "x ***g!",
		},
		{
			name:   "the longer one does not come before Close",
			values: []string{"abcdef", "abcdefgh"},
			pieces: []string{"x abcdefg"},
			want:   []string{"x ***"},
			final:  "x ***g",
		},
		{
			name:   "an overlapping value may extend a masked span",
			values: []string{"abcdefxyz", "defxyzab"},
			pieces: []string{"abcdefxyz", "a", "b", "!"},
			want:   []string{"***", "***", "***", "***!"},
			final:  "***!",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			r := New(&out, tt.values)
			for k, p := range tt.pieces {
				if _, err := r.Write([]byte(p)); err != nil {
					t.Fatalf("Write of piece %d: %v", k, err)
				}
				if got := out.String(); got != tt.want[k] {
					t.Fatalf("after piece %d: %s", k, mismatch(got, tt.want[k]))
				}
			}
			if err := r.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if got := out.String(); got != tt.final {
				t.Fatalf("after Close: %s", mismatch(got, tt.final))
			}
		})
	}
}

// failing is an io.Writer whose writes fail after limit bytes.
type failing struct {
	limit int
	short bool // fail with a short write and no error
	buf   bytes.Buffer
}

var errDisk = errors.New("disk full")

func (f *failing) Write(p []byte) (int, error) {
	if f.buf.Len()+len(p) <= f.limit {
		return f.buf.Write(p)
	}
	n := f.limit - f.buf.Len()
	f.buf.Write(p[:n])
	if f.short {
		return n, nil
	}
	return n, errDisk
}

func TestErrors(t *testing.T) {
	t.Parallel()
	const canary = "canary-7Hq2Lw9Xp"
	tests := []struct {
		name  string
		short bool
		want  error
	}{
		{"error", false, errDisk},
		{"short write", true, io.ErrShortWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &failing{limit: 4, short: tt.short}
			r := New(f, []string{canary})
			if n, err := r.Write([]byte("ok ")); n != 3 || err != nil {
				t.Fatalf("first Write = %d, %v; want 3, nil", n, err)
			}
			n, err := r.Write([]byte("then " + canary + " canar"))
			if n != 0 || !errors.Is(err, tt.want) {
				t.Fatalf("failing Write = %d, %v; want 0, %v", n, err, tt.want)
			}
			if _, err := r.Write([]byte("more")); !errors.Is(err, tt.want) {
				t.Errorf("Write after the failure: %v, want %v", err, tt.want)
			}
			if err := r.Close(); !errors.Is(err, tt.want) {
				t.Errorf("Close after the failure: %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), canary) || strings.Contains(f.buf.String(), canary) {
				t.Errorf("the canary leaked into the error or the output")
			}
		})
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := New(&out, []string{"supersecret"})
	if _, err := r.Write([]byte("a super")); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if got, want := out.String(), "a super"; got != want {
		t.Errorf("%s", mismatch(got, want))
	}
	if n, err := r.Write([]byte("x")); n != 0 || err == nil {
		t.Errorf("Write after Close = %d, %v; want 0 and an error", n, err)
	}
}

// TestConcurrentWrites checks, under the race detector, that writes from
// several goroutines are serialised.
func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	const secret = "supersecret"
	var out bytes.Buffer
	r := New(&out, []string{secret})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				if _, err := r.Write([]byte("line " + secret + "\n")); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.Contains(got, secret) || strings.Count(got, "line ***\n") != 400 {
		t.Errorf("got %d masked lines of 400, or a value shown", strings.Count(got, "line ***\n"))
	}
}

// benchInput returns about size bytes of log lines with a value of values
// in one line out of 50.
func benchInput(size int, values []string) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "2025-01-02T15:04:05.%06dZ INFO handled request method=GET path=/api/v1/items/%d status=200 bytes=%d duration=%dms",
			rng.IntN(1e6), rng.IntN(1e5), rng.IntN(1e5), rng.IntN(500))
		if i%50 == 0 {
			b.WriteString(" token=" + values[rng.IntN(len(values))])
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// randomValues returns n values of length size drawn from alphabet.
func randomValues(n, size int, alphabet string) []string {
	rng := rand.New(rand.NewPCG(5, 6))
	values := make([]string, n)
	for i := range values {
		b := make([]byte, size)
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		values[i] = string(b)
	}
	return values
}

func BenchmarkWriter(b *testing.B) {
	const base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	logValues := randomValues(100, 64, base64)
	// The worst case for an index by first byte: every value begins like
	// the text, and differs from it only at its last byte.
	worstValues := make([]string, 100)
	for i := range worstValues {
		worstValues[i] = strings.Repeat("a", 62) + fmt.Sprintf("%02d", i)
	}
	worst := bytes.Repeat([]byte("a"), 1<<20)
	for _, bc := range []struct {
		name   string
		values []string
		in     []byte
	}{
		{"log", logValues, benchInput(1<<20, logValues)},
		{"worst", worstValues, worst},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				r := New(io.Discard, bc.values)
				// exec.Cmd copies a child's output in pieces of 32 KiB.
				for p := bc.in; len(p) > 0; {
					n := min(len(p), 32<<10)
					if _, err := r.Write(p[:n]); err != nil {
						b.Fatal(err)
					}
					p = p[n:]
				}
				if err := r.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
