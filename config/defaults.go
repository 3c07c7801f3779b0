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
