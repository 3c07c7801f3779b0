package netif

import (
	"fmt"
	"runtime"

	"github.com/vishvananda/netns"
)

// Network namespaces.
//
// A socket belongs to the namespace of the thread that created it, for good:
// once made it can be used from any goroutine. So the constructors here
// (ListenVRRP, NewAddresses, NewLinks, NewAnnouncer, NewVMACs) work in the
// namespace of the calling thread, and those that open sockets later
// (Addresses, Links, Announcer) remember that namespace and go back into it
// on a locked thread when they need a new socket or a /proc/sys file.
//
// The daemon never changes namespace, so every thread is in the process's
// namespace and the fast path below applies. Tests run constructors inside
// WithNetns.

// WithNetns runs fn on a locked OS thread switched into the network
// namespace at path (for example /run/netns/kgn-a). An empty path runs fn
// directly. The thread is switched back afterwards; if that fails the thread
// is left locked, so the Go runtime retires it instead of reusing it in the
// wrong namespace.
func WithNetns(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	h, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("netif: open netns %s: %w", path, err)
	}
	defer h.Close()
	return inNetns(h, fn)
}

// inNetns runs fn with the calling goroutine's thread in namespace h.
func inNetns(h netns.NsHandle, fn func() error) error {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netif: current netns: %w", err)
	}
	defer orig.Close()
	if err := netns.Set(h); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netif: enter netns: %w", err)
	}
	ferr := fn()
	if err := netns.Set(orig); err != nil {
		// Keep the thread locked: it dies with this goroutine.
		return fmt.Errorf("netif: restore netns: %w", err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// homeNS is the process's own network namespace, read during package
// initialisation, when the main goroutine is locked to the main thread and
// nothing has switched any thread yet. (/proc/self/ns/net cannot be used
// later: it is the main thread's, and the main thread may be running a
// goroutine locked into another namespace at that moment.)
var homeNS = func() netns.NsHandle {
	h, err := netns.Get()
	if err != nil {
		return netns.None()
	}
	return h
}()

// boundNS is the namespace a long-lived object was created in.
type boundNS struct {
	h    netns.NsHandle // always open
	same bool           // the process's own namespace: no switching needed
}

// currentNS captures the calling thread's network namespace.
func currentNS() (boundNS, error) {
	h, err := netns.Get()
	if err != nil {
		return boundNS{}, fmt.Errorf("netif: current netns: %w", err)
	}
	return boundNS{h: h, same: homeNS.IsOpen() && h.Equal(homeNS)}, nil
}

// do runs fn in the bound namespace.
func (b boundNS) do(fn func() error) error {
	if b.same {
		return fn()
	}
	return inNetns(b.h, fn)
}

// nsHandle is the handle for netlink's *At constructors (which switch only
// when the calling thread is elsewhere).
func (b boundNS) nsHandle() netns.NsHandle { return b.h }

// nsPtr is the handle for netlink's subscription options.
func (b boundNS) nsPtr() *netns.NsHandle {
	h := b.h
	return &h
}

func (b boundNS) close() {
	if b.h.IsOpen() {
		b.h.Close()
	}
}
