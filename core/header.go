package core

import (
	"fmt"

	"github.com/go-user-secrets/user-secrets/internal/project"
)

// compareHeader fills in the project's HeaderDir and HeaderState from the
// secrets file's header, for an ID from a .env (another source says
// nothing of where the project is), and warns of a store that another
// project directory shares. A file that does not read is left to the
// reads that follow to report.
func (s *Store) compareHeader() {
	p := s.project
	if p.Source != SourceDotEnv {
		return
	}
	data, err := s.ReadFile()
	if err != nil || data == nil {
		return
	}
	dir, _, _, ok := project.HeaderDir(data)
	if !ok {
		p.HeaderState = project.Unknown
		return
	}
	state, other := project.Compare(dir, p.Dir, p.ID, p.home)
	p.HeaderDir, p.HeaderState = dir, state
	if other != "" {
		p.HeaderDir = other
	}
	if state == project.Copied {
		p.Warnings = append(p.Warnings, fmt.Sprintf("this project (%s) shares its store with %s, whose .env holds the same USER_SECRETS_ID (a copy?): "+
			"a write here changes that project's secrets too; run `user-secrets init --new` (--copy-secrets keeps the values) to give this project a store of its own", p.Dir, other))
	}
}

// header returns the header for a write of data, the secrets file's
// current content (nil: none), to start a new file or to replace
// python-env-secrets' header with. It names the project directory:
//
//   - for an ID from a .env, this project's, unless the header names
//     another project whose .env holds the same ID (a copy, or another
//     worktree): that one is kept, so that the store's origin stays
//     known. When the header names a directory that no longer holds this
//     project (it moved), moved is true: the write records the new
//     directory in the existing header's line too;
//   - for an ID from a flag or the environment, which says nothing of
//     where the project is, the existing header's directory, else the
//     directory Options.ProjectDir named, else none: a store named after
//     the working directory, whose own .env may hold another ID, would look
//     "gone" to projects and prune;
//   - none for the home directory and the file system root (see
//     Project.Reserved).
//
// A header that names no absolute directory is left as it is.
func (s *Store) header(data []byte) (header string, moved bool) {
	p := s.project
	name := p.Dir
	if p.Reserved != "" || p.Source != SourceDotEnv && !p.dirGiven {
		name = ""
	}
	if dir, _, _, ok := project.HeaderDir(data); ok {
		if p.Source != SourceDotEnv {
			name = dir
		} else {
			switch state, _ := project.Compare(dir, p.Dir, p.ID, p.home); state {
			case project.Copied, project.Worktree:
				name = dir
			case project.Moved:
				moved = true
			}
		}
	}
	return storeHeader(name, s.ID()), moved
}

// Header returns the comment block that starts a new secrets file of the
// store: what the file is, the project directory (none for the home
// directory or the file system root, see Project.Reserved), the ID, and a
// warning not to share it. (Update keeps an existing file's header, and
// records a moved project's new directory in it.)
func (s *Store) Header() string {
	header, _ := s.header(nil)
	return header
}

// storeHeader returns the comment block a new secrets file starts with.
func storeHeader(projectDir, id string) string {
	h := "# user-secrets: local development secrets (dotenv syntax), kept outside the project tree\n"
	if projectDir != "" {
		// Quoted when it holds a line break, which would end the comment
		// and make the rest of the name a definition.
		h += "# Project: " + project.FormatHeaderDir(projectDir) + "\n"
	}
	return h + "# USER_SECRETS_ID: " + id + "\n# Do not share or commit this file.\n"
}
