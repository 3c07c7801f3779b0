package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/daemon"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/parser"
	"github.com/keepalived-go/keepalived/process"
	"github.com/keepalived-go/keepalived/procwatch"
)

// runDaemon runs keepalived itself: the original command (which
// daemonises unless -n), the supervising parent, or the VRRP child. The
// process model is package process; this is where the options and the
// configuration are handed to it.
func (a *app) runDaemon() int {
	env := process.TakeEnv()
	a.absolutize(env.Cwd)
	if !process.UmaskFromCmdline() {
		process.SetStartUmask(0, false) // keepalived's 0177 until umask says otherwise
	}
	process.SetMemoryPolicy()
	if env.Role == process.RoleVRRP {
		return a.runChild(env)
	}
	return a.runParent(env)
}

// absolutize makes the file options absolute, relative to the original
// command's working directory, so that they mean the same in a background
// process whose working directory is / (keepalived's xdaemon chdir("/")
// makes relative names differ between -n and not; ours do not).
func (a *app) absolutize(cwd string) {
	if cwd == "" {
		cwd, _ = os.Getwd()
	}
	a.cwd = cwd
	o := &a.opts
	for _, p := range []*string{&o.configFile, &o.pidFile, &o.vrrpPidFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(cwd, *p)
		}
	}
	if o.set["log-file"] {
		if o.logFile == optionalArgSentinel || o.logFile == "" {
			o.logFile = "keepalived.log"
		}
		if !filepath.IsAbs(o.logFile) {
			o.logFile = filepath.Join(cwd, o.logFile)
		}
	}
}

// logger builds the logger for ident ("Keepalived" or "Keepalived_vrrp")
// from -l -n -G -S -D -g --log-format. The returned function closes what
// it opened.
func (a *app) logger(ident string) (*slog.Logger, func()) {
	o := &a.opts
	ident += a.identSuffix // keepalived's make_syslog_ident
	s := logging.Settings{Ident: ident, Facility: logging.FacilityDaemon, Level: slog.LevelInfo, JSON: o.logFormat == "json"}
	if f, ok := logging.ParseFacility(o.logFacility); o.set["log-facility"] && ok {
		s.Facility = f
	}
	if o.logDetail > 0 {
		s.Level = slog.LevelDebug
	}
	var closers []io.Closer
	if !o.noSyslog {
		s.Syslog = logging.NewSyslogWriter("", ident)
		closers = append(closers, s.Syslog)
	}
	if o.logConsole && o.dontFork {
		s.Console = a.stderr
	}
	if o.set["log-file"] {
		name := o.logFile
		if strings.HasPrefix(ident, "Keepalived_vrrp") {
			// keepalived's open_log_file(name, "vrrp", ...): keepalived_vrrp.log.
			ext := filepath.Ext(name)
			name = strings.TrimSuffix(name, ext) + "_vrrp" + ext
		}
		if f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			s.File = f
			closers = append(closers, f)
		} else {
			fmt.Fprintf(a.stderr, "Unable to open log file %s: %v\n", name, err)
		}
	}
	return logging.New(s), func() {
		for _, c := range closers {
			c.Close()
		}
	}
}

// notApplicable names the options we accept and ignore, with the reason.
var notApplicable = []struct{ long, why string }{
	{"check", "keepalived-go has no health-checker subsystem"},
	{"no_bfd", "keepalived-go has no BFD subsystem"},
	{"all", "keepalived-go runs only the VRRP child"},
	{"dont-release-ipvs", "keepalived-go does not manage IPVS"},
	{"checkers_pid", "keepalived-go has no checker child"},
	{"bfd_pid", "keepalived-go has no BFD child"},
	{"snmp", "keepalived-go has no SNMP agent"},
	{"snmp-agent-socket", "keepalived-go has no SNMP agent"},
	{"address-monitoring", "netlink address changes are not logged"},
	{"core-dump-pattern", "the kernel core_pattern is left alone (core dumps are enabled as with -m)"},
	{"config-fd", "internal to keepalived"},
	{"flush-log-file", "the log file is written unbuffered"},
}

// logNotApplicable logs, once, each option that was given but means nothing
// to keepalived-go.
func (a *app) logNotApplicable(lg *slog.Logger) {
	for _, n := range notApplicable {
		if a.opts.set[n.long] {
			lg.Info("Option --"+n.long+" accepted but not applicable: "+n.why, slog.String("option", n.long), logging.Reason(n.why))
		}
	}
}

// commandLine is keepalived's "Command line:" value: every word quoted.
func (a *app) commandLine() string {
	words := append([]string{a.prog}, a.rawArgs...)
	for i, w := range words {
		words[i] = "'" + w + "'"
	}
	return strings.Join(words, " ")
}

// runParent is keepalived's main process: the start-up log lines, the
// checks of keepalived_main, the globals the parent needs, then
// process.Parent (pidfile, daemonising, supervision).
func (a *app) runParent(env process.Env) int {
	o := &a.opts
	daemonized := env.Role == process.RoleDaemon
	started := env.StartReport()
	defer started.Report("error: exited during start-up")
	lg, closeLogs := a.logger("Keepalived")
	defer func() { closeLogs() }()

	if !daemonized {
		lg.Info("Starting " + versionString())
		lg.Info(fmt.Sprintf("Running on %s (built with %s)", unameString(), runtime.Version()), slog.String("go", runtime.Version()))
		lg.Info("Command line: " + a.commandLine())
		lg.Info("Configuration file "+o.configFile, logging.File(o.configFile))
		a.logNotApplicable(lg)
	}
	if o.coreDump || o.set["core-dump-pattern"] {
		process.EnableCoreDumps(lg)
	}
	if err := checkConfigFile(o.configFile); err != nil {
		lg.Info(err.Error(), logging.File(o.configFile))
		return process.ExitNoConfig
	}
	if o.checkOnly && !o.vrrpOnly {
		lg.Info("-C: only the health-checker subsystem was asked for, and keepalived-go has none - nothing to run")
		return process.ExitOK
	}
	g := a.readGlobals(lg)
	if sfx := g.identSuffix(); sfx != "" {
		a.identSuffix = sfx
		if !daemonized {
			lg.Info("Changing syslog ident to Keepalived" + sfx)
		}
		closeLogs()
		lg, closeLogs = a.logger("Keepalived")
	}
	if g.maxAutoPriority == 0 && !daemonized {
		lg.Info("NOTICE: setting config option max_auto_priority should result in better keepalived performance")
	}
	watchdog, _ := process.WatchdogInterval()
	p := &process.Parent{
		Logger:   lg,
		Env:      env,
		Started:  started,
		Stderr:   a.stderr,
		DontFork: o.dontFork,
		Paths:    g.pidPaths(o.pidFile, o.vrrpPidFile),
		Version:  versionString(),
		Supervisor: process.Supervisor{
			Prog: a.prog, Args: a.rawArgs, Cwd: a.cwd,
			ConfigFile:  o.configFile,
			IdentSuffix: a.identSuffix,
			NetNS:       g.netns,
			Respawn:     !o.dontRespawn,
			ChildWait:   g.childWait,
			Scripts:     g.scripts,
			Detail:      o.logDetail > 0,
			Notify:      process.NewNotifier(),
			Watchdog:    watchdog,
			ParentDump:  g.parentDump(lg),
			Reload:      g.reload,
			ReloadRead:  func() process.ReloadSettings { return a.readGlobals(lg).reload },
		},
	}
	return p.Run()
}

// checkConfigFile is keepalived's check_conf_file: the file must exist and
// be a regular file we can read (the parser reports everything else).
func checkConfigFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("Unable to find configuration file %s", path)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("Configuration file '%s' is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("Unable to open configuration file %s: %v", path, err)
	}
	f.Close()
	return nil
}

// loader is the daemon's loader: the parser (with -e's strict include
// checks), for the daemon's own file and for `reload --plan`. Each
// configuration read sets the process's umask from its umask keyword, as
// keepalived's parse does (unless -u was given).
func (a *app) loader(lg *slog.Logger) func(path, configID string) (*config.Config, config.Diagnostics, error) {
	allConfig := a.opts.allConfig
	return func(path, configID string) (*config.Config, config.Diagnostics, error) {
		cfg, diags, err := parser.LoadFile(path, parser.Options{ConfigID: configID, AllConfig: allConfig})
		if cfg != nil {
			process.ApplyConfigUmask(&cfg.Global, lg)
		}
		return cfg, diags, err
	}
}

// runChild is the VRRP child: process.Child running package daemon on
// the Linux host, with the control socket beside it.
func (a *app) runChild(env process.Env) int {
	o := &a.opts
	a.identSuffix = env.IdentSuffix
	if !env.ParentAlive() {
		return process.ExitOK
	}
	lg, closeLogs := a.logger("Keepalived_vrrp")
	defer closeLogs()
	vrrpPid := env.VRRPPid
	if vrrpPid == "" {
		vrrpPid = process.PidfilePaths(o.pidFile, o.vrrpPidFile, false, "").VRRP
	}
	var v *vrrpSide
	var autoPrio *process.AutoPriority // max_auto_priority
	saver := &vrrpSaver{lg: lg}        // config_save_dir
	c := &process.Child{
		Logger:  lg,
		VRRPPid: vrrpPid,
		Start: func() (process.VRRP, int) {
			var code int
			v, code = a.startVRRP(lg, env.ParentPID, vrrpPid)
			if v == nil {
				return nil, code
			}
			return v, code
		},
		Running: func() {
			if cfg := v.Config(); cfg != nil {
				autoPrio = process.NewAutoPriority(&cfg.Global, lg)
				go autoPrio.Run(context.Background())
			}
			if o.dumpConf {
				// -d: keepalived's text dump of the configuration, to the
				// log (the JSON model is `check-config --dump`).
				if lines, err := v.DumpConfig(); err == nil {
					for _, l := range lines {
						lg.Info(l)
					}
				}
			}
		},
		BeforeReload: func() { saver.v = v; saver.save(false) },
		Reloaded: func() {
			saver.save(true)
			v.ctl.Reloaded(time.Now())
			if cfg := v.Config(); cfg != nil && autoPrio != nil {
				autoPrio.Configure(&cfg.Global)
			}
		},
	}
	code := c.Run()
	if v != nil {
		v.ctl.Close()
	}
	return code
}

// vrrpSide is the daemon with its control socket: a process.VRRP.
type vrrpSide struct {
	*daemon.Daemon
	ctl *daemon.ControlServer // nil if the socket could not be made
}

// Ready is process.VRRP's: Status goes through the daemon's loop, which
// serves requests only once every instance has started.
func (v *vrrpSide) Ready() error {
	_, err := v.Status()
	return err
}

// startVRRP builds the host, the daemon and the control socket; on a
// permanent failure it logs why and returns the exit status.
func (a *app) startVRRP(lg *slog.Logger, ppid int, vrrpPid string) (*vrrpSide, int) {
	o := &a.opts
	host, err := newHost()
	if err != nil {
		lg.Info("Unable to open the host's netlink and packet sockets: "+err.Error(), logging.Err(err))
		if errors.Is(err, os.ErrPermission) {
			return nil, process.ExitMissingPermission
		}
		return nil, process.ExitFatal
	}
	d, err := daemon.New(daemon.Options{
		ConfigFile:      o.configFile,
		ConfigID:        o.configID,
		Load:            a.loader(lg),
		Logger:          lg,
		Host:            host,
		Processes:       procwatch.NewHostStartedIn(lg, process.StartNetns()),
		DontReleaseVRRP: o.dontReleaseVRRP,
		ReleaseVIPs:     o.releaseVIPs,
		StatusAddr:      o.statusAddr,
		StrictConfig:    o.strictConfig,
	})
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			lg.Info("VRRP child process: "+err.Error(), logging.Err(err))
			return nil, process.ExitMissingPermission
		}
		// daemon.ErrConfig and every other failure to load: keepalived's
		// KEEPALIVED_EXIT_CONFIG, which stops the parent too; a failed
		// strict include check stops keepalived with 6 instead.
		lg.Info("Stopping - configuration error: "+err.Error(), logging.Err(err), logging.Reason("configuration error"))
		if errors.Is(err, daemon.ErrIncludeCheck) {
			return nil, process.ExitNoConfig
		}
		return nil, process.ExitConfig
	}
	sock := process.ControlSocketPath(vrrpPid)
	ctl, err := d.ServeControl(sock, daemon.ControlInfo{Version: versionString(), ParentPID: ppid})
	if err != nil {
		lg.Info(fmt.Sprintf("control socket %s: %v (status and reload --plan unavailable)", sock, err), logging.File(sock), logging.Err(err))
	}
	return &vrrpSide{Daemon: d, ctl: ctl}, process.ExitOK
}
