//go:build unix

package testguard

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestCheckFIFO: a FIFO named .env is passed over, as the ID lookup passes
// it over, instead of blocking the open.
func TestCheckFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, ".env"), 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	if err := Check(dir); err != nil {
		t.Fatal(err)
	}
}
