// Package etcdkey is the layout of a project's secrets in etcd, shared by
// the staging program and the seed command: the secret KEY is the etcd key
// /PREFIX/KEY.
package etcdkey

import "strings"

// Prefix returns p as a prefix of etcd keys, with one "/" at each end, so
// that the prefix app matches /app/KEY and never /apple/KEY; "/" when p is
// empty or only slashes.
func Prefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return "/"
	}
	return "/" + p + "/"
}
