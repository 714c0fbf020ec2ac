package core

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-user-secrets/user-secrets/internal/project"
)

// Sentinel errors, for errors.Is. Errors returned by this package wrap them
// with the key, file or ID concerned; none ever contains a secret value.
var (
	// ErrNotFound means a key is not in the store.
	ErrNotFound = errors.New("secret not found")
	// ErrNoID means no USER_SECRETS_ID could be resolved. The
	// concrete error is a *NoIDError that says where the search looked.
	ErrNoID = errors.New("no USER_SECRETS_ID found")
	// ErrInvalidID means an ID is not a canonical textual UUID.
	ErrInvalidID = errors.New("invalid USER_SECRETS_ID")
	// ErrInvalidKey means a key is not of the form [A-Za-z_][A-Za-z0-9_.]*.
	ErrInvalidKey = errors.New("invalid key")
	// ErrInvalidValue means a value is not valid UTF-8 or contains a NUL byte.
	ErrInvalidValue = errors.New("invalid value")
)

// ParseError reports a line of a dotenv file that cannot be read. Its text
// names the file, the line and what was wrong, never the line's content.
type ParseError struct {
	File   string // the file's path, or a name such as "<stdin>"
	Line   int    // 1-based line number
	Reason string // what was wrong, without any text of the file
	// Err is the cause, when it is an error of its own: a *KeyError for a
	// key that cannot be stored (see Store.Replace). It may be nil.
	Err error
}

// Error returns "file:line: reason".
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// Unwrap returns Err.
func (e *ParseError) Unwrap() error { return e.Err }

// NoIDError is the error returned when no USER_SECRETS_ID resolves. It
// matches ErrNoID with errors.Is. Its text says where the search looked,
// where it stopped and why, what it passed over, and where `user-secrets
// init` would write (or that it will not write in the home directory or
// the file system root).
type NoIDError struct {
	// Looked lists where the search looked, in order: "$USER_SECRETS_ID"
	// and every .env file considered.
	Looked []string
	// Skipped says what the search passed over (see Project.Warnings).
	Skipped []string
	// Project is the project without an ID, as Resolve found it: where
	// the search stopped, the home directory's .env it did not use, the
	// .env Init would write. It may be nil.
	Project *Project
}

// noIDError returns the *NoIDError for p, a project without an ID.
func noIDError(p *Project) *NoIDError {
	return &NoIDError{Looked: p.Looked, Skipped: p.Warnings, Project: p}
}

// Error says where the search looked and how to create an ID.
func (e *NoIDError) Error() string {
	var b strings.Builder
	b.WriteString("no USER_SECRETS_ID found (looked in ")
	b.WriteString(strings.Join(e.Looked, ", "))
	p := e.Project
	if p == nil {
		p = &Project{}
	}
	switch p.StopReason {
	case project.StopRepo:
		fmt.Fprintf(&b, "; stopped at the repository root %s", p.Stop)
	case project.StopHome, project.StopRoot:
		fmt.Fprintf(&b, "; stopped at the %s %s, never a project directory", p.StopReason, p.Stop)
	}
	for _, s := range e.Skipped {
		b.WriteString("; " + s)
	}
	if p.HomeEnv != "" {
		fmt.Fprintf(&b, "; %s defines USER_SECRETS_ID but is not used (-p %s would use it)", p.HomeEnv, filepath.Dir(p.HomeEnv))
	}
	if p.MainWorktreeEnv != "" {
		fmt.Fprintf(&b, "; this is a git worktree, and git does not share .env: the main worktree's %s defines USER_SECRETS_ID (copy that line to %s to share its secrets)", p.MainWorktreeEnv, p.EnvFile)
	}
	b.WriteString("): run `user-secrets init`")
	switch {
	case p.Reserved != "":
		b.WriteString(" in the project's directory, or name that directory with -p")
	case p.EnvFile != "":
		fmt.Fprintf(&b, " to write one to %s", p.EnvFile)
	}
	return b.String()
}

// Is reports whether target is ErrNoID.
func (e *NoIDError) Is(target error) bool { return target == ErrNoID }

// idError reports an ID that is not a canonical UUID, and where it came from.
// It matches ErrInvalidID with errors.Is.
type idError struct {
	ID     string // the rejected text, shortened when long
	Source string // "--id", "$USER_SECRETS_ID" or a .env file's path
	Line   int    // line in Source when it is a file, else 0
}

// Error names the source and line, the rejected text and the expected form.
func (e *idError) Error() string {
	where := e.Source
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.Source, e.Line)
	}
	if where == "" {
		return fmt.Sprintf("invalid USER_SECRETS_ID %q: want a UUID like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", e.ID)
	}
	return fmt.Sprintf("%s: invalid USER_SECRETS_ID %q: want a UUID like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", where, e.ID)
}

// Is reports whether target is ErrInvalidID.
func (e *idError) Is(target error) bool { return target == ErrInvalidID }

// KeyError reports a key or a value that was refused. It matches the
// sentinel in Err (ErrInvalidKey or ErrInvalidValue).
type KeyError struct {
	Key    string // the key concerned, as given (shortened when long)
	Err    error  // the sentinel
	Reason string // why
}

// Error names the key (only its leading key-like part; see displayKey) and
// the reason, never a value.
func (e *KeyError) Error() string {
	key := displayKey(e.Key)
	if e.Err == ErrInvalidValue {
		return fmt.Sprintf("value of %s: %s", key, e.Reason)
	}
	return fmt.Sprintf("%v %s: %s", e.Err, key, e.Reason)
}

// NotFoundError names keys that are not in the store (Get, Delete). It
// matches ErrNotFound.
type NotFoundError struct {
	Keys []string // the keys not found, in the order asked
}

// Error names the missing keys (only their leading key-like part; see
// displayKey).
func (e *NotFoundError) Error() string {
	names := make([]string, len(e.Keys))
	for i, k := range e.Keys {
		names[i] = displayKey(k)
	}
	if len(names) == 1 {
		return fmt.Sprintf("%s: %v", names[0], ErrNotFound)
	}
	return fmt.Sprintf("%d keys not found: %s", len(names), strings.Join(names, ", "))
}

// Is reports whether target is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// displayKey quotes a key for a message. A "key" that is not one may be a
// value typed in the wrong place (`set API_KEY=value`), so only its leading
// run of key-like characters is shown, at most 48 bytes, and "…" marks
// what was left out.
func displayKey(key string) string {
	n := 0
	for n < len(key) && n < 48 && isKeyLike(key[n]) {
		n++
	}
	if n == len(key) {
		return fmt.Sprintf("%q", key)
	}
	return fmt.Sprintf("%q…", key[:n])
}

func isKeyLike(c byte) bool {
	return c == '_' || c == '.' || c == '-' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

// Unwrap returns the sentinel.
func (e *KeyError) Unwrap() error { return e.Err }

// shorten keeps an untrusted identifier printable and short in messages.
func shorten(s string) string {
	const max = 48
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
