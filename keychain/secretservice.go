//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keychain

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	dbus "github.com/godbus/dbus/v5"
)

// available reports ErrUnavailable when there is no D-Bus session bus to
// find the Secret Service on. go-keyring would otherwise have the D-Bus
// library start one (dbus-launch), with a keyring daemon that nobody can
// unlock, left running after this process.
func available() error {
	if !haveSessionBus(os.Getenv, exists, os.Getuid()) {
		return fmt.Errorf("%w (no D-Bus session bus, where the Secret Service would be: DBUS_SESSION_BUS_ADDRESS is not set): %s", ErrUnavailable, noKeychainFix)
	}
	return nil
}

// haveSessionBus reports whether the D-Bus library finds a session bus
// without starting one: DBUS_SESSION_BUS_ADDRESS names it, or the user's
// runtime directory holds its socket or its address.
func haveSessionBus(getenv func(string) string, exists func(string) bool, uid int) bool {
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	dir := "/run/user/" + strconv.Itoa(uid)
	return exists(dir+"/bus") || exists(dir+"/dbus-session")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// classifyPlatform sorts the Secret Service's errors: no such service on
// the bus (nothing provides it), and a collection that stays locked (its
// unlock prompt was dismissed, or could not be shown).
func classifyPlatform(err error) error {
	var de dbus.Error
	switch {
	case errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.ServiceUnknown":
		return fmt.Errorf("%w (no Secret Service on the D-Bus session bus: install and start one, such as GNOME Keyring or KeePassXC): %s", ErrUnavailable, noKeychainFix)
	case strings.HasPrefix(err.Error(), "failed to unlock"):
		// go-keyring's error when the unlock prompt gives nothing back.
		return fmt.Errorf("%w (the Secret Service did not unlock its collection)", ErrLocked)
	}
	return err
}
