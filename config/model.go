// Package config is the typed, validated model of a keepalived.conf: what the
// parser produces and what the daemon runs. It is a leaf package (stdlib only):
// no I/O, no host facts. Defaults follow keepalived 2.2.7 (see
// ../shared/reference/keepalived-vrrp.md sections 3-5).
//
// Durations are time.Duration; addresses are netip values so that they can be
// compared and used as map keys.
package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Pos is a position in a configuration file: the file that holds the text
// (an included file names itself), 1-based line and column.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

func (p Pos) String() string {
	if p.File == "" && p.Line == 0 {
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Config is one whole configuration.
type Config struct {
	// Files lists every file read, main file first, in read order.
	Files  []string `json:"files"`
	Global Global   `json:"global"`
	// Scripts in definition order. Names are unique.
	Scripts    []*Script    `json:"scripts,omitempty"`
	TrackFiles []*TrackFile `json:"track_files,omitempty"`
	Instances  []*Instance  `json:"instances,omitempty"`
	SyncGroups []*SyncGroup `json:"sync_groups,omitempty"`

	StaticAddresses []Address `json:"static_ipaddress,omitempty"`
	StaticRoutes    []Route   `json:"static_routes,omitempty"`
	StaticRules     []Rule    `json:"static_rules,omitempty"`

	// TrackProcesses are the vrrp_track_process blocks (package procwatch
	// runs them).
	TrackProcesses []*TrackProcess `json:"track_processes,omitempty"`
	// GarpGroups are the garp_group blocks (per-interface GARP/NA spacing).
	GarpGroups []GarpGroup `json:"garp_groups,omitempty"`

	// Raw holds blocks and keywords we parse but do not run (LVS
	// virtual_server, BFD, ...), kept so that nothing is silently lost.
	Raw []RawStatement `json:"raw,omitempty"`
}

// TrackProcess returns the vrrp_track_process named name, or nil.
func (c *Config) TrackProcess(name string) *TrackProcess {
	for _, t := range c.TrackProcesses {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// SyncGroup returns the vrrp_sync_group named name, or nil.
func (c *Config) SyncGroup(name string) *SyncGroup {
	for _, g := range c.SyncGroups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// TrackProcess is a vrrp_track_process block: "up" while at least Quorum
// (and at most QuorumMax) processes match.
type TrackProcess struct {
	Pos        Pos      `json:"pos"`
	Name       string   `json:"name"`
	Process    string   `json:"process"`
	Args       []string `json:"args,omitempty"`
	ParamMatch string   `json:"param_match,omitempty"` // "", "exact" (no argument), "initial" or "partial"
	Weight     int      `json:"weight"`
	Reverse    bool     `json:"reverse,omitempty"`
	Quorum     int      `json:"quorum"` // default 1; 0 only with quorum_max 0
	// QuorumMax is quorum_max (nil: unlimited). 0 is keepalived's "up
	// while no such process runs" (it sets Quorum to 0 too).
	QuorumMax *int `json:"quorum_max,omitempty"`
	// TerminateDelay and ForkDelay are terminate_delay and fork_delay;
	// `delay` sets both where it stands in the block (a later specific
	// one overrides its half), as keepalived's parser does.
	TerminateDelay time.Duration `json:"terminate_delay,omitempty"`
	ForkDelay      time.Duration `json:"fork_delay,omitempty"`
	FullCommand    bool          `json:"full_command,omitempty"`
}

// GarpGroup is a garp_group block: GARP / NA spacing for some interfaces.
type GarpGroup struct {
	Pos          Pos           `json:"pos"`
	GarpInterval time.Duration `json:"garp_interval,omitempty"`
	GnaInterval  time.Duration `json:"gna_interval,omitempty"`
	Interfaces   []string      `json:"interfaces"`
}

// Script returns the vrrp_script named name, or nil.
func (c *Config) Script(name string) *Script {
	for _, s := range c.Scripts {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Instance returns the vrrp_instance named name, or nil.
func (c *Config) Instance(name string) *Instance {
	for _, in := range c.Instances {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// TrackFile returns the track_file named name, or nil.
func (c *Config) TrackFile(name string) *TrackFile {
	for _, t := range c.TrackFiles {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// RawStatement is a keyword (and its block, if any) that is kept but not run.
type RawStatement struct {
	Pos     Pos      `json:"pos"`
	Keyword string   `json:"keyword"`
	Args    []string `json:"args,omitempty"`
	// Block holds the statements of its { } block, in order, for the
	// blocks of subsystems we check but do not run (virtual_server,
	// checkers, SSL, bfd_instance, ...); nil for a line without a block.
	Block []RawStatement `json:"block,omitempty"`
}

// Global is global_defs plus the root-level keywords that act globally.
type Global struct {
	RouterID string `json:"router_id,omitempty"`

	McastGroup4 netip.Addr `json:"vrrp_mcast_group4"` // default 224.0.0.18
	McastGroup6 netip.Addr `json:"vrrp_mcast_group6"` // default ff02::12
	Version     int        `json:"vrrp_version"`      // default 2

	Strict             bool `json:"vrrp_strict,omitempty"`
	SkipCheckAdvAddr   bool `json:"vrrp_skip_check_adv_addr,omitempty"`
	CheckUnicastSrc    bool `json:"vrrp_check_unicast_src,omitempty"`
	LowerPrioNoAdvert  bool `json:"vrrp_lower_prio_no_advert,omitempty"`
	HigherPrioSendAdv  bool `json:"vrrp_higher_prio_send_advert,omitempty"`
	DownTimerAdverts   int  `json:"vrrp_down_timer_adverts"` // default 3
	NotifyPrioChanges  bool `json:"vrrp_notify_priority_changes,omitempty"`
	DynamicInterfaces  bool `json:"dynamic_interfaces,omitempty"`
	FifoStatesOnReload bool `json:"fifo_write_vrrp_states_on_reload,omitempty"`

	Garp Garp `json:"garp"` // instance defaults

	GarpInterval time.Duration `json:"vrrp_garp_interval,omitempty"`
	GnaInterval  time.Duration `json:"vrrp_gna_interval,omitempty"`

	StartupDelay    time.Duration `json:"vrrp_startup_delay,omitempty"`
	LogUnknownVRIDs bool          `json:"log_unknown_vrids,omitempty"`

	// ScriptUser is script_user (empty: keepalived_script if it exists,
	// else our own user; resolved by the daemon, not here).
	ScriptUser           string `json:"script_user,omitempty"`
	ScriptGroup          string `json:"script_group,omitempty"`
	EnableScriptSecurity bool   `json:"enable_script_security,omitempty"`

	// StrictConfig is keepalived_go_strict_config (ours): refuse at start
	// a configuration with any error, not only what keepalived refuses.
	StrictConfig bool `json:"keepalived_go_strict_config,omitempty"`

	NotifyFifo           *Fifo    `json:"notify_fifo,omitempty"`
	VRRPNotifyFifo       *Fifo    `json:"vrrp_notify_fifo,omitempty"`
	StartupScript        *Command `json:"startup_script,omitempty"`
	ShutdownScript       *Command `json:"shutdown_script,omitempty"`
	DefaultInterface     string   `json:"default_interface,omitempty"` // default eth0
	VMACPrefix           string   `json:"vmac_prefix,omitempty"`       // default "vrrp"
	ReloadCheckConfig    bool     `json:"reload_check_config,omitempty"`
	ReloadCheckConfigLog string   `json:"reload_check_config_log,omitempty"`
	MaxAutoPriority      int      `json:"max_auto_priority,omitempty"`
	// VRRPProcessPriority is vrrp_priority: the VRRP process's nice value
	// (-20..19, 0 = leave it), used when it has no real-time priority.
	VRRPProcessPriority int `json:"vrrp_priority,omitempty"`
	// VRRPRealtimePriority is vrrp_rt_priority: SCHED_RR at this priority
	// (1..99) from the start (0: none).
	VRRPRealtimePriority int `json:"vrrp_rt_priority,omitempty"`
	// VRRPCPUAffinity is vrrp_cpu_affinity: the CPUs the VRRP process
	// runs on (empty: any).
	VRRPCPUAffinity []int `json:"vrrp_cpu_affinity,omitempty"`
	// MinAutoPriorityDelay is min_auto_priority_delay (default
	// DefaultMinAutoPriorityDelay): how late the VRRP process may run
	// before max_auto_priority raises its real-time priority.
	MinAutoPriorityDelay time.Duration `json:"min_auto_priority_delay,omitempty"` // 0: the default
	// VMACAddrPrefix is vmac_addr_prefix: the name prefix of the VMACs
	// keepalived makes for addresses (use_vmac_addr); empty: VMACPrefix.
	VMACAddrPrefix string `json:"vmac_addr_prefix,omitempty"`
	// ProcessMonitorRcvBufs is process_monitor_rcv_bufs: the
	// vrrp_track_process connector socket's SO_RCVBUF (0: the kernel's
	// default); ProcessMonitorRcvBufsForce sets it with SO_RCVBUFFORCE.
	ProcessMonitorRcvBufs      uint32 `json:"process_monitor_rcv_bufs,omitempty"`
	ProcessMonitorRcvBufsForce bool   `json:"process_monitor_rcv_bufs_force,omitempty"`
	// GarpExtraIf is vrrp_garp_extra_if, the default of every instance's
	// garp_extra_if (zero: off).
	GarpExtraIf GarpExtraIf `json:"vrrp_garp_extra_if,omitzero"`
	// Umask is umask: the file-creation mask the processes take when
	// they read the file (nil: keepalived's DefaultUmask, or -u, which
	// wins over the file).
	Umask *uint32 `json:"umask,omitempty"`
	// ReloadFile is reload_file: a file that exists while a reload reads
	// the configuration ("" = none; a bare reload_file means
	// DefaultReloadFile, resolved by the daemon).
	ReloadFile string `json:"reload_file,omitempty"`
	// ReloadTimeFile is reload_time_file: a file holding the time of a
	// scheduled reload; ReloadRepeat (reload_repeat) keeps it afterwards.
	ReloadTimeFile string `json:"reload_time_file,omitempty"`
	ReloadRepeat   bool   `json:"reload_repeat,omitempty"`
	// ConfigSaveDir is config_save_dir: where a copy of the configuration
	// read is saved at start and at each reload.
	ConfigSaveDir string `json:"config_save_dir,omitempty"`
	// DataUseInstance is data_use_instance: the dump file names carry the
	// network namespace and instance names (keepalived.NS_INST.data).
	DataUseInstance bool `json:"data_use_instance,omitempty"`

	// StartupScriptTimeout and ShutdownScriptTimeout are
	// startup_script_timeout and shutdown_script_timeout (default
	// DefaultScriptTimeout): how long the parent waits for each script.
	StartupScriptTimeout  time.Duration `json:"startup_script_timeout,omitempty"`
	ShutdownScriptTimeout time.Duration `json:"shutdown_script_timeout,omitempty"`

	// Root-level keywords (outside global_defs) that act globally.
	NetNamespace       string        `json:"net_namespace,omitempty"`
	UsePidDir          bool          `json:"use_pid_dir,omitempty"`
	InstanceName       string        `json:"instance,omitempty"`
	ChildWaitTime      time.Duration `json:"child_wait_time,omitempty"` // default 5s
	LinkbeatUsePolling bool          `json:"linkbeat_use_polling,omitempty"`

	// SMTPAlert is the default smtp_alert of instances and groups
	// (smtp_alert_vrrp, else smtp_alert).
	SMTPAlert bool `json:"smtp_alert,omitempty"`
	// Mail is where e-mail alerts go (smtp_server and the rest).
	Mail Mail `json:"mail,omitempty"`
	// AllowIfChanges is dynamic_interfaces allow_if_changes.
	AllowIfChanges bool `json:"allow_if_changes,omitempty"`
	// Conflict is VIP conflict detection (keepalived-go's keywords,
	// keepalived_go_*; keepalived has none).
	Conflict Conflict `json:"conflict"`
	// Other known global keywords we accept but do not act on, verbatim.
	Other []RawStatement `json:"other,omitempty"`

	// Keywords of keepalived 2.3 / 2.4 (the 2.4.3 semantics).

	// V3ChecksumAsV2 is v3_checksum_as_v2: the default of every instance.
	V3ChecksumAsV2 bool `json:"v3_checksum_as_v2,omitempty"`
	// OwnerIgnoreAdverts is vrrp_owner_ignore_adverts: the default for
	// address owners (priority 255) outside strict mode.
	OwnerIgnoreAdverts bool `json:"vrrp_owner_ignore_adverts,omitempty"`
	// StateDumpFile is state_dump_file: where SIGUSR1's keepalived.data
	// goes (see DataDumpPath). StatsDumpFile and JSONDumpFile are read
	// and kept, and, as in keepalived 2.4.3, not used by the dumps.
	StateDumpFile string `json:"state_dump_file,omitempty"`
	StatsDumpFile string `json:"stats_dump_file,omitempty"`
	JSONDumpFile  string `json:"json_dump_file,omitempty"`
	// JSONVersion is json_version: 1 (default, a bare array of
	// instances) or 2 ({"vrrp": [...]}).
	JSONVersion int `json:"json_version,omitempty"`
}

// DataDumpPath is where keepalived 2.4.3 writes the data dump (SIGUSR1)
// given state_dump_file (open_dump_file, global_data.c): an absolute
// path names its directory (all of it when it ends in '/'), anything else
// means tmpDir; the file name is the last element unless the value ends
// in '/' (then keepalived.data); with data_use_instance set, keepalived
// inserts the namespace and instance names before the extension (not done
// here: the daemon has its own naming for that).
func (g *Global) DataDumpPath(tmpDir string) string {
	f := g.StateDumpFile
	if f == "" {
		return tmpDir + "/keepalived.data"
	}
	dir := tmpDir
	if f[0] == '/' {
		if strings.HasSuffix(f, "/") {
			dir = strings.TrimSuffix(f, "/")
		} else {
			dir = f[:strings.LastIndexByte(f, '/')]
		}
	}
	name := "keepalived.data"
	if !strings.HasSuffix(f, "/") {
		name = f[strings.LastIndexByte(f, '/')+1:]
	}
	return dir + "/" + name
}

// Mail is global_defs' e-mail alert settings. Alerts are sent only when
// Server and at least one address in Emails are set (keepalived
// smtp_alert()).
type Mail struct {
	// Server is smtp_server as host:port (port 25 by default).
	Server string `json:"smtp_server,omitempty"`
	// HeloName is smtp_helo_name (empty: the local host name).
	HeloName string `json:"smtp_helo_name,omitempty"`
	// From is notification_email_from (empty: user@local name).
	From string `json:"notification_email_from,omitempty"`
	// Emails is the notification_email block, in order.
	Emails []string `json:"notification_email,omitempty"`
	// ConnectTimeout is smtp_connect_timeout (0: keepalived's 30 s).
	ConnectTimeout time.Duration `json:"smtp_connect_timeout,omitempty"`
	// NoEmailFaults is no_email_faults: no mail for FAULT.
	NoEmailFaults bool `json:"no_email_faults,omitempty"`
}

// Conflict configures VIP conflict detection: a master probes (ARP /
// duplicate address detection NS) for its VIPs and reports other MACs
// answering for them (daemon/conflict.go).
type Conflict struct {
	// Interval is keepalived_go_vip_conflict_interval: seconds between
	// probes once the GARP schedule's two bursts are done; 0 turns probing
	// off. Default 5 s.
	Interval time.Duration `json:"interval"`
	// Notify is keepalived_go_notify_conflict: run with the VIP, the other
	// MAC and the instance name once per (VIP, MAC).
	Notify *Command `json:"notify,omitempty"`
	// Policy is keepalived_go_conflict_policy: ConflictPolicyNone (report
	// only) or ConflictPolicyLowerMACYields.
	Policy string `json:"policy,omitempty"`
	// Hold is keepalived_go_conflict_hold: how long a yielding instance
	// stays in FAULT. Default 30 s.
	Hold time.Duration `json:"hold"`
}

// Conflict policies.
const (
	ConflictPolicyNone           = "none"
	ConflictPolicyLowerMACYields = "lower-mac-yields"
)

// Fifo is a notify_fifo / vrrp_notify_fifo and its optional script.
type Fifo struct {
	Path   string   `json:"path"`
	User   string   `json:"user,omitempty"`
	Group  string   `json:"group,omitempty"`
	Script *Command `json:"script,omitempty"`
}

// Garp is the gratuitous ARP / unsolicited NA schedule (global defaults and
// per instance). Zero repeat values mean "none" where keepalived allows it.
type Garp struct {
	MasterDelay         time.Duration `json:"master_delay"`          // 5s; 0 = no second burst
	MasterRepeat        int           `json:"master_repeat"`         // 5
	MasterRefresh       time.Duration `json:"master_refresh"`        // 0 = off
	MasterRefreshRepeat int           `json:"master_refresh_repeat"` // 1
	LowerPrioDelay      time.Duration `json:"lower_prio_delay"`      // = MasterDelay
	LowerPrioRepeat     int           `json:"lower_prio_repeat"`     // = MasterRepeat
}

// GarpExtraIf is garp_extra_if / vrrp_garp_extra_if: while MASTER, every
// Interval one gratuitous ARP (or NA) on each interface other than the
// instance's that carries one of its VIPs or eVIPs: VMACs keepalived made,
// or, with AllIf (the word "all"), every such interface.
type GarpExtraIf struct {
	Interval time.Duration `json:"interval,omitempty"` // 0: off
	AllIf    bool          `json:"all,omitempty"`
}

// ExtraIfGarp is the instance's garp_extra_if, or the global
// vrrp_garp_extra_if when it has none (keepalived vrrp_complete_instance).
func (in *Instance) ExtraIfGarp(g *Global) GarpExtraIf {
	if in.GarpExtraIf != nil {
		return *in.GarpExtraIf
	}
	return g.GarpExtraIf
}

// DumpFileName is the name a dump file gets (keepalived 2.2.7
// open_dump_file): with data_use_instance and a network namespace or an
// instance name, they go before the extension (keepalived.NS_INST.data,
// keepalived.NS.stats, keepalived_parent.INST.data); else name itself.
func (g *Global) DumpFileName(name string) string {
	if !g.DataUseInstance || (g.NetNamespace == "" && g.InstanceName == "") {
		return name
	}
	tag := g.NetNamespace
	if g.NetNamespace != "" && g.InstanceName != "" {
		tag += "_"
	}
	tag += g.InstanceName
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name, ext = name[:i], name[i:]
	}
	return name + "." + tag + ext
}

// MinAutoPriority is min_auto_priority_delay, its default resolved.
func (g *Global) MinAutoPriority() time.Duration {
	if g.MinAutoPriorityDelay > 0 {
		return g.MinAutoPriorityDelay
	}
	return DefaultMinAutoPriorityDelay
}

// Command is a script command line as keepalived splits it (section 4.5):
// Argv is what is executed; User/Group are the optional 3rd/4th words of
// notify-style keywords (or the vrrp_script `user`).
type Command struct {
	Pos   Pos      `json:"pos"`
	Raw   string   `json:"raw"`
	Argv  []string `json:"argv"`
	User  string   `json:"user,omitempty"`
	Group string   `json:"group,omitempty"`
}

// Script is a vrrp_script block.
type Script struct {
	Pos      Pos           `json:"pos"`
	Name     string        `json:"name"`
	Command  Command       `json:"script"`
	Interval time.Duration `json:"interval"` // default 1s, whole seconds in 2.2.7
	Timeout  time.Duration `json:"timeout"`  // 0 = Interval
	Weight   int           `json:"weight"`
	Reverse  bool          `json:"reverse,omitempty"`
	Rise     int           `json:"rise"` // default 1
	Fall     int           `json:"fall"` // default 1
	User     string        `json:"user,omitempty"`
	Group    string        `json:"group,omitempty"`
	InitFail bool          `json:"init_fail,omitempty"`
}

// TrackFile is a track_file (vrrp_track_file) block.
type TrackFile struct {
	Pos       Pos    `json:"pos"`
	Name      string `json:"name"`
	Path      string `json:"file"`
	Weight    int    `json:"weight"` // default 1
	Reverse   bool   `json:"reverse,omitempty"`
	InitFile  bool   `json:"init_file,omitempty"`
	InitValue int    `json:"init_value,omitempty"`
	Overwrite bool   `json:"overwrite,omitempty"`
}

// Family is an address family. The zero value is invalid.
type Family int

const (
	FamilyUnset Family = iota
	IPv4
	IPv6
)

func (f Family) String() string {
	switch f {
	case IPv4:
		return "IPv4"
	case IPv6:
		return "IPv6"
	}
	return "unset"
}

func (f Family) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// InitialState is the configured `state` of an instance. The zero value
// means "not configured" (derived: MASTER if priority 255, else BACKUP).
type InitialState int

const (
	StateUnset InitialState = iota
	StateBackup
	StateMaster
)

func (s InitialState) String() string {
	switch s {
	case StateBackup:
		return "BACKUP"
	case StateMaster:
		return "MASTER"
	}
	return "unset"
}

func (s InitialState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// AuthType is the VRRPv2 authentication type, numbered as on the wire.
type AuthType int

const (
	AuthNone AuthType = 0
	AuthPass AuthType = 1
	AuthAH   AuthType = 2
)

func (a AuthType) String() string {
	switch a {
	case AuthPass:
		return "PASS"
	case AuthAH:
		return "AH"
	}
	return "none"
}

func (a AuthType) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Instance is a vrrp_instance after defaults and validation.
type Instance struct {
	Pos  Pos    `json:"pos"`
	Name string `json:"name"`

	Interface string `json:"interface,omitempty"`
	VRID      int    `json:"virtual_router_id"`
	// Priority is the configured (base) priority, 1..255.
	Priority int `json:"priority"`
	// State is what was configured; WantMaster reports the effective wish.
	State     InitialState  `json:"state"`
	AdvertInt time.Duration `json:"advert_int"` // already rounded per version
	Version   int           `json:"version"`    // 2 or 3
	Family    Family        `json:"family"`

	Nopreempt    bool          `json:"nopreempt,omitempty"`
	PreemptDelay time.Duration `json:"preempt_delay,omitempty"`
	Accept       bool          `json:"accept"`

	VIPs         []Address `json:"virtual_ipaddress,omitempty"`
	ExcludedVIPs []Address `json:"virtual_ipaddress_excluded,omitempty"`
	Routes       []Route   `json:"virtual_routes,omitempty"`
	Rules        []Rule    `json:"virtual_rules,omitempty"`

	// McastSrc and UnicastSrc are the configured advert source address
	// (mcast_src_ip or unicast_src_ip: keepalived keeps one, the last
	// given, and uses it for multicast and unicast alike, so both fields
	// hold it); invalid when none is configured.
	McastSrc     netip.Addr    `json:"mcast_src_ip,omitempty"`
	UnicastSrc   netip.Addr    `json:"unicast_src_ip,omitempty"`
	McastDst     netip.Addr    `json:"mcast_dst_ip,omitempty"` // default the global group
	UnicastPeers []UnicastPeer `json:"unicast_peer,omitempty"`
	// Unicast is true when peers are configured (adverts go unicast).
	Unicast            bool `json:"unicast,omitempty"`
	UnicastTTL         int  `json:"unicast_ttl"` // IPv4 default 255; IPv6 default -1 (the kernel's hop limit)
	UnicastFaultNoPeer bool `json:"unicast_fault_no_peer,omitempty"`
	CheckUnicastSrc    bool `json:"check_unicast_src,omitempty"`
	OldUnicastChecksum bool `json:"old_unicast_checksum,omitempty"`
	// NeverOldUnicastChecksum is `old_unicast_checksum never`: never fall
	// back to the pre-2.0 unicast checksum (the default auto-detects it;
	// OldUnicastChecksum, the keyword alone, always uses it).
	NeverOldUnicastChecksum bool `json:"old_unicast_checksum_never,omitempty"`

	Auth Auth `json:"authentication"`
	// AuthHMAC is keepalived 2.4's auth_hmac block (config/hmac.go), nil
	// when not configured or disabled by validation.
	AuthHMAC *AuthHMAC `json:"auth_hmac,omitempty"`

	TrackInterfaces  []TrackInterface `json:"track_interface,omitempty"`
	TrackScripts     []TrackScript    `json:"track_script,omitempty"`
	TrackFiles       []TrackFileRef   `json:"track_file,omitempty"`
	TrackProcesses   []TrackFileRef   `json:"track_process,omitempty"`
	DontTrackPrimary bool             `json:"dont_track_primary,omitempty"`
	TrackSrcIP       bool             `json:"track_src_ip,omitempty"`

	Notify Notify `json:"notify"`

	Garp                 Garp `json:"garp"`
	DownTimerAdverts     int  `json:"down_timer_adverts"` // default 3
	LowerPrioNoAdvert    bool `json:"lower_prio_no_advert,omitempty"`
	HigherPrioSendAdvert bool `json:"higher_prio_send_advert,omitempty"`
	SkipCheckAdvAddr     bool `json:"skip_check_adv_addr,omitempty"`
	Strict               bool `json:"strict_mode,omitempty"`
	PromoteSecondaries   bool `json:"promote_secondaries,omitempty"`
	NotifyPrioChanges    bool `json:"notify_priority_changes,omitempty"`
	SMTPAlert            bool `json:"smtp_alert,omitempty"`

	UseVMAC      bool   `json:"use_vmac,omitempty"`
	VMACName     string `json:"vmac_name,omitempty"` // empty: derived by the daemon
	VMACAddr     string `json:"vmac_addr,omitempty"` // empty: 00:00:5e:00:01:VRID
	VMACXmitBase bool   `json:"vmac_xmit_base,omitempty"`
	// UseVMACAddr is use_vmac_addr: VIPs / eVIPs on other interfaces, or
	// of the other family, get a VMAC of their own (as `use_vmac` on the
	// address does).
	UseVMACAddr bool `json:"use_vmac_addr,omitempty"`
	// GarpExtraIf is garp_extra_if (nil: the global vrrp_garp_extra_if).
	GarpExtraIf *GarpExtraIf `json:"garp_extra_if,omitempty"`

	// SyncGroup is the name of the group this instance belongs to, if any.
	SyncGroup string `json:"sync_group,omitempty"`

	// Keywords of keepalived 2.3 / 2.4 (the 2.4.3 semantics).

	// AllowNoVIPs is no_virtual_ipaddress: an instance without VIPs is
	// meant (no "No VIP specified" finding; cleared in strict mode).
	AllowNoVIPs bool `json:"no_virtual_ipaddress,omitempty"`
	// V3ChecksumAsV2 is v3_checksum_as_v2: a VRRPv3 IPv4 advert's checksum
	// leaves out the pseudo-header, as VRRPv2's does, and received
	// adverts' checksums are not enforced.
	V3ChecksumAsV2 bool `json:"v3_checksum_as_v2,omitempty"`
	// OwnerIgnoreAdverts is owner_ignore_adverts (or the global
	// default): an address owner drops every advert it receives.
	OwnerIgnoreAdverts bool `json:"owner_ignore_adverts,omitempty"`
	// HighestOtherPriority is timer_expired_backup's argument (default
	// 254 when given alone; 0 when not set): a nopreempt master whose
	// loop was stalled long enough for a router of this priority to take
	// over goes back to BACKUP.
	HighestOtherPriority int `json:"timer_expired_backup,omitempty"`

	// Positions holds the position of the first occurrence of each keyword
	// of the instance block, for positioned findings (host checks).
	Positions map[string]Pos `json:"-"`
}

// KeywordPos is the position of keyword kw in the instance block, or of
// the instance itself.
func (in *Instance) KeywordPos(kw string) Pos {
	if p, ok := in.Positions[kw]; ok {
		return p
	}
	return in.Pos
}

// WantMaster reports whether the instance starts wanting MASTER (configured
// state MASTER, or derived from priority 255).
func (in *Instance) WantMaster() bool {
	if in.State == StateUnset {
		return in.Priority == 255
	}
	return in.State == StateMaster
}

// Owner reports whether the instance is the address owner (priority 255).
func (in *Instance) Owner() bool { return in.Priority == 255 }

// Auth is VRRPv2 authentication. Pass is already zero-padded/truncated to 8.
type Auth struct {
	Type AuthType `json:"auth_type"`
	Pass [8]byte  `json:"-"`
}

// Address is one virtual_ipaddress / static_ipaddress entry.
type Address struct {
	Pos           Pos          `json:"pos"`
	Prefix        netip.Prefix `json:"prefix"` // address with its prefix length (/32 or /128 by default)
	Dev           string       `json:"dev,omitempty"`
	Scope         string       `json:"scope,omitempty"`
	Broadcast     string       `json:"brd,omitempty"` // address, "+" or "-"
	Label         string       `json:"label,omitempty"`
	Peer          netip.Prefix `json:"peer,omitempty"`
	NoDAD         bool         `json:"nodad,omitempty"` // IPv6 default true
	NoPrefixRoute bool         `json:"noprefixroute,omitempty"`
	NoTrack       bool         `json:"no_track,omitempty"`
	Home          bool         `json:"home,omitempty"`
	MngTmpAddr    bool         `json:"mngtmpaddr,omitempty"`
	AutoJoin      bool         `json:"autojoin,omitempty"`
	PreferredLft  *uint32      `json:"preferred_lft,omitempty"` // nil = default
	UseVMAC       bool         `json:"use_vmac,omitempty"`
}

// Addr returns the bare address.
func (a Address) Addr() netip.Addr { return a.Prefix.Addr() }

// Route is a virtual_routes / static_routes entry in `ip route` syntax.
type Route struct {
	Pos     Pos               `json:"pos"`
	Type    string            `json:"type,omitempty"` // unicast (default), blackhole, unreachable, prohibit, ...
	Dst     netip.Prefix      `json:"to"`
	Src     netip.Addr        `json:"src,omitempty"`
	Via     netip.Addr        `json:"via,omitempty"`
	Dev     string            `json:"dev,omitempty"`
	Table   int               `json:"table,omitempty"`
	Metric  int               `json:"metric,omitempty"`
	Scope   string            `json:"scope,omitempty"`
	Proto   string            `json:"protocol,omitempty"`
	NoTrack bool              `json:"no_track,omitempty"`
	Options map[string]string `json:"options,omitempty"` // other ip-route options, verbatim
	Raw     string            `json:"raw"`
}

// Rule is a virtual_rules / static_rules entry in `ip rule` syntax.
type Rule struct {
	Pos        Pos               `json:"pos"`
	Family     Family            `json:"family"`
	From       netip.Prefix      `json:"from,omitempty"`
	To         netip.Prefix      `json:"to,omitempty"`
	Table      int               `json:"table,omitempty"`
	Preference int               `json:"preference,omitempty"`
	FwMark     string            `json:"fwmark,omitempty"`
	IIf        string            `json:"iif,omitempty"`
	OIf        string            `json:"oif,omitempty"`
	Action     string            `json:"action,omitempty"`
	NoTrack    bool              `json:"no_track,omitempty"`
	Options    map[string]string `json:"options,omitempty"`
	Raw        string            `json:"raw"`
}

// UnicastPeer is one unicast_peer entry.
type UnicastPeer struct {
	Addr   netip.Addr `json:"addr"`
	MinTTL int        `json:"min_ttl,omitempty"` // 0
	MaxTTL int        `json:"max_ttl"`           // 255
}

// TrackInterface is one track_interface entry. Weight 0 means "down is FAULT".
type TrackInterface struct {
	Pos     Pos    `json:"-"`
	Name    string `json:"name"`
	Weight  int    `json:"weight,omitempty"`
	Reverse bool   `json:"reverse,omitempty"`
}

// TrackScript is one track_script entry with the weight already resolved
// (the entry's own weight, else the vrrp_script's).
type TrackScript struct {
	Name    string `json:"name"`
	Weight  int    `json:"weight"`
	Reverse bool   `json:"reverse,omitempty"`
}

// TrackFileRef is one track_file entry inside an instance or group.
type TrackFileRef struct {
	Name    string `json:"name"`
	Weight  int    `json:"weight"`
	Reverse bool   `json:"reverse,omitempty"`
}

// Notify holds the notify scripts of an instance or sync group.
type Notify struct {
	Master           *Command `json:"notify_master,omitempty"`
	Backup           *Command `json:"notify_backup,omitempty"`
	Fault            *Command `json:"notify_fault,omitempty"`
	Stop             *Command `json:"notify_stop,omitempty"`
	Deleted          *Command `json:"notify_deleted,omitempty"`
	Generic          *Command `json:"notify,omitempty"`
	MasterRxLowerPri *Command `json:"notify_master_rx_lower_pri,omitempty"`
	// DeletedSet is true when notify_deleted was given (even without a
	// command): deletion is then notified as DELETED rather than FAULT.
	DeletedSet bool `json:"notify_deleted_set,omitempty"`
}

// SyncGroup is a vrrp_sync_group.
type SyncGroup struct {
	Pos                     Pos              `json:"pos"`
	Name                    string           `json:"name"`
	Members                 []string         `json:"group"`
	TrackInterfaces         []TrackInterface `json:"track_interface,omitempty"`
	TrackScripts            []TrackScript    `json:"track_script,omitempty"`
	TrackFiles              []TrackFileRef   `json:"track_file,omitempty"`
	TrackProcesses          []TrackFileRef   `json:"track_process,omitempty"`
	Notify                  Notify           `json:"notify"`
	SyncGroupTrackingWeight bool             `json:"sync_group_tracking_weight,omitempty"`
	SMTPAlert               bool             `json:"smtp_alert,omitempty"`
	NotifyPrioChanges       bool             `json:"notify_priority_changes,omitempty"`
}
