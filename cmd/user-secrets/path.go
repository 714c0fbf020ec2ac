package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// PathOptions are the inputs of `path`.
type PathOptions struct {
	F *Factory
}

func newCmdPath(f *Factory, runF func(*PathOptions) error) *cobra.Command {
	opts := &PathOptions{F: f}
	return &cobra.Command{
		Use:   "path",
		Short: "Print the secrets file's path",
		Long: `Print the path of the project's secrets file, whether or not it exists yet.
If the file does not parse, the path is still printed, and the error makes
the command exit 1.`,
		Example: `  user-secrets path`,
		Args:    args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPath(opts)
		},
	}
}

func runPath(opts *PathOptions) error {
	s, err := opts.F.Store()
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(opts.F.IO.Out, s.Path()); err != nil {
		return err
	}
	// The path is printed even when the file does not parse, since it is
	// how one finds the file to fix it; the damage is still reported.
	// (List needs no key: path works on an encrypted store without one.)
	_, err = s.List()
	return err
}
