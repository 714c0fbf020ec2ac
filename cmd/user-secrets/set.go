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
	// AllowEmpty lets an empty value from standard input be stored; an
	// empty VALUE argument is explicit and needs no flag.
	AllowEmpty bool
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

An empty value from standard input (Enter at the prompt, an empty pipe) is
refused unless --allow-empty: it is more often a mistake than a choice. An
empty VALUE argument ("set KEY ''") is explicit, and stored.

A key that differs only in case from a stored one (api_key beside API_KEY)
is stored, with a warning: Viper, Windows and other case-insensitive
readers see the two as one key.

Keys are letters, digits, '_' and '.', not starting with a digit. Without a
USER_SECRETS_ID, set runs init first.`,
		Example: `  user-secrets set API_KEY                  # hidden prompt
  user-secrets set DB_URL postgres://localhost/dev
  user-secrets set OFFSET -42
  pass show api-key | user-secrets set API_KEY
  user-secrets set TLS_KEY - < key.pem
  user-secrets set OPTIONAL_TOKEN ''
  printf '' | user-secrets set --allow-empty OPTIONAL_TOKEN`,
		Args: args(func(cmd *cobra.Command, a []string) error {
			if len(a) == 2 && isAllowEmptyFlag(a[1]) {
				// Flags end at KEY, so this would store the flag's
				// name as the value.
				return fmt.Errorf("flags go before KEY: 'user-secrets set %s %s' (to store the text %q, 'user-secrets set %[2]s -- %[3]s')", a[1], a[0], a[1])
			}
			return cobra.RangeArgs(1, 2)(cmd, setArgs(a))
		}),
		// KEY only: VALUE is a secret, never offered.
		ValidArgsFunction: completeKeys(f, 1, false),
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
	cmd.Flags().BoolVar(&opts.AllowEmpty, "allow-empty", false, "store an empty value read from standard input")
	// Flags end at KEY, so that a value starting with '-' is a value, not a
	// bad flag that an error message would quote.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// isAllowEmptyFlag reports whether a VALUE argument is set's own
// --allow-empty flag, given after KEY.
func isAllowEmptyFlag(v string) bool {
	return v == "--allow-empty" || strings.HasPrefix(v, "--allow-empty=")
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
	// The key and the value are checked before anything is touched: the
	// key before anyone is asked to type a secret for it, the value before
	// an automatic init creates the project's ID or a write creates the
	// store's directory.
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
		if err := keyBeforePrompt(f); err != nil {
			return err
		}
		var err error
		if value, err = readValue(f.IO, opts.Key); err != nil {
			return err
		}
		if value == "" && !opts.AllowEmpty {
			from := "standard input"
			if f.IO.InIsTerminal() {
				from = "the prompt"
			}
			return fmt.Errorf("empty value for %q from %s: nothing stored; to store an empty value, use 'user-secrets set --allow-empty %s' or 'user-secrets set %[3]s \"\"'", opts.Key, from, opts.Key)
		}
	}
	if err := core.ValidateValue(opts.Key, value); err != nil {
		return err
	}

	s, err := f.Store()
	if errors.Is(err, core.ErrNoID) {
		s, err = initStore(f)
	}
	if err != nil {
		return err
	}

	// The stored keys that differ from Key only in case, for a warning.
	// They are listed without their values, and Set encrypts the one
	// value of an encrypted store: no other value needs to decrypt, so a
	// damaged one does not stop set (of it, or of another key).
	keys, err := s.List()
	if err != nil {
		return err
	}
	var variants []string
	for _, k := range keys {
		if k.Key != opts.Key && strings.EqualFold(k.Key, opts.Key) && !slices.Contains(variants, k.Key) {
			variants = append(variants, k.Key)
		}
	}
	w, err := s.Set(opts.Key, value)
	if err != nil {
		return err
	}
	f.IO.Infof("Set secret: %s", opts.Key)
	if w != nil {
		printWarning(f.IO, *w)
	}
	if len(variants) > 0 {
		f.IO.Warnf("%q differs only in case from the stored %s: Viper, Windows and other case-insensitive readers see them as one key", opts.Key, quoteKeys(variants))
	}
	return nil
}

// quoteKeys names keys for a message: `key "A"` or `keys "A", "B"`.
func quoteKeys(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = fmt.Sprintf("%q", k)
	}
	if len(q) == 1 {
		return "key " + q[0]
	}
	return "keys " + strings.Join(q, ", ")
}

// printWarning prints a writer's compatibility warning: the key and the
// readers, never the value.
func printWarning(s *IOStreams, w core.Warning) {
	s.Warnf("%s", w)
	if slices.Contains(w.Misread, compat.ReaderGodotenv.String()) {
		s.Warnf("koanf's dotenv.Parser() cannot carry %q; the koanf provider's Read() can (k.Load(koanfprovider.Provider(), nil))", w.Key)
	}
}

// keyBeforePrompt makes sure, before anyone types a value, that it can be
// stored: an encrypted store's data key must be at hand, or the value
// typed would be lost. A project without an ID or a store is not
// encrypted; any other failure to open it is left for the write to report.
func keyBeforePrompt(f *Factory) error {
	s, err := core.Open(f.Options())
	if err != nil {
		return nil
	}
	if enc, err := s.Encrypted(); err != nil || !enc {
		return nil
	}
	_, err = s.Key()
	return err
}
