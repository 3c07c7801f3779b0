package cli

import (
	"fmt"

	"github.com/keepalived-go/keepalived/daemon"
	"github.com/keepalived-go/keepalived/netif"
)

// newLinuxHost builds the daemon's host seams from package netif's Linux
// constructors, in the network namespace of the calling thread (the VRRP
// child is started inside the namespace of -s, so that is the one).
func newLinuxHost() (daemon.Host, error) {
	h, err := netif.NewHost()
	if err != nil {
		return daemon.Host{}, fmt.Errorf("cli: host: %w", err)
	}
	dh := daemon.Host{
		Addresses: h.Addresses,
		Announcer: h.Announcer,
		Links:     h.Links,
		Listen:    h.Listen,
	}
	if h.VMACs != nil {
		dh.VMACs = h.VMACs
	}
	if p, err := netif.NewProber(); err == nil {
		dh.Prober = p
	}
	return dh, nil
}
