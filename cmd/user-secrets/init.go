package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/envid"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

// InitOptions are the inputs of `init`.
type InitOptions struct {
	F *Factory
	// New gives a project that has an ID from its .env a fresh one, and a
	// new store.
	New bool
	// CopySecrets copies the old store's secrets into the new one (with
	// New).
	CopySecrets bool
}

func newCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{F: f}
	cmd := &cobra.Command{
		Use:   "init [--new [--copy-secrets]]",
		Short: "Give the project a USER_SECRETS_ID and create its secrets file",
		Long: `Give the project a USER_SECRETS_ID and create its secrets file.

When an ID already resolves (--id, $USER_SECRETS_ID, or a .env), init
reports it and changes nothing. Otherwise it appends USER_SECRETS_ID=<uuid>
to .env in the project directory (-p, else the nearest directory above the
working directory holding go.mod or .git, else the working directory),
keeping every other byte of the file, and creates the secrets file. The
home directory and / are never project directories unless -p names them:
init refuses to write there.

With --new, a project whose .env holds an ID gets a fresh one: for a copy
of a project, which would otherwise share the original's store. The ID's
line in .env is replaced (every other byte kept), a new store is created,
and the old store is left untouched; --copy-secrets copies its secrets
into the new store.`,
		Example: `  user-secrets init
  user-secrets -p ./services/api init
  user-secrets init --new --copy-secrets    # in a copy of a project`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if opts.CopySecrets && !opts.New {
				return &usageError{errors.New("--copy-secrets goes with --new")}
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.New {
				return runInitNew(opts)
			}
			return runInit(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.New, "new", false, "give the project a fresh ID and a new store (the old store is kept)")
	cmd.Flags().BoolVar(&opts.CopySecrets, "copy-secrets", false, "with --new: copy the secrets into the new store")
	return cmd
}

func runInit(opts *InitOptions) error {
	f := opts.F
	s, created, err := core.Init(f.Options())
	if err != nil {
		return err
	}
	p := s.Project()
	f.Warn(p)
	fmt.Fprintf(f.IO.Out, "Initialised with USER_SECRETS_ID: %s\nSecrets file: %s\n", p.ID, p.SecretsFile())
	reportInit(f, p, created)
	if created {
		return nil
	}
	// The ID existed: a secrets file that is there must still parse. An
	// encrypted one's values are not decrypted: init needs no key.
	_, err = s.Encrypted()
	return err
}

// runInitNew is `init --new`: a fresh ID in the project's .env and a new
// store. The .env is rewritten under its lock (the one init and import
// --move take), and only once the new store exists: a failure leaves .env
// as it was, and removes the new store.
func runInitNew(opts *InitOptions) error {
	f := opts.F
	old, err := core.Open(f.Options())
	if errors.Is(err, core.ErrNoID) {
		return runInit(opts) // nothing to replace: a first ID
	}
	if err != nil {
		return err
	}
	p := old.Project()
	switch p.Source {
	case core.SourceExplicit:
		return errors.New("init --new replaces the ID in the project's .env, and this one was given by --id: leave --id out")
	case core.SourceEnv:
		return fmt.Errorf("init --new replaces the ID in the project's .env, and this one comes from $%s: unset it", core.EnvID)
	}
	var entries []core.Entry
	if opts.CopySecrets {
		// Read before anything changes: a file that does not parse stops
		// here.
		if entries, err = old.All(); err != nil {
			return err
		}
	}

	unlock, err := fsutil.LockEnv(p.Root, p.EnvFile, fsutil.DefaultLockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	data, _, err := fsutil.ReadRegular(p.EnvFile)
	if err != nil {
		return err
	}
	id := uuid.NewString() // version 4, lowercase
	newData, err := replaceID(data, p.EnvFile, p.ID, id)
	if err != nil {
		return err
	}
	s, err := core.Open(core.Options{ProjectDir: p.Dir, ID: id, Root: p.Root, LookupEnv: f.LookupEnv, Keys: f.KeyStore()})
	if err != nil {
		return err
	}
	if _, err := os.Lstat(s.Dir()); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("new store directory %s: already exists", s.Dir())
	}
	undoKey := func() {}
	if opts.CopySecrets {
		// An encrypted store's copy gets a key of its own.
		if undoKey, err = encryptCopy(f, old, s); err != nil {
			os.RemoveAll(s.Dir())
			return fmt.Errorf("create the new store: %w", err)
		}
	}
	var warnings []core.Warning
	err = s.Update(func(d *core.Document) error {
		if len(entries) == 0 {
			return nil // the new file holds the header
		}
		var err error
		warnings, err = d.Update(entries, nil)
		return err
	})
	if err != nil {
		os.RemoveAll(s.Dir())
		undoKey()
		return fmt.Errorf("create the new store: %w", err)
	}
	if err := fsutil.WriteAtomic(p.EnvFile, newData, 0o644, fsutil.KeepMode); err != nil {
		os.RemoveAll(s.Dir())
		undoKey()
		return fmt.Errorf("write %s: %w", p.EnvFile, err)
	}
	fsutil.CleanStaleTemp(p.EnvFile) // a killed write's copy, as in core.Init

	fmt.Fprintf(f.IO.Out, "Initialised with USER_SECRETS_ID: %s\nSecrets file: %s\n", id, s.Path())
	f.IO.Infof("Replaced USER_SECRETS_ID in %s (it was %s)", p.EnvFile, p.ID)
	if opts.CopySecrets {
		f.IO.Infof("Copied %d secret(s) into the new store", len(entries))
		for _, w := range warnings {
			printWarning(f.IO, w)
		}
	}
	f.IO.Infof("The old store is kept as it was: %s", old.Path())
	return nil
}

// replaceID returns data, the text of the .env at path, with oldID
// replaced by newID in the line that defines USER_SECRETS_ID (the last,
// which wins); every other byte is kept. It fails when that line does not
// hold oldID: the file changed since it was read.
func replaceID(data []byte, path, oldID, newID string) ([]byte, error) {
	var line int
	for _, d := range envid.Lines(data) {
		if d.Key == core.EnvID {
			line = d.Line
		}
	}
	start, end := lineSpan(data, line)
	i := bytes.Index(data[start:end], []byte(oldID))
	if line == 0 || i < 0 {
		return nil, fmt.Errorf("%s no longer defines USER_SECRETS_ID=%s: it changed meanwhile; run init --new again", path, oldID)
	}
	i += start
	out := make([]byte, 0, len(data)-len(oldID)+len(newID))
	out = append(out, data[:i]...)
	out = append(out, newID...)
	return append(out, data[i+len(oldID):]...), nil
}

// lineSpan returns where the n-th line (1-based) of data starts and ends,
// its terminator (LF, CRLF or CR) excluded; 0, 0 when there is none.
func lineSpan(data []byte, n int) (start, end int) {
	for l := 1; start <= len(data) && n > 0; l++ {
		j := bytes.IndexAny(data[start:], "\r\n")
		end = len(data)
		if j >= 0 {
			end = start + j
		}
		if l == n {
			return start, end
		}
		if j < 0 {
			break
		}
		start = end + 1
		if data[end] == '\r' && end+1 < len(data) && data[end+1] == '\n' {
			start++
		}
	}
	return 0, 0
}

// initStore is init for a command that needs a store and found no ID (set,
// import): it creates the ID, says so, and opens the new store.
func initStore(f *Factory) (*core.Store, error) {
	s, created, err := core.Init(f.Options())
	if err != nil {
		return nil, err
	}
	f.IO.Infof("No USER_SECRETS_ID yet: initialised with USER_SECRETS_ID: %s", s.ID())
	reportInit(f, s.Project(), created)
	return s, nil
}

// reportInit says on stderr what Init did, and hints at .gitignore when
// the .env holding the ID is in a git work tree but not ignored.
func reportInit(f *Factory, p *core.Project, created bool) {
	switch {
	case created:
		f.IO.Infof("Wrote USER_SECRETS_ID to %s", p.EnvFile)
	case p.Source == core.SourceExplicit:
		f.IO.Infof("USER_SECRETS_ID was given by --id; nothing written")
	case p.Source == core.SourceEnv:
		f.IO.Infof("USER_SECRETS_ID was already set in the environment; nothing written")
	default:
		f.IO.Infof("USER_SECRETS_ID already exists in %s; nothing written", p.EnvFile)
	}
	if created && p.MainWorktreeEnv != "" {
		f.IO.Hintf("this is a git worktree, and git does not share .env: it got an ID and a store of its own; "+
			"to share the main worktree's secrets instead, put the USER_SECRETS_ID line of %s in %s in place of this one", p.MainWorktreeEnv, p.EnvFile)
	}
	if created && p.HomeEnv != "" {
		f.IO.Hintf("%s defines USER_SECRETS_ID too, and is not used: the home directory is never a project directory", p.HomeEnv)
	}
	if p.Source == core.SourceDotEnv && gitTracksUnignored(p.EnvFile) {
		f.IO.Hintf("%s is not ignored by git: add %q to .gitignore so secrets never get committed with it", p.EnvFile, filepath.Base(p.EnvFile))
	}
}

// gitTracksUnignored reports whether file lies in a git work tree and is
// not ignored there. Without git, or outside a work tree, it is false.
func gitTracksUnignored(file string) bool {
	status, _ := checkGitIgnore(file)
	return status == gitNotIgnored
}
