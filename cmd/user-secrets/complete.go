package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/go-user-secrets/user-secrets/core"
)

// completeKeys returns a completion function that offers the stored key
// names starting with the word being typed, leaving out those in args when
// skipGiven; it offers nothing once args holds maxArgs arguments (maxArgs
// < 0: no limit). It never offers a value, and never a file name.
//
// Completion runs at every Tab, so it reads the store and nothing more: it
// creates no file or directory, prints no warning (the shell would take it
// for a completion), and offers nothing, without error, when there is no
// ID, no store or a store it cannot read.
func completeKeys(f *Factory, maxArgs int, skipGiven bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if maxArgs >= 0 && len(args) >= maxArgs {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var keys []cobra.Completion
		for _, k := range storedKeys(f) {
			if strings.HasPrefix(k, toComplete) && !(skipGiven && slices.Contains(args, k)) && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		return keys, cobra.ShellCompDirectiveNoFileComp
	}
}

// storedKeys returns the keys of the project's store in file order, or
// nil when there is none to read. It opens the store without
// Factory.Store, which prints the project's warnings, and lists the keys
// without reading a value: an encrypted store's key is never looked up.
func storedKeys(f *Factory) []string {
	s, err := core.Open(f.Options())
	if err != nil {
		return nil
	}
	list, err := s.List()
	if err != nil {
		return nil
	}
	keys := make([]string, len(list))
	for i, k := range list {
		keys[i] = k.Key
	}
	return keys
}
