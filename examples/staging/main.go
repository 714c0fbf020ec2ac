// Command staging is examples/koanf with its secrets layer chosen by one
// environment variable, SECRETS_SOURCE, so that the same program reads a
// developer's user secrets on a laptop and the same keys from etcd in a
// shared staging environment. It layers defaults, a config file, .env, the
// secrets and APP_* environment variables, each overriding the ones
// before; prints every key with the layer it came from and its value
// masked; and prints them again whenever the secrets change, until
// interrupted.
//
// SECRETS_SOURCE picks the secrets layer; nothing else changes:
//
//	unset, or user-secrets   the project's user secrets (package koanfprovider)
//	etcd://HOST:PORT/PREFIX  the keys under /PREFIX/ in etcd, with /PREFIX/
//	                         taken off (koanf's etcd provider); several
//	                         endpoints are separated by commas
//
// Fill staging from a store, then run against it:
//
//	user-secrets export --format json | go run ./cmd/seed -endpoints 127.0.0.1:2379 -prefix /myapp/staging
//	SECRETS_SOURCE=etcd://127.0.0.1:2379/myapp/staging go run . [-config config.yaml] [-once]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"

	"github.com/go-user-secrets/user-secrets/examples/staging/internal/mask"
	"github.com/go-user-secrets/user-secrets/koanfprovider"
)

// layer is one source of configuration.
type layer struct {
	name   string
	p      koanf.Provider
	parser koanf.Parser
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("staging: ")
	configFile := flag.String("config", "config.yaml", "YAML config file (skipped when missing)")
	once := flag.Bool("once", false, "print once and exit instead of watching the secrets")
	flag.Parse()

	src, err := openSource(os.Getenv(SourceEnv))
	if err != nil {
		log.Fatal(err)
	}
	layers := appLayers(*configFile, src)

	if *once {
		if err := show(os.Stdout, layers); err != nil {
			log.Fatal(err)
		}
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// Watch before the first load, so that no change goes unseen between
	// the two. A burst of changes (a seed of many keys) is one reload, or
	// two: changed holds at most one pending reload, which reads the
	// latest values.
	changed := make(chan struct{}, 1)
	err = src.p.Watch(func(_ any, err error) {
		if err != nil {
			log.Printf("watch %s: %v", src.name, err)
			return
		}
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	if err != nil {
		log.Fatalf("watch %s: %v", src.name, err)
	}
	if err := show(os.Stdout, layers); err != nil {
		log.Fatal(err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			log.Printf("%s changed: reloading", src.name)
			if err := show(os.Stdout, layers); err != nil {
				log.Printf("%v (keeping the last configuration)", err)
			}
		}
	}
}

// appLayers returns the program's layers, lowest first, with src as the
// secrets layer.
func appLayers(configFile string, src source) []layer {
	return []layer{
		{"defaults", confmap.Provider(map[string]any{"PORT": 8080, "LOG_LEVEL": "info"}, "."), nil},
		{configFile, file.Provider(configFile), yaml.Parser()},
		// DotenvParser's errors name the line; koanf's dotenv.Parser
		// (godotenv) would quote the text there, a secret maybe.
		{".env", file.Provider(".env"), koanfprovider.DotenvParser(".env")},
		// Both secrets providers hand koanf a map: no parser.
		{src.name, src.p, nil},
		{"env", env.Provider(".", env.Opt{Prefix: "APP_", TransformFunc: func(k, v string) (string, any) {
			return strings.TrimPrefix(k, "APP_"), v
		}}), nil},
	}
}

// load loads every layer into one koanf.Koanf and returns it with, for each
// key, the name of the last layer that set it.
func load(layers []layer) (*koanf.Koanf, map[string]string, error) {
	k := koanf.New(".")
	from := map[string]string{}
	for _, l := range layers {
		lk := koanf.New(".")
		if err := lk.Load(l.p, l.parser); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // an optional file
			}
			return nil, nil, fmt.Errorf("load %s: %w", l.name, err)
		}
		for _, key := range lk.Keys() {
			from[key] = l.name
		}
		if err := k.Merge(lk); err != nil {
			return nil, nil, fmt.Errorf("merge %s: %w", l.name, err)
		}
	}
	return k, from, nil
}

// show loads every layer and prints each key, the last layer that set it,
// and its value masked.
func show(w io.Writer, layers []layer) error {
	k, from, err := load(layers)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tLAYER\tVALUE")
	for _, key := range k.Keys() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", key, from[key], mask.Value(k.String(key)))
	}
	return tw.Flush()
}
