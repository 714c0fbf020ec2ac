package core

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-user-secrets/user-secrets/internal/project"
)

// envFileName is the name of the project file that holds USER_SECRETS_ID.
const envFileName = ".env"

// IDSource says where a project's ID came from. The zero value means no ID
// was found.
type IDSource int

// The places an ID can come from, in the order they are consulted.
const (
	sourceNone     IDSource = iota // no ID was found
	SourceExplicit                 // Options.ID (the CLI's --id)
	SourceEnv                      // the USER_SECRETS_ID environment variable
	SourceDotEnv                   // a .env file (Project.EnvFile)
)

// String names the source: "explicit", "environment", "dotenv" or "none".
func (s IDSource) String() string {
	switch s {
	case SourceExplicit:
		return "explicit"
	case SourceEnv:
		return "environment"
	case SourceDotEnv:
		return "dotenv"
	}
	return "none"
}

// Project is a resolved project: its directory, its ID and where that came
// from, and where its secrets live. Resolve fills it in without creating
// anything.
type Project struct {
	// Dir is the project directory: Options.ProjectDir, else the directory of
	// the .env that held the ID, else the directory Init would use (the
	// nearest ancestor holding go.mod or .git, else the working directory).
	Dir string
	// EnvFile is the .env that held the ID, or the one Init would write.
	EnvFile string
	// ID is the canonical UUID, or "" when none was found.
	ID string
	// Source says where ID came from.
	Source IDSource
	// Root is the store root (see StoreRoot).
	Root string
	// Looked lists where the search looked: "$USER_SECRETS_ID" and every
	// .env it considered, nearest first, whether it exists or not.
	Looked []string
	// Warnings says what the user should know of: a .env the search
	// skipped because it is a FIFO or a device, or (from Open and Init) a
	// store that another project directory shares. They never hold a
	// value.
	Warnings []string

	// Stop is the directory where the search for .env ended, and
	// StopReason why: "found" (its .env defines the ID), "repository root"
	// (it holds .git, and the search never goes above it), "home
	// directory" or "filesystem root" (never project directories: their
	// .env is not used). Both are "" when there was no search: an ID given
	// by Options.ID or the environment, or Options.ProjectDir.
	Stop, StopReason string
	// Reserved is "home directory" or "filesystem root" when Dir is one of
	// them without Options.ProjectDir naming it: Init then refuses to
	// write its .env (with a *NoIDError), and no store header names it.
	Reserved string
	// HomeEnv is the home directory's .env when it defines USER_SECRETS_ID
	// and the search, stopping at the home directory, did not use it.
	HomeEnv string
	// MainWorktreeEnv is, when no ID was found and the search ended at the
	// root of a linked git worktree, the main worktree's .env that defines
	// one: git does not share .env between worktrees.
	MainWorktreeEnv string

	// HeaderDir is the project directory the store's header names, and
	// HeaderState what it is to this project. Open and Init fill them in
	// for an ID from a .env whose store has a secrets file:
	//
	//   - "same": this project;
	//   - "copied": another directory whose .env holds the same ID (then
	//     HeaderDir is its project directory): the two share one store,
	//     which is almost never intended; Warnings says so;
	//   - "worktree": another git worktree of this repository, whose .env
	//     holds the same ID;
	//   - "moved": a directory that no longer holds this project (it does
	//     not exist, or its .env holds another ID or none): the next write
	//     names Dir in the header;
	//   - "unknown": no absolute directory (python-env-secrets writes its
	//     working directory there, "." even): nothing is done about it.
	HeaderDir, HeaderState string

	home *project.Home // the home directory, as Resolve found it
	// dirGiven is set when Options.ProjectDir named the directory.
	dirGiven bool
}

// SecretsDir returns the project's store directory, <root>/<id>, or "" when
// there is no ID.
func (p *Project) SecretsDir() string {
	if p.ID == "" {
		return ""
	}
	return filepath.Join(p.Root, p.ID)
}

// SecretsFile returns the project's secrets file, <root>/<id>/.secrets, or
// "" when there is no ID.
func (p *Project) SecretsFile() string {
	if p.ID == "" {
		return ""
	}
	return filepath.Join(p.Root, p.ID, secretsFileName)
}

// validateID reports whether id is a canonical textual UUID: 8-4-4-4-12 hex
// digits of either case. It returns an *idError (ErrInvalidID) otherwise.
// Only such IDs are ever joined to the store root, so no ID can name a path
// outside it.
func validateID(id string) error {
	if !isUUID(id) {
		return &idError{ID: shorten(id)}
	}
	return nil
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Resolve finds the project and its ID: Options.ID, then
// $USER_SECRETS_ID, then .env: only Options.ProjectDir/.env when it is
// set, or else the nearest .env defining USER_SECRETS_ID from the working
// directory up. That search stops at the repository root (it does not go
// above the first directory holding .git, a directory or a file as in
// worktrees and submodules, so a monorepo's root .env serves every module
// in it), and never uses the .env of the home directory or of the file
// system root, which are not project directories unless
// Options.ProjectDir names them. A .env that is not a regular file (a
// Python virtualenv is often named .env) is skipped.
//
// No ID is not an error here: Project.ID is then "" and the Project says
// where the search went and where Init would write (see Project). An ID
// that is not a UUID is an error matching ErrInvalidID, naming where it came
// from and the line. Resolve never creates anything.
func Resolve(opts Options) (*Project, error) {
	root, err := StoreRoot(opts)
	if err != nil {
		return nil, err
	}
	p := &Project{Root: root, home: opts.home()}
	if opts.ProjectDir != "" {
		if p.Dir, err = filepath.Abs(opts.ProjectDir); err != nil {
			return nil, fmt.Errorf("project directory: %w", err)
		}
		p.dirGiven = true
	}

	if opts.ID != "" {
		if !isUUID(opts.ID) {
			return nil, &idError{ID: shorten(opts.ID), Source: "--id"}
		}
		p.ID, p.Source = opts.ID, SourceExplicit
		return p, p.fillDir(opts)
	}

	p.Looked = append(p.Looked, "$"+EnvID)
	if id, ok := opts.lookupEnv(EnvID); ok && id != "" {
		if !isUUID(id) {
			return nil, &idError{ID: shorten(id), Source: "$" + EnvID}
		}
		p.ID, p.Source = id, SourceEnv
		return p, p.fillDir(opts)
	}

	if p.Dir != "" {
		// A named project directory: its .env only, whatever it is.
		p.EnvFile = filepath.Join(p.Dir, envFileName)
		p.Looked = append(p.Looked, p.EnvFile)
		id, line, skipped, err := project.ReadEnv(p.EnvFile)
		if err != nil {
			return nil, err
		}
		if skipped != "" {
			p.Warnings = append(p.Warnings, skipped)
		}
		if line > 0 {
			if !isUUID(id) {
				return nil, &idError{ID: shorten(id), Source: p.EnvFile, Line: line}
			}
			p.ID, p.Source = id, SourceDotEnv
		}
		return p, nil
	}

	wd, err := opts.workDir()
	if err != nil {
		return nil, err
	}
	s, err := project.Find(wd, p.home)
	if err != nil {
		return nil, err
	}
	p.Looked = append(p.Looked, s.Looked...)
	p.Warnings = append(p.Warnings, s.Skipped...)
	p.Stop, p.StopReason = s.Stop, s.StopReason
	if s.Line > 0 {
		if !isUUID(s.ID) {
			return nil, &idError{ID: shorten(s.ID), Source: s.EnvFile, Line: s.Line}
		}
		p.ID, p.Source, p.EnvFile, p.Dir = s.ID, SourceDotEnv, s.EnvFile, s.Dir
		return p, nil
	}
	p.HomeEnv = s.HomeEnv
	_, p.MainWorktreeEnv = project.MainWorktreeEnv(s)
	p.Dir, p.Reserved = project.InitDir(wd, p.home)
	p.EnvFile = filepath.Join(p.Dir, envFileName)
	return p, nil
}

// fillDir sets Dir and EnvFile when the ID came from Options.ID or the
// environment: Options.ProjectDir, else the directory Init would use.
func (p *Project) fillDir(opts Options) error {
	if p.Dir == "" {
		wd, err := opts.workDir()
		if err != nil {
			return err
		}
		p.Dir, p.Reserved = project.InitDir(wd, p.home)
	}
	p.EnvFile = filepath.Join(p.Dir, envFileName)
	return nil
}

// scanID returns the ID that data, a .env file's text, defines, and its line
// (see envid.Scan: the last definition wins, and the lines inside a
// multi-line quoted value are not definitions). The ID is trimmed of white
// space, which a UUID never holds, also inside quotes.
func scanID(data []byte) (id string, line int) {
	return project.ScanID(data)
}

// home returns the user's home directory (Options.userHomeDir, else
// os.UserHomeDir), which is never a project directory unless named; nil
// when it is unknown.
func (o *Options) home() *project.Home {
	home := o.userHomeDir
	if home == nil {
		home = os.UserHomeDir
	}
	dir, err := home()
	if err != nil {
		return nil
	}
	return project.NewHome(dir)
}
