package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
)

// SetOptions are the inputs of `set`.
type SetOptions struct {
	F   *Factory
	Key string
	// Value is the value given on the command line, unless FromStdin.
	Value string
	// FromStdin is true when VALUE was omitted or "-": the value is read
	// from a hidden prompt on a terminal, or from the whole of a pipe.
	FromStdin bool
}

func newCmdSet(f *Factory, runF func(*SetOptions) error) *cobra.Command {
	opts := &SetOptions{F: f}
	cmd := &cobra.Command{
		Use:   "set [flags] KEY [VALUE|-]",
		Short: "Store one secret",
		Long: `Store VALUE under KEY.

Without VALUE, or with "-", the value is read from standard input: a
terminal gets a hidden prompt, a pipe is read whole with one trailing
newline dropped. That keeps values out of shell history and ps.

Flags go before KEY: everything after KEY is the value, so a value may
start with '-' ("set KEY -VALUE"); "set KEY -- VALUE" works too.

Keys are letters, digits, '_' and '.', not starting with a digit. Without a
USER_SECRETS_ID, set runs init first.`,
		Example: `  user-secrets set API_KEY                  # hidden prompt
  user-secrets set DB_URL postgres://localhost/dev
  user-secrets set OFFSET -42
  pass show api-key | user-secrets set API_KEY
  user-secrets set TLS_KEY - < key.pem`,
		Args: args(func(cmd *cobra.Command, a []string) error {
			return cobra.RangeArgs(1, 2)(cmd, setArgs(a))
		}),
		RunE: func(cmd *cobra.Command, a []string) error {
			a = setArgs(a)
			opts.Key = a[0]
			opts.FromStdin = len(a) == 1 || a[1] == "-"
			if !opts.FromStdin {
				opts.Value = a[1]
			}
			if runF != nil {
				return runF(opts)
			}
			return runSet(opts)
		},
	}
	// Flags end at KEY, so that a value starting with '-' is a value, not a
	// bad flag that an error message would quote.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// setArgs drops a "--" right after KEY: with flags ending at KEY, pflag
// leaves it among the arguments.
func setArgs(a []string) []string {
	if len(a) >= 2 && a[1] == "--" {
		return append(a[:1:1], a[2:]...)
	}
	return a
}

func runSet(opts *SetOptions) error {
	f := opts.F
	// The store validates the key and the value before it touches a file.
	// The key is checked here too, before anyone is asked to type a secret
	// for it; the value, only before an automatic init, which would
	// otherwise create the project's ID before the refusal.
	if key, _, ok := strings.Cut(opts.Key, "="); ok {
		// The KEY=VALUE habit: name only the part before '=', the value's
		// place.
		return fmt.Errorf("%w %q: use 'user-secrets set KEY VALUE'", core.ErrInvalidKey, key)
	}
	if err := core.ValidateKey(opts.Key); err != nil {
		return err
	}
	value := opts.Value
	if opts.FromStdin {
		var err error
		if value, err = readValue(f.IO, opts.Key); err != nil {
			return err
		}
	}

	s, err := f.Store()
	if errors.Is(err, core.ErrNoID) {
		if err := core.ValidateValue(opts.Key, value); err != nil {
			return err
		}
		s, err = initStore(f)
	}
	if err != nil {
		return err
	}

	w, err := s.Set(opts.Key, value)
	if err != nil {
		return err
	}
	f.IO.Infof("Set secret: %s", opts.Key)
	if w != nil {
		printWarning(f.IO, *w)
	}
	return nil
}

// printWarning prints a writer's compatibility warning: the key and the
// readers, never the value.
func printWarning(s *IOStreams, w core.Warning) {
	s.Warnf("%s", w)
	if slices.Contains(w.Misread, compat.ReaderGodotenv.String()) {
		s.Warnf("koanf's dotenv.Parser() cannot carry %q; the koanf provider's Read() can (k.Load(koanfprovider.Provider(), nil))", w.Key)
	}
}
