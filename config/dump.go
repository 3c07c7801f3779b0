package config

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Dump is the resolved model as `check-config --dump` prints it: what the
// daemon will run after include, $VAR, @id and ~SEQ processing, defaults
// and keepalived's corrections. Durations are Go duration strings ("1s",
// "10ms"), addresses are text, and empty values are left out, so that the
// output is readable and stable (it is golden-tested).
type Dump struct {
	Files      []string        `json:"files"`
	Global     DumpGlobal      `json:"global"`
	Scripts    []DumpScript    `json:"scripts,omitempty"`
	TrackFiles []DumpTrackFile `json:"track_files,omitempty"`
	Instances  []DumpInstance  `json:"instances,omitempty"`
	SyncGroups []DumpSyncGroup `json:"sync_groups,omitempty"`
	Static     *DumpStatic     `json:"static,omitempty"`
	// Kept lists the keywords kept but not run (LVS, BFD, ...).
	Kept []string `json:"kept_not_run,omitempty"`
}

// DumpGlobal is the part of global_defs that changes VRRP behaviour.
type DumpGlobal struct {
	RouterID             string `json:"router_id,omitempty"`
	Version              int    `json:"vrrp_version"`
	McastGroup4          string `json:"vrrp_mcast_group4"`
	McastGroup6          string `json:"vrrp_mcast_group6"`
	Strict               bool   `json:"vrrp_strict,omitempty"`
	ScriptUser           string `json:"script_user,omitempty"`
	EnableScriptSecurity bool   `json:"enable_script_security,omitempty"`
	DynamicInterfaces    bool   `json:"dynamic_interfaces,omitempty"`
	NotifyFifo           string `json:"notify_fifo,omitempty"`
	VRRPNotifyFifo       string `json:"vrrp_notify_fifo,omitempty"`
}

// DumpScript is one vrrp_script.
type DumpScript struct {
	Pos      string   `json:"pos"`
	Name     string   `json:"name"`
	Argv     []string `json:"argv"`
	User     string   `json:"user,omitempty"`
	Interval string   `json:"interval"`
	Timeout  string   `json:"timeout"`
	Weight   int      `json:"weight"`
	Reverse  bool     `json:"reverse,omitempty"`
	Rise     int      `json:"rise"`
	Fall     int      `json:"fall"`
	InitFail bool     `json:"init_fail,omitempty"`
}

// DumpTrackFile is one track_file.
type DumpTrackFile struct {
	Pos    string `json:"pos"`
	Name   string `json:"name"`
	Path   string `json:"file"`
	Weight int    `json:"weight"`
}

// DumpInstance is one vrrp_instance as it will run.
type DumpInstance struct {
	Pos          string        `json:"pos"`
	Name         string        `json:"name"`
	Interface    string        `json:"interface,omitempty"`
	VRID         int           `json:"virtual_router_id"`
	Priority     int           `json:"priority"`
	State        string        `json:"state"` // what it starts wanting
	AdvertInt    string        `json:"advert_int"`
	Version      int           `json:"version"`
	Family       string        `json:"family"`
	Preempt      bool          `json:"preempt"`
	PreemptDelay string        `json:"preempt_delay,omitempty"`
	Accept       bool          `json:"accept"`
	Strict       bool          `json:"strict_mode,omitempty"`
	Auth         string        `json:"authentication,omitempty"`
	AuthHMAC     string        `json:"auth_hmac,omitempty"` // settings only, never a key
	VIPs         []string      `json:"virtual_ipaddress,omitempty"`
	ExcludedVIPs []string      `json:"virtual_ipaddress_excluded,omitempty"`
	Routes       []string      `json:"virtual_routes,omitempty"`
	Rules        []string      `json:"virtual_rules,omitempty"`
	Source       string        `json:"source_ip,omitempty"`
	Destination  string        `json:"destination,omitempty"` // multicast group or "unicast"
	UnicastPeers []string      `json:"unicast_peers,omitempty"`
	Tracking     *DumpTracking `json:"tracking,omitempty"`
	Notify       []string      `json:"notify,omitempty"`
	UseVMAC      bool          `json:"use_vmac,omitempty"`
	SyncGroup    string        `json:"sync_group,omitempty"`
	// GarpExtraIf is garp_extra_if resolved ("60s", "60s all"; the global
	// default when the instance has none).
	GarpExtraIf string `json:"garp_extra_if,omitempty"`
}

// DumpTracking is what an instance or group tracks, weights resolved.
type DumpTracking struct {
	Interfaces []string `json:"interfaces,omitempty"`
	Scripts    []string `json:"scripts,omitempty"`
	Files      []string `json:"files,omitempty"`
	Processes  []string `json:"processes,omitempty"`
}

// DumpSyncGroup is one vrrp_sync_group.
type DumpSyncGroup struct {
	Pos      string        `json:"pos"`
	Name     string        `json:"name"`
	Members  []string      `json:"members"`
	Tracking *DumpTracking `json:"tracking,omitempty"`
	Notify   []string      `json:"notify,omitempty"`
}

// DumpStatic holds static_ipaddress / static_routes / static_rules.
type DumpStatic struct {
	Addresses []string `json:"addresses,omitempty"`
	Routes    []string `json:"routes,omitempty"`
	Rules     []string `json:"rules,omitempty"`
}

// NewDump builds the dump of cfg.
func NewDump(cfg *Config) Dump {
	g := cfg.Global
	d := Dump{
		Files: cfg.Files,
		Global: DumpGlobal{
			RouterID:             g.RouterID,
			Version:              g.Version,
			McastGroup4:          g.McastGroup4.String(),
			McastGroup6:          g.McastGroup6.String(),
			Strict:               g.Strict,
			ScriptUser:           strings.TrimSpace(g.ScriptUser + " " + g.ScriptGroup),
			EnableScriptSecurity: g.EnableScriptSecurity,
			DynamicInterfaces:    g.DynamicInterfaces,
		},
	}
	if g.NotifyFifo != nil {
		d.Global.NotifyFifo = g.NotifyFifo.Path
	}
	if g.VRRPNotifyFifo != nil {
		d.Global.VRRPNotifyFifo = g.VRRPNotifyFifo.Path
	}
	for _, s := range cfg.Scripts {
		to := s.Timeout
		if to == 0 {
			to = s.Interval
		}
		d.Scripts = append(d.Scripts, DumpScript{
			Pos: s.Pos.String(), Name: s.Name, Argv: s.Command.Argv,
			User:     strings.TrimSpace(s.User + " " + s.Group),
			Interval: dur(s.Interval), Timeout: dur(to), Weight: s.Weight, Reverse: s.Reverse,
			Rise: s.Rise, Fall: s.Fall, InitFail: s.InitFail,
		})
	}
	for _, t := range cfg.TrackFiles {
		d.TrackFiles = append(d.TrackFiles, DumpTrackFile{Pos: t.Pos.String(), Name: t.Name, Path: t.Path, Weight: t.Weight})
	}
	for _, in := range cfg.Instances {
		di := DumpInstance{
			Pos: in.Pos.String(), Name: in.Name, Interface: in.Interface, VRID: in.VRID,
			Priority: in.Priority, AdvertInt: dur(in.AdvertInt), Version: in.Version,
			Family: in.Family.String(), Preempt: !in.Nopreempt, Accept: in.Accept,
			Strict: in.Strict, UseVMAC: in.UseVMAC, SyncGroup: in.SyncGroup,
		}
		if e := in.ExtraIfGarp(&g); e.Interval > 0 {
			di.GarpExtraIf = dur(e.Interval)
			if e.AllIf {
				di.GarpExtraIf += " all"
			}
		}
		di.State = "BACKUP"
		if in.WantMaster() {
			di.State = "MASTER"
		}
		if in.PreemptDelay != 0 {
			di.PreemptDelay = dur(in.PreemptDelay)
		}
		di.AuthHMAC = in.AuthHMAC.Summary()
		if in.Auth.Type != AuthNone {
			di.Auth = in.Auth.Type.String()
		}
		for _, a := range in.VIPs {
			di.VIPs = append(di.VIPs, addrText(a))
		}
		for _, a := range in.ExcludedVIPs {
			di.ExcludedVIPs = append(di.ExcludedVIPs, addrText(a))
		}
		for _, r := range in.Routes {
			di.Routes = append(di.Routes, r.Raw)
		}
		for _, r := range in.Rules {
			di.Rules = append(di.Rules, r.Raw)
		}
		switch {
		case in.UnicastSrc.IsValid():
			di.Source = in.UnicastSrc.String()
		case in.McastSrc.IsValid():
			di.Source = in.McastSrc.String()
		}
		if in.Unicast {
			di.Destination = "unicast"
		} else if in.McastDst.IsValid() {
			di.Destination = in.McastDst.String()
		}
		for _, p := range in.UnicastPeers {
			di.UnicastPeers = append(di.UnicastPeers, p.Addr.String())
		}
		di.Tracking = tracking(in.TrackInterfaces, in.TrackScripts, in.TrackFiles, in.TrackProcesses)
		di.Notify = notifyText(in.Notify)
		d.Instances = append(d.Instances, di)
	}
	for _, sg := range cfg.SyncGroups {
		d.SyncGroups = append(d.SyncGroups, DumpSyncGroup{
			Pos: sg.Pos.String(), Name: sg.Name, Members: sg.Members,
			Tracking: tracking(sg.TrackInterfaces, sg.TrackScripts, sg.TrackFiles, sg.TrackProcesses),
			Notify:   notifyText(sg.Notify),
		})
	}
	if len(cfg.StaticAddresses)+len(cfg.StaticRoutes)+len(cfg.StaticRules) > 0 {
		st := &DumpStatic{}
		for _, a := range cfg.StaticAddresses {
			st.Addresses = append(st.Addresses, addrText(a))
		}
		for _, r := range cfg.StaticRoutes {
			st.Routes = append(st.Routes, r.Raw)
		}
		for _, r := range cfg.StaticRules {
			st.Rules = append(st.Rules, r.Raw)
		}
		d.Static = st
	}
	for _, r := range cfg.Raw {
		d.Kept = append(d.Kept, r.Pos.String()+" "+strings.TrimSpace(r.Keyword+" "+strings.Join(r.Args, " ")))
	}
	return d
}

// DumpJSON is NewDump as indented JSON with a final newline.
func DumpJSON(cfg *Config) ([]byte, error) {
	b, err := json.MarshalIndent(NewDump(cfg), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func dur(d time.Duration) string { return d.String() }

func addrText(a Address) string {
	s := a.Prefix.String()
	if a.Dev != "" {
		s += " dev " + a.Dev
	}
	if a.Scope != "" {
		s += " scope " + a.Scope
	}
	if a.Broadcast != "" {
		s += " brd " + a.Broadcast
	}
	if a.Label != "" {
		s += " label " + a.Label
	}
	if a.Peer.IsValid() {
		s += " peer " + a.Peer.String()
	}
	if a.NoPrefixRoute {
		s += " noprefixroute"
	}
	if a.NoTrack {
		s += " no_track"
	}
	if a.UseVMAC {
		s += " use_vmac"
	}
	return s
}

func weightText(name string, w int, reverse bool) string {
	s := name + " weight " + itoa(w)
	if w == 0 {
		s = name + " (fault)"
	}
	if reverse {
		s += " reverse"
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

func tracking(ifs []TrackInterface, scs []TrackScript, fs, ps []TrackFileRef) *DumpTracking {
	t := &DumpTracking{}
	for _, x := range ifs {
		t.Interfaces = append(t.Interfaces, weightText(x.Name, x.Weight, x.Reverse))
	}
	for _, x := range scs {
		t.Scripts = append(t.Scripts, weightText(x.Name, x.Weight, x.Reverse))
	}
	for _, x := range fs {
		t.Files = append(t.Files, weightText(x.Name, x.Weight, x.Reverse))
	}
	for _, x := range ps {
		t.Processes = append(t.Processes, weightText(x.Name, x.Weight, x.Reverse))
	}
	if len(t.Interfaces)+len(t.Scripts)+len(t.Files)+len(t.Processes) == 0 {
		return nil
	}
	return t
}

func notifyText(n Notify) []string {
	var out []string
	add := func(kw string, c *Command) {
		if c == nil {
			return
		}
		s := kw + " " + strings.Join(c.Argv, " ")
		if c.User != "" {
			s += " (as " + strings.TrimSpace(c.User+" "+c.Group) + ")"
		}
		out = append(out, s)
	}
	add("notify_master", n.Master)
	add("notify_backup", n.Backup)
	add("notify_fault", n.Fault)
	add("notify_stop", n.Stop)
	add("notify_deleted", n.Deleted)
	add("notify", n.Generic)
	add("notify_master_rx_lower_pri", n.MasterRxLowerPri)
	return out
}
