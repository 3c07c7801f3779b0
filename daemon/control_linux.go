package daemon

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// checkPeer allows root and our own user only (SO_PEERCRED).
func checkPeer(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var cerr error
	raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	})
	if cerr != nil {
		return fmt.Errorf("daemon: control: peer credentials: %w", cerr)
	}
	if cred.Uid != 0 && int(cred.Uid) != os.Getuid() {
		return errors.New("daemon: control: permission denied")
	}
	return nil
}
