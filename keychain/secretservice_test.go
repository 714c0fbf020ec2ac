//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keychain

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
)

// The tests against a real Secret Service run in one of their own: the
// test binary runs itself again under dbus-run-session and
// testdata/session.sh, with HOME and the XDG directories in a temporary
// directory, and with sessionEnv naming the scenario. Only then do the
// tests below it talk to the system keychain, which is then that private
// session's GNOME Keyring, never the machine's.
const (
	sessionEnv = "USER_SECRETS_KEYCHAIN_SESSION"
	// requireEnv, set to 1 (as CI does), makes missing tools a failure.
	requireEnv = "USER_SECRETS_REQUIRE_KEYCHAIN"
)

// TestSecretService runs the Test*InSession tests, each in a private
// Secret Service session.
func TestSecretService(t *testing.T) {
	if os.Getenv(sessionEnv) != "" {
		t.Skip("inside a private session already")
	}
	for _, tool := range []string{"dbus-run-session", "dbus-send", "gnome-keyring-daemon", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := "the Secret Service tests need " + tool + " (Debian: apt-get install gnome-keyring dbus-x11 libsecret-tools)"
			if os.Getenv(requireEnv) == "1" {
				t.Fatalf("%s, and %s=1 requires them", msg, requireEnv)
			}
			t.Skip(msg)
		}
	}
	tests := []struct{ session, test string }{
		{"unlocked", "TestUnlockedInSession"},
		{"locked", "TestLockedInSession"},
		{"no-service", "TestNoServiceInSession"},
	}
	for _, tt := range tests {
		t.Run(tt.session, func(t *testing.T) {
			t.Parallel()
			out, err := inSession(t, tt.session, "-test.run=^"+tt.test+"$", "-test.v", "-test.count=1")
			if err != nil || !strings.Contains(string(out), "--- PASS: "+tt.test) {
				t.Fatalf("%s in a %s session: %v\n%s", tt.test, tt.session, err, out)
			}
		})
	}
}

// inSession runs the test binary with args in a private D-Bus session with
// the Secret Service of the named scenario (see testdata/session.sh), and
// returns its combined output.
func inSession(t *testing.T, session string, args ...string) ([]byte, error) {
	t.Helper()
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	runtime := filepath.Join(dir, "run")
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + filepath.Join(dir, "home"),
		"XDG_RUNTIME_DIR=" + runtime,
		"XDG_DATA_HOME=" + filepath.Join(dir, "home", ".local", "share"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "home", ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "home", ".cache"),
	}
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "PATH", "TMPDIR", "GOCOVERDIR":
			env = append(env, kv)
		}
		// Nothing else: no DBUS_SESSION_BUS_ADDRESS of the machine's
		// session, and no DISPLAY or WAYLAND_DISPLAY for a prompt to
		// show on.
	}
	cmd := exec.Command("dbus-run-session", append([]string{
		"--config-file=" + filepath.Join(testdata, "session.conf"), "--",
		"sh", filepath.Join(testdata, "session.sh"), session, os.Args[0],
	}, args...)...)
	cmd.Env = env
	cmd.Dir = dir
	// A process of the session that outlives it and holds the output
	// open must not hang the test.
	cmd.WaitDelay = 10 * time.Second
	return cmd.CombinedOutput()
}

// requireSession skips a test unless it runs in a private session of the
// named scenario.
func requireSession(t testing.TB, session string) {
	t.Helper()
	if os.Getenv(sessionEnv) != session {
		t.Skipf("runs only in a private %s Secret Service session (TestSecretService starts one)", session)
	}
}

// lookup is secret-tool's view of the entry for id: the Secret Service
// itself, not go-keyring. It returns "" and false when there is none.
func lookup(t *testing.T, id string) (string, bool) {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", Service, "username", id).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && len(out) == 0 {
		return "", false
	}
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	return string(out), true
}

const sessionID = "5f0c2a4e-1d3b-4c5a-8e6f-7a8b9c0d1e2f"

func TestUnlockedInSession(t *testing.T) {
	requireSession(t, "unlocked")
	k := New()
	key := testKey(t)

	_, err := k.Key(sessionID)
	if !errors.Is(err, core.ErrNoKey) {
		t.Fatalf("Key before SetKey: %v, want core.ErrNoKey", err)
	}
	if err := k.SetKey(sessionID, key); err != nil {
		t.Fatalf("SetKey: %v", err)
	}
	if got, ok := lookup(t, sessionID); !ok || got != core.FormatKey(key) {
		t.Fatalf("secret-tool lookup service %s username %s: found %v, and not the stored key's text", Service, sessionID, ok)
	}
	got, err := k.Key(sessionID)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("Key: %v, and not the stored key", err)
	}

	key2 := testKey(t)
	if err := k.SetKey(strings.ToUpper(sessionID), key2); err != nil {
		t.Fatalf("SetKey (replace): %v", err)
	}
	if got, _ := lookup(t, sessionID); got != core.FormatKey(key2) {
		t.Fatalf("after SetKey of a new key, secret-tool does not find it")
	}
	out, err := exec.Command("secret-tool", "search", "--all", "service", Service).CombinedOutput()
	if err != nil {
		t.Fatalf("secret-tool search: %v", err)
	}
	if n := strings.Count(string(out), "attribute.username = "); n != 1 {
		t.Errorf("the Secret Service holds %d entries for service %s, want 1", n, Service)
	}

	if err := k.DeleteKey(sessionID); err != nil {
		t.Fatalf("DeleteKey: %v", err)
	}
	if _, ok := lookup(t, sessionID); ok {
		t.Fatal("secret-tool still finds the entry after DeleteKey")
	}
	_, err = k.Key(sessionID)
	if !errors.Is(err, core.ErrNoKey) || !strings.Contains(err.Error(), sessionID) {
		t.Fatalf("Key after DeleteKey: %v, want core.ErrNoKey naming the store", err)
	}
	noCanary(t, err, key2)
	if err := k.DeleteKey(sessionID); err != nil {
		t.Fatalf("DeleteKey of no key: %v, want nil", err)
	}

	// An entry someone else put there, that is no key.
	cmd := exec.Command("secret-tool", "store", "--label=not a key", "service", Service, "username", sessionID)
	cmd.Stdin = strings.NewReader(canary)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v\n%s", err, out)
	}
	_, err = k.Key(sessionID)
	if err == nil || errors.Is(err, core.ErrNoKey) {
		t.Fatalf("Key of an entry that is no key: %v, want an error", err)
	}
	noCanary(t, err, nil)
}

func TestLockedInSession(t *testing.T) {
	requireSession(t, "locked")
	allFail(t, &Keychain{Timeout: 5 * time.Second}, sessionID, ErrLocked, "keychain locked: unlock it or set USER_SECRETS_KEY")
}

func TestNoServiceInSession(t *testing.T) {
	requireSession(t, "no-service")
	allFail(t, New(), sessionID, ErrUnavailable, "set USER_SECRETS_KEY")
}

// BenchmarkSecretService times Key against the GNOME Keyring of a
// private session, and reports the median call besides the mean. Run it
// with bench/keychain.sh, which starts that session.
func BenchmarkSecretService(b *testing.B) {
	requireSession(b, "unlocked")
	k := New()
	key, err := core.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	if err := k.SetKey(testID, key); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = k.DeleteKey(testID) })
	benchmarkKey(b, k)
}
