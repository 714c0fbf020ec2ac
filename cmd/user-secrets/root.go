package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/cobra"
)

// Exit codes, decided in one place: run.
const (
	exitOK    = 0
	exitFail  = 1 // any failure, "not found" included
	exitUsage = 2 // unknown command, bad flag, wrong number of arguments
)

// Factory carries what every command needs: the streams, the global flags
// and the seams to the outside world.
type Factory struct {
	IO *IOStreams
	// ProjectDir and ID are the global -p/--project and --id flags.
	ProjectDir string
	ID         string
	// LookupEnv reads the environment; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Options returns the core options for the global flags.
func (f *Factory) Options() core.Options {
	return core.Options{ProjectDir: f.ProjectDir, ID: f.ID, LookupEnv: f.LookupEnv}
}

// Store opens the project's store; without an ID it returns core's
// *NoIDError, whose text says how to fix it.
func (f *Factory) Store() (*core.Store, error) {
	return core.Open(f.Options())
}

// Getenv returns an environment variable's value, or "".
func (f *Factory) Getenv(key string) string {
	if f.LookupEnv != nil {
		v, _ := f.LookupEnv(key)
		return v
	}
	return os.Getenv(key)
}

// usageError marks an error as a usage error (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitError carries an exit status decided by a command, such as the
// child's status in `run`. A nil err means nothing is printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// newRootCmd builds the command tree.
func newRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "user-secrets <command>",
		Short: "Keep local-development secrets outside the project directory",
		Long: `user-secrets stores a project's secrets outside its directory, in
~/.python/usersecrets/<id>/.secrets (%APPDATA%\Python\UserSecrets on Windows),
and leaves only USER_SECRETS_ID=<id> in the project's .env. The store is
shared with python-env-secrets.`,
		Version:           version(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetVersionTemplate("user-secrets {{.Version}}\n")
	root.PersistentFlags().StringVarP(&f.ProjectDir, "project", "p", "", "project `directory` (only its .env is read)")
	root.PersistentFlags().StringVar(&f.ID, "id", "", "use this USER_SECRETS_ID (a `UUID`)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })

	for _, c := range []*cobra.Command{
		newCmdInit(f, nil),
		newCmdSet(f, nil),
		newCmdGet(f, nil),
		newCmdList(f, nil),
		newCmdDelete(f, nil),
		newCmdClear(f, nil),
		newCmdInfo(f, nil),
		newCmdPath(f, nil),
	} {
		root.AddCommand(c)
	}
	for _, c := range extraCommands(f) {
		root.AddCommand(c)
	}
	return root
}

// extraCommands lists the commands beyond the Python tool's set (run,
// import, export, edit, scan); see commands_extra.go.
var extraCommands = func(*Factory) []*cobra.Command { return nil }

// run executes the CLI and returns the exit status. It is the only place
// that prints errors and picks exit codes.
func run(args []string, io *IOStreams) int {
	f := &Factory{IO: io}
	root := newRootCmd(f)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(io.ErrOut, "user-secrets: error: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(io.ErrOut, "user-secrets: error: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsageError(err) || isBadIDFlag(err) {
		fmt.Fprintf(io.ErrOut, "user-secrets: hint: run 'user-secrets help' for usage\n")
		return exitUsage
	}
	return exitFail
}

// isCobraUsageError recognises the errors cobra returns for an unknown
// command, which it does not let us wrap.
func isCobraUsageError(err error) bool {
	return strings.HasPrefix(err.Error(), "unknown command ")
}

// isBadIDFlag reports whether err is core's rejection of the --id flag's
// value: a bad flag, so a usage error.
func isBadIDFlag(err error) bool {
	var ie *core.IDError
	return errors.As(err, &ie) && ie.Source == "--id"
}

// args wraps a cobra argument validator so its errors are usage errors.
func args(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := v(cmd, a); err != nil {
			return &usageError{err}
		}
		return nil
	}
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
