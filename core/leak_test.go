package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// canary is a secret value that must never appear in any error or warning.
const canary = "canary-7f3a-SECRET"

// leakChecker collects error texts and fails the test if one holds the
// canary or a recognisable part of it. It never prints the text itself.
type leakChecker struct {
	t      *testing.T
	errors int
}

// wantErr checks that err is not nil and does not leak.
func (c *leakChecker) wantErr(what string, err error) {
	c.t.Helper()
	if err == nil {
		c.t.Errorf("%s: no error; the error path was not provoked", what)
		return
	}
	c.errors++
	c.check(what, err.Error())
	c.check(what+" (%+v)", fmt.Sprintf("%+v", err))
	c.check(what+" (%#v)", fmt.Sprintf("%#v", err))
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		c.check(what+" (wrapped)", e.Error())
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		c.check(what+" (ParseError.Reason)", pe.Reason)
	}
}

// check fails if text holds the canary or a piece of it.
func (c *leakChecker) check(what, text string) {
	c.t.Helper()
	// Pieces too, as a parser that quotes "the text near the error" would
	// leak them. ("SECRET" alone is not one: it is in USER_SECRETS_ID.)
	for _, piece := range []string{canary, "canary-7f3a", "7f3a-SECRET", "y-7f3a-S"} {
		if strings.Contains(text, piece) {
			c.t.Errorf("%s: the error text contains the secret value (or a piece of it, %d bytes long)", what, len(piece))
			return
		}
	}
}

// run calls f, turning a panic into a failure without printing its value.
func (c *leakChecker) run(what string, f func() error) {
	c.t.Helper()
	defer func() {
		if r := recover(); r != nil {
			c.check(what+" (panic)", fmt.Sprint(r))
			c.t.Errorf("%s panicked", what)
		}
	}()
	c.wantErr(what, f())
}

// leakStore returns a store holding the canary under API_KEY, with options
// that a test can change.
func leakStore(t *testing.T) (*Store, Options) {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "proj")
	putFile(t, filepath.Join(dir, ".env"), "USER_SECRETS_ID="+fixtureID+"\nAPI_KEY="+canary+"\n")
	opts := Options{ProjectDir: dir, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv, LockTimeout: 30 * time.Millisecond}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "API_KEY", canary)
	return s, opts
}

func TestNoSecretInErrors(t *testing.T) {
	c := &leakChecker{t: t}

	// Refused keys and values, with the canary as the value.
	s, opts := leakStore(t)
	for _, key := range []string{"BAD-KEY", "", "1X", "A B", "K\n", "\u00fcber"} {
		c.run(fmt.Sprintf("Set(%q, canary)", key), func() error { _, err := s.Set(key, canary); return err })
		c.run(fmt.Sprintf("SetMany(%q)", key), func() error {
			_, err := s.SetMany([]Entry{{Key: "OK", Value: canary}, {Key: key, Value: canary}})
			return err
		})
		c.run(fmt.Sprintf("ValidateKey(%q)", key), func() error { return ValidateKey(key) })
	}
	for i, bad := range []string{canary + "\xff", "\xff" + canary, canary + "\x00", "\x00" + canary, canary[:5] + "\xc3"} {
		c.run(fmt.Sprintf("Set(bad value %d)", i), func() error { _, err := s.Set("K", bad); return err })
		c.run(fmt.Sprintf("ValidateValue(bad value %d)", i), func() error { return ValidateValue("K", bad) })
		c.run(fmt.Sprintf("Document.Set(bad value %d)", i), func() error { _, err := newDocument("", "f").Set("K", bad); return err })
	}

	// Missing keys next to the canary.
	c.run("Get(missing)", func() error { _, err := s.Get("NOPE"); return err })
	c.run("Delete(missing)", func() error { return s.Delete("NOPE", "ALSO") })

	// A warning about the stored canary names only the key.
	w, err := s.Set("PEM", canary+"\n"+canary)
	if err != nil || w == nil {
		t.Fatalf("Set(multi-line) = %v, %v; want a warning", w, err)
	}
	c.check("Warning.String()", w.String())
	c.check("Warning (%+v)", fmt.Sprintf("%+v", *w))

	// Lock contention while setting the canary.
	unlock, err := fsutil.Lock(filepath.Join(s.Dir(), lockFileName), 0)
	if err != nil {
		t.Fatal(err)
	}
	c.run("Set under a held lock", func() error { _, err := s.Set("OTHER", canary); return err })
	c.run("Delete under a held lock", func() error { return s.Delete("API_KEY") })
	c.run("Clear under a held lock", func() error { _, err := s.Clear(); return err })
	c.run("Replace under a held lock", func() error { return s.Replace([]byte("API_KEY=" + canary + "\n")) })
	unlock()
	if v, err := s.Get("API_KEY"); err != nil || v != canary {
		t.Fatalf("the canary was lost: %v", err)
	}

	// A bad ID, with the canary in the same .env and in the store.
	for _, bad := range []string{"../x", "/abs", "{" + fixtureID + "}", "urn:uuid:" + fixtureID, fixtureID + "junk", ""} {
		base := t.TempDir()
		putFile(t, filepath.Join(base, ".env"), "API_KEY="+canary+"\nUSER_SECRETS_ID="+bad+"\nOTHER="+canary+"\n")
		o := Options{ProjectDir: base, Root: opts.Root, LookupEnv: emptyEnv}
		c.run(fmt.Sprintf("Open(bad ID %q in .env)", bad), func() error { _, err := Open(o); return err })
		c.run(fmt.Sprintf("initR(bad ID %q in .env)", bad), func() error { _, err := initR(o); return err })
		c.run(fmt.Sprintf("Inject(bad ID %q in .env)", bad), func() error {
			_, err := Inject(InjectOptions{Options: o, Setenv: func(string, string) error { return nil }})
			return err
		})
		if bad != "" {
			o2 := Options{ProjectDir: base, Root: opts.Root, ID: bad, LookupEnv: emptyEnv}
			c.run(fmt.Sprintf("Open(ID: %q)", bad), func() error { _, err := Open(o2); return err })
			o3 := Options{ProjectDir: base, Root: opts.Root, LookupEnv: lookupIn(map[string]string{"USER_SECRETS_ID": bad})}
			c.run(fmt.Sprintf("Open($USER_SECRETS_ID=%q)", bad), func() error { _, err := Open(o3); return err })
		}
	}
	// No ID, with the canary in .env.
	noID := t.TempDir()
	putFile(t, filepath.Join(noID, ".env"), "API_KEY="+canary+"\n")
	c.run("Open(no ID)", func() error {
		_, err := Open(Options{ProjectDir: noID, Root: opts.Root, LookupEnv: emptyEnv})
		return err
	})
	c.run("Inject(Required, no ID)", func() error {
		_, err := Inject(InjectOptions{Options: Options{ProjectDir: noID, Root: opts.Root, LookupEnv: emptyEnv}, RequireStore: true})
		return err
	})

	// Setenv failing for the canary's key.
	c.run("Inject(setenv fails)", func() error {
		_, err := Inject(InjectOptions{Options: opts, Setenv: func(k, v string) error {
			return fmt.Errorf("setenv %s: invalid argument", k)
		}})
		return err
	})

	t.Logf("%d error paths provoked", c.errors)
}

// TestNoSecretInParseErrors puts the canary in files that fail to parse,
// on lines before, at and after the failure, and runs every reader and
// writer over them.
func TestNoSecretInParseErrors(t *testing.T) {
	files := []struct {
		name, data string
	}{
		{"error before the canary", "not a definition\nAPI_KEY=" + canary + "\n"},
		{"error after the canary", "API_KEY=" + canary + "\nnot a definition\n"},
		{"error right after, no newline", "API_KEY=" + canary + "\n" + canary},
		{"canary as a line without =", canary + "\nA=1\n"},
		{"canary after an empty key", "=" + canary + "\n"},
		{"canary after blank key", "   = '" + canary + "'\n"},
		{"canary in unterminated double quote", "A=1\nAPI_KEY=\"" + canary + "\nB=2\n"},
		{"canary in unterminated single quote", "API_KEY='" + canary + "\n"},
		{"canary after an unterminated quote", "A=\"x\nAPI_KEY=" + canary + "\n"},
		{"canary in unterminated quote at EOF", "API_KEY=\"" + canary + "\\\""},
		{"canary after the closing quote", "API_KEY='x' " + canary + "\n"},
		{"canary before text after the closing quote", "API_KEY=\"" + canary + "\" junk\n"},
		{"canary in multi-line value, error after", "API_KEY=\"" + canary + "\n" + canary + "\"\nbad\n"},
		{"canary in multi-line value, text after close", "API_KEY='" + canary + "\n" + canary + "' " + canary + "\n"},
		{"invalid UTF-8 in the canary's line", "API_KEY=" + canary + "\xff\n"},
		{"invalid UTF-8 before the canary", "A=\xff\nAPI_KEY=" + canary + "\n"},
		{"invalid UTF-8 after the canary", "API_KEY=" + canary + "\nA=\xc3\n"},
		{"NUL in the canary's line", "API_KEY=" + canary + "\x00\n"},
		{"NUL before the canary", "\x00\nAPI_KEY=" + canary + "\n"},
		{"NUL in a Python file", "# Python User Secrets\nAPI_KEY=" + canary + "\x00\n"},
		{"BOM and CRLF", "\ufeffAPI_KEY=" + canary + "\r\n" + canary + "\r\n"},
		{"lone CR", "API_KEY=" + canary + "\r" + canary + "\r"},
	}
	c := &leakChecker{t: t}
	for _, f := range files {
		data := []byte(f.data)
		c.run(f.name+": Parse", func() error { _, err := Parse(data, "f"); return err })
		c.run(f.name+": ParseDocument", func() error { _, err := ParseDocument(data, "f"); return err })

		s, opts := leakStore(t)
		putFile(t, s.Path(), f.data)
		c.run(f.name+": All", func() error { _, err := s.All(); return err })
		c.run(f.name+": Map", func() error { _, err := s.Map(); return err })
		c.run(f.name+": Get", func() error { _, err := s.Get("API_KEY"); return err })
		c.run(f.name+": Set", func() error { _, err := s.Set("NEW", "v"); return err })
		c.run(f.name+": Set canary", func() error { _, err := s.Set("NEW", canary); return err })
		c.run(f.name+": Delete", func() error { return s.Delete("API_KEY") })
		c.run(f.name+": Clear", func() error { _, err := s.Clear(); return err })
		c.run(f.name+": Update", func() error { return s.Update(func(*Document) error { return nil }) })
		c.run(f.name+": Replace", func() error { return s.Replace(data) })
		c.run(f.name+": Inject", func() error {
			_, err := Inject(InjectOptions{Options: opts, Setenv: func(string, string) error { return nil }})
			return err
		})
		if got := fileText(t, s.Path()); got != f.data {
			t.Errorf("%s: a file that does not parse was rewritten", f.name)
		}
	}

	// A Python-dialect key that cannot be written in this grammar, beside
	// the canary.
	s, _ := leakStore(t)
	putFile(t, s.Path(), "# Python User Secrets\nexport\tAPI_KEY="+canary+"\n")
	c.run("Python file with an unwritable key: Set", func() error { _, err := s.Set("NEW", canary); return err })

	t.Logf("%d error paths provoked over %d broken files", c.errors, len(files))
}

// TestNoSecretInIOErrors provokes file-system errors in ways that work
// even as root (CI runs as root, so permission bits alone cannot deny it
// anything): a directory where a file should be, a file where a directory
// should be. Real permission-denied errors are provoked in
// perm_unix_test.go by a child process that is not root.
func TestNoSecretInIOErrors(t *testing.T) {
	c := &leakChecker{t: t}

	s, _ := leakStore(t)
	if err := os.Remove(s.Path()); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(s.Path(), 0o700); err != nil {
		t.Fatal(err)
	}
	c.run("All: .secrets is a directory", func() error { _, err := s.All(); return err })
	c.run("Set: .secrets is a directory", func() error { _, err := s.Set("API_KEY", canary); return err })

	s, _ = leakStore(t)
	if err := os.RemoveAll(s.Dir()); err != nil {
		t.Fatal(err)
	}
	putFile(t, s.Dir(), "API_KEY="+canary+"\n")
	c.run("Set: store directory is a file", func() error { _, err := s.Set("API_KEY", canary); return err })
	c.run("Get: store directory is a file", func() error { _, err := s.Get("API_KEY"); return err })

	s, _ = leakStore(t)
	lock := filepath.Join(s.Dir(), lockFileName)
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lock, 0o700); err != nil {
		t.Fatal(err)
	}
	c.run("Set: lock file is a directory", func() error { _, err := s.Set("API_KEY", canary); return err })

	// The store root below a regular file.
	base := t.TempDir()
	putFile(t, filepath.Join(base, "file"), canary+"\n")
	st, err := openID(filepath.Join(base, "file", "root"), fixtureID)
	if err != nil {
		t.Fatal(err)
	}
	c.run("Set: root below a file", func() error { _, err := st.Set("API_KEY", canary); return err })

	// .env is a directory.
	proj := t.TempDir()
	if err := os.Mkdir(filepath.Join(proj, ".env"), 0o700); err != nil {
		t.Fatal(err)
	}
	c.run("Open: .env is a directory", func() error {
		_, err := Open(Options{ProjectDir: proj, Root: base, LookupEnv: emptyEnv})
		return err
	})

	t.Logf("%d I/O error paths provoked", c.errors)
}
