// Command viper shows user secrets in a Viper configuration: it layers
// defaults, a YAML config file, the project's user secrets and environment
// variables, prints each setting (masked) with the layer it came from, and
// prints again whenever the config file or the secrets change.
//
// Usage:
//
//	go run ./examples/viper [-once] [-config config.yaml] [-project DIR]
//
// Environment variables APP_<KEY> override everything (APP_DB_PASSWORD for
// db.password). With -once it prints the settings and exits; otherwise it
// watches until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"unicode"

	"github.com/go-user-secrets/user-secrets/viperremote"
	"github.com/spf13/viper"
)

// envPrefix is the prefix of the environment variables that override
// settings: APP_API_KEY for api_key.
const envPrefix = "APP"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("viper", flag.ContinueOnError)
	fl.SetOutput(stderr)
	once := fl.Bool("once", false, "print the settings once and exit")
	configFile := fl.String("config", "config.yaml", "YAML config `file` (optional)")
	projectDir := fl.String("project", "", "project `directory` whose .env holds USER_SECRETS_ID (default: found from the working directory)")
	if err := fl.Parse(args); err != nil {
		return 2
	}

	app := &app{
		configFile: *configFile,
		secrets:    viperremote.Options{ProjectDir: *projectDir, Delimiter: "__"},
		out:        stdout,
	}
	if _, err := os.Stat(app.configFile); errors.Is(err, fs.ErrNotExist) {
		app.configFile = ""
	}
	// The first load is the program's: the config file, then the secrets
	// merged over it.
	v, err := app.load()
	if err != nil {
		fmt.Fprintf(stderr, "viper example: error: %v\n", err)
		return 1
	}
	app.print(v, "settings")
	if *once {
		return 0
	}

	// Watch watches the secrets and the config file, reloads both after a
	// change and calls back. Viper is not safe for concurrent use: from
	// here on, read v only in the callback, which never runs concurrently
	// with a reload (nor with itself). A change made before Watch starts
	// shows at the next one; mu keeps the line saying that Watch has
	// started ahead of any reload's table.
	var mu sync.Mutex
	mu.Lock()
	stop, err := viperremote.Watch(v, app.secrets, func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			fmt.Fprintf(stderr, "viper example: error: %v (keeping the previous values)\n", err)
			return
		}
		app.print(v, "reloaded")
	})
	if err != nil {
		mu.Unlock()
		fmt.Fprintf(stderr, "viper example: error: %v\n", err)
		return 1
	}
	defer stop()
	fmt.Fprintln(stdout, "watching for changes; Ctrl-C to stop")
	mu.Unlock()

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	<-ctx.Done()
	return 0
}

type app struct {
	configFile string // "" when there is none
	secrets    viperremote.Options
	out        io.Writer
}

// load builds the layered configuration.
func (a *app) load() (*viper.Viper, error) {
	v := viper.New()
	setDefaults(v)
	if err := a.readConfig(v); err != nil {
		return nil, err
	}
	if err := viperremote.Merge(v, a.secrets); err != nil { // after ReadInConfig
		return nil, err
	}
	useEnv(v)
	return v, nil
}

func setDefaults(v *viper.Viper) {
	v.SetDefault("server.port", 8080)
	v.SetDefault("log.level", "info")
	v.SetDefault("db.host", "localhost")
	v.SetDefault("db.password", "")
	v.SetDefault("api_key", "")
}

func (a *app) readConfig(v *viper.Viper) error {
	if a.configFile == "" {
		return nil
	}
	v.SetConfigFile(a.configFile)
	err := v.ReadInConfig()
	var perr viper.ConfigParseError
	if errors.As(err, &perr) {
		// A parser's error text can quote the file's lines, secrets
		// included (gotenv's does): name the file only.
		return fmt.Errorf("read %s: Viper cannot parse it as %s; check the file", a.configFile, filepath.Ext(a.configFile))
	}
	return err
}

func useEnv(v *viper.Viper) {
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
}

// envName is the variable that overrides key.
func envName(key string) string {
	return envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// print writes every setting, masked, with the layer it came from. It finds
// the layer by loading each one into a Viper of its own.
func (a *app) print(v *viper.Viper, title string) {
	defaults := viper.New()
	setDefaults(defaults)
	file := viper.New()
	if err := a.readConfig(file); err != nil {
		file = viper.New()
	}
	secrets := viper.New()
	if err := viperremote.Merge(secrets, a.secrets); err != nil {
		secrets = viper.New()
	}

	configName := "config file"
	if a.configFile != "" {
		configName = a.configFile
	}
	fmt.Fprintf(a.out, "%s (lowest to highest: defaults, %s, user secrets, environment %s_*):\n", title, configName, envPrefix)
	keys := v.AllKeys()
	slices.Sort(keys)
	width := 0
	for _, k := range keys {
		width = max(width, len(k))
	}
	for _, k := range keys {
		var from string
		switch {
		case os.Getenv(envName(k)) != "":
			from = "environment " + envName(k)
		case secrets.IsSet(k):
			from = "user secrets"
		case file.IsSet(k):
			from = configName
		case defaults.IsSet(k):
			from = "default"
		default:
			from = "?"
		}
		fmt.Fprintf(a.out, "  %-*s = %-10s (%s)\n", width, k, masked(v.GetString(k)), from)
	}
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
