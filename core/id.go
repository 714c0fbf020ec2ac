package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-user-secrets/user-secrets/internal/envid"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// EnvFileName is the name of the project file that holds USER_SECRETS_ID.
const EnvFileName = ".env"

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
	// Looked lists where the search looked: "$USER_SECRETS_ID" and each .env.
	Looked []string
	// Warnings says what the search skipped that the user should know of:
	// a .env that is a FIFO or a device, say. They never hold a value.
	Warnings []string
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
// digits of either case. It returns an *IDError (ErrInvalidID) otherwise.
// Only such IDs are ever joined to the store root, so no ID can name a path
// outside it.
func validateID(id string) error {
	if !isUUID(id) {
		return &IDError{ID: shorten(id)}
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
// $USER_SECRETS_ID, then .env (Options.ProjectDir/.env only, or else the
// nearest .env defining USER_SECRETS_ID from the working directory up).
//
// No ID is not an error here: Project.ID is then "" and Project.Looked says
// where the search went. An ID that is not a UUID is an *IDError naming
// where it came from. Resolve never creates anything.
func Resolve(opts Options) (*Project, error) {
	root, err := StoreRoot(opts)
	if err != nil {
		return nil, err
	}
	p := &Project{Root: root}
	if opts.ProjectDir != "" {
		if p.Dir, err = filepath.Abs(opts.ProjectDir); err != nil {
			return nil, fmt.Errorf("project directory: %w", err)
		}
	}

	if opts.ID != "" {
		if !isUUID(opts.ID) {
			return nil, &IDError{ID: shorten(opts.ID), Source: "--id"}
		}
		p.ID, p.Source = opts.ID, SourceExplicit
		return p, p.fillDir(opts)
	}

	p.Looked = append(p.Looked, "$"+EnvID)
	if id, ok := opts.lookupEnv(EnvID); ok && id != "" {
		if !isUUID(id) {
			return nil, &IDError{ID: shorten(id), Source: "$" + EnvID}
		}
		p.ID, p.Source = id, SourceEnv
		return p, p.fillDir(opts)
	}

	var dirs []string
	if p.Dir != "" {
		dirs = []string{p.Dir}
	} else {
		wd, err := opts.workDir()
		if err != nil {
			return nil, err
		}
		for d := wd; ; {
			dirs = append(dirs, d)
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	for _, d := range dirs {
		path := filepath.Join(d, EnvFileName)
		id, line, err := scanEnvFileID(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if errors.Is(err, fsutil.ErrNotRegular) {
			// A directory is most likely a Python virtualenv named .env;
			// a FIFO or a device is worth a word.
			if fi, serr := os.Stat(path); serr == nil && !fi.IsDir() {
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s is %s, not a regular file: skipped", path, fsutil.Kind(fi.Mode())))
			}
			continue
		}
		p.Looked = append(p.Looked, path)
		if err != nil {
			return nil, err
		}
		if line == 0 {
			continue
		}
		if !isUUID(id) {
			return nil, &IDError{ID: shorten(id), Source: path, Line: line}
		}
		p.ID, p.Source, p.EnvFile, p.Dir = id, SourceDotEnv, path, d
		return p, nil
	}
	if len(p.Looked) == 1 {
		p.Looked = append(p.Looked, filepath.Join(dirs[0], EnvFileName))
	}
	return p, p.fillDir(opts)
}

// fillDir sets Dir and EnvFile when the ID did not come from a .env.
func (p *Project) fillDir(opts Options) error {
	if p.Dir == "" {
		wd, err := opts.workDir()
		if err != nil {
			return err
		}
		p.Dir = projectDirFrom(wd)
	}
	if p.EnvFile == "" {
		p.EnvFile = filepath.Join(p.Dir, EnvFileName)
	}
	return nil
}

// projectDirFrom returns the nearest ancestor of wd (itself included) that
// holds go.mod or .git, else wd.
func projectDirFrom(wd string) string {
	for d := wd; ; {
		for _, marker := range []string{"go.mod", ".git"} {
			if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
				return d
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return wd
		}
		d = parent
	}
}

// scanEnvFileID reads USER_SECRETS_ID from a .env file with a tolerant line
// scan: other lines may hold any syntax. It accepts a UTF-8 BOM, CRLF,
// "export ", surrounding quotes and spaces and a trailing " # comment", and
// skips the lines inside a quoted value that spans lines (as godotenv and
// python-dotenv do); the last definition wins. line is 0 when the file does not define the ID. The
// returned id is not validated. A path that is not a regular file (a Python
// virtualenv named .env, say) gives an error matching fsutil.ErrNotRegular,
// found without blocking; a file larger than 64 MiB, fsutil.ErrTooLarge.
func scanEnvFileID(path string) (id string, line int, err error) {
	data, _, err := fsutil.ReadRegular(path)
	if err != nil {
		return "", 0, err
	}
	id, line = scanID(data)
	return id, line, nil
}

// scanID returns the ID that data, a .env file's text, defines, and its line
// (see envid.Scan: the last definition wins, and the lines inside a
// multi-line quoted value are not definitions). The ID is trimmed of white
// space, which a UUID never holds, also inside quotes.
func scanID(data []byte) (id string, line int) {
	id, line = envid.Scan(data, EnvID)
	return strings.TrimSpace(id), line
}
