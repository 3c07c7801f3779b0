// Package daemon is keepalived-go's runtime: one event loop that owns every
// VRRP instance, feeds it packets, tracker results, link and address events
// and timer expiries, and carries out what the pure core (package vrrp)
// asks for through the host seams of package netif. Reload is a diff of
// models (config.Diff), dumps are written in keepalived's formats, and an
// optional HTTP endpoint serves status and metrics.
//
// The CLI (package cli) owns processes, pidfiles, logging setup and
// signals; it builds a Host from the Linux constructors and calls New, Run,
// Reload and the Dump methods. Tests build a Host from fakes.
//
// Deliberate differences from keepalived 2.2.7's VRRP process:
//   - a reload whose configuration has any error (a missing interface
//     included) is refused whole and the running configuration goes on;
//     keepalived's VRRP process exits and leaves its VIPs behind;
//   - the reload plan is computed off the loop, so adverts keep their
//     cadence; a kept master announces only the VIPs the reload added, not
//     all of them, and an unchanged reload sends nothing at all;
//   - a VIP of a master removed by someone else is put back at once with
//     its gratuitous ARPs instead of a flap through BACKUP;
//   - a panic in one event's handler is logged (BUG, with the stack) and
//     the loop goes on, rather than the process dying with its VIPs set.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/procwatch"
)

// Loader reads and validates a configuration file (parser.LoadFile in
// production): the daemon is given one rather than importing the parser.
type Loader func(path, configID string) (*config.Config, config.Diagnostics, error)

// Options configure a Daemon.
type Options struct {
	ConfigFile string
	ConfigID   string
	// Logger is already set up by the caller (syslog, console or JSON).
	Logger *slog.Logger
	// Host is the machine the daemon acts on: netif.NewHost in
	// production, a fake in tests. Host.VMACs is optional: without it,
	// use_vmac instances run on their base interface with a warning.
	Host netif.Host
	// Processes is how vrrp_track_process blocks see processes:
	// procwatch.NewHost in production, a fake in tests; nil runs none
	// (with a warning when the configuration has any).
	Processes procwatch.Host
	// Load reads the configuration at start, Plan and Reload. Required.
	Load Loader
	// DontReleaseVRRP (-V) keeps VIPs, routes and rules at shutdown and
	// sends no priority-0 advert.
	DontReleaseVRRP bool
	// ReleaseVIPs (-X) removes, at shutdown, the VIPs of every instance,
	// also of those that do not hold them (keepalived's
	// vrrp_restore_interface), unless DontReleaseVRRP.
	ReleaseVIPs bool
	// TmpDir is where dumps go ($TMPDIR if absolute, else /tmp). Empty:
	// resolved by New the same way.
	TmpDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// StatusAddr is an optional HTTP listen address for /status and
	// /metrics; "" = off.
	StatusAddr string
	// Busy and Quiet, if set, bracket the daemon's bursts of work
	// (quiet.go). Busy is called on the loop, and must return at once,
	// when a burst begins: start-up, a reload, or a state change after a
	// quiet spell. Quiet is called on a goroutine of its own once the
	// daemon has settled (no state change for 2 s, every instance out of
	// INIT, no delayed gratuitous ARP pending): the moment to return the
	// memory the burst used (without Quiet, the daemon returns its freed
	// heap itself). Quiet is skipped if the next burst has begun, and the
	// two never run at once.
	Busy  func()
	Quiet func()
	// StrictConfig (--strict-config, or keepalived_go_strict_config in
	// global_defs) makes New refuse a configuration with any error, as a
	// reload does. Without it New runs what keepalived 2.2.7 runs: see New.
	StrictConfig bool

	// Test seams (nil = the real thing).
	notifier notifier
	scripts  scriptsFactory
	ifaces   func() ([]hostIface, error) // keepalived.data's Interfaces (dump.go)
	users    userLookup                  // script users (scriptsec.go)
}

// Errors the daemon returns, for errors.Is.
var (
	// ErrConfig means a configuration has errors and was refused.
	ErrConfig = errors.New("daemon: configuration has errors")
	// ErrIncludeCheck is wrapped (beside ErrConfig) when New refuses a
	// configuration because a strict include check failed: keepalived
	// 2.2.7 stops with exit status 6 there, not 2.
	ErrIncludeCheck = errors.New("daemon: a strict include check failed")
	// ErrNotRunning means a request reached a daemon whose loop is not
	// running (before Run, or after it returned).
	ErrNotRunning = errors.New("daemon: not running")
)

// New loads and validates the configuration, logging every finding once
// with its file:line:col and severity before anything else happens. It
// runs what keepalived 2.2.7 runs: a configuration keepalived corrects (a
// priority out of range taken as 100, an unknown keyword skipped, ...) is
// run with keepalived's corrections, and one keepalived refuses at start
// (config.Diagnostic.StopsKeepalived: a missing parameter, a missing
// interface, no VRID, a VRID conflict, a failed strict include) is refused
// with an error wrapping ErrConfig (and ErrIncludeCheck for the include
// case). With Options.StrictConfig or keepalived_go_strict_config, any
// error refuses it. Nothing on the host is touched until Run.
func New(opts Options) (*Daemon, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TmpDir == "" {
		opts.TmpDir = DefaultTmpDir()
	}
	if opts.Load == nil {
		return nil, errors.New("daemon: Options.Load is required")
	}
	if err := checkHost(opts.Host); err != nil {
		return nil, err
	}
	d := newDaemon(opts)
	cfg, err := d.loadConfig(true)
	if err != nil {
		return nil, err
	}
	// keepalived's vrrp_complete_init, before any instance starts.
	d.logSecurityViolation(cfg)
	d.cfg = cfg
	dropPositions(cfg)
	return d, nil
}

// dropPositions forgets where each instance's keywords were written
// (config.Instance.Positions): they serve the findings made while the
// file is loaded and checked, which are over once the daemon has it, and
// they were a tenth of a 1,000-instance daemon's heap (a map per
// instance, about 400 kB; BENCHMARKS-footprint.md, fourth session).
// config.Diff ignores them, so a reload compares the same way.
func dropPositions(cfg *config.Config) {
	for _, in := range cfg.Instances {
		in.Positions = nil
	}
}

// checkHost refuses a host missing a facility the daemon cannot run
// without (VMACs is optional).
func checkHost(h netif.Host) error {
	switch {
	case h.Addresses == nil:
		return errors.New("daemon: Host.Addresses is nil")
	case h.Announcer == nil:
		return errors.New("daemon: Host.Announcer is nil")
	case h.Links == nil:
		return errors.New("daemon: Host.Links is nil")
	case h.Listen == nil:
		return errors.New("daemon: Host.Listen is nil")
	}
	return nil
}

// DefaultTmpDir is keepalived's dump directory: $TMPDIR if it is an absolute
// path, else /tmp.
func DefaultTmpDir() string {
	if t := os.Getenv("TMPDIR"); filepath.IsAbs(t) {
		return t
	}
	return "/tmp"
}

// loadConfig reads the configuration file and logs every finding with its
// position. For a reload (start false) it refuses the configuration whole
// on any error. At start it refuses only what keepalived 2.2.7 refuses,
// unless strict start is asked for (Options.StrictConfig or the
// configuration's own keepalived_go_strict_config).
func (d *Daemon) loadConfig(start bool) (*config.Config, error) {
	cfg, diags, err := d.opts.Load(d.opts.ConfigFile, d.opts.ConfigID)
	if err == nil && cfg != nil {
		// keepalived resolves the script users while it reads the file.
		d.logScriptUsers(cfg)
		diags = append(diags, d.hostFindings(cfg)...)
	}
	for _, dg := range diags {
		lvl := slog.LevelInfo
		switch dg.Severity {
		case config.Error:
			lvl = slog.LevelError
		case config.Warning:
			lvl = slog.LevelWarn
		}
		d.log.Log(context.Background(), lvl, dg.String(), logging.File(dg.Pos.File), slog.Int("line", dg.Pos.Line))
	}
	if err != nil {
		d.log.Error(fmt.Sprintf("Unable to load configuration file %s: %v", d.opts.ConfigFile, err), logging.File(d.opts.ConfigFile), logging.Err(err))
		return nil, fmt.Errorf("daemon: load %s: %w", d.opts.ConfigFile, err)
	}
	if cfg == nil {
		return nil, fmt.Errorf("daemon: load %s: no configuration", d.opts.ConfigFile)
	}
	n := countErrors(diags)
	if start && cfg.Global.ReloadCheckConfig && config.ConfigTestExit(diags) != 0 {
		// keepalived 2.2.7's start_vrrp: with reload_check_config, a file
		// with anything -t reports (a warning too) stops the VRRP process
		// with KEEPALIVED_EXIT_CONFIG.
		d.log.Error(fmt.Sprintf("reload_check_config: refusing %s, which -t does not pass", d.opts.ConfigFile))
		return nil, fmt.Errorf("%w: %s: reload_check_config and findings -t reports", ErrConfig, d.opts.ConfigFile)
	}
	if n == 0 {
		return cfg, nil
	}
	code := diags.StartExit()
	switch {
	case !start:
		return nil, fmt.Errorf("%w: %s: %d error(s)", ErrConfig, d.opts.ConfigFile, n)
	case code == config.ExitStartIncludes:
		return nil, fmt.Errorf("%w: %w: %s", ErrConfig, ErrIncludeCheck, d.opts.ConfigFile)
	case code != config.ExitOK:
		return nil, fmt.Errorf("%w: %s: %d error(s), keepalived would not run it either", ErrConfig, d.opts.ConfigFile, n)
	case d.opts.StrictConfig || cfg.Global.StrictConfig:
		d.log.Error(fmt.Sprintf("Strict configuration start: refusing %s, which has %d error(s)", d.opts.ConfigFile, n), logging.File(d.opts.ConfigFile), slog.Int("errors", n))
		return nil, fmt.Errorf("%w: %s: %d error(s)", ErrConfig, d.opts.ConfigFile, n)
	}
	d.log.Warn(fmt.Sprintf("Configuration %s has %d error(s) that keepalived corrects or skips: running it as keepalived would (--strict-config refuses it)", d.opts.ConfigFile, n), logging.File(d.opts.ConfigFile), slog.Int("errors", n))
	return cfg, nil
}

// hostFindings are keepalived's host checks (an interface the
// configuration names does not exist): keepalived's VRRP process exits on
// them at start (reference 2), so New refuses such a configuration, and a
// reload refuses it whole while the running one goes on.
func (d *Daemon) hostFindings(cfg *config.Config) config.Diagnostics {
	return config.CheckHost(cfg, func(name string) bool {
		_, err := d.opts.Host.Links.Lookup(name)
		return err == nil
	})
}

func countErrors(ds config.Diagnostics) int {
	n := 0
	for _, d := range ds {
		if d.Severity == config.Error {
			n++
		}
	}
	return n
}

// PlanReload is what a reload from running to next would do (for
// `keepalived reload --plan`).
func PlanReload(running, next *config.Config) config.Plan {
	return config.Diff(running, next)
}

// Config returns the configuration the daemon runs (or will run, before
// Run). It must not be modified.
func (d *Daemon) Config() *config.Config {
	var c *config.Config
	if err := d.do(func() error { c = d.cfg; return nil }); err != nil {
		return d.lastCfg.Load() // Run has returned: what it last ran
	}
	return c
}

// Plan loads the configuration file again and returns what Reload would do,
// without applying it. A configuration with errors yields an error listing
// every error finding with its position.
func (d *Daemon) Plan() (config.Plan, error) {
	next, diags, err := d.opts.Load(d.opts.ConfigFile, d.opts.ConfigID)
	if err != nil {
		return config.Plan{}, fmt.Errorf("daemon: load %s: %w", d.opts.ConfigFile, err)
	}
	if next != nil {
		diags = append(diags, d.hostFindings(next)...)
	}
	var errs []string
	for _, dg := range diags {
		if dg.Severity == config.Error {
			errs = append(errs, dg.String())
		}
	}
	if len(errs) > 0 || next == nil {
		return config.Plan{}, fmt.Errorf("%w (a reload would be refused):\n%s", ErrConfig, strings.Join(errs, "\n"))
	}
	return PlanReload(d.Config(), next), nil
}

// Reload re-reads the configuration file and applies it as a diff (SIGHUP).
// It is safe from any goroutine: the file is parsed in the caller's
// goroutine, and the loop applies the plan between two events, so running
// masters send their adverts without a gap. A configuration with any error
// is refused whole (every finding logged with its position) and the running
// one goes on untouched.
func (d *Daemon) Reload() error {
	if d.state.Load() == 2 {
		return ErrNotRunning
	}
	d.log.Info("Reloading")
	// The parse is a burst of work whether or not the new configuration
	// is taken (quiet.go): the loop calls Options.Busy before it starts,
	// and Options.Quiet once the daemon has settled again.
	if err := d.do(func() error { d.busy(d.opts.Now()); return nil }); err != nil {
		return err
	}
	next, err := d.loadConfig(false)
	if err != nil {
		d.log.Error("configuration has errors - keeping the running configuration", logging.File(d.opts.ConfigFile))
		return err
	}
	var running *config.Config
	if err := d.do(func() error { running = d.cfg; return nil }); err != nil {
		return err
	}
	// Models are never modified once loaded, so the plan is computed here,
	// off the loop; if another reload won the race it is computed again.
	plan := config.Diff(running, next)
	lines := planLines(plan)
	return d.do(func() error {
		if d.cfg != running {
			plan = config.Diff(d.cfg, next)
			lines = planLines(plan)
		}
		return d.applyPlan(d.opts.Now(), next, plan, lines)
	})
}

// DumpData writes keepalived.data (SIGUSR1).
func (d *Daemon) DumpData() error {
	return d.do(func() error { return d.writeData(d.opts.Now()) })
}

// DumpStats writes keepalived.stats (SIGUSR2); clear zeroes the counters
// afterwards (STATS_CLEAR).
func (d *Daemon) DumpStats(clear bool) error {
	return d.do(func() error { return d.writeStats(clear) })
}

// DumpJSON writes keepalived.json (the JSON signal).
func (d *Daemon) DumpJSON() error {
	return d.do(func() error { return d.writeJSON(d.opts.Now()) })
}
