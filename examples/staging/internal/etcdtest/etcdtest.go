// Package etcdtest starts a real etcd server for a test: Debian's
// etcd-server package, or any etcd binary on PATH.
package etcdtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// RequireEnv is the environment variable that turns a missing etcd from a
// skip into a failure: CI sets it to 1.
const RequireEnv = "USER_SECRETS_REQUIRE_ETCD"

// Server is an etcd server started by Start, alone in a cluster of one, on
// loopback ports.
type Server struct {
	// Endpoint is the client URL, http://127.0.0.1:PORT.
	Endpoint string
	// HostPort is the client address, 127.0.0.1:PORT.
	HostPort string
	// Pid is the server's process ID; the process is gone once the test
	// and its cleanups have finished.
	Pid int
}

// startTimeout bounds the wait for a new server to answer.
const startTimeout = 30 * time.Second

// Start starts etcd with its data in a temporary directory, on free
// loopback ports for clients and peers, and waits until it answers. A
// cleanup of t kills it and waits for it to exit. Where no etcd binary is
// on PATH, Start skips the test, or fails it when $USER_SECRETS_REQUIRE_ETCD
// is 1. A server that does not start fails the test.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("etcd")
	if err != nil {
		msg := "etcd is not installed (on Debian: apt-get install etcd-server): skipping the tests against a real etcd"
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s=1, but %s", RequireEnv, strings.TrimSuffix(msg, ": skipping the tests against a real etcd"))
		}
		t.Skip(msg)
	}
	// A port found free can be taken again before etcd binds it; a server
	// that exits at once is started again on other ports.
	var lastErr error
	for range 3 {
		s, err := start(t, bin)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("start etcd: %v", lastErr)
	return nil
}

// start makes one attempt at Start.
func start(t testing.TB, bin string) (*Server, error) {
	t.Helper()
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	client := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	dir := t.TempDir()
	cmd := exec.Command(bin,
		"--name", "test",
		"--data-dir", filepath.Join(dir, "data"),
		"--listen-client-urls", client,
		"--advertise-client-urls", client,
		"--listen-peer-urls", peer,
		"--initial-advertise-peer-urls", peer,
		"--initial-cluster", "test="+peer,
		"--initial-cluster-state", "new",
		// A cluster of one elects itself; short ticks make that quick.
		"--heartbeat-interval", "10",
		"--election-timeout", "50",
		"--logger", "zap",
		"--log-level", "error",
	)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		killGroup(cmd.Process)
		<-exited
	}
	if err := waitHealthy(client, exited); err != nil {
		stop()
		return nil, fmt.Errorf("%v; etcd's output:\n%s", err, logs.Bytes())
	}
	// Registered after t.TempDir's own cleanup, so it runs first: the data
	// directory is removed after the server has exited.
	t.Cleanup(stop)
	return &Server{Endpoint: client, HostPort: strings.TrimPrefix(client, "http://"), Pid: cmd.Process.Pid}, nil
}

// freePorts returns n loopback TCP ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// waitHealthy polls the server's /health until it reports healthy, the
// process exits, or startTimeout passes.
func waitHealthy(client string, exited <-chan struct{}) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := hc.Get(client + "/health")
		if err == nil {
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			if strings.Contains(b.String(), `"health":"true"`) {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("etcd exited before answering on %s", client)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("etcd did not answer on %s within %v", client, startTimeout)
		}
	}
}

// Client returns a client of s, closed by a cleanup of t.
func (s *Server) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Put sets key to value, failing t on error. Its failure message names the
// key, never the value.
func (s *Server) Put(t testing.TB, key, value string) {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Put(ctx, key, value); err != nil {
		t.Fatalf("etcd put %q: %v", key, err)
	}
}

// WaitWatchers waits until the server holds at least n watchers, as its
// metric etcd_debugging_mvcc_watcher_total counts them: a client's Watch
// returns before the server has the watch, and a change made before then
// is not sent to it.
func (s *Server) WaitWatchers(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		got, err := s.watchers()
		if err != nil {
			t.Fatalf("etcd metrics: %v", err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("etcd holds %d watchers after %v, want %d", got, startTimeout, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// watchers reads etcd_debugging_mvcc_watcher_total from /metrics.
func (s *Server) watchers() (int, error) {
	resp, err := http.Get(s.Endpoint + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	const metric = "etcd_debugging_mvcc_watcher_total "
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), metric); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no %s in %s/metrics", strings.TrimSpace(metric), s.Endpoint)
}
