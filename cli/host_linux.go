//go:build linux

package cli

import (
	"fmt"

	"github.com/keepalived-go/keepalived/netif"
)

// newHost builds the daemon's host seams from package netif's Linux
// constructors, in the network namespace of the calling thread (the VRRP
// child is started inside the namespace of -s, so that is the one).
func newHost() (netif.Host, error) {
	h, err := netif.NewHost()
	if err != nil {
		return netif.Host{}, fmt.Errorf("cli: host: %w", err)
	}
	// VIP conflict probes (daemon/conflict.go); without the packet
	// sockets the daemon simply does no conflict detection.
	if p, err := netif.NewProber(); err == nil {
		h.Prober = p
	}
	return h, nil
}
