package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/keepalived-go/keepalived/daemon"
	"github.com/keepalived-go/keepalived/process"
)

// daemonFlags are the options that find a running keepalived: its pidfiles
// (and so its control socket), as the daemon was started with them.
type daemonFlags struct {
	pidFile, vrrpPidFile, namespace, format string
}

func (f *daemonFlags) register(c *cobra.Command) {
	c.Flags().StringVarP(&f.pidFile, "pid", "p", "", "the running daemon's parent pidfile (as given to it with -p)")
	c.Flags().StringVarP(&f.vrrpPidFile, "vrrp_pid", "r", "", "the running daemon's VRRP pidfile (as given to it with -r)")
	c.Flags().StringVarP(&f.namespace, "namespace", "s", "", "the -s the daemon was started with (its pidfiles are under /run/keepalived)")
	c.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
}

func (f *daemonFlags) paths() process.Paths {
	abs := func(p string) string {
		if p == "" {
			return p
		}
		a, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		return a
	}
	return process.PidfilePaths(abs(f.pidFile), abs(f.vrrpPidFile), f.namespace != "", "")
}

// ask sends a request to the running daemon, with a message an operator
// can act on when there is none.
func (f *daemonFlags) ask(req daemon.ControlRequest) (daemon.ControlResponse, error) {
	p := f.paths()
	pid, err := process.ReadPidfile(p.VRRP)
	if err != nil || !process.IsKeepalived(pid) || syscall.Kill(pid, 0) != nil {
		return daemon.ControlResponse{}, fmt.Errorf("no running keepalived VRRP process (pidfile %s)", p.VRRP)
	}
	resp, err := daemon.AskControl(process.ControlSocketPath(p.VRRP), req)
	if err != nil {
		return resp, fmt.Errorf("keepalived (pid %d) did not answer on %s: %w", pid, process.ControlSocketPath(p.VRRP), err)
	}
	return resp, nil
}

func (a *app) newReloadCmd() *cobra.Command {
	var f daemonFlags
	var plan bool
	var configFile string
	c := &cobra.Command{
		Use:   "reload [--plan] [-f FILE]",
		Short: "Reload the running daemon (SIGHUP), or with --plan show what a reload would do",
		Long: `reload sends SIGHUP to the running keepalived, as systemctl reload does.

With --plan it changes nothing: the running daemon parses the configuration
file (its own, or -f FILE) and prints the diff it would apply: instances
removed, kept (and what changes in them) and added, VIPs added and removed.
A configuration with errors prints its errors: a reload would refuse it and
keep running the current configuration. Exit status: 0 plan shown, 1 no
daemon to ask, 2 the configuration has errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if !plan {
				p := f.paths()
				pid, err := process.ReadPidfile(p.Main)
				if err != nil || !process.IsKeepalived(pid) {
					fmt.Fprintf(cmd.ErrOrStderr(), "no running keepalived (pidfile %s)\n", p.Main)
					return exitError(exitFatal)
				}
				if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "cannot signal keepalived (pid %d): %v\n", pid, err)
					return exitError(exitFatal)
				}
				fmt.Fprintf(out, "SIGHUP sent to keepalived (pid %d)\n", pid)
				return nil
			}
			if configFile != "" {
				if abs, err := filepath.Abs(configFile); err == nil {
					configFile = abs
				}
			}
			resp, err := f.ask(daemon.ControlRequest{Op: "plan", ConfigFile: configFile})
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError(exitFatal)
			}
			if f.format == "json" {
				writeJSONOut(out, resp)
			} else {
				writePlanText(out, resp)
			}
			if resp.Refused {
				return exitError(exitConfig)
			}
			return nil
		},
	}
	f.register(c)
	c.Flags().BoolVar(&plan, "plan", false, "show what a reload would do, without doing it")
	c.Flags().StringVarP(&configFile, "use-file", "f", "", "plan for this configuration file instead of the daemon's own")
	return c
}

func writePlanText(w io.Writer, resp daemon.ControlResponse) {
	if resp.Running != nil {
		fmt.Fprintf(w, "running configuration: %v (sha256 %.12s)\n", resp.Running.Files, resp.Running.SHA256)
	}
	for _, d := range resp.Diagnostics {
		fmt.Fprintln(w, d)
	}
	if resp.Refused {
		fmt.Fprintln(w, "reload would be REFUSED: the configuration has errors; the running configuration would go on")
		return
	}
	if resp.PlanEmpty {
		fmt.Fprintln(w, "no change: a reload would leave every instance, VIP, route and script as it is")
		return
	}
	fmt.Fprint(w, resp.PlanText)
	if n := len(resp.PlanText); n > 0 && resp.PlanText[n-1] != '\n' {
		fmt.Fprintln(w)
	}
}

func writeJSONOut(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func (a *app) newStatusCmd() *cobra.Command {
	var f daemonFlags
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the running daemon: processes, configuration, instances",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			resp, err := f.ask(daemon.ControlRequest{Op: "status"})
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError(3) // LSB "program is not running"
			}
			if resp.Status == nil {
				return errors.New("cli: status: empty answer")
			}
			out := cmd.OutOrStdout()
			if f.format == "json" {
				writeJSONOut(out, resp.Status)
				return nil
			}
			s := resp.Status
			fmt.Fprintf(out, "%s\n", s.Version)
			fmt.Fprintf(out, "parent pid %d, VRRP child pid %d, running since %s\n", s.ParentPID, s.PID, s.Started.Format("2006-01-02 15:04:05 MST"))
			if s.LastReload != nil {
				fmt.Fprintf(out, "last reload %s\n", s.LastReload.Format("2006-01-02 15:04:05 MST"))
			}
			fmt.Fprintf(out, "configuration %s (sha256 %.12s)", s.ConfigFile, s.Config.SHA256)
			if s.ChangedOnDisk {
				fmt.Fprintf(out, " - CHANGED ON DISK since it was loaded (see: keepalived reload --plan)")
			}
			fmt.Fprintln(out)
			for _, in := range s.Instances {
				fmt.Fprintf(out, "  %s: %s vrid %d priority %d, %d VIP(s)", in.Name, in.Interface, in.VRID, in.BasePriority, len(in.VIPs))
				if in.State != "" {
					fmt.Fprintf(out, ": %s, effective priority %d", in.State, in.EffectivePriority)
					if in.State == "BACKUP" && in.MasterAddr != "" {
						fmt.Fprintf(out, ", master %s priority %d", in.MasterAddr, in.MasterPriority)
					}
				}
				if in.SyncGroup != "" {
					fmt.Fprintf(out, " (sync group %s)", in.SyncGroup)
				}
				fmt.Fprintln(out)
				if in.Reason != nil && in.Reason.Text != "" {
					fmt.Fprintf(out, "    %s\n", in.Reason.Text)
				}
				for _, c := range in.Conflicts {
					fmt.Fprintf(out, "    VIP CONFLICT: %s on %s also answered by %s (first %s, last %s, %d time(s))\n",
						c.VIP, c.Dev, c.MAC, c.First.Format("15:04:05"), c.Last.Format("15:04:05"), c.Episodes)
				}
			}
			if m := s.Mail; m != nil {
				fmt.Fprintf(out, "e-mail alerts via %s: %d sent, %d failed, %d dropped\n", m.Server, m.Sent, m.Failed, m.Dropped)
			}
			return nil
		},
	}
	f.register(c)
	return c
}
