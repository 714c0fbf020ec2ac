//go:build unix

package core

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// The multi-process tests re-run this test binary as the child, as the
// os/exec tests do: the child runs only TestHelperProcess, which reads its
// command from the arguments after "--" and exits.

const helperEnvVar = "USER_SECRETS_CORE_TEST_HELPER"

// helperCommand returns a command that runs the helper with args. The
// child gets an environment of its own: it never reads the real one, and
// every path it uses comes from args.
func helperCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = []string{helperEnvVar + "=1"}
	if v, ok := os.LookupEnv("GORACE"); ok {
		cmd.Env = append(cmd.Env, "GORACE="+v)
	}
	return cmd
}

func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnvVar) != "1" {
		return
	}
	args := os.Args
	for len(args) > 0 && args[0] != "--" {
		args = args[1:]
	}
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "helper: no command")
		os.Exit(2)
	}
	if err := runHelper(args[1], args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runHelper(cmd string, args []string) error {
	switch cmd {
	case "set": // set ROOT KEY VALUE
		s, err := openID(args[0], fixtureID)
		if err != nil {
			return err
		}
		_, err = s.Set(args[1], args[2])
		return err

	case "init": // init PROJECT ROOT
		res, err := initR(Options{ProjectDir: args[0], Root: args[1], LookupEnv: emptyEnv})
		if err != nil {
			return err
		}
		fmt.Println(res.Project.ID, res.Created)
		return nil

	case "writer": // writer ROOT NAME MILLISECONDS
		s, err := openID(args[0], fixtureID)
		if err != nil {
			return err
		}
		ms, _ := strconv.Atoi(args[2])
		deadline := time.Now().Add(time.Duration(ms) * time.Millisecond)
		writes := 0
		for time.Now().Before(deadline) {
			key := fmt.Sprintf("W_%s_%d", args[1], rand.IntN(20))
			if rand.IntN(5) == 0 {
				err = s.Delete(key)
				if errors.Is(err, ErrNotFound) {
					err = nil
				}
			} else {
				_, err = s.Set(key, checkedValue(rand.IntN(3000)))
			}
			if err != nil {
				return err
			}
			writes++
		}
		fmt.Println(writes)
		return nil

	case "denied": // denied ROOT PROJECT: try everything, print each error
		s, err := openID(args[0], fixtureID)
		if err != nil {
			return err
		}
		ops := []struct {
			name string
			run  func() error
		}{
			{"All", func() error { _, err := s.All(); return err }},
			{"Get", func() error { _, err := s.Get("API_KEY"); return err }},
			{"Set", func() error { _, err := s.Set("API_KEY", "new"); return err }},
			{"Delete", func() error { return s.Delete("API_KEY") }},
			{"Clear", func() error { _, err := s.Clear(); return err }},
			{"Init", func() error {
				_, err := initR(Options{ProjectDir: args[1], Root: args[0], LookupEnv: emptyEnv})
				return err
			}},
		}
		for _, op := range ops {
			err := op.run()
			fmt.Printf("%s\t%v\t%v\n", op.name, errors.Is(err, fs.ErrPermission), err)
		}
		return nil

	case "writers": // writers ROOT PROCESS N: N goroutines each set a key of their own; print the longest Set in ms
		s, err := openID(args[0], fixtureID)
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(args[2])
		errs := make([]error, n)
		waits := make([]time.Duration, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				_, errs[i] = s.Set(writerKey(args[1], i), writerValue(args[1], i))
				waits[i] = time.Since(start)
			}()
		}
		wg.Wait()
		fmt.Println(slices.Max(waits).Milliseconds())
		return errors.Join(errs...)

	case "flip": // flip ROOT: set BIG to one of two values, forever
		s, err := openID(args[0], fixtureID)
		if err != nil {
			return err
		}
		fmt.Println("ready")
		for i := 0; ; i++ {
			if _, err := s.Set("BIG", bigValue(i%2)); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("unknown command %q", cmd)
}

// checkedValue returns a value that says its own length, so a reader can
// tell a whole value from a cut one.
func checkedValue(n int) string {
	return strconv.Itoa(n) + ":" + strings.Repeat("x", n) + ":end"
}

func isCheckedValue(v string) bool {
	n, rest, ok := strings.Cut(v, ":")
	l, err := strconv.Atoi(n)
	return ok && err == nil && rest == strings.Repeat("x", l)+":end"
}

// bigValue is large enough that writing it takes a while.
func bigValue(i int) string {
	return strings.Repeat(string(rune('a'+i)), 256<<10)
}

func TestMultiProcessSetDistinctKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 processes")
	}
	root := t.TempDir()
	s, err := openID(root, fixtureID)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	cmds := make([]*exec.Cmd, n)
	outs := make([]bytes.Buffer, n)
	for i := range n {
		cmds[i] = helperCommand("set", root, fmt.Sprintf("KEY_%02d", i), fmt.Sprintf("value-%d", i))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
	}
	start := time.Now()
	for i, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatalf("start child %d: %v", i, err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("child %d: %v\n%s", i, err, outs[i].String())
		}
	}
	m, err := s.Map()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if v, ok := m[fmt.Sprintf("KEY_%02d", i)]; !ok || v != fmt.Sprintf("value-%d", i) {
			t.Errorf("KEY_%02d missing or wrong after %d concurrent processes", i, n)
		}
	}
	if len(m) != n {
		t.Errorf("store holds %d keys, want %d", len(m), n)
	}
	t.Logf("%d processes set %d distinct keys in %v; %d keys present", n, n, time.Since(start), len(m))
}

func writerKey(process string, i int) string   { return fmt.Sprintf("KEY_%s_%d", process, i) }
func writerValue(process string, i int) string { return fmt.Sprintf("value-%s-%d", process, i) }

// TestMultiProcessHundredWriters runs 100 writers at once, 10 goroutines
// in each of 10 processes, each setting a key of its own: every Set must
// succeed, well within the lock timeout, and every key be there.
func TestMultiProcessHundredWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 10 processes")
	}
	root := t.TempDir()
	s, err := openID(root, fixtureID)
	if err != nil {
		t.Fatal(err)
	}
	const procs, perProc = 10, 10
	cmds := make([]*exec.Cmd, procs)
	outs := make([]bytes.Buffer, procs)
	errOuts := make([]bytes.Buffer, procs)
	for i := range procs {
		cmds[i] = helperCommand("writers", root, strconv.Itoa(i), strconv.Itoa(perProc))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &errOuts[i]
	}
	start := time.Now()
	for i, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatalf("start child %d: %v", i, err)
		}
	}
	longest := 0
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("child %d: %v\n%s", i, err, errOuts[i].String())
			continue
		}
		ms, err := strconv.Atoi(strings.TrimSpace(outs[i].String()))
		if err != nil {
			t.Errorf("child %d printed %q", i, outs[i].String())
		}
		longest = max(longest, ms)
	}
	m, err := s.Map()
	if err != nil {
		t.Fatal(err)
	}
	for p := range procs {
		for i := range perProc {
			if k := writerKey(strconv.Itoa(p), i); m[k] != writerValue(strconv.Itoa(p), i) {
				t.Errorf("%s missing or wrong after %d concurrent writers", k, procs*perProc)
			}
		}
	}
	if len(m) != procs*perProc {
		t.Errorf("store holds %d keys, want %d", len(m), procs*perProc)
	}
	t.Logf("%d writers in %d processes set %d keys in %v; the longest Set took %d ms", procs*perProc, procs, len(m), time.Since(start), longest)
}

// TestMultiProcessReaderBesideWriters runs writer processes while this
// process reads the file in a loop: every read must find a whole file.
func TestMultiProcessReaderBesideWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("runs writer processes for a second")
	}
	root := t.TempDir()
	s, err := openID(root, fixtureID)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "SENTINEL", checkedValue(100))
	const writers = 4
	const runMs = 1500
	cmds := make([]*exec.Cmd, writers)
	outs := make([]bytes.Buffer, writers)
	errOuts := make([]bytes.Buffer, writers)
	for i := range writers {
		cmds[i] = helperCommand("writer", root, strconv.Itoa(i), strconv.Itoa(runMs))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &errOuts[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() {
		for _, c := range cmds {
			c.Wait()
		}
		close(done)
	}()

	header := storeHeader("", fixtureID)
	reads, bad := 0, 0
	fail := func(format string, a ...any) {
		bad++
		if bad <= 5 {
			t.Errorf("read %d: "+format, append([]any{reads}, a...)...)
		}
	}
loop:
	for {
		select {
		case <-done:
			break loop
		default:
		}
		data, err := os.ReadFile(s.Path())
		reads++
		switch {
		case err != nil:
			fail("%v", err)
			continue
		case len(data) == 0:
			fail("empty file")
			continue
		case !bytes.HasPrefix(data, []byte(header)) || data[len(data)-1] != '\n':
			fail("partial file (%d bytes)", len(data))
			continue
		}
		entries, err := Parse(data, s.Path())
		if err != nil {
			fail("%v", err)
			continue
		}
		sentinel := false
		for _, e := range entries {
			if e.Key == "SENTINEL" {
				sentinel = true
			}
			if !isCheckedValue(e.Value) {
				fail("%s holds a cut value", e.Key)
			}
		}
		if !sentinel {
			fail("SENTINEL missing")
		}
	}
	writes := 0
	for i, c := range cmds {
		if !c.ProcessState.Success() {
			t.Errorf("writer %d: %v\n%s", i, c.ProcessState, errOuts[i].String())
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(outs[i].String()))
		if err != nil {
			t.Errorf("writer %d printed %q", i, outs[i].String())
		}
		writes += n
	}
	t.Logf("%d writer processes made %d writes; the reader made %d reads, %d bad", writers, writes, reads, bad)
	if writes < writers || reads < 10 {
		t.Errorf("too little happened: %d writes, %d reads", writes, reads)
	}
}

// TestMultiProcessKilledWriter kills a writer with SIGKILL at random
// moments: the file must always be one of the states a write leads to, and
// the next write must clean up the temporary file a killed writer left.
func TestMultiProcessKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	root := t.TempDir()
	s, err := openID(root, fixtureID)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "A", "1")
	mustSet(t, s, "Z", "2")
	initial := fileText(t, s.Path())
	states := map[string]string{initial: "before"}
	for i := range 2 {
		d, err := ParseDocument([]byte(initial), s.Path())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Set("BIG", bigValue(i)); err != nil {
			t.Fatal(err)
		}
		states[d.String()] = fmt.Sprintf("after write %d", i)
	}

	// At least 20 rounds, and more (up to 100) until a few kills have
	// landed between the temporary file's creation and the rename.
	seen := map[string]int{}
	tempsLeft, rounds := 0, 0
	for round := 0; round < 20 || tempsLeft < 3 && round < 100; round++ {
		rounds++
		if err := s.Replace([]byte(initial)); err != nil {
			t.Fatal(err)
		}
		cmd := helperCommand("flip", root)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child did not start: %q, %v\n%s", line, err, stderr.String())
		}
		time.Sleep(time.Duration(rand.IntN(80_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended with %v, not by SIGKILL\n%s", round, err, stderr.String())
		}

		data, err := os.ReadFile(s.Path())
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		state, ok := states[string(data)]
		if !ok {
			t.Fatalf("round %d: after SIGKILL the file (%d bytes) is neither the before- nor an after-state", round, len(data))
		}
		if _, err := Parse(data, s.Path()); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		seen[state]++
		temps := tempFiles(t, s.Dir())
		tempsLeft += len(temps)

		// The next write removes what the killed writer left.
		mustSet(t, s, "A", "1")
		if temps := tempFiles(t, s.Dir()); len(temps) != 0 {
			t.Errorf("round %d: temporary files %q left after the next write", round, temps)
		}
	}
	t.Logf("%d SIGKILLs: file states %v; %d kills landed mid-write and left a temporary file (each removed by the next write)", rounds, seen, tempsLeft)
	if tempsLeft == 0 {
		t.Logf("no kill landed mid-write in %d rounds", rounds)
	}
}

func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), fsutil.TempPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestMultiProcessInit runs concurrent Inits of one project in separate
// processes: one ID, one store directory.
func TestMultiProcessInit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for round := range 3 {
		base := t.TempDir()
		dir, root := filepath.Join(base, "proj"), filepath.Join(base, "root")
		putFile(t, filepath.Join(dir, ".env"), "A=1\r\n")
		const n = 10
		cmds := make([]*exec.Cmd, n)
		outs := make([]bytes.Buffer, n)
		errOuts := make([]bytes.Buffer, n)
		for i := range n {
			cmds[i] = helperCommand("init", dir, root)
			cmds[i].Stdout, cmds[i].Stderr = &outs[i], &errOuts[i]
			if err := cmds[i].Start(); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for _, c := range cmds {
			wg.Add(1)
			go func() { defer wg.Done(); c.Wait() }()
		}
		wg.Wait()
		ids := map[string]bool{}
		created := 0
		for i, c := range cmds {
			if !c.ProcessState.Success() {
				t.Fatalf("round %d: init %d: %v\n%s", round, i, c.ProcessState, errOuts[i].String())
			}
			var id string
			var wasCreated bool
			if _, err := fmt.Sscan(outs[i].String(), &id, &wasCreated); err != nil {
				t.Fatalf("round %d: init %d printed %q", round, i, outs[i].String())
			}
			ids[id] = true
			if wasCreated {
				created++
			}
		}
		if len(ids) != 1 || created != 1 {
			t.Fatalf("round %d: %d processes saw %d IDs, %d created one; want 1 and 1", round, n, len(ids), created)
		}
		var id string
		for id = range ids {
		}
		checkOneID(t, filepath.Join(dir, ".env"), id)
		if got := fileText(t, filepath.Join(dir, ".env")); got != "A=1\r\nUSER_SECRETS_ID="+id+"\r\n" {
			t.Errorf("round %d: .env = %q", round, got)
		}
		checkStoreCreated(t, root, id)
	}
}

// The lock file of a killed writer must not block the next one: flock
// locks die with their process.
func TestMultiProcessLockReleasedOnKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a process")
	}
	root := t.TempDir()
	s, err := openID(root, fixtureID)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "A", "1")
	cmd := helperCommand("flip", root)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	bufio.NewReader(stdout).ReadString('\n')
	time.Sleep(20 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	s.lockTimeout = 2 * time.Second
	if _, err := s.Set("B", "2"); err != nil {
		t.Errorf("Set after a writer was killed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), lockFileName)); errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock file missing")
	}
}
