package koanfprovider

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
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
		ch.d = DefaultDebounce
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
				if e.err != nil || e.ev != p.store.Path() {
					t.Fatalf("callback(%v, %v), want (%q, nil)", e.ev, e.err, p.store.Path())
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

func TestWatchReportsErrors(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	p.set(t, "A", "1")
	opts := p.opts()
	opts.Debounce = testDebounce
	opts.Required = true
	prov := Provider(opts)
	ch := watching(t, prov)

	p.writeSecrets(t, "A=1\nB='"+canary+"\n")
	e := expect(t, ch, "writing a file that does not parse")
	var pe *core.ParseError
	if e.ev != nil || !errors.As(e.err, &pe) || pe.Line != 2 {
		t.Fatalf("callback(%v, %v), want (nil, *core.ParseError for line 2)", e.ev, e.err)
	}

	if err := os.Remove(p.store.Path()); err != nil {
		t.Fatal(err)
	}
	e = expect(t, ch, "deleting a Required file")
	if e.ev != nil || !errors.Is(e.err, os.ErrNotExist) {
		t.Fatalf("callback(%v, %v), want (nil, fs.ErrNotExist)", e.ev, e.err)
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

	opts.Required = true
	if err := Provider(opts).Watch(func(any, error) {}); !errors.Is(err, core.ErrNoID) {
		t.Fatalf("Required: Watch() without an ID = %v, want core.ErrNoID", err)
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
