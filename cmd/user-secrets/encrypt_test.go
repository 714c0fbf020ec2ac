package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/corpus"
	"github.com/go-user-secrets/user-secrets/internal/fsutil"
	"github.com/go-user-secrets/user-secrets/keychain"
)

// cli runs commands in-process against a store root and a keychain
// stand-in of its own, for the project of one ID.
type cli struct {
	t    *testing.T
	root string
	id   string
	keys fileKeychain
	env  map[string]string // the environment, USER_SECRETS_DIR included
}

func newCLI(t *testing.T, id string) *cli {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "store")
	return &cli{t: t, root: root, id: id, keys: fileKeychain(filepath.Join(dir, "keychain")),
		env: map[string]string{"USER_SECRETS_DIR": root, "HOME": dir}}
}

// run runs user-secrets --id <id> args with stdin, and returns the error
// and both streams as the user would see them ("user-secrets: error: …"
// included).
func (c *cli) run(stdin string, args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	f := &Factory{
		IO:        &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, InFd: -1},
		Keys:      c.keys,
		LookupEnv: c.lookupEnv,
	}
	root := newRootCmd(f)
	root.SetArgs(append([]string{"--id", c.id}, args...))
	err = root.Execute()
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			c.t.Fatalf("%q: a usage error: %v", args, err)
		}
		fmt.Fprintf(&errOut, "user-secrets: error: %v\n", err)
	}
	return out.String(), errOut.String(), err
}

// ok runs args and fails the test if they fail.
func (c *cli) ok(stdin string, args ...string) (stdout, stderr string) {
	c.t.Helper()
	stdout, stderr, err := c.run(stdin, args...)
	if err != nil {
		c.t.Fatalf("%q: %v", args, err) // messages never hold a value
	}
	return stdout, stderr
}

func (c *cli) file() string { return filepath.Join(c.root, c.id, ".secrets") }

func (c *cli) read() string {
	c.t.Helper()
	b, err := os.ReadFile(c.file())
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

func (c *cli) write(text string) {
	c.t.Helper()
	if err := os.WriteFile(c.file(), []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

const (
	projectA = "0b5a4a36-3f7e-4d8c-9a4e-4a1f6f7a1b2c"
	projectB = "7d2e9c4b-1a3f-4e5d-8b6c-2f1e0d9c8b7a"
)

// TestEncryptRoundTrip takes every value of the differential corpus
// through set, encrypt, set, get, export and decrypt, one command at a
// time as a user types them.
func TestEncryptRoundTrip(t *testing.T) {
	t.Parallel()
	c := newCLI(t, projectA)
	values := corpus.Values()
	key := func(i int) string { return fmt.Sprintf("V%03d", i) }
	half := len(values) / 2
	for i, v := range values[:half] {
		c.ok("", "set", key(i), v.Value)
	}
	c.ok("", "encrypt")
	for i, v := range values[half:] {
		c.ok("", "set", key(half+i), v.Value) // written encrypted
	}
	c.ok("", "set", key(0), values[0].Value) // a value set again

	file := c.read()
	for i, v := range values {
		if len(v.Value) >= 4 && strings.Contains(file, v.Value) {
			t.Errorf("%s: the value is in the encrypted file", v.Kind)
		}
		if !regexp.MustCompile(`(?m)^` + key(i) + `=enc:v1:[A-Za-z0-9_-]+$`).MatchString(file) {
			t.Errorf("%s: no encrypted line for %s", v.Kind, key(i))
		}
	}
	check := func(when string) {
		t.Helper()
		for i, v := range values {
			if out, _ := c.ok("", "get", key(i)); out != v.Value+"\n" {
				t.Errorf("%s: get %s %s: not the value set", when, key(i), v.Kind)
			}
		}
		out, _ := c.ok("", "export", "--format", "json")
		var m map[string]string
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%s: export --format json: %v", when, err)
		}
		for i, v := range values {
			if m[key(i)] != v.Value {
				t.Errorf("%s: export: %s %s is not the value set", when, key(i), v.Kind)
			}
		}
		if len(m) != len(values) {
			t.Errorf("%s: export has %d keys, want %d", when, len(m), len(values))
		}
	}
	check("encrypted")
	c.ok("", "decrypt")
	if strings.Contains(c.read(), "enc:v1:") {
		t.Error("decrypt left an encrypted value")
	}
	check("decrypted")
}

// canary is the value the error tests store: it must never be printed.
const canary = "sk_live_CANARY_7d1e"

// encryptedCLI returns a cli whose store holds API_KEY=canary and
// OTHER=other-value, encrypted, with its key in the keychain.
func encryptedCLI(t *testing.T, id string) *cli {
	t.Helper()
	c := newCLI(t, id)
	c.ok("", "set", "API_KEY", canary)
	c.ok("", "set", "OTHER", "other-value")
	c.ok("", "encrypt")
	return c
}

// lineOf returns the line of key in text, without its end.
func lineOf(t *testing.T, text, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `=.*$`).FindString(text)
	if m == "" {
		t.Fatalf("no line for %s", key)
	}
	return m
}

// TestEncryptedErrors: an encrypted store that was tampered with, or whose
// key is wrong or cannot be had, gives an error that names the file, and
// the key or the key's source: exit 1, never a value, never a crash.
func TestEncryptedErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(t *testing.T, c *cli)
		// bad is the key whose value cannot be read, or "" when no value
		// can (no key, or a wrong one).
		bad  string
		want []string // in the error
	}{
		{
			name: "tampered ciphertext",
			prepare: func(t *testing.T, c *cli) {
				text := c.read()
				line := lineOf(t, text, "API_KEY")
				flip := line[:len(line)-5] + map[bool]string{true: "A", false: "B"}[line[len(line)-5] != 'A'] + line[len(line)-4:]
				c.write(strings.Replace(text, line, flip, 1))
			},
			bad:  "API_KEY",
			want: []string{`the value of "API_KEY" does not decrypt`},
		},
		{
			name: "damaged ciphertext",
			prepare: func(t *testing.T, c *cli) {
				text := c.read()
				line := lineOf(t, text, "API_KEY")
				c.write(strings.Replace(text, line, line[:20], 1))
			},
			bad:  "API_KEY",
			want: []string{`the value of "API_KEY"`},
		},
		{
			name: "value moved to another key",
			prepare: func(t *testing.T, c *cli) {
				text := c.read()
				api, other := lineOf(t, text, "API_KEY"), lineOf(t, text, "OTHER")
				c.write(strings.Replace(text, other, "OTHER="+strings.TrimPrefix(api, "API_KEY="), 1))
			},
			bad:  "OTHER",
			want: []string{`the value of "OTHER" does not decrypt`, "copied from another key or another project"},
		},
		{
			name: "value moved from another project",
			prepare: func(t *testing.T, c *cli) {
				// Project B holds the same key, and its own API_KEY.
				b := &cli{t: t, root: c.root, id: projectB, keys: c.keys, env: c.env}
				b.ok("", "set", "API_KEY", canary+"-b")
				key, err := c.keys.Key(c.id)
				if err != nil {
					t.Fatal(err)
				}
				s, err := core.Open(core.Options{ID: projectB, Root: c.root, LookupEnv: c.lookupEnv})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Encrypt(key, nil); err != nil {
					t.Fatal(err)
				}
				text := c.read()
				c.write(strings.Replace(text, lineOf(t, text, "API_KEY"), lineOf(t, b.read(), "API_KEY"), 1))
			},
			bad:  "API_KEY",
			want: []string{`the value of "API_KEY" does not decrypt`},
		},
		{
			name: "wrong key in USER_SECRETS_KEY",
			prepare: func(t *testing.T, c *cli) {
				key, _ := core.NewKey()
				c.env[core.EnvKey] = core.FormatKey(key)
			},
			want: []string{"the key from $USER_SECRETS_KEY is not this store's key"},
		},
		{
			name: "USER_SECRETS_KEY that is no key",
			prepare: func(t *testing.T, c *cli) {
				c.env[core.EnvKey] = canary
			},
			want: []string{"$USER_SECRETS_KEY is not a user-secrets key"},
		},
		{
			name: "wrong key in the keychain",
			prepare: func(t *testing.T, c *cli) {
				key, _ := core.NewKey()
				if err := c.keys.SetKey(c.id, key); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"the key from the OS keychain is not this store's key"},
		},
		{
			name: "no key in the keychain",
			prepare: func(t *testing.T, c *cli) {
				if err := c.keys.DeleteKey(c.id); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"no key for the encrypted store", "USER_SECRETS_KEY", "user-secrets key import"},
		},
		{
			name:    "no keychain",
			prepare: func(t *testing.T, c *cli) { c.keys = "none" },
			want:    []string{"no keychain available", "USER_SECRETS_KEY"},
		},
		{
			name:    "keychain locked",
			prepare: func(t *testing.T, c *cli) { c.keys = "locked" },
			want:    []string{"keychain locked: unlock it or set USER_SECRETS_KEY"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := encryptedCLI(t, projectA)
			tt.prepare(t, c)
			// The commands that must fail: those that read the value that
			// cannot be read; with no key, or a wrong one, every command
			// that reads or writes a value.
			fail := [][]string{{"list"}, {"list", "--reveal"}, {"export"}, {"run", "--", "true"}, {"decrypt"}}
			want := tt.want
			if tt.bad != "" {
				fail = append(fail, []string{"get", tt.bad})
				want = append(want, fmt.Sprintf("%s:%d:", c.file(), lineNumber(t, c.read(), tt.bad)))
			} else {
				fail = append(fail, []string{"get", "API_KEY"}, []string{"set", "NEW", "new-value"},
					[]string{"delete", "OTHER"}, []string{"key", "export"})
				want = append(want, c.file())
			}
			before := c.read()
			for _, args := range fail {
				stdout, stderr, err := c.run("", args...)
				switch {
				case err == nil:
					t.Errorf("%q succeeded", args)
					continue
				case strings.Contains(stdout+stderr, canary) || strings.Contains(stdout+stderr, "other-value"):
					t.Errorf("%q printed a value", args)
				case args[0] != "run" && stdout != "":
					t.Errorf("%q printed %d bytes on stdout", args, len(stdout))
				}
				for _, w := range want {
					if !strings.Contains(stderr, w) {
						t.Errorf("%q: error %q, want it to hold %q", args, stderr, w)
					}
				}
				if c.read() != before {
					t.Fatalf("%q failed, and changed the file", args)
				}
			}
			// What needs no key still works.
			for _, args := range [][]string{{"list", "--keys"}, {"info"}, {"projects"}} {
				if _, stderr, err := c.run("", args...); err != nil {
					t.Errorf("%q: %v", args, err)
				} else if strings.Contains(stderr, canary) {
					t.Errorf("%q printed a value", args)
				}
			}
		})
	}
}

// lineNumber returns the 1-based line of key's definition in text.
func lineNumber(t *testing.T, text, key string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, key+"=") {
			return i + 1
		}
	}
	t.Fatalf("no line for %s", key)
	return 0
}

// lookupEnv reads c's environment.
func (c *cli) lookupEnv(k string) (string, bool) {
	v, ok := c.env[k]
	return v, ok
}

// TestEncryptUndoesTheKey: when the store cannot be converted once the
// new key is in the keychain, that key is removed again.
func TestEncryptUndoesTheKey(t *testing.T) {
	t.Parallel()
	c := newCLI(t, projectA)
	c.ok("", "set", "API_KEY", canary)
	keys := &failingKeys{fileKeychain: c.keys, hook: func() { blockWrite(t, c.file()) }}
	f := c.factory(keys)
	err := runEncrypt(&EncryptOptions{F: f})
	if err == nil {
		t.Fatal("encrypt succeeded with a write that cannot land")
	}
	if keys.calls != 1 {
		t.Fatalf("encrypt called SetKey %d times, want 1", keys.calls)
	}
	if _, err := c.keys.Key(projectA); !errors.Is(err, core.ErrNoKey) {
		t.Errorf("after a failed encrypt the keychain holds a key (%v)", err)
	}
	if strings.Contains(err.Error(), canary) || strings.Contains(f.IO.ErrOut.(*bytes.Buffer).String(), canary) {
		t.Error("encrypt printed a value")
	}
}

// blockWrite makes the secrets file a directory, which no new file can be
// renamed over, and moves the file aside.
func blockWrite(t *testing.T, file string) {
	t.Helper()
	if err := os.Rename(file, file+".moved"); err != nil {
		t.Error(err)
	}
	if err := os.MkdirAll(filepath.Join(file, "x"), 0o700); err != nil {
		t.Error(err)
	}
}

// failingKeys is a keychain stand-in whose SetKey fails from the n-th
// call on (counting from 1), or runs hook first when set.
type failingKeys struct {
	fileKeychain
	n, calls int
	hook     func()
}

func (k *failingKeys) SetKey(id string, key []byte) error {
	k.calls++
	if k.hook != nil {
		k.hook()
	}
	if k.n > 0 && k.calls >= k.n {
		return fmt.Errorf("store the key of store %s in the keychain: %w", id, keychain.ErrLocked)
	}
	return k.fileKeychain.SetKey(id, key)
}

// TestRotateFailures: a key the keychain does not take leaves the store
// and the key as they were; a write that fails once the new key is stored
// puts the old key back.
func TestRotateFailures(t *testing.T) {
	t.Parallel()
	t.Run("keychain refuses the new key", func(t *testing.T) {
		t.Parallel()
		c := encryptedCLI(t, projectA)
		old, _ := c.keys.Key(projectA)
		before := c.read()
		err := runKeyRotate(&KeyOptions{F: c.factory(&failingKeys{fileKeychain: c.keys, n: 1})})
		if !errors.Is(err, keychain.ErrLocked) || !strings.Contains(err.Error(), "the key is unchanged") {
			t.Errorf("rotate = %v, want the keychain's error and that the key is unchanged", err)
		}
		if now, _ := c.keys.Key(projectA); !bytes.Equal(now, old) {
			t.Error("the keychain's key changed")
		}
		if c.read() != before {
			t.Error("the file changed")
		}
	})
	t.Run("write fails after the new key is stored", func(t *testing.T) {
		t.Parallel()
		c := encryptedCLI(t, projectA)
		old, _ := c.keys.Key(projectA)
		// Once the new key is in the keychain, the write cannot land.
		keys := &failingKeys{fileKeychain: c.keys}
		keys.hook = func() {
			if keys.calls == 1 { // not when putting the old key back
				blockWrite(t, c.file())
			}
		}
		err := runKeyRotate(&KeyOptions{F: c.factory(keys)})
		if err == nil {
			t.Fatal("rotate succeeded with a write that cannot land")
		}
		if now, _ := c.keys.Key(projectA); !bytes.Equal(now, old) {
			t.Errorf("the old key is not back in the keychain (%v)", err)
		}
	})
}

func (c *cli) factory(keys keyStore) *Factory {
	var out, errOut bytes.Buffer
	return &Factory{
		IO:        &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, InFd: -1},
		ID:        c.id,
		Keys:      keys,
		LookupEnv: c.lookupEnv,
	}
}

// TestEncryptConcurrent: of two encrypts of one store, the one that loses
// leaves the winner's key in the keychain, so the store stays readable.
// The second encrypt starts while the first stores its key: it runs to
// its end then, unless the first holds the store's lock (as it must: the
// second then waits for it).
func TestEncryptConcurrent(t *testing.T) {
	t.Parallel()
	c := newCLI(t, projectA)
	c.ok("", "set", "API_KEY", canary)
	second := make(chan error, 1)
	keys := &failingKeys{fileKeychain: c.keys}
	keys.hook = func() {
		if keys.calls != 1 {
			return
		}
		go func() { second <- runEncrypt(&EncryptOptions{F: c.factory(c.keys)}) }()
		unlock, err := fsutil.Lock(c.file()+".lock", 0)
		if err != nil {
			return // the store is locked: the second encrypt waits
		}
		unlock()
		second <- <-second // the second encrypt ran to its end
	}
	first := runEncrypt(&EncryptOptions{F: c.factory(keys)})
	other := <-second
	if first != nil && other != nil {
		t.Fatalf("both encrypts failed: %v; %v", first, other)
	}
	s, err := core.Open(core.Options{ID: projectA, Root: c.root, Keys: c.keys, LookupEnv: c.lookupEnv, ProjectDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get("API_KEY"); err != nil || v != canary {
		t.Errorf("after two encrypts, the keychain's key does not open the store: %v", err)
	}
}

// TestRotateLosesNoKey: a rotate whose write fails puts back the key the
// file holds when it fails, even if another rotate changed it since the
// first began; if the keychain takes no key back, the file's key is
// printed on stdout.
func TestRotateLosesNoKey(t *testing.T) {
	t.Parallel()
	t.Run("another rotate meanwhile", func(t *testing.T) {
		t.Parallel()
		c := encryptedCLI(t, projectA)
		second := make(chan error, 1)
		keys := &hookedKeys{fileKeychain: c.keys}
		keys.key = func() {
			keys.key = nil
			// The other rotate runs once this one has the old key,
			// unless this one holds the store's lock: it then waits.
			go func() { second <- runKeyRotate(&KeyOptions{F: c.factory(c.keys)}) }()
			if unlock, err := fsutil.Lock(c.file()+".lock", 0); err == nil {
				unlock()
				second <- <-second
			}
		}
		keys.set = func() { keys.set = nil; blockWrite(t, c.file()) }
		if err := runKeyRotate(&KeyOptions{F: c.factory(keys)}); err == nil {
			t.Fatal("rotate succeeded with a write that cannot land")
		}
		unblockWrite(t, c.file())
		<-second
		wantReadable(t, c)
	})
	t.Run("the keychain takes no key back", func(t *testing.T) {
		t.Parallel()
		c := encryptedCLI(t, projectA)
		old, _ := c.keys.Key(projectA)
		keys := &failingKeys{fileKeychain: c.keys, n: 2}
		keys.hook = func() {
			if keys.calls == 1 {
				blockWrite(t, c.file())
			}
		}
		f := c.factory(keys)
		err := runKeyRotate(&KeyOptions{F: f})
		if err == nil || !strings.Contains(err.Error(), "user-secrets key import") || strings.Contains(err.Error(), "usk1:") {
			t.Fatalf("rotate = %v, want an error saying to import the printed key, without it", err)
		}
		if out := f.IO.Out.(*bytes.Buffer).String(); out != core.FormatKey(old)+"\n" {
			t.Error("rotate did not print the file's key on stdout")
		}
		unblockWrite(t, c.file())
		if err := c.keys.SetKey(projectA, old); err != nil {
			t.Fatal(err)
		}
		wantReadable(t, c)
	})
}

// hookedKeys is a keychain stand-in that runs key after Key and set
// before SetKey, when not nil.
type hookedKeys struct {
	fileKeychain
	key, set func()
}

func (k *hookedKeys) Key(id string) ([]byte, error) {
	key, err := k.fileKeychain.Key(id)
	if k.key != nil {
		k.key()
	}
	return key, err
}

func (k *hookedKeys) SetKey(id string, key []byte) error {
	if k.set != nil {
		k.set()
	}
	return k.fileKeychain.SetKey(id, key)
}

// unblockWrite undoes blockWrite.
func unblockWrite(t *testing.T, file string) {
	t.Helper()
	if err := os.RemoveAll(file); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(file+".moved", file); err != nil {
		t.Fatal(err)
	}
}

// wantReadable fails the test unless the keychain's key opens c's store.
func wantReadable(t *testing.T, c *cli) {
	t.Helper()
	s, err := core.Open(core.Options{ID: c.id, Root: c.root, Keys: c.keys, LookupEnv: c.lookupEnv, ProjectDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Key(); err != nil {
		t.Errorf("the keychain's key does not open the store: %v", err)
	}
}
