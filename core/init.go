package core

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/google/uuid"
)

// Init makes sure the project has an ID and returns its store; created
// says whether Init made the ID. When one already resolves, Init changes
// nothing. Otherwise it generates a random lowercase UUID, appends
// USER_SECRETS_ID=<id> to the project's .env (keeping every existing byte,
// the file's line-ending style and its mode; adding a missing final
// newline first; replacing the file atomically), and creates the store
// directory (0700) with a secrets file (0600) holding only the header.
//
// The project directory is Options.ProjectDir, else the nearest directory
// from the working directory up that holds go.mod or .git, else the
// working directory (see Resolve). The home directory and the file system
// root are never project directories unless Options.ProjectDir names
// them: there Init writes nothing and returns a *NoIDError (ErrNoID) that
// says so.
//
// Init reads and rewrites .env holding that file's lock, which every
// rewrite of it takes (import --move's too) and which lives in the store
// root, not in the project: concurrent Inits of one project, in this or
// other processes, end with a single ID and no orphan store directories,
// and neither Init nor a concurrent rewrite loses the other's change. When
// another process holds the lock for longer than Options.LockTimeout, Init
// fails with an error naming the lock file.
//
// The store's Project says where the ID came from and, when created, which
// .env was written.
func Init(opts Options) (s *Store, created bool, err error) {
	p, err := Resolve(opts)
	if err != nil {
		return nil, false, err
	}
	if p.ID != "" {
		s := newStore(p, opts)
		s.compareHeader()
		return s, false, nil
	}
	if p.Reserved != "" {
		return nil, false, noIDError(p)
	}
	if err := os.MkdirAll(p.Root, 0o700); err != nil {
		return nil, false, fmt.Errorf("create store root: %w", err)
	}
	unlock, err := fsutil.LockEnv(p.Root, p.EnvFile, opts.lockTimeout())
	if err != nil {
		return nil, false, err
	}
	defer unlock()

	if fi, err := os.Stat(p.EnvFile); err == nil && !fi.Mode().IsRegular() {
		return nil, false, fmt.Errorf("%s is not a regular file (a virtualenv?): cannot write USER_SECRETS_ID there; "+
			"move it, or give the ID with $%s", p.EnvFile, EnvID)
	}
	data, err := os.ReadFile(p.EnvFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read %s: %w", p.EnvFile, err)
	}
	if id, line := scanID(data); line > 0 {
		// Another Init won the race while we waited for the lock.
		if !isUUID(id) {
			return nil, false, &idError{ID: shorten(id), Source: p.EnvFile, Line: line}
		}
		p.ID, p.Source = id, SourceDotEnv
		return newStore(p, opts), false, nil
	}

	id := uuid.NewString() // version 4, lowercase
	if err := fsutil.WriteAtomic(p.EnvFile, appendLine(data, EnvID+"="+id), 0o644, fsutil.KeepMode); err != nil {
		return nil, false, fmt.Errorf("write %s: %w", p.EnvFile, err)
	}
	// A write of .env killed before its rename left a copy of the file
	// beside it, which .gitignore's ".env" does not cover.
	fsutil.CleanStaleTemp(p.EnvFile)
	p.ID, p.Source = id, SourceDotEnv
	s = newStore(p, opts)
	if err := s.Update(func(*Document) error { return nil }); err != nil {
		return nil, false, fmt.Errorf("create secrets file: %w", err)
	}
	return s, true, nil
}

// appendLine appends line to a text file's content, in the file's
// line-ending style, adding a missing final line ending first.
func appendLine(data []byte, line string) []byte {
	nl := newlineStyle(string(data))
	out := make([]byte, 0, len(data)+len(line)+4)
	out = append(out, data...)
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) && !bytes.HasSuffix(out, []byte("\r")) {
		out = append(out, nl...)
	}
	return append(append(out, line...), nl...)
}
