package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// GetOptions are the inputs of `get`.
type GetOptions struct {
	F   *Factory
	Key string
}

func newCmdGet(f *Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{F: f}
	return &cobra.Command{
		Use:   "get KEY",
		Short: "Print one secret's value",
		Long: `Print the value of KEY and a newline on stdout. A missing key exits 1,
and names a stored key of a near name if there is one ("did you mean").`,
		Example: `  user-secrets get API_KEY
  export API_KEY="$(user-secrets get API_KEY)"`,
		Args:              args(cobra.ExactArgs(1)),
		ValidArgsFunction: completeKeys(f, 1, false),
		RunE: func(cmd *cobra.Command, a []string) error {
			opts.Key = a[0]
			if runF != nil {
				return runF(opts)
			}
			return runGet(opts)
		},
	}
}

func runGet(opts *GetOptions) error {
	s, err := opts.F.Store()
	if err != nil {
		return err
	}
	v, err := s.Get(opts.Key)
	if err != nil {
		return withSuggestions(err, s)
	}
	_, err = fmt.Fprintln(opts.F.IO.Out, v)
	return err
}
