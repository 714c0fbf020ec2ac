package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
)

// ExportOptions are the inputs of `export`.
type ExportOptions struct {
	F      *Factory
	Format string // "dotenv", "json", "shell" or "example"
}

var exportFormats = []string{"dotenv", "json", "shell", "example"}

func newCmdExport(f *Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "export [--format dotenv|json|shell|example]",
		Short: "Print every secret, unmasked, on stdout",
		Long: `Print every secret, unmasked, in file order.

  dotenv  KEY=value lines that this tool, godotenv (koanf) and gotenv (Viper)
          read back exactly; a value godotenv cannot carry is still written
          exactly for this tool's reader, and named in a warning.
  json    one object, keys in file order.
  shell   export KEY='value' lines for eval in sh, bash or zsh; a key that is
          not a shell variable name (such as one with a '.') is left out with
          a warning.
  example KEY= lines, no values: a start for the project's manifest,
          .env.example, which 'user-secrets check' reads (mark the keys a
          program can do without with "# optional").`,
		Example: `  user-secrets export > .env.local
  user-secrets export --format json | jq .
  eval "$(user-secrets export --format shell)"
  user-secrets export --format example > .env.example`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if !slices.Contains(exportFormats, opts.Format) {
				// The text given is not repeated: it is an argument, and no
				// argument is ever quoted in an error.
				return &usageError{fmt.Errorf("unknown --format: want one of %s", strings.Join(exportFormats, ", "))}
			}
			if runF != nil {
				return runF(opts)
			}
			return runExport(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "dotenv", "output `format`: dotenv, json, shell or example")
	return cmd
}

func runExport(opts *ExportOptions) error {
	entries, err := opts.F.Entries()
	if err != nil {
		return err
	}
	ios := opts.F.IO
	var b bytes.Buffer
	switch opts.Format {
	case "dotenv":
		for _, e := range entries {
			if core.ValidateKey(e.Key) != nil {
				ios.Warnf("%q is not a portable key: readers other than user-secrets may reject it", e.Key)
			}
			text, misread := compat.FormatValue(e.Value)
			if misread&compat.ReaderGodotenv != 0 {
				ios.Warnf("%q: godotenv (koanf's dotenv.Parser) cannot read this value exactly, and may reject the whole file; user-secrets' reader can", e.Key)
			}
			b.WriteString(e.Key + "=" + text + "\n")
		}
	case "json":
		b.WriteByte('{')
		for i, e := range entries {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n  " + jsonString(e.Key) + ": " + jsonString(e.Value))
		}
		if len(entries) > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("}\n")
	case "example":
		// Keys only: the file is committed, so no value goes into it.
		for _, e := range entries {
			b.WriteString(e.Key + "=\n")
		}
	case "shell":
		for _, e := range entries {
			if !isShellName(e.Key) {
				ios.Warnf("%q left out: not a shell variable name", e.Key)
				continue
			}
			b.WriteString("export " + e.Key + "=" + shellQuote(e.Value) + "\n")
		}
	}
	if len(entries) == 0 {
		ios.Infof("No secrets stored.")
	}
	_, err = ios.Out.Write(b.Bytes())
	return err
}

// shellQuote quotes s for a POSIX shell. Inside single quotes every byte
// is literal; a single quote itself is written as
//
//	'\''
//
// (close the quotes, an escaped quote, open them again).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isShellName reports whether s is a POSIX shell variable name,
// [A-Za-z_][A-Za-z0-9_]*.
func isShellName(s string) bool {
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
