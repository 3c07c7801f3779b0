package daemon

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/vrrp"
)

// vrrpConfig derives what the core needs from the model plus the source
// address the host gave. The model is complete (its defaults are package
// config's, applied when it was read): nothing is defaulted here.
func vrrpConfig(cfg *config.Config, ci *config.Instance, src netip.Addr) vrrp.Config {
	c := vrrp.Config{
		Name:                    ci.Name,
		VRID:                    uint8(ci.VRID),
		Version:                 ci.Version,
		IPv6:                    ci.Family == config.IPv6,
		Priority:                uint8(ci.Priority),
		WantMaster:              ci.WantMaster(),
		AdvertInt:               ci.AdvertInt,
		Nopreempt:               ci.Nopreempt,
		PreemptDelay:            ci.PreemptDelay,
		Accept:                  ci.Accept,
		Src:                     src,
		McastGroup:              cfg.McastGroup(ci),
		UnicastTTL:              ci.UnicastHops(),
		CheckUnicastSrc:         ci.CheckUnicastSrc,
		AuthType:                uint8(ci.Auth.Type),
		AuthPass:                ci.Auth.Pass,
		HMAC:                    hmacConfig(ci.AuthHMAC),
		DownTimerAdverts:        ci.DownTimerAdverts,
		SkipCheckAdvAddr:        ci.SkipCheckAdvAddr,
		LowerPrioNoAdvert:       ci.LowerPrioNoAdvert,
		HigherPrioSendAdvert:    ci.HigherPrioSendAdvert,
		Strict:                  ci.Strict,
		GarpMasterDelay:         ci.Garp.MasterDelay,
		GarpMasterRepeat:        ci.Garp.MasterRepeat,
		GarpMasterRefresh:       ci.Garp.MasterRefresh,
		GarpMasterRefreshRepeat: ci.Garp.MasterRefreshRepeat,
		GarpLowerPrioDelay:      ci.Garp.LowerPrioDelay,
		GarpLowerPrioRepeat:     ci.Garp.LowerPrioRepeat,
	}
	if ci.OldUnicastChecksum {
		c.UnicastChecksum = vrrp.ChecksumCompatOld
	}
	c.V3ChecksumAsV2 = ci.V3ChecksumAsV2
	c.OwnerIgnoreAdverts = ci.OwnerIgnoreAdverts
	if h := ci.HighestOtherPriority; h > 0 && h < 255 {
		c.TimerExpiredBackup = uint8(h)
	}
	for _, a := range ci.VIPs {
		c.VIPs = append(c.VIPs, a.Addr())
		c.Announce = append(c.Announce, a.Addr())
	}
	for _, a := range ci.ExcludedVIPs {
		c.Announce = append(c.Announce, a.Addr())
	}
	if ci.Unicast {
		for _, p := range ci.UnicastPeers {
			c.UnicastPeers = append(c.UnicastPeers, p.Addr)
			if p.MinTTL != 0 || (p.MaxTTL != 255 && p.MaxTTL != 0) {
				if c.PeerTTL == nil {
					c.PeerTTL = map[netip.Addr][2]uint8{}
				}
				maxTTL := p.MaxTTL
				if maxTTL == 0 {
					maxTTL = 255
				}
				c.PeerTTL[p.Addr] = [2]uint8{uint8(p.MinTTL), uint8(maxTTL)}
			}
		}
	}
	return c
}

// netAddress converts a VIP or static address for netlink; dev is used
// when the address names none.
func netAddress(a config.Address, dev string) netif.Address {
	na := netif.Address{
		Prefix:        a.Prefix,
		Dev:           a.Dev,
		Scope:         scopeNumber(a.Scope),
		Label:         a.Label,
		Peer:          a.Peer,
		NoDAD:         a.NoDAD,
		NoPrefixRoute: a.NoPrefixRoute,
		PreferredLft:  a.PreferredLft,
	}
	if na.Dev == "" {
		na.Dev = dev
	}
	if a.Prefix.Addr().Is4() {
		switch a.Broadcast {
		case "", "-":
		case "+":
			if a.Prefix.Bits() <= 30 {
				na.Broadcast = broadcast(a.Prefix)
			}
		default:
			if b, err := netip.ParseAddr(a.Broadcast); err == nil {
				na.Broadcast = b
			}
		}
	}
	if a.Prefix.Addr().Is6() && a.Prefix.Bits() == 128 && na.PreferredLft == nil {
		// keepalived adds /128 IPv6 VIPs deprecated (preferred_lft 0) so
		// that they are not picked as source addresses (reference 5.2).
		zero := uint32(0)
		na.PreferredLft = &zero
	}
	return na
}

// broadcast is the IPv4 prefix's all-ones host address.
func broadcast(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// scopeNumber maps rt_scopes names to numbers (unknown: global).
func scopeNumber(s string) int {
	switch strings.ToLower(s) {
	case "", "global", "universe":
		return 0
	case "site":
		return 200
	case "link":
		return 253
	case "host":
		return 254
	case "nowhere":
		return 255
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 255 {
		return n
	}
	return 0
}

// routeTypes are rtnetlink's RTN_* numbers by `ip route` name.
var routeTypes = map[string]int{
	"": 0, "unicast": 0, "local": 2, "broadcast": 3, "anycast": 4, "multicast": 5,
	"blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10,
}

// routeProtos are rt_protos numbers by name.
var routeProtos = map[string]int{
	"": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4, "ra": 9, "dhcp": 16, "keepalived": 18,
}

func netRoute(r config.Route) netif.Route {
	nr := netif.Route{Dst: r.Dst, Src: r.Src, Via: r.Via, Dev: r.Dev, Table: r.Table, Metric: r.Metric,
		Scope: scopeNumber(r.Scope)}
	if t, ok := routeTypes[strings.ToLower(r.Type)]; ok {
		nr.Type = t
	}
	if p, ok := routeProtos[strings.ToLower(r.Proto)]; ok {
		nr.Proto = p
	} else if n, err := strconv.Atoi(r.Proto); err == nil {
		nr.Proto = n
	}
	return nr
}

func netRule(r config.Rule) netif.Rule {
	nr := netif.Rule{From: r.From, To: r.To, Table: r.Table, Preference: r.Preference, IIf: r.IIf, OIf: r.OIf}
	nr.IPv6 = r.Family == config.IPv6 || (r.From.IsValid() && r.From.Addr().Is6()) || (r.To.IsValid() && r.To.Addr().Is6())
	if r.FwMark != "" {
		mark, mask, hasMask := strings.Cut(r.FwMark, "/")
		if v, err := strconv.ParseUint(mark, 0, 32); err == nil {
			nr.Mark = uint32(v)
		}
		if hasMask {
			if v, err := strconv.ParseUint(mask, 0, 32); err == nil {
				nr.Mask = uint32(v)
			}
		}
	}
	return nr
}
