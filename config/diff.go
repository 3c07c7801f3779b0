package config

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
)

// This file computes a reload as a diff of two models (DESIGN.md section 4,
// reference section 6.8). Diff is pure: it reads two *Config and returns a
// Plan; the daemon carries the plan out and `keepalived reload --plan` prints
// it.
//
// Decisions, where keepalived leaves room:
//   - An instance is matched by its Identity (VRID, family, interface,
//     unicast or multicast and for unicast the source address, use_vmac and
//     the VMAC name, multicast group), never by its name: a rename keeps the
//     running state, a changed VRID or interface is remove + add.
//   - Inside a kept instance the daemon adds new VIPs (and eVIPs, routes,
//     rules) before it removes the old ones, so an address that moves from
//     one prefix length to another is never absent.
//   - keepalived sends gratuitous ARPs for every VIP of a kept master when
//     any VIP was added. We send them only for the added addresses: the
//     others have not moved, and a burst for them is exactly the "GARP storm
//     on reload" operators complain about. The plan lists the added
//     addresses; nothing else is announced.

// Op is what a reload does to one object. The zero value is invalid.
type Op int

const (
	_ Op = iota
	// OpKeep keeps a running object, possibly reconfigured in place.
	OpKeep
	// OpAdd starts an object that was not running.
	OpAdd
	// OpRemove stops a running object.
	OpRemove
)

func (o Op) String() string {
	switch o {
	case OpKeep:
		return "keep"
	case OpAdd:
		return "add"
	case OpRemove:
		return "remove"
	}
	return "invalid"
}

// Identity is what makes two instances of two configurations "the same
// running instance" (reference section 6.8, keepalived's vrrp_exist). The
// instance name is deliberately not part of it.
type Identity struct {
	VRID      int
	Family    Family
	Interface string
	Unicast   bool
	// UnicastSrc is compared for unicast instances only.
	UnicastSrc netip.Addr
	UseVMAC    bool
	VMACName   string
	// UseVMACAddr is use_vmac_addr, compared for multicast instances only
	// (vrrp_exist's VRRP_VMAC_ADDR_BIT).
	UseVMACAddr bool
	// McastGroup is the resolved multicast destination (zero for unicast).
	McastGroup netip.Addr
}

// String is the short form used in plans: `vrid 51 eth0`, plus the parts
// that differ from the common case (IPv6, unicast, a VMAC, a non-default
// multicast group).
func (id Identity) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vrid %d", id.VRID)
	if id.Interface != "" {
		b.WriteString(" " + id.Interface)
	}
	if id.Family == IPv6 {
		b.WriteString(" IPv6")
	}
	if id.Unicast {
		b.WriteString(" unicast")
		if id.UnicastSrc.IsValid() {
			b.WriteString(" from " + id.UnicastSrc.String())
		}
	} else if id.McastGroup.IsValid() && id.McastGroup != defaultGroup(id.Family) {
		b.WriteString(" group " + id.McastGroup.String())
	}
	if id.UseVMAC {
		b.WriteString(" vmac")
		if id.VMACName != "" {
			b.WriteString(" " + id.VMACName)
		}
	}
	return b.String()
}

var (
	defaultGroup4 = netip.MustParseAddr("224.0.0.18")
	defaultGroup6 = netip.MustParseAddr("ff02::12")
)

func defaultGroup(f Family) netip.Addr {
	if f == IPv6 {
		return defaultGroup6
	}
	return defaultGroup4
}

// McastGroup returns the multicast group the instance's adverts go to:
// mcast_dst_ip, else the global vrrp_mcast_group4/6, else 224.0.0.18 /
// ff02::12.
func (c *Config) McastGroup(in *Instance) netip.Addr {
	if in.McastDst.IsValid() {
		return in.McastDst
	}
	if in.Family == IPv6 {
		if c != nil && c.Global.McastGroup6.IsValid() {
			return c.Global.McastGroup6
		}
		return defaultGroup6
	}
	if c != nil && c.Global.McastGroup4.IsValid() {
		return c.Global.McastGroup4
	}
	return defaultGroup4
}

// InstanceIdentity returns the identity of in within configuration c (c
// supplies the global multicast groups; it may be nil).
func (c *Config) InstanceIdentity(in *Instance) Identity {
	fam := in.Family
	if fam == FamilyUnset {
		fam = IPv4
	}
	id := Identity{
		VRID:      in.VRID,
		Family:    fam,
		Interface: in.Interface,
		Unicast:   in.Unicast,
		UseVMAC:   in.UseVMAC,
		VMACName:  in.VMACName,
	}
	if in.Unicast {
		id.UnicastSrc = in.UnicastSrc
	} else {
		id.McastGroup = c.McastGroup(in)
		id.UseVMACAddr = in.UseVMACAddr
	}
	return id
}

// Plan is what a reload from one configuration to another does. Instances
// lists removals (old config order), then kept instances and additions (new
// config order), which is also the order the daemon applies them in.
type Plan struct {
	Instances  []InstanceChange `json:"instances,omitempty"`
	Scripts    []NamedChange    `json:"scripts,omitempty"`
	TrackFiles []NamedChange    `json:"track_files,omitempty"`
	SyncGroups []NamedChange    `json:"sync_groups,omitempty"`
	Static     StaticChange     `json:"static"`
	// Global lists changed global_defs settings.
	Global []FieldChange `json:"global,omitempty"`
}

// InstanceChange is the fate of one instance.
type InstanceChange struct {
	Op Op `json:"op"`
	// Old is the running instance (nil for OpAdd), New its successor (nil
	// for OpRemove).
	Old *Instance `json:"-"`
	New *Instance `json:"-"`
	// Name is the instance's name (the new one for OpKeep).
	Name string   `json:"name"`
	ID   Identity `json:"-"`
	// Reason says why a running instance is removed although the new
	// configuration has one of the same name (its identity changed).
	Reason string `json:"reason,omitempty"`

	VIPs     AddressDiff `json:"virtual_ipaddress"`
	Excluded AddressDiff `json:"virtual_ipaddress_excluded"`
	Routes   RouteDiff   `json:"virtual_routes"`
	Rules    RuleDiff    `json:"virtual_rules"`
	// Fields lists every other setting that changed, in model order.
	Fields []FieldChange `json:"fields,omitempty"`
}

// Changed reports whether a kept instance is reconfigured at all.
func (c InstanceChange) Changed() bool {
	return c.Old != nil && c.New != nil && (c.Old.Name != c.New.Name || !c.VIPs.Empty() ||
		!c.Excluded.Empty() || !c.Routes.Empty() || !c.Rules.Empty() || len(c.Fields) > 0)
}

// AddressDiff is the addresses to add and to remove, each in config order.
type AddressDiff struct {
	Add []Address `json:"add,omitempty"`
	Del []Address `json:"del,omitempty"`
}

// Empty reports whether nothing changes.
func (d AddressDiff) Empty() bool { return len(d.Add) == 0 && len(d.Del) == 0 }

// RouteDiff is the routes to add and to remove.
type RouteDiff struct {
	Add []Route `json:"add,omitempty"`
	Del []Route `json:"del,omitempty"`
}

// Empty reports whether nothing changes.
func (d RouteDiff) Empty() bool { return len(d.Add) == 0 && len(d.Del) == 0 }

// RuleDiff is the rules to add and to remove.
type RuleDiff struct {
	Add []Rule `json:"add,omitempty"`
	Del []Rule `json:"del,omitempty"`
}

// Empty reports whether nothing changes.
func (d RuleDiff) Empty() bool { return len(d.Add) == 0 && len(d.Del) == 0 }

// StaticChange is the diff of static_ipaddress / static_routes /
// static_rules.
type StaticChange struct {
	Addresses AddressDiff `json:"static_ipaddress"`
	Routes    RouteDiff   `json:"static_routes"`
	Rules     RuleDiff    `json:"static_rules"`
}

// NamedChange is the fate of a script, track file or sync group (matched
// by name).
type NamedChange struct {
	Op     Op            `json:"op"`
	Name   string        `json:"name"`
	Fields []FieldChange `json:"fields,omitempty"`
}

// FieldChange is one changed setting, by its keyword, with both values
// formatted for people.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

func (f FieldChange) String() string { return fmt.Sprintf("%s %s -> %s", f.Field, f.Old, f.New) }

// Empty reports whether the plan changes nothing at all.
func (p Plan) Empty() bool {
	for _, c := range p.Instances {
		if c.Op != OpKeep || c.Changed() {
			return false
		}
	}
	for _, l := range [][]NamedChange{p.Scripts, p.TrackFiles, p.SyncGroups} {
		for _, c := range l {
			if c.Op != OpKeep || len(c.Fields) > 0 {
				return false
			}
		}
	}
	return p.Static.Addresses.Empty() && p.Static.Routes.Empty() && p.Static.Rules.Empty() && len(p.Global) == 0
}

// Diff compares the running configuration with the next one. Either may be
// nil (nothing running / nothing next).
func Diff(old, next *Config) Plan {
	if old == nil {
		old = &Config{}
	}
	if next == nil {
		next = &Config{}
	}
	var p Plan
	p.Instances = diffInstances(old, next)
	p.Scripts = diffNamed(namedOf(old.Scripts), namedOf(next.Scripts))
	p.TrackFiles = diffNamed(namedOf(old.TrackFiles), namedOf(next.TrackFiles))
	p.SyncGroups = diffNamed(namedOf(old.SyncGroups), namedOf(next.SyncGroups))
	p.Static = StaticChange{
		Addresses: diffAddresses(old.StaticAddresses, next.StaticAddresses),
		Routes:    diffRoutes(old.StaticRoutes, next.StaticRoutes),
		Rules:     diffRules(old.StaticRules, next.StaticRules),
	}
	p.Global = fieldChanges("", reflect.ValueOf(old.Global), reflect.ValueOf(next.Global), map[string]bool{"Other": true})
	return p
}

func diffInstances(old, next *Config) []InstanceChange {
	byID := map[Identity][]*Instance{}
	for _, in := range old.Instances {
		id := old.InstanceIdentity(in)
		byID[id] = append(byID[id], in)
	}
	matched := map[*Instance]*Instance{} // old -> new
	newToOld := map[*Instance]*Instance{}
	for _, nin := range next.Instances {
		cands := byID[next.InstanceIdentity(nin)]
		pick := -1
		for i, c := range cands {
			if c.Name == nin.Name {
				pick = i
				break
			}
		}
		if pick < 0 && len(cands) > 0 {
			pick = 0
		}
		if pick < 0 {
			continue
		}
		oin := cands[pick]
		byID[next.InstanceIdentity(nin)] = append(cands[:pick:pick], cands[pick+1:]...)
		matched[oin] = nin
		newToOld[nin] = oin
	}
	var out []InstanceChange
	for _, oin := range old.Instances {
		if _, ok := matched[oin]; ok {
			continue
		}
		c := InstanceChange{Op: OpRemove, Old: oin, Name: oin.Name, ID: old.InstanceIdentity(oin)}
		if nin := next.Instance(oin.Name); nin != nil {
			c.Reason = "identity changed: " + identityDelta(c.ID, next.InstanceIdentity(nin))
		}
		out = append(out, c)
	}
	for _, nin := range next.Instances {
		oin := newToOld[nin]
		if oin == nil {
			out = append(out, InstanceChange{Op: OpAdd, New: nin, Name: nin.Name, ID: next.InstanceIdentity(nin)})
			continue
		}
		out = append(out, InstanceChange{
			Op: OpKeep, Old: oin, New: nin, Name: nin.Name, ID: next.InstanceIdentity(nin),
			VIPs:     diffAddresses(oin.VIPs, nin.VIPs),
			Excluded: diffAddresses(oin.ExcludedVIPs, nin.ExcludedVIPs),
			Routes:   diffRoutes(oin.Routes, nin.Routes),
			Rules:    diffRules(oin.Rules, nin.Rules),
			Fields: fieldChanges("", reflect.ValueOf(*oin), reflect.ValueOf(*nin), map[string]bool{
				"Name": true, "VIPs": true, "ExcludedVIPs": true, "Routes": true, "Rules": true,
				// where the keywords were written is no change (and the
				// running daemon drops them, daemon.dropPositions)
				"Positions": true,
			}),
		})
	}
	return out
}

// identityDelta names the parts of an identity that differ.
func identityDelta(a, b Identity) string {
	var parts []string
	add := func(what string, x, y any) {
		parts = append(parts, fmt.Sprintf("%s %v -> %v", what, x, y))
	}
	if a.VRID != b.VRID {
		add("vrid", a.VRID, b.VRID)
	}
	if a.Family != b.Family {
		add("family", a.Family, b.Family)
	}
	if a.Interface != b.Interface {
		add("interface", orNone(a.Interface), orNone(b.Interface))
	}
	if a.Unicast != b.Unicast {
		add("mode", mode(a.Unicast), mode(b.Unicast))
	} else if a.UnicastSrc != b.UnicastSrc {
		add("unicast_src_ip", addrOrNone(a.UnicastSrc), addrOrNone(b.UnicastSrc))
	}
	if a.UseVMAC != b.UseVMAC || a.VMACName != b.VMACName {
		add("use_vmac", vmac(a), vmac(b))
	}
	if a.UseVMACAddr != b.UseVMACAddr {
		add("use_vmac_addr", onOffWord(a.UseVMACAddr), onOffWord(b.UseVMACAddr))
	}
	if a.McastGroup != b.McastGroup && !a.Unicast && !b.Unicast {
		add("multicast group", addrOrNone(a.McastGroup), addrOrNone(b.McastGroup))
	}
	return strings.Join(parts, ", ")
}

func onOffWord(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func mode(unicast bool) string {
	if unicast {
		return "unicast"
	}
	return "multicast"
}

func vmac(id Identity) string {
	if !id.UseVMAC {
		return "off"
	}
	if id.VMACName == "" {
		return "on"
	}
	return id.VMACName
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func addrOrNone(a netip.Addr) string {
	if !a.IsValid() {
		return "none"
	}
	return a.String()
}

// named is one script / track file / sync group by name, as a value to
// compare field by field.
type named struct {
	name string
	v    reflect.Value
}

// namedOf lists scripts, track files or sync groups (each a struct with
// a Name) as named values, in their order.
func namedOf[T any](list []*T) []named {
	var out []named
	for _, e := range list {
		v := reflect.ValueOf(*e)
		out = append(out, named{v.FieldByName("Name").String(), v})
	}
	return out
}

// diffNamed matches by name: removals in old order, then kept and added in
// new order.
func diffNamed(old, next []named) []NamedChange {
	oldBy := map[string]reflect.Value{}
	for _, o := range old {
		oldBy[o.name] = o.v
	}
	nextBy := map[string]bool{}
	for _, n := range next {
		nextBy[n.name] = true
	}
	var out []NamedChange
	for _, o := range old {
		if !nextBy[o.name] {
			out = append(out, NamedChange{Op: OpRemove, Name: o.name})
		}
	}
	for _, n := range next {
		ov, ok := oldBy[n.name]
		if !ok {
			out = append(out, NamedChange{Op: OpAdd, Name: n.name})
			continue
		}
		out = append(out, NamedChange{Op: OpKeep, Name: n.name,
			Fields: fieldChanges("", ov, n.v, map[string]bool{"Name": true})})
	}
	return out
}

func diffAddresses(old, next []Address) AddressDiff {
	add, del := addedRemoved(old, next)
	return AddressDiff{Add: add, Del: del}
}

func diffRoutes(old, next []Route) RouteDiff {
	add, del := addedRemoved(old, next)
	return RouteDiff{Add: add, Del: del}
}

func diffRules(old, next []Rule) RuleDiff {
	add, del := addedRemoved(old, next)
	return RuleDiff{Add: add, Del: del}
}

// addedRemoved lists what next has that old has not (to add, in next's
// order) and what old has that next has not (to remove, in old's order),
// compared with Equal.
func addedRemoved[T any](old, next []T) (add, del []T) {
	for _, n := range next {
		if !containsFunc(old, n) {
			add = append(add, n)
		}
	}
	for _, o := range old {
		if !containsFunc(next, o) {
			del = append(del, o)
		}
	}
	return add, del
}

func containsFunc[T any](list []T, x T) bool {
	xv := reflect.ValueOf(x)
	for _, e := range list {
		if Equal(reflect.ValueOf(e), xv) {
			return true
		}
	}
	return false
}

var (
	posType = reflect.TypeOf(Pos{})
	ownPkg  = posType.PkgPath()
)

// Equal compares two values of the model deeply, ignoring source positions
// (Pos) and the verbatim text of routes and rules (Raw), so that moving a
// line or respacing it is no change.
func Equal(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Struct:
		if a.Type() == posType {
			return true
		}
		if a.Type().PkgPath() != ownPkg && a.Type().Comparable() {
			return a.Equal(b) // netip.Addr, netip.Prefix, ...
		}
		for i := 0; i < a.NumField(); i++ {
			f := a.Type().Field(i)
			if f.Name == "Raw" && (a.Type() == reflect.TypeOf(Route{}) || a.Type() == reflect.TypeOf(Rule{})) {
				continue
			}
			if !Equal(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return Equal(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		fallthrough
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if !Equal(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		it := a.MapRange()
		for it.Next() {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() || !Equal(it.Value(), bv) {
				return false
			}
		}
		return true
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return a.IsNil() && b.IsNil()
	}
	return a.Equal(b)
}

// fieldChanges lists the fields of two structs of one type that differ,
// named by their json keyword. Nested model structs (Notify, Garp, Auth)
// are flattened so that each keyword is its own change.
func fieldChanges(prefix string, a, b reflect.Value, skip map[string]bool) []FieldChange {
	var out []FieldChange
	t := a.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if skip[f.Name] || f.Type == posType || !f.IsExported() {
			continue
		}
		av, bv := a.Field(i), b.Field(i)
		if Equal(av, bv) {
			continue
		}
		name := fieldName(f)
		if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == ownPkg && f.Type != reflect.TypeOf(Command{}) {
			// Flattened so that each change is named by its keyword:
			// garp_master_delay, notify_master, auth_type.
			sub := ""
			if name == "garp" {
				sub = "garp_"
			}
			out = append(out, fieldChanges(sub, av, bv, nil)...)
			continue
		}
		if name == "-" {
			// Secrets (auth_pass) are not printed.
			out = append(out, FieldChange{Field: "auth_" + strings.ToLower(f.Name), Old: "(hidden)", New: "(changed)"})
			continue
		}
		out = append(out, FieldChange{Field: prefix + name, Old: formatValue(av), New: formatValue(bv)})
	}
	return out
}

func fieldName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "" {
		return strings.ToLower(f.Name)
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

// formatValue renders a model value for a plan line: durations and
// addresses in their usual text, commands as their script line, lists and
// other structures as compact JSON without positions.
func formatValue(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case *Command:
		if x == nil {
			return "none"
		}
		return fmt.Sprintf("%q", x.Raw)
	case Command:
		return fmt.Sprintf("%q", x.Raw)
	case netip.Addr:
		return addrOrNone(x)
	case fmt.Stringer:
		if v.Kind() != reflect.Struct && v.Kind() != reflect.Slice && v.Kind() != reflect.Pointer {
			return x.String()
		}
	}
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return `""`
		}
		return v.String()
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Uint8, reflect.Uint32:
		return fmt.Sprint(v.Interface())
	case reflect.Slice:
		if v.Len() == 0 {
			return "[]"
		}
	case reflect.Pointer:
		if v.IsNil() {
			return "none"
		}
		return formatValue(v.Elem())
	}
	b, err := json.Marshal(stripPos(v).Interface())
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	return string(b)
}

// stripPos returns a copy of v with every Pos zeroed, for printing.
func stripPos(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == posType {
			return reflect.Zero(posType)
		}
		if v.Type().PkgPath() != ownPkg {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if c.Field(i).CanSet() {
				c.Field(i).Set(stripPos(v.Field(i)))
			}
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			c.Index(i).Set(stripPos(v.Index(i)))
		}
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(stripPos(v.Elem()))
		return c
	}
	return v
}

// String prints the plan, one change per line, in a stable order and words:
//
//	remove VI_2 (vrid 52 eth0): identity changed: vrid 52 -> 53
//	keep VI_1 (vrid 51 eth0): add vip 10.0.0.3/32
//	keep VI_1 (vrid 51 eth0): del vip 10.0.0.2/32
//	keep VI_1 (vrid 51 eth0): set priority 100 -> 110
//	add VI_3 (vrid 53 eth0)
//	change script chk: interval 1s -> 2s
//	static: add address 192.168.9.1/24 dev eth0
//
// An unchanged instance prints `keep VI_1 (vrid 51 eth0): unchanged`; an
// empty configuration change prints `no change`.
func (p Plan) String() string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	for _, c := range p.Instances {
		head := fmt.Sprintf("%s %s (%s)", c.Op, c.Name, c.ID)
		switch c.Op {
		case OpRemove:
			if c.Reason != "" {
				line("%s: %s", head, c.Reason)
			} else {
				line("%s", head)
			}
		case OpAdd:
			line("%s", head)
		case OpKeep:
			if !c.Changed() {
				line("%s: unchanged", head)
				continue
			}
			if c.Old.Name != c.New.Name {
				line("%s: rename from %s", head, c.Old.Name)
			}
			for _, a := range c.VIPs.Add {
				line("%s: add vip %s", head, FormatAddress(a))
			}
			for _, a := range c.Excluded.Add {
				line("%s: add excluded vip %s", head, FormatAddress(a))
			}
			for _, r := range c.Routes.Add {
				line("%s: add route %s", head, FormatRoute(r))
			}
			for _, r := range c.Rules.Add {
				line("%s: add rule %s", head, FormatRule(r))
			}
			for _, a := range c.VIPs.Del {
				line("%s: del vip %s", head, FormatAddress(a))
			}
			for _, a := range c.Excluded.Del {
				line("%s: del excluded vip %s", head, FormatAddress(a))
			}
			for _, r := range c.Routes.Del {
				line("%s: del route %s", head, FormatRoute(r))
			}
			for _, r := range c.Rules.Del {
				line("%s: del rule %s", head, FormatRule(r))
			}
			for _, f := range c.Fields {
				line("%s: set %s", head, f)
			}
		}
	}
	named := func(kind string, l []NamedChange) {
		for _, c := range l {
			switch {
			case c.Op == OpKeep && len(c.Fields) == 0:
			case c.Op == OpKeep:
				for _, f := range c.Fields {
					line("change %s %s: %s", kind, c.Name, f)
				}
			default:
				line("%s %s %s", c.Op, kind, c.Name)
			}
		}
	}
	named("script", p.Scripts)
	named("track_file", p.TrackFiles)
	named("sync group", p.SyncGroups)
	for _, a := range p.Static.Addresses.Add {
		line("static: add address %s", FormatAddress(a))
	}
	for _, r := range p.Static.Routes.Add {
		line("static: add route %s", FormatRoute(r))
	}
	for _, r := range p.Static.Rules.Add {
		line("static: add rule %s", FormatRule(r))
	}
	for _, a := range p.Static.Addresses.Del {
		line("static: del address %s", FormatAddress(a))
	}
	for _, r := range p.Static.Routes.Del {
		line("static: del route %s", FormatRoute(r))
	}
	for _, r := range p.Static.Rules.Del {
		line("static: del rule %s", FormatRule(r))
	}
	for _, f := range p.Global {
		line("global: %s", f)
	}
	if b.Len() == 0 {
		return "no change\n"
	}
	return b.String()
}

// FormatAddress prints an address in `ip addr` words: `10.0.0.1/24 dev eth0
// scope link label eth0:1`.
func FormatAddress(a Address) string {
	var b strings.Builder
	b.WriteString(a.Prefix.String())
	if a.Peer.IsValid() {
		b.WriteString(" peer " + a.Peer.String())
	}
	if a.Broadcast != "" {
		b.WriteString(" brd " + a.Broadcast)
	}
	if a.Dev != "" {
		b.WriteString(" dev " + a.Dev)
	}
	if a.Scope != "" {
		b.WriteString(" scope " + a.Scope)
	}
	if a.Label != "" {
		b.WriteString(" label " + a.Label)
	}
	if a.NoPrefixRoute {
		b.WriteString(" noprefixroute")
	}
	if a.NoTrack {
		b.WriteString(" no_track")
	}
	return b.String()
}

// FormatRoute prints a route as configured (its Raw text when there is one).
func FormatRoute(r Route) string {
	if r.Raw != "" {
		return strings.Join(strings.Fields(r.Raw), " ")
	}
	var b strings.Builder
	if r.Type != "" && r.Type != "unicast" {
		b.WriteString(r.Type + " ")
	}
	b.WriteString(r.Dst.String())
	if r.Via.IsValid() {
		b.WriteString(" via " + r.Via.String())
	}
	if r.Src.IsValid() {
		b.WriteString(" src " + r.Src.String())
	}
	if r.Dev != "" {
		b.WriteString(" dev " + r.Dev)
	}
	if r.Table != 0 {
		fmt.Fprintf(&b, " table %d", r.Table)
	}
	if r.Metric != 0 {
		fmt.Fprintf(&b, " metric %d", r.Metric)
	}
	return b.String()
}

// FormatRule prints a rule as configured (its Raw text when there is one).
func FormatRule(r Rule) string {
	if r.Raw != "" {
		return strings.Join(strings.Fields(r.Raw), " ")
	}
	var parts []string
	if r.From.IsValid() {
		parts = append(parts, "from "+r.From.String())
	}
	if r.To.IsValid() {
		parts = append(parts, "to "+r.To.String())
	}
	if r.FwMark != "" {
		parts = append(parts, "fwmark "+r.FwMark)
	}
	if r.IIf != "" {
		parts = append(parts, "iif "+r.IIf)
	}
	if r.OIf != "" {
		parts = append(parts, "oif "+r.OIf)
	}
	if r.Table != 0 {
		parts = append(parts, fmt.Sprintf("table %d", r.Table))
	}
	if r.Preference != 0 {
		parts = append(parts, fmt.Sprintf("preference %d", r.Preference))
	}
	return strings.Join(parts, " ")
}
