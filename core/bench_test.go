package core

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"
)

// The benchmarks behind the performance figures in docs/performance.md:
//
//	go test -run '^$' -bench . -benchmem ./core/
//
// BenchmarkLoad compares a load of the secrets file (Store.All, and Parse
// of os.ReadFile) with os.ReadFile alone and with godotenv.Read of the same
// file, side by side in one run; BenchmarkLoadEncrypted compares the load
// of an encrypted store with a plain one; BenchmarkSet times a whole
// locked, synced Set.

// measure runs f in a b.Loop, reporting allocations.
func measure(b *testing.B, f func() error) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchFile returns the text of a secrets file with n keys: mostly bare
// values, some single-quoted, some double-quoted with escapes, as the
// writer produces them. The keys are in no order, as in a store that
// grew by `set` (a sorted file would let the reader's duplicate check
// stop early).
func benchFile(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+/"
	var b strings.Builder
	b.WriteString(storeHeader("/home/dev/project", fixtureID))
	for _, i := range r.Perm(n) {
		v := make([]byte, 16+r.IntN(48))
		for j := range v {
			v[j] = alphabet[r.IntN(len(alphabet))]
		}
		switch i % 10 {
		case 0, 1:
			fmt.Fprintf(&b, "KEY_%05d='%s #%d'\n", i, v, i)
		case 2:
			fmt.Fprintf(&b, "KEY_%05d=\"%s\\n%s\"\n", i, v[:8], v[8:])
		default:
			fmt.Fprintf(&b, "KEY_%05d=%s\n", i, v)
		}
	}
	return []byte(b.String())
}

// benchStore writes a store holding an n-key file.
func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	s, err := openID(b.TempDir(), fixtureID)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Replace(benchFile(n)); err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		s := benchStore(b, n)
		path := s.Path()
		// Check once that every reader reads all the keys.
		if all, err := s.All(); err != nil || len(all) != n {
			b.Fatalf("All() = %d entries, %v; want %d", len(all), err, n)
		}
		if m, err := godotenv.Read(path); err != nil || len(m) != n {
			b.Fatalf("godotenv.Read() = %d entries, %v; want %d", len(m), err, n)
		}
		b.Run(fmt.Sprintf("keys=%d/os.ReadFile", n), func(b *testing.B) {
			measure(b, func() error { _, err := os.ReadFile(path); return err })
		})
		b.Run(fmt.Sprintf("keys=%d/Store.All", n), func(b *testing.B) {
			measure(b, func() error { _, err := s.All(); return err })
		})
		b.Run(fmt.Sprintf("keys=%d/Parse", n), func(b *testing.B) {
			measure(b, func() error {
				data, err := os.ReadFile(path)
				if err == nil {
					_, err = Parse(data, path)
				}
				return err
			})
		})
		b.Run(fmt.Sprintf("keys=%d/godotenv.Read", n), func(b *testing.B) {
			measure(b, func() error { _, err := godotenv.Read(path); return err })
		})
	}
}

// BenchmarkLoadEncrypted compares Store.All of an encrypted store with
// Store.All of the same secrets in plain text, side by side: "encrypted"
// with a Store that keeps its key (a program that loads more than once),
// "encrypted-new-store" with a new Store each time, whose key is parsed
// from $USER_SECRETS_KEY and checked against the store (a process that
// loads once, as the CLI does); os.ReadFile reads the encrypted file. Get
// is the CLI's get, which decrypts one value.
func BenchmarkLoadEncrypted(b *testing.B) {
	for _, n := range []int{100, 10000} {
		plain := benchStore(b, n)
		enc := benchStore(b, n)
		key, err := NewKey()
		if err != nil {
			b.Fatal(err)
		}
		if err := enc.Encrypt(key, nil); err != nil {
			b.Fatal(err)
		}
		env := lookupIn(map[string]string{EnvKey: FormatKey(key)})
		fresh := func() *Store { return newStore(enc.project, Options{LookupEnv: env}) }
		want, err := plain.All()
		if err != nil {
			b.Fatal(err)
		}
		if got, err := fresh().All(); err != nil || !slices.Equal(got, want) {
			b.Fatalf("the encrypted store reads %d entries, %v; want the plain store's %d", len(got), err, len(want))
		}
		b.Run(fmt.Sprintf("keys=%d/os.ReadFile", n), func(b *testing.B) {
			measure(b, func() error { _, err := os.ReadFile(enc.Path()); return err })
		})
		b.Run(fmt.Sprintf("keys=%d/plain", n), func(b *testing.B) {
			measure(b, func() error { _, err := plain.All(); return err })
		})
		b.Run(fmt.Sprintf("keys=%d/encrypted", n), func(b *testing.B) {
			measure(b, func() error { _, err := enc.All(); return err })
		})
		b.Run(fmt.Sprintf("keys=%d/encrypted-new-store", n), func(b *testing.B) {
			measure(b, func() error { _, err := fresh().All(); return err })
		})
		name := want[len(want)/2].Key
		b.Run(fmt.Sprintf("keys=%d/Get/plain", n), func(b *testing.B) {
			measure(b, func() error { _, err := plain.Get(name); return err })
		})
		b.Run(fmt.Sprintf("keys=%d/Get/encrypted-new-store", n), func(b *testing.B) {
			measure(b, func() error { _, err := fresh().Get(name); return err })
		})
	}
}

// pythonBenchFile returns a file with n keys as python-env-secrets writes
// one: its header, then KEY=value lines, a value holding " #" wrapped in
// double quotes (as benchFile's, minus the escapes that tool cannot hold).
func pythonBenchFile(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+/"
	var es []refEntry
	for _, i := range r.Perm(n) {
		v := make([]byte, 16+r.IntN(48))
		for j := range v {
			v[j] = alphabet[r.IntN(len(alphabet))]
		}
		value := string(v)
		if i%10 < 2 {
			value += fmt.Sprintf(" #%d", i)
		}
		es = append(es, refEntry{Key: fmt.Sprintf("KEY_%05d", i), Value: value})
	}
	return []byte(pyEnvSecretsWrite(pythonHeaders[0], nil, es, "\n"))
}

// BenchmarkLoadPython is BenchmarkLoad for a store that python-env-secrets
// wrote, which is read by that tool's rules (the Python dialect).
func BenchmarkLoadPython(b *testing.B) {
	for _, n := range []int{100, 10000} {
		s, err := openID(b.TempDir(), fixtureID)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Replace(pythonBenchFile(n)); err != nil {
			b.Fatal(err)
		}
		if all, err := s.All(); err != nil || len(all) != n {
			b.Fatalf("All() = %d entries, %v; want %d", len(all), err, n)
		}
		path := s.Path()
		b.Run(fmt.Sprintf("keys=%d/os.ReadFile", n), func(b *testing.B) {
			measure(b, func() error { _, err := os.ReadFile(path); return err })
		})
		b.Run(fmt.Sprintf("keys=%d/Store.All", n), func(b *testing.B) {
			measure(b, func() error { _, err := s.All(); return err })
		})
	}
}

// BenchmarkParseOnly is the reader without the file system.
func BenchmarkParseOnly(b *testing.B) {
	for _, n := range []int{100, 10000} {
		data := benchFile(n)
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			measure(b, func() error { _, err := Parse(data, "f"); return err })
		})
	}
}

func BenchmarkSet(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			s := benchStore(b, n)
			key := fmt.Sprintf("KEY_%05d", n/2)
			i := 0
			measure(b, func() error {
				i++
				_, err := s.Set(key, fmt.Sprintf("value-%d", i))
				return err
			})
		})
	}
}

// BenchmarkSetNew appends a new key each time to a store that starts with
// n keys.
func BenchmarkSetNew(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			s := benchStore(b, n)
			i := 0
			measure(b, func() error {
				i++
				_, err := s.Set(fmt.Sprintf("NEW_%d", i), "v")
				return err
			})
		})
	}
}

// TestBenchFileReadsBack keeps the benchmark input honest.
func TestBenchFileReadsBack(t *testing.T) {
	data := benchFile(1000)
	es, err := Parse(data, "f")
	if err != nil || len(es) != 1000 {
		t.Fatalf("Parse(benchFile(1000)) = %d entries, %v", len(es), err)
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := godotenv.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if m[e.Key] != e.Value {
			t.Errorf("godotenv reads %s differently", e.Key)
		}
	}
}

// BenchmarkLoadEach times every call on its own, alternating os.ReadFile
// and Store.All of the same file, and reports the median of each
// (readfile-p50-ns, all-p50-ns) and their ratio. BenchmarkLoad's ns/op is
// a mean over a loop that piles up garbage, the collection of which lands
// on some calls; a program that loads its secrets once pays one call.
//
// The python/ runs load a store that python-env-secrets wrote
// (pythonBenchFile), read by that tool's rules.
func BenchmarkLoadEach(b *testing.B) {
	type run struct {
		name string
		n    int // keys
		s    *Store
	}
	var runs []run
	for _, n := range []int{100, 10000} {
		runs = append(runs, run{fmt.Sprintf("keys=%d", n), n, benchStore(b, n)})
	}
	for _, n := range []int{100, 10000} {
		s := benchStore(b, 0)
		if err := s.Replace(pythonBenchFile(n)); err != nil {
			b.Fatal(err)
		}
		runs = append(runs, run{fmt.Sprintf("python/keys=%d", n), n, s})
	}
	for _, c := range runs {
		s, path := c.s, c.s.Path()
		if all, err := s.All(); err != nil || len(all) != c.n {
			b.Fatalf("%s: All() = %d entries, %v; want %d", c.name, len(all), err, c.n)
		}
		b.Run(c.name, func(b *testing.B) {
			var rf, all []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := os.ReadFile(path); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := s.All(); err != nil {
					b.Fatal(err)
				}
				rf, all = append(rf, t1.Sub(t0)), append(all, time.Since(t1))
			}
			m, r := median(all), median(rf)
			b.ReportMetric(float64(m), "all-p50-ns")
			b.ReportMetric(float64(r), "readfile-p50-ns")
			b.ReportMetric(float64(m)/float64(r), "p50-ratio")
		})
	}
}

// median returns the middle of ds, which it sorts.
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}
