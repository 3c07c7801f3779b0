package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"syscall"
)

// runSend sends one IPv4 VRRP packet with a header of our making
// (IP_HDRINCL), so the source may be any address: a replayed or forged
// advert as an attacker on the segment would send it.
func runSend(args []string) int {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	dev := fs.String("dev", "eth0", "interface")
	src := fs.String("src", "", "IPv4 source address")
	dst := fs.String("dst", "224.0.0.18", "IPv4 destination address")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: kgelab send -dev IF -src A -dst B HEX")
		return 2
	}
	payload, err := hex.DecodeString(fs.Arg(0))
	s, err2 := netip.ParseAddr(*src)
	d, err3 := netip.ParseAddr(*dst)
	if err != nil || err2 != nil || err3 != nil || !s.Is4() || !d.Is4() {
		fmt.Fprintln(os.Stderr, "kgelab send: bad address or hex")
		return 2
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_RAW, syscall.IPPROTO_RAW)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kgelab send:", err)
		return 1
	}
	defer syscall.Close(fd)
	if err := syscall.SetsockoptString(fd, syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE, *dev); err != nil {
		fmt.Fprintln(os.Stderr, "kgelab send: bind to", *dev, err)
		return 1
	}
	n := 20 + len(payload)
	sa, da := s.As4(), d.As4()
	pkt := []byte{0x45, 0xc0, byte(n >> 8), byte(n), 0, 0, 0, 0, 255, 112, 0, 0}
	pkt = append(pkt, sa[:]...)
	pkt = append(pkt, da[:]...)
	pkt = append(pkt, payload...)
	if err := syscall.Sendto(fd, pkt, 0, &syscall.SockaddrInet4{Addr: da}); err != nil {
		fmt.Fprintln(os.Stderr, "kgelab send:", err)
		return 1
	}
	return 0
}
