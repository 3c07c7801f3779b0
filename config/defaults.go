package config

import (
	"net/netip"
	"time"
)

// Defaults of keepalived 2.2.7 (keepalived/core/global_data.c
// set_vrrp_defaults, vrrp_data.c alloc_vrrp, vrrp_parser.c). They are
// functions so that every caller gets a fresh value it may modify.

// Default values that other packages compare against.
const (
	DefaultPriority         = 100
	OwnerPriority           = 255
	DefaultAdvertInt        = time.Second
	DefaultDownTimerAdverts = 3
	DefaultVersion          = 2
	DefaultUnicastTTL       = 255
	// DefaultUnicastTTL6 is the unicast hop limit of an IPv6 instance when
	// none is configured: -1 is the kernel's default (IPV6_UNICAST_HOPS).
	DefaultUnicastTTL6  = -1
	DefaultScriptWeight = 0
	DefaultFileWeight   = 1
	DefaultInterface    = "eth0"
	DefaultVMACPrefix   = "vrrp"
	DefaultConfigFile   = "/etc/keepalived/keepalived.conf"
	// DefaultUmask is keepalived's file-creation mask (lib/utils.c
	// umask_val): files it creates are readable by root only unless
	// umask or -u says otherwise.
	DefaultUmask = 0o177
	// DefaultMinAutoPriorityDelay is min_auto_priority_delay's default
	// (Global.MinAutoPriorityDelay 0 means it).
	DefaultMinAutoPriorityDelay = time.Second
	// DefaultReloadFile is where a bare reload_file puts its marker
	// (RUNSTATEDIR/keepalived.reload; under /run/keepalived/ with
	// use_pid_dir, keepalived_INSTANCE.reload with an instance name).
	DefaultReloadFile = "/run/keepalived.reload"
)

// DefaultMcastGroup4 is the IPv4 VRRP multicast group (RFC 3768).
func DefaultMcastGroup4() netip.Addr { return netip.AddrFrom4([4]byte{224, 0, 0, 18}) }

// DefaultMcastGroup6 is the IPv6 VRRP multicast group (RFC 5798).
func DefaultMcastGroup6() netip.Addr { return netip.MustParseAddr("ff02::12") }

// DefaultGarp is the global gratuitous ARP schedule: a second burst of 5
// after 5 s, no refresh; the lower-priority values follow the master ones.
func DefaultGarp() Garp {
	return Garp{
		MasterDelay:         5 * time.Second,
		MasterRepeat:        5,
		MasterRefresh:       0,
		MasterRefreshRepeat: 1,
		LowerPrioDelay:      5 * time.Second,
		LowerPrioRepeat:     5,
	}
}

// DefaultScriptTimeout is keepalived's default startup_script_timeout and
// shutdown_script_timeout.
const DefaultScriptTimeout = 10 * time.Second

// DefaultGlobal is global_defs when nothing is configured.
func DefaultGlobal() Global {
	return Global{
		McastGroup4:      DefaultMcastGroup4(),
		McastGroup6:      DefaultMcastGroup6(),
		Version:          DefaultVersion,
		DownTimerAdverts: DefaultDownTimerAdverts,
		Garp:             DefaultGarp(),
		DefaultInterface: DefaultInterface,
		VMACPrefix:       DefaultVMACPrefix,
		ChildWaitTime:    5 * time.Second,

		StartupScriptTimeout:  DefaultScriptTimeout,
		ShutdownScriptTimeout: DefaultScriptTimeout,
		Conflict:              Conflict{Interval: 5 * time.Second, Hold: 30 * time.Second},
	}
}

// DefaultInstance is a vrrp_instance before its keywords are applied, with
// the instance defaults that do not depend on global_defs. Priority, state,
// version, family, accept, TTL and the GARP schedule are resolved when the
// instance is completed (they depend on other keywords and on globals).
func DefaultInstance(name string) *Instance {
	return &Instance{
		Name:             name,
		AdvertInt:        DefaultAdvertInt,
		DownTimerAdverts: DefaultDownTimerAdverts,
	}
}

// DefaultInstanceFor is DefaultInstance with the global_defs an instance
// starts from: vrrp_skip_check_adv_addr (keepalived's alloc_vrrp copies it)
// and vrrp_check_unicast_src (keepalived ORs it in where it checks; the
// instance's own keyword can only turn it on). g may be nil.
func DefaultInstanceFor(name string, g *Global) *Instance {
	in := DefaultInstance(name)
	if g != nil {
		in.SkipCheckAdvAddr = g.SkipCheckAdvAddr
		in.CheckUnicastSrc = g.CheckUnicastSrc
	}
	return in
}

// DefaultScript is a vrrp_script before its keywords are applied.
func DefaultScript(name string) *Script {
	return &Script{
		Name:     name,
		Interval: time.Second,
		Weight:   DefaultScriptWeight,
		Rise:     1,
		Fall:     1,
	}
}

// DefaultTrackFile is a track_file before its keywords are applied.
func DefaultTrackFile(name string) *TrackFile {
	return &TrackFile{Name: name, Weight: DefaultFileWeight}
}

// DefaultTrackProcess is a vrrp_track_process before its keywords are applied.
func DefaultTrackProcess(name string) *TrackProcess {
	return &TrackProcess{Name: name, Quorum: 1}
}

// DefaultUnicastPeer is a unicast_peer entry without options.
func DefaultUnicastPeer(a netip.Addr) UnicastPeer {
	return UnicastPeer{Addr: a, MinTTL: 0, MaxTTL: 255}
}

// UnicastHops is the TTL (IPv4) or hop limit (IPv6) an instance's unicast
// adverts are sent with: its unicast_ttl, where the IPv6 default -1 is 0
// (the kernel's default hop limit) and an IPv4 0 is DefaultUnicastTTL (an
// IPv4 advert with TTL 0 would never leave the host). The one place the
// daemon's core configuration takes it from.
func (in *Instance) UnicastHops() uint8 {
	switch {
	case in.UnicastTTL < 0:
		return 0
	case in.UnicastTTL == 0 && in.Family != IPv6:
		return DefaultUnicastTTL
	case in.UnicastTTL > 255:
		return 255
	}
	return uint8(in.UnicastTTL)
}

// Defaults that depend on other settings or on global_defs (keepalived's
// vrrp_complete_instance, vrrp/vrrp.c). The parser lowers what a
// configuration wrote and calls these for what it did not write; the
// checks and warnings about written values stay with the parser, which
// knows their positions.

// DefaultFamily is the address family of an instance with neither an
// address nor a `family` keyword to decide it.
const DefaultFamily = IPv4

// DefaultVersionFor is the VRRP version of an instance that does not write
// `version`: 3 over IPv6 (VRRPv2 is IPv4-only, RFC 3768), global_defs'
// vrrp_version otherwise.
func DefaultVersionFor(f Family, g *Global) int {
	if f == IPv6 {
		return 3
	}
	return g.Version
}

// DefaultPriorityFor is the priority of an instance that does not write
// `priority`: an instance in state MASTER is the address owner (255),
// any other has DefaultPriority.
func DefaultPriorityFor(s InitialState) int {
	if s == StateMaster {
		return OwnerPriority
	}
	return DefaultPriority
}

// DefaultUnicastTTLFor is the unicast_ttl of an instance that does not
// write it: DefaultUnicastTTL over IPv4, DefaultUnicastTTL6 (the kernel's
// hop limit) over IPv6.
func DefaultUnicastTTLFor(f Family) int {
	if f == IPv4 {
		return DefaultUnicastTTL
	}
	return DefaultUnicastTTL6
}

// DefaultAcceptFor is accept mode when an instance writes neither
// `accept` nor `no_accept`: on for the address owner, and outside strict
// mode (RFC 5798 wants it off).
func DefaultAcceptFor(owner, strict bool) bool { return owner || !strict }

// DefaultMcastDstFor is the multicast destination of a multicast instance
// that does not write mcast_dst_ip: global_defs' group of its family.
func DefaultMcastDstFor(f Family, g *Global) netip.Addr {
	if f == IPv4 {
		return g.McastGroup4
	}
	return g.McastGroup6
}

// DefaultLowerPrioNoAdvertFor is lower_prio_no_advert when an instance
// does not write it: always on in strict mode, else global_defs' value.
func DefaultLowerPrioNoAdvertFor(strict bool, g *Global) bool {
	return strict || g.LowerPrioNoAdvert
}

// DefaultHigherPrioSendAdvertFor is higher_prio_send_advert when an
// instance does not write it: never in strict mode, else global_defs'.
func DefaultHigherPrioSendAdvertFor(strict bool, g *Global) bool {
	return !strict && g.HigherPrioSendAdv
}

// DefaultNotifyPrioChangesFor is notify_priority_changes when an instance
// does not write it: its sync group's (itself defaulted to global_defs'),
// or global_defs' without a group.
func DefaultNotifyPrioChangesFor(sg *SyncGroup, g *Global) bool {
	if sg != nil {
		return sg.NotifyPrioChanges
	}
	return g.NotifyPrioChanges
}

// InstanceGarpDefaults is an instance's GARP schedule before its garp_*
// keywords: global_defs' schedule, where strict mode sends no repeated
// lower-priority GARPs.
func InstanceGarpDefaults(g Garp, strict bool) Garp {
	if strict {
		g.LowerPrioRepeat, g.LowerPrioDelay = 0, 0
	}
	return g
}

// LowerPrioDefaults fills the lower-priority values of global_defs' GARP
// schedule that it did not write: they follow the master ones
// (vrrp_garp_lower_prio_repeat after vrrp_garp_master_repeat, the delay
// after vrrp_garp_master_delay).
func (g *Garp) LowerPrioDefaults(repeatWritten, delayWritten bool) {
	if !repeatWritten {
		g.LowerPrioRepeat = g.MasterRepeat
	}
	if !delayWritten {
		g.LowerPrioDelay = g.MasterDelay
	}
}
