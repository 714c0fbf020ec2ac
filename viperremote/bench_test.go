package viperremote

import (
	"fmt"
	"testing"

	"github.com/go-user-secrets/user-secrets/core"
	"github.com/spf13/viper"
)

// BenchmarkMerge measures Merge of n secrets into an empty Viper, flat
// (n keys at the top level) and nested on "__" into sections of 100 keys.
// Viper's MergeConfigMap costs time quadratic in the keys of one level.
//
//	go test -run '^$' -bench Merge -benchtime 3x ./viperremote
func BenchmarkMerge(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, nested := range []bool{false, true} {
			name := fmt.Sprintf("keys=%d/flat", n)
			if nested {
				name = fmt.Sprintf("keys=%d/nested", n)
			}
			b.Run(name, func(b *testing.B) {
				root := b.TempDir()
				const id = "6f1c1f5e-8d5c-4a8e-9d2a-1b2c3d4e5f60"
				s, err := core.Open(core.Options{ID: id, Root: root, LookupEnv: noEnv, WorkDir: root})
				if err != nil {
					b.Fatal(err)
				}
				entries := make([]core.Entry, n)
				for i := range entries {
					key := fmt.Sprintf("SECRET_KEY_%05d", i)
					if nested {
						key = fmt.Sprintf("SECTION_%03d__KEY_%03d", i/100, i%100)
					}
					entries[i] = core.Entry{Key: key, Value: fmt.Sprintf("value-%05d", i)}
				}
				if _, err := s.SetMany(entries); err != nil {
					b.Fatal(err)
				}
				opts := Options{ID: id, Root: root, LookupEnv: noEnv, Delimiter: "__"}
				b.ReportAllocs()
				for b.Loop() {
					if err := Merge(viper.New(), opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
