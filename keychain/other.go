//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keychain

// available is nil: the macOS Keychain and the Windows Credential Manager
// are always there to ask.
func available() error { return nil }

// classifyPlatform leaves the errors of /usr/bin/security and of the
// Credential Manager as they are.
func classifyPlatform(err error) error { return err }
