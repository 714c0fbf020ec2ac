package core

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestEncryptedUpdate: fn sees and sets plain values; the lines of values
// it did not change stay as they were, byte for byte.
func TestEncryptedUpdate(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, _ := p.encrypted(Entry{Key: "A", Value: "a"}, Entry{Key: "B", Value: "b"}, Entry{Key: "C", Value: "c"}, Entry{Key: "D", Value: "d"})
	before := fileText(t, s.Path())
	lines := map[string]string{}
	for _, k := range []string{"A", "B", "C", "D", checkKey} {
		lines[k] = rawLine(t, s, k)
	}

	// No change: nothing is written.
	if err := s.Update(func(d *Document) error {
		if v, _ := d.Get("A"); v != "a" {
			t.Errorf("fn sees A as %q, want the plain value", v)
		}
		if _, ok := d.Get(checkKey); ok || d.Len() != 4 {
			t.Errorf("fn sees the key-check entry, or %d keys", d.Len())
		}
		_, err := d.Set("B", "b") // the same value: no change
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if fileText(t, s.Path()) != before {
		t.Fatal("an Update that changed no value rewrote the file")
	}

	var w []Warning
	if err := s.Update(func(d *Document) error {
		var err error
		if w, err = d.Update([]Entry{{Key: "B", Value: "new b"}, {Key: "E", Value: "e"}, {Key: "W", Value: "x\ny"}}, []string{"C"}); err != nil {
			return err
		}
		if v, _ := d.Get("B"); v != "new b" {
			t.Errorf("fn reads back B as %q", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(w) == 0 || w[0].Key != "W" {
		t.Errorf("Document.Update in fn gave warnings %v, want one for W", w)
	}
	if got := rawLine(t, s, "A"); got != lines["A"] {
		t.Error("an unchanged value was re-encrypted")
	}
	if got := rawLine(t, s, "D"); got != lines["D"] {
		t.Error("an unchanged value was re-encrypted")
	}
	if got := rawLine(t, s, checkKey); got != lines[checkKey] {
		t.Error("the key-check entry changed")
	}
	if got := rawLine(t, s, "B"); got == lines["B"] || !strings.HasPrefix(got, "B=enc:v1:") {
		t.Error("the changed value was not encrypted anew")
	}
	if strings.Contains(fileText(t, s.Path()), "\nC=") {
		t.Error("the deleted key is still in the file")
	}
	m, err := s.Map()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "a", "B": "new b", "D": "d", "E": "e", "W": "x\ny"}
	if fmt.Sprint(m) != fmt.Sprint(want) {
		t.Errorf("Map after Update: keys %v, want %v", keysOfMap(m), keysOfMap(want))
	}
	for k, v := range rawValues(t, s) {
		if !strings.HasPrefix(v, encMarker) {
			t.Errorf("%s is not encrypted", k)
		}
	}
	// fn's error writes nothing.
	before = fileText(t, s.Path())
	errFn := errors.New("fn failed")
	if err := s.Update(func(d *Document) error { d.Set("A", canary); return errFn }); !errors.Is(err, errFn) {
		t.Errorf("Update = %v, want fn's error", err)
	}
	if fileText(t, s.Path()) != before {
		t.Error("Update wrote although fn failed")
	}
	// A key fn cannot set: the reserved key-check entry.
	if err := s.Update(func(d *Document) error { _, err := d.Set(checkKey, "x"); return err }); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Update setting %s = %v, want ErrInvalidKey", checkKey, err)
	}
}

func keysOfMap(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestEncryptedWritesNeverPlain: every way of writing a value into an
// encrypted store encrypts it, and the reserved entry cannot be touched.
func TestEncryptedWritesNeverPlain(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "KEEP", Value: "k"})
	if _, err := s.Set("S1", canary+"-set"); err != nil {
		t.Fatal(err)
	}
	if ws, err := s.SetMany([]Entry{{Key: "S2", Value: canary + "-many"}, {Key: "S3", Value: canary + "\n" + canary}}); err != nil || len(ws) == 0 {
		t.Fatalf("SetMany = %v, %v; want a warning for the multi-line value, as in a plain store", ws, err)
	}
	if err := s.Update(func(d *Document) error { _, err := d.Set("S4", canary+"-update"); return err }); err != nil {
		t.Fatal(err)
	}
	text, err := s.Text()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceIf(text, append(text, "S5="+canary+"-edit\n"...)); err != nil {
		t.Fatal(err)
	}
	text, _ = s.Text()
	if err := s.Replace(append(text, "S6='"+canary+" replace'\n"...)); err != nil {
		t.Fatal(err)
	}
	if file := fileText(t, s.Path()); strings.Contains(file, canary[:8]) {
		t.Fatal("a value was written in plain text into the encrypted store")
	}
	for k, v := range rawValues(t, s) {
		if !strings.HasPrefix(v, encMarker) {
			t.Errorf("%s is not encrypted", k)
		}
	}
	m, err := p.open(key, nil).Map()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"S1": canary + "-set", "S2": canary + "-many", "S3": canary + "\n" + canary, "S4": canary + "-update", "S5": canary + "-edit", "S6": canary + " replace", "KEEP": "k"} {
		if m[k] != want {
			t.Errorf("%s reads back differently", k)
		}
	}
	// The key-check entry is no key: it cannot be got, set or deleted.
	if _, err := s.Get(checkKey); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(%s) = %v, want ErrNotFound", checkKey, err)
	}
	if _, err := s.Set(checkKey, "x"); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Set(%s) = %v, want ErrInvalidKey", checkKey, err)
	}
	if err := s.Delete(checkKey); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete(%s) = %v, want ErrNotFound", checkKey, err)
	}
	if n, err := s.Clear(); err != nil || n != len(m) {
		t.Errorf("Clear() = %d, %v; want %d", n, err, len(m))
	}
	if enc, err := s.Encrypted(); !enc || err != nil {
		t.Errorf("after Clear, Encrypted() = %v, %v; want the store to stay encrypted", enc, err)
	}
}

// TestEncryptedText: what an editor sees, and how its text is saved.
func TestEncryptedText(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "A", Value: "a"}, Entry{Key: "B", Value: "it's \"q\""})
	if _, err := p.open(nil, nil).Text(); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Text without a key = %v, want ErrNoKey", err)
	}
	r := p.open(key, nil)
	text, err := r.Text()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(text), s.Header()) || !strings.Contains(string(text), "\nA=a\n") {
		t.Errorf("Text does not show the header and the plain values")
	}
	// Another writer in between: ErrChanged, nothing written.
	mustSet(t, s, "C", "c")
	before := fileText(t, s.Path())
	if err := r.ReplaceIf(text, append(text, "D=d\n"...)); !errors.Is(err, ErrChanged) {
		t.Fatalf("ReplaceIf over a changed file = %v, want ErrChanged", err)
	}
	if fileText(t, s.Path()) != before {
		t.Fatal("ReplaceIf wrote over a changed file")
	}
	// A file that does not parse is shown as it is, key-check line and
	// ciphertexts included, and saving the repaired text works.
	broken := before + "not a definition\n"
	putFile(t, s.Path(), broken)
	raw, err := r.Text()
	if err != nil || string(raw) != broken {
		t.Fatalf("Text of a file that does not parse = %v, or not the file", err)
	}
	fixed := strings.Replace(broken, "not a definition\n", "E=e\n", 1)
	if err := r.ReplaceIf(raw, []byte(fixed)); err != nil {
		t.Fatalf("saving the repaired encrypted text = %v", err)
	}
	m, err := r.Map()
	if err != nil || m["A"] != "a" || m["C"] != "c" || m["E"] != "e" {
		t.Fatalf("Map after the repair = %v, %v", m, err)
	}
	if rawValues(t, r)["E"] == "e" {
		t.Error("the repair left E unencrypted")
	}
	// Encrypted text whose key-check entry is another store's is refused.
	q := newEncProject(t)
	q.id = "5b3e4a7c-1d2f-4e6a-9b8c-7d6e5f4a3b2c"
	o, _ := q.encrypted(Entry{Key: "A", Value: "x"})
	foreign := []byte(fileText(t, o.Path()))
	before = fileText(t, s.Path())
	if err := r.Replace(foreign); err == nil || !strings.Contains(err.Error(), "is not this store's") {
		t.Errorf("Replace with another store's encrypted file = %v", err)
	}
	if fileText(t, s.Path()) != before {
		t.Error("a refused Replace wrote")
	}
	// A plain store given encrypted text becomes encrypted, when its key
	// is available.
	pl := newEncProject(t)
	ps, pkey := pl.encrypted(Entry{Key: "A", Value: "secret"})
	enc := []byte(fileText(t, ps.Path()))
	if err := pl.open(pkey, nil).Decrypt(); err != nil {
		t.Fatal(err)
	}
	if err := pl.open(nil, nil).Replace(enc); !errors.Is(err, ErrNoKey) {
		t.Errorf("Replace of a plain store with encrypted text, no key = %v, want ErrNoKey", err)
	}
	if err := pl.open(pkey, nil).Replace(enc); err != nil {
		t.Fatal(err)
	}
	if v, err := pl.open(pkey, nil).Get("A"); err != nil || v != "secret" {
		t.Errorf("Get after Replace with encrypted text = %v", err)
	}
}

// TestEncryptedPythonDialect: a file python-env-secrets rewrote (its
// header, its quoting) stays encrypted, reads, and is converted by the
// next write; a value it added in plain text is an error.
func TestEncryptedPythonDialect(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "A", Value: "value a"}, Entry{Key: "B", Value: "it's #1"}, Entry{Key: "EMPTY", Value: ""})
	raw := rawValues(t, s)
	es := []refEntry{{"A", raw["A"]}, {checkKey, raw[checkKey]}, {"B", raw["B"]}, {"EMPTY", raw["EMPTY"]}}
	for _, h := range pythonHeaders {
		for _, nl := range []string{"\n", "\r\n"} {
			putFile(t, s.Path(), pyEnvSecretsWrite(h, []string{"# Project: ."}, es, nl))
			// What python-env-secrets reads: the ciphertexts, no error.
			got, err := refRead([]byte(fileText(t, s.Path())))
			if err != nil || refMap(got)["A"] != raw["A"] {
				t.Fatalf("python-env-secrets' reader: %v", err)
			}
			r := p.open(nil, newMemKeys(strings.ToLower(fixtureID), key))
			if enc, err := r.Encrypted(); !enc || err != nil {
				t.Fatalf("%q: Encrypted() = %v, %v", h, enc, err)
			}
			m, err := r.Map()
			if err != nil || m["A"] != "value a" || m["B"] != "it's #1" || m["EMPTY"] != "" || len(m) != 3 {
				t.Fatalf("%q: Map = %v", h, err)
			}
			if l, err := p.open(nil, failKeys{t}).List(); err != nil || len(l) != 3 || !l[2].Empty {
				t.Errorf("%q: List = %v, %v", h, l, err)
			}
			text, err := r.Text()
			if err != nil || strings.Contains(string(text), "Python") || !strings.Contains(string(text), "\nA='value a'"+nl) && !strings.Contains(string(text), "\nA=value a"+nl) {
				t.Errorf("%q: Text = %v, or not converted to this grammar with plain values", h, err)
			}
			mustSet(t, r, "C", "c")
			file := fileText(t, s.Path())
			if strings.Contains(file, "Python") || !strings.Contains(file, rawLine(t, s, "A")) || rawValues(t, s)["A"] != raw["A"] {
				t.Errorf("%q: the write did not convert the file keeping the ciphertexts", h)
			}
			if m, err := r.Map(); err != nil || m["C"] != "c" || m["A"] != "value a" {
				t.Errorf("%q: Map after the write = %v", h, err)
			}
		}
	}
	// python-env-secrets set a value, in plain text.
	putFile(t, s.Path(), pyEnvSecretsWrite(pythonHeaders[0], nil, append(es, refEntry{"PY", "from python"}), "\n"))
	_, err := p.open(key, nil).All()
	wantValueError(t, "All", err, s, "PY", 6)
}

// TestInjectEncrypted: the environment helper reads an encrypted store
// with the key from the source, or fails naming what to do.
func TestInjectEncrypted(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	_, key := p.encrypted(Entry{Key: "API_KEY", Value: canary})
	got := map[string]string{}
	opts := InjectOptions{
		Options: Options{ProjectDir: p.dir, ID: p.id, Root: p.root, LookupEnv: emptyEnv, Keys: newMemKeys(strings.ToLower(fixtureID), key)},
		Setenv:  func(k, v string) error { got[k] = v; return nil },
	}
	set, err := Inject(opts)
	if err != nil || len(set) != 1 || got["API_KEY"] != canary {
		t.Fatalf("Inject = %v, %v", set, err)
	}
	if _, ok := got[checkKey]; ok {
		t.Error("Inject set the key-check entry")
	}
	opts.Keys = nil
	if _, err := Inject(opts); !errors.Is(err, ErrNoKey) {
		t.Errorf("Inject without a key = %v, want ErrNoKey", err)
	}
}

// TestNoSecretInEncryptionErrors provokes every error path of encrypted
// stores with the canary as a value, in the key source's key and in the
// environment, and checks that no error holds it, a ciphertext or a key.
func TestNoSecretInEncryptionErrors(t *testing.T) {
	c := &leakChecker{t: t}
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "API_KEY", Value: canary}, Entry{Key: "OTHER", Value: canary + "2"})
	raw := rawValues(t, s)
	other, _ := NewKey()
	secretTexts := []string{FormatKey(key), FormatKey(key)[5:25], FormatKey(other)[5:25], raw["API_KEY"][7:30], raw["OTHER"][7:30], raw[checkKey][7:30]}
	checkSecrets := func(what string, err error) {
		t.Helper()
		c.run(what, func() error { return err })
		if err == nil {
			return
		}
		for _, x := range secretTexts {
			if strings.Contains(err.Error(), x) {
				t.Errorf("%s: the error holds key material or a ciphertext", what)
			}
		}
	}
	lower := strings.ToLower(fixtureID)
	stores := map[string]*Store{
		"no key":          p.open(nil, nil),
		"wrong env key":   p.open(other, nil),
		"wrong source":    p.open(nil, newMemKeys(lower, other)),
		"source fails":    p.open(nil, &memKeys{err: errors.New("keychain locked")}),
		"malformed env":   p.openEnv("usk1:" + canary),
		"env is a secret": p.openEnv(canary),
	}
	for name, r := range stores {
		k2, _ := NewKey()
		_, err := r.All()
		checkSecrets(name+": All", err)
		_, err = r.Get("API_KEY")
		checkSecrets(name+": Get", err)
		_, err = r.Text()
		checkSecrets(name+": Text", err)
		_, err = r.Key()
		checkSecrets(name+": Key", err)
		_, err = r.Set("API_KEY", canary)
		checkSecrets(name+": Set", err)
		checkSecrets(name+": Update", r.Update(func(d *Document) error { _, err := d.Set("X", canary); return err }))
		checkSecrets(name+": Replace", r.Replace([]byte("API_KEY="+canary+"\n")))
		checkSecrets(name+": Decrypt", r.Decrypt())
		checkSecrets(name+": Rekey", r.Rekey(k2, nil))
	}
	checkSecrets("CheckKey(wrong)", s.CheckKey(other))
	checkSecrets("Encrypt(encrypted)", s.Encrypt(key, nil))
	checkSecrets("Encrypt(short key)", s.Encrypt([]byte(canary), nil))
	_, err := ParseKey("usk1:" + canary)
	checkSecrets("ParseKey", err)
	_, err = ParseKey(canary)
	checkSecrets("ParseKey(no prefix)", err)

	// Damaged and moved values, the canary's among them.
	damaged := map[string]string{
		"moved":         "API_KEY=" + raw["OTHER"],
		"truncated":     "API_KEY=" + raw["API_KEY"][:len(raw["API_KEY"])-8],
		"bad base64":    "API_KEY=enc:v1:" + canary,
		"unmarked":      "API_KEY=" + canary,
		"newer version": "API_KEY=enc:v9:" + canary,
		"check damaged": checkKey + "=" + raw["API_KEY"],
	}
	for name, line := range damaged {
		q := newEncProject(t)
		qs, qkey := q.encrypted(Entry{Key: "API_KEY", Value: canary}, Entry{Key: "OTHER", Value: canary + "2"})
		qraw := rawValues(t, qs)
		line = strings.NewReplacer(raw["OTHER"], qraw["OTHER"], raw["API_KEY"], qraw["API_KEY"]).Replace(line)
		k, _, _ := strings.Cut(line, "=")
		replaceLine(t, qs, k, line)
		secretTexts = append(secretTexts, qraw["API_KEY"][7:30], qraw["OTHER"][7:30], FormatKey(qkey)[5:25])
		qr := q.open(qkey, nil)
		_, err := qr.All()
		checkSecrets(name+": All", err)
		_, err = qr.Get("API_KEY")
		checkSecrets(name+": Get", err)
		_, err = qr.Text()
		if name != "unmarked" {
			checkSecrets(name+": Text", err)
		}
		checkSecrets(name+": Rekey", qr.Rekey(key, nil))
		checkSecrets(name+": Decrypt", func() error {
			if name == "unmarked" {
				return errors.New("(Decrypt keeps an unmarked value)")
			}
			return qr.Decrypt()
		}())
		if strings.Contains(fileText(t, qs.Path()), canary) != (name == "unmarked" || name == "bad base64" || name == "newer version") {
			t.Errorf("%s: a failed write changed what the file holds", name)
		}
	}
	t.Logf("%d error paths provoked", c.errors)
}

// openEnv returns a Store of the project whose $USER_SECRETS_KEY is text.
func (p *encProject) openEnv(text string) *Store {
	p.t.Helper()
	s, err := Open(Options{ProjectDir: p.dir, ID: p.id, Root: p.root, LookupEnv: lookupIn(map[string]string{EnvKey: text})})
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// TestEncryptedMissingFile: reads of a missing file ask for no key, and
// Decrypt refuses it without creating it.
func TestEncryptedMissingFile(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s := p.open(nil, failKeys{t})
	if enc, err := s.Encrypted(); enc || err != nil {
		t.Errorf("Encrypted() of a missing file = %v, %v", enc, err)
	}
	if all, err := s.All(); all != nil || err != nil {
		t.Errorf("All() of a missing file = %v, %v", all, err)
	}
	if err := s.Decrypt(); err == nil {
		t.Error("Decrypt of a missing file: no error")
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused Decrypt created the file")
	}
}

// TestEncryptedClear: Clear removes every secret of an encrypted store and
// keeps its key-check entry, wherever that entry stands in the file (a
// key set after Encrypt comes after it).
func TestEncryptedClear(t *testing.T) {
	t.Parallel()
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "A", Value: "a"})
	mustSet(t, s, "B", canary)
	r := p.open(key, nil)
	if n, err := r.Clear(); err != nil || n != 2 {
		t.Fatalf("Clear = %d, %v; want 2 secrets removed", n, err)
	}
	raw := rawValues(t, s)
	if _, ok := raw[checkKey]; !ok || len(raw) != 1 {
		t.Errorf("after Clear the file holds %d entries (the key-check entry among them: %v), want that entry alone", len(raw), ok)
	}
	if err := p.open(key, nil).Decrypt(); err != nil {
		t.Errorf("Decrypt after Clear = %v", err)
	}
}
