package core

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// Environment variables this package reads.
const (
	// EnvID names the variable that holds a project's ID, in the process
	// environment or in the project's .env file.
	EnvID = "USER_SECRETS_ID"
	// EnvKey names the variable that holds an encrypted store's key, in
	// FormatKey's text form. When set, it wins over Options.Keys.
	EnvKey = "USER_SECRETS_KEY"
	// envDir names the variable that overrides the store root. It must hold
	// an absolute path.
	envDir = "USER_SECRETS_DIR"
)

// secretsFileName is the name of the file that holds a project's secrets,
// inside the store directory named after its ID.
const secretsFileName = ".secrets"

// Options says where to look for a project and its store. The zero value
// means: the real environment, the working directory and the user's home.
// Tests set every field so they never touch the real ones.
type Options struct {
	// ProjectDir is the project directory. When set, only ProjectDir/.env is
	// read for the ID, and Init writes there.
	ProjectDir string
	// ID is an explicit ID; it wins over the environment and .env.
	ID string
	// Root overrides the store root (otherwise $USER_SECRETS_DIR, then the
	// per-OS default).
	Root string
	// LookupEnv reads the environment; nil means os.LookupEnv.
	LookupEnv func(key string) (string, bool)
	// WorkDir is the working directory the .env search starts from; empty
	// means os.Getwd.
	WorkDir string
	// Keys is where an encrypted store's key comes from when
	// $USER_SECRETS_KEY (read through LookupEnv) is not set; nil means that
	// variable only. For the OS keychain, set it to keychain.New() (package
	// keychain of this module). A store that is not encrypted never asks.
	Keys KeySource
	// goos selects the per-OS store root; empty means runtime.GOOS.
	goos string
	// userHomeDir returns the home directory; nil means os.UserHomeDir.
	userHomeDir func() (string, error)
	// userConfigDir returns the roaming config directory, used on Windows
	// when APPDATA is unset; nil means os.UserConfigDir.
	userConfigDir func() (string, error)
	// LockTimeout bounds the wait for another writer's lock; zero means a
	// minute. The wait is the kernel's, woken as soon as the lock is free,
	// so only a stuck holder makes a writer wait that long.
	LockTimeout time.Duration
}

func (o *Options) lookupEnv(key string) (string, bool) {
	if o.LookupEnv != nil {
		return o.LookupEnv(key)
	}
	return os.LookupEnv(key)
}

func (o *Options) workDir() (string, error) {
	if o.WorkDir != "" {
		return filepath.Abs(o.WorkDir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	return wd, nil
}

func (o *Options) lockTimeout() time.Duration {
	if o.LockTimeout > 0 {
		return o.LockTimeout
	}
	return fsutil.DefaultLockTimeout
}

// StoreRoot returns the directory that holds every project's store:
//
//  1. Options.Root, else $USER_SECRETS_DIR;
//  2. on Windows, %APPDATA%\Python\UserSecrets (if APPDATA is unset, the
//     user's roaming config directory);
//  3. elsewhere, $HOME/.python/usersecrets.
//
// Each must be an absolute path, or StoreRoot returns an error naming it.
//
// These are the locations python-env-secrets uses, so both tools share one
// store. StoreRoot creates nothing.
func StoreRoot(opts Options) (string, error) {
	if opts.Root != "" {
		if !filepath.IsAbs(opts.Root) {
			return "", fmt.Errorf("store root %q is not an absolute path", opts.Root)
		}
		return filepath.Clean(opts.Root), nil
	}
	if dir, ok := opts.lookupEnv(envDir); ok && dir != "" {
		if !isAbs(dir, opts.targetOS()) {
			return "", fmt.Errorf("$%s=%q is not an absolute path", envDir, dir)
		}
		return filepath.Clean(dir), nil
	}
	if opts.targetOS() == "windows" {
		appData, ok := opts.lookupEnv("APPDATA")
		if !ok || appData == "" {
			cfg := opts.userConfigDir
			if cfg == nil {
				cfg = os.UserConfigDir
			}
			var err error
			if appData, err = cfg(); err != nil {
				return "", fmt.Errorf("locate the store: %%APPDATA%% is unset and %w", err)
			}
		}
		if !isAbs(appData, opts.targetOS()) {
			return "", fmt.Errorf("locate the store: %%APPDATA%%=%q is not an absolute path", appData)
		}
		return joinOS(opts.targetOS(), appData, "Python", "UserSecrets"), nil
	}
	home := opts.userHomeDir
	if home == nil {
		home = os.UserHomeDir
	}
	dir, err := home()
	if err != nil {
		return "", fmt.Errorf("locate the store: %w", err)
	}
	if dir == "" {
		return "", fmt.Errorf("locate the store: home directory is unknown (set $HOME or $%s)", envDir)
	}
	if !isAbs(dir, opts.targetOS()) {
		// A relative $HOME would put the store wherever the command runs,
		// inside the project tree even.
		return "", fmt.Errorf("locate the store: the home directory $HOME=%q is not an absolute path", dir)
	}
	return joinOS(opts.targetOS(), dir, ".python", "usersecrets"), nil
}

func (o *Options) targetOS() string {
	if o.goos != "" {
		return o.goos
	}
	return runtime.GOOS
}

// isAbs judges a path for the target OS, so the Windows branch can be tested
// anywhere.
func isAbs(p, goos string) bool {
	if goos == runtime.GOOS {
		return filepath.IsAbs(p)
	}
	if goos == "windows" {
		return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || len(p) >= 2 && p[0] == '\\' && p[1] == '\\'
	}
	return len(p) > 0 && p[0] == '/'
}

// joinOS joins path elements with the target OS's separator.
func joinOS(goos string, elem ...string) string {
	if goos == runtime.GOOS {
		return filepath.Join(elem...)
	}
	sep := "/"
	if goos == "windows" {
		sep = `\`
	}
	out := elem[0]
	for _, e := range elem[1:] {
		if len(out) > 0 && (out[len(out)-1] == '/' || out[len(out)-1] == '\\') {
			out += e
		} else {
			out += sep + e
		}
	}
	return out
}
