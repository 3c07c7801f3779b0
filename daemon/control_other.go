//go:build !linux

package daemon

import (
	"errors"
	"net"
)

// checkPeer refuses every peer outside Linux: the daemon does not run
// there, and SO_PEERCRED is Linux's.
func checkPeer(*net.UnixConn) error {
	return errors.New("daemon: control: peer credentials are checked on Linux only")
}
