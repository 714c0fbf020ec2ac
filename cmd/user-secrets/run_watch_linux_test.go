package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunWatchReapsOrphans: a process that left the command's group (with
// setsid) and was orphaned (here a sleep whose shell exited) becomes run --watch's child, as its subreaper;
// once it has exited, the next restart collects it, so such zombies do not
// pile up restart after restart.
func TestRunWatchReapsOrphans(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "orphan.pid")
	p := startWatch(t, timing{}, fmt.Sprintf(`sh -c 'setsid sleep 1 & echo $! > %[1]s.tmp; mv %[1]s.tmp %[1]s'
echo "start $V $$"; exec sleep 1000`, pidFile))
	p.started("1")
	orphan := readPid(t, pidFile)
	// Wait until the orphan has exited and is run's zombie.
	for deadline := time.Now().Add(watchDeadline); ; {
		state, ppid := procState(orphan)
		if state == "Z" && ppid == p.cmd.Process.Pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the orphan (pid %d) is in state %q with parent %d, want a zombie of run (pid %d)", orphan, state, ppid, p.cmd.Process.Pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.set("2")
	p.started("2")
	p.said(`user-secrets: secrets changed, restarting "sh"`)
	if state, ppid := procState(orphan); state != "" {
		t.Errorf("after a restart the orphan (pid %d) is still there, in state %q with parent %d", orphan, state, ppid)
	}
	p.endBy(syscall.SIGTERM)
	p.nothingMore()
}

// readPid waits for file to hold a pid and returns it.
func readPid(t *testing.T, file string) int {
	t.Helper()
	for deadline := time.Now().Add(watchDeadline); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if data, err := os.ReadFile(file); err == nil {
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatalf("%s holds no pid: %v", file, err)
			}
			return pid
		}
	}
	t.Fatalf("no pid in %s after %v", file, watchDeadline)
	return 0
}

// procState returns the state letter and the parent pid of process pid
// from /proc, or "" when there is no such process.
func procState(pid int) (state string, ppid int) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0
	}
	// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
	i := strings.LastIndexByte(string(data), ')')
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 2 {
		return "", 0
	}
	ppid, _ = strconv.Atoi(fields[1])
	return fields[0], ppid
}
