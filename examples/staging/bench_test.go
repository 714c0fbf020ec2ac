package main

import (
	"testing"

	"github.com/go-user-secrets/user-secrets/examples/staging/internal/etcdtest"
)

// BenchmarkStartup runs the program with -once, start to exit, reading its
// secrets from the user-secrets store and from etcd (on this machine):
//
//	go test -run '^$' -bench Startup -benchtime 50x
func BenchmarkStartup(b *testing.B) {
	f := newFixture(b, appSecrets)
	s := etcdtest.Start(b)
	f.seed(b, s, "/myapp/staging/", len(appSecrets))
	for _, source := range []string{"user-secrets", "etcd://" + s.HostPort + "/myapp/staging"} {
		name := source
		if source != "user-secrets" {
			name = "etcd"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if out, err := f.app(source, "-once").CombinedOutput(); err != nil {
					b.Fatalf("staging -once: %v\n%s", err, out)
				}
			}
		})
	}
}
