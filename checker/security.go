package checker

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/keepalived-go/keepalived/config"
)

// POSIX permission bits that package syscall does not name on every
// system (FreeBSD lacks the group and other ones).
const (
	modeIWOTH = 0o002
	modeIXGRP = 0o010
	modeIWGRP = 0o020
)

// ErrNoUser is wrapped by errors resolving a script user or group.
var ErrNoUser = errors.New("checker: no such user or group")

// DefaultScriptUser is the user keepalived runs scripts as when script_user
// is not given and the user exists.
const DefaultScriptUser = "keepalived_script"

// Identity is the uid and gid a script runs as.
type Identity struct {
	UID, GID uint32
}

// ourIdentity is the daemon's own uid and gid.
func ourIdentity() Identity {
	return Identity{UID: uint32(os.Geteuid()), GID: uint32(os.Getegid())}
}

// LookupIdentity resolves `USER [GROUP]` as keepalived's set_uid_gid does:
// the user's uid and primary group, or the named group instead.
func LookupIdentity(userName, groupName string) (Identity, error) {
	u, err := user.Lookup(userName)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: script user '%s'", ErrNoUser, userName)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	if groupName != "" {
		g, err := user.LookupGroup(groupName)
		if err != nil {
			return Identity{}, fmt.Errorf("%w: script group '%s'", ErrNoUser, groupName)
		}
		gid, _ = strconv.ParseUint(g.Gid, 10, 32)
	}
	return Identity{UID: uint32(uid), GID: uint32(gid)}, nil
}

// DefaultIdentity is keepalived's default script user (section 4.4):
// script_user (and its group) if given; else keepalived_script if that user
// exists; else the daemon's own uid and gid. ok is false when scripts without
// their own user must be dropped: script_user names no user, or script
// security is on and neither script_user nor keepalived_script exists. msg is
// the line keepalived reports in that case.
func DefaultIdentity(scriptUser, scriptGroup string, security bool) (id Identity, ok bool, msg string) {
	if scriptUser != "" {
		id, err := LookupIdentity(scriptUser, scriptGroup)
		if err != nil {
			return Identity{}, false, "Error setting global script uid/gid"
		}
		return id, true, ""
	}
	if id, err := LookupIdentity(DefaultScriptUser, ""); err == nil {
		return id, true, ""
	}
	if security {
		return Identity{}, false, "Unable to set default user " + DefaultScriptUser + " for script"
	}
	return ourIdentity(), true, ""
}

// secFlags are keepalived's SC_* script check results.
type secFlags uint

const (
	scIsScript   secFlags = 1 << iota // the file was found and examined
	scExecutable                      // executable by the script's uid/gid
	scInsecure                        // unsafe permissions somewhere on the path
	scInhibit                         // must not run (insecure with security on, wrong type)
	scNotFound                        // not found or not accessible
	scSystem                          // the `</path` special case, run through /bin/sh
)

// Program is a command resolved and checked as keepalived does before it
// runs scripts (lib/notify.c check_script_secure): PATH search for a bare
// name, symlinks resolved, executability for the script's uid/gid, the
// security walk, and whether it is run directly or through /bin/sh.
type Program struct {
	// Argv is what runs: Argv[0] is the resolved path (or the `<...` word).
	Argv []string
	// Shell is true when the words are handed to /bin/sh -c, each single
	// quoted (a file without a shebang or ELF header, as keepalived built
	// with libmagic does), or for the `</dev/tcp/...` special case.
	Shell bool
	// system marks the `<` special case: the first word is not quoted.
	system bool
	Identity
	// Insecure is true when unsafe permissions were found but the script
	// may still run (enable_script_security off).
	Insecure bool
}

// check is the result of resolving one command.
type check struct {
	prog  *Program // nil when the command must not run
	flags secFlags
	logs  []string // keepalived's log lines for what was found
}

// isExecutable is keepalived's is_executable: root may run anything with an
// x bit; otherwise owner, group or other bits by who we are.
func isExecutable(st *syscall.Stat_t, id Identity) bool {
	m := st.Mode
	return (id.UID == 0 && m&0o111 != 0) ||
		(id.UID == st.Uid && m&0o100 != 0) ||
		(id.UID != st.Uid && ((id.GID == st.Gid && m&0o010 != 0) ||
			(id.GID != st.Gid && m&0o001 != 0)))
}

func stat(path string) (*syscall.Stat_t, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// findPath searches $PATH (glibc's confstr default if unset) for a bare
// command name, accepting the first regular file executable by id.
func findPath(name string, id Identity) (string, error) {
	path, ok := os.LookupEnv("PATH")
	if !ok {
		path = "/bin:/usr/bin"
	}
	denied := false
	for _, dir := range strings.Split(path, ":") {
		cand := name
		if dir != "" {
			cand = dir + "/" + name
		}
		st, err := stat(cand)
		if err != nil {
			continue
		}
		if st.Mode&syscall.S_IFMT != syscall.S_IFREG || !isExecutable(st, id) {
			denied = true
			continue
		}
		return cand, nil
	}
	if denied {
		return "", syscall.EACCES
	}
	return "", syscall.ENOENT
}

// searchable reports whether id may search every directory leading to the
// resolved path (root always may).
func searchable(path string, id Identity) bool {
	if id.UID == 0 {
		return true
	}
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		st, err := stat(d)
		if err != nil || !isExecutable(st, id) {
			return false
		}
		if d == "/" {
			return true
		}
	}
}

// isSystem reports keepalived's special case of a command that only tests
// that a path can be opened: `<`, optional blanks, then `/`.
func isSystem(word string) bool {
	if !strings.HasPrefix(word, "<") {
		return false
	}
	rest := strings.TrimLeft(word[1:], " \t")
	return strings.HasPrefix(rest, "/")
}

// resolve checks argv for running as id, as check_script_secure does.
func resolve(argv []string, id Identity, security bool) check {
	var c check
	if len(argv) == 0 || argv[0] == "" {
		c.flags = scNotFound
		c.logs = append(c.logs, "Script is empty - disabling")
		return c
	}
	if isSystem(argv[0]) {
		c.flags = scSystem
		c.prog = &Program{Argv: argv, Shell: true, system: true, Identity: id}
		return c
	}
	argv = append([]string(nil), argv...)
	if !strings.Contains(argv[0], "/") {
		found, err := findPath(argv[0], id)
		if err != nil {
			if errors.Is(err, syscall.EACCES) {
				c.logs = append(c.logs, fmt.Sprintf("Permissions failure for script %s in path - disabling", argv[0]))
			} else {
				c.logs = append(c.logs, fmt.Sprintf("Cannot find script %s in path - disabling", argv[0]))
			}
			c.flags = scNotFound
			return c
		}
		c.logs = append(c.logs, fmt.Sprintf("WARNING - script `%s` resolved by path search to `%s`. Please specify full path.", argv[0], found))
		argv[0] = found
	}

	abs, err := filepath.Abs(argv[0])
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err == nil && !searchable(abs, id) {
		// keepalived resolves the path as the script's user: a directory it
		// cannot search hides the script.
		err = syscall.EACCES
	}
	if err != nil {
		var pe *os.PathError
		reason := err.Error()
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
		c.logs = append(c.logs, fmt.Sprintf("Script %s cannot be accessed - %s", argv[0], reason))
		c.flags = scNotFound
		return c
	}
	// Keep the name the command was called by when the real file has a
	// different name but the called name resolves to it in the real
	// directory (some programs behave by their name).
	realFile := ""
	newPath := abs
	if argv[0] != abs {
		if filepath.Base(argv[0]) != filepath.Base(abs) {
			cand := filepath.Join(filepath.Dir(abs), filepath.Base(argv[0]))
			rs, errR := stat(abs)
			ns, errN := stat(cand)
			if errR == nil && (errN != nil || rs.Dev != ns.Dev || rs.Ino != ns.Ino) {
				newPath = abs
			} else {
				realFile, newPath = abs, cand
			}
		}
		argv[0] = newPath
	}
	target := argv[0]
	if realFile != "" {
		target = realFile
	}
	st, err := stat(target)
	if err != nil {
		c.logs = append(c.logs, fmt.Sprintf("Unable to access script `%s` - disabling", argv[0]))
		c.flags = scNotFound
		return c
	}
	c.flags = scIsScript
	protect := false
	if isExecutable(st, id) {
		c.flags |= scExecutable
		protect = id.UID == 0 || id.GID == 0 ||
			(st.Uid == 0 && st.Mode&syscall.S_IXUSR != 0 && st.Mode&syscall.S_ISUID != 0) ||
			(st.Gid == 0 && st.Mode&modeIXGRP != 0 && st.Mode&syscall.S_ISGID != 0)
	} else {
		c.logs = append(c.logs, fmt.Sprintf("WARNING - script '%s' is not executable for uid:gid %d:%d - disabling.", argv[0], id.UID, id.GID))
	}
	if protect {
		f, logs := securityWalk(argv[0], security)
		c.flags |= f
		c.logs = append(c.logs, logs...)
		if realFile != "" {
			f, logs := securityWalk(realFile, security)
			c.flags |= f
			c.logs = append(c.logs, logs...)
		}
	}
	if c.flags&(scInhibit|scNotFound) != 0 || c.flags&scExecutable == 0 {
		return c
	}
	c.prog = &Program{Argv: argv, Shell: !directlyExecutable(target), Identity: id, Insecure: c.flags&scInsecure != 0}
	if c.prog.Shell {
		c.logs = append(c.logs, fmt.Sprintf("Please add a #! shebang to script %s", argv[0]))
	}
	return c
}

// directlyExecutable reports whether the kernel can exec the file itself:
// it starts with a shebang or is an ELF binary. Anything else is run through
// /bin/sh, as keepalived does when libmagic does not call it executable.
func directlyExecutable(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true // let execve report it
	}
	defer f.Close()
	var b [4]byte
	n, _ := io.ReadFull(f, b[:])
	s := string(b[:n])
	return strings.HasPrefix(s, "#!") || s == "\x7fELF"
}

// securityWalk is keepalived's check_security: every component of path from
// `/` down must be owned by root, and (for directories without the sticky
// bit, and for the file) not writable by a non-root group or by others.
// The last component may be a symbolic link (its target is walked by the
// caller).
func securityWalk(path string, security bool) (secFlags, []string) {
	var prefixes []string
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			if i == 0 {
				prefixes = append(prefixes, "/")
			} else {
				prefixes = append(prefixes, path[:i])
			}
		}
	}
	prefixes = append(prefixes, path)
	for i, p := range prefixes {
		last := i == len(prefixes)-1
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
				return scNotFound, []string{fmt.Sprintf("check_script_secure could not find script '%s' - disabling", path)}
			}
			return scNotFound, []string{fmt.Sprintf("check_script_secure('%s') returned errno %d - %s - disabling", path, err.(syscall.Errno), err)}
		}
		typ := st.Mode & syscall.S_IFMT
		isDir, isReg := typ == syscall.S_IFDIR, typ == syscall.S_IFREG
		if (!last && !isDir) || (last && !isReg && typ != syscall.S_IFLNK) {
			return scInhibit, []string{fmt.Sprintf("Wrong file type found in script path '%s'.", path)}
		}
		if st.Uid != 0 ||
			(((isDir && st.Mode&syscall.S_ISVTX == 0) || isReg) &&
				((st.Gid != 0 && st.Mode&modeIWGRP != 0) || st.Mode&modeIWOTH != 0)) {
			suffix := ""
			f := scInsecure
			if security {
				suffix = " - disabling"
				f |= scInhibit
			}
			return f, []string{fmt.Sprintf("Unsafe permissions found for script '%s'%s.", path, suffix)}
		}
	}
	return 0, nil
}

// CommandString is keepalived's cmd_str: the words joined by blanks, each
// single-quoted, except a first word starting with `<` or `>`. Embedded
// single quotes are escaped (keepalived leaves them, breaking the line).
func CommandString(argv []string) string {
	var b strings.Builder
	for i, w := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i == 0 && (strings.HasPrefix(w, "<") || strings.HasPrefix(w, ">")) {
			b.WriteString(w)
			continue
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(w, "'", `'\''`))
		b.WriteByte('\'')
	}
	return b.String()
}

// commandIdentity is the identity a command with optional own user/group
// runs as, given the default. ok false means the command must be dropped.
func commandIdentity(userName, groupName string, def Identity, defOK bool) (Identity, bool) {
	if userName != "" {
		id, err := LookupIdentity(userName, groupName)
		return id, err == nil
	}
	return def, defOK
}

// ResolveCommand resolves and checks a notify-style command (own user and
// group in cmd.User / cmd.Group, else the default identity). prog is nil
// when keepalived would not run it (not found, not executable, insecure with
// security on, unknown user); logs are keepalived's lines about it.
func ResolveCommand(cmd *config.Command, def Identity, defOK, security bool) (prog *Program, logs []string) {
	if cmd == nil {
		return nil, nil
	}
	id, ok := commandIdentity(cmd.User, cmd.Group, def, defOK)
	if !ok {
		if cmd.User != "" {
			return nil, []string{fmt.Sprintf("Invalid user/group for script %s - ignoring", firstWord(cmd.Argv))}
		}
		return nil, []string{fmt.Sprintf("Failed to set default user for script %s - ignoring", firstWord(cmd.Argv))}
	}
	c := resolve(cmd.Argv, id, security)
	if c.flags&scExecutable == 0 {
		// Notify scripts need an executable file (keepalived drops even the
		// `<` special case here).
		return nil, c.logs
	}
	return c.prog, c.logs
}

func firstWord(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	return argv[0]
}

// CheckSecurity runs keepalived's script checks on a whole configuration,
// as `keepalived -t` reports them (check_vrrp_script_security and the
// start/shutdown script check): track scripts that will be disabled
// (Warning, config.ClassGeneral), notify scripts that will not run (Warning,
// no keepalived class: keepalived only logs them), and the SECURITY
// VIOLATION line when scripts run without enable_script_security
// (config.ClassSecurity, which makes `-t` exit 6).
func CheckSecurity(cfg *config.Config) config.Diagnostics {
	var ds config.Diagnostics
	g := &cfg.Global
	security := g.EnableScriptSecurity
	var mainPos config.Pos
	if len(cfg.Files) > 0 {
		mainPos.File = cfg.Files[0]
	}
	def, defOK, defMsg := DefaultIdentity(g.ScriptUser, g.ScriptGroup, security)
	// A bad script_user is reported where it is read; the missing
	// keepalived_script user only when a command needs the default.
	if defMsg != "" && (g.ScriptUser != "" || defaultNeeded(cfg)) {
		ds = append(ds, config.Diagnostic{Pos: mainPos, Severity: config.Warning, Class: config.ClassGeneral, Msg: defMsg})
	}

	if len(cfg.Instances) > 0 {
		var flags secFlags
		for _, s := range cfg.Scripts {
			_, f, sd, _ := checkScript(s, def, defOK, security)
			flags |= f
			ds = append(ds, sd...)
		}
		notify := func(what string, cmd *config.Command) {
			if cmd == nil {
				return
			}
			id, ok := commandIdentity(cmd.User, cmd.Group, def, defOK)
			if !ok {
				ds = append(ds, config.Diagnostic{Pos: cmd.Pos, Severity: config.Warning,
					Msg: fmt.Sprintf("%s script %s has no usable user - it will not run", what, firstWord(cmd.Argv))})
				return
			}
			c := resolve(cmd.Argv, id, security)
			flags |= c.flags
			if c.flags&(scInhibit|scNotFound) != 0 || c.flags&scExecutable == 0 {
				ds = append(ds, config.Diagnostic{Pos: cmd.Pos, Severity: config.Warning,
					Msg: fmt.Sprintf("%s script %s will not run: %s", what, firstWord(cmd.Argv), strings.Join(c.logs, "; "))})
			}
		}
		notifyAll := func(n *config.Notify, group bool) {
			notify("notify_backup", n.Backup)
			notify("notify_master", n.Master)
			notify("notify_fault", n.Fault)
			notify("notify_stop", n.Stop)
			if !group {
				notify("notify_deleted", n.Deleted)
			}
			notify("notify", n.Generic)
			if !group {
				notify("notify_master_rx_lower_pri", n.MasterRxLowerPri)
			}
		}
		for _, in := range cfg.Instances {
			notifyAll(&in.Notify, false)
		}
		for _, sg := range cfg.SyncGroups {
			notifyAll(&sg.Notify, true)
		}
		if g.NotifyFifo != nil {
			notify("notify_fifo_script", g.NotifyFifo.Script)
		}
		if g.VRRPNotifyFifo != nil {
			notify("vrrp_notify_fifo_script", g.VRRPNotifyFifo.Script)
		}
		if !security && flags&scIsScript != 0 {
			ds = append(ds, violation(mainPos, "scripts", flags))
		}
	}

	var flags secFlags
	for _, cmd := range []*config.Command{g.StartupScript, g.ShutdownScript} {
		if cmd == nil {
			continue
		}
		id, ok := commandIdentity(cmd.User, cmd.Group, def, defOK)
		if !ok {
			continue
		}
		flags |= resolve(cmd.Argv, id, security).flags
	}
	if !security && flags&scIsScript != 0 {
		ds = append(ds, violation(mainPos, "start/shutdown scripts", flags))
	}
	return ds
}

// defaultNeeded reports whether any command keepalived would check runs as
// the default script user (has no user of its own).
func defaultNeeded(cfg *config.Config) bool {
	var cmds []*config.Command
	add := func(n *config.Notify) {
		cmds = append(cmds, n.Master, n.Backup, n.Fault, n.Stop, n.Deleted, n.Generic, n.MasterRxLowerPri)
	}
	if len(cfg.Instances) > 0 {
		for _, s := range cfg.Scripts {
			if s.User == "" {
				return true
			}
		}
		for _, in := range cfg.Instances {
			add(&in.Notify)
		}
		for _, sg := range cfg.SyncGroups {
			add(&sg.Notify)
		}
	}
	g := &cfg.Global
	for _, f := range []*config.Fifo{g.NotifyFifo, g.VRRPNotifyFifo} {
		if f != nil {
			cmds = append(cmds, f.Script)
		}
	}
	cmds = append(cmds, g.StartupScript, g.ShutdownScript)
	for _, c := range cmds {
		if c != nil && c.User == "" {
			return true
		}
	}
	return false
}

func violation(pos config.Pos, what string, flags secFlags) config.Diagnostic {
	msg := "SECURITY VIOLATION - " + what + " are being executed but script_security not enabled."
	if flags&scInsecure != 0 {
		msg += " There are insecure scripts."
	}
	return config.Diagnostic{Pos: pos, Severity: config.Warning, Class: config.ClassSecurity, Msg: msg}
}

// checkScript resolves one vrrp_script. prog is nil when keepalived would
// drop it; the diagnostics are keepalived's config errors about it.
func checkScript(s *config.Script, def Identity, defOK, security bool) (*Program, secFlags, config.Diagnostics, []string) {
	var ds config.Diagnostics
	diag := func(msg string) {
		ds = append(ds, config.Diagnostic{Pos: s.Pos, Severity: config.Warning, Class: config.ClassGeneral, Msg: msg})
	}
	var id Identity
	if s.User != "" {
		var err error
		if id, err = LookupIdentity(s.User, s.Group); err != nil {
			diag("Unable to set uid/gid for script " + CommandString(s.Command.Argv))
			return nil, 0, ds, nil
		}
	} else if !defOK {
		diag(fmt.Sprintf("Unable to set default user for vrrp script %s - removing", s.Name))
		return nil, 0, ds, nil
	} else {
		id = def
	}
	c := resolve(s.Command.Argv, id, security)
	switch {
	case c.flags&scInhibit != 0:
		diag(fmt.Sprintf("Disabling track script %s due to insecure", s.Name))
		return nil, c.flags, ds, c.logs
	case c.flags&scNotFound != 0:
		diag(fmt.Sprintf("Disabling track script %s since not found/accessible", s.Name))
		return nil, c.flags, ds, c.logs
	case c.flags&(scExecutable|scSystem) == 0:
		ds = append(ds, config.Diagnostic{Pos: s.Pos, Severity: config.Warning,
			Msg: fmt.Sprintf("track script %s is not executable for uid:gid %d:%d - it will not run", s.Name, id.UID, id.GID)})
		return nil, c.flags, ds, c.logs
	}
	return c.prog, c.flags, ds, c.logs
}
