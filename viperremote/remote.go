package viperremote

import (
	"bytes"
	"io"
	"sync"
	"time"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/secrets"
	"github.com/go-user-secrets/user-secrets/internal/watch"
	"github.com/spf13/viper"
)

// ProviderName is the remote provider name RegisterRemote adds to Viper:
// v.AddRemoteProvider(ProviderName, projectDir, "").
const ProviderName = "usersecrets"

// remoteConfigFactory is viper.RemoteConfig's (unexported) interface type.
type remoteConfigFactory interface {
	Get(rp viper.RemoteProvider) (io.Reader, error)
	Watch(rp viper.RemoteProvider) (io.Reader, error)
	WatchChannel(rp viper.RemoteProvider) (<-chan *viper.RemoteResponse, chan bool)
}

// remote is the factory RegisterRemote installs. It serves ProviderName and
// passes every other provider to next.
type remote struct {
	next     remoteConfigFactory // the factory installed before, or nil
	debounce time.Duration
}

var registerMu sync.Mutex

// RegisterRemote makes "usersecrets" (ProviderName) a Viper remote
// provider: it appends the name to viper.SupportedRemoteProviders and
// installs a viper.RemoteConfig that serves it and passes every other
// provider ("etcd3", "consul", ...) to the viper.RemoteConfig that was set
// before, if any. So it works beside a blank import of viper/remote: call
// RegisterRemote after that package's init has run (from main, say), since
// that init replaces whatever viper.RemoteConfig was set before it. It is
// idempotent, and safe to call from several goroutines, but like every
// change to Viper's package variables it must not race with Viper using
// them.
//
// Then:
//
//	v.AddRemoteProvider("usersecrets", projectDir, "")
//	v.SetConfigType("json") // or "yaml"
//	err := v.ReadRemoteConfig()
//
// The endpoint is the project directory (only its .env is read for
// USER_SECRETS_ID, unless $USER_SECRETS_ID is set); the store is found as
// core.StoreRoot says. Keys are lower-cased and nested on ".", as Merge
// does with the zero Options; the watch is debounced as Watch's is by
// default (50ms).
//
// A remote provider is not told the config type Viper will decode with, so
// the path names the rendering, which must match v's config type:
//
//	"" (or "json", "yaml", "yml")  JSON, for the config types json, yaml, yml
//	"toml"                         TOML, for toml
//	"dotenv" (or "env")            KEY=value lines, for dotenv and env
//
// Any other path is an error. Errors name the secrets file, the line and
// the key, never a value; and each rendering is laid out so that a decoder
// given the wrong one fails with an error that quotes no value either
// (Viper logs that error).
//
// Viper v1.21 has no decoder for its other SupportedExts ("properties",
// "props", "prop", "hcl", "tfvars", "ini"), so those config types fail in
// Viper whatever the provider sends. With "dotenv", keys are not nested and
// a key containing "." cannot be looked up (Viper searches the key/value
// store by path), and a key or value Viper's dotenv codec cannot read
// exactly is an error naming the key; JSON carries every secret.
//
// v.WatchRemoteConfigOnChannel works too, within Viper's limits: it
// decodes each change into the values it holds (as ReadRemoteConfig does),
// so a deleted secret keeps its old value in v; it writes them from a
// goroutine of its own without a lock, so reads of v race with it; and it
// drops the quit channel, so neither its goroutine nor the provider's watch
// ever stops.
//
// Viper ranks remote config below the config file (see the package
// documentation): use Merge or Watch to put secrets above it.
func RegisterRemote() {
	registerMu.Lock()
	defer registerMu.Unlock()
	if _, ok := viper.RemoteConfig.(*remote); !ok {
		var next remoteConfigFactory
		if viper.RemoteConfig != nil {
			next = viper.RemoteConfig
		}
		viper.RemoteConfig = &remote{next: next, debounce: secrets.DefaultDebounce}
	}
	for _, p := range viper.SupportedRemoteProviders {
		if p == ProviderName {
			return
		}
	}
	viper.SupportedRemoteProviders = append(viper.SupportedRemoteProviders, ProviderName)
}

// Get reads and renders the project's secrets; another provider goes to the
// factory installed before.
func (r *remote) Get(rp viper.RemoteProvider) (io.Reader, error) {
	if rp.Provider() != ProviderName {
		if r.next == nil {
			return nil, viper.UnsupportedRemoteProviderError(rp.Provider())
		}
		return r.next.Get(rp)
	}
	b, err := r.read(rp)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(b), nil
}

// Watch is Get, as in viper/remote: Viper calls it from WatchRemoteConfig,
// which polls.
func (r *remote) Watch(rp viper.RemoteProvider) (io.Reader, error) {
	if rp.Provider() != ProviderName {
		if r.next == nil {
			return nil, viper.UnsupportedRemoteProviderError(rp.Provider())
		}
		return r.next.Watch(rp)
	}
	return r.Get(rp)
}

// WatchChannel sends the rendered secrets each time the secrets file
// changes, until the returned quit channel is closed or receives a value
// (send at most once); then the response channel is closed, and once it is,
// no goroutine is left. A secrets file that cannot be read is sent as a
// response with no Value and an Error that says why; Viper ignores Error,
// fails to decode the empty Value or decodes nothing, and keeps its values.
//
// When watching cannot start, the response channel holds one response with
// the error and is never closed: Viper's watch goroutine, which ignores the
// quit channel, would crash on a closed channel.
func (r *remote) WatchChannel(rp viper.RemoteProvider) (<-chan *viper.RemoteResponse, chan bool) {
	if rp.Provider() != ProviderName {
		if r.next == nil {
			return failed(viper.UnsupportedRemoteProviderError(rp.Provider()))
		}
		return r.next.WatchChannel(rp)
	}
	f, err := parseFormat(rp.Path())
	if err != nil {
		return failed(err)
	}
	s, err := core.Open(core.Options{ProjectDir: rp.Endpoint()})
	if err != nil {
		return failed(err)
	}
	changed := make(chan struct{}, 1)
	fw, err := watch.New(s.Path(), r.debounce, func() {
		select {
		case changed <- struct{}{}:
		default: // a change is already pending; it will read the latest file
		}
	})
	if err != nil {
		return failed(err)
	}
	resp := make(chan *viper.RemoteResponse)
	quit := make(chan bool)
	go func() {
		defer close(resp)
		defer fw.Close()
		for {
			select {
			case <-quit:
				return
			case <-changed:
			}
			b, err := renderStore(s, f)
			select {
			case resp <- &viper.RemoteResponse{Value: b, Error: err}:
			case <-quit:
				return
			}
		}
	}()
	return resp, quit
}

// failed returns a response channel holding one response with err.
func failed(err error) (<-chan *viper.RemoteResponse, chan bool) {
	resp := make(chan *viper.RemoteResponse, 1)
	resp <- &viper.RemoteResponse{Error: err}
	return resp, make(chan bool)
}

// read renders the secrets of the project named by rp.
func (r *remote) read(rp viper.RemoteProvider) ([]byte, error) {
	f, err := parseFormat(rp.Path())
	if err != nil {
		return nil, err
	}
	s, err := core.Open(core.Options{ProjectDir: rp.Endpoint()})
	if err != nil {
		return nil, err
	}
	return renderStore(s, f)
}

func renderStore(s *core.Store, f format) ([]byte, error) {
	entries, err := s.All()
	if err != nil {
		return nil, err
	}
	return render(entries, s.Path(), f)
}
