// Command noop does nothing: bench/run.sh times it as the floor of starting
// a Go process on this machine.
package main

func main() {}
