package keychain

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	keyring "github.com/zalando/go-keyring"
)

// memory is a keychain in memory. When block is set, every call waits
// for it to close, as a locked keychain waits for its prompt; err, when
// set, is every call's answer.
type memory struct {
	mu      sync.Mutex
	entries map[string]string // service + "\x00" + account → secret
	err     error
	block   chan struct{}
}

func newMemory() *memory { return &memory{entries: map[string]string{}} }

func (m *memory) wait() error {
	if m.block != nil {
		<-m.block
	}
	return m.err
}

func (m *memory) Get(service, account string) (string, error) {
	if err := m.wait(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.entries[service+"\x00"+account]
	if !ok {
		return "", errNotFound
	}
	return s, nil
}

func (m *memory) Set(service, account, secret string) error {
	if err := m.wait(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[service+"\x00"+account] = secret
	return nil
}

func (m *memory) Delete(service, account string) error {
	if err := m.wait(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[service+"\x00"+account]; !ok {
		return errNotFound
	}
	delete(m.entries, service+"\x00"+account)
	return nil
}

const (
	testID = "0b6c3f1e-8a55-4c1e-9d2f-3f4a5b6c7d8e"
	// canary stands for key material: it must never reach an error.
	canary = "CANARY-key-material-8c1d"
)

func testKey(t *testing.T) []byte {
	t.Helper()
	key, err := core.NewKey()
	if err != nil {
		t.Fatalf("NewKey: %v", err)
	}
	return key
}

// noCanary fails when err's text holds key material: the canary, or the
// text form of key.
func noCanary(t *testing.T, err error, key []byte) {
	t.Helper()
	if err == nil {
		return
	}
	if strings.Contains(err.Error(), canary) || (key != nil && strings.Contains(err.Error(), core.FormatKey(key))) {
		t.Errorf("an error holds key material (its text is not shown here)")
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	m := newMemory()
	k := &Keychain{backend: m}
	key := testKey(t)
	if err := k.SetKey(testID, key); err != nil {
		t.Fatalf("SetKey: %v", err)
	}
	if got := m.entries[Service+"\x00"+testID]; got != core.FormatKey(key) {
		t.Errorf("the keychain's entry is not core.FormatKey(key)")
	}
	got, err := k.Key(testID)
	if err != nil {
		t.Fatalf("Key: %v", err)
	}
	if !bytes.Equal(got, key) {
		t.Errorf("Key returned another key than SetKey stored")
	}
	// The account is the ID in lower case, however the caller spells it.
	if got, err := k.Key(strings.ToUpper(testID)); err != nil || !bytes.Equal(got, key) {
		t.Errorf("Key(upper-case ID) = _, %v, want the stored key", err)
	}
	key2 := testKey(t)
	if err := k.SetKey(testID, key2); err != nil {
		t.Fatalf("SetKey (replace): %v", err)
	}
	if got, _ := k.Key(testID); !bytes.Equal(got, key2) {
		t.Errorf("SetKey did not replace the stored key")
	}
	if err := k.DeleteKey(testID); err != nil {
		t.Fatalf("DeleteKey: %v", err)
	}
	if len(m.entries) != 0 {
		t.Errorf("DeleteKey left %d entries", len(m.entries))
	}
	_, err = k.Key(testID)
	if !errors.Is(err, core.ErrNoKey) {
		t.Errorf("Key after DeleteKey: %v, want core.ErrNoKey", err)
	}
	if err == nil || !strings.Contains(err.Error(), testID) {
		t.Errorf("Key after DeleteKey: %v, want an error naming the store", err)
	}
	if err := k.DeleteKey(testID); err != nil {
		t.Errorf("DeleteKey of no key: %v, want nil", err)
	}
}

func TestSetKeyRefusesABadKey(t *testing.T) {
	t.Parallel()
	m := newMemory()
	k := &Keychain{backend: m}
	for _, key := range [][]byte{nil, []byte(canary), make([]byte, 31), make([]byte, 33)} {
		err := k.SetKey(testID, key)
		if err == nil {
			t.Errorf("SetKey(%d bytes) = nil, want an error", len(key))
		}
		noCanary(t, err, nil)
	}
	if len(m.entries) != 0 {
		t.Errorf("SetKey stored a bad key")
	}
}

func TestKeyOfABadEntry(t *testing.T) {
	t.Parallel()
	for _, entry := range []string{"", canary, "usk1:" + canary, core.FormatKey(make([]byte, 32)) + canary} {
		m := newMemory()
		m.entries[Service+"\x00"+testID] = entry
		_, err := (&Keychain{backend: m}).Key(testID)
		if err == nil || errors.Is(err, core.ErrNoKey) {
			t.Errorf("Key of a bad entry (%d bytes): %v, want an error other than ErrNoKey", len(entry), err)
		}
		noCanary(t, err, nil)
		if err != nil && !strings.Contains(err.Error(), testID) {
			t.Errorf("Key of a bad entry: %v, want an error naming the store", err)
		}
	}
}

func TestNoID(t *testing.T) {
	t.Parallel()
	k := &Keychain{backend: newMemory()}
	if _, err := k.Key(""); err == nil {
		t.Error("Key(\"\") = nil error")
	}
	if err := k.SetKey("", testKey(t)); err == nil {
		t.Error("SetKey(\"\") = nil error")
	}
	if err := k.DeleteKey(""); err == nil {
		t.Error("DeleteKey(\"\") = nil error")
	}
}

// TestTimeout: a keychain that never answers gives ErrLocked, whose text
// says what to do, for every call.
func TestTimeout(t *testing.T) {
	t.Parallel()
	m := newMemory()
	m.block = make(chan struct{})
	t.Cleanup(func() { close(m.block) }) // lets the abandoned calls end
	allFail(t, &Keychain{backend: m, Timeout: time.Millisecond}, testID, ErrLocked, "keychain locked: unlock it or set USER_SECRETS_KEY")
}

// TestBackendErrors: the backend's errors come through, with the store's
// ID, and keep their meaning for errors.Is.
func TestBackendErrors(t *testing.T) {
	t.Parallel()
	for _, want := range []error{ErrLocked, ErrUnavailable, errors.New("dbus: connection reset")} {
		m := newMemory()
		m.err = fmt.Errorf("%w (why)", want)
		allFail(t, &Keychain{backend: m}, testID, want, "")
	}
}

// allFail checks that Key, SetKey and DeleteKey of k fail with an error
// matching want (and not core.ErrNoKey), whose text names the store and
// holds fix, and no key material.
func allFail(t *testing.T, k *Keychain, id string, want error, fix string) {
	t.Helper()
	key := testKey(t)
	_, errKey := k.Key(id)
	for name, err := range map[string]error{"Key": errKey, "SetKey": k.SetKey(id, key), "DeleteKey": k.DeleteKey(id)} {
		if !errors.Is(err, want) || errors.Is(err, core.ErrNoKey) {
			t.Errorf("%s: %v, want an error matching %v", name, err, want)
			continue
		}
		if !strings.Contains(err.Error(), fix) || !strings.Contains(err.Error(), id) {
			t.Errorf("%s: %q, want the store's ID and %q", name, err, fix)
		}
		t.Logf("%s: %v", name, err)
		noCanary(t, err, key)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	other := errors.New("exit status 51")
	tests := []struct {
		name string
		err  error
		want error
	}{
		{name: "nil", err: nil, want: nil},
		{name: "not found", err: keyring.ErrNotFound, want: errNotFound},
		{name: "unsupported platform", err: keyring.ErrUnsupportedPlatform, want: ErrUnavailable},
		{name: "other", err: other, want: other},
	}
	for _, tt := range tests {
		got := classify(tt.err)
		if !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("%s: classify(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
	if err := classify(keyring.ErrUnsupportedPlatform); !strings.Contains(err.Error(), "USER_SECRETS_KEY") {
		t.Errorf("classify(ErrUnsupportedPlatform) = %q, want it to say what to do", err)
	}
}

// BenchmarkMemory is the same over the in-memory keychain: what the
// timeout's goroutine and the key's parsing cost.
func BenchmarkMemory(b *testing.B) {
	k := &Keychain{backend: newMemory()}
	key, _ := core.NewKey()
	if err := k.SetKey(testID, key); err != nil {
		b.Fatal(err)
	}
	benchmarkKey(b, k)
}

// benchmarkKey times k.Key(testID), and reports the median call
// besides the mean.
func benchmarkKey(b *testing.B, k *Keychain) {
	var d []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := k.Key(testID); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "median-ns/op")
}
