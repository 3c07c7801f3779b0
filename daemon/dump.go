package daemon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/vrrp"
)

// The dumps follow keepalived 2.2.7's formats (vrrp_print.c, vrrp_json.c;
// reference 7.3). Captures of the real thing are kept in
// testdata/keepalived-2.2.7 and the tests compare our lines with them.
// Every file is written to a temporary name and renamed, so a reader
// (keepalived-exporter, VyOS) never sees half a file.

// writeFile writes data to dir/name atomically, mode 0600 as keepalived's
// umask 0177 leaves them (keepalived.data holds auth_pass in clear).
func writeFile(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return fmt.Errorf("daemon: dump %s: %w", name, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := firstErr(werr, cerr, os.Chmod(tmp, 0o600)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("daemon: dump %s: %w", name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("daemon: dump %s: %w", name, err)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// stats returns an instance's counters since the last STATS_CLEAR.
func (in *instance) stats() vrrp.Stats {
	return in.eng.Stats().Sub(in.statsBase)
}

// writeStats writes keepalived.stats (SIGUSR2) and, with clear, zeroes the
// counters (STATS_CLEAR).
func (d *Daemon) writeStats(clear bool) error {
	d.log.Info(fmt.Sprintf("Printing VRRP stats for process(%d) on signal", os.Getpid()))
	if err := writeFile(d.opts.TmpDir, "keepalived.stats", d.statsText()); err != nil {
		return err
	}
	if clear {
		for _, in := range d.insts {
			in.statsBase = in.eng.Stats()
		}
	}
	return nil
}

func (d *Daemon) statsText() []byte {
	var b bytes.Buffer
	for _, in := range d.insts {
		s := in.stats()
		fmt.Fprintf(&b, "VRRP Instance: %s\n", in.name())
		fmt.Fprintf(&b, "  Advertisements:\n    Received: %d\n    Sent: %d\n", s.AdvertRcvd, s.AdvertSent)
		fmt.Fprintf(&b, "  Became master: %d\n  Released master: %d\n", s.BecomeMaster, s.ReleaseMaster)
		fmt.Fprintf(&b, "  Packet Errors:\n    Length: %d\n    TTL: %d\n    Invalid Type: %d\n    Advertisement Interval: %d\n    Address List: %d\n",
			s.PacketLenErr, s.IPTTLErr, s.InvalidTypeRcvd, s.AdvertIntervalErr, s.AddrListErr)
		fmt.Fprintf(&b, "  Authentication Errors:\n    Invalid Type: %d\n    Type Mismatch: %d\n    Failure: %d\n",
			s.InvalidAuthType, s.AuthTypeMismatch, s.AuthFailure)
		fmt.Fprintf(&b, "  Priority Zero:\n    Received: %d\n    Sent: %d\n", s.PriZeroRcvd, s.PriZeroSent)
		b.WriteString(conflictStatsText(d.instanceConflicts(in)))
	}
	return b.Bytes()
}

// jsonData is one instance's "data" object, with keepalived 2.2.7's keys
// in its order (vrrp_json.c).
type jsonData struct {
	IName                string   `json:"iname"`
	DontTrackPrimary     int      `json:"dont_track_primary"`
	SkipCheckAdvAddr     int      `json:"skip_check_adv_addr"`
	StrictMode           int      `json:"strict_mode"`
	VMACIfname           string   `json:"vmac_ifname"`
	IfpIfname            string   `json:"ifp_ifname"`
	MasterPriority       int      `json:"master_priority"`
	LastTransition       float64  `json:"last_transition"`
	GarpDelay            float64  `json:"garp_delay"`
	GarpRefresh          float64  `json:"garp_refresh"`
	GarpRep              int      `json:"garp_rep"`
	GarpRefreshRep       int      `json:"garp_refresh_rep"`
	GarpLowerPrioDelay   float64  `json:"garp_lower_prio_delay"`
	GarpLowerPrioRep     int      `json:"garp_lower_prio_rep"`
	LowerPrioNoAdvert    int      `json:"lower_prio_no_advert"`
	HigherPrioSendAdvert int      `json:"higher_prio_send_advert"`
	VRID                 int      `json:"vrid"`
	BasePriority         int      `json:"base_priority"`
	EffectivePriority    int      `json:"effective_priority"`
	VIPSet               bool     `json:"vipset"`
	PromoteSecondaries   bool     `json:"promote_secondaries"`
	AdverInt             float64  `json:"adver_int"`
	MasterAdverInt       float64  `json:"master_adver_int"`
	Accept               int      `json:"accept"`
	Nopreempt            bool     `json:"nopreempt"`
	PreemptDelay         float64  `json:"preempt_delay"`
	State                int      `json:"state"`
	WantState            int      `json:"wantstate"`
	Version              int      `json:"version"`
	SMTPAlert            bool     `json:"smtp_alert"`
	NotifyDeleted        bool     `json:"notify_deleted"`
	VIPs                 []string `json:"vips"`
	EVIPs                []string `json:"evips"`
	TrackIfp             []string `json:"track_ifp,omitempty"`
	TrackScript          []string `json:"track_script,omitempty"`
	AuthType             int      `json:"auth_type"`
	AuthData             string   `json:"auth_data,omitempty"`
}

type jsonInstance struct {
	Data  jsonData             `json:"data"`
	Stats vrrp.KeepalivedStats `json:"stats"` // keepalived's keys only
	// Conflicts is ours (conflict.go); keepalived's readers ignore it.
	Conflicts []ConflictStatus `json:"keepalived_go_vip_conflicts,omitempty"`
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func secs(d time.Duration) float64 { return d.Seconds() }

// epoch is a time as keepalived's float seconds with microseconds.
func epoch(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return math.Round(float64(t.UnixMicro())) / 1e6
}

// vipString formats an address as keepalived's dumps do:
// `192.168.50.100/24 dev eth0 scope global set` (no /32 or /128).
func vipString(a config.Address, dev string, set bool) string {
	var b strings.Builder
	b.WriteString(a.Addr().String())
	if a.Prefix.Bits() != a.Addr().BitLen() {
		fmt.Fprintf(&b, "/%d", a.Prefix.Bits())
	}
	if a.Dev != "" {
		dev = a.Dev
	}
	b.WriteString(" dev " + dev)
	scope := a.Scope
	if scope == "" {
		scope = "global"
	}
	b.WriteString(" scope " + scope)
	if a.Label != "" {
		b.WriteString(" label " + a.Label)
	}
	if set {
		b.WriteString(" set")
	}
	return b.String()
}

// scriptArgv is a vrrp_script's command as it runs: resolved by the
// checker when the runner knows it (else as configured), symlinks followed.
func (d *Daemon) scriptArgv(s *config.Script) []string {
	argv := s.Command.Argv
	if d.scripts != nil {
		if r, ok := d.scripts.runner.(interface{ ResolvedArgv(string) []string }); ok {
			if a := r.ResolvedArgv(s.Name); a != nil {
				argv = a
			}
		}
	}
	// keepalived runs (and shows) the script's real path.
	if len(argv) > 0 && filepath.IsAbs(argv[0]) {
		if p, err := filepath.EvalSymlinks(argv[0]); err == nil && p != argv[0] {
			argv = append([]string{p}, argv[1:]...)
		}
	}
	return argv
}

func commandString(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = "'" + a + "'"
	}
	return strings.Join(parts, " ")
}

// jsonDump builds keepalived.json's array.
func (d *Daemon) jsonDump() []jsonInstance {
	out := make([]jsonInstance, 0, len(d.insts))
	for _, in := range d.insts {
		ci, st, s := in.cfg, in.eng.Status(), in.stats()
		jd := jsonData{
			IName: ci.Name, DontTrackPrimary: b2i(ci.DontTrackPrimary), SkipCheckAdvAddr: b2i(ci.SkipCheckAdvAddr),
			StrictMode: b2i(ci.Strict), VMACIfname: in.vmacName, IfpIfname: in.ifname,
			LastTransition: epoch(in.lastTr),
			GarpDelay:      secs(in.vcfg.GarpMasterDelay), GarpRefresh: secs(in.vcfg.GarpMasterRefresh),
			GarpRep: in.vcfg.GarpMasterRepeat, GarpRefreshRep: in.vcfg.GarpMasterRefreshRepeat,
			GarpLowerPrioDelay: secs(in.vcfg.GarpLowerPrioDelay), GarpLowerPrioRep: in.vcfg.GarpLowerPrioRepeat,
			LowerPrioNoAdvert: b2i(ci.LowerPrioNoAdvert), HigherPrioSendAdvert: b2i(ci.HigherPrioSendAdvert),
			VRID: ci.VRID, BasePriority: ci.Priority, EffectivePriority: st.EffectivePriority,
			VIPSet: st.VIPsSet, PromoteSecondaries: ci.PromoteSecondaries,
			AdverInt: secs(ci.AdvertInt), MasterAdverInt: secs(st.MasterAdverInt),
			Accept: b2i(ci.Accept), Nopreempt: ci.Nopreempt, PreemptDelay: secs(ci.PreemptDelay),
			State: int(st.State), WantState: wantState(st), Version: ci.Version,
			SMTPAlert: ci.SMTPAlert, NotifyDeleted: ci.Notify.DeletedSet,
			VIPs: []string{}, EVIPs: []string{},
			AuthType: int(ci.Auth.Type),
		}
		if st.State == vrrp.StateBackup {
			jd.MasterPriority = st.MasterPriority
		}
		if jd.MasterAdverInt == 0 {
			jd.MasterAdverInt = jd.AdverInt
		}
		for _, a := range ci.VIPs {
			jd.VIPs = append(jd.VIPs, vipString(a, in.ifname, st.VIPsSet))
		}
		for _, a := range ci.ExcludedVIPs {
			jd.EVIPs = append(jd.EVIPs, vipString(a, in.ifname, st.VIPsSet))
		}
		for _, ti := range ci.TrackInterfaces {
			jd.TrackIfp = append(jd.TrackIfp, ti.Name)
		}
		for _, ts := range ci.TrackScripts {
			if sc := d.cfg.Script(ts.Name); sc != nil {
				jd.TrackScript = append(jd.TrackScript, commandString(d.scriptArgv(sc)))
			}
		}
		if ci.Auth.Type == config.AuthPass {
			jd.AuthData = strings.TrimRight(string(ci.Auth.Pass[:]), "\x00")
		}
		out = append(out, jsonInstance{Data: jd, Stats: s.KeepalivedStats, Conflicts: d.instanceConflicts(in)})
	}
	return out
}

// wantState is keepalived's wantstate number: what the instance is heading
// for (FAULT while faulted, MASTER when it wants or holds MASTER).
func wantState(st vrrp.Status) int {
	switch {
	case len(st.Faults) > 0:
		return int(vrrp.StateFault)
	case st.WantMaster || st.State == vrrp.StateMaster:
		return int(vrrp.StateMaster)
	}
	return int(vrrp.StateBackup)
}

// writeJSON writes keepalived.json (the JSON signal).
func (d *Daemon) writeJSON(now time.Time) error {
	d.log.Info(fmt.Sprintf("Printing VRRP as json for process(%d) on signal", os.Getpid()))
	b, err := json.Marshal(d.jsonDump())
	if err != nil {
		return fmt.Errorf("daemon: dump json: %w", err)
	}
	return writeFile(d.opts.TmpDir, "keepalived.json", b)
}

// writeData writes keepalived.data (SIGUSR1).
func (d *Daemon) writeData(now time.Time) error {
	d.log.Info(fmt.Sprintf("Printing VRRP data for process(%d) on signal", os.Getpid()))
	return writeFile(d.opts.TmpDir, "keepalived.data", d.dataText(now))
}

func onOff(b bool, on, off string) string {
	if b {
		return on
	}
	return off
}

func ctimeMicro(t time.Time) string {
	return t.Format("Mon Jan _2 15:04:05.000000 2006")
}

func (d *Daemon) dataText(now time.Time) []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	g := d.cfg.Global
	w("------< Global definitions >------")
	w(" Router ID = %s", g.RouterID)
	w(" Default interface = %s", orDefault(g.DefaultInterface, "eth0"))
	w(" FIFO write vrrp states on reload = %t", g.FifoStatesOnReload)
	w(" VRRP notify priority changes = %t", g.NotifyPrioChanges)
	w(" VRRP IPv4 mcast group = %s", addrOr(g.McastGroup4, "224.0.0.18"))
	w(" VRRP IPv6 mcast group = %s", addrOr(g.McastGroup6, "ff02::12"))
	w(" Gratuitous ARP delay = %d", int(g.Garp.MasterDelay.Seconds()))
	w(" Gratuitous ARP repeat = %d", g.Garp.MasterRepeat)
	w(" Gratuitous ARP refresh timer = %d", int(g.Garp.MasterRefresh.Seconds()))
	w(" Gratuitous ARP refresh repeat = %d", g.Garp.MasterRefreshRepeat)
	w(" Gratuitous ARP lower priority delay = %d", int(g.Garp.LowerPrioDelay.Seconds()))
	w(" Gratuitous ARP lower priority repeat = %d", g.Garp.LowerPrioRepeat)
	w(" Num adverts before down = %d", g.DownTimerAdverts)
	w(" Send advert after receive lower priority advert = %t", !g.LowerPrioNoAdvert)
	w(" Send advert after receive higher priority advert = %t", g.HigherPrioSendAdv)
	w(" Gratuitous ARP interval = %f", g.GarpInterval.Seconds())
	w(" Gratuitous NA interval = %f", g.GnaInterval.Seconds())
	w(" VRRP default protocol version = %d", orInt(g.Version, 2))
	w(" VRRP check unicast_src = %t", g.CheckUnicastSrc)
	w(" VRRP skip check advert addresses = %t", g.SkipCheckAdvAddr)
	w(" VRRP strict mode = %t", g.Strict)
	w(" Script security %s", onOff(g.EnableScriptSecurity, "enabled", "disabled"))
	w("------< VRRP Topology >------")
	for _, in := range d.insts {
		ci, st := in.cfg, in.eng.Status()
		w(" VRRP Instance = %s", ci.Name)
		w("   VRRP Version = %d", ci.Version)
		if in.group != nil {
			w("   Sync group = %s", in.group.cfg.Name)
		}
		if ci.Family == config.IPv6 {
			w("   Using Native IPv6")
		}
		w("   State = %s", st.State)
		if st.State == vrrp.StateBackup {
			w("   Master router = %s", addrOr(st.MasterAddr, "0.0.0.0"))
			w("   Master priority = %d", st.MasterPriority)
			if ci.Version == 3 {
				w("   Master advert int = %.2f sec", st.MasterAdverInt.Seconds())
			}
		}
		w("   Wantstate = %s", vrrp.State(wantState(st)))
		w("   Number of interface and track script faults = %d", len(st.Faults))
		if !in.lastTr.IsZero() {
			w("   Last transition = %d.%06d (%s)", in.lastTr.Unix(), in.lastTr.Nanosecond()/1000, ctimeMicro(in.lastTr))
		}
		if t, ok := in.eng.NextDeadline(); ok {
			w("   Read timeout = %d.%06d (%s)", t.Unix(), t.Nanosecond()/1000, ctimeMicro(t))
		}
		w("   Master down timer = %d usecs", vrrp.MasterDownInterval(ci.Version, uint8(st.EffectivePriority), st.MasterAdverInt, in.vcfg.DownTimerAdverts).Microseconds())
		w("   Interface = %s", in.ifname)
		if ci.DontTrackPrimary {
			w("   VRRP interface tracking disabled")
		}
		w("   Using src_ip = %s", addrOr(in.src, "(none)"))
		if in.vcfg.UnicastPeers == nil {
			w("   Multicast address %s", in.vcfg.McastGroup)
		} else {
			w("   Unicast Peer :")
			for _, p := range in.vcfg.UnicastPeers {
				w("     %s", p)
			}
		}
		w("   Gratuitous ARP delay = %d", int(in.vcfg.GarpMasterDelay.Seconds()))
		w("   Gratuitous ARP repeat = %d", in.vcfg.GarpMasterRepeat)
		w("   Gratuitous ARP refresh = %d", int(in.vcfg.GarpMasterRefresh.Seconds()))
		w("   Gratuitous ARP refresh repeat = %d", in.vcfg.GarpMasterRefreshRepeat)
		w("   Gratuitous ARP lower priority delay = %d", int(in.vcfg.GarpLowerPrioDelay.Seconds()))
		w("   Gratuitous ARP lower priority repeat = %d", in.vcfg.GarpLowerPrioRepeat)
		w("   Down timer adverts = %d", in.vcfg.DownTimerAdverts)
		w("   Send advert after receive lower priority advert = %t", !ci.LowerPrioNoAdvert)
		w("   Send advert after receive higher priority advert = %t", ci.HigherPrioSendAdvert)
		w("   Virtual Router ID = %d", ci.VRID)
		w("   Priority = %d", ci.Priority)
		w("   Effective priority = %d", st.EffectivePriority)
		w("   Total priority = %d", in.prio)
		if ci.Version == 3 {
			w("   Advert interval = %d milli-sec", ci.AdvertInt.Milliseconds())
		} else {
			w("   Advert interval = %d sec", int(ci.AdvertInt.Seconds()))
		}
		w("   Accept = %s", onOff(ci.Accept, "enabled", "disabled"))
		w("   Preempt = %s", onOff(!ci.Nopreempt, "enabled", "disabled"))
		if ci.PreemptDelay > 0 {
			w("   Preempt delay = %g secs", ci.PreemptDelay.Seconds())
		}
		w("   Promote_secondaries = %s", onOff(ci.PromoteSecondaries, "enabled", "disabled"))
		switch ci.Auth.Type {
		case config.AuthPass:
			w("   Authentication type = SIMPLE_PASSWORD")
			w("   Password = %s", strings.TrimRight(string(ci.Auth.Pass[:]), "\x00"))
		case config.AuthAH:
			w("   Authentication type = IPSEC_AH")
		default:
			w("   Authentication type = none")
		}
		if len(ci.TrackInterfaces) > 0 {
			w("   Tracked interfaces :")
			for _, ti := range ci.TrackInterfaces {
				w("     %s weight %d%s", ti.Name, ti.Weight, onOff(ti.Reverse, " reverse", ""))
			}
		}
		w("   Virtual IP (%d):", len(ci.VIPs))
		for _, a := range ci.VIPs {
			w("     %s", vipString(a, in.ifname, st.VIPsSet))
		}
		if len(ci.ExcludedVIPs) > 0 {
			w("   Virtual IP Excluded :")
			for _, a := range ci.ExcludedVIPs {
				w("     %s", vipString(a, in.ifname, st.VIPsSet))
			}
		}
		if len(ci.TrackScripts) > 0 {
			w("   Tracked scripts :")
			for _, ts := range ci.TrackScripts {
				w("     %s weight %d%s", ts.Name, ts.Weight, onOff(ts.Reverse, " reverse", ""))
			}
		}
		w("   Using smtp notification = %s", onOff(ci.SMTPAlert, "yes", "no"))
		w("   Notify deleted = %s", onOff(ci.Notify.DeletedSet, "Deleted", "Fault"))
		w("   Notify priority changes = %t", ci.NotifyPrioChanges)
	}
	if len(d.cfg.Scripts) > 0 {
		w("------< VRRP Scripts >------")
		for _, s := range d.cfg.Scripts {
			st := d.track["script:"+s.Name]
			w(" VRRP Script = %s", s.Name)
			w("   Command = %s", commandString(d.scriptArgv(s)))
			w("   Interval = %d sec", int(s.Interval.Seconds()))
			w("   Timeout = %d sec", int(s.Timeout.Seconds()))
			w("   Weight = %d%s", s.Weight, onOff(s.Reverse, " reverse", ""))
			w("   Rise = %d", s.Rise)
			w("   Fall = %d", s.Fall)
			status := "INIT"
			switch {
			case st.Reported && st.OK:
				status = "GOOD"
			case st.Reported:
				status = "BAD"
			}
			w("   Status = %s", status)
		}
	}
	return b.Bytes()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
