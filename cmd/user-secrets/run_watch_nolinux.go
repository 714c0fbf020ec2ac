//go:build unix && !linux

package main

// becomeSubreaper does nothing: only Linux lets a process adopt the
// orphans of its descendants, and elsewhere init collects them.
func becomeSubreaper() {}
