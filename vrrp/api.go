// Package vrrp is VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798 / RFC 9568) as pure
// code, as keepalived 2.2.7 runs it: wire format, checksums, timers and the
// state machine. No sockets, no clock, no logging: the caller feeds events
// with the current time and carries out the returned actions in order
// (etcd-io/raft's RawNode is the model).
//
// This file is the contract the daemon is written against.
package vrrp

import (
	"net/netip"
	"time"
)

// State of an instance. Numbered as keepalived numbers them in its JSON dump
// (INIT 0, BACKUP 1, MASTER 2, FAULT 3); INIT is the state before Startup.
type State uint8

const (
	StateInit State = iota
	StateBackup
	StateMaster
	StateFault
	// StateStop is reported only in the Transition of a Shutdown.
	StateStop
)

func (s State) String() string {
	switch s {
	case StateInit:
		return "INIT"
	case StateBackup:
		return "BACKUP"
	case StateMaster:
		return "MASTER"
	case StateFault:
		return "FAULT"
	case StateStop:
		return "STOP"
	}
	return "INVALID"
}

// Config is what the core needs of one vrrp_instance. The daemon derives it
// from config.Instance plus host facts (the source address). It is complete:
// every default is the model's (package config); NewInstance fills none in
// and refuses a Version, DownTimerAdverts or multicast group it cannot run.
type Config struct {
	Name       string
	VRID       uint8
	Version    int // 2 or 3
	IPv6       bool
	Priority   uint8         // base priority 1..255 (255: address owner)
	WantMaster bool          // configured/derived state MASTER
	AdvertInt  time.Duration // already rounded: whole seconds (v2) or centiseconds (v3)

	Nopreempt    bool
	PreemptDelay time.Duration
	Accept       bool

	// VIPs are the advertised addresses, in configured order.
	VIPs []netip.Addr
	// Announce lists every address gratuitous ARP / NA is sent for on
	// becoming master (VIPs then excluded VIPs).
	Announce []netip.Addr

	Src             netip.Addr              // our advert source address (compared for tie-breaks)
	McastGroup      netip.Addr              // destination when not unicast (required then)
	UnicastPeers    []netip.Addr            // non-empty: unicast mode
	UnicastTTL      uint8                   // unicast TTL / hop limit; 0: the kernel's default (IPv6)
	PeerTTL         map[netip.Addr][2]uint8 // optional [min,max] TTL per peer
	CheckUnicastSrc bool
	// UnicastChecksum is old_unicast_checksum (VRRPv3 IPv4 unicast only).
	UnicastChecksum ChecksumCompat
	// V3ChecksumAsV2 is keepalived 2.3's v3_checksum_as_v2: a VRRPv3 IPv4
	// advert's checksum leaves out the pseudo-header, as VRRPv2's does,
	// and a received advert's checksum is not enforced (vrrp.c).
	V3ChecksumAsV2 bool
	// OwnerIgnoreAdverts is keepalived 2.3's owner_ignore_adverts: while
	// its effective priority is 255, the instance drops every advert.
	OwnerIgnoreAdverts bool
	// TimerExpiredBackup is keepalived 2.3's timer_expired_backup: the
	// highest priority of the other routers (0: off). A master whose
	// loop was stalled so long that a router of that priority has taken
	// over goes to BACKUP on the Stalled event (keepalived 2.4.3's
	// vrrp_thread_timeout_handler).
	TimerExpiredBackup uint8

	// AuthType is 0 none, 1 PASS, 2 AH (VRRPv2 over IPv4 only; ah.go).
	AuthType uint8
	AuthPass [8]byte // zero padded; with AH, the HMAC-MD5 key
	// HMAC is keepalived 2.4's auth_hmac (hmac.go); nil: none.
	HMAC *HMACConfig

	DownTimerAdverts     int // 1..100 (the model's default is 3)
	SkipCheckAdvAddr     bool
	LowerPrioNoAdvert    bool
	HigherPrioSendAdvert bool
	Strict               bool

	// The GARP schedule; a repeat of 0 sends none (the model has at least 1).
	GarpMasterDelay         time.Duration
	GarpMasterRepeat        int
	GarpMasterRefresh       time.Duration
	GarpMasterRefreshRepeat int
	GarpLowerPrioDelay      time.Duration
	GarpLowerPrioRepeat     int
}

// Event is an input to Instance.Step.
type Event interface{ isEvent() }

// Startup starts the instance (INIT -> BACKUP, MASTER or FAULT).
//
// DelayUntil is the end of vrrp_startup_delay (zero: none). Until then the
// instance's first timer counts from DelayUntil instead of from now, as
// keepalived's vrrp_delayed_start_time does: a BACKUP's down timer expires
// at DelayUntil plus Master_Down_Interval, an owner's first advert goes at
// DelayUntil. (Dropping received adverts during the delay is the caller's.)
type Startup struct{ DelayUntil time.Time }

// Shutdown stops it (SIGTERM): a master sends priority 0 and drops its VIPs.
type Shutdown struct{}

// Received is one VRRP packet read from the wire. Packet is the VRRP part
// only (no IP header); the IP header facts come separately. The core does
// not keep Packet after Step returns. For IPv6 the checksum is not checked
// here: the kernel verifies it (IPV6_CHECKSUM) and drops bad ones, as it
// does for keepalived.
type Received struct {
	Src, Dst netip.Addr
	TTL      uint8
	// IPLen is the total length the IPv4 header claimed (0: not checked).
	IPLen int
	// IPHdrLen is the IPv4 header length received (0: 20). It only makes
	// the lengths in log lines match keepalived's.
	IPHdrLen int
	// TTL 0 means unknown (keepalived's -1): the TTL checks are skipped.
	Packet []byte
	// AH is, for an IPv4 datagram of protocol 51 (auth_type AH), its IPv4
	// header and AH header as received, which the ICV covers; Packet is
	// then the VRRP part after them. nil: no AH header.
	AH []byte
}

// Fault reports a fault source turning on or off (tracked interface down,
// weight-0 script failed, missing source address, ...). Key names the
// source; the instance is in FAULT while any source is on.
//
// Init marks a weight-0 script that has not reported yet (keepalived's
// num_script_init): it is not a fault but holds a starting instance, and
// every other member of its sync group, out of BACKUP without a log line or
// a notification; turning it off (the first result) releases them, after
// the fault that result raised if it failed. On an instance already
// running it is an ordinary fault.
type Fault struct {
	Key  string
	On   bool
	Init bool
}

// Priority sets the effective priority from tracking (already summed; the
// core clamps to 1..254 and never moves an owner's 255).
type Priority struct{ Effective int }

// Reconfigure applies a changed Config to a running instance whose identity
// (VRID, family, interface, unicast mode) is unchanged, keeping its state.
type Reconfigure struct{ Config Config }

// Stalled reports that the caller's loop woke long after its earliest
// timer was due (keepalived's scheduler: "A thread timer expired N seconds
// ago"). It is handled before the instance's overdue timers run, as
// keepalived checks before it runs them: a master with TimerExpiredBackup
// whose last advert is older than 3 x advert interval + the skew time of
// that priority (the time such a router waits before taking over) goes to
// BACKUP instead of sending its late advert over the new master's.
type Stalled struct{}

func (Stalled) isEvent()     {}
func (Startup) isEvent()     {}
func (Shutdown) isEvent()    {}
func (Received) isEvent()    {}
func (Fault) isEvent()       {}
func (Priority) isEvent()    {}
func (Reconfigure) isEvent() {}

// Action is an output of Instance.Step, to be carried out in order. On
// becoming master the order is: SendAdvert, Transition, AddVIPs, Announce.
// A Transition comes where keepalived logs its "Entering ... STATE" line, so
// on leaving MASTER it comes first: Transition, SendAdvert priority 0 (to
// FAULT: twice; to BACKUP: none), DelVIPs. On Shutdown of a master:
// SendAdvert priority 0, DelVIPs, Transition{To: StateStop}.
type Action interface{ isAction() }

// Transition reports a state change (log "(VI) Entering MASTER STATE",
// notify scripts, counters). Reason is "init" exactly when keepalived logs
// "(VI) Entering BACKUP|FAULT STATE (init)"; otherwise it is a short cause
// for our own logs ("master down timer expired", "higher priority advert",
// "fault KEY", "fault cleared KEY", "sync group", "shutdown"), never part of
// keepalived's line. keepalived's own explanation, where it logs one, comes
// as a Log action before the Transition.
type Transition struct {
	From, To State
	Reason   string
	// Priority is the effective priority at the transition (what notify
	// scripts and FIFO lines are given).
	Priority int
}

// AddVIPs asks for the instance's VIPs, excluded VIPs, routes and rules to
// be installed. Addrs are the addresses, VIPs then excluded VIPs
// (Config.Announce, or Config.VIPs when that is unset); the caller installs
// them with the details of its own model (device, label, scope) and the
// routes and rules, which the core does not know.
type AddVIPs struct{ Addrs []netip.Addr }

// DelVIPs asks for what AddVIPs installed to be removed; Addrs as in AddVIPs.
type DelVIPs struct{ Addrs []netip.Addr }

// SendAdvert asks for one advert to each destination. Packet is the encoded
// VRRP part (checksum filled for Dst, which matters for v3 IPv4); for an
// auth_type AH instance it is the whole IPv4 datagram, IPv4 header and AH
// header included (the ICV covers the IP header: ah.go). TTL is 255
// for multicast; for unicast the configured unicast_ttl, 0 meaning the
// kernel's default hop limit (IPv6 without unicast_ttl).
//
// It comes as a *SendAdvert pointing into the instance's own buffers, which
// the instance reuses at its next Step: a master sends one a second per
// instance, and a pointer costs no allocation where a boxed struct would.
// The action and Packet are valid until the next Step of the instance (or
// of its sync group); a caller that keeps a packet longer copies it.
type SendAdvert struct {
	Dst      netip.Addr
	TTL      uint8
	Priority uint8
	Packet   []byte
	// Released marks the priority-0 advert of keepalived's
	// vrrp_restore_interface (a tracked failure, shutdown): counted in
	// pri_zero_sent, and followed by -D's "sent 0 priority". The one
	// vrrp_state_leave_master sends on the way to FAULT is not.
	Released bool
}

// Announce asks for Repeat gratuitous ARPs / unsolicited NAs per address.
type Announce struct {
	Addrs  []netip.Addr
	Repeat int
}

// Log is a line the daemon should log in keepalived's words, without the
// "(VI) " prefix (for example "received lower priority (90) advert from
// 10.0.0.2 - discarding").
type Log struct {
	Msg string
	// Group, when set, names the sync group the line is about; the daemon
	// prefixes it "VRRP_Group(Group) " instead of the instance name.
	Group string
	// Bare: keepalived logs this line without any prefix (its AH SPI line).
	Bare bool
	// Detail: keepalived logs this line only with -D (LOG_DETAIL_BIT).
	Detail bool
}

// GroupTransition reports a sync group changing state (group notify
// scripts and FIFO "GROUP" lines). It comes in the actions of the member
// that caused it, after that member's own actions.
type GroupTransition struct {
	Group string
	To    State
}

// NotifyRxLowerPri asks for notify_master_rx_lower_pri and its FIFO line;
// Priority is the master's effective priority.
type NotifyRxLowerPri struct{ Priority int }

func (Transition) isAction()       {}
func (AddVIPs) isAction()          {}
func (DelVIPs) isAction()          {}
func (*SendAdvert) isAction()      {}
func (Announce) isAction()         {}
func (Log) isAction()              {}
func (NotifyRxLowerPri) isAction() {}
func (GroupTransition) isAction()  {}

// KeepalivedStats are the counters keepalived 2.2.7 itself keeps and dumps,
// by its names (the "stats" object of keepalived.json, keepalived.stats).
type KeepalivedStats struct {
	AdvertRcvd        uint64 `json:"advert_rcvd"`
	AdvertSent        uint64 `json:"advert_sent"`
	BecomeMaster      uint64 `json:"become_master"`
	ReleaseMaster     uint64 `json:"release_master"`
	PacketLenErr      uint64 `json:"packet_len_err"`
	AdvertIntervalErr uint64 `json:"advert_interval_err"`
	IPTTLErr          uint64 `json:"ip_ttl_err"`
	InvalidTypeRcvd   uint64 `json:"invalid_type_rcvd"`
	AddrListErr       uint64 `json:"addr_list_err"`
	InvalidAuthType   uint64 `json:"invalid_authtype"`
	AuthTypeMismatch  uint64 `json:"authtype_mismatch"`
	AuthFailure       uint64 `json:"auth_failure"`
	PriZeroRcvd       uint64 `json:"pri_zero_rcvd"`
	PriZeroSent       uint64 `json:"pri_zero_sent"`
}

// Stats are an instance's counters: keepalived's, plus drops keepalived
// does not count. Embedding keeps the JSON flat and the fields promoted.
type Stats struct {
	KeepalivedStats
	ChecksumErr  uint64 `json:"checksum_err"`
	VersionErr   uint64 `json:"version_err"`
	OtherDropped uint64 `json:"other_dropped"`
	// HMACStats are keepalived 2.4.3's auth_hmac counters (auth_ext_*).
	HMACStats
}

// Sub returns the counters accumulated since base was taken (STATS_CLEAR
// keeps a base rather than zeroing the core's counters).
func (s Stats) Sub(base Stats) Stats {
	k, b := s.KeepalivedStats, base.KeepalivedStats
	return Stats{
		KeepalivedStats: KeepalivedStats{
			AdvertRcvd:        k.AdvertRcvd - b.AdvertRcvd,
			AdvertSent:        k.AdvertSent - b.AdvertSent,
			BecomeMaster:      k.BecomeMaster - b.BecomeMaster,
			ReleaseMaster:     k.ReleaseMaster - b.ReleaseMaster,
			PacketLenErr:      k.PacketLenErr - b.PacketLenErr,
			AdvertIntervalErr: k.AdvertIntervalErr - b.AdvertIntervalErr,
			IPTTLErr:          k.IPTTLErr - b.IPTTLErr,
			InvalidTypeRcvd:   k.InvalidTypeRcvd - b.InvalidTypeRcvd,
			AddrListErr:       k.AddrListErr - b.AddrListErr,
			InvalidAuthType:   k.InvalidAuthType - b.InvalidAuthType,
			AuthTypeMismatch:  k.AuthTypeMismatch - b.AuthTypeMismatch,
			AuthFailure:       k.AuthFailure - b.AuthFailure,
			PriZeroRcvd:       k.PriZeroRcvd - b.PriZeroRcvd,
			PriZeroSent:       k.PriZeroSent - b.PriZeroSent,
		},
		ChecksumErr:  s.ChecksumErr - base.ChecksumErr,
		VersionErr:   s.VersionErr - base.VersionErr,
		OtherDropped: s.OtherDropped - base.OtherDropped,
		HMACStats:    s.HMACStats.Sub(base.HMACStats),
	}
}

// Status is a snapshot for dumps and the status API.
type Status struct {
	State             State
	WantMaster        bool
	EffectivePriority int
	MasterAddr        netip.Addr // in BACKUP: the current master
	// LastAdvertFrom is keepalived's master_saddr: the source of the last
	// advert a BACKUP accepted (or discarded as lower priority).
	LastAdvertFrom netip.Addr
	MasterPriority int
	MasterAdverInt time.Duration
	LastTransition time.Time
	VIPsSet        bool
	Faults         []string

	// WantState is keepalived's wantstate: where the instance is heading
	// (FAULT for a member its sync group holds in FAULT).
	WantState State
	// Heard is the last advert of our VRID that passed validation, in any
	// state (zero: none since start or since the instance last entered
	// FAULT). CauseOf and Explain read it.
	Heard Heard
}

// Heard is one valid advert received: when, from whom, with what priority.
type Heard struct {
	At       time.Time
	From     netip.Addr
	Priority int
}

// The Instance API (implemented in instance.go):
//
//	func NewInstance(cfg Config) (*Instance, error)
//	func (in *Instance) Step(now time.Time, ev Event) []Action // due timers first, then ev (ev may be nil: timers only), then timers ev made due; the actions are valid until the next Step
//	func (in *Instance) NextDeadline() (time.Time, bool)
//	func (in *Instance) Settled() bool // out of INIT, no delayed gratuitous ARP pending
//	func (in *Instance) State() State
//	func (in *Instance) Status() Status
//	func (in *Instance) Stats() Stats
//	func (in *Instance) Config() Config
//	func (in *Instance) AppendAdvert(b []byte, dst netip.Addr) []byte // the advert it would send now
//	func SkewTime(version int, priority uint8, masterAdverInt time.Duration) time.Duration
//	func MasterDownInterval(version int, priority uint8, masterAdverInt time.Duration, downTimerAdverts int) time.Duration
//
// Sync groups (syncgroup.go) are a pure layer over member instances, which
// are then stepped through the group only:
//
//	func NewSyncGroup(name string, members []*Instance) *SyncGroup
//	func (g *SyncGroup) Step(now time.Time, member string, ev Event) map[string][]Action
//	func (g *SyncGroup) StepSeq(now time.Time, member string, ev Event) []MemberAction // same, in keepalived's order across members, valid until the next Step
//	func (g *SyncGroup) NextDeadline() (time.Time, bool)
//	func (g *SyncGroup) Dissolve() // unbind the members (a reload rebuilds the group over them)
//
// Wire format (packet.go), zero allocations on the hot path:
//
//	type Advert struct { Version, Type, VRID, Priority, AuthType uint8; AdverInt time.Duration; IPv6 bool; Addrs []netip.Addr; AuthData [8]byte; Checksum uint16 }
//	func PeekVRID(pkt []byte) (vrid, version uint8, ok bool) // which instance a received packet is for, before any check
//	func Decode(b []byte, ipv6 bool, src, dst netip.Addr) (Advert, error) // a view on b; errors wrap a *DropReason naming the counter
//	func (a *Advert) NumAddrs() int; Addr(i int) netip.Addr; AppendAddrs([]netip.Addr) []netip.Addr
//	func (a *Advert) AppendEncode(b []byte, src, dst netip.Addr) []byte
//	func Checksum(pkt []byte, ipv6 bool, src, dst netip.Addr) uint16 // keepalived's: v2 IPv4 none, v3 IPv4 and IPv6 pseudo-header
//	func VerifyChecksum(pkt []byte, ipv6 bool, src, dst netip.Addr) bool
//	func CounterOf(err error) string // the Stats JSON name a drop is counted in
