// Package process is keepalived-go's process model, as keepalived's: a
// supervising parent (pidfile, signals relayed, sd_notify, the global
// startup and shutdown scripts, respawn with back-off) and a VRRP child
// that runs the daemon, dies with its parent (PR_SET_PDEATHSIG) and
// reports to it on a pipe. Go cannot fork, so the child, and the
// background process made without -n, are re-executions of this binary
// told their role by environment markers (Env), which are removed as soon
// as they are read so that scripts never see them.
//
// The package knows nothing of the command line or of the daemon's
// internals: package cli reads the options and the configuration and hands
// over what the processes need (Parent, Supervisor, Child), and the VRRP
// side is whatever implements VRRP.
//
// Deliberate differences from keepalived 2.2.7, each for the operator:
//
//   - Without -n the command returns once the background process has
//     written its pidfile (keepalived returns at once), and exits 1 if it
//     could not.
//   - A pidfile naming a live process that is not a keepalived (a reused
//     PID) is stale and removed; keepalived refuses to start.
//   - A VRRP child that exits 1, 2 or 4 ends the parent only when it said
//     so first (on fd 3): a Go runtime crash also exits 2, and must be
//     respawned, not taken for a configuration error.
//
// The daemon runs on Linux only; elsewhere the parent refuses to start
// (ErrUnsupported), and everything else (pidfile paths, check-config)
// builds and works.
package process

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Name is what `ps -C`, `pidof` and `killall` must find, whatever the
// binary is called and however it was started (a re-exec through
// /proc/self/exe would otherwise be named "exe").
const Name = "keepalived"

// Exit statuses of the daemon (keepalived's lib/scheduler.h KEEPALIVED_EXIT_*).
const (
	ExitOK                = 0
	ExitFatal             = 1
	ExitConfig            = 2
	ExitMissingPermission = 4
	ExitNoConfig          = 6
	ExitProgramError      = 70
)

// ErrUnsupported is the parent's refusal to run the daemon outside Linux.
var ErrUnsupported = errors.New("process: the keepalived-go daemon runs on Linux only")

// errThreadsStay is a binary built with cgo, whose Go runtime cannot
// change the network namespace of all its threads at once
// (syscall.AllThreadsSyscall): its parent stays where it was started, and
// only the VRRP child enters net_namespace. `make build` builds without
// cgo.
var errThreadsStay = errors.New("a binary built with cgo cannot move all its threads (build with CGO_ENABLED=0)")

// Role is which process a run of the binary is.
type Role int

const (
	// RoleCommand is the command an operator (or systemd) ran.
	RoleCommand Role = iota
	// RoleDaemon is the background parent made without -n.
	RoleDaemon
	// RoleVRRP is the VRRP child.
	RoleVRRP
)

// Environment markers telling a re-execution of this binary its role.
const (
	envRole    = "KEEPALIVED_GO_ROLE"    // roleDaemon or roleVRRP
	envParent  = "KEEPALIVED_GO_PARENT"  // the VRRP child's expected parent PID
	envCwd     = "KEEPALIVED_GO_CWD"     // working directory of the original command
	envReadyFD = "KEEPALIVED_GO_READYFD" // background parent: fd to report start-up on
	envVRRPPid = "KEEPALIVED_GO_VRRPPID" // the VRRP child's pidfile, as the parent resolved it
	envIdent   = "KEEPALIVED_GO_IDENT"   // the syslog ident suffix (_NAMESPACE_INSTANCE)
	envStartNS = "KEEPALIVED_GO_STARTNS" // fd of the network namespace the command was started in
)

const (
	roleDaemon = "daemon"
	roleVRRP   = "vrrp"
)

// Env is what a re-execution was told by the process that started it.
type Env struct {
	Role Role
	// Cwd is the original command's working directory ("" in the command
	// itself): relative file options are resolved against it.
	Cwd string
	// ParentPID is the VRRP child's expected parent.
	ParentPID int
	// VRRPPid is the VRRP child's pidfile as the parent resolved it.
	VRRPPid string
	// IdentSuffix is the syslog ident suffix the parent chose.
	IdentSuffix string
	// readyFD is the background parent's start-up pipe, -1 if none.
	readyFD int
	// startNS is the network namespace the command was started in, handed
	// down when net_namespace moved it elsewhere (nil otherwise).
	startNS *os.File
}

// startNetns keeps this process's startNS open for StartNetns.
var startNetns *os.File

// startNSFD is the fd on which the background parent and the VRRP child
// receive the network namespace the command was started in.
const startNSFD = 4

// StartNetns is a path to the network namespace the command was started
// in, before net_namespace moved every process of ours elsewhere ("" if
// it did not): keepalived opens its process-events connector there before
// it enters, since the kernel serves that connector in the initial
// network namespace only, so the VRRP child opens it there.
func StartNetns() string {
	if startNetns == nil {
		return ""
	}
	return "/proc/self/fd/" + strconv.Itoa(int(startNetns.Fd()))
}

// TakeEnv reads the markers and removes them from the environment.
func TakeEnv() Env {
	e := Env{readyFD: -1}
	switch os.Getenv(envRole) {
	case roleDaemon:
		e.Role = RoleDaemon
	case roleVRRP:
		e.Role = RoleVRRP
	}
	e.Cwd = os.Getenv(envCwd)
	e.ParentPID, _ = strconv.Atoi(os.Getenv(envParent))
	e.VRRPPid = os.Getenv(envVRRPPid)
	e.IdentSuffix = os.Getenv(envIdent)
	if fd, err := strconv.Atoi(os.Getenv(envReadyFD)); err == nil && e.Role == RoleDaemon {
		e.readyFD = fd
	}
	if fd, err := strconv.Atoi(os.Getenv(envStartNS)); err == nil && e.Role != RoleCommand {
		// Not for the scripts this process runs.
		unix.CloseOnExec(fd)
		e.startNS = os.NewFile(uintptr(fd), "start-netns")
		startNetns = e.startNS
	}
	for _, k := range []string{envRole, envCwd, envParent, envVRRPPid, envIdent, envReadyFD, envStartNS} {
		os.Unsetenv(k)
	}
	return e
}

// ParentAlive reports whether this VRRP child's parent is the one that
// started it: it may have died between fork and PR_SET_PDEATHSIG taking
// effect (keepalived checks the same thing).
func (e Env) ParentAlive() bool {
	return e.ParentPID != 0 && os.Getppid() == e.ParentPID
}

// selfExe is how we re-execute ourselves: /proc/self/exe runs this very
// binary even after a package upgrade replaced the file, so parent and
// child are always the same version.
const selfExe = "/proc/self/exe"

// statusFD is the fd on which the VRRP child reports to its parent
// ("ready", "stopping", "reloading", "reloaded", "reload-failed MSG",
// "exit N").
const statusFD = 3
