package viperremote

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/viper"
	"go.uber.org/goleak"
)

// The watch tests are not parallel: each checks, with goleak, that stop
// leaves no goroutine behind.

// verifyNoLeaks checks, at the end of the test, that no goroutine is left
// but those running when it was called.
func verifyNoLeaks(t *testing.T) {
	t.Helper()
	opts := []goleak.Option{goleak.IgnoreCurrent()}
	t.Cleanup(func() { goleak.VerifyNone(t, opts...) })
}

// call is one onChange call: its error, and the values of the watched keys
// read inside the callback (where no merge can run meanwhile).
type call struct {
	err  error
	vals map[string]string
}

// recorder collects onChange calls.
type recorder struct {
	v    *viper.Viper
	keys []string
	ch   chan call
}

func newRecorder(v *viper.Viper, keys ...string) *recorder {
	return &recorder{v: v, keys: keys, ch: make(chan call, 1000)}
}

func (r *recorder) onChange(err error) {
	c := call{err: err, vals: map[string]string{}}
	for _, k := range r.keys {
		c.vals[k] = r.v.GetString(k)
	}
	r.ch <- c
}

// wait returns the next onChange call, failing the test after a timeout.
func (r *recorder) wait(t *testing.T, what string) call {
	t.Helper()
	select {
	case c := <-r.ch:
		return c
	case <-time.After(10 * time.Second):
		t.Fatalf("no onChange call after %s", what)
		return call{}
	}
}

// waitFor waits for an onChange call where key has the value want, and
// fails on an error or a timeout.
func (r *recorder) waitFor(t *testing.T, what, key, want string) call {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case c := <-r.ch:
			if c.err != nil {
				t.Fatalf("onChange(%v) after %s, want nil", c.err, what)
			}
			if c.vals[key] == want {
				return c
			}
		case <-deadline:
			t.Fatalf("after %s, no onChange call saw %s = %q", what, key, want)
			return call{}
		}
	}
}

// quiet fails the test when onChange is called within d.
func (r *recorder) quiet(t *testing.T, d time.Duration, what string) {
	t.Helper()
	select {
	case c := <-r.ch:
		t.Fatalf("unexpected onChange(%v) after %s", c.err, what)
	case <-time.After(d):
	}
}

// replaceFile writes content to path by renaming a temporary file over it,
// so watchers see one event, never a truncated file.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp-test"
	writeFile(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// mergeAndWatch does the first load, Merge, then Watch, failing the test
// on an error, and checks that Watch does not call onChange at the start.
func mergeAndWatch(t *testing.T, v *viper.Viper, opts Options, rec *recorder) (stop func() error) {
	t.Helper()
	if err := Merge(v, opts); err != nil {
		t.Fatalf("Merge: %v", err)
	}
	stop, err := Watch(v, opts, rec.onChange)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	select {
	case c := <-rec.ch:
		t.Fatalf("Watch called onChange(%v) at the start", c.err)
	default:
	}
	return stop
}

func watchOpts(p *project) Options {
	opts := p.opts
	opts.Debounce = 20 * time.Millisecond
	return opts
}

func TestWatchConfigReloadKeepsSecrets(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	p.set(t, "API_KEY", "from-secrets", "DB__PASSWORD", "pw-secret")
	v, cfg := yamlViper(t, t.TempDir(), "api_key: from-file\nport: 1\ndb:\n  password: pw-file\n")

	opts := watchOpts(p)
	opts.Delimiter = "__"
	rec := newRecorder(v, "api_key", "port", "db.password", "db.host")
	stop := mergeAndWatch(t, v, opts, rec)
	defer stop()
	if got := v.GetString("api_key"); got != "from-secrets" {
		t.Fatalf("after Merge, GetString(api_key) = %q, want the secret over the file", got)
	}

	replaceFile(t, cfg, "api_key: from-file-2\nport: 2\ndb:\n  password: pw-file-2\n  host: h2\n")
	c := rec.waitFor(t, "rewriting the config file", "port", "2")
	for _, tc := range []struct{ key, want string }{
		{"api_key", "from-secrets"},
		{"db.password", "pw-secret"},
		{"db.host", "h2"},
	} {
		if got := c.vals[tc.key]; got != tc.want {
			t.Errorf("after reload, GetString(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}

	// After stop, nothing reloads the config file.
	replaceFile(t, cfg, "api_key: from-file-3\nport: 3\n")
	rec.quiet(t, 200*time.Millisecond, "a config change after stop")
	if got := v.GetInt("port"); got != 2 {
		t.Errorf("after stop and a config change, GetInt(port) = %d, want 2", got)
	}
}

// TestWatchConfigAndSecretsTogether changes the config file and the
// secrets at the same time, over and over. Run with -race: Viper is not
// safe for concurrent use, so every reload must happen on Watch's terms.
// In every onChange call the secret shadows the config file's value: no
// call sees the config file reloaded without the secrets on top.
func TestWatchConfigAndSecretsTogether(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	p.set(t, "API_KEY", "secret-0", "DB__PASSWORD", "pw-0")
	v, cfg := yamlViper(t, t.TempDir(), "api_key: file-0\nport: 0\ndb:\n  password: file-pw-0\n")
	opts := watchOpts(p)
	opts.Delimiter = "__"
	opts.Debounce = 2 * time.Millisecond

	rec := newRecorder(v, "api_key", "port", "db.password")
	stop := mergeAndWatch(t, v, opts, rec)
	defer stop()
	check := func(c call) {
		t.Helper()
		if !strings.HasPrefix(c.vals["api_key"], "secret-") || !strings.HasPrefix(c.vals["db.password"], "pw-") {
			t.Fatalf("onChange saw %q: the config file without the secrets on top", c.vals)
		}
	}

	const rounds = 40
	for i := 1; i <= rounds; i++ {
		var wg sync.WaitGroup
		wg.Go(func() {
			replaceFile(t, cfg, fmt.Sprintf("api_key: file-%d\nport: %d\ndb:\n  password: file-pw-%d\n", i, i, i))
		})
		wg.Go(func() {
			p.set(t, "API_KEY", fmt.Sprintf("secret-%d", i), "DB__PASSWORD", fmt.Sprintf("pw-%d", i))
		})
		wg.Wait()
		want := map[string]string{"api_key": fmt.Sprintf("secret-%d", i), "port": strconv.Itoa(i), "db.password": fmt.Sprintf("pw-%d", i)}
		deadline := time.After(10 * time.Second)
		for done := false; !done; {
			select {
			case c := <-rec.ch:
				if c.err != nil {
					t.Fatalf("round %d: onChange(%v), want nil", i, c.err)
				}
				check(c)
				done = maps.Equal(c.vals, want)
			case <-deadline:
				t.Fatalf("round %d: no onChange call saw %q", i, want)
			}
		}
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	for range len(rec.ch) {
		check(<-rec.ch)
	}
}

// TestWatchBrokenConfigFile: a config file that no longer parses is
// reported, and the config and secrets merged before are kept.
func TestWatchBrokenConfigFile(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	p.set(t, "API_KEY", "from-secrets")
	v, cfg := yamlViper(t, t.TempDir(), "api_key: from-file\nport: 1\n")
	rec := newRecorder(v, "api_key", "port")
	stop := mergeAndWatch(t, v, watchOpts(p), rec)
	defer stop()

	replaceFile(t, cfg, "port: [2\n")
	c := rec.wait(t, "breaking the config file")
	if c.err == nil || !strings.Contains(c.err.Error(), "config file") {
		t.Errorf("onChange(%v), want an error about the config file", c.err)
	}
	if c.vals["api_key"] != "from-secrets" || c.vals["port"] != "1" {
		t.Errorf("after a broken config file, values = %q, want the previous ones", c.vals)
	}

	// A secret deleted meanwhile stops shadowing even so.
	if err := p.store.Delete("API_KEY"); err != nil {
		t.Fatal(err)
	}
	for c.vals["api_key"] != "" {
		c = rec.wait(t, "Store.Delete")
	}
	replaceFile(t, cfg, "api_key: fixed\nport: 3\n")
	c = rec.waitFor(t, "fixing the config file", "port", "3")
	if c.vals["api_key"] != "fixed" {
		t.Errorf("after fixing the config file, GetString(api_key) = %q, want %q", c.vals["api_key"], "fixed")
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// TestWatchConfigWithoutID: without a project ID, Watch still keeps the
// config file up to date, in place of v.WatchConfig.
func TestWatchConfigWithoutID(t *testing.T) {
	verifyNoLeaks(t)
	v, cfg := yamlViper(t, t.TempDir(), "port: 1\n")
	rec := newRecorder(v, "port")
	opts := Options{ProjectDir: t.TempDir(), Root: t.TempDir(), LookupEnv: noEnv, Debounce: 20 * time.Millisecond}
	stop := mergeAndWatch(t, v, opts, rec)
	defer stop()
	replaceFile(t, cfg, "port: 2\n")
	rec.waitFor(t, "rewriting the config file", "port", "2")
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestWatchSecretsChange(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	p.set(t, "API_KEY", "one")
	v, _ := yamlViper(t, t.TempDir(), "api_key: from-file\nfile_only: f\n")
	rec := newRecorder(v, "api_key", "new_key", "file_only")
	stop := mergeAndWatch(t, v, watchOpts(p), rec)
	defer stop()
	if got := v.GetString("api_key"); got != "one" {
		t.Errorf("after Merge, GetString(api_key) = %q, want %q", got, "one")
	}

	p.set(t, "API_KEY", "two", "NEW_KEY", "new")
	c := rec.waitFor(t, "Store.Set", "api_key", "two")
	if c.vals["new_key"] != "new" || c.vals["file_only"] != "f" {
		t.Errorf("after Set, values = %q, want new_key=new, file_only=f", c.vals)
	}

	// Deleting a secret unshadows the config file's value.
	if err := p.store.Delete("API_KEY", "NEW_KEY"); err != nil {
		t.Fatal(err)
	}
	c = rec.waitFor(t, "Store.Delete", "api_key", "from-file")
	if c.vals["new_key"] != "" {
		t.Errorf("after Delete, new_key = %q, want it unset", c.vals["new_key"])
	}

	// A file that does not parse keeps the values merged before.
	p.set(t, "API_KEY", "three")
	rec.waitFor(t, "Store.Set", "api_key", "three")
	replaceFile(t, p.store.Path(), "API_KEY="+canary+"\nBROKEN "+canary+"\n")
	c = rec.wait(t, "writing a broken file")
	var pe *core.ParseError
	if !errors.As(c.err, &pe) || pe.Line != 2 {
		t.Fatalf("onChange(%v), want a *core.ParseError on line 2", c.err)
	}
	noCanary(t, "onChange error", c.err.Error())
	if got := c.vals["api_key"]; got != "three" {
		t.Errorf("after a broken write, GetString(api_key) = %q, want the last good value", got)
	}

	// Deleting the whole file removes every secret.
	if err := os.Remove(p.store.Path()); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "removing the secrets file", "api_key", "from-file")

	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if err := stop(); err != nil {
		t.Errorf("second stop: %v", err)
	}
	p.set(t, "API_KEY", "after-stop")
	rec.quiet(t, 200*time.Millisecond, "Set after stop")
	if got := v.GetString("api_key"); got != "from-file" {
		t.Errorf("after stop, GetString(api_key) = %q, want no re-merge", got)
	}
}

// TestWatchDeleteWithoutConfigFile: with no config file to re-read, a
// deleted secret falls through to the defaults.
func TestWatchDeleteWithoutConfigFile(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	p.set(t, "DB__PASSWORD", "pw", "KEEP", "k")
	v := viper.New()
	v.SetDefault("db.password", "default-pw")
	opts := watchOpts(p)
	opts.Delimiter = "__"
	rec := newRecorder(v, "db.password", "keep")
	stop := mergeAndWatch(t, v, opts, rec)
	defer stop()
	if got := v.GetString("db.password"); got != "pw" {
		t.Fatalf("GetString(db.password) = %q, want the secret", got)
	}
	if err := p.store.Delete("DB__PASSWORD"); err != nil {
		t.Fatal(err)
	}
	c := rec.waitFor(t, "Store.Delete", "db.password", "default-pw")
	if got := c.vals["keep"]; got != "k" {
		t.Errorf("after Delete, GetString(keep) = %q, want %q", got, "k")
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// TestWatchFileCreatedLater: an ID whose store does not exist yet is
// watched, and merged when the first secret is set.
func TestWatchFileCreatedLater(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	v := viper.New()
	rec := newRecorder(v, "late")
	stop := mergeAndWatch(t, v, watchOpts(p), rec)
	defer stop()
	if _, err := os.Stat(filepath.Dir(p.store.Path())); !os.IsNotExist(err) {
		t.Fatalf("Watch created the store directory (stat: %v)", err)
	}
	p.set(t, "LATE", "here")
	rec.waitFor(t, "the first Set", "late", "here")
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestWatchErrors(t *testing.T) {
	verifyNoLeaks(t)
	// No ID: nothing merged, nothing watched, stop works.
	dir := t.TempDir()
	stop, err := Watch(viper.New(), Options{ProjectDir: dir, Root: t.TempDir(), LookupEnv: noEnv}, nil)
	if err != nil {
		t.Fatalf("Watch without ID = %v, want nil", err)
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	// RequireStore: the first read's error, and nothing started.
	_, err = Watch(viper.New(), Options{ProjectDir: dir, Root: t.TempDir(), LookupEnv: noEnv, RequireStore: true}, nil)
	if !errors.Is(err, core.ErrNoID) {
		t.Errorf("Watch without ID, RequireStore = %v, want ErrNoID", err)
	}
	p := newProject(t)
	writeFile(t, p.store.Path(), "BAD "+canary+"\n")
	_, err = Watch(viper.New(), watchOpts(p), nil)
	var pe *core.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Watch of a broken file = %v, want a *core.ParseError", err)
	}
	noCanary(t, "Watch error", err.Error())
}

// TestWatchNoCallAtStart: the first load is the caller's; Watch calls
// onChange after a change only, and does not touch v until then.
func TestWatchNoCallAtStart(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	p.set(t, "API_KEY", "secret")
	v, _ := yamlViper(t, t.TempDir(), "api_key: from-file\n")
	rec := newRecorder(v, "api_key")
	stop, err := Watch(v, watchOpts(p), rec.onChange)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	rec.quiet(t, 200*time.Millisecond, "Watch")
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if got := v.GetString("api_key"); got != "from-file" {
		t.Errorf("Watch merged at the start: GetString(api_key) = %q, want the file's value", got)
	}
}

// TestWatchKeepsTheStore: reloads read the store Watch resolved, even when
// .env names another meanwhile.
func TestWatchKeepsTheStore(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	p.set(t, "API_KEY", "watched")
	const otherID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	other, err := core.Open(core.Options{ID: otherID, Root: p.root, LookupEnv: noEnv, WorkDir: p.dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Set("API_KEY", "other"); err != nil {
		t.Fatal(err)
	}
	v := viper.New()
	rec := newRecorder(v, "api_key")
	stop := mergeAndWatch(t, v, watchOpts(p), rec)
	defer stop()

	writeFile(t, filepath.Join(p.dir, ".env"), "USER_SECRETS_ID="+otherID+"\n")
	if _, err := other.Set("API_KEY", "other-2"); err != nil {
		t.Fatal(err)
	}
	rec.quiet(t, 200*time.Millisecond, "a change to another store")
	p.set(t, "API_KEY", "watched-2")
	rec.waitFor(t, "a change to the watched store", "api_key", "watched-2")
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// TestStopFromOnChange: stop called from onChange returns at once, and no
// goroutine is left once onChange has returned.
func TestStopFromOnChange(t *testing.T) {
	verifyNoLeaks(t)
	p := newProject(t)
	v, cfg := yamlViper(t, t.TempDir(), "port: 1\n")
	opts := watchOpts(p)
	stopFn := make(chan func() error, 1) // hands stop to onChange
	done := make(chan error, 1)
	stop, err := Watch(v, opts, func(error) {
		stop := <-stopFn
		stopFn <- stop
		done <- stop()
	})
	if err != nil {
		t.Fatal(err)
	}
	stopFn <- stop
	replaceFile(t, cfg, "port: 2\n")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stop from onChange = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stop from onChange did not return")
	}
	p.set(t, "LATE", "x")
	replaceFile(t, cfg, "port: 3\n")
	select {
	case <-done:
		t.Fatal("onChange called after stop")
	case <-time.After(200 * time.Millisecond):
	}
	if err := stop(); err != nil {
		t.Errorf("second stop: %v", err)
	}
}
