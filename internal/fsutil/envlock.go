package fsutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// envLocksDir is the directory, in a store root, of the locks of .env files.
const envLocksDir = ".env-locks"

// LockEnv takes the lock that serialises rewrites of the .env file at
// envFile (init and import --move, in any process), and returns the
// function that releases it. The lock file is EnvLockPath(root, envFile),
// in the store root, so that nothing is added to the project's tree; its
// directory is created (0700) if needed.
//
// The error is that of creating the directory, or Lock's: one wrapping
// ErrLockTimeout when another holder kept the lock past timeout.
func LockEnv(root, envFile string, timeout time.Duration) (unlock func(), err error) {
	path := EnvLockPath(root, envFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the directory of .env locks: %w", err)
	}
	return Lock(path, timeout)
}

// EnvLockPath returns the lock file of the .env file at envFile:
// <root>/.env-locks/<hex SHA-256 of the file's absolute path>.lock. The
// path hashed is that of the file a rewrite replaces, with symbolic links
// followed (of the file, as WriteAtomic follows them, and of its
// directory), so that every name of one .env leads to one lock. Where a
// link cannot be read, the path is taken as it is.
func EnvLockPath(root, envFile string) string {
	path := envFile
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if target, err := ResolveLink(path); err == nil {
		path = target
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		path = filepath.Join(dir, filepath.Base(path))
	}
	sum := sha256.Sum256([]byte(filepath.Clean(path)))
	return filepath.Join(root, envLocksDir, hex.EncodeToString(sum[:])+".lock")
}
