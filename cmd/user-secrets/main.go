// Command user-secrets keeps a project's local-development secrets out of
// the project tree, in the store python-env-secrets shares.
//
// Run `user-secrets help` for the commands.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], newSystemIO()))
}
