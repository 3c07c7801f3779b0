package config

import (
	"fmt"
	"sort"
)

// Validate runs the checks that span several objects of a completed model
// (keepalived vrrp.c check_vrid_conflicts): two multicast instances of the
// same family on the same interface with the same VRID and multicast group
// conflict; two unicast instances conflict when they share family, VRID,
// interface (or one has none), source address (when both are configured)
// and at least one peer. Unicast and multicast are separate VRID spaces.
// Members of one sync group may share a VRID only if they differ otherwise.
//
// It is pure (no host facts) so that the daemon can run it on a reloaded
// model too.
func Validate(cfg *Config) Diagnostics {
	var ds Diagnostics
	// Only instances of one family and VRID can conflict: compare within
	// those buckets (in configuration order), not all pairs.
	type key struct {
		fam  Family
		vrid int
	}
	buckets := map[key][]*Instance{}
	var order []key
	for _, in := range cfg.Instances {
		if in.VRID == 0 {
			continue
		}
		k := key{in.Family, in.VRID}
		if _, ok := buckets[k]; !ok {
			order = append(order, k)
		}
		buckets[k] = append(buckets[k], in)
	}
	for _, k := range order {
		ins := buckets[k]
		for i, a := range ins {
			for _, b := range ins[i+1:] {
				ds = append(ds, conflict(a, b)...)
			}
		}
	}
	sortByPos(ds)
	return ds
}

// conflict reports a VRID conflict between two instances of the same
// family and VRID, or nothing.
func conflict(a, b *Instance) Diagnostics {
	if a.Unicast != b.Unicast {
		return nil
	}
	if a.Unicast {
		if a.Interface != "" && b.Interface != "" && a.Interface != b.Interface {
			return nil
		}
		if a.UnicastSrc.IsValid() && b.UnicastSrc.IsValid() && a.UnicastSrc != b.UnicastSrc {
			return nil
		}
		if !peersOverlap(a, b) {
			return nil
		}
		return Diagnostics{{Pos: b.Pos, Severity: Error, Class: ClassGeneral, Stops: true,
			Msg: fmt.Sprintf("(%s) duplicate VRID conflict with %s VRID %d (%s)", a.Name, b.Name, a.VRID, a.Pos)}}
	}
	if a.Interface != b.Interface || a.Interface == "" || a.McastDst != b.McastDst {
		return nil
	}
	return Diagnostics{{Pos: b.Pos, Severity: Error, Class: ClassGeneral, Stops: true,
		Msg: fmt.Sprintf("%s and %s both use VRID %d with %s on interface %s (%s is at %s)",
			a.Name, b.Name, a.VRID, ipv(a.Family), a.Interface, a.Name, a.Pos)}}
}

// sortByPos orders findings by file, line and column (stable).
func sortByPos(ds Diagnostics) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

func ipv(f Family) string {
	if f == IPv6 {
		return "IPv6"
	}
	return "IPv4"
}

func peersOverlap(a, b *Instance) bool {
	for _, p := range a.UnicastPeers {
		for _, q := range b.UnicastPeers {
			if p.Addr == q.Addr {
				return true
			}
		}
	}
	return false
}

// ScriptSecurity is the host-independent part of keepalived's script
// security check, for linting without the host (check-config --offline):
// when scripts are configured for the VRRP instances and
// enable_script_security is not set, keepalived's -t reports a SECURITY
// VIOLATION (class SECURITY, exit 6). The full check (script files,
// permissions, users) needs the host: checker.CheckSecurity.
func ScriptSecurity(cfg *Config) Diagnostics {
	if cfg == nil || cfg.Global.EnableScriptSecurity || len(cfg.Instances) == 0 {
		return nil
	}
	var first *Pos
	note := func(p Pos) {
		if first == nil {
			first = &p
		}
	}
	used := map[string]bool{}
	for _, in := range cfg.Instances {
		for _, t := range in.TrackScripts {
			used[t.Name] = true
		}
	}
	for _, g := range cfg.SyncGroups {
		for _, t := range g.TrackScripts {
			used[t.Name] = true
		}
	}
	for _, s := range cfg.Scripts {
		if used[s.Name] {
			note(s.Pos)
		}
	}
	notify := func(n Notify) {
		for _, c := range []*Command{n.Master, n.Backup, n.Fault, n.Stop, n.Deleted, n.Generic, n.MasterRxLowerPri} {
			if c != nil {
				note(c.Pos)
			}
		}
	}
	for _, in := range cfg.Instances {
		notify(in.Notify)
	}
	for _, g := range cfg.SyncGroups {
		notify(g.Notify)
	}
	for _, f := range []*Fifo{cfg.Global.NotifyFifo, cfg.Global.VRRPNotifyFifo} {
		if f != nil && f.Script != nil {
			note(f.Script.Pos)
		}
	}
	if first == nil {
		return nil
	}
	return Diagnostics{{Pos: *first, Severity: Warning, Class: ClassSecurity,
		Msg: "SECURITY VIOLATION - scripts are being executed but script_security not enabled."}}
}
