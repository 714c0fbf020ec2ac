package main

import (
	"errors"
	"slices"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/cobra"
)

// DeleteOptions are the inputs of `delete`.
type DeleteOptions struct {
	F    *Factory
	Keys []string // distinct, in the order given
}

func newCmdDelete(f *Factory, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{F: f}
	return &cobra.Command{
		Use:     "delete KEY...",
		Aliases: []string{"remove", "rm"},
		Short:   "Remove secrets",
		Long: `Remove the named secrets. A key that is not stored makes the command exit 1,
after the others are removed, and names a stored key of a near name if there
is one ("did you mean").`,
		Example: `  user-secrets delete API_KEY
  user-secrets rm OLD_TOKEN OLD_SECRET`,
		Args:              args(cobra.MinimumNArgs(1)),
		ValidArgsFunction: completeKeys(f, -1, true),
		RunE: func(cmd *cobra.Command, a []string) error {
			opts.Keys = opts.Keys[:0]
			for _, k := range a {
				if !slices.Contains(opts.Keys, k) {
					opts.Keys = append(opts.Keys, k)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runDelete(opts)
		},
	}
}

func runDelete(opts *DeleteOptions) error {
	f := opts.F
	s, err := f.Store()
	if err != nil {
		return err
	}
	// Keys are not validated: a file the Python tool wrote may hold keys
	// this tool would not accept, and they must be removable.
	exists, err := s.Exists()
	if err != nil {
		return err
	}
	if !exists {
		// Nothing to delete; do not create the store directory for it.
		return &core.NotFoundError{Keys: opts.Keys}
	}
	err = s.Delete(opts.Keys...)
	var missing *core.NotFoundError
	if err != nil && !errors.As(err, &missing) {
		return err
	}
	for _, k := range opts.Keys {
		if missing == nil || !slices.Contains(missing.Keys, k) {
			f.IO.Infof("Deleted secret: %s", k)
		}
	}
	return withSuggestions(err, s)
}
