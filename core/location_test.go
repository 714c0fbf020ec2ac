package core

import (
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// envMap returns a LookupEnv function over m, so tests never read the real
// environment.
func lookupIn(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// emptyEnv is an empty environment.
var emptyEnv = lookupIn(nil)

func TestStoreRoot(t *testing.T) {
	home := func(dir string) func() (string, error) {
		return func() (string, error) { return dir, nil }
	}
	noHome := func() (string, error) { return "", errors.New("$HOME is not defined") }
	cfg := func(dir string) func() (string, error) {
		return func() (string, error) { return dir, nil }
	}
	noCfg := func() (string, error) { return "", errors.New("%AppData% is not defined") }

	tests := []struct {
		name    string
		opts    Options
		want    string
		wantErr string // substring of the error; "" means no error
	}{
		{
			name: "linux home",
			opts: Options{GOOS: "linux", LookupEnv: emptyEnv, UserHomeDir: home("/home/ann")},
			want: "/home/ann/.python/usersecrets",
		},
		{
			name: "darwin home",
			opts: Options{GOOS: "darwin", LookupEnv: emptyEnv, UserHomeDir: home("/Users/ann")},
			want: "/Users/ann/.python/usersecrets",
		},
		{
			name: "freebsd home",
			opts: Options{GOOS: "freebsd", LookupEnv: emptyEnv, UserHomeDir: home("/usr/home/ann")},
			want: "/usr/home/ann/.python/usersecrets",
		},
		{
			name: "home trailing slash",
			opts: Options{GOOS: "linux", LookupEnv: emptyEnv, UserHomeDir: home("/home/ann/")},
			want: "/home/ann/.python/usersecrets",
		},
		{
			name:    "no home",
			opts:    Options{GOOS: "linux", LookupEnv: emptyEnv, UserHomeDir: noHome},
			wantErr: "$HOME is not defined",
		},
		{
			name:    "empty home",
			opts:    Options{GOOS: "linux", LookupEnv: emptyEnv, UserHomeDir: home("")},
			wantErr: "USER_SECRETS_DIR",
		},
		{
			name: "USER_SECRETS_DIR absolute",
			opts: Options{GOOS: "linux", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": "/srv/secrets/"}), UserHomeDir: noHome},
			want: "/srv/secrets",
		},
		{
			name:    "USER_SECRETS_DIR relative",
			opts:    Options{GOOS: "linux", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": "secrets"}), UserHomeDir: home("/home/ann")},
			wantErr: "$USER_SECRETS_DIR",
		},
		{
			name:    "USER_SECRETS_DIR dot-relative",
			opts:    Options{GOOS: "linux", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": "./s"}), UserHomeDir: home("/home/ann")},
			wantErr: "not an absolute path",
		},
		{
			name: "USER_SECRETS_DIR empty is unset",
			opts: Options{GOOS: "linux", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": ""}), UserHomeDir: home("/home/ann")},
			want: "/home/ann/.python/usersecrets",
		},
		{
			name: "USER_SECRETS_DIR beats APPDATA",
			opts: Options{GOOS: "windows", LookupEnv: lookupIn(map[string]string{
				"USER_SECRETS_DIR": `D:\secrets`, "APPDATA": `C:\Users\ann\AppData\Roaming`}), UserConfigDir: noCfg},
			want: `D:\secrets`,
		},
		{
			name:    "windows USER_SECRETS_DIR relative",
			opts:    Options{GOOS: "windows", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": `secrets\here`}), UserConfigDir: noCfg},
			wantErr: "$USER_SECRETS_DIR",
		},
		{
			name:    "windows USER_SECRETS_DIR drive-relative",
			opts:    Options{GOOS: "windows", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": `C:secrets`}), UserConfigDir: noCfg},
			wantErr: "$USER_SECRETS_DIR",
		},
		{
			name: "windows UNC USER_SECRETS_DIR",
			opts: Options{GOOS: "windows", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": `\\server\share\s`}), UserConfigDir: noCfg},
			want: `\\server\share\s`,
		},
		{
			name: "windows APPDATA set",
			opts: Options{GOOS: "windows", LookupEnv: lookupIn(map[string]string{"APPDATA": `C:\Users\ann\AppData\Roaming`}),
				UserConfigDir: cfg(`C:\elsewhere`), UserHomeDir: noHome},
			want: `C:\Users\ann\AppData\Roaming\Python\UserSecrets`,
		},
		{
			name: "windows APPDATA unset",
			opts: Options{GOOS: "windows", LookupEnv: emptyEnv, UserConfigDir: cfg(`C:\Users\ann\AppData\Roaming`), UserHomeDir: noHome},
			want: `C:\Users\ann\AppData\Roaming\Python\UserSecrets`,
		},
		{
			name: "windows APPDATA empty",
			opts: Options{GOOS: "windows", LookupEnv: lookupIn(map[string]string{"APPDATA": ""}), UserConfigDir: cfg(`C:\cfg`), UserHomeDir: noHome},
			want: `C:\cfg\Python\UserSecrets`,
		},
		{
			name:    "windows APPDATA unset and no config dir",
			opts:    Options{GOOS: "windows", LookupEnv: emptyEnv, UserConfigDir: noCfg},
			wantErr: "APPDATA",
		},
		{
			name: "windows ignores HOME",
			opts: Options{GOOS: "windows", LookupEnv: lookupIn(map[string]string{"APPDATA": `C:\r`, "HOME": "/home/ann"}), UserHomeDir: home("/home/ann")},
			want: `C:\r\Python\UserSecrets`,
		},
		{
			name: "Root option wins",
			opts: Options{GOOS: "linux", Root: "/opt/store", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": "/srv/secrets"}), UserHomeDir: noHome},
			want: "/opt/store",
		},
		{
			name:    "Root option relative",
			opts:    Options{GOOS: "linux", Root: "store", LookupEnv: emptyEnv, UserHomeDir: noHome},
			wantErr: "not an absolute path",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.opts.GOOS != "windows" {
				t.Skip("Unix paths are not absolute on Windows")
			}
			got, err := StoreRoot(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("StoreRoot() = %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("StoreRoot() error: %v", err)
			}
			if got != tt.want {
				t.Errorf("StoreRoot() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestStoreRootDefaults checks the default home lookup (os.UserHomeDir),
// with $HOME pointed at a temporary directory.
func TestStoreRootDefaults(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("the home directory is not $HOME here")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	got, err := StoreRoot(Options{LookupEnv: emptyEnv})
	if want := filepath.Join(home, ".python", "usersecrets"); err != nil || got != want {
		t.Errorf("StoreRoot() = %q, %v; want %q", got, err, want)
	}
	mustNotExist(t, filepath.Join(home, ".python"))
}

func TestProjectPaths(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	p := &Project{Root: root, ID: "0f8fad5b-d9cb-469f-a165-70867728950e"}
	if got, want := p.SecretsDir(), filepath.Join(root, p.ID); got != want {
		t.Errorf("SecretsDir() = %q, want %q", got, want)
	}
	if got, want := p.SecretsFile(), filepath.Join(root, p.ID, ".secrets"); got != want {
		t.Errorf("SecretsFile() = %q, want %q", got, want)
	}
	none := &Project{Root: root}
	if none.SecretsDir() != "" || none.SecretsFile() != "" {
		t.Errorf("a project without an ID has paths %q, %q; want none", none.SecretsDir(), none.SecretsFile())
	}
}
