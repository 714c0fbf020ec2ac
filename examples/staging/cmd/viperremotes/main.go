// Command viperremotes reads configuration from two Viper remote providers
// in one process: this project's "usersecrets" (viperremote.RegisterRemote)
// and Viper's own "etcd3" (the package github.com/spf13/viper/remote), and
// shows that registering the one does not replace the other. It prints
// each key of each, with its value masked.
//
// Viper's etcd3 provider reads one etcd key holding a whole config
// document; fill it from a store with etcdctl, which reads the value on
// standard input:
//
//	user-secrets export --format json | etcdctl --endpoints 127.0.0.1:2379 put /myapp/staging.json
//	go run ./cmd/viperremotes -project . -etcd http://127.0.0.1:2379 -key /myapp/staging.json
//
// viper/remote installs its provider in an init function, with a plain
// assignment that replaces whatever was installed before it;
// RegisterRemote wraps what it finds. So RegisterRemote is called here,
// from main, when every init has run: then both are served, whichever was
// installed first. Exit status 0 when both were read, 1 otherwise, 2 for a
// usage error.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/spf13/viper"
	_ "github.com/spf13/viper/remote" // Viper's etcd3, etcd, consul, firestore and nats providers

	"github.com/go-user-secrets/user-secrets/examples/staging/internal/mask"
	"github.com/go-user-secrets/user-secrets/viperremote"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// remote is one remote provider to read, as v.AddRemoteProvider takes it.
// It is a viper.RemoteProvider.
type remote struct {
	provider, endpoint, path string
}

func (r remote) Provider() string      { return r.provider }
func (r remote) Endpoint() string      { return r.endpoint }
func (r remote) Path() string          { return r.path }
func (r remote) SecretKeyring() string { return "" }

// run is the program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("viperremotes", flag.ContinueOnError)
	fl.SetOutput(stderr)
	project := fl.String("project", ".", "project `directory` whose .env holds USER_SECRETS_ID")
	endpoint := fl.String("etcd", "http://127.0.0.1:2379", "etcd `endpoint`s, separated by ';' as Viper takes them")
	key := fl.String("key", "", "etcd `key` holding a JSON document (required)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *key == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, "viperremotes: error: usage: viperremotes [-project DIR] [-etcd URL] -key KEY")
		return 2
	}

	viperremote.RegisterRemote()

	status := 0
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tKEY\tVALUE")
	for _, r := range []remote{
		{viperremote.ProviderName, *project, ""},
		{"etcd3", *endpoint, *key},
	} {
		settings, err := read(r)
		if err != nil {
			fmt.Fprintf(stderr, "viperremotes: error: read %s: %v\n", r.provider, err)
			status = 1
			continue
		}
		keys := settings.AllKeys() // in no order
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.provider, k, mask.Value(settings.GetString(k)))
		}
	}
	tw.Flush()
	return status
}

// read reads r's JSON document into a Viper instance of its own. One
// instance with both providers would read only the first that answers:
// Viper's ReadRemoteConfig stops there.
func read(r remote) (*viper.Viper, error) {
	v := viper.New()
	if err := v.AddRemoteProvider(r.provider, r.endpoint, r.path); err != nil {
		return nil, err
	}
	v.SetConfigType("json")
	if err := v.ReadRemoteConfig(); err != nil {
		// Viper logs the provider's error and returns "No Files Found";
		// ask the provider again for its error. Viper's logger is left
		// discarding: a decoder's error it logs can quote a character of
		// the document.
		if _, perr := viper.RemoteConfig.Get(r); perr != nil {
			return nil, perr
		}
		return nil, fmt.Errorf("%v: the document is not a JSON object", err)
	}
	return v, nil
}
