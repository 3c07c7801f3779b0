package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Environment markers telling a re-execution of this binary its role. They
// are removed from the environment as soon as they are read, so scripts
// never see them.
const (
	envRole    = "KEEPALIVED_GO_ROLE"    // roleDaemon or roleVRRP
	envParent  = "KEEPALIVED_GO_PARENT"  // the VRRP child's expected parent PID
	envCwd     = "KEEPALIVED_GO_CWD"     // working directory of the original command
	envReadyFD = "KEEPALIVED_GO_READYFD" // background parent: fd to report start-up on
	envVRRPPid = "KEEPALIVED_GO_VRRPPID" // the VRRP child's pidfile, as the parent resolved it
	envIdent   = "KEEPALIVED_GO_IDENT"   // the syslog ident suffix (_NAMESPACE_INSTANCE)
)

const (
	roleDaemon = "daemon" // the background parent made without -n
	roleVRRP   = "vrrp"   // the VRRP child
)

// childStatusFD is the fd on which the VRRP child reports to its parent
// ("ready", "reloading", "reloaded", "reload-failed", "exit N").
const childStatusFD = 3

// runDaemon runs keepalived's process model: the original command (which
// daemonises unless -n), the supervising parent, or the VRRP child.
func (a *app) runDaemon() int {
	role := os.Getenv(envRole)
	cwd := os.Getenv(envCwd)
	os.Unsetenv(envRole)
	os.Unsetenv(envCwd)
	a.absolutize(cwd)
	setMemoryPolicy()
	switch role {
	case roleVRRP:
		return a.runChild()
	case roleDaemon:
		return a.runParent(true)
	}
	return a.runParent(false)
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

// logSettings builds the sinks for ident ("Keepalived" or
// "Keepalived_vrrp") from -l -n -G -S -D -g --log-format. The returned
// function closes what it opened.
func (a *app) logSettings(ident string) (logSettings, func()) {
	o := &a.opts
	ident += a.identSuffix // keepalived's make_syslog_ident
	s := logSettings{Ident: ident, Facility: facilityDaemon, Level: slog.LevelInfo, JSON: o.logFormat == "json"}
	if f, ok := parseFacility(o.logFacility); o.set["log-facility"] && ok {
		s.Facility = f
	}
	if o.logDetail > 0 {
		s.Level = slog.LevelDebug
	}
	var closers []io.Closer
	if !o.noSyslog {
		s.Syslog = newSyslogWriter("", ident)
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
	return s, func() {
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
	{"all-config", "missing include files are reported by `keepalived check-config`"},
	{"config-fd", "internal to keepalived"},
	{"flush-log-file", "the log file is written unbuffered"},
}

// logNotApplicable logs, once, each option that was given but means nothing
// to keepalived-go.
func (a *app) logNotApplicable(lg *slog.Logger) {
	for _, n := range notApplicable {
		if a.opts.set[n.long] {
			lg.Info(fmt.Sprintf("Option --%s accepted but not applicable: %s", n.long, n.why))
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

// runParent is keepalived's main process: start-up log lines, the pidfile
// check, daemonising, the pidfile, then supervision of the VRRP child.
// daemonized is true in the background re-execution.
func (a *app) runParent(daemonized bool) int {
	o := &a.opts
	settings, closeLogs := a.logSettings("Keepalived")
	defer func() { closeLogs() }()
	lg := newLogger(settings)
	logf := func(format string, args ...any) { lg.Info(fmt.Sprintf(format, args...)) }

	var readyPipe *os.File
	if fd, err := strconv.Atoi(os.Getenv(envReadyFD)); err == nil && daemonized {
		readyPipe = os.NewFile(uintptr(fd), "ready")
		unix.CloseOnExec(fd)
	}
	os.Unsetenv(envReadyFD)
	reportStart := func(msg string) {
		if readyPipe != nil {
			fmt.Fprintln(readyPipe, msg)
			readyPipe.Close()
			readyPipe = nil
		}
	}
	defer reportStart("error: exited during start-up")

	if !daemonized {
		logf("Starting %s", versionString())
		logf("Running on %s (built with %s)", unameString(), runtime.Version())
		logf("Command line: %s", a.commandLine())
		logf("Configuration file %s", o.configFile)
		a.logNotApplicable(lg)
	}
	if o.coreDump || o.set["core-dump-pattern"] {
		enableCoreDumps(lg)
	}
	if err := checkConfigFile(o.configFile); err != nil {
		logf("%v", err)
		return exitNoConfig
	}
	if o.checkOnly && !o.vrrpOnly {
		logf("-C: only the health-checker subsystem was asked for, and keepalived-go has none - nothing to run")
		return exitOK
	}
	g := a.readGlobals(logf)
	if sfx := g.identSuffix(); sfx != "" {
		a.identSuffix = sfx
		if !daemonized {
			logf("Changing syslog ident to Keepalived%s", sfx)
		}
		closeLogs()
		settings, closeLogs = a.logSettings("Keepalived")
		lg = newLogger(settings)
	}
	paths := g.pidPaths(o.pidFile, o.vrrpPidFile)
	if !daemonized {
		if checkPidfile(paths.Main, logf) == pidfileRunning || checkPidfile(paths.VRRP, logf) == pidfileRunning {
			// keepalived exits 0 here too (keepalived_main: report_stopped = false).
			logf("daemon is already running")
			return exitOK
		}
		if !o.dontFork {
			return a.daemonize(lg)
		}
	} else {
		_ = os.Chdir("/")
	}

	setProcessName(processName)
	dirMade := false
	if paths.Dir != "" {
		if err := os.Mkdir(paths.Dir, 0o755); err == nil {
			dirMade = true
		} else if !errors.Is(err, os.ErrExist) {
			logf("Unable to create directory %s", paths.Dir)
		}
	}
	pid := os.Getpid()
	if err := writePidfile(paths.Main, pid); err != nil {
		logf("pidfile_write : Cannot open %s pidfile", paths.Main)
		return exitFatal
	}
	reportStart("ok")

	sup := &supervisor{
		a: a, lg: lg, logf: logf,
		notify:    newNotifier(),
		globals:   g,
		netns:     g.netns,
		respawn:   !o.dontRespawn,
		childWait: g.childWait,
		vrrpPid:   paths.VRRP,
	}
	sup.watchdog, _ = watchdogInterval()
	code := sup.run() // trims the image once the child is ready: see memory.go

	removePidfile(paths.Main, pid)
	if dirMade {
		os.Remove(paths.Dir) // only when empty, as keepalived's remove_pid_dir
	}
	logf("Stopped %s", versionString())
	return code
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

// enableCoreDumps is -m: no core-size limit, and Go's crash traceback mode
// so that a fatal error dumps core.
func enableCoreDumps(lg *slog.Logger) {
	lim := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		lg.Info(fmt.Sprintf("Failed to set core file size limit: %v", err))
	}
	os.Setenv("GOTRACEBACK", "crash")
}

// selfExe is how we re-execute ourselves: /proc/self/exe runs this very
// binary even after a package upgrade replaced the file, so parent and
// child are always the same version.
const selfExe = "/proc/self/exe"

// daemonize is xdaemon for a runtime that cannot fork: it re-executes the
// binary with the same arguments in a new session, stdio on /dev/null, and
// waits (up to 5 s) for the background parent to write its pidfile, so that
// the pidfile exists when the command returns.
func (a *app) daemonize(lg *slog.Logger) int {
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		lg.Info(fmt.Sprintf("xdaemon: %v", err))
		return exitFatal
	}
	defer devnull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		lg.Info(fmt.Sprintf("xdaemon: %v", err))
		return exitFatal
	}
	defer r.Close()
	cwd, _ := os.Getwd()
	cmd := exec.Command(selfExe, a.rawArgs...)
	cmd.Args[0] = a.prog
	cmd.Env = append(os.Environ(), envRole+"="+roleDaemon, envCwd+"="+cwd, envReadyFD+"=3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		lg.Info(fmt.Sprintf("xdaemon: fork error(%v)", err))
		return exitFatal
	}
	w.Close()
	_ = cmd.Process.Release()
	_ = r.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(r).ReadString('\n')
	if strings.TrimSpace(line) == "ok" {
		return exitOK
	}
	if line != "" {
		fmt.Fprintf(a.stderr, "keepalived: background process: %s", line)
	}
	return exitFatal
}
