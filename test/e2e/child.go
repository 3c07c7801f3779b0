package e2e

import (
	"os"
	"os/exec"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// child is a started command whose process leads a process group of its
// own. The group is signalled only while its leader is not yet reaped: a
// reaped leader's PID, and so its group ID, can be reused by any process on
// the machine, and kill(-pgid) would then hit a stranger (on a busy box
// with PIDs wrapping, it did). The waiter therefore waits with WNOWAIT,
// takes the lock, and only then reaps.
type child struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	reaped bool
	done   chan struct{}
	err    error
	after  func() // run once reaped (closing log files)
}

// startChild starts cmd as the leader of a new process group; after, if
// not nil, runs once the leader is reaped.
func startChild(cmd *exec.Cmd, after func()) (*child, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, done: make(chan struct{}), after: after}
	go c.wait()
	return c, nil
}

func (c *child) wait() {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, c.cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			break
		}
	}
	c.mu.Lock()
	c.err = c.cmd.Wait()
	c.reaped = true
	c.mu.Unlock()
	if c.after != nil {
		c.after()
	}
	close(c.done)
}

// Pid is the leader's PID.
func (c *child) Pid() int { return c.cmd.Process.Pid }

// SignalGroup signals the whole group, if its leader is still unreaped.
func (c *child) SignalGroup(sig syscall.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.reaped {
		syscall.Kill(-c.cmd.Process.Pid, sig)
	}
}

// Signal signals the leader only, if it is still unreaped.
func (c *child) Signal(sig syscall.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.reaped {
		syscall.Kill(c.cmd.Process.Pid, sig)
	}
}

// Exited reports whether the leader has exited and been reaped.
func (c *child) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// pipeTo makes a pipe whose write end is set by set (cmd.Stdout = w, ...)
// and returns its read end. Unlike cmd.StdoutPipe, the read end is not
// closed when the command is reaped, so nothing written before the exit
// is lost; call the returned closeWrite once the command has started.
func pipeTo(set func(w *os.File)) (r *os.File, closeWrite func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	set(w)
	return r, func() { w.Close() }, nil
}
