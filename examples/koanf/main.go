// Command koanf layers a program's configuration with koanf: defaults, a
// config file, .env, the project's user secrets and APP_* environment
// variables, each overriding the ones before. It prints every key with the
// layer it came from and its value masked, and prints them again whenever
// the user secrets change, until interrupted.
//
// Run it in a project whose .env holds USER_SECRETS_ID:
//
//	user-secrets set API_KEY
//	go run ./examples/koanf [-config config.yaml] [-once]
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
	"sync"
	"text/tabwriter"
	"unicode"

	"github.com/go-user-secrets/user-secrets/koanfprovider"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// layer is one source of configuration.
type layer struct {
	name   string
	p      koanf.Provider
	parser koanf.Parser
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("koanf-example: ")
	configFile := flag.String("config", "config.yaml", "YAML config file (skipped when missing)")
	once := flag.Bool("once", false, "print once and exit instead of watching the user secrets")
	flag.Parse()

	secrets := koanfprovider.Provider()
	layers := []layer{
		{"defaults", confmap.Provider(map[string]any{"PORT": 8080, "LOG_LEVEL": "info"}, "."), nil},
		{*configFile, file.Provider(*configFile), yaml.Parser()},
		// DotenvParser's errors name the line; koanf's dotenv.Parser
		// (godotenv) would quote the text there, a secret maybe.
		{".env", file.Provider(".env"), koanfprovider.DotenvParser(".env")},
		// The provider hands koanf a map: it needs no parser.
		{"user secrets", secrets, nil},
		{"env", env.Provider(".", env.Opt{Prefix: "APP_", TransformFunc: func(k, v string) (string, any) {
			return strings.TrimPrefix(k, "APP_"), v
		}}), nil},
	}

	if *once {
		if err := show(os.Stdout, layers); err != nil {
			log.Fatal(err)
		}
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// Watch before the first load, so that no change goes unseen between
	// the two; mu keeps the first table ahead of any reload's. Watch calls
	// back on changes only, and the reload reads the secrets.
	var mu sync.Mutex
	mu.Lock()
	err := secrets.Watch(func(_ any, _ error) {
		mu.Lock()
		defer mu.Unlock()
		log.Print("user secrets changed: reloading")
		if err := show(os.Stdout, layers); err != nil {
			log.Printf("%v (keeping the last configuration)", err)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	defer secrets.Unwatch()
	err = show(os.Stdout, layers)
	mu.Unlock()
	if err != nil {
		log.Fatal(err)
	}
	<-ctx.Done()
}

// show loads every layer and prints each key, the last layer that set it,
// and its value masked.
func show(w io.Writer, layers []layer) error {
	k := koanf.New(".")
	from := map[string]string{}
	for _, l := range layers {
		lk := koanf.New(".")
		if err := lk.Load(l.p, l.parser); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // an optional file
			}
			return fmt.Errorf("load %s: %w", l.name, err)
		}
		for _, key := range lk.Keys() {
			from[key] = l.name
		}
		if err := k.Merge(lk); err != nil {
			return fmt.Errorf("merge %s: %w", l.name, err)
		}
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tLAYER\tVALUE")
	for _, key := range k.Keys() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", key, from[key], masked(k.String(key)))
	}
	return tw.Flush()
}

// masked hides a value for display: its first three characters, then
// "***"; "***" alone for a value of three characters or fewer. A shown
// character that is not graphic (a newline, an escape) is shown as '?', so
// a value cannot drive the terminal.
func masked(v string) string {
	r := []rune(v)
	if len(r) <= 3 {
		return "***"
	}
	for i, c := range r[:3] {
		if !unicode.IsGraphic(c) {
			r[i] = '?'
		}
	}
	return string(r[:3]) + "***"
}
