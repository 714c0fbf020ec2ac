package koanfprovider

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/knadh/koanf/parsers/dotenv"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// benchStore returns a store holding n secrets written by core, the way
// `user-secrets set` leaves them.
func benchStore(b *testing.B, n int) *core.Store {
	b.Helper()
	dir := b.TempDir()
	s, err := core.Open(core.Options{ID: testID, Root: dir, LookupEnv: noEnv, WorkDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	entries := make([]core.Entry, n)
	for i := range entries {
		entries[i] = core.Entry{
			Key:   fmt.Sprintf("SERVICE_%03d_API_KEY", i),
			Value: fmt.Sprintf("sk-%032x", uint64(i)*0x9e3779b97f4a7c15),
		}
	}
	if _, err := s.SetMany(entries); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkLoad compares loading the same 100-key file through the
// provider (with koanf's dotenv parser, and through Read) with koanf's own
// file provider and dotenv parser.
func BenchmarkLoad(b *testing.B) {
	s := benchStore(b, 100)
	opts := Options{ID: testID, Root: s.Project().Root}
	for _, bb := range []struct {
		name string
		p    koanf.Provider
		pa   koanf.Parser
	}{
		{"koanfprovider+dotenv.Parser", Provider(opts), dotenv.Parser()},
		{"koanfprovider.Read", Provider(opts), nil},
		{"file.Provider+dotenv.Parser", file.Provider(s.Path()), dotenv.Parser()},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				k := koanf.New(".")
				if err := k.Load(bb.p, bb.pa); err != nil {
					b.Fatal(err)
				}
				if k.String("SERVICE_099_API_KEY") == "" {
					b.Fatal("key missing")
				}
			}
		})
	}
}

// BenchmarkWatchLatency measures, per change, the time from the start of a
// core Store.Set to the Watch callback, with the default debounce. It
// reports the median and 90th percentile (its budget is 200ms). Run it
// with -benchtime=20x for 20 samples.
func BenchmarkWatchLatency(b *testing.B) {
	s := benchStore(b, 10)
	p := Provider(Options{ID: testID, Root: s.Project().Root, LookupEnv: noEnv, WorkDir: s.Dir()})
	ch := make(chan struct{}, 1)
	if err := p.Watch(func(any, error) { ch <- struct{}{} }); err != nil {
		b.Fatal(err)
	}
	defer p.Unwatch()

	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := s.Set("SERVICE_000_API_KEY", "rotated-"+strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
		select {
		case <-ch:
			lat = append(lat, time.Since(start))
		case <-time.After(5 * time.Second):
			b.Fatal("no callback within 5s")
		}
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "median-ms")
	b.ReportMetric(ms(lat[len(lat)*9/10]), "p90-ms")
}

// BenchmarkReadBytes is the provider's own share of BenchmarkLoad:
// resolving the store, reading and parsing the file and rendering it, next
// to reading the file alone.
func BenchmarkReadBytes(b *testing.B) {
	s := benchStore(b, 100)
	p := Provider(Options{ID: testID, Root: s.Project().Root, LookupEnv: noEnv, WorkDir: s.Dir()})
	b.Run("ReadBytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.ReadBytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("os.ReadFile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := os.ReadFile(s.Path()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
