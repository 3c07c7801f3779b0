//go:build !linux

package cli

import (
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/process"
)

// newHost: the host seams (raw VRRP sockets, netlink) are Linux's. The
// parent refuses to start before a child gets here (process.Parent.Run);
// this is the same refusal for a child started by hand.
func newHost() (netif.Host, error) {
	return netif.Host{}, process.ErrUnsupported
}
