package core

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// memKeys is an in-memory KeySource: a key per ID. It counts the calls,
// and returns err instead of a key when err is set.
type memKeys struct {
	mu    sync.Mutex
	keys  map[string][]byte
	err   error
	asked int
}

func newMemKeys(id string, key []byte) *memKeys {
	return &memKeys{keys: map[string][]byte{id: key}}
}

func (m *memKeys) Key(id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.asked++
	if m.err != nil {
		return nil, m.err
	}
	if k, ok := m.keys[id]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no key stored for %s: %w", id, ErrNoKey)
}

func (m *memKeys) calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.asked
}

// namedKeys is a memKeys that names itself in errors, as a keychain does.
type namedKeys struct{ *memKeys }

func (namedKeys) String() string { return "the test keychain" }

// failKeys is a KeySource that fails the test when asked.
type failKeys struct{ t *testing.T }

func (f failKeys) Key(string) ([]byte, error) {
	f.t.Helper()
	f.t.Error("the key source was asked for a key")
	return nil, ErrNoKey
}

// encProject is a project with its store root, for tests of encrypted
// stores: every Store of it is opened with the key sources a test gives.
type encProject struct {
	t    *testing.T
	dir  string // the project directory
	root string // the store root
	id   string
}

func newEncProject(t *testing.T) *encProject {
	t.Helper()
	base := t.TempDir()
	return &encProject{t: t, dir: filepath.Join(base, "proj"), root: filepath.Join(base, "root"), id: fixtureID}
}

// open returns a new Store of the project whose $USER_SECRETS_KEY holds
// envKey (nil: unset) and whose Options.Keys is src.
func (p *encProject) open(envKey []byte, src KeySource) *Store {
	p.t.Helper()
	env := map[string]string{}
	if envKey != nil {
		env[EnvKey] = FormatKey(envKey)
	}
	s, err := Open(Options{ProjectDir: p.dir, ID: p.id, Root: p.root, LookupEnv: lookupIn(env), Keys: src, LockTimeout: 5 * time.Second})
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// encrypted returns a store of the project holding entries, encrypted
// under a new key, and the key. The Store returned knows the key (Encrypt
// gave it); other Stores of the project need a source.
func (p *encProject) encrypted(entries ...Entry) (*Store, []byte) {
	p.t.Helper()
	s := p.open(nil, nil)
	if len(entries) > 0 {
		if _, err := s.SetMany(entries); err != nil {
			p.t.Fatal(err)
		}
	}
	key, err := NewKey()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := s.Encrypt(key, nil); err != nil {
		p.t.Fatalf("Encrypt: %v", err)
	}
	return s, key
}

// rawValues returns the values of the secrets file as written (the
// ciphertexts of an encrypted store), by key.
func rawValues(t *testing.T, s *Store) map[string]string {
	t.Helper()
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	es, err := Parse(data, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]string, len(es))
	for _, e := range es {
		m[e.Key] = e.Value
	}
	return m
}

// rawLine returns the line of the secrets file that defines key.
func rawLine(t *testing.T, s *Store, key string) string {
	t.Helper()
	for _, line := range strings.Split(fileText(t, s.Path()), "\n") {
		if strings.HasPrefix(line, key+"=") {
			return line
		}
	}
	t.Fatalf("no line defines %s", key)
	return ""
}

// replaceLine rewrites the line that defines key in the secrets file.
func replaceLine(t *testing.T, s *Store, key, line string) {
	t.Helper()
	text := fileText(t, s.Path())
	old := rawLine(t, s, key)
	putFile(t, s.Path(), strings.Replace(text, old, line, 1))
}

func TestKeyText(t *testing.T) {
	t.Parallel()
	a, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewKey()
	if len(a) != 32 || string(a) == string(b) {
		t.Fatalf("NewKey: %d bytes, two calls equal: %v", len(a), string(a) == string(b))
	}
	text := FormatKey(a)
	if !strings.HasPrefix(text, "usk1:") || len(text) != 5+43 {
		t.Errorf("FormatKey = %d characters, want usk1: and 43", len(text))
	}
	for _, in := range []string{text, "  " + text + "\n", text + "\r\n", "\t" + text} {
		got, err := ParseKey(in)
		if err != nil || string(got) != string(a) {
			t.Errorf("ParseKey(FormatKey(k) with blanks) = %v; want k back", err)
		}
	}
	secret := strings.TrimPrefix(text, "usk1:")
	other := byte('A') // a last character whose low bits are not zero is not canonical
	if secret[42] == 'A' {
		other = 'E'
	}
	bad := map[string]string{
		"empty":             "",
		"prefix only":       "usk1:",
		"no prefix":         secret,
		"other version":     "usk2:" + secret,
		"upper-case prefix": "USK1:" + secret,
		"short":             "usk1:" + secret[:40],
		"long":              "usk1:" + secret + "AAAA",
		"padding":           "usk1:" + secret + "=",
		"standard base64":   "usk1:" + strings.NewReplacer("-", "+", "_", "/").Replace(secret) + "+/",
		"inner blank":       "usk1:" + secret[:10] + " " + secret[10:],
		"non-canonical end": "usk1:" + secret[:42] + string(other+1),
		"canary":            "usk1:" + canary,
	}
	for name, in := range bad {
		k, err := ParseKey(in)
		if err == nil {
			if name == "non-canonical end" && string(k) != string(a) {
				continue // the changed character was canonical after all: another key
			}
			t.Errorf("ParseKey(%s) = no error", name)
			continue
		}
		if len(in) > 8 && strings.Contains(err.Error(), in) || strings.Contains(err.Error(), secret[:8]) || strings.Contains(err.Error(), canary[:8]) {
			t.Errorf("ParseKey(%s): the error quotes its input", name)
		}
	}
}

// TestEncryptedFormat decrypts a value with the standard library alone, as
// the format documents it: "enc:v1:", base64url of nonce, ciphertext and
// tag, and the associated data "enc:v1" NUL id NUL key.
func TestEncryptedFormat(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	p.id = strings.ToUpper(fixtureID) // the associated data holds it in lower case
	s, key := p.encrypted(Entry{Key: "API_KEY", Value: "hunter2"}, Entry{Key: "EMPTY", Value: ""})
	raw := rawValues(t, s)
	if _, ok := raw[checkKey]; !ok {
		t.Fatalf("no %s entry in the file", checkKey)
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	open := func(k string) (string, error) {
		text, ok := strings.CutPrefix(raw[k], "enc:v1:")
		if !ok {
			t.Fatalf("the value of %s has no marker", k)
		}
		if strings.Trim(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("the value of %s is not base64url without padding", k)
		}
		ct, err := keyEncoding.DecodeString(text)
		if err != nil {
			t.Fatal(err)
		}
		ad := "enc:v1\x00" + strings.ToLower(fixtureID) + "\x00" + k
		pt, err := gcm.Open(nil, ct[:12], ct[12:], []byte(ad))
		return string(pt), err
	}
	for k, want := range map[string]string{"API_KEY": "hunter2", "EMPTY": "", checkKey: checkPlain} {
		if got, err := open(k); err != nil || got != want {
			t.Errorf("decrypting %s by the documented format: %v (value as expected: %v)", k, err, got == want)
		}
	}
	// Two encryptions of one value differ (a fresh nonce each time).
	before := raw["API_KEY"]
	mustSet(t, s, "API_KEY", "hunter2")
	if rawValues(t, s)["API_KEY"] == before {
		t.Error("setting the same value again wrote the same ciphertext: the nonce was reused")
	}
	// The key source is asked for the lower-case ID.
	src := newMemKeys(strings.ToLower(fixtureID), key)
	if v, err := p.open(nil, src).Get("API_KEY"); err != nil || v != "hunter2" {
		t.Errorf("Get with the key from the source = %v", err)
	}
}

// TestEncryptedRoundTrip takes every value of the differential corpus
// through Encrypt, Set, Get, All, Text and Decrypt.
func TestEncryptedRoundTrip(t *testing.T) {
	t.Parallel()
	values := hardValues()
	entries := make([]Entry, len(values))
	for i, hv := range values {
		entries[i] = Entry{Key: fmt.Sprintf("V%03d", i), Value: hv.value}
	}
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "FIRST", Value: "plain before encrypt"})
	if _, err := s.SetMany(entries); err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		mustSet(t, s, e.Key, e.Value) // one at a time too
		if i%10 == 0 {
			mustSet(t, s, fmt.Sprintf("ONE%03d", i), e.Value)
		}
	}

	file := fileText(t, s.Path())
	for i, hv := range values {
		if len(hv.value) >= 4 && strings.Contains(file, hv.value) {
			t.Errorf("%s: the value is in the encrypted file", hv.kind)
		}
		if !strings.Contains(file, "\n"+entries[i].Key+"=enc:v1:") && !strings.Contains(file, "\n"+entries[i].Key+"='enc:v1:") {
			t.Errorf("%s: no encrypted line for %s", hv.kind, entries[i].Key)
		}
	}
	if strings.Contains(file, "plain before encrypt") {
		t.Error("Encrypt left a plain value in the file")
	}

	// Another Store, with the key from the environment.
	r := p.open(key, nil)
	all, err := r.All()
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]string, len(all))
	for _, e := range all {
		got[e.Key] = e.Value
		if e.Key == checkKey {
			t.Errorf("All returned the key-check entry")
		}
	}
	for i, hv := range values {
		if got[entries[i].Key] != hv.value {
			t.Errorf("%s: All read a different value", hv.kind)
		}
		if v, err := r.Get(entries[i].Key); err != nil || v != hv.value {
			t.Errorf("%s: Get = %v, or a different value", hv.kind, err)
		}
	}

	// Text shows the plain values; saving it unchanged keeps every
	// ciphertext.
	before := rawValues(t, r)
	text, err := r.Text()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(text), checkKey) || strings.Contains(string(text), "enc:v1:") {
		t.Error("Text shows the key-check entry or a ciphertext")
	}
	tes, err := Parse(text, "text")
	if err != nil {
		t.Fatal(err)
	}
	if len(tes) != len(all) {
		t.Errorf("Text holds %d entries, All %d", len(tes), len(all))
	}
	for _, e := range tes {
		if got[e.Key] != e.Value {
			t.Errorf("Text: %s reads a different value", e.Key)
		}
	}
	if err := r.ReplaceIf(text, text); err != nil {
		t.Fatal(err)
	}
	after := rawValues(t, r)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("saving Text unchanged re-encrypted %s", k)
		}
	}

	if err := r.Decrypt(); err != nil {
		t.Fatal(err)
	}
	if enc, err := r.Encrypted(); enc || err != nil {
		t.Fatalf("Encrypted() after Decrypt = %v, %v", enc, err)
	}
	plain := p.open(nil, failKeys{t})
	for i, hv := range values {
		if v, err := plain.Get(entries[i].Key); err != nil || v != hv.value {
			t.Errorf("%s: after Decrypt, Get = %v, or a different value", hv.kind, err)
		}
	}
	if file := fileText(t, s.Path()); strings.Contains(file, "enc:v1:") || strings.Contains(file, checkKey) {
		t.Error("the decrypted file holds a ciphertext or the key-check entry")
	}
}

// wantValueError checks that err is a *ParseError naming the file, the
// line and the key.
func wantValueError(t *testing.T, what string, err error, s *Store, key string, line int) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Errorf("%s = %v, want a *ParseError", what, err)
		return
	}
	if pe.File != s.Path() || pe.Line != line || !strings.Contains(pe.Reason, fmt.Sprintf("%q", key)) {
		t.Errorf("%s = %v, want %s:%d naming %q", what, err, s.Path(), line, key)
	}
	if errors.Is(err, ErrNoKey) {
		t.Errorf("%s matches ErrNoKey", what)
	}
}

// lineOf returns the line number at which key is defined.
func lineOf(t *testing.T, s *Store, key string) int {
	t.Helper()
	for i, line := range strings.Split(fileText(t, s.Path()), "\n") {
		if strings.HasPrefix(line, key+"=") {
			return i + 1
		}
	}
	t.Fatalf("no line defines %s", key)
	return 0
}

func TestEncryptedValueErrors(t *testing.T) {
	t.Parallel()
	// change returns v with its nonce, ciphertext and tag changed by f.
	change := func(v string, f func(ct []byte) []byte) string {
		ct, err := keyEncoding.DecodeString(strings.TrimPrefix(v, encMarker))
		if err != nil {
			t.Fatal(err)
		}
		return encMarker + keyEncoding.EncodeToString(f(ct))
	}
	flip := func(v string, i int) string { // flips a bit of byte i, from the end when negative
		return change(v, func(ct []byte) []byte {
			ct[(i+len(ct))%len(ct)] ^= 1
			return ct
		})
	}
	tests := []struct {
		name string
		edit func(s *Store, raw map[string]string) string // returns the new line of A
		want error
	}{
		{"flipped byte in the nonce", func(_ *Store, r map[string]string) string { return "A=" + flip(r["A"], 0) }, errOpen},
		{"flipped byte in the ciphertext", func(_ *Store, r map[string]string) string { return "A=" + flip(r["A"], 13) }, errOpen},
		{"flipped byte in the tag", func(_ *Store, r map[string]string) string { return "A=" + flip(r["A"], -1) }, errOpen},
		{"truncated", func(_ *Store, r map[string]string) string {
			return "A=" + change(r["A"], func(ct []byte) []byte { return ct[:len(ct)-3] })
		}, errOpen},
		{"a byte added", func(_ *Store, r map[string]string) string {
			return "A=" + change(r["A"], func(ct []byte) []byte { return append(ct, 0) })
		}, errOpen},
		{"truncated to the nonce", func(_ *Store, r map[string]string) string { return "A=" + r["A"][:len(encMarker)+16] }, errDamaged},
		{"marker only", func(_ *Store, r map[string]string) string { return "A=enc:v1:" }, errDamaged},
		{"bad base64", func(_ *Store, r map[string]string) string { return "A=enc:v1:!!!!" + r["A"][len(encMarker)+4:] }, errDamaged},
		{"padding", func(_ *Store, r map[string]string) string { return "A=" + r["A"] + "==" }, errDamaged},
		{"moved from another key", func(_ *Store, r map[string]string) string { return "A=" + r["B"] }, errOpen},
		{"the key-check value", func(_ *Store, r map[string]string) string { return "A=" + r[checkKey] }, errOpen},
		{"not encrypted", func(_ *Store, r map[string]string) string { return "A=plain text" }, errUnmarked},
		{"empty, not encrypted", func(_ *Store, r map[string]string) string { return "A=" }, errUnmarked},
		{"a newer format", func(_ *Store, r map[string]string) string { return "A=enc:v2:" + r["A"][len(encMarker):] }, versionError("v2")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newEncProject(t)
			s, key := p.encrypted(Entry{Key: "A", Value: "value of A"}, Entry{Key: "B", Value: "value of B"})
			line := lineOf(t, s, "A")
			replaceLine(t, s, "A", tc.edit(s, rawValues(t, s)))
			before := fileText(t, s.Path())
			r := p.open(key, nil)

			_, err := r.All()
			wantValueError(t, "All", err, r, "A", line)
			if !errors.Is(err, tc.want) {
				t.Errorf("All = %v, want %v", err, tc.want)
			}
			_, err = r.Get("A")
			wantValueError(t, "Get(A)", err, r, "A", line)
			_, err = r.Map()
			wantValueError(t, "Map", err, r, "A", line)
			if v, err := r.Get("B"); err != nil || v != "value of B" {
				t.Errorf("Get(B), beside the bad value = %v", err)
			}
			if tc.want != errUnmarked {
				_, err = r.Text()
				wantValueError(t, "Text", err, r, "A", line)
				err = r.Update(func(*Document) error { return nil })
				wantValueError(t, "Update", err, r, "A", line)
				wantValueError(t, "Decrypt", r.Decrypt(), r, "A", line)
			}
			k2, _ := NewKey()
			wantValueError(t, "Rekey", r.Rekey(k2, func() error { t.Error("Rekey committed"); return nil }), r, "A", line)
			if got := fileText(t, s.Path()); got != before {
				t.Error("a failed write changed the file")
			}
			// Setting or deleting the bad value repairs the store.
			mustSet(t, r, "A", "new A")
			if v, err := r.Get("A"); err != nil || v != "new A" {
				t.Errorf("Get(A) after setting it again = %v", err)
			}
			if _, err := r.All(); err != nil {
				t.Errorf("All after setting A again = %v", err)
			}
		})
	}
}

// TestUnmarkedValueRepair: a value that another tool (python-env-secrets)
// wrote unencrypted into an encrypted store is an error to read, is left
// as it is by unrelated writes, and is encrypted when set again, through
// Update too, or by saving Text.
func TestUnmarkedValueRepair(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, _ := p.encrypted(Entry{Key: "A", Value: "a"}, Entry{Key: "B", Value: "b"})
	replaceLine(t, s, "B", "B=planted")
	line := lineOf(t, s, "B")
	_, err := s.All()
	wantValueError(t, "All", err, s, "B", line)
	if !strings.Contains(err.Error(), "is not encrypted") || !strings.Contains(err.Error(), "user-secrets set") {
		t.Errorf("All = %v; want it to say the value is not encrypted and how to fix it", err)
	}
	if err := s.Encrypt(make([]byte, 32), nil); err == nil || !strings.Contains(err.Error(), "1 of its values are not") {
		t.Errorf("Encrypt of a partly plain encrypted store = %v", err)
	}

	// An unrelated write leaves it as it is: a write never adopts a value
	// it was not given.
	mustSet(t, s, "C", "c")
	if err := s.Update(func(d *Document) error {
		if v, _ := d.Get("B"); v != "planted" {
			t.Errorf("Update's fn sees B as %q, want it as it is", v)
		}
		_, err := d.Set("D", "d")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := rawLine(t, s, "B"); got != "B=planted" {
		t.Errorf("an unrelated write changed the unencrypted line to %q", got)
	}
	// Setting it, even to the same value, through Update, encrypts it.
	if err := s.Update(func(d *Document) error { _, err := d.Set("B", "planted"); return err }); err != nil {
		t.Fatal(err)
	}
	if got := rawValues(t, s)["B"]; !strings.HasPrefix(got, encMarker) {
		t.Error("Update setting B did not encrypt it")
	}
	if m, err := s.Map(); err != nil || m["B"] != "planted" || m["D"] != "d" {
		t.Errorf("Map after the repair = %v", err)
	}

	// Saving Text encrypts every value that was not.
	replaceLine(t, s, "A", "A=planted too")
	text, err := s.Text()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceIf(text, text); err != nil {
		t.Fatal(err)
	}
	if m, err := s.Map(); err != nil || m["A"] != "planted too" {
		t.Errorf("Map after saving Text = %v", err)
	}
}

func TestEncryptedKeyErrors(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "A", Value: "a"})
	other, _ := NewKey()
	checkLine := lineOf(t, s, checkKey)
	lower := strings.ToLower(fixtureID)

	withErr := func(err error) *memKeys { return &memKeys{err: err} }
	short := newMemKeys(lower, key[:16])
	tests := []struct {
		name    string
		store   *Store
		noKey   bool     // the error matches ErrNoKey
		want    []string // in the error text
		notWant []string
	}{
		{"no key anywhere", p.open(nil, nil), true, []string{s.Path(), "no key for the encrypted store", "looked in $USER_SECRETS_KEY only", "USER_SECRETS_KEY", "key import"}, nil},
		{"the source has none", p.open(nil, &memKeys{}), true, []string{"looked in $USER_SECRETS_KEY and Options.Keys"}, nil},
		{"the source fails", p.open(nil, withErr(errors.New("keychain locked: unlock it or set USER_SECRETS_KEY"))), false, []string{s.Path(), "keychain locked"}, nil},
		{"the source gives 16 bytes", p.open(nil, short), false, []string{"16 bytes long, want 32"}, nil},
		{"wrong key in the environment", p.open(other, newMemKeys(lower, key)), false,
			[]string{fmt.Sprintf("%s:%d", s.Path(), checkLine), "the key from $USER_SECRETS_KEY is not this store's key", "unset USER_SECRETS_KEY, or set it"}, nil},
		{"wrong key from the source", p.open(nil, newMemKeys(lower, other)), false, []string{"the key from Options.Keys is not this store's key", "user-secrets key import"}, nil},
		{"wrong key from a named source", p.open(nil, namedKeys{newMemKeys(lower, other)}), false, []string{"the key from the test keychain is not this store's key"}, nil},
		{"no key in a named source", p.open(nil, namedKeys{&memKeys{}}), true, []string{"looked in $USER_SECRETS_KEY and the test keychain"}, nil},
		{"malformed $USER_SECRETS_KEY", func() *Store {
			s, err := Open(Options{ProjectDir: p.dir, ID: p.id, Root: p.root, Keys: newMemKeys(lower, key),
				LookupEnv: lookupIn(map[string]string{EnvKey: "usk1:" + canary})})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}(), false, []string{"$USER_SECRETS_KEY is not a user-secrets key"}, []string{canary}},
	}
	before := fileText(t, s.Path())
	for _, tc := range tests {
		r := tc.store
		k2, _ := NewKey()
		ops := map[string]func() error{
			"All":       func() error { _, err := r.All(); return err },
			"Get":       func() error { _, err := r.Get("A"); return err },
			"Key":       func() error { _, err := r.Key(); return err },
			"Text":      func() error { _, err := r.Text(); return err },
			"Set":       func() error { _, err := r.Set("A", canary); return err },
			"Set new":   func() error { _, err := r.Set("NEW", canary); return err },
			"Delete":    func() error { return r.Delete("A") },
			"Clear":     func() error { _, err := r.Clear(); return err },
			"Update":    func() error { return r.Update(func(d *Document) error { _, err := d.Set("A", canary); return err }) },
			"Replace":   func() error { return r.Replace([]byte("A=" + canary + "\n")) },
			"ReplaceIf": func() error { return r.ReplaceIf([]byte("A=a\n"), []byte("A="+canary+"\n")) },
			"Decrypt":   r.Decrypt,
			"Rekey":     func() error { return r.Rekey(k2, func() error { t.Error("Rekey committed"); return nil }) },
			"Inject": func() error {
				_, err := Inject(InjectOptions{Options: Options{ProjectDir: p.dir, ID: p.id, Root: p.root, LookupEnv: r.lookupEnv, Keys: r.source},
					Setenv: func(string, string) error { t.Error("Inject set a variable"); return nil }})
				return err
			},
		}
		for name, op := range ops {
			err := op()
			what := tc.name + ": " + name
			switch {
			case err == nil:
				t.Errorf("%s: no error", what)
				continue
			case errors.Is(err, ErrNoKey) != tc.noKey:
				t.Errorf("%s = %v; matches ErrNoKey: %v, want %v", what, err, errors.Is(err, ErrNoKey), tc.noKey)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s = %v; want it to say %q", what, err, w)
				}
			}
			for _, w := range append(tc.notWant, FormatKey(key), FormatKey(other), FormatKey(k2)[5:20], rawValues(t, s)["A"][7:30]) {
				if strings.Contains(err.Error(), w) {
					t.Errorf("%s: the error holds key material, a ciphertext or a value", what)
				}
			}
		}
		if got := fileText(t, s.Path()); got != before {
			t.Fatalf("%s: a refused write changed the file", tc.name)
		}
	}
	if short.calls() == 0 {
		t.Error("the key source was never asked")
	}
}

// TestEncryptedMovedProject copies a line into another project's store
// encrypted under the same key: the ID in the associated data refuses it.
func TestEncryptedMovedProject(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "A", Value: "value of A"})
	q := newEncProject(t)
	q.id = "5b3e4a7c-1d2f-4e6a-9b8c-7d6e5f4a3b2c"
	o := q.open(nil, nil)
	mustSet(t, o, "A", "other A")
	if err := o.Encrypt(key, nil); err != nil { // the same key: only the ID tells
		t.Fatal(err)
	}
	replaceLine(t, o, "A", rawLine(t, s, "A"))
	line := lineOf(t, o, "A")
	_, err := q.open(key, nil).Get("A")
	wantValueError(t, "Get of a line copied from another project", err, o, "A", line)
	if !errors.Is(err, errOpen) || !strings.Contains(err.Error(), "another project") {
		t.Errorf("Get = %v", err)
	}
	// And with the other store's own key, the line does not decrypt
	// either.
	k2, _ := NewKey()
	if err := q.open(key, nil).Rekey(k2, nil); err == nil {
		t.Error("Rekey re-encrypted a moved value")
	}
}

// TestMarkedWithoutCheck: encrypted values in a file without the key-check
// entry are an error naming the key, and only a delete is written.
func TestMarkedWithoutCheck(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "A", Value: "a"}, Entry{Key: "B", Value: "b"})
	text := fileText(t, s.Path())
	putFile(t, s.Path(), strings.Replace(text, rawLine(t, s, checkKey)+"\n", "", 1))
	line := lineOf(t, s, "A")
	r := p.open(key, failKeys{t})
	_, err := r.All()
	wantValueError(t, "All", err, r, "A", line)
	if !errors.Is(err, errNoCheck) {
		t.Errorf("All = %v, want the no-key-check error", err)
	}
	_, err = r.Get("B")
	wantValueError(t, "Get", err, r, "A", line)
	_, err = r.Encrypted()
	wantValueError(t, "Encrypted", err, r, "A", line)
	k, _ := NewKey()
	wantValueError(t, "Encrypt", r.Encrypt(k, nil), r, "A", line)
	_, err = r.Set("C", "c")
	wantValueError(t, "Set", err, r, "A", line)
	if err := r.Delete("A", "B"); err != nil {
		t.Fatalf("Delete of the encrypted values = %v", err)
	}
	if all, err := r.All(); err != nil || len(all) != 0 {
		t.Errorf("All after deleting them = %v, %v", all, err)
	}
}

// TestPlainStoreNeverAsks: no read or write of a store that is not
// encrypted looks for a key.
func TestPlainStoreNeverAsks(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	asked := false
	s, err := Open(Options{ProjectDir: p.dir, ID: p.id, Root: p.root, Keys: failKeys{t}, LookupEnv: func(k string) (string, bool) {
		if k == EnvKey {
			asked = true
		}
		return "", false
	}})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "A", "a")
	if _, err := s.SetMany([]Entry{{Key: "B", Value: "b"}, {Key: "C", Value: "c"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.All(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("A"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("C"); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(d *Document) error { _, err := d.Set("D", "d"); return err }); err != nil {
		t.Fatal(err)
	}
	text, err := s.Text()
	if err != nil || string(text) != fileText(t, s.Path()) {
		t.Fatalf("Text of a plain store = %v, or not the file", err)
	}
	if err := s.ReplaceIf(text, append(text, "E=e\n"...)); err != nil {
		t.Fatal(err)
	}
	if enc, err := s.Encrypted(); enc || err != nil {
		t.Fatalf("Encrypted() = %v, %v", enc, err)
	}
	if _, err := s.List(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if err := s.Decrypt(); err == nil || !strings.Contains(err.Error(), "is not encrypted") {
		t.Errorf("Decrypt of a plain store = %v", err)
	}
	if _, err := s.Key(); err == nil {
		t.Error("Key of a plain store: no error")
	}
	if err := s.Rekey(make([]byte, 32), nil); err == nil {
		t.Error("Rekey of a plain store: no error")
	}
	if asked {
		t.Error("$USER_SECRETS_KEY was looked up for a plain store")
	}
	// A value that looks encrypted would make a plain store unreadable.
	for _, v := range []string{"enc:v1:abc", "enc:v2:", "enc:v10:x"} {
		if _, err := s.Set("X", v); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("Set of a value that looks encrypted in a plain store = %v, want ErrInvalidValue", err)
		}
	}
	for _, v := range []string{"enc:v:x", "enc:vx:", "enc:", "Enc:v1:x"} {
		mustSet(t, s, "X", v)
	}
	if err := s.Replace([]byte("X=enc:v1:abc\n")); err == nil {
		t.Error("Replace with a value that looks encrypted in a plain store: no error")
	}
}

// TestKeyLookupCached: a Store looks its key up once, and again only when
// the key-check entry changes (another Store rekeyed the store).
func TestKeyLookupCached(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	_, key := p.encrypted(Entry{Key: "A", Value: "a"})
	lower := strings.ToLower(fixtureID)
	src := newMemKeys(lower, key)
	r := p.open(nil, src)
	for range 5 {
		if _, err := r.All(); err != nil {
			t.Fatal(err)
		}
		mustSet(t, r, "B", "b")
	}
	if n := src.calls(); n != 1 {
		t.Errorf("the key source was asked %d times, want once", n)
	}
	if got, err := r.Key(); err != nil || string(got) != string(key) {
		t.Errorf("Key() = %v, or another key", err)
	}
	k2, _ := NewKey()
	w := p.open(key, nil)
	if err := w.Rekey(k2, func() error {
		src.mu.Lock()
		src.keys[lower] = k2
		src.mu.Unlock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Get("B"); err != nil || v != "b" {
		t.Fatalf("Get after another Store's Rekey = %v", err)
	}
	if n := src.calls(); n != 2 {
		t.Errorf("the key source was asked %d times, want twice", n)
	}
	if err := r.CheckKey(k2); err != nil {
		t.Errorf("CheckKey(new key) = %v", err)
	}
	if err := r.CheckKey(key); err == nil || !strings.Contains(err.Error(), "the key given is not this store's key") {
		t.Errorf("CheckKey(old key) = %v", err)
	}
	if err := r.CheckKey(key[:10]); err == nil {
		t.Error("CheckKey(10 bytes): no error")
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s := p.open(nil, failKeys{t})
	if l, err := s.List(); err != nil || len(l) != 0 {
		t.Fatalf("List of a missing file = %v, %v", l, err)
	}
	entries := []Entry{{Key: "EMPTY", Value: ""}, {Key: "ONE", Value: "x"}, {Key: "LONG", Value: strings.Repeat("y", 5000)}, {Key: "SPACE", Value: " "}}
	if _, err := s.SetMany(entries); err != nil {
		t.Fatal(err)
	}
	want := func(l []KeyInfo) {
		t.Helper()
		if len(l) != len(entries) {
			t.Fatalf("List = %d keys, want %d", len(l), len(entries))
		}
		for i, k := range l {
			if k.Key != entries[i].Key || k.Empty != (entries[i].Value == "") || k.Line != lineOf(t, s, k.Key) {
				t.Errorf("List()[%d] = %+v, want %s, empty %v", i, k, entries[i].Key, entries[i].Value == "")
			}
		}
	}
	l, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want(l)
	key, _ := NewKey()
	if err := s.Encrypt(key, nil); err != nil {
		t.Fatal(err)
	}
	// A Store without any key lists an encrypted store.
	if l, err = p.open(nil, failKeys{t}).List(); err != nil {
		t.Fatal(err)
	}
	want(l)
}

// TestEncryptNewAndRefused: Encrypt of a missing file, of a file with
// comments and duplicates, and what it refuses.
func TestEncryptNewAndRefused(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted()
	if enc, err := s.Encrypted(); !enc || err != nil {
		t.Fatalf("Encrypted() of a store encrypted before it existed = %v, %v", enc, err)
	}
	if !strings.HasPrefix(fileText(t, s.Path()), s.Header()) {
		t.Error("the new encrypted file does not start with the store header")
	}
	if err := s.Encrypt(key, nil); err == nil || !strings.Contains(err.Error(), "already encrypted") {
		t.Errorf("Encrypt of an encrypted store = %v", err)
	}
	if err := s.Encrypt(key[:31], nil); err == nil {
		t.Error("Encrypt with a 31-byte key: no error")
	}

	q := newEncProject(t)
	o := q.open(nil, nil)
	putFile(t, o.Path(), "# my comment\nA=old secret\nB=b # note\nexport A=newer secret\n\n# end\n")
	k, _ := NewKey()
	if err := o.Encrypt(k, nil); err != nil {
		t.Fatal(err)
	}
	file := fileText(t, o.Path())
	for _, gone := range []string{"old secret", "newer secret", "B=b"} {
		if strings.Contains(file, gone) {
			t.Errorf("Encrypt left %q in the file", gone)
		}
	}
	for _, kept := range []string{"# my comment\n", "\n# end\n"} {
		if !strings.Contains(file, kept) {
			t.Errorf("Encrypt dropped %q", kept)
		}
	}
	if m, err := q.open(k, nil).Map(); err != nil || m["A"] != "newer secret" || m["B"] != "b" || len(m) != 2 {
		t.Errorf("Map after Encrypt = %v, %v", m, err)
	}
}

// TestRekey: every value under the new key, commit under the lock, and a
// failed commit writes nothing.
func TestRekey(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "A", Value: "a"}, Entry{Key: "B", Value: ""}, Entry{Key: "C", Value: canary})
	before := fileText(t, s.Path())
	r := p.open(key, nil)
	k2, _ := NewKey()
	errCommit := errors.New("keychain refused")
	if err := r.Rekey(k2, func() error { return errCommit }); !errors.Is(err, errCommit) {
		t.Fatalf("Rekey with a failing commit = %v, want its error", err)
	}
	if fileText(t, s.Path()) != before {
		t.Fatal("Rekey wrote although commit failed")
	}
	oldRaw := rawValues(t, s)
	committed := 0
	if err := r.Rekey(k2, func() error {
		committed++
		if fileText(t, s.Path()) != before {
			t.Error("commit ran after the file was written")
		}
		// The store's lock is held: another writer must wait.
		o := p.open(key, nil)
		o.lockTimeout = 10 * time.Millisecond
		if _, err := o.Set("D", "d"); err == nil {
			t.Error("a Set succeeded while commit ran: the lock was not held")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if committed != 1 {
		t.Errorf("commit ran %d times", committed)
	}
	for k, v := range rawValues(t, s) {
		if v == oldRaw[k] {
			t.Errorf("%s kept its ciphertext through Rekey", k)
		}
	}
	if _, err := p.open(key, nil).All(); err == nil || !strings.Contains(err.Error(), "not this store's key") {
		t.Errorf("All with the old key after Rekey = %v", err)
	}
	m, err := p.open(k2, nil).Map()
	if err != nil || m["A"] != "a" || m["B"] != "" || m["C"] != canary {
		t.Errorf("Map with the new key = %v", err)
	}
	if v, err := r.Get("A"); err != nil || v != "a" {
		t.Errorf("the rekeying Store reads on with the new key: %v", err)
	}
	if err := r.Rekey(k2[:8], nil); err == nil {
		t.Error("Rekey with an 8-byte key: no error")
	}
}

// TestEncryptedConcurrentSets sets keys from many goroutines, each with a
// Store of its own; none is lost.
func TestEncryptedConcurrentSets(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	_, key := p.encrypted(Entry{Key: "START", Value: "s"})
	const workers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := p.open(key, nil)
			for i := range each {
				if _, err := s.Set(fmt.Sprintf("K_%d_%d", w, i), fmt.Sprintf("value %d %d", w, i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	m, err := p.open(key, nil).Map()
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != workers*each+1 {
		t.Errorf("%d secrets, want %d", len(m), workers*each+1)
	}
	for w := range workers {
		for i := range each {
			if v := m[fmt.Sprintf("K_%d_%d", w, i)]; v != fmt.Sprintf("value %d %d", w, i) {
				t.Errorf("K_%d_%d lost or wrong", w, i)
			}
		}
	}
	for k, v := range rawValues(t, p.open(nil, nil)) {
		if !strings.HasPrefix(v, encMarker) {
			t.Errorf("%s is not encrypted in the file", k)
		}
	}
}
