package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/cluster"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/parser"
	"github.com/keepalived-go/keepalived/process"
)

// Configuration checks: `keepalived check-config` (our linter) and
// `keepalived -t` / `--config-test[=LOGFILE]` (keepalived's config test,
// with its exit codes).

// checkConfigOptions are the flags of check-config.
type checkConfigOptions struct {
	file    string
	id      string
	format  string
	dump    bool
	offline bool
	// peers are the other nodes' files (--peer FILE[@ID]): the cluster check.
	peers []string
}

// NewCheckConfigCmd is `keepalived check-config [-f FILE] [-i ID]
// [--format text|json] [--dump] [--offline]`: every finding, one per line
// as FILE:LINE:COL: severity: message (or a JSON array), the resolved model
// with --dump, host checks (interfaces, script files) unless --offline.
// The exit status is 1 when any finding is an error, else 0.
func NewCheckConfigCmd() *cobra.Command {
	o := &checkConfigOptions{}
	cmd := &cobra.Command{
		Use:   "check-config",
		Short: "Lint a keepalived.conf: positioned findings, did-you-mean, resolved model",
		Long: `check-config reads a keepalived.conf as keepalived 2.2.7 does (includes,
$VARIABLES, @id lines, ~SEQ) and reports every finding, one per line:

  FILE:LINE:COL: error|warning|notice: message

Errors are what makes keepalived misbehave or refuse the configuration
(our daemon refuses a reload with errors; at start it runs what keepalived
runs, with keepalived's corrections, unless --strict-config); warnings are
what keepalived corrects or silently ignores; notices are information.
--offline skips the checks that need this host (interfaces, script files).

--peer FILE[@ID] (repeatable) checks the cluster: every node's file, then
what is wrong between them (partners that drop each other's adverts, ties,
nopreempt on one side, weights that cannot move the master, sync groups
that differ), and per virtual router who is master when all is well and
after each single failure. Peers are checked offline.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			process.SetOneShotPolicy()
			code := runCheckConfig(o, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if code != 0 {
				return exitError(code)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.file, "use-file", "f", config.DefaultConfigFile, "configuration file")
	f.StringVarP(&o.id, "config-id", "i", "", "config id for @ID lines (default: the short host name)")
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.BoolVar(&o.dump, "dump", false, "print the resolved model as JSON")
	f.BoolVar(&o.offline, "offline", false, "skip host checks (interfaces, script files)")
	f.StringArrayVar(&o.peers, "peer", nil, "another node's configuration, FILE or FILE@ID (repeatable): check the cluster together")
	return cmd
}

// runCheckConfig is check-config; it returns the exit status.
func runCheckConfig(o *checkConfigOptions, stdout, stderr io.Writer) int {
	if o.format != "text" && o.format != "json" {
		fmt.Fprintf(stderr, "check-config: unknown --format %q (text or json)\n", o.format)
		return exitFatal
	}
	cfg, diags, err := parser.LoadFile(o.file, parser.Options{ConfigID: o.id})
	if err != nil {
		diags = append(diags, config.Diagnostic{Pos: config.Pos{File: o.file}, Severity: config.Error,
			Class: config.ClassFileNotFound, Msg: err.Error()})
	}
	if cfg != nil {
		if o.offline {
			diags = append(diags, config.ScriptSecurity(cfg)...)
		} else {
			diags = append(diags, hostChecks(cfg)...)
		}
	}
	diags = inFileOrder(cfg, diags)
	if len(o.peers) > 0 {
		return runClusterCheck(o, cfg, diags, stdout, stderr)
	}
	if o.dump && cfg != nil {
		b, err := config.DumpJSON(cfg)
		if err != nil {
			fmt.Fprintf(stderr, "check-config: %v\n", err)
			return exitFatal
		}
		stdout.Write(b)
	}
	out := stdout
	if o.dump {
		out = stderr // keep stdout pure JSON
	}
	switch o.format {
	case "json":
		if diags == nil {
			diags = config.Diagnostics{}
		}
		b, _ := json.MarshalIndent(diags, "", "  ")
		fmt.Fprintln(out, string(b))
	default:
		for _, d := range diags {
			fmt.Fprintln(out, d)
		}
	}
	if diags.HasErrors() {
		return exitFatal
	}
	return exitOK
}

// hostChecks runs what keepalived's -t checks on the host: interfaces, and
// (when they all exist, since keepalived stops validating there) script
// security. Inside a net_namespace the interfaces are not ours to see.
func hostChecks(cfg *config.Config) config.Diagnostics {
	var ds config.Diagnostics
	if ns := cfg.Global.NetNamespace; ns != "" {
		ds = append(ds, config.Diagnostic{Pos: config.Pos{File: firstFile(cfg)}, Severity: config.Notice,
			Msg: fmt.Sprintf("interfaces not checked: they live in net_namespace %s", ns)})
	} else {
		ds = append(ds, config.CheckHost(cfg, interfaceExists)...)
	}
	for _, d := range ds {
		if d.Class == config.ClassBadInterface {
			return ds
		}
	}
	return append(ds, checker.CheckSecurity(cfg)...)
}

func interfaceExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

func firstFile(cfg *config.Config) string {
	if len(cfg.Files) > 0 {
		return cfg.Files[0]
	}
	return ""
}

// RunConfigTest is keepalived's `-t` / `--config-test[=LOGFILE]`: parse and
// validate as the VRRP process would, check the host (interfaces, scripts),
// print the findings on stderr (or append them to logFile) and return
// keepalived 2.2.7's exit status (config.ConfigTestExit: 0, 2, 4, 5, 6).
// Unlike keepalived, a missing, empty or directory configuration file is an
// error (exit 4), not a silent success. Notices are not printed: keepalived
// prints nothing for a clean configuration.
func RunConfigTest(path, configID, logFile string, stderr io.Writer) int {
	process.SetOneShotPolicy()
	if path == "" {
		path = config.DefaultConfigFile
	}
	out := stderr
	if logFile != "" {
		f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "config test: cannot open log file %s: %v\n", logFile, err)
		} else {
			defer f.Close()
			out = f
		}
	}
	cfg, diags, err := parser.LoadFile(path, parser.Options{ConfigID: configID})
	if err != nil {
		diags = append(diags, config.Diagnostic{Pos: config.Pos{File: path}, Severity: config.Error,
			Class: config.ClassFileNotFound, Msg: err.Error()})
	}
	aborted := false
	for _, d := range diags {
		if d.Class == config.ClassMissingParameter {
			aborted = true // keepalived stops at the first missing parameter
		}
	}
	if cfg != nil && !aborted {
		diags = append(diags, hostChecks(cfg)...)
	}
	for _, d := range inFileOrder(cfg, diags) {
		if d.Severity == config.Notice {
			continue
		}
		fmt.Fprintln(out, d)
	}
	if err != nil {
		return config.ExitCannotRun
	}
	return config.ConfigTestExit(diags)
}

// inFileOrder sorts findings by file (in the order the files were read),
// line and column, so that host findings land among the others; findings
// without a line stay last, in their order.
func inFileOrder(cfg *config.Config, ds config.Diagnostics) config.Diagnostics {
	rank := map[string]int{}
	if cfg != nil {
		for i, f := range cfg.Files {
			if _, ok := rank[f]; !ok {
				rank[f] = i
			}
		}
	}
	key := func(p config.Pos) (int, int, int) {
		if p.Line == 0 {
			return 1 << 30, 0, 0
		}
		r, ok := rank[p.File]
		if !ok {
			r = len(rank)
		}
		return r, p.Line, p.Col
	}
	out := append(config.Diagnostics(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool {
		fi, li, ci := key(out[i].Pos)
		fj, lj, cj := key(out[j].Pos)
		if fi != fj {
			return fi < fj
		}
		if li != lj {
			return li < lj
		}
		return ci < cj
	})
	return out
}

// runClusterCheck is check-config with --peer: the main file's findings
// (diags, already checked as without --peer), each peer's (always offline:
// a peer's host is not this one), then the cluster findings and the
// per-virtual-router tables (package cluster). JSON is an object
// {"findings": [...], "routers": [...]}. The exit status is 1 when any
// finding is an error.
func runClusterCheck(o *checkConfigOptions, cfg *config.Config, diags config.Diagnostics, stdout, stderr io.Writer) int {
	nodes := []cluster.Node{{Name: o.file, Config: cfg}}
	all := append(config.Diagnostics(nil), diags...)
	for _, p := range o.peers {
		file, id := p, ""
		if _, err := os.Stat(p); err != nil {
			if i := strings.LastIndexByte(p, '@'); i > 0 {
				file, id = p[:i], p[i+1:]
			}
		}
		pc, pd, err := parser.LoadFile(file, parser.Options{ConfigID: id})
		if err != nil {
			pd = append(pd, config.Diagnostic{Pos: config.Pos{File: file}, Severity: config.Error,
				Class: config.ClassFileNotFound, Msg: err.Error()})
		}
		if pc != nil {
			pd = append(pd, config.ScriptSecurity(pc)...)
		}
		all = append(all, inFileOrder(pc, pd)...)
		nodes = append(nodes, cluster.Node{Name: file, Config: pc})
	}
	if o.dump && cfg != nil {
		b, err := config.DumpJSON(cfg)
		if err != nil {
			fmt.Fprintf(stderr, "check-config: %v\n", err)
			return exitFatal
		}
		stdout.Write(b)
	}
	rep := cluster.Check(nodes)
	out := stdout
	if o.dump {
		out = stderr
	}
	findings := make([]cluster.Finding, 0, len(all)+len(rep.Findings))
	for _, d := range all {
		findings = append(findings, cluster.Finding{Diagnostic: d})
	}
	findings = append(findings, rep.Findings...)
	failed := all.HasErrors() || rep.HasErrors()
	switch o.format {
	case "json":
		rep.Findings = findings
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(out, string(b))
	default:
		for _, f := range findings {
			fmt.Fprintln(out, f)
		}
		if t := rep.TablesText(); t != "" {
			fmt.Fprintln(out)
			fmt.Fprint(out, t)
		}
	}
	if failed {
		return exitFatal
	}
	return exitOK
}
