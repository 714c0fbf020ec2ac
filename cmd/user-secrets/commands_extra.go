package main

import "github.com/spf13/cobra"

// The commands beyond the Python tool's set; root.go adds them.
func init() {
	extraCommands = func(f *Factory) []*cobra.Command {
		return []*cobra.Command{
			newCmdRun(f, nil),
			newCmdImport(f, nil),
			newCmdExport(f, nil),
			newCmdEdit(f, nil),
			newCmdScan(f, nil),
		}
	}
}
