package cli

import (
	"fmt"
	"log/slog"
	"os/exec"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/parser"
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
	// at all. The parent keeps only this, not the model: it lives as long
	// as the daemon, and a 1,000-instance model would cost it ~10 MB RSS
	// (BENCHMARKS-footprint.md).
	scripts *globalScripts
}

// globalScripts are the global_defs settings of the parent's own scripts.
type globalScripts struct {
	startup, shutdown           *config.Command
	scriptUser, scriptGroup     string
	security                    bool
	startupTimeout, stopTimeout time.Duration
}

// defaultChildWait is keepalived's CHILD_WAIT_SECS.
const defaultChildWait = 5 * time.Second

// defaultScriptTimeout is keepalived's default startup_script_timeout and
// shutdown_script_timeout (10 s).
const defaultScriptTimeout = 10 * time.Second

// readGlobals parses the configuration for the parent. Findings are not
// logged here: the VRRP child loads the file again, logs them, and refuses
// what keepalived refuses at start (or, with --strict-config, any error).
func (a *app) readGlobals(logf func(string, ...any)) runGlobals {
	o := &a.opts
	g := runGlobals{childWait: defaultChildWait}
	var cfg *config.Config
	var err error
	onFreshStack(func() {
		cfg, _, err = parser.LoadFile(o.configFile, parser.Options{ConfigID: o.configID, AllConfig: o.allConfig})
	})
	if err == nil && cfg != nil {
		gl := &cfg.Global
		g.scripts = &globalScripts{
			startup: gl.StartupScript, shutdown: gl.ShutdownScript,
			scriptUser: gl.ScriptUser, scriptGroup: gl.ScriptGroup, security: gl.EnableScriptSecurity,
			startupTimeout: scriptTimeout(gl.Other, "startup_script_timeout"),
			stopTimeout:    scriptTimeout(gl.Other, "shutdown_script_timeout"),
		}
		g.netns = cfg.Global.NetNamespace
		g.instance = cfg.Global.InstanceName
		g.usePidDir = cfg.Global.UsePidDir
		if cfg.Global.ChildWaitTime > 0 {
			g.childWait = cfg.Global.ChildWaitTime
		}
	}
	if o.namespace != "" {
		if g.netns != "" && g.netns != o.namespace {
			logf("Overriding config net_namespace '%s' with command line namespace '%s'", g.netns, o.namespace)
		}
		g.netns = o.namespace
	}
	if g.netns != "" || g.instance != "" {
		g.usePidDir = true
	}
	// The parse (and the model but for the few values above) is garbage
	// now: hand its pages back to the system, or the supervising parent
	// would keep them for its whole life (footprint, issue 6).
	debug.FreeOSMemory()
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
func (g runGlobals) pidPaths(mainFlag, vrrpFlag string) pidPaths {
	return pidfilePaths(mainFlag, vrrpFlag, g.usePidDir, g.instance)
}

// scriptTimeout reads startup_script_timeout / shutdown_script_timeout
// (kept verbatim by the parser) from global_defs' other keywords, else the
// default.
func scriptTimeout(other []config.RawStatement, keyword string) time.Duration {
	for _, r := range other {
		if r.Keyword == keyword && len(r.Args) > 0 {
			if v, err := strconv.Atoi(r.Args[0]); err == nil && v >= 1 && v <= 1000 {
				return time.Duration(v) * time.Second
			}
		}
	}
	return defaultScriptTimeout
}

// runGlobalScript runs global_defs startup_script or shutdown_script as
// keepalived's parent does (main.c run_startup_script, sigend): resolved
// and checked like every script, with its user, in its own process group,
// waited for up to its timeout, then its group is terminated. kind is
// "startup" or "shutdown"; start forks it (from the supervisor's spawner
// thread, so that it runs in the namespace of -s / net_namespace).
func (g runGlobals) runGlobalScript(kind string, lg *slog.Logger, detail bool, start func(*exec.Cmd) error) {
	gs := g.scripts
	if gs == nil {
		return
	}
	cmd, timeout := gs.startup, gs.startupTimeout
	if kind == "shutdown" {
		cmd, timeout = gs.shutdown, gs.stopTimeout
	}
	if cmd == nil || len(cmd.Argv) == 0 {
		return
	}
	logf := func(format string, args ...any) { lg.Info(fmt.Sprintf(format, args...)) }
	def, defOK, msg := checker.DefaultIdentity(gs.scriptUser, gs.scriptGroup, gs.security)
	if !defOK && msg != "" && cmd.User == "" {
		logf("%s", msg)
	}
	prog, logs := checker.ResolveCommand(cmd, def, defOK, gs.security)
	for _, l := range logs {
		logf("%s", l)
	}
	if prog == nil {
		return
	}
	if detail {
		logf("Running %s script %s", kind, cmd.Argv[0])
	}
	c := prog.Command()
	if err := start(c); err != nil {
		logf("Call of %s script %s failed", kind, cmd.Argv[0])
		return
	}
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	pgid := c.Process.Pid // the script leads its own process group
	select {
	case <-done:
	case <-time.After(timeout):
		logf("%s script %s timed out", kind, cmd.Argv[0])
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(time.Second):
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
		return
	}
	st, _ := c.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case st.Exited() && st.ExitStatus() != 0:
		logf("%s script failed, status %d", kind, st.ExitStatus())
	case st.Exited() && detail:
		logf("%s script succeeded", kind)
	case st.Signaled():
		logf("%s script terminated by signal %d", kind, int(st.Signal()))
	}
}
