// Command keepalived is keepalived-go: a drop-in replacement for keepalived's
// VRRP side. The command tree lives in package cli; main stays thin.
package main

import (
	"os"

	"github.com/keepalived-go/keepalived/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
