package koanfprovider

import (
	"errors"
	"fmt"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
	"github.com/go-user-secrets/user-secrets/internal/watch"
)

// Watch calls cb(nil, nil) each time the secrets file changes on disk:
// once per burst of changes, Options.Debounce after the last, and never at
// the start (the first load is the caller's). In cb, reload: load the
// layers again into a fresh koanf.Koanf, which reads the file once. Watch
// returns at once; cb runs on a goroutine of its own, never concurrently
// with itself.
//
// The project is resolved once, when Watch starts. Until Unwatch,
// ReadBytes and Read read the store Watch watches, even if .env or
// $USER_SECRETS_ID name another meanwhile; when no ID resolved at the
// start, they return no secrets.
//
// Watch watches the store directory, not the file, so it sees in-place
// writes, the CLI's and editors' rename-saves, and a file deleted and
// created again, and it keeps watching after a delete. When the store
// directory does not exist yet, it waits for it to be created.
//
// A second Watch without Unwatch returns ErrAlreadyWatched. Without an ID
// there is no file to watch: Watch returns nil and cb is never called,
// unless Options.RequireStore (then the error matches core.ErrNoID). An ID
// that is not a UUID (core.ErrInvalidID), or a store directory that cannot
// be watched, is an error. A missing secrets file is watched, and cb is
// called when it appears.
func (p *UserSecrets) Watch(cb func(event any, err error)) error {
	if p.err != nil {
		return p.err
	}
	if cb == nil {
		return errors.New("koanfprovider: Watch with a nil callback")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w != nil {
		return ErrAlreadyWatched
	}
	s, err := p.open()
	if err != nil {
		return err
	}
	cur := &watchState{store: s}
	if s != nil {
		cur.fw, err = watch.New(s.Path(), secrets.Debounce(p.opts.Debounce), func() { p.changed(cur, cb) })
		if err != nil {
			return fmt.Errorf("watch secrets: %w", err)
		}
	}
	// The watch's callback waits for p.mu, so it sees p.w set.
	p.w = cur
	return nil
}

// watchState is one Watch: the store it resolved and its file watch.
type watchState struct {
	store *core.Store    // nil when no ID resolved
	fw    *watch.Watcher // nil when store is nil
	// inCallback is whether cb is running; guarded by UserSecrets.mu.
	inCallback bool
}

// changed is the file watch's callback for cur.
func (p *UserSecrets) changed(cur *watchState, cb func(any, error)) {
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
	cb(nil, nil)
}

// Unwatch stops watching; Read and ReadBytes then resolve the project
// again each time. When Unwatch returns, no callback starts any more.
// Unless a callback is running, it waits until the watching goroutines
// are gone. While a callback is running (Unwatch called from the callback
// itself, or from another goroutine meanwhile), Unwatch does not wait for
// it: the goroutines end when it returns. Unwatch without Watch does
// nothing. Its error is that of releasing the file watch.
func (p *UserSecrets) Unwatch() error {
	p.mu.Lock()
	cur := p.w
	p.w = nil
	inCallback := cur != nil && cur.inCallback
	p.mu.Unlock()
	if cur == nil || cur.fw == nil {
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
