package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/envid"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// CheckOptions are the inputs of `check`.
type CheckOptions struct {
	F *Factory
	// Manifest is the --manifest file; "" means .env.example in the
	// project directory.
	Manifest string
	JSON     bool // print the result as a JSON object
	Prompt   bool // ask for each missing key and store it
}

// emptyAnswers is how many empty answers --prompt takes for one key
// before it gives up.
const emptyAnswers = 3

func newCmdCheck(f *Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{F: f}
	cmd := &cobra.Command{
		Use:   "check [--manifest FILE] [--json] [--prompt]",
		Short: "Check that every key the project expects has a value",
		Long: `Check that every required key of the project's manifest has a non-empty
value in the secrets, in the project's .env or in the environment.

The manifest is .env.example in the project directory, committed with the
project (while .env is not). Its values are ignored: every key defined in it
is required, unless its line ends in a "# optional" comment:

  API_KEY=
  DATABASE_URL=postgres://localhost/dev
  PORT=8080 # optional

Each required key that has no value is listed with the command that sets it,
and check exits 1; when every one has a value it exits 0. Without a manifest
it exits 1, naming the file it looked for. --prompt asks for each missing
value at a hidden prompt and stores it (it needs a terminal; an empty answer
is not stored). --json prints the manifest's path, its required and optional
keys and the missing ones as a JSON object. No value is ever printed.

'user-secrets run --check' runs the same check before it starts a command.`,
		Example: `  user-secrets check
  user-secrets check --prompt
  user-secrets check --manifest config/required.env
  user-secrets check --json | jq -r '.missing[]'`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if opts.JSON && opts.Prompt {
				return &usageError{errors.New("--json and --prompt cannot be used together")}
			}
			if runF != nil {
				return runF(opts)
			}
			return runCheck(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Manifest, "manifest", "", "the manifest `file` (default .env.example in the project directory)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the result as a JSON object")
	cmd.Flags().BoolVar(&opts.Prompt, "prompt", false, "ask for each missing value at a hidden prompt, and store it")
	return cmd
}

// checkResult is what a check of the required keys found.
type checkResult struct {
	Manifest string   `json:"manifest"` // the manifest's path
	Required []string `json:"required"` // its required keys, in file order
	Optional []string `json:"optional"` // its optional keys, in file order
	Missing  []string `json:"missing"`  // the required keys without a value
	// store is the project's store, nil when no ID resolves.
	store *core.Store
}

func runCheck(opts *CheckOptions) error {
	f := opts.F
	res, err := checkKeys(f, opts.Manifest)
	if err != nil {
		return err
	}
	if opts.JSON {
		var b bytes.Buffer
		if err := writeJSON(&b, res); err != nil {
			return err
		}
		if _, err := f.IO.Out.Write(b.Bytes()); err != nil {
			return err
		}
		if len(res.Missing) > 0 {
			return &exitError{code: exitFail, err: res.notSet()}
		}
		return nil
	}
	if len(res.Missing) == 0 {
		res.reportAllSet(f)
		return nil
	}
	if !opts.Prompt {
		res.reportMissing(f)
		return res.notSet()
	}
	return promptMissing(f, res)
}

// checkKeys reads the manifest (the named file, or .env.example in the
// project directory) and finds the required keys that have no non-empty
// value in the secrets, the project's .env or the environment.
func checkKeys(f *Factory, manifest string) (*checkResult, error) {
	s, err := f.Store()
	var p *core.Project
	switch {
	case err == nil:
		p = s.Project()
	case errors.Is(err, core.ErrNoID):
		// Keys may still come from .env or the environment (in CI, say).
		s = nil
		if p, err = core.Resolve(f.Options()); err != nil {
			return nil, err
		}
		f.Warn(p)
	default:
		return nil, err
	}

	path := manifest
	if path == "" {
		path = filepath.Join(p.Dir, envid.ManifestFile)
	} else if path, err = filepath.Abs(path); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	data, _, err := fsutil.ReadRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		how := "list the keys the project needs there, one KEY= line each ('user-secrets export --format example' prints the stored ones)"
		if manifest != "" {
			how = "check the --manifest path"
		}
		return nil, fmt.Errorf("no manifest: %s does not exist: %s", path, how)
	}
	if err != nil {
		return nil, fmt.Errorf("read the manifest: %w", err)
	}
	res := &checkResult{Manifest: path, store: s, Required: []string{}, Optional: []string{}, Missing: []string{}}
	required, optional := envid.Manifest(data)
	res.Required = append(res.Required, required...)
	res.Optional = append(res.Optional, optional...)

	set := map[string]bool{}
	if s != nil {
		keys, err := s.List() // no key needed
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			set[k.Key] = !k.Empty
		}
	}
	// The project's .env, read as the ID is: apps commonly load it
	// themselves. One that cannot be read holds nothing (a directory
	// named .env is a Python virtualenv).
	if p.EnvFile != "" {
		if data, _, err := fsutil.ReadRegular(p.EnvFile); err == nil {
			for _, d := range envid.Lines(data) {
				set[d.Key] = set[d.Key] || d.Value != ""
			}
		}
	}
	for _, k := range res.Required {
		if set[k] || f.Getenv(k) != "" {
			continue
		}
		res.Missing = append(res.Missing, k)
	}
	return res, nil
}

// checkBeforeRun is `run --check`: it prints nothing when every required
// key has a value, and lists the missing ones otherwise.
func checkBeforeRun(f *Factory) error {
	res, err := checkKeys(f, "")
	if err != nil {
		return err
	}
	if len(res.Missing) > 0 {
		res.reportMissing(f)
		return fmt.Errorf("%v: the command was not started", res.notSet())
	}
	return nil
}

// notSet is the error for missing keys: it counts them, and the report
// before it names them.
func (r *checkResult) notSet() error {
	if len(r.Missing) == 1 {
		return fmt.Errorf("1 of %d required keys is not set", len(r.Required))
	}
	return fmt.Errorf("%d of %d required keys are not set", len(r.Missing), len(r.Required))
}

// reportAllSet says on stderr that nothing is missing.
func (r *checkResult) reportAllSet(f *Factory) {
	switch len(r.Required) {
	case 0:
		f.IO.Infof("No required keys in %s.", r.Manifest)
	case 1:
		f.IO.Infof("The required key of %s is set.", r.Manifest)
	default:
		f.IO.Infof("All %d required keys of %s are set.", len(r.Required), r.Manifest)
	}
}

// reportMissing lists on stderr each missing key and the command that
// sets it.
func (r *checkResult) reportMissing(f *Factory) {
	f.IO.Infof("Required keys not set (declared in %s):", r.Manifest)
	width := 0
	for _, k := range r.Missing {
		width = max(width, len(k))
	}
	for _, k := range r.Missing {
		how := setCommand(f, k)
		if core.ValidateKey(k) != nil {
			how = "not a key user-secrets can store: set it in .env or the environment"
		}
		f.IO.Infof("  %-*s  %s", width, k, how)
	}
	f.IO.Hintf("set each with the command shown, or type them at 'user-secrets check --prompt' in a terminal")
}

// setCommand is the command that stores key, with the global flags this
// command was given.
func setCommand(f *Factory, key string) string {
	cmd := "user-secrets"
	if f.ProjectDir != "" {
		cmd += " -p " + shellWord(f.ProjectDir)
	}
	if f.ID != "" {
		cmd += " --id " + shellWord(f.ID)
	}
	return cmd + " set " + shellWord(key)
}

// shellWord returns s as one word for a POSIX shell: as it is when that is
// safe, else single-quoted.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,/:@%+=-") == "" {
		return s
	}
	return shellQuote(s)
}

// promptMissing asks for the value of each missing key at a hidden prompt
// and stores it. Without a terminal it asks nothing and fails. An empty
// answer is not stored: the question is asked again, emptyAnswers times at
// most. Each value is stored as soon as it is typed, so an interrupt keeps
// the ones before.
func promptMissing(f *Factory, res *checkResult) error {
	if !f.IO.InIsTerminal() {
		res.reportMissing(f)
		return fmt.Errorf("%v: --prompt needs a terminal", res.notSet())
	}
	for _, k := range res.Missing {
		if err := core.ValidateKey(k); err != nil {
			return fmt.Errorf("%w: set it in .env or the environment instead", err)
		}
	}
	if err := keyBeforePrompt(f); err != nil {
		return err
	}
	if len(res.Missing) == 1 {
		f.IO.Infof("1 required key of %s is not set; type its value (it is not shown):", res.Manifest)
	} else {
		f.IO.Infof("%d required keys of %s are not set; type each value (it is not shown):", len(res.Missing), res.Manifest)
	}
	s := res.store
	for _, k := range res.Missing {
		value, err := promptValue(f, k)
		if err != nil {
			return err
		}
		if s == nil {
			if s, err = initStore(f); err != nil {
				return err
			}
		}
		w, err := s.Set(k, value)
		if err != nil {
			return err
		}
		f.IO.Infof("Set secret: %s", k)
		if w != nil {
			printWarning(f.IO, *w)
		}
	}
	res.reportAllSet(f)
	return nil
}

// promptValue asks for key's value at the hidden prompt until the answer
// is not empty, emptyAnswers times at most.
func promptValue(f *Factory, key string) (string, error) {
	for i := 1; ; i++ {
		value, err := readValue(f.IO, key)
		if err != nil || value != "" {
			return value, err
		}
		if i == emptyAnswers {
			return "", fmt.Errorf("empty value for %q from the prompt: nothing stored for it", key)
		}
		f.IO.Warnf("an empty value is not stored: type the value of %s, or press Ctrl-C to stop", key)
	}
}
