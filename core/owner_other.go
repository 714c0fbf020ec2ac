//go:build !unix

package core

import "io/fs"

// checkPrivate checks nothing on Windows: the store relies on the user
// profile's access control lists, which it neither reads nor sets.
func checkPrivate(string, fs.FileInfo) (string, error) { return "", nil }
