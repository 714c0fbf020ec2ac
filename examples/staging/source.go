package main

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/knadh/koanf/maps"
	"github.com/knadh/koanf/providers/etcd/v2"
	"github.com/knadh/koanf/v2"

	"github.com/go-user-secrets/user-secrets/examples/staging/internal/etcdkey"
	"github.com/go-user-secrets/user-secrets/koanfprovider"
)

// SourceEnv is the environment variable that picks the secrets layer.
const SourceEnv = "SECRETS_SOURCE"

// etcdTimeout bounds koanf's etcd provider's connection and each read.
const etcdTimeout = 5 * time.Second

// watcher is a koanf.Provider that calls back when its values change.
type watcher interface {
	koanf.Provider
	Watch(cb func(event any, err error)) error
}

// source is the secrets layer: its name, shown in the LAYER column, and
// its provider.
type source struct {
	name string
	p    watcher
}

// openSource returns the secrets layer that value, SECRETS_SOURCE's, names.
// Its errors never repeat the value, which may hold credentials.
func openSource(value string) (source, error) {
	if value == "" || value == "user-secrets" {
		return source{"user secrets", koanfprovider.Provider()}, nil
	}
	if !strings.HasPrefix(value, "etcd://") {
		return source{}, errors.New(SourceEnv + ": unknown source: want user-secrets or etcd://HOST:PORT/PREFIX")
	}
	endpoints, prefix, err := parseEtcdURL(value)
	if err != nil {
		return source{}, err
	}
	p, err := etcd.Provider(etcd.Config{Endpoints: endpoints, DialTimeout: etcdTimeout, Prefix: true, Key: prefix})
	if err != nil {
		return source{}, err
	}
	return source{"etcd", etcdSecrets{p, prefix}}, nil
}

// parseEtcdURL returns the endpoints and the key prefix, "/PREFIX/", of
// etcd://HOST:PORT[,HOST:PORT...]/PREFIX.
func parseEtcdURL(value string) (endpoints []string, prefix string, err error) {
	u, err := url.Parse(value)
	if err != nil {
		// url.Parse's error quotes the URL.
		return nil, "", errors.New(SourceEnv + ": not a URL: want etcd://HOST:PORT/PREFIX")
	}
	if u.User != nil {
		return nil, "", errors.New(SourceEnv + ": credentials in the URL are not supported: koanf's etcd provider connects without authentication")
	}
	if u.Host == "" {
		return nil, "", errors.New(SourceEnv + ": no HOST:PORT: want etcd://HOST:PORT/PREFIX")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, "", errors.New(SourceEnv + ": a query or fragment is not supported: want etcd://HOST:PORT/PREFIX")
	}
	prefix = etcdkey.Prefix(u.Path)
	if prefix == "/" {
		return nil, "", errors.New(SourceEnv + ": no key prefix: want etcd://HOST:PORT/PREFIX")
	}
	for _, h := range strings.Split(u.Host, ",") {
		endpoints = append(endpoints, "http://"+h)
	}
	return endpoints, prefix, nil
}

// etcdSecrets is koanf's etcd provider over one key prefix, with the
// prefix taken off each key, so that the keys are the secrets' names, and
// nested on "." as koanfprovider nests them.
type etcdSecrets struct {
	*etcd.Etcd
	prefix string
}

// Read returns the keys under the prefix without it, and their values.
func (e etcdSecrets) Read() (map[string]any, error) {
	m, err := e.Etcd.Read()
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[strings.TrimPrefix(k, e.prefix)] = v
	}
	return maps.Unflatten(out, "."), nil
}
