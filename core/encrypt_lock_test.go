package core

import (
	"errors"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/internal/fsutil"
)

// lockProbeKeys is a KeySource that, when asked, checks whether the
// store's write lock is free: a slow key source (a keychain waiting to be
// unlocked) must never be asked while a write holds the lock.
type lockProbeKeys struct {
	*memKeys
	t    *testing.T
	lock string // the store's lock file
}

func (k lockProbeKeys) Key(id string) ([]byte, error) {
	unlock, err := fsutil.Lock(k.lock, 10*time.Millisecond)
	if err != nil {
		k.t.Errorf("the key source was asked while the store's lock was held (%v)", err)
	} else {
		unlock()
	}
	return k.memKeys.Key(id)
}

// TestWriteLooksKeyUpBeforeLock: every write to an encrypted store asks
// the key source before it takes the store's lock, and under the lock
// uses the key it found; after another process rekeyed the store
// meanwhile, it looks the new key up (again outside the lock).
func TestWriteLooksKeyUpBeforeLock(t *testing.T) {
	p := newEncProject(t)
	s, key := p.encrypted(Entry{Key: "A", Value: "one"})
	src := lockProbeKeys{memKeys: newMemKeys(p.id, key), t: t, lock: s.Path() + ".lock"}
	w := p.open(nil, src)
	if _, err := w.Set("B", "two"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := w.Delete("A"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if n := src.calls(); n != 1 {
		t.Errorf("the key source was asked %d times for two writes, want once (the key is kept)", n)
	}

	// Another process rekeys the store: the next write looks again.
	newKey, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	other := p.open(nil, newMemKeys(p.id, key))
	if err := other.Rekey(newKey, nil); err != nil {
		t.Fatalf("Rekey: %v", err)
	}
	src.memKeys.mu.Lock()
	src.memKeys.keys[p.id] = newKey
	src.memKeys.mu.Unlock()
	if _, err := w.Set("C", "three"); err != nil {
		t.Fatalf("Set after a rekey: %v", err)
	}
	if n := src.calls(); n != 2 {
		t.Errorf("the key source was asked %d times in all, want twice (once more after the rekey)", n)
	}
	if v, err := p.open(newKey, nil).Get("C"); err != nil || v != "three" {
		t.Errorf(`Get("C") after the rekey: err %v, right value %v`, err, v == "three")
	}
	if _, err := w.Get("A"); !errors.Is(err, ErrNotFound) {
		t.Errorf(`Get("A") = %v, want ErrNotFound`, err)
	}
}
