// Package cli is keepalived-go's command tree (spf13/cobra): keepalived
// 2.2.7's own flags (-f -n -l -D -t -p -r -P ...) with their meanings, plus
// our subcommands (check-config, version, reload --plan, status). It is the
// composition root: the only place that calls the Linux constructors.
//
// The process model (parent, VRRP child, supervisor, pidfiles, signals,
// sd_notify) is package process, the log sinks package logging; cli hands
// them what the options and the configuration say.
//
// Deliberate differences from keepalived 2.2.7, each for the operator:
//
//   - The first positional word check-config, version, reload, status or
//     help is one of our subcommands (keepalived would report it as an
//     unexpected argument and start).
//   - Relative -f/-p/-r/-g names mean the same with and without -n
//     (keepalived's chdir("/") changes them). The process model's own
//     differences are listed in package process.
//   - -g/--log-file works (Debian's build lacks it); --log-format=json and
//     --status-addr are ours; -M enables core dumps as -m but leaves the
//     kernel's core_pattern alone; -T (genhash) exits 1; -C alone (checker
//     only) has nothing to run and exits 0; options for LVS, BFD and SNMP
//     are accepted and logged once as not applicable.
//   - `status` and `reload --plan` talk to the VRRP child over a unix
//     socket beside its pidfile (/run/vrrp.ctl), root or our own user only.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/process"
)

// defaultConfigFile is keepalived's DEFAULT_CONFIG_FILE.
const defaultConfigFile = "/etc/keepalived/keepalived.conf"

// Exit statuses (keepalived's, as package process names them).
const (
	exitOK     = process.ExitOK
	exitFatal  = process.ExitFatal
	exitConfig = process.ExitConfig
)

// Main runs the command line (without the program name) and returns the
// process exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	prog := "keepalived"
	if len(os.Args) > 0 {
		prog = os.Args[0]
	}
	return newApp(prog, stdout, stderr).run(args)
}

// app is one run of the command line.
type app struct {
	prog           string
	stdout, stderr io.Writer
	// rawArgs is the command line as given (for "Command line:" and for
	// re-executing ourselves).
	rawArgs []string
	// optErrs are keepalived's messages for bad options.
	optErrs []string
	opts    options
	// identSuffix is appended to the syslog idents (keepalived's
	// make_syslog_ident: _NAMESPACE_INSTANCE).
	identSuffix string
	// cwd is the original command's working directory (relative file
	// options are resolved against it in every process).
	cwd string
	// exit is the status a command chose.
	exit int
}

func newApp(prog string, stdout, stderr io.Writer) *app {
	return &app{prog: prog, stdout: stdout, stderr: stderr}
}

// exitError carries an exit status out of a cobra RunE.
type exitError int

func (e exitError) Error() string { return "exit status " + strconv.Itoa(int(e)) }

func (a *app) run(args []string) int {
	a.rawArgs = args
	root := a.newRootCmd()
	if sub := firstWord(args, keepalivedOptions); sub != "" && isSubcommand(root, sub) {
		// Our own subcommands parse their flags the cobra way.
		root.SetArgs(args)
	} else {
		c := canonicalize(args, keepalivedOptions)
		a.optErrs = c.errs
		for _, e := range c.errs {
			fmt.Fprintln(a.stderr, e)
		}
		// A nil slice would make cobra read os.Args instead.
		root.SetArgs(append([]string{}, c.args...))
	}
	err := root.Execute()
	var ee exitError
	switch {
	case errors.As(err, &ee):
		return int(ee)
	case err != nil:
		fmt.Fprintln(a.stderr, err)
		return exitFatal
	}
	return a.exit
}

func isSubcommand(root *cobra.Command, name string) bool {
	for _, c := range root.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return true
		}
	}
	return name == "help"
}

// options are keepalived's command-line options after parsing.
type options struct {
	configFile      string
	vrrpOnly        bool // -P
	checkOnly       bool // -C
	noBFD           bool // -B
	all             bool // --all
	logConsole      bool // -l
	logDetail       int  // -D (twice: extra detail)
	logFacility     string
	logFile         string // -g; optionalArgSentinel = default name
	flushLogFile    bool
	noSyslog        bool // -G
	umask           string
	releaseVIPs     bool // -X
	dontReleaseVRRP bool // -V
	dontReleaseIPVS bool // -I
	dontRespawn     bool // -R
	dontFork        bool // -n
	dumpConf        bool // -d
	pidFile         string
	vrrpPidFile     string
	genhash         bool   // -T
	checkersPidFile string // -c
	addressMonitor  bool   // -a
	bfdPidFile      string // -b
	snmp            bool   // -x
	snmpSocket      string // -A
	namespace       string // -s
	coreDump        bool   // -m
	coreDumpPattern string // -M; optionalArgSentinel = default
	allConfig       bool   // -e
	configID        string // -i
	signum          string
	configTest      string // -t; optionalArgSentinel = stderr
	configFD        string
	logFormat       string // ours: text or json
	statusAddr      string // ours: daemon's HTTP status endpoint
	strictConfig    bool   // ours: refuse at start any configuration with an error
	version         bool
	help            bool

	// set records which options were given, by long name.
	set map[string]bool
}

// newRootCmd builds the command tree: the root runs keepalived itself and
// takes keepalived's options; the subcommands are ours.
func (a *app) newRootCmd() *cobra.Command {
	o := &a.opts
	root := &cobra.Command{
		Use:           "keepalived [OPTION...]",
		Short:         "keepalived-go: a drop-in replacement for keepalived's VRRP side",
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			DisableDefaultCmd: true,
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.set = map[string]bool{}
			cmd.Flags().Visit(func(f *pflag.Flag) { o.set[f.Name] = true })
			return a.runKeepalived(args)
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		if c == root {
			writeUsage(a.stderr, filepath.Base(a.prog))
			return
		}
		fmt.Fprint(c.OutOrStdout(), c.UsageString())
	})

	fs := root.Flags()
	fs.SortFlags = false
	str := map[string]*string{
		"use-file": &o.configFile, "log-facility": &o.logFacility, "log-file": &o.logFile,
		"umask": &o.umask, "pid": &o.pidFile, "vrrp_pid": &o.vrrpPidFile,
		"checkers_pid": &o.checkersPidFile, "bfd_pid": &o.bfdPidFile,
		"snmp-agent-socket": &o.snmpSocket, "namespace": &o.namespace,
		"core-dump-pattern": &o.coreDumpPattern, "config-id": &o.configID,
		"signum": &o.signum, "config-test": &o.configTest, "config-fd": &o.configFD,
		"log-format": &o.logFormat, "status-addr": &o.statusAddr,
	}
	boolean := map[string]*bool{
		"vrrp": &o.vrrpOnly, "check": &o.checkOnly, "no_bfd": &o.noBFD, "all": &o.all,
		"log-console": &o.logConsole, "flush-log-file": &o.flushLogFile,
		"no-syslog": &o.noSyslog, "release-vips": &o.releaseVIPs,
		"dont-release-vrrp": &o.dontReleaseVRRP, "dont-release-ipvs": &o.dontReleaseIPVS,
		"dont-respawn": &o.dontRespawn, "dont-fork": &o.dontFork, "dump-conf": &o.dumpConf,
		"genhash": &o.genhash, "address-monitoring": &o.addressMonitor, "snmp": &o.snmp,
		"core-dump": &o.coreDump, "all-config": &o.allConfig, "version": &o.version,
		"help": &o.help, "strict-config": &o.strictConfig,
	}
	for _, spec := range keepalivedOptions {
		short := ""
		if spec.short != 0 {
			short = string(spec.short)
		}
		usage := strings.ReplaceAll(spec.usage, "\n", " ")
		switch {
		case spec.long == "log-detail":
			fs.CountVarP(&o.logDetail, spec.long, short, usage)
		case spec.arg == argNone:
			fs.BoolVarP(boolean[spec.long], spec.long, short, false, usage)
		default:
			fs.StringVarP(str[spec.long], spec.long, short, "", usage)
			if spec.arg == argOptional {
				fs.Lookup(spec.long).NoOptDefVal = optionalArgSentinel
			}
		}
	}

	root.AddCommand(
		NewCheckConfigCmd(),
		a.newVersionCmd(),
		a.newReloadCmd(),
		a.newStatusCmd(),
	)
	return root
}

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print keepalived-go's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return nil
		},
	}
}

// runKeepalived is keepalived itself: the options in keepalived's order of
// handling (parse_cmdline, then keepalived_main).
func (a *app) runKeepalived(positional []string) error {
	o := &a.opts
	// keepalived reports these while it reads the options, before acting
	// on -v, -h or --signum.
	if o.set["log-facility"] {
		if _, ok := logging.ParseFacility(o.logFacility); !ok {
			fmt.Fprintf(a.stderr, "Invalid log facility '%s'\n", o.logFacility)
		}
	}
	if o.set["umask"] {
		if m, ok := parseUmask(o.umask); ok {
			process.SetStartUmask(m, true)
		} else {
			// keepalived prints this without a newline.
			fmt.Fprintf(a.stderr, "Invalid --umask option %s", o.umask)
		}
	}
	if o.genhash {
		fmt.Fprintln(a.stderr, "genhash mode (-T) is not available in keepalived-go: it has no health checkers")
		return exitError(exitFatal)
	}
	if o.set["signum"] {
		s, ok := process.Signum(o.signum)
		if !ok {
			fmt.Fprintf(a.stderr, "Unknown sigfunc %s\n", o.signum)
			return exitError(exitFatal)
		}
		fmt.Fprintf(a.stdout, "%d\n", int(s))
		return nil
	}
	if o.version {
		writeVersion(a.stderr)
		return nil
	}
	if o.set["log-format"] && o.logFormat != "text" && o.logFormat != "json" {
		fmt.Fprintf(a.stderr, "Invalid --log-format %s (text or json)\n", o.logFormat)
		return exitError(exitFatal)
	}
	if len(positional) > 0 {
		fmt.Fprintf(a.stdout, "Unexpected argument(s): %s \n", strings.Join(positional, " "))
	}
	if len(a.optErrs) > 0 {
		return exitError(exitFatal)
	}
	if o.configFile == "" {
		o.configFile = defaultConfigFile
	}
	if o.set["config-test"] {
		logFile := o.configTest
		if logFile == optionalArgSentinel {
			logFile = ""
		}
		return exitError(RunConfigTest(o.configFile, o.configID, logFile, a.stderr))
	}
	return exitError(a.runDaemon())
}

// parseUmask reads -u as keepalived's set_umask: strtoll base 0 (so 022 is
// octal), permission bits only.
func parseUmask(s string) (int, bool) {
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil || v < 0 || v&^0o777 != 0 {
		return 0, false
	}
	return int(v), true
}
