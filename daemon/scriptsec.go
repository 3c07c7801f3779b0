package daemon

import (
	"errors"
	"fmt"
	"os/user"
	"slices"
	"strings"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
)

// The two script-security lines keepalived 2.2.7's VRRP process logs on
// every load (start and reload), at LOG_INFO:
//
//   - "Script user 'NAME' does not exist" (and "Script group 'NAME' does not
//     exist") while the file is read, from lib/notify.c set_uid_gid: for
//     global_defs script_user, for each `user` given to a vrrp_script or
//     after a notify script's words, and once per load for the default user
//     keepalived_script, the first time a command without a user of its own
//     is read (get_default_script_user caches the answer until the next
//     load; with script_user given it never looks keepalived_script up);
//   - "SECURITY VIOLATION - scripts are being executed but script_security
//     not enabled." after the configuration is complete
//     (vrrp.c check_vrrp_script_security, called from vrrp_complete_init:
//     after the scripts' "considered successful on reload" on a reload,
//     before any instance starts on a start), when an instance exists and
//     at least one script file was found and enable_script_security is off.

// userLookup tells whether a user or group exists; err is any lookup
// failure other than "unknown" (keepalived's "Unable to resolve ..." lines).
type userLookup struct {
	user  func(name string) (found bool, err error)
	group func(name string) (found bool, err error)
}

// osUsers looks users and groups up as the daemon runs scripts
// (os/user: /etc/passwd and /etc/group without cgo).
var osUsers = userLookup{
	user: func(name string) (bool, error) {
		_, err := user.Lookup(name)
		var unknown user.UnknownUserError
		if errors.As(err, &unknown) {
			return false, nil
		}
		return err == nil, err
	},
	group: func(name string) (bool, error) {
		_, err := user.LookupGroup(name)
		var unknown user.UnknownGroupError
		if errors.As(err, &unknown) {
			return false, nil
		}
		return err == nil, err
	},
}

// userRef is one place where keepalived's parser resolves a script user:
// a named user (and group), or the default (name empty).
type userRef struct {
	pos         config.Pos
	name, group string
}

// scriptUserRefs lists, in file order, where keepalived's VRRP process
// resolves a script user while it reads cfg. global_defs' script_user,
// notify_fifo and vrrp_notify_fifo carry no position in our model: they
// sort first (global_defs is read before the instances in practice).
func scriptUserRefs(cfg *config.Config) []userRef {
	var refs []userRef
	cmd := func(c *config.Command) {
		if c != nil {
			refs = append(refs, userRef{pos: c.Pos, name: c.User, group: c.Group})
		}
	}
	g := &cfg.Global
	for _, f := range []*config.Fifo{g.NotifyFifo, g.VRRPNotifyFifo} {
		if f == nil {
			continue
		}
		if f.Path != "" {
			refs = append(refs, userRef{name: f.User, group: f.Group})
		}
		cmd(f.Script)
	}
	cmd(g.StartupScript)
	cmd(g.ShutdownScript)
	for _, s := range cfg.Scripts {
		refs = append(refs, userRef{pos: s.Pos, name: s.User, group: s.Group})
	}
	notify := func(n *config.Notify) {
		for _, c := range []*config.Command{n.Backup, n.Master, n.Fault, n.Stop, n.Deleted, n.Generic, n.MasterRxLowerPri} {
			cmd(c)
		}
	}
	for _, in := range cfg.Instances {
		notify(&in.Notify)
	}
	for _, sg := range cfg.SyncGroups {
		notify(&sg.Notify)
	}
	fileIdx := func(f string) int {
		if i := slices.Index(cfg.Files, f); i >= 0 {
			return i
		}
		return len(cfg.Files)
	}
	slices.SortStableFunc(refs, func(a, b userRef) int {
		if a.pos.File != b.pos.File {
			if a.pos.File == "" || b.pos.File == "" {
				return strings.Compare(a.pos.File, b.pos.File)
			}
			return fileIdx(a.pos.File) - fileIdx(b.pos.File)
		}
		if a.pos.Line != b.pos.Line {
			return a.pos.Line - b.pos.Line
		}
		return a.pos.Col - b.pos.Col
	})
	return refs
}

// scriptUserLines are the lines keepalived's parser logs while it resolves
// the script users of cfg (see the top of this file), in its order.
func scriptUserLines(cfg *config.Config, lk userLookup) []string {
	var lines []string
	// resolve is set_uid_gid: true when the user (and group) exist.
	resolve := func(name, group string) bool {
		found, err := lk.user(name)
		switch {
		case err != nil:
			lines = append(lines, fmt.Sprintf("Unable to resolve script username '%s' - ignoring", name))
			return false
		case !found:
			lines = append(lines, fmt.Sprintf("Script user '%s' does not exist", name))
			return false
		case group == "":
			return true
		}
		found, err = lk.group(group)
		switch {
		case err != nil:
			lines = append(lines, fmt.Sprintf("Unable to resolve script group name '%s' - ignoring", group))
		case !found:
			lines = append(lines, fmt.Sprintf("Script group '%s' does not exist", group))
		}
		return found && err == nil
	}
	g := &cfg.Global
	defaultDone := false // get_default_script_user's cache
	if g.ScriptUser != "" {
		resolve(g.ScriptUser, g.ScriptGroup)
		defaultDone = true
	}
	for _, r := range scriptUserRefs(cfg) {
		switch {
		case r.name != "":
			resolve(r.name, r.group)
		case !defaultDone:
			defaultDone = true
			resolve(checker.DefaultScriptUser, "")
		}
	}
	return lines
}

// securityViolation is the VRRP process's SECURITY VIOLATION line for cfg,
// or "" (checker.CheckSecurity decides it as `-t` does; the start/shutdown
// scripts' line is the parent's).
func securityViolation(cfg *config.Config) string {
	for _, dg := range checker.CheckSecurity(cfg) {
		if dg.Class == config.ClassSecurity && strings.HasPrefix(dg.Msg, "SECURITY VIOLATION - scripts ") {
			return dg.Msg
		}
	}
	return ""
}

// logScriptUsers logs scriptUserLines for a configuration just read.
func (d *Daemon) logScriptUsers(cfg *config.Config) {
	for _, l := range scriptUserLines(cfg, d.users()) {
		d.log.Info(l)
	}
}

// logSecurityViolation logs securityViolation for a configuration being
// put in place.
func (d *Daemon) logSecurityViolation(cfg *config.Config) {
	if msg := securityViolation(cfg); msg != "" {
		d.log.Info(msg)
	}
}

// users is the host's user database (tests inject one).
func (d *Daemon) users() userLookup {
	if d.opts.users.user != nil {
		return d.opts.users
	}
	return osUsers
}
