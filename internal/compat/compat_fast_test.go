package compat

import (
	"math/rand/v2"
	"testing"
)

// TestPlainFastPath checks ChooseForm's fast path against the full reader
// models: every value it treats as plain must be read bare by every reader.
func TestPlainFastPath(t *testing.T) {
	const alphabet = "abcXYZ019_-./:@+,%="
	rng := rand.New(rand.NewPCG(1, 2))
	values := []string{"", "=", "-", "a=b", "http://x.example:80/p", "%", "user@host", "a,b", "+1"}
	for range 20000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		values = append(values, string(b))
	}
	for i, v := range values {
		if !isPlain(v) {
			t.Fatalf("value #%d: isPlain = false for a value of the plain alphabet", i)
		}
		if got := Accepts(FormBare, v); got != AllReaders {
			t.Fatalf("value #%d (plain): bare form misread by %s", i, AllReaders&^got)
		}
	}
	for _, v := range []string{"a b", "a#b", "$X", "'", `"`, `\`, "é", "\t"} {
		if isPlain(v) {
			t.Errorf("isPlain(%q) = true, want false", v)
		}
	}
}

func BenchmarkFormatValuePlain(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		FormatValue("value-00042-abcdefghijklmnopqrstuvwxyz0123456789")
	}
}
