package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/project"
	"github.com/spf13/cobra"
)

// ProjectsOptions are the inputs of `projects`.
type ProjectsOptions struct {
	F    *Factory
	JSON bool
}

func newCmdProjects(f *Factory, runF func(*ProjectsOptions) error) *cobra.Command {
	opts := &ProjectsOptions{F: f}
	cmd := &cobra.Command{
		Use:   "projects",
		Short: "List every store under the store root, and whether its project is still there",
		Long: `List every store under the store root: its status, number of secrets, last
change, USER_SECRETS_ID and the project directory its header names.

The status says what became of that directory:
  ok       its project's .env holds this ID
  gone     it does not exist, or its project's .env holds another ID
  unknown  the header names no absolute directory (python-env-secrets
           writes its working directory there, "." even), the directory's
           project defines no ID (a deleted .env), or the store cannot be
           read (it fails the ownership checks, say)

A project that was moved looks gone until a write inside it records its
new directory. projects reads nothing outside the store root but the .env
files on the way up from each named directory to its project's root, and
changes nothing. "user-secrets prune" removes gone stores.`,
		Example: `  user-secrets projects
  user-secrets projects --json`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runProjects(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON array")
	return cmd
}

// storeInfo is one store under the root, as projects lists it and prune
// judges it; it is also the --json shape.
type storeInfo struct {
	ID string `json:"id"`
	// ProjectDir is the project directory the store's header names, as
	// written ("" when it names none).
	ProjectDir string `json:"project_dir"`
	// Status is "ok", "gone" or "unknown"; Reason says why.
	Status string `json:"status"`
	Reason string `json:"reason"`
	// Secrets is the number of secrets, or -1 when the file does not read.
	Secrets int `json:"secrets"`
	// LastChange is when the secrets file last changed (RFC 3339), or ""
	// when there is none.
	LastChange  string `json:"last_change"`
	SecretsFile string `json:"secrets_file"`
	// Error says why the store could not be read, when it could not: it is
	// then "unknown", and never removed.
	Error string `json:"error,omitempty"`

	dir      string    // the store directory
	modTime  time.Time // of the secrets file
	hasMTime bool
}

func runProjects(opts *ProjectsOptions) error {
	f := opts.F
	root, stores, err := listStores(f)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if opts.JSON {
		if stores == nil {
			stores = []storeInfo{}
		}
		if err := writeJSON(&out, stores); err != nil {
			return err
		}
	} else if len(stores) > 0 {
		writeStores(&out, stores)
	}
	if _, err := f.IO.Out.Write(out.Bytes()); err != nil {
		return err
	}
	if len(stores) == 0 {
		f.IO.Infof("No stores under %s.", root)
	}
	return nil
}

// listStores returns the store root and every store under it, in the
// order of their IDs. Entries whose names are not IDs are not stores, and
// left out. It reads the root, each store's secrets file (after the
// store's ownership checks) and, for each header's directory, the .env
// files up to its project's root; it writes nothing.
func listStores(f *Factory) (root string, stores []storeInfo, err error) {
	root, err = core.StoreRoot(core.Options{LookupEnv: f.LookupEnv})
	if err != nil {
		return "", nil, err
	}
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return root, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("store root: %w", err)
	}
	home := userHome()
	for _, e := range entries {
		if in, ok := examineStore(f, root, e.Name(), home); ok {
			stores = append(stores, in)
		}
	}
	return root, stores, nil
}

// userHome returns the home directory, which is never a project directory,
// or nil when it is unknown.
func userHome() *project.Home {
	dir, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	return project.NewHome(dir)
}

// examineStore returns what the store named id under root is; ok is false
// when it is not a store (not an ID, not a directory).
func examineStore(f *Factory, root, id string, home *project.Home) (in storeInfo, ok bool) {
	dir := filepath.Join(root, id)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return in, false
	}
	// The store directory stands in for the project directory, so that
	// nothing outside the root is looked at.
	s, err := core.Open(core.Options{ProjectDir: dir, ID: id, Root: root, LookupEnv: f.LookupEnv})
	if errors.Is(err, core.ErrInvalidID) {
		return in, false
	}
	in = storeInfo{ID: id, Secrets: -1, Status: project.Unknown, dir: dir}
	if err != nil {
		in.Error, in.Reason = err.Error(), "the store cannot be read"
		return in, true
	}
	in.SecretsFile = s.Path()
	data, err := s.ReadFile()
	if err != nil {
		in.Error, in.Reason = err.Error(), "the store cannot be read"
		return in, true
	}
	if data == nil {
		in.Secrets, in.Reason = 0, "no secrets file"
		return in, true
	}
	if fi, err := os.Stat(s.Path()); err == nil {
		in.modTime, in.hasMTime = fi.ModTime(), true
		in.LastChange = fi.ModTime().UTC().Format(time.RFC3339)
	}
	if keys, err := s.List(); err == nil {
		in.Secrets = len(keys) // else -1: the file does not parse
	}
	in.ProjectDir, _, _, _ = project.HeaderDir(data)
	in.Status, in.Reason = project.Status(in.ProjectDir, id, home)
	return in, true
}

// writeStores writes stores as an aligned table.
func writeStores(out *bytes.Buffer, stores []storeInfo) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tSECRETS\tLAST CHANGE\tID\tPROJECT")
	for _, in := range stores {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", in.Status, in.secretsText(), in.lastChangeText(), in.ID, in.projectText())
	}
	tw.Flush()
}

func (in *storeInfo) secretsText() string {
	if in.Secrets < 0 {
		return "?"
	}
	return fmt.Sprint(in.Secrets)
}

func (in *storeInfo) lastChangeText() string {
	if !in.hasMTime {
		return "-"
	}
	return in.modTime.Local().Format("2006-01-02 15:04")
}

// projectText is the PROJECT column: the directory, and why the status is
// not ok.
func (in *storeInfo) projectText() string {
	dir := in.ProjectDir
	if dir == "" {
		dir = "-"
	}
	why := in.Reason
	if in.Error != "" {
		why = in.Error
	}
	if in.Status == project.OK && in.Error == "" {
		return dir
	}
	return fmt.Sprintf("%s (%s)", dir, why)
}
