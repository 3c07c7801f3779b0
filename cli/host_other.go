//go:build !linux

package cli

import (
	"github.com/keepalived-go/keepalived/daemon"
	"github.com/keepalived-go/keepalived/process"
)

// newHost: the host seams (raw VRRP sockets, netlink) are Linux's. The
// parent refuses to start before a child gets here (process.Parent.Run);
// this is the same refusal for a child started by hand.
func newHost() (daemon.Host, error) {
	return daemon.Host{}, process.ErrUnsupported
}
