package core

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// v4ID matches the IDs Init generates: lowercase, version 4, RFC 4122 variant.
var v4ID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// newInitProject returns a project directory (holding go.mod) and options
// whose store root does not exist yet.
// initResult is what Init returned, for the tests.
type initResult struct {
	Project *Project
	Created bool
}

// initR calls Init and returns its results as one value.
func initR(opts Options) (*initResult, error) {
	s, created, err := Init(opts)
	if err != nil {
		return nil, err
	}
	return &initResult{Project: s.Project(), Created: created}, nil
}

func newInitProject(t *testing.T) (dir string, opts Options) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "proj")
	putFile(t, filepath.Join(dir, "go.mod"), "module example.com/p\n")
	return dir, Options{ProjectDir: dir, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv}
}

// checkStoreCreated checks that Init made <root>/<id>/.secrets holding only
// the header, and that root holds nothing else but the directory of .env
// locks.
func checkStoreCreated(t *testing.T, root, id string) {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("store root holds an unexpected file %q", e.Name())
		}
		names = append(names, e.Name())
	}
	if want := []string{".env-locks", id}; !slices.Equal(names, want) {
		t.Fatalf("store root holds %q, want exactly %q", names, want)
	}
	data := fileText(t, filepath.Join(root, id, ".secrets"))
	entriesIn, err := Parse([]byte(data), ".secrets")
	if err != nil || len(entriesIn) != 0 {
		t.Errorf("new .secrets = %d entries, %v; want no entries", len(entriesIn), err)
	}
	if !strings.HasPrefix(data, "# ") || !strings.Contains(data, id) || detectDialect([]byte(data)) != dialectGo {
		t.Errorf("new .secrets does not start with this project's header naming the ID:\n%s", data)
	}
}

func TestInitNewEnv(t *testing.T) {
	dir, opts := newInitProject(t)
	res, err := initR(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := res.Project
	if !res.Created || p.Source != SourceDotEnv {
		t.Errorf("Init() Created=%v Source=%v, want true, dotenv", res.Created, p.Source)
	}
	if !v4ID.MatchString(p.ID) {
		t.Errorf("Init() ID = %q, want a lowercase version 4 UUID", p.ID)
	}
	env := filepath.Join(dir, ".env")
	if p.EnvFile != env || p.Dir != dir {
		t.Errorf("Init() EnvFile, Dir = %q, %q; want %q, %q", p.EnvFile, p.Dir, env, dir)
	}
	if got, want := fileText(t, env), "USER_SECRETS_ID="+p.ID+"\n"; got != want {
		t.Errorf(".env = %q, want %q", got, want)
	}
	checkStoreCreated(t, opts.Root, p.ID)

	// The new ID resolves.
	q, err := Resolve(opts)
	if err != nil || q.ID != p.ID {
		t.Errorf("Resolve() after Init = %v, %v; want %q", q, err, p.ID)
	}
}

func TestInitPreservesBytes(t *testing.T) {
	tests := []struct {
		name, before, wantPrefix, nl string
	}{
		{"LF", "A=1\nB=2\n", "A=1\nB=2\n", "\n"},
		{"CRLF", "A=1\r\nB=2\r\n", "A=1\r\nB=2\r\n", "\r\n"},
		{"lone CR", "A=1\rB=2\r", "A=1\rB=2\r", "\r"},
		{"LF no final newline", "A=1\nB=2", "A=1\nB=2\n", "\n"},
		{"CRLF no final newline", "A=1\r\nB=2", "A=1\r\nB=2\r\n", "\r\n"},
		{"one line no newline", "A=1", "A=1\n", "\n"},
		{"empty file", "", "", "\n"},
		{"only newline", "\n", "\n", "\n"},
		{
			"everything kept",
			"\ufeff# comment  \n\nexport A = 'x'   # c\n  B=\"multi\nline\"\nweird line without equals\n\tC=\xe2\x82\xac\n\n\n",
			"\ufeff# comment  \n\nexport A = 'x'   # c\n  B=\"multi\nline\"\nweird line without equals\n\tC=\xe2\x82\xac\n\n\n",
			"\n",
		},
		{"invalid UTF-8 kept", "A=\xff\xfe\n", "A=\xff\xfe\n", "\n"},
		{"commented ID kept", "# USER_SECRETS_ID=" + fixtureID + "\n", "# USER_SECRETS_ID=" + fixtureID + "\n", "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, opts := newInitProject(t)
			env := filepath.Join(dir, ".env")
			putFile(t, env, tt.before)
			res, err := initR(opts)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantPrefix + "USER_SECRETS_ID=" + res.Project.ID + tt.nl
			if got := fileText(t, env); got != want {
				t.Errorf(".env after Init = %q, want %q", got, want)
			}
			checkStoreCreated(t, opts.Root, res.Project.ID)
		})
	}
}

func TestInitIdempotent(t *testing.T) {
	dir, opts := newInitProject(t)
	env := filepath.Join(dir, ".env")
	putFile(t, env, "A=1\r\n")
	first, err := initR(opts)
	if err != nil {
		t.Fatal(err)
	}
	envAfter := fileText(t, env)
	secrets := filepath.Join(opts.Root, first.Project.ID, ".secrets")
	secretsAfter := fileText(t, secrets)
	fi1, err := os.Stat(secrets)
	if err != nil {
		t.Fatal(err)
	}

	for i := 0; i < 3; i++ {
		again, err := initR(opts)
		if err != nil {
			t.Fatal(err)
		}
		if again.Created || again.Project.ID != first.Project.ID || again.Project.Source != SourceDotEnv {
			t.Errorf("Init() again = created %v, %q; want not created, %q", again.Created, again.Project.ID, first.Project.ID)
		}
	}
	if got := fileText(t, env); got != envAfter {
		t.Errorf("second Init changed .env: %q, want %q", got, envAfter)
	}
	if got := fileText(t, secrets); got != secretsAfter {
		t.Errorf("second Init changed .secrets")
	}
	fi2, err := os.Stat(secrets)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(fi1, fi2) || !fi1.ModTime().Equal(fi2.ModTime()) {
		t.Errorf("second Init rewrote .secrets")
	}
	checkStoreCreated(t, opts.Root, first.Project.ID)
}

// TestInitExistingIDChangesNothing checks that Init with an ID from the
// environment or an option creates nothing at all.
func TestInitExistingIDChangesNothing(t *testing.T) {
	for _, tt := range []struct {
		name string
		mod  func(*Options)
	}{
		{"explicit", func(o *Options) { o.ID = fixtureID }},
		{"environment", func(o *Options) { o.LookupEnv = lookupIn(map[string]string{"USER_SECRETS_ID": fixtureID}) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, opts := newInitProject(t)
			tt.mod(&opts)
			res, err := initR(opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Created || res.Project.ID != fixtureID {
				t.Errorf("Init() = created %v, %q; want not created, %q", res.Created, res.Project.ID, fixtureID)
			}
			mustNotExist(t, filepath.Join(dir, ".env"))
			mustNotExist(t, opts.Root)
		})
	}
}

func TestInitKeepsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	dir, opts := newInitProject(t)
	env := filepath.Join(dir, ".env")
	putFile(t, env, "A=1\n")
	if err := os.Chmod(env, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := initR(opts); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(env)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf(".env mode after Init = %v, want 0640 kept", fi.Mode().Perm())
	}
}

func TestInitProjectDirChoice(t *testing.T) {
	tests := []struct {
		name   string
		marker string // created in base/mod; "" for none
		want   string // relative to base
	}{
		{"go.mod ancestor", "go.mod", "mod"},
		{".git ancestor", ".git/HEAD", "mod"},
		{"no marker: working directory", "", "mod/a/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			if tt.marker == "" {
				for d := base; ; d = filepath.Dir(d) {
					for _, m := range []string{"go.mod", ".git"} {
						if _, err := os.Stat(filepath.Join(d, m)); err == nil {
							t.Skipf("%s has a %s above the temporary directory", d, m)
						}
					}
					if filepath.Dir(d) == d {
						break
					}
				}
			}
			skipIfAncestorDefinesID(t, base)
			mod := filepath.Join(base, "mod")
			wd := filepath.Join(mod, "a", "b")
			if err := os.MkdirAll(wd, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.marker != "" {
				putFile(t, filepath.Join(mod, tt.marker), "x\n")
			}
			opts := Options{WorkDir: wd, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv}
			res, err := initR(opts)
			if err != nil {
				t.Fatal(err)
			}
			wantDir := filepath.Join(base, filepath.FromSlash(tt.want))
			if res.Project.Dir != wantDir || res.Project.EnvFile != filepath.Join(wantDir, ".env") {
				t.Errorf("Init() Dir, EnvFile = %q, %q; want %q and its .env", res.Project.Dir, res.Project.EnvFile, wantDir)
			}
			if got := fileText(t, filepath.Join(wantDir, ".env")); got != "USER_SECRETS_ID="+res.Project.ID+"\n" {
				t.Errorf(".env = %q", got)
			}
			// The ID is found again from the working directory.
			p, err := Resolve(opts)
			if err != nil || p.ID != res.Project.ID {
				t.Errorf("Resolve() after Init = %v, %v; want %q", p, err, res.Project.ID)
			}
		})
	}
}

func TestInitSymlinkedEnv(t *testing.T) {
	dir, opts := newInitProject(t)
	real := filepath.Join(dir, "config", "env.shared")
	putFile(t, real, "A=1\n")
	link := filepath.Join(dir, ".env")
	if err := os.Symlink(filepath.Join("config", "env.shared"), link); err != nil {
		t.Skipf("cannot create a symlink: %v", err)
	}
	res, err := initR(opts)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf(".env is no longer a symlink (mode %v)", fi.Mode())
	}
	if got, want := fileText(t, real), "A=1\nUSER_SECRETS_ID="+res.Project.ID+"\n"; got != want {
		t.Errorf("link target = %q, want %q", got, want)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "config"))
	if len(entries) != 1 {
		t.Errorf("config directory holds %d files, want 1 (no temporary file left)", len(entries))
	}
}

// TestInitConcurrentGoroutines runs many Inits of one project at once: one
// ID must win, in .env and in the store root.
func TestInitConcurrentGoroutines(t *testing.T) {
	for round := 0; round < 5; round++ {
		dir, opts := newInitProject(t)
		env := filepath.Join(dir, ".env")
		putFile(t, env, "A=1\n")
		const n = 16
		results := make([]*initResult, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = initR(opts)
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("Init #%d: %v", i, errs[i])
			}
			if results[i].Created {
				created++
			}
			if results[i].Project.ID != results[0].Project.ID {
				t.Errorf("Init #%d got ID %q, #0 got %q", i, results[i].Project.ID, results[0].Project.ID)
			}
		}
		if created != 1 {
			t.Errorf("%d Inits created an ID, want 1", created)
		}
		checkOneID(t, env, results[0].Project.ID)
		checkStoreCreated(t, opts.Root, results[0].Project.ID)
	}
}

// checkOneID checks that env defines USER_SECRETS_ID exactly once, as id.
func checkOneID(t *testing.T, env, id string) {
	t.Helper()
	data := fileText(t, env)
	if n := strings.Count(data, "USER_SECRETS_ID="); n != 1 {
		t.Errorf(".env defines USER_SECRETS_ID %d times, want once:\n%s", n, data)
	}
	if got, _ := scanID([]byte(data)); got != id {
		t.Errorf(".env holds ID %q, want %q", got, id)
	}
}

func TestAppendLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "X\n"},
		{"A", "A\nX\n"},
		{"A\n", "A\nX\n"},
		{"A\r\n", "A\r\nX\r\n"},
		{"A\r\nB", "A\r\nB\r\nX\r\n"},
		{"A\r", "A\rX\r"},
		{"A\nB\r\n", "A\nB\r\nX\n"},
	}
	for _, tt := range tests {
		if got := string(appendLine([]byte(tt.in), "X")); got != tt.want {
			t.Errorf("appendLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestInitOddProjectDir checks that a project directory whose name holds a
// line break still gives a secrets file that parses: the header keeps the
// name on one comment line.
func TestInitOddProjectDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no line breaks in Windows file names")
	}
	for _, name := range []string{"odd\nname", "odd\r\nAPI_KEY=injected", "cr\rname"} {
		base := t.TempDir()
		dir := filepath.Join(base, name)
		putFile(t, filepath.Join(dir, "go.mod"), "module example.com/p\n")
		opts := Options{ProjectDir: dir, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv}
		res, err := initR(opts)
		if err != nil {
			t.Fatal(err)
		}
		checkStoreCreated(t, opts.Root, res.Project.ID)
		s, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		mustSet(t, s, "A", "1")
		all, err := s.All()
		if err != nil || !sameEntries(all, entriesKV("A", "1")) {
			t.Errorf("project %q: All() = %s, %v; want only A", name, fmtEntries(all), err)
		}
	}
}

// TestInitRemovesStaleEnvCopy: a copy of .env that a killed write left
// beside it (a name .gitignore's ".env" does not match) goes with the
// next Init; a copy as new as a live writer's stays.
func TestInitRemovesStaleEnvCopy(t *testing.T) {
	dir, opts := newInitProject(t)
	env := filepath.Join(dir, ".env")
	putFile(t, env, "API_KEY=canary-secret\n")
	stale, fresh := env+fsutil.TempPrefix+"00000000000000aa", env+fsutil.TempPrefix+"00000000000000bb"
	putFile(t, stale, "API_KEY=canary-secret\n")
	putFile(t, fresh, "API_KEY=canary-secret\n")
	old := time.Now().Add(-2 * fsutil.StaleTempAge)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := initR(opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale copy of .env is still there (%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("the fresh copy of .env was removed: %v", err)
	}
}

// TestInitWaitsForEnvRewrite holds the .env's lock as a rewrite of it
// (import --move's) does, between its read and its write: Init must wait
// for it, and then add its line to what the rewrite wrote.
func TestInitWaitsForEnvRewrite(t *testing.T) {
	dir, opts := newInitProject(t)
	env := filepath.Join(dir, ".env")
	putFile(t, env, "# keep\nMOVED=x\nKEPT=1\n")
	unlock, err := fsutil.LockEnv(opts.Root, env, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		res *initResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := initR(opts)
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		unlock()
		t.Fatalf("Init returned (error %v) while a rewrite of .env held its lock", r.err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := fsutil.WriteAtomic(env, []byte("# keep\nKEPT=1\n"), 0o644, fsutil.KeepMode); err != nil {
		t.Fatal(err)
	}
	unlock()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got, want := fileText(t, env), "# keep\nKEPT=1\nUSER_SECRETS_ID="+r.res.Project.ID+"\n"; got != want {
		t.Errorf(".env = %q, want %q", got, want)
	}
}

// TestInitBesideEnvRewrite runs Init and a rewrite of .env that removes a
// line (as import --move does) at once, round after round: whichever goes
// first, the other keeps its change.
func TestInitBesideEnvRewrite(t *testing.T) {
	for round := range 20 {
		dir, opts := newInitProject(t)
		env := filepath.Join(dir, ".env")
		putFile(t, env, "A=1\nMOVED=x\nB=2\n")
		var res *initResult
		var initErr, rewriteErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			res, initErr = initR(opts)
		}()
		go func() {
			defer wg.Done()
			<-start
			rewriteErr = removeFromEnv(opts.Root, env, "MOVED")
		}()
		close(start)
		wg.Wait()
		if initErr != nil || rewriteErr != nil {
			t.Fatalf("round %d: Init: %v; rewrite: %v", round, initErr, rewriteErr)
		}
		if got, want := fileText(t, env), "A=1\nB=2\nUSER_SECRETS_ID="+res.Project.ID+"\n"; got != want {
			t.Fatalf("round %d: .env = %q, want %q", round, got, want)
		}
	}
}

// removeFromEnv removes key from the .env file at env as import --move
// does: under the .env's lock, it reads the file, drops the key's lines and
// replaces the file.
func removeFromEnv(root, env, key string) error {
	unlock, err := fsutil.LockEnv(root, env, time.Minute)
	if err != nil {
		return err
	}
	defer unlock()
	data, err := os.ReadFile(env)
	if err != nil {
		return err
	}
	d, err := ParseDocument(data, env)
	if err != nil {
		return err
	}
	if _, err := d.Update(nil, []string{key}); err != nil {
		return err
	}
	return fsutil.WriteAtomic(env, d.Bytes(), 0o644, fsutil.KeepMode)
}
