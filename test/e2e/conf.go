package e2e

import (
	"fmt"
	"net/netip"
	"strings"
)

// Instance is the part of a vrrp_instance the generic scenarios vary.
type Instance struct {
	Name      string // VI_1
	State     string // MASTER or BACKUP
	Iface     string
	VRID      int
	Prio      int
	AdvertInt string // "1", "0.1"
	Version   int    // 0: keepalived's default (2)
	Nopreempt bool
	Auth      bool // auth_type PASS (v2 only)
	AuthAH    bool // auth_type AH instead of PASS (v2 IPv4 only)
	// HMAC, if set, is the body of an auth_hmac block (keepalived 2.4),
	// one statement a line.
	HMAC string
	VIPs []netip.Prefix
	// Unicast: unicast_src_ip Src and these peers.
	Src   netip.Addr
	Peers []netip.Addr
	// Check, if set, is a vrrp_script command (interval 1, fall 1, rise 1,
	// no weight) the instance tracks.
	Check string
}

// Conf renders a keepalived.conf with the instances.
func Conf(routerID string, insts ...Instance) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global_defs {\n    router_id %s\n}\n", routerID)
	for _, in := range insts {
		if in.Check != "" {
			fmt.Fprintf(&b, "vrrp_script chk_%s {\n    script \"%s\"\n    interval 1\n    fall 1\n    rise 1\n}\n", in.Name, in.Check)
		}
	}
	for _, in := range insts {
		fmt.Fprintf(&b, "vrrp_instance %s {\n", in.Name)
		fmt.Fprintf(&b, "    state %s\n    interface %s\n    virtual_router_id %d\n    priority %d\n", in.State, in.Iface, in.VRID, in.Prio)
		if in.AdvertInt != "" {
			fmt.Fprintf(&b, "    advert_int %s\n", in.AdvertInt)
		}
		if in.Version != 0 {
			fmt.Fprintf(&b, "    version %d\n", in.Version)
		}
		if in.Nopreempt {
			b.WriteString("    nopreempt\n")
		}
		if in.Auth {
			typ := "PASS"
			if in.AuthAH {
				typ = "AH"
			}
			fmt.Fprintf(&b, "    authentication {\n        auth_type %s\n        auth_pass kge1\n    }\n", typ)
		}
		if in.HMAC != "" {
			b.WriteString("    auth_hmac {\n")
			for _, l := range strings.Split(strings.TrimSpace(in.HMAC), "\n") {
				fmt.Fprintf(&b, "        %s\n", strings.TrimSpace(l))
			}
			b.WriteString("    }\n")
		}
		if in.Src.IsValid() {
			fmt.Fprintf(&b, "    unicast_src_ip %s\n    unicast_peer {\n", in.Src)
			for _, p := range in.Peers {
				fmt.Fprintf(&b, "        %s\n", p)
			}
			b.WriteString("    }\n")
		}
		if in.Check != "" {
			fmt.Fprintf(&b, "    track_script {\n        chk_%s\n    }\n", in.Name)
		}
		b.WriteString("    virtual_ipaddress {\n")
		for _, v := range in.VIPs {
			fmt.Fprintf(&b, "        %s dev %s\n", v, in.Iface)
		}
		b.WriteString("    }\n}\n")
	}
	return b.String()
}
