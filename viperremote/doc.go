// Package viperremote puts a project's user secrets (see package core) into
// a github.com/spf13/viper configuration.
//
// It does not import github.com/spf13/viper/remote, and brings no
// dependency beyond Viper's own.
//
// # Where secrets rank
//
// Viper v1.21 answers v.Get(key) from the first of these layers that holds
// the key:
//
//  1. v.Set
//  2. flags bound with v.BindPFlag, when set on the command line
//  3. environment variables (v.BindEnv, v.AutomaticEnv)
//  4. the config layer: the config file (v.ReadInConfig) and whatever was
//     merged into it afterwards with v.MergeConfigMap
//  5. the key/value store: remote providers (v.ReadRemoteConfig)
//  6. defaults (v.SetDefault)
//
// Merge puts the secrets into layer 4, over the config file's values key by
// key, so a secret overrides the config file and the defaults, and an
// environment variable overrides a secret. Watch keeps them there when
// either file changes, in place of v.WatchConfig (which must then not be
// called). This is the order .NET's user secrets give, and what you want
// for local development.
//
// RegisterRemote makes "usersecrets" a Viper remote provider instead. Viper
// puts remote config in layer 5, below the config file: a key in the config
// file hides the secret of the same name. Use it where a remote provider is
// what the program expects (one swapped for etcd or Consul in production,
// say), and Merge to layer secrets on top.
//
// # Keys
//
// Viper lower-cases keys, on the way in and on lookup: the secret API_KEY is
// v.GetString("api_key") (or "API_KEY"), and two secrets that differ only in
// case (API_KEY and api_key) are an error, as Viper cannot hold both. "." is
// Viper's key delimiter, so a secret named db.password is nested:
// v.GetString("db.password"), v.Sub("db"). Options.Delimiter nests on
// another string too: with "__", DB__PASSWORD is db.password as well, which
// suits secrets that must also be valid environment variable names.
// Options.TransformKey maps each key first (to strip a prefix, say). Two
// secrets that would nest into one another (DB and DB__PASSWORD) or into
// the same key (DB.PASSWORD and DB__PASSWORD) are an error naming both.
//
// An encrypted store (see core.Store.Encrypt) is read with its key from
// $USER_SECRETS_KEY, else from Options.Keys: keychain.New() there reads
// the key from the OS keychain. RegisterRemote takes no Options: its
// provider reads an encrypted store with $USER_SECRETS_KEY only.
//
// Options are the same, with the same meanings, as package koanfprovider's.
//
// # Errors and logging
//
// Errors name the secrets file, the line and the key, never a value. But
// Viper itself logs each merged value at debug level, through the logger of
// its global instance (viper.SetOptions(viper.WithLogger(...))): keep that
// logger above debug level when secrets are merged. The default logger
// discards everything. A secret that is a single value where v has a
// section (DB=x when the config file has keys under db:) is refused with an
// error naming the key: Viper would ignore it, and log its value at error
// level.
//
// # Cost
//
// Viper's MergeConfigMap looks each key up by going through the keys
// already at its level, so Merge takes time quadratic in the number of
// secrets at one level: 1,000 flat keys take about 25ms and 10,000 about
// 2.5s, while 10,000 nested on Options.Delimiter into 100 sections of 100
// take about 20ms (go test -run '^$' -bench Merge -benchtime 3x
// ./viperremote). Watch pays it again at each reload. Viper's API has no
// cheaper way to add keys to its config layer.
package viperremote
