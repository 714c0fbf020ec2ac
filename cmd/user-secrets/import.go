package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/spf13/cobra"
)

// ImportOptions are the inputs of `import`.
type ImportOptions struct {
	F *Factory
	// File is the dotenv file to read, "-" for stdin, "" for the default
	// (.env in the working directory, or in -p's directory).
	File string
	// Keys selects the keys to import; empty means every key but
	// USER_SECRETS_ID.
	Keys []string
	// Move removes the imported keys from File once they are stored.
	Move bool
	// Overwrite replaces stored secrets that have a different value.
	Overwrite bool
}

func newCmdImport(f *Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "import [FILE|-]",
		Short: "Copy secrets from a dotenv file into the store",
		Long: `Copy secrets from a dotenv file (default: .env in the working directory, or
in the -p directory; "-" reads standard input) into the project's store.
Without --keys every key but USER_SECRETS_ID is imported.

A key that is already stored with a different value is kept, and named,
unless --overwrite is given. With --move, the imported keys' lines are then
removed from FILE, which keeps every other byte (comments, order, line
endings) and is replaced atomically; FILE is changed only after the store
was written, so a failure never loses a value. Keys that were not imported
stay in FILE.

When the project has no USER_SECRETS_ID yet, import runs init first.`,
		Example: `  user-secrets import --move --keys STRIPE_KEY,DATABASE_URL
  user-secrets import ../old-project/.env
  vault-export | user-secrets import -`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if len(a) == 1 {
				opts.File = a[0]
			}
			if opts.Move && opts.File == "-" {
				return &usageError{errors.New("--move needs a FILE, not standard input")}
			}
			if runF != nil {
				return runF(opts)
			}
			return runImport(opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Keys, "keys", nil, "import only these `keys` (comma-separated)")
	cmd.Flags().BoolVar(&opts.Move, "move", false, "remove the imported keys from FILE afterwards")
	cmd.Flags().BoolVar(&opts.Overwrite, "overwrite", false, "replace stored secrets that have a different value")
	return cmd
}

func runImport(opts *ImportOptions) error {
	ios := opts.F.IO
	path, name := importPath(opts)
	var data []byte
	var err error
	if path == "-" {
		if data, err = io.ReadAll(io.LimitReader(ios.In, fsutil.MaxFileSize+1)); err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		if len(data) > fsutil.MaxFileSize {
			return fmt.Errorf("standard input is %w", fsutil.ErrTooLarge)
		}
	} else if data, _, err = fsutil.ReadRegular(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) && looksLikeDataKey(path) {
			return errors.New("import: no such file, and the name looks like a data key: " +
				"'user-secrets key import' stores one, read from standard input (the name is not shown)")
		}
		return err
	}
	doc, err := core.ParseDocument(data, name)
	if err != nil {
		return err
	}
	if opts.Move && doc.PythonDialect() {
		return fmt.Errorf("%s is a python-env-secrets file: --move edits only dotenv files in this project's grammar", name)
	}
	selected, err := selectEntries(doc.Entries(), opts.Keys, name)
	if err != nil {
		return err
	}
	if len(selected) == 0 {
		ios.Infof("No secrets to import from %s.", name)
		return nil
	}

	s, err := opts.F.Store()
	if errors.Is(err, core.ErrNoID) {
		s, err = initStore(opts.F)
	}
	if err != nil {
		return err
	}

	var imported, unchanged, skipped []string
	var warnings []core.Warning
	err = s.Update(func(d *core.Document) error {
		imported, unchanged, skipped = nil, nil, nil
		var set []core.Entry
		for _, e := range selected {
			old, ok := d.Get(e.Key)
			switch {
			case ok && old == e.Value:
				unchanged = append(unchanged, e.Key)
			case ok && !opts.Overwrite:
				skipped = append(skipped, e.Key)
			default:
				set = append(set, core.Entry{Key: e.Key, Value: e.Value})
				imported = append(imported, e.Key)
			}
		}
		if len(set) == 0 {
			return nil // Update writes nothing
		}
		var err error
		warnings, err = d.Update(set, nil)
		return err
	})
	if err != nil {
		return err
	}
	if len(imported) > 0 {
		ios.Infof("Imported %d secret(s) from %s: %s", len(imported), name, strings.Join(imported, ", "))
	}
	if len(unchanged) > 0 {
		ios.Infof("Already stored with the same value: %s", strings.Join(unchanged, ", "))
	}
	for _, w := range warnings {
		printWarning(ios, w)
	}
	if len(skipped) > 0 {
		ios.Warnf("not imported, already stored with a different value: %s", strings.Join(skipped, ", "))
		ios.Hintf("use --overwrite to replace the stored values")
	}
	if !opts.Move {
		return nil
	}
	// Only keys whose value from FILE is now in the store leave FILE.
	stored := make(map[string]string, len(imported)+len(unchanged))
	for _, e := range selected {
		stored[e.Key] = e.Value
	}
	for _, k := range skipped {
		delete(stored, k)
	}
	return moveOut(ios, s.Project().Root, path, name, selected, stored)
}

// importPath returns the file to read and the name to show for it.
func importPath(opts *ImportOptions) (path, name string) {
	switch {
	case opts.File == "-":
		return "-", "<stdin>"
	case opts.File != "":
		return opts.File, opts.File
	case opts.F.ProjectDir != "":
		p := filepath.Join(opts.F.ProjectDir, ".env")
		return p, p
	}
	return ".env", ".env"
}

// selectEntries returns the entries to import, in file order: those named
// by keys, else all but USER_SECRETS_ID. Every key and value is checked
// here, before anything is written.
func selectEntries(entries []core.Entry, keys []string, name string) ([]core.Entry, error) {
	var out []core.Entry
	if len(keys) == 0 {
		for _, e := range entries {
			if e.Key != core.EnvID {
				out = append(out, e)
			}
		}
	} else {
		want := make(map[string]bool, len(keys))
		for _, k := range keys {
			k = strings.TrimSpace(k)
			if k == core.EnvID {
				return nil, fmt.Errorf("%s is the project's ID, not a secret: it is never imported", core.EnvID)
			}
			if err := core.ValidateKey(k); err != nil {
				return nil, fmt.Errorf("--keys: %w", err)
			}
			want[k] = true
		}
		for _, e := range entries {
			if want[e.Key] {
				out = append(out, e)
				delete(want, e.Key)
			}
		}
		for _, k := range keys {
			if want[strings.TrimSpace(k)] {
				return nil, fmt.Errorf("%q is not defined in %s", strings.TrimSpace(k), name)
			}
		}
	}
	for _, e := range out {
		if err := core.ValidateKey(e.Key); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, e.Line, err)
		}
		if err := core.ValidateValue(e.Key, e.Value); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, e.Line, err)
		}
	}
	return out, nil
}

// moveOut removes from the file at path the keys of selected that are in
// stored, keeping every other byte, and replaces the file atomically. It
// holds the file's lock, in the store root, from its read to its write, as
// every rewrite of a .env does (init's too), so that concurrent rewrites
// in other processes lose nothing of each other. The file is read again
// under the lock: init or another import --move may have changed it, and a
// key whose value changed since it was imported is left alone.
func moveOut(ios *IOStreams, root, path, name string, selected []core.Entry, stored map[string]string) error {
	if len(stored) == 0 {
		return nil
	}
	unlock, err := fsutil.LockEnv(root, path, fsutil.DefaultLockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	data, _, err := fsutil.ReadRegular(path)
	if err != nil {
		return err
	}
	doc, err := core.ParseDocument(data, name)
	if err != nil {
		return err
	}
	var del, changed []string
	for _, e := range selected {
		want, ok := stored[e.Key]
		if !ok {
			continue
		}
		if v, ok := doc.Get(e.Key); ok && v == want {
			del = append(del, e.Key)
		} else if ok {
			changed = append(changed, e.Key)
		}
	}
	if len(changed) > 0 {
		ios.Warnf("not removed from %s, changed while importing: %s", name, strings.Join(changed, ", "))
	}
	if len(del) == 0 {
		return nil
	}
	if _, err := doc.Update(nil, del); err != nil {
		return err
	}
	if err := fsutil.WriteAtomic(path, doc.Bytes(), 0o644, fsutil.KeepMode); err != nil {
		return fmt.Errorf("remove moved keys from %s: %w", name, err)
	}
	fsutil.CleanStaleTemp(path) // a killed write's copy of the file, as in core.Init
	ios.Infof("Removed from %s: %s", name, strings.Join(del, ", "))
	return nil
}
