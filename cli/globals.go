package cli

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/daemon"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/parser"
	"github.com/keepalived-go/keepalived/process"
)

// runGlobals are what keepalived's parent reads from the configuration
// before it forks (keepalived_main after read_config_file): where the
// pidfiles go, the syslog ident, the network namespace, how long to wait
// for the child at shutdown, and the start-up and shutdown scripts it runs
// itself.
type runGlobals struct {
	netns     string // net_namespace, or -s
	instance  string // instance NAME
	usePidDir bool   // use_pid_dir, implied by netns and instance
	childWait time.Duration
	// scripts is what the parent needs of the configuration to run the
	// start-up and shutdown scripts; nil when the file could not be parsed
	// at all. The parent keeps only this, not the model (process.Scripts).
	scripts *process.Scripts
	// parentData is keepalived_parent.data (SIGUSR1), rendered at start.
	parentData []byte
	// parentDataName is its file name (data_use_instance adds the names).
	parentDataName string
	// maxAutoPriority is max_auto_priority (0: keepalived's start-up
	// NOTICE suggests setting it; -1 silences it).
	maxAutoPriority int
	// reload is reload_check_config and reload_file, for the parent.
	reload process.ReloadSettings
}

// readGlobals parses the configuration for the parent. Findings are not
// logged here: the VRRP child loads the file again, logs them, and refuses
// what keepalived refuses at start (or, with --strict-config, any error).
func (a *app) readGlobals(lg *slog.Logger) runGlobals {
	o := &a.opts
	g := runGlobals{childWait: config.DefaultGlobal().ChildWaitTime}
	var cfg *config.Config
	var err error
	process.OnFreshStack(func() {
		cfg, _, err = parser.LoadFile(o.configFile, parser.Options{ConfigID: o.configID, AllConfig: o.allConfig})
	})
	if err == nil && cfg != nil {
		process.ApplyConfigUmask(&cfg.Global, lg)
		saveConfigCopy(&cfg.Global, cfg.Files, lg)
		g.maxAutoPriority = cfg.Global.MaxAutoPriority
		if cfg.Global.ReloadCheckConfig {
			g.reload.CheckLog = cfg.Global.ReloadCheckConfigLog
			if g.reload.CheckLog == "" {
				g.reload.CheckLog = os.DevNull // keepalived's default
			}
		}
		g.reload.File = cfg.Global.ReloadFile
		g.reload.TimeFile, g.reload.Repeat = cfg.Global.ReloadTimeFile, cfg.Global.ReloadRepeat
		g.scripts = process.ScriptsOf(&cfg.Global)
		g.parentData = daemon.ParentData(&cfg.Global)
		g.parentDataName = cfg.Global.DumpFileName("keepalived_parent.data")
		g.netns = cfg.Global.NetNamespace
		g.instance = cfg.Global.InstanceName
		g.usePidDir = cfg.Global.UsePidDir
		if cfg.Global.ChildWaitTime > 0 {
			g.childWait = cfg.Global.ChildWaitTime
		}
	}
	if o.namespace != "" {
		if g.netns != "" && g.netns != o.namespace {
			lg.Info(fmt.Sprintf("Overriding config net_namespace '%s' with command line namespace '%s'", g.netns, o.namespace), slog.String("netns", o.namespace))
		}
		g.netns = o.namespace
	}
	if g.netns != "" || g.instance != "" {
		g.usePidDir = true
	}
	if g.reload.File == config.DefaultReloadFile {
		// keepalived's init_global_data: beside the pidfiles.
		switch {
		case g.instance != "":
			g.reload.File = "/run/keepalived/keepalived_" + g.instance + ".reload"
		case g.usePidDir:
			g.reload.File = "/run/keepalived/keepalived.reload"
		}
	}
	// The parse (and the model but for the few values above) is garbage
	// now: hand its pages back to the system, or the supervising parent
	// would keep them for its whole life.
	process.ReturnMemory()
	return g
}

// identSuffix is what keepalived's make_syslog_ident appends to the syslog
// ident: _NAMESPACE and _INSTANCE.
func (g runGlobals) identSuffix() string {
	s := ""
	if g.netns != "" {
		s += "_" + g.netns
	}
	if g.instance != "" {
		s += "_" + g.instance
	}
	return s
}

// pidPaths resolves the pidfiles from -p/-r and these globals.
func (g runGlobals) pidPaths(mainFlag, vrrpFlag string) process.Paths {
	return process.PidfilePaths(mainFlag, vrrpFlag, g.usePidDir, g.instance)
}

// parentDump writes keepalived_parent.data for the supervisor's SIGUSR1
// (nil when the configuration could not be read: nothing to print).
func (g runGlobals) parentDump(lg *slog.Logger) func() {
	if g.parentData == nil {
		return nil
	}
	data, name := g.parentData, g.parentDataName
	return func() {
		if err := daemon.WriteDumpFile(daemon.DefaultTmpDir(), name, data); err != nil {
			lg.Error(err.Error(), logging.Err(err))
		}
	}
}
