// Package registerfirst calls viperremote.RegisterRemote from an init
// function that runs before github.com/spf13/viper/remote's, for the test
// of that order. Go initializes, of the packages whose imports are all
// initialized, the one first by import path: this one needs only
// viperremote and Viper, and sorts before viper/remote, which needs many
// more (its etcd, Consul, Firestore and NATS clients).
package registerfirst

import (
	"github.com/spf13/viper"

	"github.com/go-user-secrets/user-secrets/viperremote"
)

// Before and Installed are viper.RemoteConfig as this package's init found
// it (nil, when viper/remote's init has not run yet) and as RegisterRemote
// left it.
var Before, Installed any

func init() {
	Before = viper.RemoteConfig
	viperremote.RegisterRemote()
	Installed = viper.RemoteConfig
}
