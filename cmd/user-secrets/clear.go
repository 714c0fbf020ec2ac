package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// ClearOptions are the inputs of `clear`.
type ClearOptions struct {
	F   *Factory
	Yes bool // do not ask
}

func newCmdClear(f *Factory, runF func(*ClearOptions) error) *cobra.Command {
	opts := &ClearOptions{F: f}
	cmd := &cobra.Command{
		Use:   "clear",
		Short: "Remove every secret of the project",
		Long: `Remove every secret; the secrets file and its header comment stay.
On a terminal it asks first, unless --yes. When standard input is not a
terminal (a script, an IDE task) it cannot ask, and refuses unless --yes.`,
		Example: `  user-secrets clear
  user-secrets clear --yes    # in a script`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runClear(opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func runClear(opts *ClearOptions) error {
	f := opts.F
	s, err := f.Store()
	if err != nil {
		return err
	}
	// Read first: a file that does not parse is reported before any
	// question, and an empty or missing store is not touched at all. The
	// keys are counted without decrypting a value: an encrypted store
	// whose values do not all decrypt can be cleared.
	entries, err := s.List()
	if err != nil {
		return err
	}
	// Without a terminal there is no one to ask: a script must say --yes,
	// also for an empty store, so that it does not fail only once the
	// store has secrets.
	if !opts.Yes && !f.IO.InIsTerminal() {
		return fmt.Errorf("not clearing %d secret(s): standard input is not a terminal, so clear cannot ask; pass --yes (-y) to clear without asking", len(entries))
	}
	if len(entries) == 0 {
		f.IO.Infof("Cleared 0 secret(s).")
		return nil
	}
	if !opts.Yes {
		if !confirm(f.IO, fmt.Sprintf("Remove all %d secret(s)?", len(entries))) {
			f.IO.Infof("Nothing removed.")
			return &exitError{code: exitFail}
		}
	}
	n, err := s.Clear()
	if err != nil {
		return err
	}
	f.IO.Infof("Cleared %d secret(s).", n)
	return nil
}
