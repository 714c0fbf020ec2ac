package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes, decided in one place: run.
const (
	exitOK    = 0
	exitFail  = 1 // any failure, "not found" included
	exitUsage = 2 // unknown command, bad flag, wrong number of arguments
	// exitInterrupted is the status of a prompt interrupted by Ctrl-C
	// (128+SIGINT, as shells report it), where the process cannot die of
	// the signal itself.
	exitInterrupted = 130
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
	// Keys keeps the keys of encrypted stores; nil means the OS keychain.
	Keys keyStore

	warned bool // the project's warnings have been printed
}

// Warn prints the warnings of the ID search (a .env that is a FIFO, say),
// once per command.
func (f *Factory) Warn(p *core.Project) {
	if f.warned || p == nil {
		return
	}
	f.warned = true
	for _, w := range p.Warnings {
		f.IO.Warnf("%s", w)
	}
}

// Options returns the core options for the global flags.
func (f *Factory) Options() core.Options {
	return core.Options{ProjectDir: f.ProjectDir, ID: f.ID, LookupEnv: f.LookupEnv, Keys: f.KeyStore()}
}

// Store opens the project's store; without an ID it returns core's
// *NoIDError, whose text says how to fix it.
func (f *Factory) Store() (*core.Store, error) {
	s, err := core.Open(f.Options())
	if s != nil {
		f.Warn(s.Project())
	}
	return s, err
}

// Entries opens the project's store and returns its secrets in file order.
func (f *Factory) Entries() ([]core.Entry, error) {
	s, err := f.Store()
	if err != nil {
		return nil, err
	}
	return s.All()
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
	root.SetFlagErrorFunc(flagError)

	for _, c := range []*cobra.Command{
		newCmdInit(f, nil),
		newCmdSet(f, nil),
		newCmdGet(f, nil),
		newCmdList(f, nil),
		newCmdDelete(f, nil),
		newCmdClear(f, nil),
		newCmdInfo(f, nil),
		newCmdPath(f, nil),
		// Beyond the Python tool's set:
		newCmdRun(f, nil),
		newCmdCheck(f, nil),
		newCmdImport(f, nil),
		newCmdExport(f, nil),
		newCmdEdit(f, nil),
		newCmdScan(f, nil),
		newCmdProjects(f, nil),
		newCmdPrune(f, nil),
		newCmdEncrypt(f, nil),
		newCmdDecrypt(f, nil),
		newCmdKey(f, nil, nil, nil),
	} {
		root.AddCommand(c)
	}
	return root
}

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
	var ie *interruptError
	if errors.As(err, &ie) {
		dieOf(ie.sig)
		return exitInterrupted
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(io.ErrOut, "user-secrets: error: %v\n", ee.err)
		}
		return ee.code
	}
	if isCobraUsageError(err) {
		err = unknownCommand(err)
	}
	fmt.Fprintf(io.ErrOut, "user-secrets: error: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsageError(err) || isBadIDFlag(f, err) {
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
// value (with --id, no other ID is read): a bad flag, so a usage error.
func isBadIDFlag(f *Factory, err error) bool {
	return f.ID != "" && errors.Is(err, core.ErrInvalidID)
}

// maxFlagNameShown is how much of an unknown flag's name an error shows.
const maxFlagNameShown = 32

// flagError is the root's (and so every command's) flag error function.
// It turns pflag's error into a usage error whose text names at most the
// flag, never an argument: pflag quotes the whole argument a bad flag came
// in ("unknown shorthand flag: 's' in -sk_live_…", "invalid argument
// "…" for "--x" flag"), and that argument may be a secret typed in the
// wrong place.
func flagError(_ *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
	)
	var msg string
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return err
	case errors.As(err, &notExist) && notExist.GetSpecifiedShortnames() != "":
		msg = fmt.Sprintf("unknown shorthand flag: %q", firstRune(notExist.GetSpecifiedName()))
	case errors.As(err, &notExist):
		msg = "unknown flag: --" + shortFlagName(notExist.GetSpecifiedName())
	case errors.As(err, &required):
		msg = "flag needs an argument: " + flagName(required.GetFlag(), required.GetSpecifiedShortnames() != "")
	case errors.As(err, &invalid):
		msg = fmt.Sprintf("invalid argument for %s", flagName(invalid.GetFlag(), false))
		if t := invalid.GetFlag().Value.Type(); t == "bool" {
			msg += ": it takes no value, or =true or =false"
		}
	case errors.As(err, &syntax):
		msg = "bad flag syntax: '--' must be followed by a flag name"
	default:
		msg = "bad flag"
	}
	return &usageError{errors.New(msg)}
}

// flagName names a flag as its user knows it: -p when given in its short
// form, else --project.
func flagName(f *pflag.Flag, short bool) string {
	if short && f.Shorthand != "" {
		return "-" + f.Shorthand
	}
	return "--" + f.Name
}

// shortFlagName is the name of an unknown long flag as an error shows it:
// up to any '=', cut to maxFlagNameShown characters, with characters that
// are not graphic replaced by '?'.
func shortFlagName(name string) string {
	name, _, _ = strings.Cut(name, "=")
	var b strings.Builder
	n := 0
	for _, r := range name {
		if n == maxFlagNameShown {
			b.WriteString("…")
			break
		}
		if !unicode.IsGraphic(r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// firstRune returns the first character of s, or U+FFFD.
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// noArgs is cobra.NoArgs without the argument's text, which cobra quotes as
// an unknown command.
func noArgs(_ *cobra.Command, a []string) error {
	if len(a) > 0 {
		return fmt.Errorf("accepts 0 arg(s), received %d", len(a))
	}
	return nil
}

// unknownCommand rewrites cobra's error for an unknown command, which
// quotes the whole argument ("user-secrets API_KEY=…" for "user-secrets
// set …"), to show only its start, as shortFlagName does for flags.
// Cobra's suggestions ("Did you mean this?") are command names, and kept.
func unknownCommand(err error) error {
	rest, ok := strings.CutPrefix(err.Error(), "unknown command ")
	if !ok {
		return err
	}
	quoted, qerr := strconv.QuotedPrefix(rest)
	name, uerr := strconv.Unquote(quoted)
	if qerr != nil || uerr != nil {
		return errors.New("unknown command")
	}
	if looksLikeDataKey(name) {
		return errors.New("unknown command (it looks like a data key, not shown: user-secrets never takes one " +
			"from the command line; 'user-secrets key import' reads it from standard input)")
	}
	return fmt.Errorf("unknown command %q%s", shortFlagName(name), rest[len(quoted):])
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
