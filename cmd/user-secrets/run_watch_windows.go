//go:build windows

package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// watchSignals end run --watch: Ctrl-C and Ctrl-Break (os.Interrupt), and
// the console being closed, the user logging off or the system shutting
// down (syscall.SIGTERM).
var watchSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// prepareWatch has nothing to do on Windows.
func prepareWatch() {}

// group is the job object a watched command runs in, with every process
// it starts. Windows has no SIGTERM for console programs, so stopping it
// ends them all at once. The job is closed with user-secrets too, so the
// commands do not outlive it.
type group struct {
	job windows.Handle
}

// newGroup returns the group for a command about to start. The console's
// Ctrl-C reaches the command directly, whatever its group.
func newGroup(*IOStreams) *group { return &group{} }

// start starts cmd in a new job object.
func (g *group) start(cmd *exec.Cmd) error {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return fmt.Errorf("create a job object: %w", err)
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{
			LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
		},
	}
	// SetInformationJobObject takes the structure by address, as a uintptr.
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return fmt.Errorf("set up a job object: %w", err)
	}
	if err := cmd.Start(); err != nil {
		windows.CloseHandle(job)
		return err
	}
	// A process the command starts before this is not in the job: the
	// window is the few instructions until the assignment.
	p, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(cmd.Process.Pid))
	if err == nil {
		err = windows.AssignProcessToJobObject(job, p)
		windows.CloseHandle(p)
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		windows.CloseHandle(job)
		return fmt.Errorf("put it in a job object: %w", err)
	}
	g.job = job
	return nil
}

// stop ends every process in the job at once and waits for the command
// itself (done is closed once it has been waited for). It never needs a
// SIGKILL, so it reports false.
func (g *group) stop(done <-chan struct{}, _ time.Duration) (killed bool) {
	if g.job == 0 {
		return false
	}
	_ = windows.TerminateJobObject(g.job, 1)
	<-done
	windows.CloseHandle(g.job)
	g.job = 0
	return false
}

// endsWatch reports whether the command's death ends run --watch: never
// on Windows, where Ctrl-C reaches user-secrets too and ends it directly.
func endsWatch(*os.ProcessState) bool { return false }
