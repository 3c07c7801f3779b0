package config

import "fmt"

// CheckHost reports what keepalived 2.2.7's `-t` reports about the host:
// interfaces named by instances, track_interface entries (of instances and
// sync groups), VIP / route / rule devices, garp_group interfaces and the
// default_interface of static addresses must exist. lookup says whether
// an interface exists (net.InterfaceByName in the CLI; a fake in tests).
//
// Each missing interface is a general-class error in keepalived's words,
// followed by one "Non-existent interface specified in configuration"
// (BAD_IF class), which is why keepalived's `-t` exits 5 for it rather than
// 4. With dynamic_interfaces nothing is reported about interfaces, as
// keepalived tolerates the interfaces appearing later. The global_defs
// values keepalived checks against the host (CPU ids, disable_local_igmp,
// config_save_dir) are checked too (checkHostGlobal).
func CheckHost(cfg *Config, lookup func(ifname string) bool) Diagnostics {
	if cfg == nil {
		return nil
	}
	ds := checkHostGlobal(cfg)
	if lookup == nil || cfg.Global.DynamicInterfaces {
		return ds
	}
	known := map[string]bool{}
	exists := func(name string) bool {
		if v, ok := known[name]; ok {
			return v
		}
		v := lookup(name)
		known[name] = v
		return v
	}
	var first *Pos
	missing := func(pos Pos, class Class, format string, args ...any) {
		ds = append(ds, Diagnostic{Pos: pos, Severity: Error, Class: class, Msg: fmt.Sprintf(format, args...)})
		if first == nil {
			p := pos
			first = &p
		}
	}
	for _, a := range cfg.StaticAddresses {
		if a.Dev != "" && !exists(a.Dev) {
			if a.Dev == cfg.Global.DefaultInterface {
				missing(a.Pos, ClassFatal, "Static address %s requires either an interface or default interface must exist (default_interface %s does not)", a.Prefix, a.Dev)
			} else {
				missing(a.Pos, ClassGeneral, "WARNING - interface %s for ip address %s doesn't exist", a.Dev, a.Addr())
			}
		}
	}
	checkRoutes := func(rs []Route) {
		for _, r := range rs {
			if r.Dev != "" && !exists(r.Dev) {
				missing(r.Pos, ClassGeneral, "WARNING - interface %s for VROUTE nexthop doesn't exist", r.Dev)
			}
		}
	}
	checkRules := func(rs []Rule) {
		for _, r := range rs {
			for _, d := range []string{r.IIf, r.OIf} {
				if d != "" && !exists(d) {
					missing(r.Pos, ClassGeneral, "WARNING - interface %s for rule doesn't exist", d)
				}
			}
		}
	}
	checkAddrs := func(as []Address) {
		for _, a := range as {
			if a.Dev != "" && !exists(a.Dev) {
				missing(a.Pos, ClassGeneral, "WARNING - interface %s for ip address %s doesn't exist", a.Dev, a.Addr())
			}
		}
	}
	checkRoutes(cfg.StaticRoutes)
	checkRules(cfg.StaticRules)
	for _, in := range cfg.Instances {
		if in.Interface != "" && !exists(in.Interface) {
			missing(in.KeywordPos("interface"), ClassGeneral, "WARNING - interface %s for vrrp_instance %s doesn't exist", in.Interface, in.Name)
		}
		for _, t := range in.TrackInterfaces {
			if !exists(t.Name) {
				p := t.Pos
				if p == (Pos{}) {
					p = in.KeywordPos("track_interface")
				}
				missing(p, ClassGeneral, "(%s) tracked interface %s doesn't exist", in.Name, t.Name)
			}
		}
		checkAddrs(in.VIPs)
		checkAddrs(in.ExcludedVIPs)
		checkRoutes(in.Routes)
		checkRules(in.Rules)
	}
	for _, g := range cfg.SyncGroups {
		for _, t := range g.TrackInterfaces {
			if !exists(t.Name) {
				p := t.Pos
				if p == (Pos{}) {
					p = g.Pos
				}
				missing(p, ClassGeneral, "(%s) tracked interface %s doesn't exist", g.Name, t.Name)
			}
		}
	}
	for _, gg := range cfg.GarpGroups {
		for _, i := range gg.Interfaces {
			if !exists(i) {
				missing(gg.Pos, ClassGeneral, "WARNING - interface %s specified for garp_group doesn't exist", i)
			}
		}
	}
	if first != nil {
		ds = append(ds, Diagnostic{Pos: *first, Severity: Error, Class: ClassBadInterface,
			Msg: "Non-existent interface specified in configuration"})
	}
	return ds
}
