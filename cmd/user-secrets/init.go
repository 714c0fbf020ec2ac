package main

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/cobra"
)

// InitOptions are the inputs of `init`.
type InitOptions struct {
	F *Factory
}

func newCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{F: f}
	return &cobra.Command{
		Use:   "init",
		Short: "Give the project a USER_SECRETS_ID and create its secrets file",
		Long: `Give the project a USER_SECRETS_ID and create its secrets file.

When an ID already resolves (--id, $USER_SECRETS_ID, or a .env), init
reports it and changes nothing. Otherwise it appends USER_SECRETS_ID=<uuid>
to .env in the project directory (-p, else the nearest directory above the
working directory holding go.mod or .git, else the working directory),
keeping every other byte of the file, and creates the secrets file.`,
		Example: `  user-secrets init
  user-secrets -p ./services/api init`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runInit(opts)
		},
	}
}

func runInit(opts *InitOptions) error {
	f := opts.F
	s, created, err := core.Init(f.Options())
	if err != nil {
		return err
	}
	p := s.Project()
	f.Warn(p)
	fmt.Fprintf(f.IO.Out, "Initialised with USER_SECRETS_ID: %s\nSecrets file: %s\n", p.ID, p.SecretsFile())
	reportInit(f, p, created)
	if created {
		return nil
	}
	// The ID existed: a secrets file that is there must still read.
	_, err = s.All()
	return err
}

// initStore is init for a command that needs a store and found no ID (set,
// import): it creates the ID, says so, and opens the new store.
func initStore(f *Factory) (*core.Store, error) {
	s, created, err := core.Init(f.Options())
	if err != nil {
		return nil, err
	}
	f.IO.Infof("No USER_SECRETS_ID yet: initialised with USER_SECRETS_ID: %s", s.ID())
	reportInit(f, s.Project(), created)
	return s, nil
}

// reportInit says on stderr what Init did, and hints at .gitignore when
// the .env holding the ID is in a git work tree but not ignored.
func reportInit(f *Factory, p *core.Project, created bool) {
	switch {
	case created:
		f.IO.Infof("Wrote USER_SECRETS_ID to %s", p.EnvFile)
	case p.Source == core.SourceExplicit:
		f.IO.Infof("USER_SECRETS_ID was given by --id; nothing written")
	case p.Source == core.SourceEnv:
		f.IO.Infof("USER_SECRETS_ID was already set in the environment; nothing written")
	default:
		f.IO.Infof("USER_SECRETS_ID already exists in %s; nothing written", p.EnvFile)
	}
	if p.Source == core.SourceDotEnv && gitTracksUnignored(p.EnvFile) {
		f.IO.Hintf("%s is not ignored by git: add %q to .gitignore so secrets never get committed with it", p.EnvFile, filepath.Base(p.EnvFile))
	}
}

// gitTracksUnignored reports whether file lies in a git work tree and is
// not ignored there. Without git, or outside a work tree, it is false.
func gitTracksUnignored(file string) bool {
	cmd := exec.Command("git", "check-ignore", "-q", filepath.Base(file))
	cmd.Dir = filepath.Dir(file)
	err := cmd.Run()
	// 0: ignored; 1: not ignored; 128: not a work tree (or another failure).
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ExitCode() == 1
}
