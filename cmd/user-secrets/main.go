// Command user-secrets keeps a project's local-development secrets out of
// the project tree, in the store python-env-secrets shares.
//
// Run `user-secrets help` for the commands.
package main

import (
	"os"
	"os/signal"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], newSystemIO()))
}

// dieOf ends the process by sig, as if it had not been caught, and returns
// only where that is not possible (Windows cannot signal itself).
//
// It is for an interrupted prompt: a program that a Ctrl-C stops must die
// of SIGINT rather than exit with a status, or the shell running it (in a
// loop or a script) takes the interrupt as handled and carries on. run
// calls it, once the error has come back up from the command; nothing
// below run ends the process.
func dieOf(sig os.Signal) {
	signal.Reset(sig)
	p, err := os.FindProcess(os.Getpid())
	if err != nil || p.Signal(sig) != nil {
		return
	}
	// The signal is on its way, to a thread of its own choosing: wait for
	// it rather than race it to exit.
	time.Sleep(time.Second)
}
