package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// newTestStore returns the store of a fresh project whose ID is fixtureID;
// nothing exists on disk yet.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	base := t.TempDir()
	s, err := Open(Options{ProjectDir: filepath.Join(base, "proj"), ID: fixtureID, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustSet sets key=value.
func mustSet(t *testing.T, s *Store, key, value string) {
	t.Helper()
	if _, err := s.Set(key, value); err != nil {
		t.Fatalf("Set(%q) error: %v", key, err)
	}
}

// keysOf returns the keys of es, in order.
func keysOf(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}

func TestStoreBasics(t *testing.T) {
	s := newTestStore(t)
	if s.ID() != fixtureID || s.Path() != filepath.Join(s.Dir(), ".secrets") || filepath.Base(s.Dir()) != fixtureID {
		t.Errorf("ID, Dir, Path = %q, %q, %q", s.ID(), s.Dir(), s.Path())
	}
	if s.Project().Source != SourceExplicit {
		t.Errorf("Project().Source = %v, want explicit", s.Project().Source)
	}
	if ok, err := s.Exists(); ok || err != nil {
		t.Errorf("Exists() before any write = %v, %v", ok, err)
	}
	if data, err := s.ReadFile(); data != nil || err != nil {
		t.Errorf("ReadFile() before any write = %q, %v; want nil, nil", data, err)
	}
	if all, err := s.All(); all != nil || err != nil {
		t.Errorf("All() before any write = %v, %v; want nil, nil", all, err)
	}
	_, err := s.Get("A")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"A"`) {
		t.Errorf("Get(missing) error = %v, want ErrNotFound naming A", err)
	}

	mustSet(t, s, "A", "1")
	mustSet(t, s, "B", "two words")
	mustSet(t, s, "C", "3")
	mustSet(t, s, "B", "changed")
	if ok, err := s.Exists(); !ok || err != nil {
		t.Errorf("Exists() after Set = %v, %v", ok, err)
	}
	all, err := s.All()
	if err != nil {
		t.Fatal(err)
	}
	if !sameEntries(all, entriesKV("A", "1", "B", "changed", "C", "3")) {
		t.Errorf("All() = %s, want A, B, C in order", fmtEntries(all))
	}
	m, err := s.Map()
	if err != nil || len(m) != 3 || m["B"] != "changed" {
		t.Errorf("Map() = %d keys, %v", len(m), err)
	}
	if v, err := s.Get("B"); err != nil || v != "changed" {
		t.Errorf("Get(B) = %q, %v", v, err)
	}
	data := fileText(t, s.Path())
	if !strings.HasPrefix(data, storeHeader(s.Project().Dir, fixtureID)) {
		t.Errorf("secrets file does not start with the header:\n%s", data)
	}

	// Delete: existing keys go even when some are missing.
	err = s.Delete("A", "NOPE", "C", "ALSO_NOPE")
	var mk *NotFoundError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &mk) || fmt.Sprint(mk.Keys) != "[NOPE ALSO_NOPE]" {
		t.Errorf("Delete(A, NOPE, C, ALSO_NOPE) error = %v, want the two missing keys", err)
	}
	all, _ = s.All()
	if fmt.Sprint(keysOf(all)) != "[B]" {
		t.Errorf("keys after Delete = %v, want [B]", keysOf(all))
	}
	err = s.Delete("NOPE")
	if !errors.Is(err, ErrNotFound) || err.Error() != `"NOPE": secret not found` {
		t.Errorf("Delete(NOPE) error = %v", err)
	}
	if err := s.Delete("B"); err != nil {
		t.Errorf("Delete(B) error: %v", err)
	}

	// Clear keeps the file and its comments.
	mustSet(t, s, "X", "1")
	mustSet(t, s, "Y", "2")
	n, err := s.Clear()
	if err != nil || n != 2 {
		t.Errorf("Clear() = %d, %v; want 2, nil", n, err)
	}
	if got, want := fileText(t, s.Path()), storeHeader(s.Project().Dir, fixtureID); got != want {
		t.Errorf("file after Clear = %q, want only the header %q", got, want)
	}
	if n, err := s.Clear(); err != nil || n != 0 {
		t.Errorf("Clear() of an empty store = %d, %v; want 0, nil", n, err)
	}
}

func TestStoreSetMany(t *testing.T) {
	s := newTestStore(t)
	ws, err := s.SetMany([]Entry{{Key: "A", Value: "1"}, {Key: "PEM", Value: "l1\nl2"}, {Key: "B", Value: "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].Key != "PEM" {
		t.Errorf("SetMany() warnings = %+v, want one for PEM", ws)
	}
	w, err := s.Set("PEM2", "l1\r\nl2")
	if err != nil || w == nil || w.Key != "PEM2" {
		t.Errorf("Set(multi-line) = %+v, %v; want a warning naming PEM2", w, err)
	}
	if v, _ := s.Get("PEM2"); v != "l1\r\nl2" {
		t.Errorf("Get(PEM2) = %q, want the value stored exactly", v)
	}
	// One bad entry refuses them all, before anything is written.
	before := fileText(t, s.Path())
	_, err = s.SetMany([]Entry{{Key: "C", Value: "3"}, {Key: "D", Value: "\xff"}})
	if !errors.Is(err, ErrInvalidValue) {
		t.Errorf("SetMany(bad value) error = %v, want ErrInvalidValue", err)
	}
	if fileText(t, s.Path()) != before {
		t.Errorf("SetMany with a bad value changed the file")
	}
}

func TestStoreReplace(t *testing.T) {
	s := newTestStore(t)
	mustSet(t, s, "OLD", "1")
	want := "# edited\nNEW='a b'\r\nOTHER=2\n"
	if err := s.Replace([]byte(want)); err != nil {
		t.Fatal(err)
	}
	if got := fileText(t, s.Path()); got != want {
		t.Errorf("file after Replace = %q, want %q", got, want)
	}
	for _, tt := range []struct {
		name, data string
		line       int
		wantErr    error
	}{
		{"parse error", "A=1\nB='x\n", 2, nil},
		{"bad key", "A=1\nMY-KEY=2\n", 0, ErrInvalidKey},
	} {
		err := s.Replace([]byte(tt.data))
		var pe *ParseError
		switch {
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("Replace(%s) error = %v, want %v", tt.name, err, tt.wantErr)
		case tt.wantErr == nil && (!errors.As(err, &pe) || pe.Line != tt.line || pe.File != s.Path()):
			t.Errorf("Replace(%s) error = %v, want a *ParseError at %s:%d", tt.name, err, s.Path(), tt.line)
		}
		if got := fileText(t, s.Path()); got != want {
			t.Errorf("Replace(%s) changed the file", tt.name)
		}
	}
}

// TestStoreNeverRewritesBrokenFile checks that a file that fails to parse
// is left byte for byte by every mutation, with the error naming the line.
func TestStoreNeverRewritesBrokenFile(t *testing.T) {
	const broken = "# mine\nA=1\nB=\"unterminated\nC=3\n"
	mutations := []struct {
		name string
		run  func(s *Store) error
	}{
		{"Set", func(s *Store) error { _, err := s.Set("D", "4"); return err }},
		{"Set existing", func(s *Store) error { _, err := s.Set("A", "4"); return err }},
		{"SetMany", func(s *Store) error { _, err := s.SetMany([]Entry{{Key: "D", Value: "4"}}); return err }},
		{"Delete", func(s *Store) error { return s.Delete("A") }},
		{"Delete missing", func(s *Store) error { return s.Delete("Z") }},
		{"Clear", func(s *Store) error { _, err := s.Clear(); return err }},
		{"Update", func(s *Store) error { return s.Update(func(*Document) error { return nil }) }},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			s := newTestStore(t)
			putFile(t, s.Path(), broken)
			err := m.run(s)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != 3 || pe.File != s.Path() {
				t.Fatalf("%s error = %v, want a *ParseError at %s:3", m.name, err, s.Path())
			}
			if !strings.Contains(err.Error(), s.Path()+":3:") {
				t.Errorf("error %q does not name the file and line", err)
			}
			if got := fileText(t, s.Path()); got != broken {
				t.Errorf("%s rewrote a file that does not parse: %q", m.name, got)
			}
		})
	}
	// The readers report the same line.
	s := newTestStore(t)
	putFile(t, s.Path(), broken)
	for name, run := range map[string]func() error{
		"All": func() error { _, err := s.All(); return err },
		"Get": func() error { _, err := s.Get("A"); return err },
		"Map": func() error { _, err := s.Map(); return err },
	} {
		var pe *ParseError
		if err := run(); !errors.As(err, &pe) || pe.Line != 3 {
			t.Errorf("%s error = %v, want a *ParseError at line 3", name, err)
		}
	}
}

func TestStoreUpdateFnError(t *testing.T) {
	s := newTestStore(t)
	mustSet(t, s, "A", "1")
	before := fileText(t, s.Path())
	boom := errors.New("boom")
	err := s.Update(func(d *Document) error {
		if _, err := d.Set("B", "2"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update() error = %v, want the callback's", err)
	}
	if fileText(t, s.Path()) != before {
		t.Errorf("Update wrote after its callback failed")
	}
}

func TestStoreSymlink(t *testing.T) {
	s := newTestStore(t)
	if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "vault")
	target := filepath.Join(elsewhere, "real.secrets")
	putFile(t, target, "# kept\nA=1\n")
	if err := os.Chmod(target, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, s.Path()); err != nil {
		t.Skipf("cannot create a symlink: %v", err)
	}
	mustSet(t, s, "B", "2")
	if err := s.Delete("A"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf(".secrets is no longer a symlink (mode %v)", fi.Mode())
	}
	if dest, _ := os.Readlink(s.Path()); dest != target {
		t.Errorf("link points to %q, want %q", dest, target)
	}
	if got := fileText(t, target); got != "# kept\nB=2\n" {
		t.Errorf("link target = %q, want the update", got)
	}
	if v, err := s.Get("B"); err != nil || v != "2" {
		t.Errorf("Get(B) through the link = %q, %v", v, err)
	}
	// Beside the target: the lock, and no temporary file left.
	var names []string
	entries, _ := os.ReadDir(elsewhere)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"real.secrets", "real.secrets.lock"}) {
		t.Errorf("the target's directory holds %q, want the file and its lock", names)
	}

	// A relative link works; a dangling one is refused and left alone.
	s2 := newTestStore(t)
	if err := os.MkdirAll(filepath.Join(s2.Dir(), "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("sub", "new.secrets"), s2.Path()); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Set("A", "1"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Set through a dangling link: error = %v, want one saying the target does not exist", err)
	}
	mustNotExist(t, filepath.Join(s2.Dir(), "sub", "new.secrets"))
	putFile(t, filepath.Join(s2.Dir(), "sub", "new.secrets"), "")
	mustSet(t, s2, "A", "1")
	if fi, err := os.Lstat(s2.Path()); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf(".secrets link was replaced by a file")
	}
	if v, err := s2.Get("A"); err != nil || v != "1" {
		t.Errorf("Get(A) through a relative link = %q, %v", v, err)
	}
}

func TestStoreLeftoverTempFiles(t *testing.T) {
	s := newTestStore(t)
	mustSet(t, s, "A", "1")
	leftovers := []string{
		filepath.Join(s.Dir(), ".secrets"+fsutil.TempPrefix+"0123456789abcdef"),
		filepath.Join(s.Dir(), ".secrets"+fsutil.TempPrefix+"00000000deadbeef"),
	}
	for _, p := range leftovers {
		putFile(t, p, "A=partial\nB='unterminated\n")
	}
	other := filepath.Join(s.Dir(), "notes.txt")
	putFile(t, other, "mine\n")
	backup := filepath.Join(s.Dir(), ".secrets"+fsutil.TempPrefix+"mybackup")
	putFile(t, backup, "A=mine\n")

	all, err := s.All()
	if err != nil || !sameEntries(all, entriesKV("A", "1")) {
		t.Errorf("All() with leftover temporary files = %s, %v; want A=1", fmtEntries(all), err)
	}
	if v, err := s.Get("A"); err != nil || v != "1" {
		t.Errorf("Get(A) = %q, %v", v, err)
	}
	mustSet(t, s, "B", "2")
	for _, p := range leftovers {
		mustNotExist(t, p)
	}
	for _, p := range []string{other, backup} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("the next write removed a file it did not make: %v", err)
		}
	}
}

// TestStoreValidatesBeforeLocking checks that invalid keys and values are
// refused at once, with nothing created, even while another writer holds
// the lock.
func TestStoreValidatesBeforeLocking(t *testing.T) {
	s := newTestStore(t)
	for _, tt := range []struct {
		key, value string
		want       error
	}{
		{"BAD-KEY", "v", ErrInvalidKey},
		{"", "v", ErrInvalidKey},
		{"1X", "v", ErrInvalidKey},
		{"OK", "a\x00b", ErrInvalidValue},
		{"OK", "\xc3", ErrInvalidValue},
	} {
		if _, err := s.Set(tt.key, tt.value); !errors.Is(err, tt.want) {
			t.Errorf("Set(%q) error = %v, want %v", tt.key, err, tt.want)
		}
	}
	mustNotExist(t, s.Project().Root)

	mustSet(t, s, "A", "1")
	unlock, err := fsutil.Lock(filepath.Join(s.Dir(), lockFileName), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	start := time.Now()
	if _, err := s.Set("BAD-KEY", "v"); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Set(BAD-KEY) under a held lock = %v, want ErrInvalidKey", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Set(BAD-KEY) waited %v for the lock before refusing", d)
	}
}

func TestStoreLockTimeout(t *testing.T) {
	base := t.TempDir()
	opts := Options{ProjectDir: base, ID: fixtureID, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv, LockTimeout: 50 * time.Millisecond}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "A", "1")
	before := fileText(t, s.Path())
	unlock, err := fsutil.Lock(filepath.Join(s.Dir(), lockFileName), 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Set("B", "2")
	if !errors.Is(err, fsutil.ErrLockTimeout) {
		t.Errorf("Set() under a held lock = %v, want ErrLockTimeout", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 5*time.Second {
		t.Errorf("Set() gave up after %v, want about the 50ms LockTimeout", d)
	}
	if fileText(t, s.Path()) != before {
		t.Errorf("Set() wrote without the lock")
	}
	// compat.Readers need no lock.
	if v, err := s.Get("A"); err != nil || v != "1" {
		t.Errorf("Get(A) while the lock is held = %q, %v", v, err)
	}
	unlock()
	mustSet(t, s, "B", "2")
}

func TestStorePythonFile(t *testing.T) {
	s := newTestStore(t)
	py := "# Python User Secrets\nA=\"say \"hi\"\"\nB=\"C:\\new folder\"\n"
	putFile(t, s.Path(), py)
	if v, err := s.Get("A"); err != nil || v != `say "hi"` {
		t.Errorf("Get(A) from a Python file = %q, %v", v, err)
	}
	mustSet(t, s, "C", "3")
	data := fileText(t, s.Path())
	if detectDialect([]byte(data)) != dialectGo || !strings.HasPrefix(data, storeHeader(s.Project().Dir, fixtureID)) {
		t.Errorf("Set did not convert the Python file:\n%s", data)
	}
	all, err := s.All()
	if err != nil || !sameEntries(all, entriesKV("A", `say "hi"`, "B", `C:\new folder`, "C", "3")) {
		t.Errorf("All() after conversion = %s, %v", fmtEntries(all), err)
	}
}

func TestOpenID(t *testing.T) {
	root := t.TempDir()
	if _, err := openID(root, "../x"); !errors.Is(err, ErrInvalidID) {
		t.Errorf("openID(../x) error = %v, want ErrInvalidID", err)
	}
	if _, err := openID("relative", fixtureID); err == nil {
		t.Errorf("openID(relative root) succeeded")
	}
	s, err := openID(root, fixtureID)
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "A", "1")
	if _, err := os.Stat(filepath.Join(root, fixtureID, ".secrets")); err != nil {
		t.Errorf("openID store wrote elsewhere: %v", err)
	}
}

// TestStoreConcurrentGoroutines sets distinct keys from many goroutines,
// each with its own Store: no update may be lost.
func TestStoreConcurrentGoroutines(t *testing.T) {
	s := newTestStore(t)
	opts := Options{ProjectDir: s.Project().Dir, ID: fixtureID, Root: s.Project().Root, LookupEnv: emptyEnv}
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := Open(opts)
			if err == nil {
				_, err = st.Set(fmt.Sprintf("K%02d", i), fmt.Sprintf("v%d", i))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	m, err := s.Map()
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != n {
		t.Errorf("store holds %d keys after %d concurrent Sets, want %d", len(m), n, n)
	}
	for i := range n {
		if v := m[fmt.Sprintf("K%02d", i)]; v != fmt.Sprintf("v%d", i) {
			t.Errorf("K%02d = %q after concurrent Sets", i, v)
		}
	}
}

// TestStoreErrorsOnOddFiles provokes I/O errors that work even as root: a
// directory where the secrets file or the store directory should be.
func TestStoreErrorsOnOddFiles(t *testing.T) {
	t.Run("secrets file is a directory", func(t *testing.T) {
		s := newTestStore(t)
		if err := os.MkdirAll(s.Path(), 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := s.All(); err == nil {
			t.Errorf("All() succeeded on a directory")
		}
		if _, err := s.Set("A", "1"); err == nil {
			t.Errorf("Set() succeeded on a directory")
		}
	})
	t.Run("store directory is a file", func(t *testing.T) {
		s := newTestStore(t)
		putFile(t, s.Dir(), "not a directory\n")
		if _, err := s.Set("A", "1"); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("Set() error = %v, want one saying the store is not a directory", err)
		}
		if _, err := s.All(); err == nil {
			t.Errorf("All() succeeded with a file as the store directory")
		}
	})
	t.Run("lock file is a directory", func(t *testing.T) {
		s := newTestStore(t)
		if err := os.MkdirAll(filepath.Join(s.Dir(), lockFileName), 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Set("A", "1"); err == nil {
			t.Errorf("Set() succeeded without a lock")
		}
		mustNotExist(t, s.Path())
	})
}

func TestReplaceIf(t *testing.T) {
	s, err := openID(t.TempDir(), "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceIf([]byte("X=1\n"), []byte("A=1\n")); !errors.Is(err, ErrChanged) {
		t.Fatalf("ReplaceIf on a missing file with old != nil = %v, want ErrChanged", err)
	}
	if err := s.ReplaceIf(nil, []byte("A=1\n")); err != nil {
		t.Fatalf("ReplaceIf(nil, …) on a missing file = %v", err)
	}
	if err := s.ReplaceIf([]byte("A=2\n"), []byte("A=3\n")); !errors.Is(err, ErrChanged) {
		t.Fatalf("ReplaceIf with stale old = %v, want ErrChanged", err)
	}
	if err := s.ReplaceIf([]byte("A=1\n"), []byte("A 3\n")); err == nil {
		t.Fatal("ReplaceIf with an unparsable file succeeded")
	}
	if err := s.ReplaceIf([]byte("A=1\n"), []byte("A=3\n")); err != nil {
		t.Fatalf("ReplaceIf with current old = %v", err)
	}
	if v, _ := s.Get("A"); v != "3" {
		t.Fatalf("after ReplaceIf, A = %q, want %q", v, "3")
	}
}

// openID returns the store of id under root, for tests: unlike Open, it
// resolves nothing and checks no ownership. The ID is validated.
func openID(root, id string) (*Store, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(root) {
		return nil, fmt.Errorf("store root %q is not an absolute path", root)
	}
	return newStore(&Project{Root: root, ID: id, Source: SourceExplicit}, Options{LockTimeout: 10 * time.Second, LookupEnv: emptyEnv}), nil
}
