// Package fsutil holds the file-system primitives shared by core and the CLI:
// cross-process advisory locks and atomic, durable file replacement.
package fsutil
