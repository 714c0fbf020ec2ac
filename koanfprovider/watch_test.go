package koanfprovider

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
	"github.com/knadh/koanf/parsers/dotenv"
	"github.com/knadh/koanf/v2"
	"go.uber.org/goleak"
)

const (
	testDebounce = 50 * time.Millisecond
	// burstDebounce is for changes made of several syscalls, long enough
	// that a loaded machine does not split one into two bursts.
	burstDebounce = 250 * time.Millisecond
	// quiet is how long, beyond the debounce, no further call means none.
	quiet    = 150 * time.Millisecond
	patience = 5 * time.Second // a call that must come comes within this
)

// event is one call of a Watch callback.
type event struct {
	ev  any
	err error
}

// calls records a provider's Watch callbacks.
type calls struct {
	ch chan event
	d  time.Duration // the provider's debounce
}

// watching starts p.Watch with a recording callback; Unwatch runs when the
// test ends.
func watching(t *testing.T, p *UserSecrets) *calls {
	t.Helper()
	ch := &calls{ch: make(chan event, 100), d: p.opts.Debounce}
	if ch.d == 0 {
		ch.d = secrets.DefaultDebounce
	}
	if err := p.Watch(func(ev any, err error) { ch.ch <- event{ev, err} }); err != nil {
		t.Fatalf("Watch() = %v", err)
	}
	t.Cleanup(func() {
		if err := p.Unwatch(); err != nil {
			t.Errorf("Unwatch() = %v", err)
		}
	})
	return ch
}

// expect waits for exactly one callback after what, checks it, and returns
// it.
func expect(t *testing.T, c *calls, what string) event {
	t.Helper()
	var e event
	select {
	case e = <-c.ch:
	case <-time.After(patience):
		t.Fatalf("after %s: no callback in %v", what, patience)
	}
	select {
	case e2 := <-c.ch:
		t.Fatalf("after %s: a second callback (%v, %v)", what, e2.ev, e2.err)
	case <-time.After(c.d + quiet):
	}
	noCanary(t, e.err)
	return e
}

func expectNone(t *testing.T, c *calls, what string) {
	t.Helper()
	select {
	case e := <-c.ch:
		t.Fatalf("after %s: unexpected callback (%v, %v)", what, e.ev, e.err)
	case <-time.After(c.d + quiet):
	}
}

// reload loads the provider into a fresh koanf, as a callback would.
func reload(t *testing.T, p *UserSecrets) *koanf.Koanf {
	t.Helper()
	k := koanf.New(".")
	mustLoad(t, k, p, dotenv.Parser())
	return k
}

// TestWatch changes the secrets file in each way it can change and checks
// that each change makes exactly one callback, after which a reload sees
// the new value.
func TestWatch(t *testing.T) {
	t.Parallel()
	type change func(t *testing.T, p *project, value string)
	tests := []struct {
		name     string
		create   bool          // the store exists before Watch
		debounce time.Duration // zero: testDebounce
		change   change
	}{
		{"in-place write", true, 0, func(t *testing.T, p *project, v string) {
			f, err := os.OpenFile(p.store.Path(), os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString("A=" + v + "\n"); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"Store.Set (temp file and rename)", true, 0, func(t *testing.T, p *project, v string) {
			p.set(t, "A", v)
		}},
		{"vim-style save", true, burstDebounce, func(t *testing.T, p *project, v string) {
			path := p.store.Path()
			writeFile(t, path+"~", readFile(t, path)) // backup
			if err := os.Rename(path, path+".away"); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, "A="+v+"\n")
			for _, f := range []string{path + "~", path + ".away"} {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"store created after Watch", false, 0, func(t *testing.T, p *project, v string) {
			p.set(t, "A", v)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t)
			if tt.create {
				p.set(t, "A", "0")
			}
			opts := p.opts()
			opts.Debounce = testDebounce
			if tt.debounce != 0 {
				opts.Debounce = tt.debounce
			}
			prov := Provider(opts)
			ch := watching(t, prov)

			for _, v := range []string{"1", "2"} {
				tt.change(t, p, v)
				e := expect(t, ch, tt.name+" to "+v)
				if e.err != nil || e.ev != nil {
					t.Fatalf("callback(%v, %v), want (nil, nil)", e.ev, e.err)
				}
				if got := reload(t, prov).String("A"); got != v {
					t.Fatalf("after %s: A = %q, want %q", tt.name, got, v)
				}
			}
		})
	}
}

func TestWatchDeleteRecreate(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "A", "1")
	opts := p.opts()
	opts.Debounce = testDebounce
	prov := Provider(opts)
	ch := watching(t, prov)

	if err := os.Remove(p.store.Path()); err != nil {
		t.Fatal(err)
	}
	if e := expect(t, ch, "delete"); e.err != nil {
		t.Fatalf("callback error after delete: %v", e.err)
	}
	if k := reload(t, prov); len(k.Keys()) != 0 {
		t.Fatalf("after delete: keys %q, want none", k.Keys())
	}
	p.set(t, "A", "2")
	expect(t, ch, "recreate")
	if got := reload(t, prov).String("A"); got != "2" {
		t.Fatalf("after recreate: A = %q, want 2", got)
	}
}

// TestWatchLeavesReadingToTheCaller: the callback reads nothing itself,
// so a file that no longer parses, or has gone, still calls back with no
// error; the caller's reload gets the error, which holds no value.
func TestWatchLeavesReadingToTheCaller(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "A", "1")
	opts := p.opts()
	opts.Debounce = testDebounce
	opts.RequireStore = true
	prov := Provider(opts)
	ch := watching(t, prov)

	p.writeSecrets(t, "A=1\nB='"+canary+"\n")
	if e := expect(t, ch, "writing a file that does not parse"); e.ev != nil || e.err != nil {
		t.Fatalf("callback(%v, %v), want (nil, nil)", e.ev, e.err)
	}
	_, err := prov.Read()
	noCanary(t, err)
	var pe *core.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("Read() after the change = %v, want a *core.ParseError for line 2", err)
	}

	if err := os.Remove(p.store.Path()); err != nil {
		t.Fatal(err)
	}
	if e := expect(t, ch, "deleting a required file"); e.ev != nil || e.err != nil {
		t.Fatalf("callback(%v, %v), want (nil, nil)", e.ev, e.err)
	}
	if _, err := prov.Read(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Read() after the delete = %v, want fs.ErrNotExist", err)
	}
}

// TestWatchNoCallAtStart: the first load is the caller's; Watch calls back
// on changes only.
func TestWatchNoCallAtStart(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "A", "1")
	opts := p.opts()
	opts.Debounce = testDebounce
	ch := watching(t, Provider(opts))
	expectNone(t, ch, "Watch")
}

// TestWatchKeepsTheStore: while watching, reads go to the store Watch
// resolved, even when .env names another meanwhile; after Unwatch, they
// resolve the project again.
func TestWatchKeepsTheStore(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "A", "watched")
	const otherID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	other, err := core.Open(core.Options{ID: otherID, Root: p.root, LookupEnv: noEnv, WorkDir: p.dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Set("A", "other"); err != nil {
		t.Fatal(err)
	}
	opts := p.opts()
	opts.Debounce = testDebounce
	prov := Provider(opts)
	ch := watching(t, prov)

	writeFile(t, filepath.Join(p.dir, ".env"), "USER_SECRETS_ID="+otherID+"\n")
	if got := reload(t, prov).String("A"); got != "watched" {
		t.Errorf("while watching, after .env changed: A = %q, want the watched store's %q", got, "watched")
	}
	if m, err := prov.Read(); err != nil || m["A"] != "watched" {
		t.Errorf("while watching, after .env changed: Read() = %v, %v, want A=watched", m, err)
	}
	if _, err := other.Set("A", "other-2"); err != nil {
		t.Fatal(err)
	}
	expectNone(t, ch, "a change to the other store")

	p.set(t, "A", "watched-2")
	expect(t, ch, "a change to the watched store")
	if got := reload(t, prov).String("A"); got != "watched-2" {
		t.Errorf("after the change: A = %q, want %q", got, "watched-2")
	}

	if err := prov.Unwatch(); err != nil {
		t.Fatal(err)
	}
	if got := reload(t, prov).String("A"); got != "other-2" {
		t.Errorf("after Unwatch: A = %q, want the store .env names now (%q)", got, "other-2")
	}
}

// TestWatchWithoutIDKeepsNoStore: when no ID resolved at the start, reads
// return no secrets until Unwatch, even once .env names an ID.
func TestWatchWithoutIDKeepsNoStore(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "A", "1")
	env := filepath.Join(p.dir, ".env")
	writeFile(t, env, "# no ID yet\n")
	prov := Provider(p.opts())
	watching(t, prov)
	writeFile(t, env, "USER_SECRETS_ID="+testID+"\n")
	if m, err := prov.Read(); err != nil || len(m) != 0 {
		t.Errorf("while watching without an ID: Read() = %v, %v, want no secrets", m, err)
	}
	if err := prov.Unwatch(); err != nil {
		t.Fatal(err)
	}
	if m, err := prov.Read(); err != nil || m["A"] != "1" {
		t.Errorf("after Unwatch: Read() = %v, %v, want A=1", m, err)
	}
}

func TestWatchIgnoresOtherFiles(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "A", "1")
	opts := p.opts()
	opts.Debounce = testDebounce
	ch := watching(t, Provider(opts))

	dir := p.store.Dir()
	writeFile(t, filepath.Join(dir, ".secrets.lock"), "")
	writeFile(t, filepath.Join(dir, ".secrets.tmp-1"), "A=2\n")
	writeFile(t, filepath.Join(dir, "notes.txt"), "x")
	writeFile(t, filepath.Join(p.dir, ".env"), "USER_SECRETS_ID="+testID+"\nX=1\n")
	expectNone(t, ch, "writing other files")
}

func TestWatchTwice(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	prov := Provider(p.opts())
	watching(t, prov)
	if err := prov.Watch(func(any, error) {}); !errors.Is(err, ErrAlreadyWatched) {
		t.Fatalf("second Watch() = %v, want ErrAlreadyWatched", err)
	}
	if err := prov.Unwatch(); err != nil {
		t.Fatal(err)
	}
	if err := prov.Unwatch(); err != nil {
		t.Fatalf("second Unwatch() = %v", err)
	}
	if err := prov.Watch(func(any, error) {}); err != nil {
		t.Fatalf("Watch() after Unwatch = %v", err)
	}
}

func TestWatchWithoutID(t *testing.T) {
	t.Parallel()
	opts := Options{WorkDir: t.TempDir(), Root: t.TempDir(), LookupEnv: func(string) (string, bool) { return "", false }}
	prov := Provider(opts)
	if err := prov.Watch(func(any, error) {}); err != nil {
		t.Fatalf("Watch() without an ID = %v, want nil", err)
	}
	if err := prov.Watch(func(any, error) {}); !errors.Is(err, ErrAlreadyWatched) {
		t.Fatalf("second Watch() = %v, want ErrAlreadyWatched", err)
	}
	if err := prov.Unwatch(); err != nil {
		t.Fatal(err)
	}

	opts.RequireStore = true
	if err := Provider(opts).Watch(func(any, error) {}); !errors.Is(err, core.ErrNoID) {
		t.Fatalf("RequireStore: Watch() without an ID = %v, want core.ErrNoID", err)
	}
	if err := Provider(opts).Watch(nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Fatalf("Watch(nil) = %v, want an error", err)
	}
}

func TestUnwatchStopsCallbacks(t *testing.T) {
	// Not parallel: goleak sees every goroutine of the process.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p := newProject(t)
	p.set(t, "A", "1")
	opts := p.opts()
	opts.Debounce = testDebounce
	prov := Provider(opts)
	ch := &calls{ch: make(chan event, 10), d: testDebounce}
	if err := prov.Watch(func(ev any, err error) { ch.ch <- event{ev, err} }); err != nil {
		t.Fatal(err)
	}
	p.set(t, "A", "2")
	expect(t, ch, "Set")

	p.set(t, "A", "3") // pending when Unwatch runs: never delivered
	if err := prov.Unwatch(); err != nil {
		t.Fatal(err)
	}
	p.set(t, "A", "4")
	expectNone(t, ch, "Unwatch")
}

func TestUnwatchFromCallback(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	opts := p.opts()
	opts.Debounce = time.Millisecond
	prov := Provider(opts)
	done := make(chan error, 1)
	if err := prov.Watch(func(any, error) { done <- prov.Unwatch() }); err != nil {
		t.Fatal(err)
	}
	p.set(t, "A", "1")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Unwatch() from the callback = %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Unwatch from the callback did not return")
	}
	if err := prov.Watch(func(any, error) {}); err != nil {
		t.Fatalf("Watch() after Unwatch from the callback = %v", err)
	}
	if err := prov.Unwatch(); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
