package procwatch

import (
	"bytes"
	"encoding/binary"
)

// The process-events connector's messages (linux/connector.h, cn_proc.h):
// one netlink header, one cn_msg, one proc_event per datagram, in the
// host's byte order.
const (
	nlmsgHdrLen = 16
	cnMsgLen    = 20
	procEvHdr   = 16 // what, cpu, timestamp_ns
	nlmsgNoop   = 1
	nlmsgError  = 2
	nlmsgDone   = 3
	cnIdxProc   = 1
	cnValProc   = 1

	procEventNone = 0x00000000
	procEventFork = 0x00000001
	procEventExec = 0x00000002
	procEventComm = 0x00000200
	procEventExit = 0x80000000

	procCnMcastListen = 1
)

// EventKind is what happened to a process.
type EventKind int

const (
	EventInvalid EventKind = iota
	EventFork              // PID forked Child
	EventExec              // PID executed a new program
	EventComm              // PID changed its comm to Comm
	EventExit              // PID exited
	EventAck               // the kernel acknowledged the subscription
	EventOverrun           // events were lost (ENOBUFS): rescan
)

func (k EventKind) String() string {
	switch k {
	case EventFork:
		return "fork"
	case EventExec:
		return "exec"
	case EventComm:
		return "comm"
	case EventExit:
		return "exit"
	case EventAck:
		return "ack"
	case EventOverrun:
		return "overrun"
	}
	return "invalid"
}

// Event is one process event, of processes only: keepalived ignores the
// threads' (a thread's pid differs from its tgid), and so does decode.
type Event struct {
	Kind  EventKind
	PID   int // the process (its tgid); for a fork, the parent
	Child int // fork: the new process
	Comm  string
}

// decode reads the events of one datagram from the connector. Anything
// that is not a process event of a process (threads, other connectors,
// truncated or malformed messages) is skipped: a datagram never makes it
// fail.
func decode(b []byte, out []Event) []Event {
	ne := binary.NativeEndian
	for len(b) >= nlmsgHdrLen {
		n := int(ne.Uint32(b[0:4]))
		typ := ne.Uint16(b[4:6])
		if n < nlmsgHdrLen || n > len(b) {
			return out
		}
		msg := b[nlmsgHdrLen:n]
		if typ != nlmsgError && typ != nlmsgNoop {
			if ev, ok := decodeCn(msg); ok {
				out = append(out, ev)
			}
		}
		// Netlink messages are 4-byte aligned.
		step := (n + 3) &^ 3
		if step >= len(b) {
			return out
		}
		b = b[step:]
	}
	return out
}

// decodeCn decodes the cn_msg and proc_event of one netlink message.
func decodeCn(m []byte) (Event, bool) {
	ne := binary.NativeEndian
	if len(m) < cnMsgLen+procEvHdr {
		return Event{}, false
	}
	if ne.Uint32(m[0:4]) != cnIdxProc || ne.Uint32(m[4:8]) != cnValProc {
		return Event{}, false
	}
	ack := ne.Uint32(m[12:16])
	dlen := int(ne.Uint16(m[16:18]))
	ev := m[cnMsgLen:]
	if dlen < len(ev) {
		ev = ev[:dlen]
	}
	if len(ev) < procEvHdr {
		return Event{}, false
	}
	what := ne.Uint32(ev[0:4])
	d := ev[procEvHdr:]
	u32 := func(i int) (int, bool) {
		if len(d) < 4*(i+1) {
			return 0, false
		}
		return int(int32(ne.Uint32(d[4*i:]))), true
	}
	// An ack is PROC_EVENT_NONE with the ack field set; anything else
	// with it set is not an event (cn_proc's own consistency rule).
	if (what == procEventNone) != (ack != 0) {
		return Event{}, false
	}
	switch what {
	case procEventNone:
		return Event{Kind: EventAck}, true
	case procEventFork:
		ppid, ok1 := u32(0)
		ptgid, ok2 := u32(1)
		cpid, ok3 := u32(2)
		ctgid, ok4 := u32(3)
		_ = ppid
		if !ok1 || !ok2 || !ok3 || !ok4 || cpid != ctgid {
			return Event{}, false
		}
		return Event{Kind: EventFork, PID: ptgid, Child: ctgid}, true
	case procEventExec, procEventExit, procEventComm:
		pid, ok1 := u32(0)
		tgid, ok2 := u32(1)
		if !ok1 || !ok2 || pid != tgid {
			return Event{}, false
		}
		switch what {
		case procEventExec:
			return Event{Kind: EventExec, PID: tgid}, true
		case procEventExit:
			return Event{Kind: EventExit, PID: tgid}, true
		}
		if len(d) < 8+16 {
			return Event{}, false
		}
		comm, _, _ := bytes.Cut(d[8:24], []byte{0})
		return Event{Kind: EventComm, PID: tgid, Comm: string(comm)}, true
	}
	return Event{}, false
}

// listenRequest is the netlink message that subscribes to process events
// (PROC_CN_MCAST_LISTEN) from the netlink port portID.
func listenRequest(portID uint32) []byte {
	ne := binary.NativeEndian
	b := make([]byte, nlmsgHdrLen+cnMsgLen+4)
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], nlmsgDone)
	ne.PutUint32(b[12:], portID)
	c := b[nlmsgHdrLen:]
	ne.PutUint32(c[0:], cnIdxProc)
	ne.PutUint32(c[4:], cnValProc)
	ne.PutUint16(c[16:], 4)
	ne.PutUint32(c[cnMsgLen:], procCnMcastListen)
	return b
}
