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

// Watch merges the project's secrets into v, as Merge does, and keeps v up
// to date with both the secrets file and v's config file until stop is
// called. It replaces v.WatchConfig: do not call v.WatchConfig on a Viper
// you Watch, because Viper's watcher would reload v on a goroutine of its
// own, racing with Watch's merges, and drop the secrets until they change.
//
// Call Watch after v.ReadInConfig (when there is a config file), as Merge.
// Watch then watches v.ConfigFileUsed() as well as the secrets file. When
// either changes (written, replaced, deleted, created; bursts of changes
// are debounced by Options.Debounce), Watch reloads both as one step: it
// re-reads the config file (v.ReadInConfig, which replaces v's config
// layer), reads the secrets and merges them on top. A deleted secret so
// stops shadowing the config file; without a config file, it is removed
// from v's config layer, and v.SetDefault's value shows again.
//
// onChange (which may be nil) is called after the first merge, before
// Watch returns, with nil; and after each reload, with nil or with what
// went wrong: the secrets could not be read (a *core.ParseError naming the
// line, say; the secrets merged before are merged again), or the config
// file could not be (v then keeps the config it had). Both errors may come
// together (see errors.Join). onChange is never called concurrently with
// itself or with a reload, and it must not call stop. Watch never calls
// the handler set with v.OnConfigChange: do its work in onChange.
//
// Viper is not safe for concurrent use, and Watch writes to v from its own
// goroutines. Between Watch and stop, read v only in onChange: to share
// the configuration with other goroutines, copy it there (v.Unmarshal into
// a new struct, say) and publish the copy, with an atomic.Pointer for
// instance. Do not write to v (v.Set, v.ReadInConfig, Merge) meanwhile.
//
// Watch returns the error of the first merge (as Merge) or of setting up a
// watch, and then leaves nothing running and does not call onChange.
// Without an ID (and without Options.Required) it merges nothing, and only
// watches the config file, if any. A missing secrets file is watched, and
// merged when it appears.
//
// stop stops watching; when it returns, no onChange call runs or will run,
// and no goroutine Watch started is left. It is safe to call more than
// once. Its error is that of closing the file watches.
func Watch(v *viper.Viper, opts Options, onChange func(error)) (stop func() error, err error) {
	s, err := secrets.Open(opts.core(), opts.Required)
	if err != nil {
		return nil, err
	}
	w := &watcher{v: v, opts: opts, store: s, config: v.ConfigFileUsed(), onChange: onChange}

	// Start watching before the first read, so that no change after it goes
	// unseen; the watches' callbacks wait for mu.
	w.mu.Lock()
	fail := func(err error) (func() error, error) {
		w.stopped = true
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
		if err := w.merge(t); err != nil {
			return fail(err)
		}
	}
	w.notify(nil)
	w.mu.Unlock()
	return sync.OnceValue(func() error {
		w.mu.Lock()
		w.stopped = true
		w.mu.Unlock()
		return w.close()
	}), nil
}

// watcher keeps one project's secrets, and one config file, in one Viper.
type watcher struct {
	v        *viper.Viper
	opts     Options
	store    *core.Store // nil when no ID resolved
	config   string      // v's config file; "" when it has none
	onChange func(error)
	files    []*watch.Watcher // set up by Watch before anything can run

	mu      sync.Mutex // serialises reloads and onChange calls
	stopped bool
	last    *tree // the secrets merged last
}

// watch starts watching path.
func (w *watcher) watch(path string) error {
	fw, err := watch.New(path, w.opts.debounce(), w.changed)
	if err != nil {
		return err
	}
	w.files = append(w.files, fw)
	return nil
}

// close stops the file watches.
func (w *watcher) close() error {
	var errs []error
	for _, fw := range w.files {
		errs = append(errs, fw.Close())
	}
	return errors.Join(errs...)
}

// changed is the file watches' callback, for either file.
func (w *watcher) changed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.notify(w.reload())
}

func (w *watcher) notify(err error) {
	if w.onChange != nil {
		w.onChange(err)
	}
}

// merge merges t into v (nothing when t is nil) and remembers it. The
// caller holds mu.
func (w *watcher) merge(t *tree) error {
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
	var t *tree
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
func removedPaths(old, cur *tree) [][]string {
	if old == nil {
		return nil
	}
	have := map[string]bool{}
	if cur != nil {
		cur.leaves(nil, func(path []string, _ string) { have[strings.Join(path, "\x00")] = true })
	}
	var out [][]string
	old.leaves(nil, func(path []string, _ string) {
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
