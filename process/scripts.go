package process

import (
	"log/slog"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
)

// Scripts are what the parent keeps of the configuration to run
// global_defs startup_script and shutdown_script: not the model, which
// would stay resident for the parent's whole life (a 1,000-instance model
// costs ~10 MB, BENCHMARKS-footprint.md).
type Scripts struct {
	Startup, Shutdown               *config.Command
	User, Group                     string // script_user, script_group
	Security                        bool   // enable_script_security
	StartupTimeout, ShutdownTimeout time.Duration
}

// ScriptsOf copies the parent's scripts out of a configuration.
func ScriptsOf(g *config.Global) *Scripts {
	return &Scripts{
		Startup: g.StartupScript, Shutdown: g.ShutdownScript,
		User: g.ScriptUser, Group: g.ScriptGroup, Security: g.EnableScriptSecurity,
		StartupTimeout: g.StartupScriptTimeout, ShutdownTimeout: g.ShutdownScriptTimeout,
	}
}

// Run runs startup_script (kind "startup") or shutdown_script ("shutdown")
// as keepalived's parent does (main.c run_startup_script, sigend): resolved
// and checked like every script, with its user, in its own process group,
// waited for up to its timeout, then its group is terminated. start forks
// it (the supervisor's spawner thread, so that it runs in the namespace of
// -s / net_namespace). A nil Scripts runs nothing.
func (gs *Scripts) Run(kind string, lg *slog.Logger, detail bool, start func(*exec.Cmd) error) {
	if gs == nil {
		return
	}
	cmd, timeout := gs.Startup, gs.StartupTimeout
	if kind == "shutdown" {
		cmd, timeout = gs.Shutdown, gs.ShutdownTimeout
	}
	if cmd == nil || len(cmd.Argv) == 0 {
		return
	}
	if timeout <= 0 {
		timeout = config.DefaultScriptTimeout
	}
	script := slog.String(logging.KeyScript, cmd.Argv[0])
	def, defOK, msg := checker.DefaultIdentity(gs.User, gs.Group, gs.Security)
	if !defOK && msg != "" && cmd.User == "" {
		lg.Info(msg, script)
	}
	prog, logs := checker.ResolveCommand(cmd, def, defOK, gs.Security)
	for _, l := range logs {
		lg.Info(l, script)
	}
	if prog == nil {
		return
	}
	if detail {
		lg.Info("Running "+kind+" script "+cmd.Argv[0], script)
	}
	c := prog.Command()
	if err := start(c); err != nil {
		lg.Info("Call of "+kind+" script "+cmd.Argv[0]+" failed", script, logging.Err(err))
		return
	}
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	pgid := c.Process.Pid // the script leads its own process group
	select {
	case <-done:
	case <-time.After(timeout):
		lg.Info(kind+" script "+cmd.Argv[0]+" timed out", script, logging.Reason("timeout"))
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
		lg.Info(kind+" script failed, status "+strconv.Itoa(st.ExitStatus()), script, slog.Int(logging.KeyStatus, st.ExitStatus()))
	case st.Exited() && detail:
		lg.Info(kind+" script succeeded", script)
	case st.Signaled():
		lg.Info(kind+" script terminated by signal "+strconv.Itoa(int(st.Signal())), script, slog.Int(logging.KeySignal, int(st.Signal())))
	}
}
