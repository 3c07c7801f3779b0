package procwatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// ackWait is how long Subscribe waits for the kernel to acknowledge the
// subscription (keepalived gives it 100 ms, then warns that track_process
// will not work; this one is a busy machine's margin).
const ackWait = time.Second

// initPidNS is the inode of the initial PID namespace (PROC_PID_INIT_INO),
// the only one the connector reports PIDs in.
const initPidNS = "pid:[4026531836]"

// linuxHost is the Linux Host: /proc and the process-events connector.
type linuxHost struct {
	ProcFS
	log *slog.Logger
	// startNS, if set, is the network namespace the daemon was started in
	// before net_namespace (process.StartNetns): the connector is tried
	// there first.
	startNS string
	// opened, if set, sees the socket once it is set up (tests).
	opened func(fd int)
}

// NewHost returns the Linux Host, reading /proc and the kernel's process
// events; log receives the connector's own lines (buffer growth).
func NewHost(log *slog.Logger) Host {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &linuxHost{ProcFS: ProcFS{Root: "/proc"}, log: log}
}

// NewHostStartedIn is NewHost for a daemon that net_namespace moved out of
// the network namespace at path (a /proc/self/fd/N of it): as keepalived,
// which opens the connector before it enters, it is opened there first
// when this namespace has none ("" = NewHost).
func NewHostStartedIn(log *slog.Logger, path string) Host {
	h := NewHost(log).(*linuxHost)
	h.startNS = path
	return h
}

// Subscribe opens the connector. The kernel reports process events in
// the initial PID namespace's numbers and to sockets of the initial
// network namespace only: in another PID namespace (or with a /proc of
// another one) they cannot be matched with /proc, so Subscribe refuses;
// in another network namespace (net_namespace: every process of ours is
// in it) it opens the socket in the one the daemon was started in (as
// keepalived opens it before it enters its net_namespace), else in its
// parent's if that differs, else in pid 1's (/proc/1/ns/net, the initial
// one, which a sandbox may forbid reading).
func (h *linuxHost) Subscribe(ctx context.Context, o SubscribeOptions) (<-chan []Event, error) {
	if ns, err := os.Readlink("/proc/self/ns/pid"); err != nil || ns != initPidNS {
		return nil, fmt.Errorf("%w: this process is not in the initial PID namespace, whose PIDs the kernel reports", ErrNoEvents)
	}
	if self, err := os.Readlink("/proc/self"); err != nil || self != strconv.Itoa(os.Getpid()) {
		return nil, fmt.Errorf("%w: /proc belongs to another PID namespace", ErrNoEvents)
	}
	setup := func(fd int) {
		if o.RcvBuf > 0 {
			h.setRcvBuf(fd, o.RcvBuf, o.RcvBufForce)
		}
	}
	fd, err := openConnector(setup)
	if errors.Is(err, unix.ECONNREFUSED) {
		// No connector in this network namespace: open it where the
		// daemon was started, else where our parent runs if that is
		// elsewhere, else in pid 1's (the initial one).
		fd, err = -1, fmt.Errorf("%w: no connector in this network namespace, nor in the one started in, the parent's or pid 1's", ErrNoEvents)
		here, _ := os.Readlink("/proc/thread-self/ns/net")
		var tries []string
		if h.startNS != "" {
			tries = append(tries, h.startNS)
		}
		for _, ns := range append(tries, fmt.Sprintf("/proc/%d/ns/net", os.Getppid()), "/proc/1/ns/net") {
			if there, lerr := os.Readlink(ns); lerr != nil || there == here {
				continue
			}
			if fd, err = inNetns(ns, func() (int, error) { return openConnector(setup) }); err == nil {
				break
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if h.opened != nil {
		h.opened(fd)
	}
	f := os.NewFile(uintptr(fd), "proc-connector")
	out := make(chan []Event, 64)
	acked := make(chan struct{})
	go h.read(ctx, f, out, acked, o.RcvBufForce)
	select {
	case <-acked:
		return out, nil
	case <-time.After(ackWait):
		f.Close()
		return nil, fmt.Errorf("%w: the kernel did not acknowledge the subscription within %v (CONFIG_PROC_EVENTS?)", ErrNoEvents, ackWait)
	case <-ctx.Done():
		f.Close()
		return nil, ctx.Err()
	}
}

// openConnector opens, binds and subscribes a connector socket; setup
// (if not nil) runs between the bind and the subscription, where
// keepalived sets process_monitor_rcv_bufs.
func openConnector(setup func(fd int)) (int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_CONNECTOR)
	if err != nil {
		if errors.Is(err, unix.EPROTONOSUPPORT) {
			return -1, fmt.Errorf("%w: no kernel support (CONFIG_PROC_EVENTS / CONFIG_CONNECTOR)", ErrNoEvents)
		}
		return -1, fmt.Errorf("%w: process monitoring socket: %v", ErrNoEvents, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: cnIdxProc}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("%w: bind process monitoring socket: %v", ErrNoEvents, err)
	}
	if setup != nil {
		setup(fd)
	}
	sa, err := unix.Getsockname(fd)
	var port uint32
	if nl, ok := sa.(*unix.SockaddrNetlink); err == nil && ok {
		port = nl.Pid
	}
	if err := unix.Sendto(fd, listenRequest(port), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.ECONNREFUSED) {
			return -1, err
		}
		return -1, fmt.Errorf("%w: set process event listen: %v", ErrNoEvents, err)
	}
	return fd, nil
}

// inNetns runs fn on a thread moved into the network namespace at path.
// The thread is never handed back to the runtime: its goroutine ends
// locked, so the thread ends with it.
func inNetns(path string, fn func() (int, error)) (int, error) {
	type result struct {
		fd  int
		err error
	}
	res := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		ns, err := os.Open(path)
		if err != nil {
			res <- result{-1, fmt.Errorf("%w: no connector in this network namespace, and %v", ErrNoEvents, err)}
			return
		}
		defer ns.Close()
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			res <- result{-1, fmt.Errorf("%w: no connector in this network namespace, and cannot enter the initial one: %v", ErrNoEvents, err)}
			return
		}
		fd, err := fn()
		if errors.Is(err, unix.ECONNREFUSED) {
			err = fmt.Errorf("%w: the connector refused the subscription", ErrNoEvents)
		}
		res <- result{fd, err}
	}()
	r := <-res
	return r.fd, r.err
}

// read receives the connector's datagrams until ctx ends, decoding them
// into events. ENOBUFS (events lost) is reported as an EventOverrun, and
// doubles the socket's receive buffer as keepalived does.
func (h *linuxHost) read(ctx context.Context, f *os.File, out chan<- []Event, acked chan struct{}, force bool) {
	defer close(out)
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 4096)
	ackSeen := false
	for {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return rerr != unix.EAGAIN && rerr != unix.EINTR
		})
		if err != nil || ctx.Err() != nil {
			return
		}
		var batch []Event
		switch {
		case errors.Is(rerr, unix.ENOBUFS):
			h.grow(rc, force)
			batch = []Event{{Kind: EventOverrun}}
		case rerr != nil:
			h.log.Info(fmt.Sprintf("process monitor netlink recv error %d - %v", rerr, rerr))
			return
		default:
			if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
				continue // not the kernel
			}
			batch = decode(buf[:n], nil)
		}
		if !ackSeen {
			for _, ev := range batch {
				if ev.Kind == EventAck {
					ackSeen = true
					close(acked)
					break
				}
			}
		}
		if len(batch) == 0 {
			continue
		}
		select {
		case out <- batch:
		case <-ctx.Done():
			return
		}
	}
}

// setRcvBuf sets the socket's receive buffer as keepalived's set_rcv_buf
// does: SO_RCVBUFFORCE with force (root may pass net.core.rmem_max),
// else SO_RCVBUF; a failure is logged in its words and changes nothing.
func (h *linuxHost) setRcvBuf(fd, size int, force bool) {
	opt, name := unix.SO_RCVBUF, ""
	if force {
		opt, name = unix.SO_RCVBUFFORCE, "FORCE"
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, size); err != nil {
		h.log.Info(fmt.Sprintf("Cannot set process monitor SO_RCVBUF%s option. errno=%d (%v)", name, err, err))
	}
}

// grow doubles the receive buffer after an overrun (keepalived's
// reinitialise_track_processes, with process_monitor_rcv_bufs_force's
// option) and says so in keepalived's words.
func (h *linuxHost) grow(rc interface {
	Control(func(uintptr)) error
}, force bool) {
	rc.Control(func(fd uintptr) {
		size, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		if err != nil {
			h.log.Info(fmt.Sprintf("Cannot get process monitor SO_RCVBUF option. errno=%d (%v)", err, err))
			return
		}
		size *= 2
		h.setRcvBuf(int(fd), size, force)
		h.log.Info(fmt.Sprintf("Setting global_def process_monitor_rcv_bufs to %d - recommend updating configuration file", size), slog.Int("rcvbuf", size))
	})
}
