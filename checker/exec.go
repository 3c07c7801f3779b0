package checker

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// ErrStart is wrapped by errors starting a script.
var ErrStart = errors.New("checker: cannot start script")

// Process is one running script: the leader of its own process group.
type Process struct {
	pid    int
	done   chan struct{}
	status syscall.WaitStatus
}

// Pid is the script's pid, which is also its process group id.
func (p *Process) Pid() int { return p.pid }

// Done is closed once the script has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Status is the wait status; valid after Done is closed.
func (p *Process) Status() syscall.WaitStatus { return p.status }

// SignalGroup sends sig to the script's whole process group (the script and
// everything it started that did not leave the group). It is a no-op once
// the group is gone.
func (p *Process) SignalGroup(sig syscall.Signal) error {
	err := syscall.Kill(-p.pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// Command builds the exec.Cmd for the program with extra arguments appended
// (the generic notify script's INSTANCE name state priority, a fifo
// script's path), as keepalived's system_call_script starts it: own process
// group, parent-death signal SIGTERM, uid/gid with the supplementary groups
// reduced to that gid, stdin/stdout/stderr on /dev/null, the daemon's
// environment.
func (p *Program) Command(extra ...string) *exec.Cmd {
	argv := make([]string, 0, len(p.Argv)+len(extra))
	argv = append(argv, p.Argv...)
	argv = append(argv, extra...)
	var cmd *exec.Cmd
	if p.Shell {
		cmd = &exec.Cmd{Path: "/bin/sh", Args: []string{"sh", "-c", CommandString(argv)}}
	} else {
		cmd = &exec.Cmd{Path: argv[0], Args: argv}
	}
	attr := scriptAttr()
	if os.Geteuid() == 0 {
		attr.Credential = &syscall.Credential{Uid: p.UID, Gid: p.GID, Groups: []uint32{p.GID}}
	}
	cmd.SysProcAttr = attr
	// nil Stdin/Stdout/Stderr are /dev/null for os/exec.
	return cmd
}

// Start starts the program with extra arguments and reaps it in the
// background; Done reports its exit.
func (p *Program) Start(extra ...string) (*Process, error) {
	cmd := p.Command(extra...)
	if err := spawn(cmd); err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrStart, p.Argv[0], err)
	}
	proc := &Process{pid: cmd.Process.Pid, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
			proc.status = ws
		}
		close(proc.done)
	}()
	return proc, nil
}

// The parent-death signal fires when the *thread* that forked the child
// exits, not the process. The Go runtime ends a thread when a goroutine
// locked to it exits (netlink code switching namespaces does that), and any
// goroutine may have run on that thread before. So every script is forked
// from one goroutine locked to its own thread for the life of the process:
// that thread never exits while the daemon lives.
var (
	spawnOnce sync.Once
	spawnReqs chan spawnReq
)

type spawnReq struct {
	cmd *exec.Cmd
	err chan error
}

func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnReqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: this thread lives as long as we do
			for r := range spawnReqs {
				r.err <- r.cmd.Start()
			}
		}()
	})
	r := spawnReq{cmd: cmd, err: make(chan error, 1)}
	spawnReqs <- r
	return <-r.err
}
