package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/go-user-secrets/user-secrets/internal/project"
)

// ExportOptions are the inputs of `export`.
type ExportOptions struct {
	F      *Factory
	Format string // "dotenv", "json", "shell", "docker" or "example"
	// Output is the file --output names, written in place of stdout; ""
	// for stdout.
	Output string
	// Force writes Output even where git does not ignore it.
	Force bool
}

// exportFormat is a --format value of export, with what it writes (for
// completion).
type exportFormat struct{ name, desc string }

// exportFormats are export's --format values, in the order help lists them.
var exportFormats = []exportFormat{
	{"dotenv", "KEY=value lines, quoted as dotenv readers need"},
	{"json", "one JSON object"},
	{"shell", "export KEY='value' lines for eval"},
	{"docker", "unquoted KEY=value lines for docker run --env-file"},
	{"example", "KEY= lines without values, for .env.example"},
}

func newCmdExport(f *Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "export [--format dotenv|json|shell|docker|example] [--output FILE [--force]]",
		Short: "Print every secret, unmasked, or write them to a private file",
		Long: `Print every secret, unmasked, in file order.

  dotenv  KEY=value lines that this tool, godotenv (koanf) and gotenv (Viper)
          read back exactly; a value godotenv cannot carry is still written
          exactly for this tool's reader, and named in a warning.
  json    one object, keys in file order.
  shell   export KEY='value' lines for eval in sh, bash or zsh; a key that is
          not a shell variable name (such as one with a '.') is left out with
          a warning.
  docker  KEY=value lines, nothing quoted, as 'docker run --env-file' and
          Compose's env_file with "format: raw" read them: every byte after
          the '=' is the value. A value with a line break cannot be written:
          export fails naming its key, and writes nothing.
  example KEY= lines, no values: a start for the project's manifest,
          .env.example, which 'user-secrets check' reads (mark the keys a
          program can do without with "# optional").

--output FILE writes FILE instead of stdout: atomically (a reader sees the
old or the new file, never half of one) and with mode 0600 from the start.
FILE must be a regular file or not exist yet. In a git work tree, FILE must
be ignored by git (add it to .gitignore), or export refuses and writes
nothing; --force writes it all the same. Without git installed, FILE is
written with a warning. A .env that holds USER_SECRETS_ID is never
overwritten. --format example holds no values, so its FILE need not be
ignored.`,
		Example: `  user-secrets export --output .env.local
  user-secrets export --format docker --output .env.docker
  docker run --env-file .env.docker myimage
  user-secrets export --format json | jq .
  eval "$(user-secrets export --format shell)"
  user-secrets export --format example --output .env.example`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if !slices.ContainsFunc(exportFormats, func(ef exportFormat) bool { return ef.name == opts.Format }) {
				// The text given is not repeated: it is an argument, and no
				// argument is ever quoted in an error.
				return &usageError{fmt.Errorf("unknown --format: want one of %s", strings.Join(exportFormatNames(), ", "))}
			}
			if cmd.Flags().Changed("output") && opts.Output == "" {
				return &usageError{errors.New("--output needs a file name")}
			}
			if opts.Force && opts.Output == "" {
				return &usageError{errors.New("--force goes with --output")}
			}
			if runF != nil {
				return runF(opts)
			}
			return runExport(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "dotenv", "output `format`: "+strings.Join(exportFormatNames(), ", "))
	cmd.Flags().StringVar(&opts.Output, "output", "", "write the export to `FILE` (mode 0600) instead of stdout")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "write --output FILE even in a git work tree that does not ignore it")
	_ = cmd.RegisterFlagCompletionFunc("format", func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var c []cobra.Completion
		for _, ef := range exportFormats {
			if strings.HasPrefix(ef.name, toComplete) {
				c = append(c, cobra.CompletionWithDesc(ef.name, ef.desc))
			}
		}
		return c, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// exportFormatNames returns the --format values in the order help lists
// them.
func exportFormatNames() []string {
	names := make([]string, len(exportFormats))
	for i, ef := range exportFormats {
		names[i] = ef.name
	}
	return names
}

func runExport(opts *ExportOptions) error {
	s, err := opts.F.Store()
	if err != nil {
		return err
	}
	read := s.All
	if opts.Format == "example" {
		read = func() ([]core.Entry, error) { return keyNames(s) } // no values: no data key needed
	}
	entries, err := read()
	if err != nil {
		return err
	}
	ios := opts.F.IO
	data, err := formatExport(ios, opts.Format, entries)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		ios.Infof("No secrets stored.")
	}
	if opts.Output == "" {
		_, err = ios.Out.Write(data)
		return err
	}
	if err := writeExport(opts, s, data); err != nil {
		return err
	}
	what := "secret(s)"
	if opts.Format == "example" {
		what = "key(s), no values,"
	}
	ios.Infof("Exported %d %s to %s", len(entries), what, opts.Output)
	return nil
}

// formatExport returns entries in format, and prints the format's
// warnings. Only the docker format can fail; it then prints nothing.
func formatExport(ios *IOStreams, format string, entries []core.Entry) ([]byte, error) {
	var b bytes.Buffer
	switch format {
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
	case "docker":
		if err := checkDocker(entries); err != nil {
			return nil, err
		}
		for _, e := range entries {
			if dockerQuoted(e.Value) {
				ios.Warnf("%q: the value starts and ends with the same quote: docker run --env-file keeps both, but a reader that strips quotes (Compose's env_file without \"format: raw\") drops them", e.Key)
			}
			b.WriteString(e.Key + "=" + e.Value + "\n")
		}
	}
	return b.Bytes(), nil
}

// maxDockerLine is the longest line, without its newline, that docker's
// env-file reader takes: it reads lines with a bufio.Scanner, whose buffer
// (newline included) is bufio.MaxScanTokenSize bytes.
const maxDockerLine = bufio.MaxScanTokenSize - 1

// checkDocker reports the entries that docker's env-file format cannot
// carry, naming their keys. Docker reads one KEY=value line at a time:
// the line is trimmed of leading white space (so a key cannot start with
// any, nor with the byte-order mark dropped from the first line), a line
// starting with '#' is a comment, the key runs to the first
// '=' and may not hold a blank, and the value is every byte after it, kept
// as it is. So a value cannot hold a line break, and a line must fit
// docker's buffer.
func checkDocker(entries []core.Entry) error {
	var breaks, badKeys, long []string
	for _, e := range entries {
		switch {
		case e.Key == "" || e.Key[0] == '#' || strings.ContainsAny(e.Key, "= \t") || startsWithSpace(e.Key) || strings.HasPrefix(e.Key, "\uFEFF"):
			badKeys = append(badKeys, e.Key)
		case strings.ContainsAny(e.Value, "\n\r"):
			breaks = append(breaks, e.Key)
		case len(e.Key)+1+len(e.Value) > maxDockerLine:
			long = append(long, e.Key)
		}
	}
	var problems []string
	if len(breaks) > 0 {
		flags := make([]string, len(breaks))
		for i, k := range breaks {
			flags[i] = "-e " + k
		}
		problems = append(problems, fmt.Sprintf("%s: a value with a line break, which docker's env-file (one line per variable) cannot hold; pass it from the environment instead: user-secrets run -- docker run %s IMAGE", quoteKeys(breaks), strings.Join(flags, " ")))
	}
	if len(badKeys) > 0 {
		problems = append(problems, fmt.Sprintf("%s: not a name docker's env-file can hold", quoteKeys(badKeys)))
	}
	if len(long) > 0 {
		problems = append(problems, fmt.Sprintf("%s: the line would be longer than the %d bytes docker reads", quoteKeys(long), maxDockerLine))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("--format docker cannot write %s; nothing written", strings.Join(problems, "; "))
}

// startsWithSpace reports whether s starts with white space, which
// docker's env-file reader trims from every line.
func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// dockerQuoted reports whether v starts and ends with the same quote
// character: docker keeps such quotes, readers of dotenv files remove
// them.
func dockerQuoted(v string) bool {
	return len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0]
}

// writeExport writes data to opts.Output: atomically, with mode 0600 from
// the moment the file exists, and only after checking that the path is a
// regular file (or none yet), holds no USER_SECRETS_ID, and is ignored by
// git (unless --force, or the format holds no values). Through a symbolic
// link, the file it leads to is checked and replaced.
func writeExport(opts *ExportOptions, s *core.Store, data []byte) error {
	ios := opts.F.IO
	target, err := fsutil.ResolveLink(opts.Output)
	if err != nil {
		return err
	}
	// Lstat: target is no link, and a FIFO or a device is never opened.
	fi, err := os.Lstat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if dir := filepath.Dir(target); !isDir(dir) {
			return fmt.Errorf("%s: directory %s does not exist: nothing written", opts.Output, dir)
		}
	case err != nil:
		return err
	case !fi.Mode().IsRegular() && target != opts.Output:
		return fmt.Errorf("%s leads to %s, which is %s, not a regular file: nothing written", opts.Output, target, fsutil.Kind(fi.Mode()))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is %s, not a regular file: nothing written", opts.Output, fsutil.Kind(fi.Mode()))
	default:
		if secrets, err := os.Stat(s.Path()); err == nil && os.SameFile(fi, secrets) {
			return fmt.Errorf("%s is the secrets file itself: nothing written", opts.Output)
		}
		if _, line, err := project.ScanEnv(target); err == nil && line > 0 {
			return fmt.Errorf("%s defines USER_SECRETS_ID (line %d): writing the export over it would take the project's ID away; nothing written", opts.Output, line)
		}
	}
	if opts.Format != "example" {
		if err := checkExportIgnored(ios, opts.Output, target, opts.Force); err != nil {
			return err
		}
	}
	// A copy of an earlier export that a killed write left behind holds
	// secrets under a name .gitignore does not cover.
	fsutil.CleanStaleTemp(target)
	return fsutil.WriteAtomic(target, data, 0o600, fsutil.Private)
}

// isDir reports whether path is a directory, or a symbolic link to one.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// checkExportIgnored refuses to write secrets to target (named output by
// the user) in a git work tree that does not ignore it, unless force.
func checkExportIgnored(ios *IOStreams, output, target string, force bool) error {
	status, gitErr := checkGitIgnore(target)
	base := filepath.Base(target)
	switch status {
	case gitMissing:
		ios.Warnf("git is not installed, so whether git would ignore %s is unknown: written all the same; if it is in a git work tree, add %q to .gitignore", output, base)
	case gitNotIgnored:
		if force {
			ios.Warnf("%s is not ignored by git: written because of --force; add %q to .gitignore before you commit", output, base)
			break
		}
		others := "(or write the file outside the work tree, or use --force)"
		if gitTracks(target) {
			return fmt.Errorf("%s is tracked by git, so its secrets would be committed: nothing written; run 'git rm --cached -- %s' and add %q to .gitignore %s", output, target, base, others)
		}
		return fmt.Errorf("%s is in a git work tree and git does not ignore it, so its secrets could be committed: nothing written; add %q to .gitignore %s", output, base, others)
	case gitUnknown:
		if force {
			ios.Warnf("whether git ignores %s is unknown (%v): written because of --force", output, gitErr)
			break
		}
		return fmt.Errorf("whether git ignores %s is unknown (%v): nothing written; use --force to write it all the same", output, gitErr)
	}
	return nil
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
