package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/spf13/cobra"
)

// InfoOptions are the inputs of `info`.
type InfoOptions struct {
	F    *Factory
	JSON bool
}

func newCmdInfo(f *Factory, runF func(*InfoOptions) error) *cobra.Command {
	opts := &InfoOptions{F: f}
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show where the project's ID and secrets are",
		Long: `Show the project directory, its .env, the USER_SECRETS_ID and where it came
from, where the search for .env stopped and why, the store root, the
secrets file, whether it exists, its permissions, how many secrets it
holds, and the project directory the store was made for: "copied" when
another directory's .env holds the same ID (the two share one store; run
init --new in the copy), "moved" when that directory no longer holds this
project (the next write records the new one). Warns of permissions that
are too open, and of a copy of .env that an interrupted write left beside
it. Works before init, and says how to initialise.`,
		Example: `  user-secrets info
  user-secrets info --json`,
		Args: args(noArgs),
		RunE: func(cmd *cobra.Command, a []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runInfo(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON object")
	return cmd
}

// info is what `info` reports; it is also the --json shape.
type info struct {
	ProjectDir    string `json:"project_dir"`
	EnvFile       string `json:"env_file"`
	EnvFileExists bool   `json:"env_file_exists"`
	ID            string `json:"id"`
	// IDSource is "flag", "environment", "dotenv" or "none".
	IDSource string `json:"id_source"`
	// Reserved is "home directory" or "filesystem root" when the project
	// directory is one of them without -p naming it: init refuses it.
	Reserved string `json:"reserved,omitempty"`
	// StoppedAt and StopReason say where the search for .env ended and
	// why: "found", "repository root", "home directory" or "filesystem
	// root"; both are omitted when there was no search (--id,
	// $USER_SECRETS_ID, -p).
	StoppedAt   string `json:"stopped_at,omitempty"`
	StopReason  string `json:"stop_reason,omitempty"`
	StoreRoot   string `json:"store_root"`
	SecretsFile string `json:"secrets_file"`
	Exists      bool   `json:"exists"`
	FileMode    string `json:"file_mode,omitempty"`
	DirMode     string `json:"dir_mode,omitempty"`
	// Secrets is the number of secrets, or -1 when the file does not read.
	Secrets int `json:"secrets"`
	// Encrypted is whether the values are encrypted, and KeySource where
	// their key is taken from: "USER_SECRETS_KEY" or "keychain".
	Encrypted bool   `json:"encrypted"`
	KeySource string `json:"key_source,omitempty"`
	// HeaderDir is the project directory the store's header names, and
	// HeaderState what it is to this project: "same", "copied",
	// "worktree", "moved" or "unknown" (see core.Project).
	HeaderDir   string `json:"header_dir,omitempty"`
	HeaderState string `json:"header_state,omitempty"`

	fileLoose, dirLoose bool
}

func runInfo(opts *InfoOptions) error {
	f := opts.F
	p, err := core.Resolve(f.Options())
	if err != nil {
		return err
	}
	in := info{
		ProjectDir: p.Dir,
		EnvFile:    p.EnvFile,
		ID:         p.ID,
		StoreRoot:  p.Root,
		IDSource:   map[core.IDSource]string{core.SourceExplicit: "flag", core.SourceEnv: "environment", core.SourceDotEnv: "dotenv"}[p.Source],
	}
	if in.IDSource == "" {
		in.IDSource = "none"
	}
	if _, err := os.Stat(p.EnvFile); err == nil {
		in.EnvFileExists = true
	}

	var readErr error
	if p.ID != "" {
		in.SecretsFile = p.SecretsFile()
		if fi, err := os.Stat(p.SecretsDir()); err == nil {
			in.DirMode, in.dirLoose = mode(fi)
		}
		fi, err := os.Stat(in.SecretsFile)
		switch {
		case err == nil:
			in.Exists = true
			in.FileMode, in.fileLoose = mode(fi)
		case !errors.Is(err, fs.ErrNotExist):
			readErr = err
		}
		if readErr == nil {
			var s *core.Store
			if s, readErr = f.Store(); readErr == nil {
				// The opened store's project also compares the store's
				// header with this project.
				p = s.Project()
				in.HeaderDir, in.HeaderState = p.HeaderDir, p.HeaderState
				in.Secrets, readErr = countSecrets(s) // no key needed
				if readErr == nil {
					in.Encrypted, readErr = s.Encrypted()
				}
				in.KeySource = keySource(f, in.Encrypted)
			}
		}
		if readErr != nil {
			in.Secrets = -1
		}
	}
	f.Warn(p)
	in.Reserved = p.Reserved
	if p.StopReason != "" {
		in.StoppedAt, in.StopReason = p.Stop, p.StopReason
	}

	var out bytes.Buffer
	if opts.JSON {
		if err := writeJSON(&out, in); err != nil {
			return err
		}
	} else {
		writeInfo(&out, &in, p)
	}
	if _, err := f.IO.Out.Write(out.Bytes()); err != nil {
		return err
	}

	if p.ID == "" {
		// The skipped .env files were warned of already.
		f.IO.Hintf("%v", &core.NoIDError{Looked: p.Looked, Project: p})
	}
	if in.fileLoose {
		f.IO.Warnf("%s is accessible to group or others (mode %s, want 0600): the next write tightens it, or run chmod 600 on it", in.SecretsFile, in.FileMode)
	}
	if in.dirLoose {
		f.IO.Warnf("%s is accessible to group or others (mode %s, want 0700): the next write tightens it, or run chmod 700 on it", p.SecretsDir(), in.DirMode)
	}
	for _, t := range fsutil.Leftovers(p.EnvFile) {
		f.IO.Warnf("%s is a copy of %s that an interrupted write left: it may hold secrets, and a .gitignore line \".env\" does not cover it; delete it", t, filepath.Base(p.EnvFile))
	}
	if p.ID != "" {
		for _, c := range fsutil.EditLeftovers(p.SecretsFile()) {
			f.IO.Warnf("%s is a copy of the secrets file left by an interrupted edit: the next write removes it", c)
		}
	}
	return readErr
}

// mode formats a file's permission bits, and reports whether group or
// others may read it without writing it: what the next write tightens. (A
// store that others may write is refused, and its error says so.) Windows
// has no such bits: "" and false.
func mode(fi fs.FileInfo) (string, bool) {
	if runtime.GOOS == "windows" {
		return "", false
	}
	m := fi.Mode().Perm()
	return fmt.Sprintf("%04o", m), m&0o077 != 0 && m&0o022 == 0
}

func writeInfo(out *bytes.Buffer, in *info, p *core.Project) {
	line := func(label, format string, a ...any) {
		fmt.Fprintf(out, "%-19s %s\n", label+":", fmt.Sprintf(format, a...))
	}
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	if in.Reserved != "" {
		line("Project directory", "%s (the %s: never a project directory unless named with -p)", in.ProjectDir, in.Reserved)
	} else {
		line("Project directory", "%s", in.ProjectDir)
	}
	env := in.EnvFile
	if !in.EnvFileExists {
		env += " (does not exist)"
	}
	line(".env file", "%s", env)
	switch p.Source {
	case core.SourceExplicit:
		line("USER_SECRETS_ID", "%s (from --id)", in.ID)
	case core.SourceEnv:
		line("USER_SECRETS_ID", "%s (from $USER_SECRETS_ID)", in.ID)
	case core.SourceDotEnv:
		line("USER_SECRETS_ID", "%s (from %s)", in.ID, p.EnvFile)
	default:
		line("USER_SECRETS_ID", "none (run `user-secrets init`)")
	}
	switch {
	case p.StopReason == "found":
		line("Search", "stopped at %s, the nearest .env that defines USER_SECRETS_ID", p.EnvFile)
	case p.StopReason == "repository root":
		line("Search", "stopped at the repository root %s (it holds .git)", p.Stop)
	case p.StopReason != "":
		line("Search", "stopped at the %s %s, never a project directory (its .env is not used)", p.StopReason, p.Stop)
	case p.Source == core.SourceDotEnv || p.ID == "":
		line("Search", "none: -p names the project directory, and only its .env is read")
	}
	line("Store root", "%s", in.StoreRoot)
	if in.ID == "" {
		return
	}
	line("Secrets file", "%s", in.SecretsFile)
	line("Exists", "%s", yesNo(in.Exists))
	if runtime.GOOS != "windows" {
		perm := "-"
		switch {
		case in.FileMode != "" && in.DirMode != "":
			perm = fmt.Sprintf("file %s, directory %s", in.FileMode, in.DirMode)
		case in.DirMode != "":
			perm = fmt.Sprintf("directory %s", in.DirMode)
		}
		if in.fileLoose || in.dirLoose {
			perm += " (too open: want file 0600, directory 0700)"
		}
		line("Permissions", "%s", perm)
	}
	if in.Secrets < 0 {
		line("Secrets", "unreadable")
	} else {
		line("Secrets", "%d", in.Secrets)
	}
	if in.Exists && in.Secrets >= 0 {
		line("Encryption", "%s", encryptionText(in.KeySource))
	}
	switch in.HeaderState {
	case "same":
		line("Made for", "%s (this project)", in.HeaderDir)
	case "copied":
		line("Made for", "%s (copied: its .env holds the same ID, and both directories share this store; `user-secrets init --new` gives this one its own)", in.HeaderDir)
	case "worktree":
		line("Made for", "%s (another worktree of this git repository, sharing the ID)", in.HeaderDir)
	case "moved":
		line("Made for", "%s (moved: that directory no longer holds this project; the next write records %s)", in.HeaderDir, in.ProjectDir)
	case "unknown":
		if in.HeaderDir == "" {
			line("Made for", "unknown (the store's header names no project directory)")
		} else {
			line("Made for", "unknown (the store's header names %q, not an absolute directory)", in.HeaderDir)
		}
	}
}
