//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// watchSignals end run --watch.
var watchSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// groupPoll is how often stop looks whether a process group is empty.
const groupPoll = 5 * time.Millisecond

// killWait bounds how long stop waits for a group to be empty after
// SIGKILL (a process in uninterruptible sleep dies only when it wakes).
const killWait = 2 * time.Second

// prepareWatch readies user-secrets to run commands in groups of their
// own. It ignores, in user-secrets and so in every command it starts:
//
//   - SIGTSTP: Ctrl-Z would stop the command's group behind run's back, and
//     with it the terminal that group holds, where no shell could resume it;
//   - SIGTTOU: while a command holds the terminal's foreground, user-secrets
//     writes its messages (and, with --mask, the command's output) from the
//     background, and takes the foreground back from there. A terminal set
//     to "stty tostop" stops a background process that writes, unless it
//     ignores SIGTTOU.
func prepareWatch() {
	signal.Ignore(syscall.SIGTSTP, syscall.SIGTTOU)
	becomeSubreaper()
}

// group is the process group a watched command runs in, and the terminal
// it holds.
type group struct {
	pgid int // the command's pid; 0 until it has started
	// tty is the terminal whose foreground the group was given, or -1.
	tty int
	// own is user-secrets' own process group, which had that foreground.
	own int
}

// newGroup returns the group for a command about to start: when standard
// input is a terminal and user-secrets is in its foreground process group,
// the command gets the terminal's foreground, so the keyboard (Ctrl-C, and
// what is typed) reaches it and not user-secrets. In the background, the
// terminal stays with the shell's foreground job.
func newGroup(streams *IOStreams) *group {
	g := &group{tty: -1}
	if !streams.InIsTerminal() {
		return g
	}
	fg, err := unix.IoctlGetInt(streams.InFd, unix.TIOCGPGRP)
	if err != nil {
		return g
	}
	if own, err := unix.Getpgid(0); err != nil || fg != own {
		return g
	}
	g.tty, g.own = streams.InFd, fg
	return g
}

// start starts cmd as the leader of a process group of its own. When g
// has a terminal, the new process puts its group in the terminal's
// foreground before it executes the command, so the command never runs,
// nor reads, in the background.
func (g *group) start(cmd *exec.Cmd) error {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if g.tty >= 0 {
		attr.Foreground = true
		attr.Ctty = g.tty // with Foreground, a descriptor of user-secrets, not of the child
	}
	cmd.SysProcAttr = attr
	err := cmd.Start()
	if err != nil {
		// The new process may have taken the terminal before its exec failed.
		g.reclaim()
		return err
	}
	g.pgid = cmd.Process.Pid
	return nil
}

// stop ends the group: SIGTERM (and SIGCONT, in case it was stopped) to
// every process in it, and SIGKILL after grace to what is left. done is
// closed once the command itself has exited and been waited for. stop
// returns when the group is empty, or a while after SIGKILL, with the
// terminal given back to user-secrets; it reports whether it sent SIGKILL.
func (g *group) stop(done <-chan struct{}, grace time.Duration) (killed bool) {
	defer g.reclaim()
	if g.pgid <= 0 {
		return false // never started (kill(0) would signal user-secrets' own group)
	}
	select {
	case <-done:
		if g.empty() {
			return false // nothing to stop: the usual case after an exit
		}
	default:
	}
	g.signal(syscall.SIGTERM)
	g.signal(syscall.SIGCONT)

	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	poll := time.NewTicker(groupPoll)
	defer poll.Stop()
	leader := done
	for {
		select {
		case <-leader:
			leader = nil // waited for; now only the rest of the group counts
		case <-poll.C:
		case <-deadline.C:
			g.signal(syscall.SIGKILL)
			<-done
			for end := time.Now().Add(killWait); !g.empty() && time.Now().Before(end); {
				time.Sleep(groupPoll)
			}
			return true
		}
		if leader == nil && g.empty() {
			return false
		}
	}
}

// signal sends sig to every process in the group.
func (g *group) signal(sig syscall.Signal) {
	_ = unix.Kill(-g.pgid, sig)
}

// empty reports whether no process is left in the group. Call it only
// once the leader has been waited for: it first collects the exit
// statuses of every process that became user-secrets' child when its
// parent died, so that group members do not linger as zombies that count
// as members, and processes that left the group (setsid, a daemon) do not
// pile up as zombies restart after restart. With the leader waited for,
// user-secrets has no child of its own that something else waits for.
func (g *group) empty() bool {
	for {
		pid, err := unix.Wait4(-1, nil, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			break
		}
	}
	err := unix.Kill(-g.pgid, 0)
	return errors.Is(err, unix.ESRCH)
}

// reclaim puts user-secrets' own process group back in the terminal's
// foreground, when it gave the terminal away and has not got it back.
// user-secrets is in the background then, where changing the foreground
// works only because prepareWatch ignores SIGTTOU.
func (g *group) reclaim() {
	if g.tty < 0 {
		return
	}
	if fg, err := unix.IoctlGetInt(g.tty, unix.TIOCGPGRP); err != nil || fg == g.own {
		return
	}
	_ = unix.IoctlSetPointerInt(g.tty, unix.TIOCSPGRP, g.own)
}

// endsWatch reports whether the command's death ends run --watch: when
// SIGINT, SIGQUIT or SIGHUP killed it, the signals a terminal sends its
// foreground (Ctrl-C, Ctrl-\, a hang-up), which the command's group holds.
func endsWatch(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return false
	}
	switch ws.Signal() {
	case syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP:
		return true
	}
	return false
}
