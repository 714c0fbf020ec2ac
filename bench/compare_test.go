// Package bench compares, in one run, the ways a Go program can load the
// same secrets file: os.ReadFile (the floor), core, godotenv, koanf's file
// provider with its dotenv parser, this project's koanf provider, Viper's
// dotenv config type, and this project's Viper Merge.
//
//	go test -run '^$' -bench . -benchmem ./bench
package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/go-user-secrets/user-secrets/koanfprovider"
	"github.com/go-user-secrets/user-secrets/viperremote"
	"github.com/joho/godotenv"
	"github.com/knadh/koanf/parsers/dotenv"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/viper"
)

const benchID = "6f1c1f5e-8d5c-4a8e-9d2a-1b2c3d4e5f60"

var sizes = []int{100, 1000, 10000}

// store writes an n-key secrets file, every value in a form every reader
// of the comparison reads the same, and returns the store root and the
// file's path.
func store(b *testing.B, n int) (root, path string) {
	b.Helper()
	root = b.TempDir()
	dir := filepath.Join(root, benchID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("# user-secrets: benchmark store\n")
	for i := range n {
		fmt.Fprintf(&sb, "SECRET_KEY_%05d=value-%05d-abcdefghijklmnopqrstuvwxyz0123456789\n", i, i)
	}
	path = filepath.Join(dir, ".secrets")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return root, path
}

func noEnv(string) (string, bool) { return "", false }

func BenchmarkLoad(b *testing.B) {
	for _, n := range sizes {
		root, path := store(b, n)
		run := func(name string, fn func() error) {
			b.Run(fmt.Sprintf("keys=%d/%s", n, name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := fn(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		run("os.ReadFile", func() error { _, err := os.ReadFile(path); return err })
		st, err := core.Open(core.Options{Root: root, ID: benchID})
		if err != nil {
			b.Fatal(err)
		}
		run("core.Store.All", func() error { _, err := st.All(); return err })
		run("godotenv.Read", func() error { _, err := godotenv.Read(path); return err })
		run("koanf.file+dotenv", func() error {
			return koanf.New(".").Load(file.Provider(path), dotenv.Parser())
		})
		opts := koanfprovider.Options{ID: benchID, Root: root, LookupEnv: noEnv, WorkDir: root}
		run("koanfprovider+dotenv", func() error {
			return koanf.New(".").Load(koanfprovider.Provider(opts), dotenv.Parser())
		})
		run("koanfprovider.Read", func() error {
			return koanf.New(".").Load(koanfprovider.Provider(opts), nil)
		})
		run("viper.ReadInConfig(dotenv)", func() error {
			v := viper.New()
			v.SetConfigFile(path)
			v.SetConfigType("dotenv")
			return v.ReadInConfig()
		})
		vopts := viperremote.Options{ID: benchID, Root: root, LookupEnv: noEnv, WorkDir: root}
		run("viperremote.Merge", func() error { return viperremote.Merge(viper.New(), vopts) })
	}
}
