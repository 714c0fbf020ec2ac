package core

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// homeTree returns a temporary base directory holding home/, and options
// whose home directory is base/home, whose store root is base/root and
// whose working directory is base/<wd>.
func homeTree(t *testing.T, wd string) (base string, opts Options) {
	t.Helper()
	base = t.TempDir()
	skipIfAncestorDefinesID(t, base)
	home := filepath.Join(base, "home")
	dir := filepath.Join(base, filepath.FromSlash(wd))
	for _, d := range []string{home, dir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return base, Options{
		WorkDir:     dir,
		Root:        filepath.Join(base, "root"),
		LookupEnv:   emptyEnv,
		userHomeDir: func() (string, error) { return home, nil },
	}
}

func TestResolveStopsAtRepositoryRoot(t *testing.T) {
	for _, git := range []string{".git/HEAD", ".git"} { // a repository, a worktree or submodule
		t.Run(git, func(t *testing.T) {
			base, opts := homeTree(t, "src/repo/pkg")
			putFile(t, filepath.Join(base, "src", ".env"), "USER_SECRETS_ID="+fixtureID+"\n")
			repo := filepath.Join(base, "src", "repo")
			putFile(t, filepath.Join(repo, git), "gitdir: elsewhere\n")
			putFile(t, filepath.Join(repo, "pkg", "go.mod"), "module m\n")

			p, err := Resolve(opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.ID != "" {
				t.Fatalf("Resolve() = %q from %s, want none: the .env above the repository root is not read", p.ID, p.EnvFile)
			}
			want := []string{"$USER_SECRETS_ID", filepath.Join(repo, "pkg", ".env"), filepath.Join(repo, ".env")}
			if !slices.Equal(p.Looked, want) {
				t.Errorf("Looked = %q, want %q", p.Looked, want)
			}
			if p.Stop != repo || p.StopReason != "repository root" {
				t.Errorf("Stop, StopReason = %q, %q; want %q, repository root", p.Stop, p.StopReason, repo)
			}
			// Init writes to the nearest go.mod's directory, inside the
			// repository.
			if wantDir := filepath.Join(repo, "pkg"); p.Dir != wantDir || p.Reserved != "" {
				t.Errorf("Dir, Reserved = %q, %q; want %q", p.Dir, p.Reserved, wantDir)
			}

			// A monorepo's root .env serves every module in it.
			putFile(t, filepath.Join(repo, ".env"), "USER_SECRETS_ID="+fixtureID2+"\n")
			if p, err = Resolve(opts); err != nil || p.ID != fixtureID2 || p.Dir != repo || p.StopReason != "found" {
				t.Errorf("Resolve() with the repository root's .env = %+v, %v; want %q from it", p, err, fixtureID2)
			}
		})
	}
}

func TestResolveHomeIsNotAProject(t *testing.T) {
	base, opts := homeTree(t, "home/work/app")
	home := filepath.Join(base, "home")
	homeEnv := filepath.Join(home, ".env")
	putFile(t, homeEnv, "USER_SECRETS_ID="+fixtureID+"\n")
	putFile(t, filepath.Join(home, ".git", "HEAD"), "a dotfiles repository\n")
	app := filepath.Join(home, "work", "app")

	p, err := Resolve(opts)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "" {
		t.Fatalf("Resolve() = %q from %s, want none: the home directory's .env is not used", p.ID, p.EnvFile)
	}
	if p.Stop != home || p.StopReason != "home directory" || p.HomeEnv != homeEnv {
		t.Errorf("Stop, StopReason, HomeEnv = %q, %q, %q; want the home directory and its .env", p.Stop, p.StopReason, p.HomeEnv)
	}
	// Neither the home's .git nor anything above makes the home directory
	// the project directory: init writes in the working directory.
	if p.Dir != app || p.EnvFile != filepath.Join(app, ".env") || p.Reserved != "" {
		t.Errorf("Dir, EnvFile, Reserved = %q, %q, %q; want %q", p.Dir, p.EnvFile, p.Reserved, app)
	}

	_, err = Open(opts)
	var noID *NoIDError
	if !errors.As(err, &noID) || noID.Project == nil {
		t.Fatalf("Open() error = %v, want a *NoIDError with its Project", err)
	}
	for _, want := range []string{
		filepath.Join(app, ".env"), filepath.Join(home, "work", ".env"),
		"stopped at the home directory " + home,
		homeEnv + " defines USER_SECRETS_ID but is not used (-p " + home + " would use it)",
		"run `user-secrets init` to write one to " + filepath.Join(app, ".env"),
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}

	// Named with ProjectDir, the home directory is a project like any other.
	named := opts
	named.ProjectDir = home
	if p, err = Resolve(named); err != nil || p.ID != fixtureID || p.EnvFile != homeEnv {
		t.Errorf("Resolve(ProjectDir: home) = %+v, %v; want %q from %s", p, err, fixtureID, homeEnv)
	}
	mustNotExist(t, opts.Root)
}

func TestInitRefusesHomeDirectory(t *testing.T) {
	base, opts := homeTree(t, "home")
	home := filepath.Join(base, "home")
	putFile(t, filepath.Join(home, "go.mod"), "module m\n") // still not a project directory

	_, _, err := Init(opts)
	var noID *NoIDError
	if !errors.As(err, &noID) || !errors.Is(err, ErrNoID) {
		t.Fatalf("Init() in the home directory: error = %v, want a *NoIDError", err)
	}
	if p := noID.Project; p.Reserved != "home directory" || p.Dir != home {
		t.Errorf("Project.Dir, Reserved = %q, %q; want %q, home directory", p.Dir, p.Reserved, home)
	}
	for _, want := range []string{"stopped at the home directory " + home + ", never a project directory", "in the project's directory, or name that directory with -p"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	mustNotExist(t, filepath.Join(home, ".env"))
	mustNotExist(t, opts.Root)

	// A subdirectory of the home directory without markers is fine.
	sub := opts
	sub.WorkDir = filepath.Join(home, "scratch")
	if err := os.Mkdir(sub.WorkDir, 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := initR(sub)
	if err != nil || !res.Created || res.Project.EnvFile != filepath.Join(sub.WorkDir, ".env") {
		t.Fatalf("Init() in home/scratch = %+v, %v; want home/scratch/.env written", res, err)
	}

	// Named with ProjectDir, the home directory may be initialised.
	named := opts
	named.ProjectDir = home
	if res, err = initR(named); err != nil || !res.Created || res.Project.EnvFile != filepath.Join(home, ".env") {
		t.Errorf("Init(ProjectDir: home) = %+v, %v; want home/.env written", res, err)
	}
}

func TestInitRefusesFilesystemRoot(t *testing.T) {
	base := t.TempDir()
	root := filepath.VolumeName(base) + string(filepath.Separator)
	opts := Options{WorkDir: root, Root: filepath.Join(base, "root"), LookupEnv: emptyEnv}
	p, err := Resolve(opts)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "" || p.Reserved != "filesystem root" || p.StopReason != "filesystem root" || len(p.Looked) != 1 {
		t.Fatalf("Resolve() from %s = %+v; want no ID, nothing read, the root reserved", root, p)
	}
	if _, _, err := Init(opts); !errors.Is(err, ErrNoID) {
		t.Errorf("Init() at the file system root: error = %v, want ErrNoID", err)
	}
	mustNotExist(t, opts.Root)
}

func TestResolveExplicitIDInHomeDirectory(t *testing.T) {
	// An ID from the environment in the home directory: the store works,
	// and its header names no project directory.
	base, opts := homeTree(t, "home")
	opts.LookupEnv = lookupIn(map[string]string{EnvID: fixtureID})
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Project(); p.Reserved != "home directory" || p.Dir != filepath.Join(base, "home") {
		t.Errorf("Dir, Reserved = %q, %q; want the home directory, reserved", p.Dir, p.Reserved)
	}
	if _, err := s.Set("K", "v"); err != nil {
		t.Fatal(err)
	}
	if got := fileText(t, s.Path()); strings.Contains(got, "# Project:") {
		t.Errorf("secrets file names a project directory:\n%s", got)
	}
}

func TestNoIDErrorWorktree(t *testing.T) {
	base, opts := homeTree(t, "wt/svc")
	for rel, content := range map[string]string{
		"main/.git/HEAD":                   "ref: refs/heads/main\n",
		"main/.git/worktrees/wt/commondir": "../..\n",
		"main/.env":                        "USER_SECRETS_ID=" + fixtureID + "\n",
		"wt/.git":                          "gitdir: ../main/.git/worktrees/wt\n",
	} {
		putFile(t, filepath.Join(base, filepath.FromSlash(rel)), content)
	}
	_, err := Open(opts)
	var noID *NoIDError
	if !errors.As(err, &noID) {
		t.Fatalf("Open() in a worktree without an ID: error = %v, want a *NoIDError", err)
	}
	mainEnv := filepath.Join(base, "main", ".env")
	if noID.Project.MainWorktreeEnv != mainEnv {
		t.Errorf("MainWorktreeEnv = %q, want %q", noID.Project.MainWorktreeEnv, mainEnv)
	}
	if want := "the main worktree's " + mainEnv + " defines USER_SECRETS_ID"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}

// copyTree copies the regular files of src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		putFile(t, filepath.Join(dst, rel), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// headerDirOf returns the project directory the secrets file names.
func headerDirOf(t *testing.T, path string) string {
	t.Helper()
	for _, line := range strings.Split(fileText(t, path), "\n") {
		if dir, ok := strings.CutPrefix(line, "# Project: "); ok {
			return dir
		}
	}
	return ""
}

func TestStoreCopiedProject(t *testing.T) {
	base, opts := homeTree(t, "orig")
	orig, cp := filepath.Join(base, "orig"), filepath.Join(base, "copy")
	putFile(t, filepath.Join(orig, "go.mod"), "module m\n")
	s, _, err := Init(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set("API_KEY", "canary-orig"); err != nil {
		t.Fatal(err)
	}
	copyTree(t, orig, cp)

	copyOpts := opts
	copyOpts.WorkDir = cp
	cs, err := Open(copyOpts)
	if err != nil {
		t.Fatal(err)
	}
	p := cs.Project()
	if p.HeaderState != "copied" || p.HeaderDir != orig {
		t.Errorf("HeaderState, HeaderDir = %q, %q; want copied, %q", p.HeaderState, p.HeaderDir, orig)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "("+cp+") shares its store with "+orig) ||
		!strings.Contains(p.Warnings[0], "user-secrets init --new") {
		t.Errorf("Warnings = %q, want one naming both directories and init --new", p.Warnings)
	}
	// A write in the copy keeps the header naming the original.
	if _, err := cs.Set("OTHER", "canary-copy"); err != nil {
		t.Fatal(err)
	}
	if got := headerDirOf(t, cs.Path()); got != orig {
		t.Errorf("after a write in the copy, the header names %q, want %q", got, orig)
	}
	// Seen from the original, all is as it was.
	s, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Project(); p.HeaderState != "same" || len(p.Warnings) != 0 {
		t.Errorf("from the original: HeaderState %q, Warnings %q; want same, none", p.HeaderState, p.Warnings)
	}
	// Also when the write converts a python-env-secrets file: the new
	// header names the original.
	putFile(t, cs.Path(), "# Python User Secrets\n# Project: "+orig+"\nAPI_KEY=canary-orig\n")
	if _, err := cs.Set("OTHER", "canary-copy"); err != nil {
		t.Fatal(err)
	}
	if got := headerDirOf(t, cs.Path()); got != orig {
		t.Errorf("after a write in the copy converted the file, the header names %q, want %q", got, orig)
	}
	// Init in the copy changes nothing, and warns too.
	is, created, err := Init(copyOpts)
	if err != nil || created || is.Project().HeaderState != "copied" || len(is.Project().Warnings) != 1 {
		t.Errorf("Init() in the copy = %+v, %v, %v; want the copy warned of", is.Project(), created, err)
	}
}

func TestStoreMovedProject(t *testing.T) {
	for _, python := range []bool{false, true} {
		name := "this project's file"
		if python {
			name = "python-env-secrets' file"
		}
		t.Run(name, func(t *testing.T) {
			base, opts := homeTree(t, "old")
			old, moved := filepath.Join(base, "old"), filepath.Join(base, "moved")
			putFile(t, filepath.Join(old, "go.mod"), "module m\n")
			s, _, err := Init(opts)
			if err != nil {
				t.Fatal(err)
			}
			if python {
				putFile(t, s.Path(), "# Python User Secrets\n# Project: "+old+"\nAPI_KEY=canary-1\n")
			} else if _, err := s.Set("API_KEY", "canary-1"); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(old, moved); err != nil {
				t.Fatal(err)
			}
			opts.WorkDir = moved
			ms, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			if p := ms.Project(); p.HeaderState != "moved" || p.HeaderDir != old || len(p.Warnings) != 0 {
				t.Errorf("HeaderState, HeaderDir, Warnings = %q, %q, %q; want moved, %q, none", p.HeaderState, p.HeaderDir, p.Warnings, old)
			}
			// A read changes nothing; a write that changes nothing either.
			before := fileText(t, ms.Path())
			if _, err := ms.All(); err != nil {
				t.Fatal(err)
			}
			if err := ms.Delete("MISSING"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Delete(MISSING) = %v", err)
			}
			if fileText(t, ms.Path()) != before {
				t.Fatalf("the secrets file changed without a write")
			}
			// A write records the new directory.
			if _, err := ms.Set("OTHER", "canary-2"); err != nil {
				t.Fatal(err)
			}
			if got := headerDirOf(t, ms.Path()); got != moved {
				t.Errorf("after a write, the header names %q, want %q:\n%s", got, moved, fileText(t, ms.Path()))
			}
			if m, err := ms.Map(); err != nil || m["API_KEY"] != "canary-1" || m["OTHER"] != "canary-2" {
				t.Errorf("secrets after the write: %v", err)
			}
			ms, err = Open(opts)
			if err != nil || ms.Project().HeaderState != "same" {
				t.Errorf("Open() after the write: HeaderState %q, %v; want same", ms.Project().HeaderState, err)
			}
		})
	}
}

func TestStoreHeaderNotActedOn(t *testing.T) {
	base, opts := homeTree(t, "p")
	dir := filepath.Join(base, "p")
	putFile(t, filepath.Join(dir, ".env"), "USER_SECRETS_ID="+fixtureID+"\n")
	path := filepath.Join(opts.Root, fixtureID, ".secrets")
	for _, tt := range []struct{ name, header, want string }{
		{"python's working directory", "# h\n# Project: .\n", "."},
		{"no project line", "# h\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tt.header+"A=1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			if p := s.Project(); p.HeaderState != "unknown" || len(p.Warnings) != 0 {
				t.Errorf("HeaderState, Warnings = %q, %q; want unknown, none", p.HeaderState, p.Warnings)
			}
			if _, err := s.Set("B", "2"); err != nil {
				t.Fatal(err)
			}
			if got, want := fileText(t, path), tt.header+"A=1\nB=2\n"; got != want {
				t.Errorf("after a write:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestStoreExplicitIDKeepsHeader(t *testing.T) {
	// An ID from --id or the environment says nothing of where the
	// project is: a write elsewhere does not claim the store.
	base, opts := homeTree(t, "orig")
	orig := filepath.Join(base, "orig")
	putFile(t, filepath.Join(orig, "go.mod"), "module m\n")
	s, _, err := Init(opts)
	if err != nil {
		t.Fatal(err)
	}
	other := opts
	other.WorkDir = filepath.Join(base, "elsewhere")
	if err := os.Mkdir(other.WorkDir, 0o755); err != nil {
		t.Fatal(err)
	}
	other.ID = s.ID()
	es, err := Open(other)
	if err != nil {
		t.Fatal(err)
	}
	if es.Project().HeaderState != "" {
		t.Errorf("HeaderState with --id = %q, want none", es.Project().HeaderState)
	}
	if _, err := es.Set("K", "v"); err != nil {
		t.Fatal(err)
	}
	if got := headerDirOf(t, s.Path()); got != orig {
		t.Errorf("after a write with --id elsewhere, the header names %q, want %q", got, orig)
	}
}
