package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode"

	"github.com/go-user-secrets/user-secrets/internal/mask"
	"github.com/spf13/cobra"
)

// ListOptions are the inputs of `list`.
type ListOptions struct {
	F      *Factory
	Reveal bool // show values instead of masking them
	JSON   bool // print a JSON object (an array of names with Keys)
	Keys   bool // names only
}

func newCmdList(f *Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the secrets, masked",
		Long: `List the secrets in file order, one per line: KEY = abc*** (the first three
characters of the value and ***, or *** alone for values of three characters
or fewer). --reveal shows the values (Go-quoted when they hold a line break
or another control character; use --json for exact text).`,
		Example: `  user-secrets list
  user-secrets list --keys
  user-secrets list --json --reveal | jq -r .API_KEY`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if opts.Keys && opts.Reveal {
				return &usageError{fmt.Errorf("--keys and --reveal cannot be used together")}
			}
			if runF != nil {
				return runF(opts)
			}
			return runList(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Reveal, "reveal", false, "show the values")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON object in file order (masked unless --reveal)")
	cmd.Flags().BoolVar(&opts.Keys, "keys", false, "print the keys only")
	return cmd
}

func runList(opts *ListOptions) error {
	f := opts.F
	read := f.Entries
	if opts.Keys {
		read = f.Names // no key needed
	}
	entries, err := read()
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		f.IO.Infof("No secrets stored.")
	}

	var out bytes.Buffer
	switch {
	case opts.JSON && opts.Keys:
		keys := make([]string, len(entries))
		for i, e := range entries {
			keys[i] = e.Key
		}
		if err := writeJSON(&out, keys); err != nil {
			return err
		}
	case opts.JSON:
		// An object in file order: encoding/json would sort a map's keys.
		var obj bytes.Buffer
		obj.WriteByte('{')
		for i, e := range entries {
			if i > 0 {
				obj.WriteByte(',')
			}
			v := e.Value
			if !opts.Reveal {
				v = mask.Value(v)
			}
			obj.WriteString(jsonString(e.Key) + ":" + jsonString(v))
		}
		obj.WriteByte('}')
		if err := json.Indent(&out, obj.Bytes(), "", "  "); err != nil {
			return err
		}
		out.WriteByte('\n')
	default:
		for _, e := range entries {
			switch {
			case opts.Keys:
				fmt.Fprintln(&out, e.Key)
			case opts.Reveal:
				fmt.Fprintf(&out, "%s = %s\n", e.Key, displayValue(e.Value))
			default:
				fmt.Fprintf(&out, "%s = %s\n", e.Key, mask.Value(e.Value))
			}
		}
	}
	_, err = f.IO.Out.Write(out.Bytes())
	return err
}

// displayValue is how `list --reveal` shows a value on its line: as it is,
// or Go-quoted when it holds a line break or another control character
// (which would break the one-line-per-key layout or drive the terminal).
func displayValue(v string) string {
	for _, r := range v {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return strconv.Quote(v)
		}
	}
	return v
}
