package process

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/keepalived-go/keepalived/logging"
)

// ReloadSettings are the global_defs keywords the parent acts on at a
// reload (keepalived 2.2.7 main.c start_reload, reload_config,
// create_reload_file): with CheckLog set (reload_check_config), the new
// file is first checked by `keepalived ARGS --config-test=CheckLog`, and
// a file that fails is not reloaded ("New config failed validation, see
// LOG for details"); with File set (reload_file), that file exists, mode
// 0644, while the parent reads the configuration (during the check when
// there is one, else during its own read).
type ReloadSettings struct {
	CheckLog string
	File     string
	// TimeFile and Repeat are reload_time_file and reload_repeat
	// (reloadtime.go).
	TimeFile string
	Repeat   bool
}

// reloadCheckTimeout is how long the check may run (keepalived gives it
// 5 s, then SIGTERM, then SIGKILL 2 s later).
const reloadCheckTimeout = 5 * time.Second

// createReloadFile makes the reload marker, 0644 whatever the umask.
func createReloadFile(path string, lg *slog.Logger) {
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		lg.Info("Failed to create reload file ("+path+") - "+err.Error(), logging.File(path), logging.Err(err))
		return
	}
	_ = f.Chmod(0o644)
	f.Close()
}

func removeReloadFile(path string) {
	if path != "" {
		os.Remove(path)
	}
}

// reloadChecked is the end of a reload check: ok when the new file passed.
type reloadChecked struct{ ok bool }

// startReloadCheck runs the configuration test for a reload in the
// background and reports on s.checked.
func (s *Supervisor) startReloadCheck() {
	set := s.Reload
	if f, err := os.OpenFile(set.CheckLog, os.O_WRONLY|os.O_TRUNC, 0); err == nil {
		f.Close()
	} else if !os.IsNotExist(err) {
		s.Logger.Info("truncate of config check log "+set.CheckLog+" failed - "+err.Error(), logging.File(set.CheckLog))
	}
	createReloadFile(set.File, s.Logger)
	cmd := exec.Command(selfExe, append(append([]string(nil), s.Args...), "--config-test="+set.CheckLog)...)
	cmd.Args[0] = s.Prog
	cmd.Dir = s.Cwd
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.startCmd(cmd); err != nil {
		removeReloadFile(set.File)
		s.Logger.Info("Could not run config-test", logging.Err(err))
		return
	}
	s.checking = true
	go func() {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(reloadCheckTimeout):
			s.Logger.Info("config check timed out")
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case err = <-done:
			case <-time.After(2 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				err = <-done
			}
		}
		removeReloadFile(set.File)
		if err != nil {
			s.Logger.Info("New config failed validation, see "+set.CheckLog+" for details", logging.File(set.CheckLog))
		}
		s.checked <- reloadChecked{ok: err == nil}
	}()
}

// reloadNow re-reads the parent's settings (with the reload file around
// the read unless a check just read the file) and tells the child.
func (s *Supervisor) reloadNow(afterCheck bool) {
	// keepalived's parent, which re-reads the file before it signals the
	// child.
	s.logf("Reloading ...")
	if s.ConfigFile != "" {
		s.logf("Configuration file " + s.ConfigFile)
	}
	if s.ReloadRead != nil {
		file := s.Reload.File
		if !afterCheck {
			createReloadFile(file, s.Logger)
		}
		s.Reload = s.ReloadRead()
		if !afterCheck {
			removeReloadFile(file)
		}
	}
	if s.child != nil {
		s.child.cmd.Process.Signal(syscall.SIGHUP)
	}
	s.restartReloadTimer()
}

// hangup is a reload asked for (SIGHUP, or the reload time reached) while
// a child runs: checked first with reload_check_config, queued behind a
// check that runs.
func (s *Supervisor) hangup() {
	switch {
	case s.checking:
		s.reloadQueued = true // keepalived queues it too
	case s.Reload.CheckLog != "":
		s.startReloadCheck()
	default:
		s.reloadNow(false)
	}
}

// restartReloadTimer (re)starts the watch of reload_time_file with the
// current settings (keepalived restarts its monitor at each reload).
func (s *Supervisor) restartReloadTimer() {
	if s.stopTimer != nil {
		s.stopTimer()
		s.stopTimer = nil
	}
	if s.Reload.TimeFile == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopTimer = cancel
	r := &reloadTimer{file: s.Reload.TimeFile, repeat: s.Reload.Repeat, log: s.Logger, fire: s.timed}
	go r.run(ctx)
}
