//go:build race

package main

// Under go test -race, the program is built with the race detector too,
// so that TestWatch catches a data race in the program (it then exits with
// status 66 and the report on stderr).
func init() { raceFlags = []string{"-race"} }
