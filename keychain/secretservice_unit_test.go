//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keychain

import (
	"errors"
	"strings"
	"testing"

	dbus "github.com/godbus/dbus/v5"
)

func TestHaveSessionBus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		address string
		files   []string
		want    bool
	}{
		{name: "address", address: "unix:path=/tmp/bus", want: true},
		{name: "nothing", want: false},
		{name: "autolaunch only", address: "autolaunch:", want: false},
		{name: "runtime socket", files: []string{"/run/user/1000/bus"}, want: true},
		{name: "runtime address file", files: []string{"/run/user/1000/dbus-session"}, want: true},
		{name: "another user's socket", files: []string{"/run/user/1001/bus"}, want: false},
	}
	for _, tt := range tests {
		getenv := func(k string) string {
			if k == "DBUS_SESSION_BUS_ADDRESS" {
				return tt.address
			}
			return ""
		}
		exists := func(p string) bool {
			for _, f := range tt.files {
				if f == p {
					return true
				}
			}
			return false
		}
		if got := haveSessionBus(getenv, exists, 1000); got != tt.want {
			t.Errorf("%s: haveSessionBus = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestClassifySecretService(t *testing.T) {
	t.Parallel()
	unknown := dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}
	if err := classify(unknown); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "USER_SECRETS_KEY") {
		t.Errorf("classify(ServiceUnknown) = %v, want ErrUnavailable saying what to do", err)
	}
	locked := errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'")
	if err := classify(locked); !errors.Is(err, ErrLocked) {
		t.Errorf("classify(%v) = %v, want ErrLocked", locked, err)
	}
	other := dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply"}
	if err := classify(other); errors.Is(err, ErrLocked) || errors.Is(err, ErrUnavailable) {
		t.Errorf("classify(NoReply) = %v, want it as it is", err)
	}
}
