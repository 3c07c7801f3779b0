// Package cli is keepalived-go's command tree (spf13/cobra): keepalived
// 2.2.7's own flags (-f -n -l -D -t -p -r -P ...) with their meanings, plus
// our subcommands (check-config, version, reload --plan, ...). It is the
// composition root: the only place that calls the Linux constructors.
package cli

import (
	"io"
)

// Main runs the command line and returns the process exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	return 0
}
