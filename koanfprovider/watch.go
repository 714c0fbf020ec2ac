package koanfprovider

import (
	"fmt"

	"github.com/go-user-secrets/user-secrets/internal/watch"
)

// Watch calls cb when the secrets file changes on disk, once per burst of
// changes, Options.Debounce after the last. It returns at once; cb runs on
// a goroutine of its own, never concurrently with itself. In cb, reload
// the configuration (a fresh koanf.Koanf, loaded layer by layer again).
//
// Watch watches the store directory, not the file, so it sees in-place
// writes, the CLI's and editors' rename-saves, and a file deleted and
// created again, and it keeps watching after a delete. When the store
// directory does not exist yet, it waits for it to be created.
//
// cb's event is the secrets file's path (a string). Before each call
// Watch reads the file: if it no longer parses (or, with Required, has
// gone), cb gets a nil event and that error, never a value, so cb can keep
// the configuration it has.
//
// A second Watch without Unwatch returns ErrAlreadyWatched. Without an ID
// there is no file to watch: unless Options.Required (then the error is
// core.ErrNoID) Watch returns nil and cb is never called. An ID that is not
// a UUID, or a store directory that cannot be watched, is an error.
func (p *UserSecrets) Watch(cb func(event any, err error)) error {
	if cb == nil {
		return fmt.Errorf("koanfprovider: Watch with a nil callback")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.watching {
		return ErrAlreadyWatched
	}
	s, err := p.open()
	if err != nil {
		return err
	}
	p.watching = true
	if s == nil {
		return nil // no ID: nothing can change
	}
	path := s.Path()
	d := p.opts.Debounce
	if d <= 0 {
		d = DefaultDebounce
	}
	cur := &watchState{}
	fw, err := watch.New(path, d, func() {
		p.mu.Lock()
		if p.w != cur {
			p.mu.Unlock()
			return // unwatched meanwhile
		}
		cur.inCallback = true
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			cur.inCallback = false
			p.mu.Unlock()
		}()
		if _, _, err := p.entries(); err != nil {
			cb(nil, err)
			return
		}
		cb(path, nil)
	})
	if err != nil {
		p.watching = false
		return fmt.Errorf("watch secrets: %w", err)
	}
	cur.fw = fw
	p.w = cur
	return nil
}

// watchState is the file watch of one Watch.
type watchState struct {
	fw *watch.Watcher
	// inCallback is whether cb is running; guarded by UserSecrets.mu.
	inCallback bool
}

// Unwatch stops watching. When it returns, no callback starts any more.
// Unless a callback is running, it waits until the watching goroutines are
// gone. While a callback is running (Unwatch called from the callback
// itself, or from another goroutine meanwhile), Unwatch does not wait for
// it: the goroutines end when it returns. Unwatch without Watch does
// nothing.
func (p *UserSecrets) Unwatch() error {
	p.mu.Lock()
	cur := p.w
	p.w, p.watching = nil, false
	inCallback := cur != nil && cur.inCallback
	p.mu.Unlock()
	if cur == nil {
		return nil
	}
	if inCallback {
		// This may be the callback itself, which Close would wait for.
		cur.fw.Stop()
		return nil
	}
	// Close outside the lock: a callback that started meanwhile has found
	// p.w changed and returns at once.
	return cur.fw.Close()
}
