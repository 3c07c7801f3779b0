package procwatch

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// datagram builds one connector message: a netlink header, a cn_msg and a
// proc_event with the given words of event data (and the comm bytes).
func datagram(what uint32, ack uint32, words []uint32, comm string) []byte {
	ne := binary.NativeEndian
	data := make([]byte, 0, 40)
	data = ne.AppendUint32(data, what)
	data = ne.AppendUint32(data, 0)       // cpu
	data = ne.AppendUint64(data, 1234567) // timestamp
	for _, w := range words {
		data = ne.AppendUint32(data, w)
	}
	if comm != "" {
		c := make([]byte, 16)
		copy(c, comm)
		data = append(data, c...)
	}
	for len(data) < 16+24 { // sizeof(struct proc_event)
		data = append(data, 0)
	}
	cn := make([]byte, 0, 20)
	cn = ne.AppendUint32(cn, cnIdxProc)
	cn = ne.AppendUint32(cn, cnValProc)
	cn = ne.AppendUint32(cn, 7) // seq
	cn = ne.AppendUint32(cn, ack)
	cn = ne.AppendUint16(cn, uint16(len(data)))
	cn = ne.AppendUint16(cn, 0)
	msg := make([]byte, 0, 16)
	msg = ne.AppendUint32(msg, uint32(16+len(cn)+len(data)))
	msg = ne.AppendUint16(msg, nlmsgDone)
	msg = ne.AppendUint16(msg, 0)
	msg = ne.AppendUint32(msg, 0)
	msg = ne.AppendUint32(msg, 0)
	return append(append(msg, cn...), data...)
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want []Event
	}{
		{"ack", datagram(procEventNone, 1, []uint32{0}, ""), []Event{{Kind: EventAck}}},
		{"fork of a process", datagram(procEventFork, 0, []uint32{100, 100, 200, 200}, ""), []Event{{Kind: EventFork, PID: 100, Child: 200}}},
		{"new thread is ignored", datagram(procEventFork, 0, []uint32{100, 100, 201, 200}, ""), nil},
		{"fork by a thread names its process", datagram(procEventFork, 0, []uint32{101, 100, 300, 300}, ""), []Event{{Kind: EventFork, PID: 100, Child: 300}}},
		{"exec", datagram(procEventExec, 0, []uint32{300, 300}, ""), []Event{{Kind: EventExec, PID: 300}}},
		{"exec of a thread is ignored", datagram(procEventExec, 0, []uint32{301, 300}, ""), nil},
		{"exit", datagram(procEventExit, 0, []uint32{300, 300, 9, 17}, ""), []Event{{Kind: EventExit, PID: 300}}},
		{"thread exit is ignored", datagram(procEventExit, 0, []uint32{301, 300, 0, 0}, ""), nil},
		{"comm", datagram(procEventComm, 0, []uint32{300, 300}, "nginx"), []Event{{Kind: EventComm, PID: 300, Comm: "nginx"}}},
		{"a full comm has no NUL", datagram(procEventComm, 0, []uint32{300, 300}, "0123456789abcdef"), []Event{{Kind: EventComm, PID: 300, Comm: "0123456789abcdef"}}},
		{"uid change is not ours", datagram(0x4, 0, []uint32{300, 300, 0, 0}, ""), nil},
		{"an event flagged as ack is dropped", datagram(procEventExit, 1, []uint32{300, 300}, ""), nil},
		{"truncated", datagram(procEventExit, 0, []uint32{300, 300}, "")[:30], nil},
		{"empty", nil, nil},
		{"two messages", append(datagram(procEventExec, 0, []uint32{5, 5}, ""), datagram(procEventExit, 0, []uint32{6, 6}, "")...),
			[]Event{{Kind: EventExec, PID: 5}, {Kind: EventExit, PID: 6}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, decode(tc.b, nil)); d != "" {
				t.Errorf("decode (-want +got):\n%s", d)
			}
		})
	}
}

func TestListenRequestDecodesAsSubscription(t *testing.T) {
	b := listenRequest(42)
	ne := binary.NativeEndian
	if got := ne.Uint32(b[0:]); got != uint32(len(b)) || len(b) != 40 {
		t.Fatalf("length field %d, message %d bytes; want 40 both", got, len(b))
	}
	if ne.Uint32(b[12:]) != 42 || ne.Uint32(b[16:]) != cnIdxProc || ne.Uint16(b[32:]) != 4 || ne.Uint32(b[36:]) != procCnMcastListen {
		t.Errorf("request %x", b)
	}
}

// FuzzDecode: no datagram makes the decoder panic, and what it returns is
// only processes' events with PIDs.
func FuzzDecode(f *testing.F) {
	f.Add(datagram(procEventFork, 0, []uint32{1, 1, 2, 2}, ""))
	f.Add(datagram(procEventComm, 0, []uint32{3, 3}, "x"))
	f.Add(datagram(procEventNone, 1, nil, ""))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 3, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ev := range decode(b, nil) {
			switch ev.Kind {
			case EventAck:
			case EventFork, EventExec, EventExit, EventComm:
				if len(ev.Comm) > 16 {
					t.Fatalf("comm of %d bytes", len(ev.Comm))
				}
			default:
				t.Fatalf("decoded a %v", ev.Kind)
			}
		}
	})
}
