package viperremote

import (
	"fmt"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"
	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/watch"
	"github.com/spf13/viper"
)

// Watch merges the project's secrets into v, as Merge does, and keeps them
// merged until stop is called:
//
//   - when the secrets file changes (written, replaced, deleted, created;
//     bursts of changes are debounced by Options.Debounce), it merges the
//     secrets again. A secret that was deleted no longer shadows the config
//     file: Watch re-reads v's config file (v.ReadInConfig, as WatchConfig
//     would) before merging, or, when v has no config file, removes the key
//     from v's config layer.
//   - when Viper reloads its config file through v.WatchConfig, which drops
//     every merged value, it merges the secrets again. For that Watch sets
//     v.OnConfigChange: that replaces any handler set before, and a later
//     v.OnConfigChange call replaces Watch's. Pass your own handler in
//     Options.OnConfigChange instead; Watch calls it after re-merging, and
//     keeps calling it after stop.
//
// Call Watch before v.WatchConfig (setting the handler while Viper's
// watcher runs is a data race in Viper).
//
// After each re-merge, onChange (which may be nil) is called with nil, or
// with the error that kept the secrets from being read (a *core.ParseError
// naming the line, say; the values merged before are then kept). onChange
// runs on a watcher goroutine or on Viper's, never concurrently with itself
// or with another re-merge, so it may read v; it must not call stop.
//
// Watch returns the error of the first merge (as Merge), and starts
// nothing then. Without an ID (and without Options.Required) it merges and
// watches nothing, but still chains Options.OnConfigChange. A missing
// secrets file is watched, and merged when it appears.
//
// stop stops watching; when it returns, no onChange call runs or will run,
// and no goroutine Watch started is left. It is safe to call more than
// once. Viper's own WatchConfig goroutine is Viper's: Viper never stops it.
//
// Viper is not safe for concurrent use: WatchConfig already reloads v on
// its own goroutine, and Watch's re-merges write to v too. Read v from
// onChange, or guard your reads with your own lock and take the same lock
// in onChange.
func Watch(v *viper.Viper, opts Options, onChange func(error)) (stop func() error, err error) {
	t, s, err := load(opts)
	if err != nil {
		return nil, err
	}
	w := &watcher{v: v, opts: opts, store: s, onChange: onChange}
	if t != nil {
		w.merge(t)
	}
	var fw *watch.Watcher
	if s != nil {
		fw, err = watch.New(s.Path(), opts.debounce(), w.secretsChanged)
		if err != nil {
			return nil, fmt.Errorf("watch secrets file: %w", err)
		}
	}
	v.OnConfigChange(w.configChanged)
	return sync.OnceValue(func() error {
		w.mu.Lock()
		w.stopped = true
		w.mu.Unlock()
		if fw != nil {
			return fw.Close()
		}
		return nil
	}), nil
}

// watcher re-merges one project's secrets into one Viper.
type watcher struct {
	v        *viper.Viper
	opts     Options
	store    *core.Store // nil when no ID resolved
	onChange func(error)

	mu      sync.Mutex // serialises re-merges and onChange calls
	stopped bool
	last    *tree // the secrets merged last, to restore after a reload
}

// merge merges t into v and remembers it. The caller holds mu, or is Watch
// before anything started.
func (w *watcher) merge(t *tree) {
	_ = w.v.MergeConfigMap(t.toMap()) // never fails
	w.last = t
}

// secretsChanged is the file watcher's callback.
func (w *watcher) secretsChanged() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.notify(w.remerge(false))
}

// configChanged is v's OnConfigChange handler: Viper has just replaced its
// config layer.
func (w *watcher) configChanged(e fsnotify.Event) {
	w.mu.Lock()
	if !w.stopped {
		w.notify(w.remerge(true))
	}
	w.mu.Unlock()
	if w.opts.OnConfigChange != nil {
		w.opts.OnConfigChange(e)
	}
}

func (w *watcher) notify(err error) {
	if w.onChange != nil {
		w.onChange(err)
	}
}

// remerge reads the secrets and merges them. reloaded says that Viper has
// just re-read its config file, dropping what was merged; then, if the
// secrets cannot be read, the last good ones are merged again.
func (w *watcher) remerge(reloaded bool) error {
	if w.store == nil {
		return nil
	}
	t, err := loadStore(w.store, w.opts)
	if err != nil {
		if reloaded && w.last != nil {
			w.merge(w.last)
		}
		return err
	}
	var reloadErr error
	if removed := removedPaths(w.last, t); !reloaded && len(removed) > 0 {
		if w.v.ConfigFileUsed() != "" {
			if err := w.v.ReadInConfig(); err != nil {
				reloadErr = fmt.Errorf("re-read config file after secrets were deleted: %w", err)
			}
		}
		if w.v.ConfigFileUsed() == "" || reloadErr != nil {
			_ = w.v.MergeConfigMap(nilMap(removed))
		}
	}
	w.merge(t)
	return reloadErr
}

// removedPaths returns the paths of values in old that are not in cur.
func removedPaths(old, cur *tree) [][]string {
	if old == nil {
		return nil
	}
	have := map[string]bool{}
	cur.leaves(nil, func(path []string, _ string) { have[strings.Join(path, "\x00")] = true })
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
