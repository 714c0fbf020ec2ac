package viperremote

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/viper"
	"go.uber.org/goleak"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/internal/compat"
)

// The remote tests change viper.RemoteConfig and
// viper.SupportedRemoteProviders, so they are not parallel; each restores
// both in t.Cleanup.

// fakeFactory stands for a factory installed before RegisterRemote, such as
// viper/remote's.
type fakeFactory struct {
	mu    sync.Mutex
	calls []string // "Get etcd3", ...
}

func (f *fakeFactory) record(method string, rp viper.RemoteProvider) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, method+" "+rp.Provider()+" "+rp.Endpoint()+" "+rp.Path())
}

func (f *fakeFactory) Get(rp viper.RemoteProvider) (io.Reader, error) {
	f.record("Get", rp)
	return strings.NewReader(`{"from": "etcd"}`), nil
}

func (f *fakeFactory) Watch(rp viper.RemoteProvider) (io.Reader, error) {
	f.record("Watch", rp)
	return strings.NewReader(`{"from": "etcd-watch"}`), nil
}

func (f *fakeFactory) WatchChannel(rp viper.RemoteProvider) (<-chan *viper.RemoteResponse, chan bool) {
	f.record("WatchChannel", rp)
	ch := make(chan *viper.RemoteResponse, 1)
	ch <- &viper.RemoteResponse{Value: []byte(`{"from": "etcd-channel"}`)}
	return ch, make(chan bool)
}

func (f *fakeFactory) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// provider is a viper.RemoteProvider for calling the factory directly.
type provider struct{ name, endpoint, path string }

func (p provider) Provider() string      { return p.name }
func (p provider) Endpoint() string      { return p.endpoint }
func (p provider) Path() string          { return p.path }
func (p provider) SecretKeyring() string { return "" }

// register installs prev as viper.RemoteConfig (nil for none), calls
// RegisterRemote, and restores Viper's package variables after the test.
func register(t *testing.T, prev remoteConfigFactory) {
	t.Helper()
	saved, savedProviders := viper.RemoteConfig, slices.Clone(viper.SupportedRemoteProviders)
	t.Cleanup(func() {
		viper.RemoteConfig = saved
		viper.SupportedRemoteProviders = savedProviders
	})
	viper.RemoteConfig = prev
	RegisterRemote()
}

// remoteProject is newProject for the remote provider, which reads the real
// environment: it points $USER_SECRETS_DIR (and $HOME) at temporary
// directories and clears $USER_SECRETS_ID for the test.
func remoteProject(t *testing.T) *project {
	t.Helper()
	p := newProject(t)
	t.Setenv("USER_SECRETS_DIR", p.root)
	t.Setenv("HOME", t.TempDir())
	t.Setenv(core.EnvID, "")
	return p
}

// logBuffer is a slog handler that keeps every record's text, so a test can
// check that Viper logged no secret.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	ch  chan struct{} // signalled on each error record
}

func newLogBuffer() *logBuffer { return &logBuffer{ch: make(chan struct{}, 100)} }

func (l *logBuffer) Enabled(context.Context, slog.Level) bool { return true }
func (l *logBuffer) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.buf.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		l.buf.WriteString(" " + a.String())
		return true
	})
	l.buf.WriteString("\n")
	l.mu.Unlock()
	if r.Level >= slog.LevelError {
		select {
		case l.ch <- struct{}{}:
		default:
		}
	}
	return nil
}
func (l *logBuffer) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logBuffer) WithGroup(string) slog.Handler      { return l }
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestRegisterRemoteIdempotentAndDelegates(t *testing.T) {
	fake := &fakeFactory{}
	register(t, fake)
	first := viper.RemoteConfig
	RegisterRemote()
	RegisterRemote()
	if viper.RemoteConfig != first {
		t.Error("a second RegisterRemote replaced viper.RemoteConfig")
	}
	if n := strings.Count(strings.Join(viper.SupportedRemoteProviders, " "), ProviderName); n != 1 {
		t.Errorf("SupportedRemoteProviders = %q, want %q once", viper.SupportedRemoteProviders, ProviderName)
	}
	if r, ok := viper.RemoteConfig.(*remote); !ok || r.next != fake {
		t.Fatalf("viper.RemoteConfig = %T, want *remote wrapping the fake", viper.RemoteConfig)
	}

	// Through Viper: every method reaches the fake for etcd3.
	v := viper.New()
	if err := v.AddRemoteProvider("etcd3", "http://127.0.0.1:2379", "/config/app.json"); err != nil {
		t.Fatal(err)
	}
	v.SetConfigType("json")
	if err := v.ReadRemoteConfig(); err != nil {
		t.Fatalf("ReadRemoteConfig(etcd3): %v", err)
	}
	if got := v.GetString("from"); got != "etcd" {
		t.Errorf(`GetString("from") = %q, want the fake's "etcd"`, got)
	}
	if err := v.WatchRemoteConfig(); err != nil {
		t.Fatalf("WatchRemoteConfig(etcd3): %v", err)
	}
	if got := v.GetString("from"); got != "etcd-watch" {
		t.Errorf(`after WatchRemoteConfig, GetString("from") = %q, want "etcd-watch"`, got)
	}
	resp, _ := viper.RemoteConfig.WatchChannel(provider{"etcd3", "http://127.0.0.1:2379", "/config/app.json"})
	if r := <-resp; string(r.Value) != `{"from": "etcd-channel"}` {
		t.Errorf("WatchChannel(etcd3) sent %q, want the fake's response", r.Value)
	}
	want := []string{
		"Get etcd3 http://127.0.0.1:2379 /config/app.json",
		"Watch etcd3 http://127.0.0.1:2379 /config/app.json",
		"WatchChannel etcd3 http://127.0.0.1:2379 /config/app.json",
	}
	if got := fake.Calls(); !slices.Equal(got, want) {
		t.Errorf("fake calls = %q, want %q", got, want)
	}
}

func TestRegisterRemoteWithoutPrevious(t *testing.T) {
	register(t, nil)
	rp := provider{"consul", "127.0.0.1:8500", "/x"}
	var unsupported viper.UnsupportedRemoteProviderError
	if _, err := viper.RemoteConfig.Get(rp); !errors.As(err, &unsupported) {
		t.Errorf("Get(consul) = %v, want UnsupportedRemoteProviderError", err)
	}
	if _, err := viper.RemoteConfig.Watch(rp); !errors.As(err, &unsupported) {
		t.Errorf("Watch(consul) = %v, want UnsupportedRemoteProviderError", err)
	}
	resp, _ := viper.RemoteConfig.WatchChannel(rp)
	if r := <-resp; !errors.As(r.Error, &unsupported) {
		t.Errorf("WatchChannel(consul) sent error %v, want UnsupportedRemoteProviderError", r.Error)
	}

	// And "usersecrets" works alone.
	p := remoteProject(t)
	p.set(t, "API_KEY", "k")
	v := viper.New()
	if err := v.AddRemoteProvider(ProviderName, p.dir, ""); err != nil {
		t.Fatal(err)
	}
	v.SetConfigType("json")
	if err := v.ReadRemoteConfig(); err != nil {
		t.Fatalf("ReadRemoteConfig: %v", err)
	}
	if got := v.GetString("api_key"); got != "k" {
		t.Errorf("GetString(api_key) = %q, want %q", got, "k")
	}
}

// hardValues are values that are hard to carry in one format or another.
var hardValues = map[string]string{
	"SPACES":     "  both ends  ",
	"TAB":        "a\tb",
	"HASH":       "a#b",
	"SPACEHASH":  "a #b",
	"EQUALS":     "a=b==",
	"DOLLAR":     "$HOME ${X} $",
	"SINGLE":     "it's",
	"DOUBLE":     `say "hi"`,
	"BOTH":       `'"`,
	"BACKSLASH":  `C:\new folder\`,
	"ESCAPES":    `\n\t\u0041`,
	"NEWLINE":    "line1\nline2\n",
	"CR":         "a\rb",
	"UNICODE":    "caf\u00e9 \u00a0nbsp \u2028ls \u2029ps \u0085nel \u007fdel \ufeffbom \U0001F511",
	"CONTROL":    "\x01\x1f",
	"JSON":       `{"a": [1, "two"], "b": null}`,
	"PEM":        "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n",
	"EMPTY":      "",
	"YAMLISH":    "- a: b\n  c: [d]",
	"BOOLISH":    "true",
	"NUMBERISH":  "007",
	"NULLISH":    "null",
	"LONG":       strings.Repeat("x", 100000),
	"LEADINGQ":   `"quoted"`,
	"TOML":       `a = "b" # c`,
	"dotted.key": "nested",
	"CANARY":     canary,
}

func TestRemoteConfigTypes(t *testing.T) {
	register(t, &fakeFactory{})
	p := remoteProject(t)
	var entries []core.Entry
	for k, v := range hardValues {
		entries = append(entries, core.Entry{Key: k, Value: v})
	}
	if _, err := p.store.SetMany(entries); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		configType string
		path       string
		dotenv     bool // only values gotenv reads exactly; keys stay flat
	}{
		{"json", "", false},
		{"yaml", "", false},
		{"yml", "", false},
		{"JSON", "json", false},
		{"yaml", "yaml", false},
		{"toml", "toml", false},
		{"dotenv", "dotenv", true},
		{"env", "env", true},
	}
	for _, tc := range tests {
		t.Run(tc.configType+"/"+tc.path, func(t *testing.T) {
			logs := newLogBuffer()
			v := viper.NewWithOptions(viper.WithLogger(slog.New(logs)))
			if err := v.AddRemoteProvider(ProviderName, p.dir, tc.path); err != nil {
				t.Fatal(err)
			}
			v.SetConfigType(tc.configType)
			err := v.ReadRemoteConfig()
			if tc.dotenv {
				// Some hard values cannot be carried: the provider refuses
				// the file, naming the key.
				if err == nil {
					t.Fatal("ReadRemoteConfig = nil, want an error for values dotenv cannot carry")
				}
				noCanary(t, "Viper's log", logs.String())
				_, rerr := render(entries, "secrets", formatDotenv)
				if rerr == nil || !strings.Contains(rerr.Error(), "cannot be written") {
					t.Errorf("render(dotenv) = %v, want an error naming a key", rerr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadRemoteConfig: %v (log: %s)", err, logs)
			}
			for k, want := range hardValues {
				if got := v.GetString(k); got != want {
					t.Errorf("GetString(%q) = %.60q, want %.60q", k, got, want)
				}
			}
			noCanary(t, "Viper's log", logs.String())
		})
	}
}

// TestRemoteDotenv carries, through Viper's dotenv codec, every value that
// gotenv reads exactly.
func TestRemoteDotenv(t *testing.T) {
	register(t, nil)
	p := remoteProject(t)
	var kv []string
	want := map[string]string{}
	for k, v := range hardValues {
		if strings.Contains(k, ".") {
			continue // a dotted key is flat in the key/value store: Get cannot find it
		}
		if _, mis := compat.FormatValue(v); mis&compat.ReaderGotenv == 0 {
			kv = append(kv, k, v)
			want[k] = v
		}
	}
	if len(want) < 15 {
		t.Fatalf("only %d hard values fit dotenv; the test would prove little", len(want))
	}
	p.set(t, kv...)
	for _, configType := range []string{"dotenv", "env"} {
		v := viper.New()
		if err := v.AddRemoteProvider(ProviderName, p.dir, configType); err != nil {
			t.Fatal(err)
		}
		v.SetConfigType(configType)
		if err := v.ReadRemoteConfig(); err != nil {
			t.Fatalf("ReadRemoteConfig(%s): %v", configType, err)
		}
		for k, w := range want {
			if got := v.GetString(k); got != w {
				t.Errorf("%s: GetString(%q) = %.60q, want %.60q", configType, k, got, w)
			}
		}
	}
}

func TestRemoteRanksBelowConfigFile(t *testing.T) {
	register(t, nil)
	p := remoteProject(t)
	p.set(t, "API_KEY", "from-secrets", "ONLY_SECRET", "s")
	v, _ := yamlViper(t, t.TempDir(), "api_key: from-file\n")
	v.SetDefault("only_secret", "default")
	if err := v.AddRemoteProvider(ProviderName, p.dir, "yaml"); err != nil {
		t.Fatal(err)
	}
	if err := v.ReadRemoteConfig(); err != nil { // config type from the file: yaml
		t.Fatal(err)
	}
	if got := v.GetString("api_key"); got != "from-file" {
		t.Errorf("GetString(api_key) = %q, want the config file's value (remote ranks below it)", got)
	}
	if got := v.GetString("only_secret"); got != "s" {
		t.Errorf("GetString(only_secret) = %q, want the secret over the default", got)
	}
	// Merge puts secrets on top.
	if err := Merge(v, p.opts); err != nil {
		t.Fatal(err)
	}
	if got := v.GetString("api_key"); got != "from-secrets" {
		t.Errorf("after Merge, GetString(api_key) = %q, want the secret", got)
	}
}

func TestRemoteErrors(t *testing.T) {
	register(t, nil)
	p := remoteProject(t)
	p.set(t, "KEY", canary, "db", canary, "db.password", canary)

	// Direct calls return the provider's error.
	for _, tc := range []struct {
		name string
		rp   provider
		want []string
	}{
		{"unknown format", provider{ProviderName, p.dir, "ini"}, []string{`"ini"`}},
		{"conflict", provider{ProviderName, p.dir, ""}, []string{`"db.password"`, `"db"`, ".secrets:"}},
		{"no ID", provider{ProviderName, t.TempDir(), ""}, []string{"no USER_SECRETS_ID"}},
	} {
		_, err := viper.RemoteConfig.Get(tc.rp)
		if err == nil {
			t.Errorf("%s: Get = nil, want an error", tc.name)
			continue
		}
		for _, s := range tc.want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: Get error %q does not contain %q", tc.name, err, s)
			}
		}
		noCanary(t, tc.name+" error", err.Error())
		resp, quit := viper.RemoteConfig.WatchChannel(tc.rp)
		if tc.name == "conflict" {
			// The watch starts; the error would come with the first change.
			close(quit)
			for range resp {
			}
			continue
		}
		if r := <-resp; r.Error == nil {
			t.Errorf("%s: WatchChannel sent no error", tc.name)
		}
	}

	// Through Viper, which logs the error and reports "No Files Found".
	logs := newLogBuffer()
	v := viper.NewWithOptions(viper.WithLogger(slog.New(logs)))
	_ = v.AddRemoteProvider(ProviderName, p.dir, "")
	v.SetConfigType("json")
	if err := v.ReadRemoteConfig(); err == nil {
		t.Error("ReadRemoteConfig of conflicting keys = nil, want an error")
	}
	if !strings.Contains(logs.String(), `"db.password"`) {
		t.Errorf("Viper's log %q does not name the key", logs)
	}
	noCanary(t, "Viper's log", logs.String())

	// A format that does not match the config type fails in Viper's
	// decoder, whose error Viper logs; the renderings are laid out so that
	// no decoder's error quotes a value.
	p2 := remoteProject(t)
	p2.set(t, "K", canary, "NESTED.K", canary)
	var mismatches []struct{ path, configType string }
	for _, path := range []string{"", "toml", "dotenv"} {
		for _, configType := range []string{"json", "yaml", "toml", "dotenv", "ini", "properties", "hcl"} {
			mismatches = append(mismatches, struct{ path, configType string }{path, configType})
		}
	}
	for _, tc := range mismatches {
		logs := newLogBuffer()
		v := viper.NewWithOptions(viper.WithLogger(slog.New(logs)))
		_ = v.AddRemoteProvider(ProviderName, p2.dir, tc.path)
		v.SetConfigType(tc.configType)
		err := v.ReadRemoteConfig()
		got := v.GetString("k")
		if err == nil && got == canary {
			continue // this pair happens to work
		}
		// The YAML decoder quotes up to 7 characters: look for a part.
		if strings.Contains(logs.String(), canary[:3]) {
			t.Errorf("path %q, config type %q: Viper's log holds part of the secret value", tc.path, tc.configType)
		}
		if err != nil {
			noCanary(t, "ReadRemoteConfig error", err.Error())
		}
	}
}

func TestRemoteWatchChannel(t *testing.T) {
	register(t, nil)
	p := remoteProject(t)
	p.set(t, "API_KEY", "one")
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	resp, quit := viper.RemoteConfig.WatchChannel(provider{ProviderName, p.dir, ""})
	p.set(t, "API_KEY", "two")
	select {
	case r := <-resp:
		if r.Error != nil || !strings.Contains(string(r.Value), `"api_key": "two"`) {
			t.Errorf("WatchChannel sent (%q, %v), want the new secrets", r.Value, r.Error)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WatchChannel sent nothing after a change")
	}
	replaceFile(t, p.store.Path(), "BROKEN "+canary+"\n")
	select {
	case r := <-resp:
		var pe *core.ParseError
		if !errors.As(r.Error, &pe) || r.Value != nil {
			t.Errorf("WatchChannel sent (%q, %v), want a *core.ParseError and no value", r.Value, r.Error)
		} else {
			noCanary(t, "WatchChannel error", r.Error.Error())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WatchChannel sent nothing after a broken write")
	}

	// A change nobody reads does not block the stop.
	replaceFile(t, p.store.Path(), "API_KEY=three\n")
	time.Sleep(200 * time.Millisecond)
	quit <- true
	for r := range resp { // drains a pending response, then sees the close
		_ = r
	}
}

func TestRemoteWatchChannelClose(t *testing.T) {
	register(t, nil)
	p := remoteProject(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	resp, quit := viper.RemoteConfig.WatchChannel(provider{ProviderName, p.dir, ""})
	close(quit)
	select {
	case _, ok := <-resp:
		if ok {
			t.Error("WatchChannel sent a response after quit, want the channel closed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("response channel not closed after quit")
	}
}

// detachable wraps the installed factory so that a test can cut Viper's
// WatchRemoteConfigOnChannel goroutine off: Viper drops the quit channel and
// would crash on a closed response channel, so its goroutine can never end.
// detach stops the provider's watch (through its quit channel) and leaves
// Viper's goroutine waiting, for good, on a channel that is never closed,
// so it writes to the Viper no more.
type detachable struct {
	remoteConfigFactory
	stop chan struct{}
	done sync.WaitGroup
}

func (d *detachable) WatchChannel(rp viper.RemoteProvider) (<-chan *viper.RemoteResponse, chan bool) {
	in, quit := d.remoteConfigFactory.WatchChannel(rp)
	out := make(chan *viper.RemoteResponse)
	d.done.Add(1)
	go func() {
		defer d.done.Done()
		for {
			select {
			case r := <-in:
				select {
				case out <- r:
					continue
				case <-d.stop:
				}
			case <-d.stop:
			}
			close(quit)
			for range in { // until the provider closes it
			}
			return
		}
	}()
	return out, quit
}

func (d *detachable) detach() {
	close(d.stop)
	d.done.Wait()
}

// TestRemoteThroughViperWatch drives v.WatchRemoteConfigOnChannel.
func TestRemoteThroughViperWatch(t *testing.T) {
	register(t, nil)
	d := &detachable{remoteConfigFactory: viper.RemoteConfig, stop: make(chan struct{})}
	viper.RemoteConfig = d
	p := remoteProject(t)
	p.set(t, "API_KEY", "one")
	logs := newLogBuffer()
	v := viper.NewWithOptions(viper.WithLogger(slog.New(logs)))
	if err := v.AddRemoteProvider(ProviderName, p.dir, ""); err != nil {
		t.Fatal(err)
	}
	v.SetConfigType("json")
	if err := v.ReadRemoteConfig(); err != nil {
		t.Fatal(err)
	}
	if got := v.GetString("api_key"); got != "one" {
		t.Fatalf("GetString(api_key) = %q, want %q", got, "one")
	}
	if err := v.WatchRemoteConfigOnChannel(); err != nil {
		t.Fatal(err)
	}
	defer d.detach() // before the temporary directories go

	// Viper's goroutine writes v as responses arrive and offers no signal,
	// so reading v meanwhile would race. A broken file makes Viper log an
	// error without writing: once that log line arrives, every earlier
	// response has been applied.
	for attempt := 0; ; attempt++ {
		replaceFile(t, p.store.Path(), "API_KEY=two\n")
		time.Sleep(300 * time.Millisecond) // past the debounce: its own response
		replaceFile(t, p.store.Path(), "BROKEN "+canary+"\n")
		select {
		case <-logs.ch:
		case <-time.After(10 * time.Second):
			t.Fatal("Viper logged nothing after a broken secrets file")
		}
		if v.GetString("api_key") == "two" {
			break
		}
		if attempt == 3 {
			t.Fatalf("after a change, GetString(api_key) = %q, want %q", v.GetString("api_key"), "two")
		}
	}
	noCanary(t, "Viper's log", logs.String())
}
