package koanfprovider

import (
	"errors"
	"strings"
	"testing"

	"github.com/knadh/koanf/parsers/dotenv"
	"github.com/knadh/koanf/v2"

	"github.com/go-user-secrets/user-secrets/core"
)

// keySource is an in-memory core.KeySource holding one store's key.
type keySource struct {
	id  string
	key []byte
}

func (k keySource) Key(id string) ([]byte, error) {
	if id != k.id {
		return nil, core.ErrNoKey
	}
	return k.key, nil
}

// TestEncryptedStore: an encrypted store reads transparently with the key
// from Options.Keys or from $USER_SECRETS_KEY, and fails naming what to do
// without one.
func TestEncryptedStore(t *testing.T) {
	p := newProject(t)
	p.set(t, "DB.PASSWORD", canary, "PLAIN", "p")
	key, err := core.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.store.Encrypt(key, nil); err != nil {
		t.Fatal(err)
	}

	opts := p.opts()
	_, err = Provider(opts).Read()
	if !errors.Is(err, core.ErrNoKey) || !strings.Contains(err.Error(), core.EnvKey) {
		t.Fatalf("Read without a key = %v, want ErrNoKey naming %s", err, core.EnvKey)
	}
	if strings.Contains(err.Error(), canary) {
		t.Fatal("the error holds the secret value")
	}

	opts.Keys = keySource{id: testID, key: key}
	load(t, "Options.Keys", opts)
	p.env[core.EnvKey] = core.FormatKey(key)
	load(t, "USER_SECRETS_KEY", p.opts())
}

// load loads the provider with opts, through Read and through ReadBytes,
// and checks the values of TestEncryptedStore.
func load(t *testing.T, name string, opts Options) {
	t.Helper()
	k := koanf.New(".")
	if err := k.Load(Provider(opts), nil); err != nil {
		t.Fatalf("%s: Load = %v", name, err)
	}
	if k.String("DB.PASSWORD") != canary || k.String("PLAIN") != "p" || len(k.Keys()) != 2 {
		t.Errorf("%s: Load read %v", name, k.Keys())
	}
	k = koanf.New(".")
	if err := k.Load(Provider(opts), dotenv.Parser()); err != nil {
		t.Fatalf("%s: Load with dotenv.Parser = %v", name, err)
	}
	if k.String("DB.PASSWORD") != canary {
		t.Errorf("%s: ReadBytes did not carry the decrypted value", name)
	}
}
