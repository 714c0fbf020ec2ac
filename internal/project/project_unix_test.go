//go:build unix

package project

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within runs f and fails the test if it has not returned after a while:
// a FIFO opened for reading would block it for ever.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("blocked: a FIFO was opened for reading")
	}
}

func TestFindSkipsFIFO(t *testing.T) {
	base := t.TempDir()
	put(t, base, "p/.env", "USER_SECRETS_ID="+id1+"\n")
	fifo := filepath.Join(mkdir(t, base, "p/sub"), ".env")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	within(t, func() {
		s, err := Find(filepath.Join(base, "p", "sub"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.ID != id1 || len(s.Skipped) != 1 || !strings.Contains(s.Skipped[0], fifo+" is a FIFO") {
			t.Errorf("Find() = ID %q, Skipped %q; want the parent's ID and the FIFO named", s.ID, s.Skipped)
		}
	})
}

func TestStatusFIFO(t *testing.T) {
	base := t.TempDir()
	put(t, base, "p/.git/HEAD", "x\n")
	if err := syscall.Mkfifo(filepath.Join(base, "p", ".env"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	within(t, func() {
		if status, reason := Status(filepath.Join(base, "p"), id1, nil); status != Unknown {
			t.Errorf("Status(FIFO .env) = %q, %q; want %q", status, reason, Unknown)
		}
	})
}
