package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/go-user-secrets/user-secrets/internal/project"
	"github.com/spf13/cobra"
)

// PruneOptions are the inputs of `prune`.
type PruneOptions struct {
	F      *Factory
	DryRun bool // list what would be removed, remove nothing
	Yes    bool // do not ask
}

func newCmdPrune(f *Factory, runF func(*PruneOptions) error) *cobra.Command {
	opts := &PruneOptions{F: f}
	cmd := &cobra.Command{
		Use:   "prune [--dry-run] [-y|--yes]",
		Short: "Remove the stores of projects that are gone",
		Long: `Remove the stores whose project is gone (see "user-secrets projects"): the
directory their header names does not exist, or its project's .env holds
another ID. Stores of any other status are never removed, nor is a store
that cannot be read (one that fails the ownership checks, say).

prune lists each store it would remove, with its project directory, number
of secrets and last change, and asks first. A project that was moved looks
gone until a write inside it records its new directory: check the list.
When standard input is not a terminal (a script) it cannot ask, and
refuses unless --yes. --dry-run lists and removes nothing.

prune deletes nothing outside the store root.`,
		Example: `  user-secrets prune --dry-run
  user-secrets prune
  user-secrets prune --yes    # in a script`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPrune(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "list the stores that would be removed, and remove nothing")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func runPrune(opts *PruneOptions) error {
	f := opts.F
	root, stores, err := listStores(f)
	if err != nil {
		return err
	}
	var gone []storeInfo
	for _, in := range stores {
		switch {
		case in.Error != "":
			f.IO.Warnf("store %s cannot be read, and is not removed: %s", in.ID, in.Error)
		case in.Status == project.Gone:
			gone = append(gone, in)
		}
	}
	if len(gone) == 0 {
		f.IO.Infof("No store under %s belongs to a project that is gone: nothing to remove.", root)
		return nil
	}

	var out bytes.Buffer
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SECRETS\tLAST CHANGE\tID\tPROJECT")
	for _, in := range gone {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.secretsText(), in.lastChangeText(), in.ID, in.projectText())
	}
	tw.Flush()
	if _, err := f.IO.Out.Write(out.Bytes()); err != nil {
		return err
	}

	if opts.DryRun {
		f.IO.Infof("Dry run: %d store(s) would be removed; nothing removed.", len(gone))
		return nil
	}
	if !opts.Yes {
		// Without a terminal there is no one to ask: a script must say
		// --yes.
		if !f.IO.InIsTerminal() {
			return fmt.Errorf("not removing %d store(s): standard input is not a terminal, so prune cannot ask; pass --yes (-y) to remove them without asking", len(gone))
		}
		if !confirm(f.IO, map[bool]string{true: "Remove this store and its secrets?", false: fmt.Sprintf("Remove these %d stores and their secrets?", len(gone))}[len(gone) == 1]) {
			f.IO.Infof("Nothing removed.")
			return &exitError{code: exitFail}
		}
	}

	home := userHome()
	removed, failed := 0, 0
	for _, in := range gone {
		encrypted := storeEncrypted(f, root, in.ID)
		if err := removeStore(f, root, in, home); err != nil {
			f.IO.Warnf("%v", err)
			failed++
			continue
		}
		f.IO.Infof("Removed %s (%s)", in.dir, in.ProjectDir)
		if encrypted {
			forgetKey(f, in.ID)
		}
		removed++
	}
	f.IO.Infof("Removed %d store(s).", removed)
	if failed > 0 {
		return fmt.Errorf("%d store(s) not removed", failed)
	}
	return nil
}

// removeStore removes the store in, after checking again that it is still
// gone and has not changed since it was listed. A store directory that is
// a symbolic link is not removed: its files are outside the store root.
func removeStore(f *Factory, root string, in storeInfo, home *project.Home) error {
	fi, err := os.Lstat(in.dir)
	if err != nil {
		return fmt.Errorf("not removing %s: %w", in.dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("not removing %s: it is a symbolic link, and its files are outside the store root", in.dir)
	}
	// The store's own lock, held from the last look to the removal, so that
	// a write cannot land in between and be removed with the store.
	unlock, err := fsutil.Lock(filepath.Join(in.dir, ".secrets.lock"), fsutil.DefaultLockTimeout)
	if err != nil {
		return fmt.Errorf("not removing %s: %w", in.dir, err)
	}
	defer unlock()
	now, ok := examineStore(f, root, in.ID, home)
	if !ok || now.Status != project.Gone || now.Error != "" || now.ProjectDir != in.ProjectDir ||
		now.hasMTime != in.hasMTime || !now.modTime.Equal(in.modTime) {
		return fmt.Errorf("not removing %s: it changed since it was listed", in.dir)
	}
	if err := os.RemoveAll(in.dir); err != nil {
		return fmt.Errorf("remove the store: %w", err)
	}
	return nil
}
