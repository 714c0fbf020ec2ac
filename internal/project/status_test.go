package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// worktreeFiles lay out, by hand as git does, a repository main/ with a
// linked worktree wt/.
var worktreeFiles = map[string]string{
	"main/.git/HEAD":                   "ref: refs/heads/main\n",
	"main/.git/worktrees/wt/HEAD":      "ref: refs/heads/wt\n",
	"main/.git/worktrees/wt/gitdir":    "../../../../wt/.git\n",
	"main/.git/worktrees/wt/commondir": "../..\n",
	"wt/.git":                          "gitdir: ../main/.git/worktrees/wt\n",
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		header    string // relative to base, or as is when it starts with "="
		dir       string // this project, relative
		want      string
		wantOther string // relative
	}{
		{
			name:   "same path",
			files:  map[string]string{"p/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "p", dir: "p", want: Same,
		},
		{
			name:   "a directory inside the project (python's working directory)",
			files:  map[string]string{"p/.env": "USER_SECRETS_ID=" + id1 + "\n", "p/cmd/app/keep": ""},
			header: "p/cmd/app", dir: "p", want: Same,
		},
		{
			name:   "copied: the other project holds the same ID",
			files:  map[string]string{"orig/.env": "USER_SECRETS_ID=" + id1 + "\n", "copy/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "orig", dir: "copy", want: Copied, wantOther: "orig",
		},
		{
			name: "copied: IDs compare without case",
			files: map[string]string{
				"orig/.env": "USER_SECRETS_ID=" + strings.ToUpper(id1) + "\n", "copy/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "orig", dir: "copy", want: Copied, wantOther: "orig",
		},
		{
			name:   "moved: the directory is gone",
			files:  map[string]string{"new/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "old", dir: "new", want: Moved,
		},
		{
			name:   "moved: the directory holds another ID",
			files:  map[string]string{"old/.env": "USER_SECRETS_ID=" + id2 + "\n", "new/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "old", dir: "new", want: Moved,
		},
		{
			name:   "moved: the directory holds no ID",
			files:  map[string]string{"old/keep": "", "new/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "old", dir: "new", want: Moved,
		},
		{
			name:   "moved: a file where the directory was",
			files:  map[string]string{"old": "", "new/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "old", dir: "new", want: Moved,
		},
		{
			name:   "unknown: a relative directory",
			files:  map[string]string{"p/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "=.", dir: "p", want: Unknown,
		},
		{
			name:   "unknown: no directory",
			files:  map[string]string{"p/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "=", dir: "p", want: Unknown,
		},
		{
			name: "another worktree of the repository",
			files: merge(worktreeFiles, map[string]string{
				"main/.env": "USER_SECRETS_ID=" + id1 + "\n", "wt/.env": "USER_SECRETS_ID=" + id1 + "\n"}),
			header: "main", dir: "wt", want: Worktree, wantOther: "main",
		},
		{
			name: "a clone of the repository is a copy",
			files: map[string]string{
				"a/.git/HEAD": "x\n", "a/.env": "USER_SECRETS_ID=" + id1 + "\n",
				"b/.git/HEAD": "x\n", "b/.env": "USER_SECRETS_ID=" + id1 + "\n"},
			header: "a", dir: "b", want: Copied, wantOther: "a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			for rel, content := range tt.files {
				put(t, base, rel, content)
			}
			header := filepath.Join(base, filepath.FromSlash(tt.header))
			if h, ok := strings.CutPrefix(tt.header, "="); ok {
				header = h
			}
			dir := filepath.Join(base, filepath.FromSlash(tt.dir))
			state, other := Compare(header, dir, id1, NewHome(mkdir(t, base, "home")))
			wantOther := ""
			if tt.wantOther != "" {
				wantOther = filepath.Join(base, filepath.FromSlash(tt.wantOther))
			}
			if state != tt.want || other != wantOther {
				t.Errorf("Compare(%q, %q) = %q, %q; want %q, %q", header, dir, state, other, tt.want, wantOther)
			}
		})
	}
}

func TestCompareThroughLink(t *testing.T) {
	base := t.TempDir()
	put(t, base, "p/.env", "USER_SECRETS_ID="+id1+"\n")
	link := filepath.Join(base, "link")
	if err := os.Symlink(filepath.Join(base, "p"), link); err != nil {
		t.Skipf("cannot create a symlink: %v", err)
	}
	// The header names the project by another path: the roots are one.
	if state, _ := Compare(link, filepath.Join(base, "p"), id1, nil); state != Same {
		t.Errorf("Compare(link, p) = %q, want %q", state, Same)
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		header     string // relative to base, or as is after "="
		want       string
		wantReason string // a part of the reason; $BASE is base
	}{
		{"ok", map[string]string{"p/.env": "USER_SECRETS_ID=" + id1 + "\n"}, "p", OK, "$BASE/p/.env holds this USER_SECRETS_ID"},
		{"ok from a directory inside", map[string]string{"p/.env": "USER_SECRETS_ID=" + id1 + "\n", "p/sub/keep": ""}, "p/sub", OK, "$BASE/p/.env"},
		{"gone: no directory", nil, "deleted", Gone, "does not exist"},
		{"gone: another ID", map[string]string{"p/.env": "USER_SECRETS_ID=" + id2 + "\n"}, "p", Gone, "$BASE/p/.env holds another USER_SECRETS_ID"},
		{"gone: a file", map[string]string{"p": ""}, "p", Gone, "not a directory"},
		{"unknown: relative", nil, "=.", Unknown, `the header names ".", not an absolute directory`},
		{"unknown: none", nil, "=", Unknown, "names no project directory"},
		{"unknown: no ID in the project", map[string]string{"p/.git/HEAD": "x\n", "p/sub/keep": ""}, "p/sub", Unknown,
			"its project defines no USER_SECRETS_ID, up to the repository root $BASE/p"},
		{"unknown: the home directory's .env is not read", map[string]string{"home/.env": "USER_SECRETS_ID=" + id1 + "\n"}, "home", Unknown,
			"defines no USER_SECRETS_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			for rel, content := range tt.files {
				put(t, base, rel, content)
			}
			header := filepath.Join(base, filepath.FromSlash(tt.header))
			if h, ok := strings.CutPrefix(tt.header, "="); ok {
				header = h
			}
			status, reason := Status(header, id1, NewHome(mkdir(t, base, "home")))
			wantReason := filepath.FromSlash(strings.ReplaceAll(tt.wantReason, "$BASE", filepath.ToSlash(base)))
			if status != tt.want || !strings.Contains(reason, wantReason) {
				t.Errorf("Status(%q) = %q, %q; want %q, with %q", header, status, reason, tt.want, wantReason)
			}
		})
	}
}

func TestMainWorktree(t *testing.T) {
	base := t.TempDir()
	for rel, content := range worktreeFiles {
		put(t, base, rel, content)
	}
	put(t, base, "sub/.git", "gitdir: ../main/.git/modules/sub\n") // a submodule: no commondir
	mkdir(t, base, "main/.git/modules/sub")
	put(t, base, "main/svc/.env", "USER_SECRETS_ID="+id1+"\n")
	mkdir(t, base, "wt/svc/x")

	main, ok := MainWorktree(filepath.Join(base, "wt"))
	if want := filepath.Join(base, "main"); !ok || main != want {
		t.Errorf("MainWorktree(wt) = %q, %v; want %q", main, ok, want)
	}
	for _, d := range []string{"main", "sub", "nothing"} {
		if main, ok := MainWorktree(filepath.Join(base, d)); ok {
			t.Errorf("MainWorktree(%s) = %q, want none", d, main)
		}
	}

	// A search in the worktree that found nothing: the main worktree's
	// .env at the same place is named.
	s, err := Find(filepath.Join(base, "wt", "svc", "x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	main, env := MainWorktreeEnv(s)
	if main != filepath.Join(base, "main") || env != filepath.Join(base, "main", "svc", ".env") {
		t.Errorf("MainWorktreeEnv() = %q, %q; want main and main/svc/.env", main, env)
	}
	if !SameRepository(filepath.Join(base, "wt", "svc"), filepath.Join(base, "main", "svc"), nil) {
		t.Errorf("SameRepository(wt/svc, main/svc) = false")
	}
	if SameRepository(filepath.Join(base, "wt"), filepath.Join(base, "sub"), nil) {
		t.Errorf("SameRepository(wt, sub) = true")
	}

	// Once the worktree has an ID of its own, no hint.
	put(t, base, "wt/svc/.env", "USER_SECRETS_ID="+id2+"\n")
	if s, err = Find(filepath.Join(base, "wt", "svc", "x"), nil); err != nil {
		t.Fatal(err)
	}
	if main, env := MainWorktreeEnv(s); main != "" || env != "" {
		t.Errorf("MainWorktreeEnv() with an ID = %q, %q; want none", main, env)
	}
}
