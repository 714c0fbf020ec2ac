//go:build unix

package core

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func init() { processUsage = rusage }

// rusage returns the CPU time (user and system) and the minor page faults
// of this process so far; zero if the OS will not tell.
func rusage() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}
	}
	return usage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), faults: int64(ru.Minflt)}
}

// BenchmarkFirstTouch measures the machine rather than this package: the
// cost of touching a page of fresh memory for the first time (a minor page
// fault, in which the OS maps and zeroes the page), as ns/page over the
// pages of a 4 MiB mapping, its mmap and munmap included. Much of
// BenchmarkLoadFresh's time is such faults, and what they cost is the
// machine's: compare this figure before comparing loads across machines.
func BenchmarkFirstTouch(b *testing.B) {
	const size = 4 << 20
	page := os.Getpagesize()
	for b.Loop() {
		m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < size; i += page {
			m[i] = 1
		}
		if err := syscall.Munmap(m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size/page), "ns/page")
}
