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
