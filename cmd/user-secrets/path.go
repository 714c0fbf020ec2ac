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
		Use:     "path",
		Short:   "Print the secrets file's path",
		Example: `  user-secrets path`,
		Args:    args(cobra.NoArgs),
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
	_, err = fmt.Fprintln(opts.F.IO.Out, s.Path())
	return err
}
