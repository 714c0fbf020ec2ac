package viperremote

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/viper"

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

// TestMergeEncrypted: Merge reads an encrypted store with the key from
// Options.Keys, and without one merges nothing and names what to do.
func TestMergeEncrypted(t *testing.T) {
	p := newProject(t)
	p.set(t, "API_KEY", canary, "DB.HOST", "db")
	key, err := core.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.store.Encrypt(key, nil); err != nil {
		t.Fatal(err)
	}

	v := viper.New()
	err = Merge(v, p.opts)
	if !errors.Is(err, core.ErrNoKey) || len(v.AllKeys()) != 0 {
		t.Fatalf("Merge without a key = %v, merged %v; want ErrNoKey and nothing", err, v.AllKeys())
	}
	noCanary(t, "the error", err.Error())

	opts := p.opts
	opts.Keys = keySource{id: strings.ToLower(p.store.ID()), key: key}
	v = viper.New()
	if err := Merge(v, opts); err != nil {
		t.Fatal(err)
	}
	if v.GetString("api_key") != canary || v.GetString("db.host") != "db" || len(v.AllKeys()) != 2 {
		t.Errorf("Merge read %v", v.AllKeys())
	}
}
