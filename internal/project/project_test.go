package project

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/internal/testguard"
)

func TestMain(m *testing.M) { os.Exit(testguard.Wrap(m).Run()) }

// IDs used by the tests.
const (
	id1 = "0f8fad5b-d9cb-469f-a165-70867728950e"
	id2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
)

// put writes content to base/rel (slash-separated), creating its parents.
func put(t *testing.T, base, rel, content string) string {
	t.Helper()
	path := filepath.Join(base, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mkdir creates base/rel and returns it.
func mkdir(t *testing.T, base, rel string) string {
	t.Helper()
	dir := filepath.Join(base, filepath.FromSlash(rel))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// envs returns the .env paths of dirs (relative to base).
func envs(base string, dirs ...string) []string {
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Join(base, filepath.FromSlash(d), ".env"))
	}
	return out
}

func TestFind(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string // relative to base
		start      string            // relative to base
		wantDir    string            // relative; "" for no ID
		wantLooked []string          // directories, relative
		wantStop   string            // relative
		wantReason string
		wantHome   bool // HomeEnv is home/.env
	}{
		{
			name:       "nearest .env that defines the ID",
			files:      map[string]string{"p/.env": "USER_SECRETS_ID=" + id1 + "\n", "p/a/.env": "DEBUG=1\n", "p/a/b/keep": ""},
			start:      "p/a/b",
			wantDir:    "p",
			wantLooked: []string{"p/a/b", "p/a", "p"},
			wantStop:   "p", wantReason: StopFound,
		},
		{
			name:       "stops at the repository root",
			files:      map[string]string{".env": "USER_SECRETS_ID=" + id1 + "\n", "repo/.git/HEAD": "x\n", "repo/sub/keep": ""},
			start:      "repo/sub",
			wantLooked: []string{"repo/sub", "repo"},
			wantStop:   "repo", wantReason: StopRepo,
		},
		{
			name:       "a .git file is a repository root too",
			files:      map[string]string{".env": "USER_SECRETS_ID=" + id1 + "\n", "wt/.git": "gitdir: ../x\n", "wt/sub/keep": ""},
			start:      "wt/sub",
			wantLooked: []string{"wt/sub", "wt"},
			wantStop:   "wt", wantReason: StopRepo,
		},
		{
			name:       "the repository root's own .env is read",
			files:      map[string]string{"mono/.git/HEAD": "x\n", "mono/.env": "USER_SECRETS_ID=" + id1 + "\n", "mono/svc/go.mod": "module m\n"},
			start:      "mono/svc",
			wantDir:    "mono",
			wantLooked: []string{"mono/svc", "mono"},
			wantStop:   "mono", wantReason: StopFound,
		},
		{
			name:       "stops at the home directory, whose .env is not used",
			files:      map[string]string{"home/.env": "USER_SECRETS_ID=" + id1 + "\n", "home/work/app/go.mod": "module m\n"},
			start:      "home/work/app",
			wantLooked: []string{"home/work/app", "home/work"},
			wantStop:   "home", wantReason: StopHome,
			wantHome: true,
		},
		{
			name:       "from the home directory itself",
			files:      map[string]string{"home/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			start:      "home",
			wantLooked: nil,
			wantStop:   "home", wantReason: StopHome,
			wantHome: true,
		},
		{
			name:       "a home .env without the ID is not mentioned",
			files:      map[string]string{"home/.env": "DEBUG=1\n", "home/app/keep": ""},
			start:      "home/app",
			wantLooked: []string{"home/app"},
			wantStop:   "home", wantReason: StopHome,
		},
		{
			name:       "a .env directory (a virtualenv) is passed over",
			files:      map[string]string{"p/.git/HEAD": "x\n", "p/.env/bin/python": "", "p/sub/keep": ""},
			start:      "p/sub",
			wantLooked: []string{"p/sub", "p"},
			wantStop:   "p", wantReason: StopRepo,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			for rel, content := range tt.files {
				put(t, base, rel, content)
			}
			home := NewHome(mkdir(t, base, "home"))
			s, err := Find(filepath.Join(base, filepath.FromSlash(tt.start)), home)
			if err != nil {
				t.Fatal(err)
			}
			wantDir := ""
			if tt.wantDir != "" {
				wantDir = filepath.Join(base, filepath.FromSlash(tt.wantDir))
				if s.ID != id1 || s.EnvFile != filepath.Join(wantDir, ".env") || s.Line != 1 {
					t.Errorf("Find() ID, EnvFile, Line = %q, %q, %d; want %q from %s/.env:1", s.ID, s.EnvFile, s.Line, id1, wantDir)
				}
			} else if s.ID != "" {
				t.Errorf("Find() ID = %q from %s, want none", s.ID, s.EnvFile)
			}
			if s.Dir != wantDir {
				t.Errorf("Find() Dir = %q, want %q", s.Dir, wantDir)
			}
			if want := envs(base, tt.wantLooked...); !slices.Equal(s.Looked, want) {
				t.Errorf("Find() Looked = %q, want %q", s.Looked, want)
			}
			if want := filepath.Join(base, filepath.FromSlash(tt.wantStop)); s.Stop != want || s.StopReason != tt.wantReason {
				t.Errorf("Find() stopped at %q (%s), want %q (%s)", s.Stop, s.StopReason, want, tt.wantReason)
			}
			wantHome := ""
			if tt.wantHome {
				wantHome = filepath.Join(base, "home", ".env")
			}
			if s.HomeEnv != wantHome {
				t.Errorf("Find() HomeEnv = %q, want %q", s.HomeEnv, wantHome)
			}
		})
	}
}

func TestFindStopsAtFilesystemRoot(t *testing.T) {
	root := filepath.VolumeName(os.TempDir()) + string(filepath.Separator)
	s, err := Find(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.StopReason != StopRoot || s.Stop != root || len(s.Looked) != 0 || s.ID != "" {
		t.Errorf("Find(%q) = %+v, want a stop at the root, nothing read", root, s)
	}
}

func TestFindHomeBySameFile(t *testing.T) {
	base := t.TempDir()
	home := mkdir(t, base, "home")
	put(t, base, "home/app/keep", "")
	link := filepath.Join(base, "link")
	if err := os.Symlink(home, link); err != nil {
		t.Skipf("cannot create a symlink: %v", err)
	}
	// Reached through another path, the home directory is still home.
	s, err := Find(filepath.Join(link, "app"), NewHome(home))
	if err != nil {
		t.Fatal(err)
	}
	if s.StopReason != StopHome || s.Stop != link {
		t.Errorf("Find(link/app) stopped at %q (%s), want %q (home directory)", s.Stop, s.StopReason, link)
	}
}

func TestFindTooLargeEnv(t *testing.T) {
	base := t.TempDir()
	path := put(t, base, "p/.env", "")
	if err := os.Truncate(path, 65<<20); err != nil { // sparse
		t.Skipf("cannot make a large file: %v", err)
	}
	if _, err := Find(filepath.Join(base, "p"), nil); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Find() error = %v, want one naming %s", err, path)
	}
}

func TestNewHome(t *testing.T) {
	dir := t.TempDir()
	file := put(t, dir, "f", "")
	for _, p := range []string{"", "relative/home", filepath.Join(dir, "missing"), file} {
		if h := NewHome(p); h != nil {
			t.Errorf("NewHome(%q) = %v, want nil", p, h)
		}
	}
	if h := NewHome(dir); h.Path() != dir {
		t.Errorf("NewHome(%q).Path() = %q", dir, h.Path())
	}
	var none *Home
	if none.Path() != "" || none.Reserved(dir) != "" {
		t.Errorf("a nil Home reserves %q", dir)
	}
}

func TestInitDir(t *testing.T) {
	tests := []struct {
		name         string
		files        []string // relative to base
		wd           string
		want         string
		wantReserved string
	}{
		{"go.mod ancestor", []string{"home/p/go.mod"}, "home/p/a/b", "home/p", ""},
		{".git ancestor", []string{"home/p/.git/HEAD"}, "home/p/a", "home/p", ""},
		{"nearest marker wins", []string{"home/p/.git/HEAD", "home/p/svc/go.mod"}, "home/p/svc/x", "home/p/svc", ""},
		{"no marker: the working directory", nil, "home/p/a", "home/p/a", ""},
		{"a marker in the home directory does not count", []string{"home/.git/HEAD", "home/go.mod"}, "home/p/a", "home/p/a", ""},
		{"the home directory itself", []string{"home/go.mod"}, "home", "home", StopHome},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			for _, f := range tt.files {
				put(t, base, f, "x\n")
			}
			wd := mkdir(t, base, tt.wd)
			dir, reserved := InitDir(wd, NewHome(filepath.Join(base, "home")))
			if want := filepath.Join(base, filepath.FromSlash(tt.want)); dir != want || reserved != tt.wantReserved {
				t.Errorf("InitDir(%s) = %q, %q; want %q, %q", tt.wd, dir, reserved, want, tt.wantReserved)
			}
		})
	}
	root := filepath.VolumeName(os.TempDir()) + string(filepath.Separator)
	if dir, reserved := InitDir(root, nil); dir != root || reserved != StopRoot {
		t.Errorf("InitDir(%q) = %q, %q; want the root, reserved", root, dir, reserved)
	}
}
