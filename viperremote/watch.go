package viperremote

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
	"github.com/go-user-secrets/user-secrets/internal/watch"
	"github.com/spf13/viper"
)

// Watch keeps the project's secrets in v up to date with both the
// secrets file and v's config file, until stop is called. It replaces
// v.WatchConfig: do not call v.WatchConfig on a Viper you Watch, because
// Viper's watcher would reload v on a goroutine of its own, racing with
// Watch's merges, and drop the secrets until they change.
//
// The first load is the caller's: v.ReadInConfig (when there is a config
// file), Merge(v, opts), and a first read of v; then Watch, with the same
// opts. Watch resolves the project once, when it starts, and reads the
// secrets once (to know what it merges over); it merges nothing then, and
// does not call onChange. A change made between the caller's Merge and
// Watch is seen at the next change.
//
// Watch watches the secrets file and v.ConfigFileUsed(), if any. When
// either changes (written, replaced, deleted, created; bursts of changes
// are debounced by Options.Debounce), Watch reloads both as one step: it
// re-reads the config file (v.ReadInConfig, which replaces v's config
// layer), reads the secrets once and merges them on top. A deleted secret
// so stops shadowing the config file; without a config file, it is
// removed from v's config layer, and v.SetDefault's value shows again.
// Reloads read the store resolved when Watch started, even if .env or
// $USER_SECRETS_ID name another meanwhile.
//
// After each reload, Watch calls onChange (which may be nil) with nil or
// with what went wrong: the secrets could not be read (a *core.ParseError
// naming the line, say; the secrets merged before are merged again), or
// the config file could not be (v then keeps the config it had). Both
// errors may come together (see errors.Join). No error contains a value.
// onChange is never called concurrently with itself or with a reload.
// Watch never calls the handler set with v.OnConfigChange: do its work in
// onChange.
//
// Viper is not safe for concurrent use, and Watch writes to v from its own
// goroutines. Between Watch and stop, read v only in onChange: to share
// the configuration with other goroutines, copy it there (v.Unmarshal into
// a new struct, say) and publish the copy, with an atomic.Pointer for
// instance. Do not write to v (v.Set, v.ReadInConfig, Merge) meanwhile.
//
// Watch returns the error of reading the secrets at the start (Merge's
// errors, such as a *core.ParseError or two keys that collide, but for
// the check against v's sections) or of setting up a watch, and then
// leaves nothing running.
// Without an ID (and without Options.RequireStore) it only watches the
// config file, if any. A missing secrets file is watched, and merged when
// it appears.
//
// stop stops watching; when it returns, no reload or onChange call starts
// any more. Unless onChange is running, stop waits until the goroutines
// Watch started are gone. While onChange is running (stop called from
// onChange itself, or from another goroutine meanwhile), stop does not
// wait for it: the goroutines end when it returns. stop is safe to call
// more than once; its error is that of releasing the file watches.
func Watch(v *viper.Viper, opts Options, onChange func(error)) (stop func() error, err error) {
	s, err := secrets.Open(opts.core(), opts.RequireStore)
	if err != nil {
		return nil, err
	}
	w := &watcher{v: v, opts: opts, store: s, config: v.ConfigFileUsed(), onChange: onChange}

	// Start watching before the first read, so that no change after it goes
	// unseen; the watches' callbacks wait for mu.
	w.mu.Lock()
	fail := func(err error) (func() error, error) {
		w.state.Lock()
		w.stopped = true
		w.state.Unlock()
		w.mu.Unlock()
		_ = w.close()
		return nil, err
	}
	if s != nil {
		if err := w.watch(s.Path()); err != nil {
			return fail(fmt.Errorf("watch secrets file: %w", err))
		}
	}
	if w.config != "" {
		if err := w.watch(w.config); err != nil {
			return fail(fmt.Errorf("watch config file: %w", err))
		}
	}
	if s != nil {
		t, err := loadStore(s, opts)
		if err != nil {
			return fail(err)
		}
		w.last = t
	}
	w.mu.Unlock()
	return sync.OnceValue(w.stop), nil
}

// watcher keeps one project's secrets, and one config file, in one Viper.
type watcher struct {
	v        *viper.Viper
	opts     Options
	store    *core.Store // nil when no ID resolved
	config   string      // v's config file; "" when it has none
	onChange func(error)
	files    []*watch.Watcher // set up by Watch before anything can run

	mu   sync.Mutex    // serialises reloads and onChange calls
	last *secrets.Tree // the secrets merged last; guarded by mu

	state      sync.Mutex // guards stopped and inCallback
	stopped    bool
	inCallback bool // onChange is running
}

// watch starts watching path.
func (w *watcher) watch(path string) error {
	fw, err := watch.New(path, secrets.Debounce(w.opts.Debounce), w.changed)
	if err != nil {
		return err
	}
	w.files = append(w.files, fw)
	return nil
}

// stop is Watch's stop function (called once).
func (w *watcher) stop() error {
	w.state.Lock()
	w.stopped = true
	inCallback := w.inCallback
	w.state.Unlock()
	if inCallback {
		// This may be onChange itself, which Close would wait for.
		for _, fw := range w.files {
			fw.Stop()
		}
		return nil
	}
	// A reload running meanwhile finds stopped set before it would call
	// onChange, and returns.
	return w.close()
}

// close stops the file watches and waits until they have stopped.
func (w *watcher) close() error {
	var errs []error
	for _, fw := range w.files {
		errs = append(errs, fw.Close())
	}
	return errors.Join(errs...)
}

// isStopped reports whether stop has been called.
func (w *watcher) isStopped() bool {
	w.state.Lock()
	defer w.state.Unlock()
	return w.stopped
}

// changed is the file watches' callback, for either file.
func (w *watcher) changed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.isStopped() {
		return
	}
	err := w.reload()
	if w.onChange == nil {
		return
	}
	w.state.Lock()
	if w.stopped {
		w.state.Unlock()
		return
	}
	w.inCallback = true
	w.state.Unlock()
	defer func() {
		w.state.Lock()
		w.inCallback = false
		w.state.Unlock()
	}()
	w.onChange(err)
}

// merge merges t into v (nothing when t is nil) and remembers it. The
// caller holds mu.
func (w *watcher) merge(t *secrets.Tree) error {
	if t == nil {
		return nil
	}
	if err := mergeTree(w.v, t); err != nil {
		return err
	}
	w.last = t
	return nil
}

// reload re-reads the config file and the secrets and merges the secrets
// on top. When the secrets cannot be read, the last good ones are merged
// again. The caller holds mu.
func (w *watcher) reload() error {
	var errs []error
	var t *secrets.Tree
	if w.store != nil {
		var err error
		if t, err = loadStore(w.store, w.opts); err != nil {
			errs = append(errs, err)
			t = w.last
		}
	}
	reread := false
	if w.config != "" {
		if err := w.v.ReadInConfig(); err != nil {
			errs = append(errs, fmt.Errorf("re-read config file: %w", err))
		} else {
			reread = true
		}
	}
	if !reread {
		// v's config layer still holds the secrets merged last: unset those
		// that are gone.
		if removed := removedPaths(w.last, t); len(removed) > 0 {
			_ = w.v.MergeConfigMap(nilMap(removed))
		}
	}
	if err := w.merge(t); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// removedPaths returns the paths of values in old that are not in cur.
func removedPaths(old, cur *secrets.Tree) [][]string {
	if old == nil {
		return nil
	}
	have := map[string]bool{}
	if cur != nil {
		cur.Leaves(nil, func(path []string, _ string) { have[strings.Join(path, "\x00")] = true })
	}
	var out [][]string
	old.Leaves(nil, func(path []string, _ string) {
		if !have[strings.Join(path, "\x00")] {
			out = append(out, path)
		}
	})
	return out
}

// nilMap returns a map that, merged into Viper's config layer, sets each
// path to nil, which Viper reads as unset.
func nilMap(paths [][]string) map[string]any {
	root := map[string]any{}
	for _, p := range paths {
		m := root
		for _, k := range p[:len(p)-1] {
			sub, ok := m[k].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[k] = sub
			}
			m = sub
		}
		m[p[len(p)-1]] = nil
	}
	return root
}
