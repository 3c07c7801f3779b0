package cluster

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// A wireCheck compares one member of a virtual router (other) with the
// router's first member (ref) on what the wire carries, and returns the
// findings: each one positioned at ref's text, with other's position in
// Related and in the message.
type wireCheck func(ref, other *member) []Finding

// wireChecks are the comparisons of what two partners must agree on for
// their adverts to be accepted (reference 6.3, keepalived vrrp.c
// vrrp_check_packet). This list is the extension point for what the
// config model does not hold yet: keepalived 2.4's auth_hmac keys are
// compared by appending a wireCheck here (ref.in / other.in give the two
// instances; report with differ()) once config.Instance carries them.
var wireChecks = []wireCheck{
	checkVRID,
	checkVersion,
	checkAdvertInt,
	checkAuth,
	checkTransport,
	checkVIPs,
	checkInterfaceName,
}

// differ builds a finding about ref's keyword kw that other's keyword okw
// contradicts: "(VI_1) WHAT here, but OTHERWHAT at lb2.conf:14:5 (VI_1): WHY".
func differ(sev config.Severity, ref *member, kw string, other *member, okw, msg string, args ...any) Finding {
	p, op := ref.in.KeywordPos(kw), other.in.KeywordPos(okw)
	text := fmt.Sprintf(msg, args...)
	text = strings.ReplaceAll(text, "{other}", fmt.Sprintf("%s (%s)", op, other.in.Name))
	return Finding{
		Diagnostic: config.Diagnostic{Pos: p, Severity: sev, Msg: fmt.Sprintf("(%s) %s", ref.in.Name, text)},
		Related:    []config.Pos{op},
	}
}

const bothMaster = "each drops the other's adverts, so both become MASTER"

func wireFindings(r *router) []Finding {
	if len(r.members) < 2 {
		m := r.members[0]
		return []Finding{{Diagnostic: config.Diagnostic{Pos: m.in.Pos, Severity: config.Warning,
			Msg: fmt.Sprintf("(%s) VRID %d (%s) is on no other node given: nothing takes %s over when this node fails",
				m.in.Name, m.in.VRID, m.family(), vipList(m.in.VIPs))}}}
	}
	var fs []Finding
	ref := r.members[0]
	for _, o := range r.members[1:] {
		for _, c := range wireChecks {
			fs = append(fs, c(ref, o)...)
		}
	}
	return fs
}

func checkVRID(ref, o *member) []Finding {
	if ref.in.VRID == o.in.VRID {
		return nil
	}
	return []Finding{differ(config.Error, ref, "virtual_router_id", o, "virtual_router_id",
		"virtual_router_id %d here, but %d at {other} for the same VIPs: their adverts are for different virtual routers, so both nodes become MASTER of %s",
		ref.in.VRID, o.in.VRID, vipList(sharedVIPs(ref, o)))}
}

func checkVersion(ref, o *member) []Finding {
	if ref.in.Version == o.in.Version {
		return nil
	}
	return []Finding{differ(config.Error, ref, "version", o, "version",
		"VRRP version %d here, but %d at {other}: keepalived drops the adverts (\"wrong version\"), so both become MASTER",
		ref.in.Version, o.in.Version)}
}

func checkAdvertInt(ref, o *member) []Finding {
	if ref.in.AdvertInt == o.in.AdvertInt || ref.in.Version != o.in.Version {
		return nil
	}
	if ref.in.Version == 2 {
		return []Finding{differ(config.Error, ref, "advert_int", o, "advert_int",
			"advert_int %s here, but %s at {other}: VRRPv2 drops the adverts (\"advertisement interval mismatch\"), so both become MASTER",
			secs(ref.in.AdvertInt), secs(o.in.AdvertInt))}
	}
	return []Finding{differ(config.Warning, ref, "advert_int", o, "advert_int",
		"advert_int %s here, but %s at {other}: a VRRPv3 backup adopts the master's interval (keepalived 2.4 logs \"advertisement interval mismatch\"), so the failover time depends on who is master",
		secs(ref.in.AdvertInt), secs(o.in.AdvertInt))}
}

func checkAuth(ref, o *member) []Finding {
	a, b := ref.in.Auth, o.in.Auth
	if ref.in.Version != 2 || o.in.Version != 2 {
		return nil // VRRPv3 has no authentication (the parser drops it)
	}
	if a.Type != b.Type {
		return []Finding{differ(config.Error, ref, "auth_type", o, "auth_type",
			"auth_type %s here, but %s at {other}: keepalived drops the adverts (\"received a %d auth, expecting %d\"), so both become MASTER",
			a.Type, b.Type, int(b.Type), int(a.Type))}
	}
	if a.Type == config.AuthPass && a.Pass != b.Pass {
		return []Finding{differ(config.Error, ref, "auth_type", o, "auth_type",
			"auth_pass differs from the one at {other} (compared on their first 8 bytes, as sent): keepalived drops the adverts (\"received an invalid passwd\"), so both become MASTER")}
	}
	return nil
}

func checkTransport(ref, o *member) []Finding {
	switch {
	case ref.in.Unicast != o.in.Unicast:
		mode := func(m *member) string {
			if m.in.Unicast {
				return "unicast"
			}
			return "multicast"
		}
		kw := func(m *member) string {
			if m.in.Unicast {
				return "unicast_peer"
			}
			return "virtual_router_id"
		}
		return []Finding{differ(config.Error, ref, kw(ref), o, kw(o),
			"adverts go %s here, but %s at {other}: a multicast instance does not receive unicast adverts nor the reverse, so both become MASTER",
			mode(ref), mode(o))}
	case !ref.in.Unicast:
		g1, g2 := ref.cfg.McastGroup(ref.in), o.cfg.McastGroup(o.in)
		if g1 != g2 {
			return []Finding{differ(config.Error, ref, "mcast_dst_ip", o, "mcast_dst_ip",
				"adverts go to multicast group %s here, but to %s at {other}: neither receives the other's adverts, so both become MASTER",
				g1, g2)}
		}
	}
	return nil
}

func checkVIPs(ref, o *member) []Finding {
	a, b := ref.vips(), o.vips()
	var onlyRef, onlyO, prefix []config.Address
	for _, v := range ref.in.VIPs {
		w, ok := b[v.Addr()]
		if !ok {
			onlyRef = append(onlyRef, v)
		} else if w.Prefix.Bits() != v.Prefix.Bits() {
			prefix = append(prefix, v)
		}
	}
	for _, v := range o.in.VIPs {
		if _, ok := a[v.Addr()]; !ok {
			onlyO = append(onlyO, v)
		}
	}
	var fs []Finding
	if len(onlyRef)+len(onlyO) > 0 {
		if len(onlyRef) == len(ref.in.VIPs) && len(onlyO) == len(o.in.VIPs) && ref.in.VRID == o.in.VRID {
			fs = append(fs, differ(config.Error, ref, "virtual_router_id", o, "virtual_router_id",
				"VRID %d is used for %s here, but for %s at {other}: two virtual routers share one VRID on the segment; keepalived 2.2.7 drops each other's adverts (\"ip address associated with VRID %d not present in MASTER advert\"), so both become MASTER",
				ref.in.VRID, vipList(ref.in.VIPs), vipList(o.in.VIPs), ref.in.VRID))
		} else {
			var parts []string
			if len(onlyRef) > 0 {
				parts = append(parts, vipList(onlyRef)+" only here")
			}
			if len(onlyO) > 0 {
				parts = append(parts, vipList(onlyO)+" only at {other}")
			}
			missing := onlyRef
			if len(missing) == 0 {
				missing = onlyO
			}
			fs = append(fs, differ(config.Error, ref, "virtual_ipaddress", o, "virtual_ipaddress",
				"virtual_ipaddress differs: %s; keepalived 2.2.7 drops the adverts (\"ip address associated with VRID %d not present in MASTER advert: %s\"), so both become MASTER (2.3.3+ only logs it)",
				strings.Join(parts, ", "), ref.in.VRID, missing[0].Addr()))
		}
	}
	for _, v := range prefix {
		w := b[v.Addr()]
		fs = append(fs, Finding{Diagnostic: config.Diagnostic{Pos: v.Pos, Severity: config.Warning,
			Msg: fmt.Sprintf("(%s) VIP %s is %s here, but %s at %s (%s): the address's subnet route changes with the master",
				ref.in.Name, v.Addr(), v.Prefix, w.Prefix, w.Pos, o.in.Name)}, Related: []config.Pos{w.Pos}})
	}
	return fs
}

func checkInterfaceName(ref, o *member) []Finding {
	if ref.in.Interface == "" || o.in.Interface == "" || ref.in.Interface == o.in.Interface {
		return nil
	}
	return []Finding{differ(config.Notice, ref, "interface", o, "interface",
		"interface %s here, %s at {other}: paired as one virtual router (VRID %d); they must be on the same segment",
		ref.in.Interface, o.in.Interface, o.in.VRID)}
}

// unicastFindings checks that the unicast members of a router list each
// other: a node whose address is missing from a partner's unicast_peer
// never hears that partner's adverts; a listed peer no node owns is a
// typo or a node not given.
func unicastFindings(r *router, nodes []Node) []Finding {
	var fs []Finding
	owned := map[netip.Addr]*member{}
	unknown := false
	for _, m := range r.members {
		if m.addr.IsValid() {
			owned[m.addr] = m
		} else {
			unknown = true // its address may be the one a peer list names
		}
	}
	for _, m := range r.members {
		if !m.in.Unicast {
			continue
		}
		peers := m.peers()
		for _, o := range r.members {
			if o == m || !o.in.Unicast || !o.addr.IsValid() || peers[o.addr] || o.addr == m.addr {
				continue
			}
			kw := "unicast_src_ip"
			how := "unicast_src_ip"
			if o.inferred {
				how = "address"
			} else if !o.in.UnicastSrc.IsValid() || o.in.KeywordPos(kw) == o.in.Pos {
				kw, how = "mcast_src_ip", "mcast_src_ip"
			}
			f := differ(config.Error, m, "unicast_peer", o, kw,
				"unicast_peer does not list %s, the %s of {other}: %s never hears this node's adverts, so whenever this node is master it becomes MASTER too",
				o.addr, how, o.name)
			fs = append(fs, f)
		}
		if unknown {
			continue
		}
		for _, p := range m.in.UnicastPeers {
			if owned[p.Addr] != nil {
				continue
			}
			names := make([]string, 0, len(nodes))
			for _, n := range nodes {
				names = append(names, n.Name)
			}
			fs = append(fs, Finding{Diagnostic: config.Diagnostic{Pos: m.in.KeywordPos("unicast_peer"), Severity: config.Warning,
				Msg: fmt.Sprintf("(%s) unicast_peer %s is the address of no node given (%s): a node missing from --peer, or a typo",
					m.in.Name, p.Addr, strings.Join(names, ", "))}})
		}
	}
	return fs
}

func sharedVIPs(a, b *member) []config.Address {
	bv := b.vips()
	var out []config.Address
	for _, v := range a.in.VIPs {
		if _, ok := bv[v.Addr()]; ok {
			out = append(out, v)
		}
	}
	return out
}

// vipList is "192.168.0.150" or "VIPs 10.0.0.1, 10.0.0.2"; "no VIP".
func vipList(as []config.Address) string {
	if len(as) == 0 {
		return "no VIP"
	}
	s := make([]string, 0, len(as))
	for _, a := range as {
		s = append(s, a.Addr().String())
	}
	slices.Sort(s)
	if len(s) == 1 {
		return "VIP " + s[0]
	}
	return "VIPs " + strings.Join(s, ", ")
}

func secs(d time.Duration) string {
	return fmt.Sprintf("%gs", d.Seconds())
}
