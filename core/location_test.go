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
			opts: Options{goos: "linux", LookupEnv: emptyEnv, userHomeDir: home("/home/ann")},
			want: "/home/ann/.python/usersecrets",
		},
		{
			name: "darwin home",
			opts: Options{goos: "darwin", LookupEnv: emptyEnv, userHomeDir: home("/Users/ann")},
			want: "/Users/ann/.python/usersecrets",
		},
		{
			name: "freebsd home",
			opts: Options{goos: "freebsd", LookupEnv: emptyEnv, userHomeDir: home("/usr/home/ann")},
			want: "/usr/home/ann/.python/usersecrets",
		},
		{
			name: "home trailing slash",
			opts: Options{goos: "linux", LookupEnv: emptyEnv, userHomeDir: home("/home/ann/")},
			want: "/home/ann/.python/usersecrets",
		},
		{
			name:    "no home",
			opts:    Options{goos: "linux", LookupEnv: emptyEnv, userHomeDir: noHome},
			wantErr: "$HOME is not defined",
		},
		{
			name:    "relative home",
			opts:    Options{goos: "linux", LookupEnv: emptyEnv, userHomeDir: home(".")},
			wantErr: `$HOME="." is not an absolute path`,
		},
		{
			name:    "relative APPDATA",
			opts:    Options{goos: "windows", LookupEnv: lookupIn(map[string]string{"APPDATA": `AppData\Roaming`}), userConfigDir: noCfg},
			wantErr: `%APPDATA%="AppData\\Roaming" is not an absolute path`,
		},
		{
			name:    "empty home",
			opts:    Options{goos: "linux", LookupEnv: emptyEnv, userHomeDir: home("")},
			wantErr: "USER_SECRETS_DIR",
		},
		{
			name: "USER_SECRETS_DIR absolute",
			opts: Options{goos: "linux", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": "/srv/secrets/"}), userHomeDir: noHome},
			want: "/srv/secrets",
		},
		{
			name:    "USER_SECRETS_DIR relative",
			opts:    Options{goos: "linux", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": "secrets"}), userHomeDir: home("/home/ann")},
			wantErr: "$USER_SECRETS_DIR",
		},
		{
			name:    "USER_SECRETS_DIR dot-relative",
			opts:    Options{goos: "linux", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": "./s"}), userHomeDir: home("/home/ann")},
			wantErr: "not an absolute path",
		},
		{
			name: "USER_SECRETS_DIR empty is unset",
			opts: Options{goos: "linux", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": ""}), userHomeDir: home("/home/ann")},
			want: "/home/ann/.python/usersecrets",
		},
		{
			name: "USER_SECRETS_DIR beats APPDATA",
			opts: Options{goos: "windows", LookupEnv: lookupIn(map[string]string{
				"USER_SECRETS_DIR": `D:\secrets`, "APPDATA": `C:\Users\ann\AppData\Roaming`}), userConfigDir: noCfg},
			want: `D:\secrets`,
		},
		{
			name:    "windows USER_SECRETS_DIR relative",
			opts:    Options{goos: "windows", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": `secrets\here`}), userConfigDir: noCfg},
			wantErr: "$USER_SECRETS_DIR",
		},
		{
			name:    "windows USER_SECRETS_DIR drive-relative",
			opts:    Options{goos: "windows", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": `C:secrets`}), userConfigDir: noCfg},
			wantErr: "$USER_SECRETS_DIR",
		},
		{
			name: "windows UNC USER_SECRETS_DIR",
			opts: Options{goos: "windows", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": `\\server\share\s`}), userConfigDir: noCfg},
			want: `\\server\share\s`,
		},
		{
			name: "windows APPDATA set",
			opts: Options{goos: "windows", LookupEnv: lookupIn(map[string]string{"APPDATA": `C:\Users\ann\AppData\Roaming`}),
				userConfigDir: cfg(`C:\elsewhere`), userHomeDir: noHome},
			want: `C:\Users\ann\AppData\Roaming\Python\UserSecrets`,
		},
		{
			name: "windows APPDATA unset",
			opts: Options{goos: "windows", LookupEnv: emptyEnv, userConfigDir: cfg(`C:\Users\ann\AppData\Roaming`), userHomeDir: noHome},
			want: `C:\Users\ann\AppData\Roaming\Python\UserSecrets`,
		},
		{
			name: "windows APPDATA empty",
			opts: Options{goos: "windows", LookupEnv: lookupIn(map[string]string{"APPDATA": ""}), userConfigDir: cfg(`C:\cfg`), userHomeDir: noHome},
			want: `C:\cfg\Python\UserSecrets`,
		},
		{
			name:    "windows APPDATA unset and no config dir",
			opts:    Options{goos: "windows", LookupEnv: emptyEnv, userConfigDir: noCfg},
			wantErr: "APPDATA",
		},
		{
			name: "windows ignores HOME",
			opts: Options{goos: "windows", LookupEnv: lookupIn(map[string]string{"APPDATA": `C:\r`, "HOME": "/home/ann"}), userHomeDir: home("/home/ann")},
			want: `C:\r\Python\UserSecrets`,
		},
		{
			name: "Root option wins",
			opts: Options{goos: "linux", Root: "/opt/store", LookupEnv: lookupIn(map[string]string{"USER_SECRETS_DIR": "/srv/secrets"}), userHomeDir: noHome},
			want: "/opt/store",
		},
		{
			name:    "Root option relative",
			opts:    Options{goos: "linux", Root: "store", LookupEnv: emptyEnv, userHomeDir: noHome},
			wantErr: "not an absolute path",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.opts.goos != "windows" {
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
