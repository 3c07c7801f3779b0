package cli

import (
	"fmt"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/parser"
)

// newLinuxHost builds the daemon's host seams from package netif's Linux
// constructors, in the network namespace of the calling thread (the VRRP
// child is started inside the namespace of -s, so that is the one).
func newLinuxHost() (netif.Host, error) {
	h, err := netif.NewHost()
	if err != nil {
		return netif.Host{}, fmt.Errorf("cli: host: %w", err)
	}
	return h, nil
}

// loadConfig is the daemon's loader: keepalived.conf through the parser.
func loadConfig(path, configID string) (*config.Config, config.Diagnostics, error) {
	return parser.LoadFile(path, parser.Options{ConfigID: configID})
}
