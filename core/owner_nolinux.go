//go:build unix && !linux

package core

// noUnixPermissions reports whether path is on a filesystem without Unix
// permissions. It is known only on Linux; elsewhere such a store is refused
// like any other that looks shared.
func noUnixPermissions(string) (string, bool) { return "", false }
