package core

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"
)

// The benchmarks behind SPEC §8's budgets:
//
//	go test -run '^$' -bench . -benchmem ./core/
//
// BenchmarkLoad compares a load of the secrets file (Store.All, and Parse
// of os.ReadFile) with os.ReadFile alone and with godotenv.Read of the same
// file; BenchmarkSet times a whole locked, synced Set.

// usage is what the process has used so far.
type usage struct {
	cpu    time.Duration // CPU time, user and system
	faults int64         // minor page faults: first touches of a page
}

// processUsage returns the process's usage, where the OS tells (see
// bench_unix_test.go), else nil. On a loaded machine the cpu-ns/op it
// gives is steadier than wall-clock ns/op.
var processUsage func() usage

// measure runs f in a b.Loop and, where it can, reports the process CPU
// time per operation as cpu-ns/op (garbage collection included) and the
// process's page faults per operation as faults/op: pages the runtime took
// from the OS, new or handed back and taken again, which cost far more on
// some machines than on others.
func measure(b *testing.B, f func() error) {
	b.Helper()
	b.ReportAllocs()
	var start usage
	if processUsage != nil {
		start = processUsage()
	}
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	if processUsage != nil && b.N > 0 {
		end := processUsage()
		b.ReportMetric(float64(end.cpu-start.cpu)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(end.faults-start.faults)/float64(b.N), "faults/op")
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
	b.WriteString(Header("/home/dev/project", fixtureID))
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
	s, err := OpenID(b.TempDir(), fixtureID)
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
		s, err := OpenID(b.TempDir(), fixtureID)
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

// freshPathEnv and freshWhatEnv name the variables that make
// TestLoadFreshChild do its one load: the file, and what reads it
// ("readfile", "all" or "godotenv").
const freshPathEnv, freshWhatEnv = "CORE_BENCH_FRESH_PATH", "CORE_BENCH_FRESH_WHAT"

// TestLoadFreshChild is BenchmarkLoadFresh's child process: it loads the
// file once and prints the time it took and the page faults it caused (-1
// where the OS does not tell). Without freshPathEnv set it does nothing.
func TestLoadFreshChild(t *testing.T) {
	path := os.Getenv(freshPathEnv)
	if path == "" {
		t.Skip("run by BenchmarkLoadFresh")
	}
	var load func() error
	switch what := os.Getenv(freshWhatEnv); what {
	case "readfile":
		load = func() error { _, err := os.ReadFile(path); return err }
	case "godotenv":
		load = func() error {
			if _, err := godotenv.Read(path); err != nil {
				// godotenv's errors quote the file's text: name the file only.
				return fmt.Errorf("godotenv.Read(%s) failed", path)
			}
			return nil
		}
	case "all":
		dir := filepath.Dir(path)
		s, err := OpenID(filepath.Dir(dir), filepath.Base(dir))
		if err != nil {
			t.Fatal(err)
		}
		if s.Path() != path {
			t.Fatalf("%s=%s: want a store's secrets file, such as %s", freshPathEnv, path, s.Path())
		}
		load = func() error { _, err := s.All(); return err }
	default:
		t.Fatalf("%s=%q: want readfile, all or godotenv", freshWhatEnv, what)
	}
	faults := int64(-1)
	var start usage
	if processUsage != nil {
		start = processUsage()
	}
	t0 := time.Now()
	err := load()
	d := time.Since(t0)
	if processUsage != nil {
		faults = processUsage().faults - start.faults
	}
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("fresh-load %d %d\n", d.Nanoseconds(), faults)
}

// BenchmarkLoadFresh times the first load of a program: each iteration
// starts a new process (this test binary, running TestLoadFreshChild),
// which loads the file once, as an application does at start-up. It
// reports the medians of the load's time and page faults, for os.ReadFile,
// Store.All and godotenv.Read of the same file. In a new process every
// page a load allocates is touched for the first time, a cost that loops
// over a warm heap (BenchmarkLoad, BenchmarkLoadEach) never show; the first
// os.ReadFile of a process also starts the runtime's poller.
//
// The child runs with the benchmark's GOMAXPROCS, and inherits the rest of
// the environment (GOGC, GODEBUG). Each iteration costs a process start:
// run it with -benchtime 100x.
func BenchmarkLoadFresh(b *testing.B) {
	for _, n := range []int{100, 10000} {
		path := benchStore(b, n).Path()
		for _, what := range []string{"readfile", "all", "godotenv"} {
			b.Run(fmt.Sprintf("keys=%d/%s", n, what), func(b *testing.B) {
				exe, err := os.Executable()
				if err != nil {
					b.Fatal(err)
				}
				var ds, fs []int64
				for b.Loop() {
					cmd := exec.Command(exe, "-test.run=^TestLoadFreshChild$")
					cmd.Env = append(os.Environ(), freshPathEnv+"="+path, freshWhatEnv+"="+what,
						fmt.Sprintf("GOMAXPROCS=%d", runtime.GOMAXPROCS(0)))
					out, err := cmd.CombinedOutput()
					if err != nil {
						b.Fatalf("child: %v\n%s", err, out)
					}
					var d, f int64
					i := bytes.Index(out, []byte("fresh-load "))
					if i < 0 {
						b.Fatalf("child printed no time:\n%s", out)
					}
					if _, err := fmt.Sscan(string(out[i+len("fresh-load "):]), &d, &f); err != nil {
						b.Fatalf("child's output: %v\n%s", err, out)
					}
					ds, fs = append(ds, d), append(fs, f)
				}
				slices.Sort(ds)
				slices.Sort(fs)
				b.ReportMetric(float64(ds[len(ds)/2]), "p50-ns")
				if fs[0] >= 0 {
					b.ReportMetric(float64(fs[len(fs)/2]), "p50-faults")
				}
			})
		}
	}
}
