package etcdtest

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"
)

// TestStartStop starts a server, writes and reads a key, and checks that
// the process is gone once the test that started it has finished.
func TestStartStop(t *testing.T) {
	var s *Server
	t.Run("server", func(t *testing.T) {
		s = Start(t)
		s.Put(t, "/etcdtest/k", "v")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := s.Client(t).Get(ctx, "/etcdtest/k")
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "v" {
			t.Fatalf("get /etcdtest/k = %v, want the value put", resp.Kvs)
		}
	})
	if s == nil {
		t.Skip("no server was started")
	}
	if err := syscall.Kill(s.Pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("etcd (pid %d) after its test ended: kill -0 = %v, want ESRCH (no such process)", s.Pid, err)
	}
}
