package netif

import (
	"testing"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// TestBoundNamespace guards against a bug once here: an object made inside
// WithNetns while the goroutine happened to run on the main thread believed
// it lived in the process's own namespace (the main thread's
// /proc/self/ns/net) and later opened sockets in the wrong one.
func TestBoundNamespace(t *testing.T) {
	l := newLab(t)
	a := l.ns("a")
	want, err := netns.GetFromPath(nsPath(a))
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	for i := 0; i < 200; i++ {
		b := in(t, a, currentNS)
		if b.same || !b.h.Equal(want) {
			t.Fatalf("iteration %d: bound %v same=%v, want namespace %s", i, b.h, b.same, a)
		}
		b.close()
	}
	home, err := currentNS()
	if err != nil {
		t.Fatal(err)
	}
	defer home.close()
	if !home.same {
		t.Error("the process's own namespace is not recognised as such")
	}
	// and a socket opened through do lands in the bound namespace
	b := in(t, a, currentNS)
	defer b.close()
	var sockNS netns.NsHandle
	err = b.do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		n, err := unix.IoctlRetInt(fd, unix.SIOCGSKNS)
		sockNS = netns.NsHandle(n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sockNS.Close()
	if !sockNS.Equal(want) {
		t.Error("socket opened through do is not in the bound namespace")
	}
}
