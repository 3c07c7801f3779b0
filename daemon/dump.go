package daemon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/vrrp"
)

// The dumps follow keepalived 2.2.7's formats (vrrp_print.c, vrrp_json.c;
// reference 7.3). Captures of the real thing are kept in
// testdata/keepalived-2.2.7 and the tests compare our lines with them.

// writeFile writes data to dir/name in the order keepalived's fopen_safe
// does (lib/utils.c): a new temporary file dir/nameXXXXXX, mode 0666 less
// the umask (0600 under keepalived's default 0177: keepalived.data holds
// auth_pass in clear; createDumpTemp), renamed to the final name, and
// only then written and closed. A reader that waits for IN_CLOSE_WRITE
// on the final name (VyOS's wait_for_file_write_complete) sees the event
// it waits for; one that renamed after closing would only ever produce
// IN_MOVED_TO there. The
// rename still replaces an old file in one step, so no other process can
// slip a file (or a symlink) in under the name.
func writeFile(dir, name string, data []byte) error {
	f, err := createDumpTemp(dir, name)
	if err != nil {
		return fmt.Errorf("daemon: dump %s: %w", name, err)
	}
	tmp := f.Name()
	err = os.Rename(tmp, filepath.Join(dir, name))
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("daemon: dump %s: %w", name, err)
	}
	_, werr := f.Write(data)
	if err := firstErr(werr, f.Close()); err != nil {
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
	if in.statsBase == nil {
		return in.eng.Stats()
	}
	return in.eng.Stats().Sub(*in.statsBase)
}

// writeStats writes keepalived.stats (SIGUSR2) and, with clear, zeroes the
// counters (STATS_CLEAR).
func (d *Daemon) writeStats(clear bool) error {
	d.log.Info(fmt.Sprintf("Printing VRRP stats for process(%d) on signal", os.Getpid()), logging.PID(os.Getpid()))
	if err := writeFile(d.opts.TmpDir, d.cfg.Global.DumpFileName("keepalived.stats"), d.statsText()); err != nil {
		return err
	}
	if clear {
		for _, in := range d.insts {
			base := in.eng.Stats()
			in.statsBase = &base
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
		if in.cfg.AuthHMAC != nil {
			b.WriteString(hmacStatsText(s.HMACStats))
		}
		fmt.Fprintf(&b, "  Priority Zero:\n    Received: %d\n    Sent: %d\n", s.PriZeroRcvd, s.PriZeroSent)
		b.WriteString(conflictStatsText(d.instanceConflicts(in)))
	}
	return b.Bytes()
}

// jsonData is one instance's "data" object, with keepalived 2.2.7's keys
// in its order (vrrp_json.c).
type jsonData struct {
	IName                string  `json:"iname"`
	DontTrackPrimary     int     `json:"dont_track_primary"`
	SkipCheckAdvAddr     int     `json:"skip_check_adv_addr"`
	StrictMode           int     `json:"strict_mode"`
	VMACIfname           string  `json:"vmac_ifname"`
	IfpIfname            string  `json:"ifp_ifname"`
	MasterPriority       int     `json:"master_priority"`
	LastTransition       float64 `json:"last_transition"`
	GarpDelay            float64 `json:"garp_delay"`
	GarpRefresh          float64 `json:"garp_refresh"`
	GarpRep              int     `json:"garp_rep"`
	GarpRefreshRep       int     `json:"garp_refresh_rep"`
	GarpLowerPrioDelay   float64 `json:"garp_lower_prio_delay"`
	GarpLowerPrioRep     int     `json:"garp_lower_prio_rep"`
	LowerPrioNoAdvert    int     `json:"lower_prio_no_advert"`
	HigherPrioSendAdvert int     `json:"higher_prio_send_advert"`
	VRID                 int     `json:"vrid"`
	BasePriority         int     `json:"base_priority"`
	EffectivePriority    int     `json:"effective_priority"`
	VIPSet               bool    `json:"vipset"`
	PromoteSecondaries   bool    `json:"promote_secondaries"`
	AdverInt             float64 `json:"adver_int"`
	MasterAdverInt       float64 `json:"master_adver_int"`
	Accept               int     `json:"accept"`
	Nopreempt            bool    `json:"nopreempt"`
	PreemptDelay         float64 `json:"preempt_delay"`
	State                int     `json:"state"`
	WantState            int     `json:"wantstate"`
	Version              int     `json:"version"`
	SMTPAlert            bool    `json:"smtp_alert"`
	NotifyDeleted        bool    `json:"notify_deleted"`
	// The notify scripts, each only when configured.
	ScriptBackup        string   `json:"script_backup,omitempty"`
	ScriptMaster        string   `json:"script_master,omitempty"`
	ScriptFault         string   `json:"script_fault,omitempty"`
	ScriptStop          string   `json:"script_stop,omitempty"`
	ScriptDeleted       string   `json:"script_deleted,omitempty"`
	Script              string   `json:"script,omitempty"`
	ScriptMasterRxLower string   `json:"script_master_rx_lower_pri,omitempty"`
	VIPs                []string `json:"vips,omitempty"` // keepalived leaves out empty lists
	EVIPs               []string `json:"evips,omitempty"`
	TrackIfp            []string `json:"track_ifp,omitempty"`
	TrackScript         []string `json:"track_script,omitempty"`
	AuthType            int      `json:"auth_type"`
	AuthData            string   `json:"auth_data,omitempty"`
}

type jsonInstance struct {
	Data  jsonData  `json:"data"`
	Stats jsonStats `json:"stats"` // keepalived's keys only (2.4.3's with auth_hmac)
	// Conflicts is ours (conflict.go); keepalived's readers ignore it.
	Conflicts []ConflictStatus `json:"keepalived_go_vip_conflicts,omitempty"`
	// Reason is ours too (reason.go): why the instance is in its state,
	// the object of /status's "reason".
	Reason *vrrp.Reason `json:"keepalived_go_reason,omitempty"`
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

// vipDev is the device of an instance's VIPs as keepalived's dumps name
// it: "vrrp.52@eth1" for a VMAC on eth1 (format_ipaddress), else the
// interface.
func (in *instance) vipDev() string {
	if in.vmacName != "" && in.ifname == in.vmacName && in.cfg.Interface != in.ifname {
		return in.ifname + "@" + in.cfg.Interface
	}
	return in.ifname
}

// scriptProgram is a vrrp_script as the checker resolved it (path, user,
// insecure), or nil when the runner does not know it.
func (d *Daemon) scriptProgram(s *config.Script) *checker.Program {
	if d.scripts != nil {
		if r, ok := d.scripts.runner.(interface{ Program(string) *checker.Program }); ok {
			return r.Program(s.Name)
		}
	}
	return nil
}

// scriptArgv is a vrrp_script's command as it runs: resolved by the
// checker when the runner knows it (else as configured), symlinks followed.
func (d *Daemon) scriptArgv(s *config.Script) []string {
	argv := s.Command.Argv
	if p := d.scriptProgram(s); p != nil && len(p.Argv) > 0 && !p.Shell {
		argv = p.Argv
	}
	// keepalived runs (and shows) the script's real path.
	if len(argv) > 0 && filepath.IsAbs(argv[0]) {
		if p, err := filepath.EvalSymlinks(argv[0]); err == nil && p != argv[0] {
			argv = append([]string{p}, argv[1:]...)
		}
	}
	return argv
}

// notifyString is a notify script as keepalived's cmd_str shows it
// (symlinks of the path followed, as keepalived runs it), "" when unset.
func notifyString(c *config.Command) string {
	if c == nil || len(c.Argv) == 0 {
		return ""
	}
	argv := c.Argv
	if filepath.IsAbs(argv[0]) {
		if p, err := filepath.EvalSymlinks(argv[0]); err == nil && p != argv[0] {
			argv = append([]string{p}, argv[1:]...)
		}
	}
	return commandString(argv)
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
			AuthType: int(ci.Auth.Type),
		}
		if st.State == vrrp.StateBackup {
			jd.MasterPriority = st.MasterPriority
		}
		n := &ci.Notify
		jd.ScriptBackup, jd.ScriptMaster, jd.ScriptFault = notifyString(n.Backup), notifyString(n.Master), notifyString(n.Fault)
		jd.ScriptStop, jd.ScriptDeleted, jd.Script = notifyString(n.Stop), notifyString(n.Deleted), notifyString(n.Generic)
		jd.ScriptMasterRxLower = notifyString(n.MasterRxLowerPri)
		if jd.MasterAdverInt == 0 {
			jd.MasterAdverInt = jd.AdverInt
		}
		for _, a := range ci.VIPs {
			jd.VIPs = append(jd.VIPs, vipString(a, in.vipDev(), st.VIPsSet))
		}
		for _, a := range ci.ExcludedVIPs {
			jd.EVIPs = append(jd.EVIPs, vipString(a, in.vipDev(), st.VIPsSet))
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
		why := d.explain(d.opts.Now(), in, st)
		out = append(out, jsonInstance{Data: jd, Stats: jsonStatsOf(s, ci), Conflicts: d.instanceConflicts(in), Reason: &why})
	}
	return out
}

// wantState is keepalived's wantstate number: what the instance is heading
// for (FAULT while faulted or held in FAULT by its sync group, MASTER when
// it wants or holds MASTER).
func wantState(st vrrp.Status) int {
	switch {
	case len(st.Faults) > 0 || st.WantState == vrrp.StateFault:
		return int(vrrp.StateFault)
	case st.WantMaster || st.State == vrrp.StateMaster:
		return int(vrrp.StateMaster)
	}
	return int(vrrp.StateBackup)
}

// writeJSON writes keepalived.json (the JSON signal).
func (d *Daemon) writeJSON(now time.Time) error {
	d.log.Info(fmt.Sprintf("Printing VRRP as json for process(%d) on signal", os.Getpid()), logging.PID(os.Getpid()))
	var v any = d.jsonDump()
	if d.cfg.Global.JSONVersion == 2 {
		// json_version 2 (keepalived 2.3+): the instances under "vrrp".
		// (2.4.3 adds "track_process" there; we do not run trackers of
		// processes, so it is left out.)
		v = struct {
			VRRP []jsonInstance `json:"vrrp"`
		}{v.([]jsonInstance)}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("daemon: dump json: %w", err)
	}
	return writeFile(d.opts.TmpDir, d.cfg.Global.DumpFileName("keepalived.json"), b)
}

// writeData writes keepalived.data (SIGUSR1), or the file state_dump_file
// names (keepalived 2.3+).
func (d *Daemon) writeData(now time.Time) error {
	d.log.Info(fmt.Sprintf("Printing VRRP data for process(%d) on signal", os.Getpid()), logging.PID(os.Getpid()))
	path := d.cfg.Global.DataDumpPath(d.opts.TmpDir)
	name := filepath.Base(path)
	if d.cfg.Global.StateDumpFile == "" {
		name = d.cfg.Global.DumpFileName(name) // data_use_instance
	}
	return writeFile(filepath.Dir(path), name, d.dataText(now))
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

func (d *Daemon) dataText(now time.Time) []byte { return d.dumpText(now, true) }

// DumpConfig is keepalived's -d: the configuration as keepalived.data
// shows it, less the running state (dump_data_vrrp with no file: no
// State, timers, faults or effective priorities), one line per element.
func (d *Daemon) DumpConfig() ([]string, error) {
	var lines []string
	err := d.do(func() error {
		var err error
		lines, err = d.dumpConfigLines()
		return err
	})
	return lines, err
}

func (d *Daemon) dumpConfigLines() ([]string, error) {
	b := d.dumpText(d.opts.Now(), false)
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n"), nil
}

// dumpText is keepalived.data; live false leaves out the running state.
func (d *Daemon) dumpText(now time.Time, live bool) []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	writeGlobalDefinitions(&b, &d.cfg.Global, false)
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
		if live {
			w("   State = %s", st.State)
			if st.State == vrrp.StateBackup {
				w("   Master router = %s", addrOr(st.MasterAddr, "0.0.0.0"))
				w("   Master priority = %d", st.MasterPriority)
				if ci.Version == 3 {
					w("   Master advert int = %.2f sec", st.MasterAdverInt.Seconds())
				}
			}
		}
		// keepalived's vrrp->flags: unicast and use_vmac are bits of it
		// (only unicast has a line of its own).
		if ci.Unicast || ci.UseVMAC {
			w("   Flags:")
			if ci.Unicast {
				w("     Using unicast")
			}
		} else {
			w("   Flags: none")
		}
		w("   Wantstate = %s", vrrp.State(wantState(st)))
		w("   Number of config faults = 0") // a configuration with errors does not run
		if live {
			w("   Number of interface and track script faults = %d", len(st.Faults))
			w("   Number of track scripts init = %d", in.scriptsInit())
			if !in.lastTr.IsZero() {
				w("   Last transition = %d.%06d (%s)", in.lastTr.Unix(), in.lastTr.Nanosecond()/1000, ctimeMicro(in.lastTr))
			}
			if t, ok := in.eng.NextDeadline(); ok {
				w("   Read timeout = %d.%06d (%s)", t.Unix(), t.Nanosecond()/1000, ctimeMicro(t))
			}
			w("   Master down timer = %d usecs", vrrp.MasterDownInterval(ci.Version, uint8(st.EffectivePriority), st.MasterAdverInt, in.vcfg.DownTimerAdverts).Microseconds())
		}
		if ci.UseVMAC {
			// The VMAC in use, else the name it will get.
			name := orDefault(in.vmacName, vmacName(ci, &d.cfg.Global))
			if name == "" {
				name = "vrrp." + strconv.Itoa(ci.VRID)
			}
			w("   Use VMAC, i/f name %s, is_up = %t, xmit_base = %t", name, in.vmacName != "", ci.VMACXmitBase)
		}
		if in.vmac != "" {
			w("   Interface = %s, vmac on %s%s", in.ifname, ci.Interface, onOff(ci.VMACXmitBase, ", xmit base i/f", ""))
		} else {
			w("   Interface = %s", in.ifname)
		}
		if ci.DontTrackPrimary {
			w("   VRRP interface tracking disabled")
		}
		w("   Using src_ip = %s%s", addrOr(in.src, "(none)"),
			onOff(ci.UnicastSrc.IsValid() || ci.McastSrc.IsValid(), " (from configuration)", ""))
		if !ci.Unicast {
			w("   Multicast address %s", in.vcfg.McastGroup)
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
		if live {
			w("   Effective priority = %d", st.EffectivePriority)
			w("   Total priority = %d", in.prio)
		}
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
		for _, l := range hmacDataLines(ci.AuthHMAC) {
			w("%s", l)
		}
		w("   Virtual IP (%d):", len(ci.VIPs))
		for _, a := range ci.VIPs {
			w("     %s", vipString(a, in.vipDev(), st.VIPsSet))
		}
		if len(ci.ExcludedVIPs) > 0 {
			w("   Virtual IP Excluded :")
			for _, a := range ci.ExcludedVIPs {
				w("     %s", vipString(a, in.vipDev(), st.VIPsSet))
			}
		}
		if ci.Unicast {
			if ci.UnicastTTL != -1 {
				w("   Unicast TTL = %d", ci.UnicastTTL)
			}
			w("   Check unicast src : %s", onOff(ci.CheckUnicastSrc, "yes", "no"))
			w("   Unicast Peer :")
			for _, p := range ci.UnicastPeers {
				w("     %s min_ttl %d max_ttl %d", p.Addr, p.MinTTL, p.MaxTTL)
			}
			compat := "no"
			switch {
			case ci.NeverOldUnicastChecksum:
				compat = "never"
			case ci.OldUnicastChecksum:
				compat = "config"
			}
			w("   Unicast checksum compatibility = %s", compat)
		}
		// keepalived writes the tracked interfaces after the VIPs and the
		// unicast peers (vrrp_data.c dump_vrrp).
		if len(ci.TrackInterfaces) > 0 {
			w("   Tracked interfaces :")
			// A sync-group member without sync_group_tracking_weight
			// shows 0 here while the weight (under the interface)
			// still applies, as keepalived 2.2.7 does.
			zero := in.group != nil && !in.group.cfg.SyncGroupTrackingWeight
			for _, ti := range ci.TrackInterfaces {
				tw := ti.Weight
				if zero {
					tw = 0
				}
				w("     %s weight %d%s", ti.Name, tw, onOff(ti.Reverse, " reverse", ""))
			}
		}
		if len(ci.TrackScripts) > 0 {
			w("   Tracked scripts :")
			for _, ts := range ci.TrackScripts {
				w("     %s weight %d%s", ts.Name, ts.Weight, onOff(ts.Reverse, " reverse", ""))
			}
		}
		writeTrackedProcesses(w, "Tracked processes", ci.TrackProcesses)
		w("   Using smtp notification = %s", onOff(ci.SMTPAlert, "yes", "no"))
		w("   Notify deleted = %s", onOff(ci.Notify.DeletedSet, "Deleted", "Fault"))
		d.writeNotifyScripts(&b, &ci.Notify, true)
		w("   Notify priority changes = %t", ci.NotifyPrioChanges)
	}
	if live {
		d.writeSockpool(&b)
	}
	if len(d.groups) > 0 {
		w("------< VRRP Sync groups >------")
		for _, g := range d.groups {
			d.writeGroup(&b, g)
		}
	}
	if len(d.cfg.Scripts) > 0 {
		w("------< VRRP Scripts >------")
		for _, s := range d.cfg.Scripts {
			d.writeScript(&b, s)
		}
	}
	d.writeTrackProcesses(w, live)
	if live {
		d.writeInterfaces(&b)
	}
	return b.Bytes()
}

// writeSockpool is keepalived.data's "VRRP Sockpool" (vrrp_data.c
// dump_sock_pool): one entry per socket, in the order the instances first
// use them, with the instances on it by VRID. keepalived's first line of
// an entry, " fd_in N fd_out = M" (its two descriptors' numbers), is left
// out (README, deliberate differences).
func (d *Daemon) writeSockpool(b *bytes.Buffer) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	var socks []*conn
	members := map[*conn][]*instance{}
	for _, in := range d.insts {
		if in.conn == nil {
			continue
		}
		if members[in.conn] == nil {
			socks = append(socks, in.conn)
		}
		members[in.conn] = append(members[in.conn], in)
	}
	if len(socks) == 0 {
		return
	}
	w("------< VRRP Sockpool >------")
	for _, c := range socks {
		ms := members[c]
		slices.SortStableFunc(ms, func(a, b *instance) int { return a.cfg.VRID - b.cfg.VRID })
		w("   Interface = %s", c.key.Ifname)
		w("   Family = %s", onOff(c.key.IPv6, "IPv6", "IPv4"))
		w("   Protocol = %s", onOff(c.key.AH, "AH", "VRRP"))
		if ms[0].cfg.Unicast {
			w("   Type = Unicast")
			src := c.key.Src
			if !src.IsValid() {
				src = ms[0].src
			}
			w("   Address = %s", addrOr(src, "0.0.0.0"))
		} else {
			w("   Type = Multicast")
		}
		w("   Rx buf size = %d", c.key.RcvBuf)
		w("   VRRP instances")
		for _, in := range ms {
			w("     %s vrid %d", in.name(), in.cfg.VRID)
		}
	}
}

// hostIface is one network interface as keepalived.data's "Interfaces"
// section shows it, from the standard library's view of the namespace the
// daemon runs in (net.Interfaces: netlink on Linux).
type hostIface struct {
	Index  int
	Name   string
	MTU    int
	HWAddr net.HardwareAddr
	Flags  net.Flags
	Addrs  []netip.Addr // in the kernel's order
}

// listIfaces lists the interfaces of the daemon's network namespace.
func listIfaces() ([]hostIface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]hostIface, 0, len(ifs))
	for _, ifi := range ifs {
		h := hostIface{Index: ifi.Index, Name: ifi.Name, MTU: ifi.MTU, HWAddr: ifi.HardwareAddr, Flags: ifi.Flags}
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				if ad, ok := netip.AddrFromSlice(ipn.IP); ok {
					h.Addrs = append(h.Addrs, ad.Unmap())
				}
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// ifTracker is one "Tracking VRRP instances" line of an interface.
type ifTracker struct {
	in      *instance
	weight  int
	reverse bool
}

// interfaceTrackers are, per interface name, the instances tracking it in
// keepalived's order (vrrp.c, add_vrrp_to_interface): per instance, its
// track_interface entries, its own interface (weight 255 with
// dont_track_primary), the VMAC it runs on, then the interfaces of its
// VIPs and eVIPs (weight 0, unless no_track); an instance already on an
// interface's list is not added twice. The sync groups' track_interface
// entries come last, for every member.
func (d *Daemon) interfaceTrackers() map[string][]ifTracker {
	out := map[string][]ifTracker{}
	add := func(ifname string, t ifTracker) {
		for _, o := range out[ifname] {
			if o.in == t.in {
				return
			}
		}
		out[ifname] = append(out[ifname], t)
	}
	for _, in := range d.insts {
		own := 0
		if in.cfg.DontTrackPrimary {
			own = 255
		}
		for _, ti := range in.cfg.TrackInterfaces {
			if ti.Name != in.cfg.Interface {
				add(ti.Name, ifTracker{in: in, weight: ti.Weight, reverse: ti.Reverse})
			}
		}
		add(in.cfg.Interface, ifTracker{in: in, weight: own})
		if in.ifname != in.cfg.Interface {
			add(in.ifname, ifTracker{in: in, weight: own})
		}
		for _, a := range append(append([]config.Address(nil), in.cfg.VIPs...), in.cfg.ExcludedVIPs...) {
			dev := a.Dev
			if dev == "" {
				dev = in.ifname
			}
			if !a.NoTrack && (!in.cfg.DontTrackPrimary || (dev != in.ifname && dev != in.cfg.Interface)) {
				add(dev, ifTracker{in: in})
			}
		}
	}
	// Then each sync group's track_interface, for every member
	// (sync_group_tracking_init, after all instances): a member already
	// listed takes the group's weight unless its entry is unweighted.
	for _, g := range d.groups {
		for _, ti := range g.cfg.TrackInterfaces {
			for _, m := range g.members {
				t := ifTracker{in: m, weight: ti.Weight, reverse: ti.Reverse}
				listed := false
				for i, o := range out[ti.Name] {
					if o.in == m {
						listed = true
						if o.weight != 0 && o.weight != 255 {
							out[ti.Name][i] = t
						}
					}
				}
				if !listed {
					out[ti.Name] = append(out[ti.Name], t)
				}
			}
		}
	}
	return out
}

// writeInterfaces is keepalived.data's "Interfaces" (vrrp_if.c dump_if):
// every interface of the namespace, as keepalived 2.2.7 writes them. The
// addresses are those that are not VIPs (keepalived ignores its own), and
// of IPv6 only the link-local ones. The HW type comes from the link's
// address (keepalived's ARPHRD number is not in the standard library's
// view): LOOPBACK, ETHERNET for a 6-byte MAC, else UNKNOWN (65534) for
// none, ARPHRD_NONE (tun, WireGuard).
func (d *Daemon) writeInterfaces(b *bytes.Buffer) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	list := d.opts.ifaces
	if list == nil {
		list = listIfaces
	}
	ifs, err := list()
	if err != nil || len(ifs) == 0 {
		return
	}
	type devAddr struct {
		dev  string
		addr netip.Addr
	}
	vips := map[devAddr]bool{}
	vmacOf := map[string]*instance{}
	arpResets, promotes := map[string]int{}, map[string]int{}
	for _, in := range d.insts {
		for _, a := range append(append([]config.Address(nil), in.cfg.VIPs...), in.cfg.ExcludedVIPs...) {
			dev := a.Dev
			if dev == "" {
				dev = in.ifname
			}
			vips[devAddr{dev, a.Addr()}] = true
		}
		if in.vmacName != "" {
			vmacOf[in.vmacName] = in
			arpResets[in.cfg.Interface]++
		}
		// A VMAC has promote_secondaries of its own (keepalived counts
		// only the instances on other interfaces).
		if in.cfg.PromoteSecondaries && in.vmacName == "" {
			promotes[in.ifname]++
		}
	}
	trackers := d.interfaceTrackers()
	w("------< Interfaces >------")
	for _, ifi := range ifs {
		var v4, v6 []netip.Addr
		for _, a := range ifi.Addrs {
			switch {
			case vips[devAddr{ifi.Name, a}]:
			case a.Is4():
				v4 = append(v4, a)
			case a.IsLinkLocalUnicast():
				v6 = append(v6, a)
			}
		}
		w(" Name = %s", ifi.Name)
		w("   index = %d", ifi.Index)
		for _, fam := range []struct {
			name  string
			addrs []netip.Addr
		}{{"IPv4", v4}, {"IPv6", v6}} {
			if len(fam.addrs) == 0 {
				w("   %s address = (none)", fam.name)
				continue
			}
			w("   %s address = %s", fam.name, fam.addrs[0])
			if len(fam.addrs) > 1 {
				w("   Additional %s addresses :", fam.name)
				for _, a := range fam.addrs[1:] {
					w("     %s", a)
				}
			}
		}
		if len(ifi.HWAddr) > 0 {
			w("   MAC = %s", ifi.HWAddr)
			bc := make(net.HardwareAddr, len(ifi.HWAddr))
			for i := range bc {
				bc[i] = 0xff
			}
			w("   MAC broadcast = %s", bc)
		}
		f := ifi.Flags
		w("   State = %sUP, %sRUNNING%s%s%s%s", onOff(f&net.FlagUp != 0, "", "not "), onOff(f&net.FlagRunning != 0, "", "not "),
			onOff(f&net.FlagBroadcast == 0, ", no broadcast", ""), onOff(f&net.FlagLoopback != 0, ", loopback", ""),
			onOff(f&net.FlagPointToPoint != 0, ", point to point", ""), onOff(f&net.FlagMulticast == 0, ", no multicast", ""))
		w("   Seen up = %d", b2i(f&net.FlagUp != 0))
		w("   Delayed state change running = false")
		w("   Up debounce timer = 0us")
		w("   Down debounce timer = 0us")
		if in := vmacOf[ifi.Name]; in != nil {
			w("   VMAC type private, underlying interface = %s, state = UP, RUNNING", in.cfg.Interface)
			if in.vmac != "" {
				w("   I/f created by keepalived")
			}
		}
		w("   MTU = %d", ifi.MTU)
		switch {
		case f&net.FlagLoopback != 0:
			w("   HW Type = LOOPBACK")
		case len(ifi.HWAddr) == 6:
			w("   HW Type = ETHERNET")
		case len(ifi.HWAddr) == 0:
			w("   HW Type = UNKNOWN (65534)")
		default:
			w("   HW Type = UNKNOWN")
		}
		w("   NIC netlink status update")
		// The sysctls keepalived (and netif.EnsureVMAC) set for a VMAC:
		// arp_ignore=1 arp_filter=1 on its parent, arp_ignore=1
		// rp_filter=0 promote_secondaries=1 on the VMAC; keepalived shows
		// them, and rp_filter once it has set one. Elsewhere 0.
		ignore, filter, promote, rp := 0, 0, 0, false
		switch {
		case vmacOf[ifi.Name] != nil:
			ignore, promote, rp = 1, 1, true
		case arpResets[ifi.Name] > 0:
			ignore, filter, rp = 1, 1, true
		}
		w("   Reset ARP config counter %d", arpResets[ifi.Name])
		w("   Original arp_ignore %d", ignore)
		w("   Original arp_filter %d", filter)
		if rp {
			w("   rp_filter 0")
		}
		w("   Original promote_secondaries %d", promote)
		w("   Reset promote_secondaries counter %d", promotes[ifi.Name])
		if ts := trackers[ifi.Name]; len(ts) > 0 {
			w("   Tracking VRRP instances :")
			for _, t := range ts {
				w("     %s, weight %d%s", t.in.name(), t.weight, onOff(t.reverse, " reverse", ""))
			}
		}
	}
}

// writeNotifyScripts are the "TYPE state transition script = ..." lines
// of an instance (with notify_deleted and notify_master_rx_lower_pri) or
// a sync group (vrrp_data.c dump_notify_script).
func (d *Daemon) writeNotifyScripts(b *bytes.Buffer, n *config.Notify, instance bool) {
	for _, s := range []struct {
		kind string
		cmd  *config.Command
		inst bool
	}{{"Backup", n.Backup, false}, {"Master", n.Master, false}, {"Fault", n.Fault, false}, {"Stop", n.Stop, false},
		{"Deleted", n.Deleted, true}, {"Generic", n.Generic, false}, {"Master rx lower pri", n.MasterRxLowerPri, true}} {
		if s.cmd == nil || (s.inst && !instance) {
			continue
		}
		fmt.Fprintf(b, "   %s state transition script = %s, uid:gid %s\n", s.kind, notifyString(s.cmd), scriptUIDGID(&d.cfg.Global, s.cmd))
	}
}

// writeGroup is one vrrp_sync_group of keepalived.data (vrrp_data.c
// dump_sync_group). The member counts are keepalived's num_member_fault
// and num_member_init as they stand once the group has settled: the
// members in FAULT of their own, and those waiting for a script.
func (d *Daemon) writeGroup(b *bytes.Buffer, g *group) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	faults, inits := 0, 0
	for _, m := range g.members {
		if len(m.eng.Status().Faults) > 0 {
			faults++
		}
		if m.scriptsInit() > 0 {
			inits++
		}
	}
	w(" VRRP Sync Group = %s, %s", g.cfg.Name, g.state)
	w("   Num member fault %d, num member init %d", faults, inits)
	if len(g.members) > 0 {
		w("   VRRP member instances :")
		for _, m := range g.members {
			w("     %s", m.name())
		}
	}
	if g.cfg.SyncGroupTrackingWeight {
		w("   sync group tracking weight set")
	}
	w("   Using smtp notification = %s", onOff(g.cfg.SMTPAlert, "yes", "no"))
	if g.cfg.NotifyPrioChanges {
		w("   Notify priority changes = yes")
	}
	if len(g.cfg.TrackInterfaces) > 0 {
		w("   Tracked interfaces :")
		for _, ti := range g.cfg.TrackInterfaces {
			w("     %s weight %d%s", ti.Name, ti.Weight, onOff(ti.Reverse, " reverse", ""))
		}
	}
	if len(g.cfg.TrackScripts) > 0 {
		w("   Tracked scripts :")
		for _, ts := range g.cfg.TrackScripts {
			w("     %s weight %d%s", ts.Name, ts.Weight, onOff(ts.Reverse, " reverse", ""))
		}
	}
	writeTrackedProcesses(w, "Tracked process", g.cfg.TrackProcesses)
	d.writeNotifyScripts(b, &g.cfg.Notify, false)
}

// scriptsInit is keepalived's num_script_init: the unweighted scripts the
// instance waits for the first result of.
func (in *instance) scriptsInit() int {
	n := 0
	for k, on := range in.faults {
		if on && strings.HasPrefix(k, initKeyPrefix) {
			n++
		}
	}
	return n
}

// secsString is keepalived's "N sec" / "N.mmm sec" for a script's interval
// and timeout.
func secsString(t time.Duration) string {
	if t%time.Second != 0 {
		return fmt.Sprintf("%d.%03d sec", t/time.Second, (t%time.Second)/time.Millisecond)
	}
	return fmt.Sprintf("%d sec", t/time.Second)
}

// writeScript is one vrrp_script of keepalived.data (vrrp_data.c
// dump_vscript). keepalived's result counter is shown as it stands after
// the last state change: rise-1 before the first result (0 with
// init_fail), rise+fall-1 once it succeeds, 0 once it fails; the steps
// between, while rise or fall successive results are counted, are not
// tracked. The script is shown idle: a run is a few milliseconds of its
// interval.
func (d *Daemon) writeScript(b *bytes.Buffer, s *config.Script) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	result, initState := d.scriptResult(s)
	prog := d.scriptProgram(s)
	uidgid := scriptUIDGID(&d.cfg.Global, &config.Command{User: s.User, Group: s.Group})
	if prog != nil {
		uidgid = fmt.Sprintf("%d:%d", prog.UID, prog.GID)
	}
	w(" VRRP Script = %s", s.Name)
	w("   Command = %s", commandString(d.scriptArgv(s)))
	w("   Interval = %s", secsString(s.Interval))
	w("   Timeout = %s", secsString(s.Timeout))
	w("   Weight = %d%s", s.Weight, onOff(s.Reverse, " reverse", ""))
	w("   Rise = %d", s.Rise)
	w("   Fall = %d", s.Fall)
	w("   Result = %d", result)
	w("   Insecure = %s", onOff(prog != nil && prog.Insecure, "yes", "no"))
	w("   Init state = %s", initState)
	w("   Status = %s", onOff(result >= s.Rise, "GOOD", "BAD"))
	w("   Script uid:gid = %s", uidgid)
	w("   VRRP instances :")
	var tracking []string
	for _, in := range d.insts {
		tss := in.cfg.TrackScripts
		if in.group != nil {
			tss = append(append([]config.TrackScript(nil), tss...), in.group.cfg.TrackScripts...)
		}
		weighted := !in.cfg.Owner()
		for _, ts := range tss {
			// keepalived drops weighted scripts of owners (the lowering
			// has already dropped a sync-group member's own; its group's
			// weighted scripts track it, weight and all).
			if ts.Name == s.Name && (ts.Weight == 0 || weighted) {
				tracking = append(tracking, fmt.Sprintf("     %s, weight %d%s", in.name(), ts.Weight, onOff(ts.Reverse, " reverse", "")))
			}
		}
	}
	if len(tracking) > 0 {
		w("   Tracking instances :")
		for _, l := range tracking {
			w("%s", l)
		}
	}
	w("   State = idle")
}

// scriptResult is a vrrp_script's result counter as writeScript shows it
// (see there) and its "Init state"; the script is GOOD when the result is
// at least its rise (keepalived's vrrp_script status), as keepalived.data
// and /metrics' keepalived_script_status both say.
func (d *Daemon) scriptResult(s *config.Script) (result int, initState string) {
	st := d.track["script:"+s.Name]
	switch {
	case st.Reported && st.OK:
		return s.Rise + s.Fall - 1, "unknown"
	case st.Reported:
		return 0, "unknown"
	case s.InitFail:
		return 0, "INIT/FAILED"
	}
	return s.Rise - 1, "INIT"
}

// ParentData is keepalived_parent.data, what keepalived's parent writes on
// SIGUSR1 (main.c print_parent_data): the global definitions it read.
func ParentData(g *config.Global) []byte {
	var b bytes.Buffer
	writeGlobalDefinitions(&b, g, true)
	return b.Bytes()
}

// WriteDumpFile writes dir/name as every dump is written (writeFile).
func WriteDumpFile(dir, name string, data []byte) error { return writeFile(dir, name, data) }

// otherArg is the first argument of a global keyword we accept without
// acting on it (Global.Other), or def.
func otherArg(g *config.Global, keyword, def string) string {
	for _, r := range g.Other {
		if r.Keyword == keyword && len(r.Args) > 0 {
			return r.Args[0]
		}
	}
	return def
}

func otherSet(g *config.Global, keyword string) bool {
	for _, r := range g.Other {
		if r.Keyword == keyword {
			return true
		}
	}
	return false
}

// writeGlobalDefinitions is keepalived 2.2.7's "Global definitions"
// section (global_data.c dump_global_data) for what a VRRP-only
// configuration sets; the lines of subsystems we do not run (LVS, SNMP,
// DBus, BFD) show what keepalived shows when they are not configured.
// parent leaves out what only the VRRP process resolves (the default
// interface).
func writeGlobalDefinitions(b *bytes.Buffer, g *config.Global, parent bool) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	onOffStr := func(set bool) string { return onOff(set, "on", "unset") }
	w("------< Global definitions >------")
	w(" Network namespace = %s", orDefault(g.NetNamespace, "(default)"))
	w(" Network namespace ipvs = (main namespace)")
	if g.InstanceName != "" {
		w(" Instance name = %s", g.InstanceName)
	}
	if g.RouterID != "" {
		w(" Router ID = %s", g.RouterID)
	}
	w(" Default smtp_alert = %s", onOffStr(g.SMTPAlert && otherSet(g, "smtp_alert")))
	w(" Default smtp_alert_vrrp = %s", onOffStr(g.SMTPAlert && otherSet(g, "smtp_alert_vrrp")))
	w(" Default smtp_alert_checker = unset")
	w(" Checkers log all failures = false")
	if g.ReloadCheckConfig {
		w(" Test config before reload, log to %s", g.ReloadCheckConfigLog)
	} else {
		w(" No test config before reload")
	}
	if c := g.StartupScript; c != nil {
		w(" Startup script = %s, uid:gid %s, timeout %s", commandString(c.Argv), scriptUIDGID(g, c), otherArg(g, "startup_script_timeout", "10"))
	}
	if c := g.ShutdownScript; c != nil {
		w(" Shutdown script = %s, uid:gid %s timeout %s", commandString(c.Argv), scriptUIDGID(g, c), otherArg(g, "shutdown_script_timeout", "10"))
	}
	w(" Dynamic interfaces = %t", g.DynamicInterfaces)
	if g.DynamicInterfaces {
		w(" Allow interface changes = %t", g.AllowIfChanges)
	}
	if !parent {
		w(" Default interface = %s", orDefault(g.DefaultInterface, "eth0"))
	}
	w(" Disable local IGMP = %s", onOff(otherSet(g, "vrrp_disable_local_igmp"), "yes", "no"))
	w(" LVS flush = false")
	w(" LVS flush on stop = disabled")
	writeFifo := func(f *config.Fifo, kind string) {
		if f == nil {
			return
		}
		w(" %s notify fifo = %s, uid:gid %s", kind, f.Path, fifoUIDGID(f))
		if f.Script != nil {
			w(" %s notify fifo script = %s, uid:gid %s", kind, commandString(f.Script.Argv), scriptUIDGID(g, f.Script))
		}
	}
	writeFifo(g.NotifyFifo, "Global")
	writeFifo(g.VRRPNotifyFifo, "VRRP")
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
	w(" Num adverts before down = %d", orInt(g.DownTimerAdverts, 3))
	w(" Gratuitous ARP for each secondary %s = %ds", onOff(g.GarpExtraIf.AllIf, "i/f", "VMAC"), int(g.GarpExtraIf.Interval.Seconds()))
	w(" Send advert after receive lower priority advert = %t", !g.LowerPrioNoAdvert)
	w(" Send advert after receive higher priority advert = %t", g.HigherPrioSendAdv)
	w(" Gratuitous ARP interval = %f", g.GarpInterval.Seconds())
	w(" Gratuitous NA interval = %f", g.GnaInterval.Seconds())
	w(" VRRP default protocol version = %d", orInt(g.Version, 2))
	w(" VRRP check unicast_src = %t", g.CheckUnicastSrc)
	w(" VRRP skip check advert addresses = %t", g.SkipCheckAdvAddr)
	w(" VRRP strict mode = %t", g.Strict)
	if g.MaxAutoPriority == -1 {
		w(" Max auto priority = Disabled")
	} else {
		w(" Max auto priority = %d", g.MaxAutoPriority)
	}
	w(" Min auto priority delay = %d usecs", g.MinAutoPriority().Microseconds())
	w(" VRRP process priority = %d", g.VRRPProcessPriority)
	w(" VRRP don't swap = %t", otherSet(g, "vrrp_no_swap"))
	w(" VRRP realtime priority = %d", g.VRRPRealtimePriority)
	w(" VRRP realtime limit = %s", otherArg(g, "vrrp_rlimit_rtime", otherArg(g, "vrrp_rlimit_rttime", "10000")))
	w(" Checker process priority = 0")
	w(" Checker don't swap = false")
	w(" Checker realtime priority = 0")
	w(" Checker realtime limit = 10000")
	w(" BFD process priority = 0")
	w(" BFD don't swap = false")
	w(" BFD realtime priority = 0")
	w(" BFD realtime limit = 10000")
	w(" SNMP vrrp disabled")
	w(" SNMP checker disabled")
	w(" SNMP RFCv2 disabled")
	w(" SNMP RFCv3 disabled")
	w(" SNMP traps disabled")
	w(" SNMP socket = default (unix:/var/agentx/master)")
	w(" DBus disabled")
	w(" DBus service name = ")
	w(" Script security %s", onOff(g.EnableScriptSecurity, "enabled", "disabled"))
	if id, ok, _ := checker.DefaultIdentity(g.ScriptUser, g.ScriptGroup, g.EnableScriptSecurity); ok {
		w(" Default script uid:gid %d:%d", id.UID, id.GID)
	}
	for _, k := range []string{"vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force", "vrrp_netlink_monitor_rcv_bufs",
		"vrrp_netlink_monitor_rcv_bufs_force", "process_monitor_rcv_bufs", "process_monitor_rcv_bufs_force",
		"lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force", "lvs_netlink_monitor_rcv_bufs",
		"lvs_netlink_monitor_rcv_bufs_force", "rs_init_notifies", "no_checker_emails"} {
		v := otherArg(g, k, "0")
		if strings.HasSuffix(k, "_force") || k == "rs_init_notifies" || k == "no_checker_emails" {
			v = onOff(otherSet(g, k), "1", "0")
		}
		w(" %s = %s", k, v)
	}
	w(" rx_bufs_multiples = %s", otherArg(g, "vrrp_rx_bufs_multiplier", "3"))
	w(" umask = 0%o", dumpUmask())
	if g.StartupDelay > 0 {
		w(" vrrp_startup_delay = %g", g.StartupDelay.Seconds())
	}
	if g.LogUnknownVRIDs {
		w(" log_unknown_vrids")
	}
}

// scriptUIDGID is "uid:gid" of a script: its own user, else the default
// script user (keepalived_script, else root).
func scriptUIDGID(g *config.Global, c *config.Command) string {
	if c.User != "" {
		if id, err := checker.LookupIdentity(c.User, c.Group); err == nil {
			return fmt.Sprintf("%d:%d", id.UID, id.GID)
		}
	}
	id, _, _ := checker.DefaultIdentity(g.ScriptUser, g.ScriptGroup, g.EnableScriptSecurity)
	return fmt.Sprintf("%d:%d", id.UID, id.GID)
}

// fifoUIDGID is the owner keepalived gives a notify_fifo it creates: its
// configured user, else root.
func fifoUIDGID(f *config.Fifo) string {
	if f.User != "" {
		if id, err := checker.LookupIdentity(f.User, f.Group); err == nil {
			return fmt.Sprintf("%d:%d", id.UID, id.GID)
		}
	}
	return "0:0"
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
