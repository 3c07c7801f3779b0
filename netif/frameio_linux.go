package netif

import (
	"encoding/binary"
	"fmt"
	"syscall"
	"unsafe"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// frameReader reads frames from a packet socket with the kernel's packet
// type for each (PACKET_HOST, PACKET_BROADCAST, PACKET_OTHERHOST, ... or
// PACKET_OUTGOING for one this host sent): packet.Conn's ReadFrom gives
// the sender's MAC only. It reads into buffers of its own with a raw
// recvfrom, so a frame costs no allocation: unix.Recvfrom allocates the
// sender's address and the poller callback its closure, per frame, and
// with 1,000 masters every probe brings an answer from this host's own
// kernel (the veth's other end, or another interface of the segment).
type frameReader struct {
	rc     syscall.RawConn
	buf    []byte
	from   unix.RawSockaddrLinklayer
	n      int
	errno  syscall.Errno
	readFn func(fd uintptr) bool
}

func newFrameReader(rc syscall.RawConn, size int) *frameReader {
	r := &frameReader{rc: rc, buf: make([]byte, size)}
	r.readFn = r.doRead
	return r
}

// doRead is the poller callback: one non-blocking recvfrom (so the
// RawSyscall the Go documentation gives for calls that cannot block).
func (r *frameReader) doRead(fd uintptr) bool {
	for {
		fromLen := uint32(unsafe.Sizeof(r.from))
		n, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&r.buf[0])), uintptr(len(r.buf)), 0,
			uintptr(unsafe.Pointer(&r.from)), uintptr(unsafe.Pointer(&fromLen)))
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // nothing queued: wait for the poller
		}
		r.n, r.errno = int(n), errno
		return true
	}
}

// recv returns the next frame (valid until the next recv) and its packet
// type.
func (r *frameReader) recv() ([]byte, uint8, error) {
	if err := r.rc.Read(r.readFn); err != nil {
		return nil, 0, err
	}
	if r.errno != 0 {
		return nil, 0, r.errno
	}
	return r.buf[:r.n], r.from.Pkttype, nil
}

// frameSender sends whole Ethernet frames on a packet socket with a raw
// sendto from a link-layer address of its own: packet.Conn's WriteTo
// allocates the address and mdlayher/socket's conversion of it for every
// frame (about ten objects per probe with the reader's, 200 probes a
// second with 1,000 masters). The prober and the announcer
// both send through it, each under its own lock (one frame at a time).
type frameSender struct {
	rc      syscall.RawConn
	to      unix.RawSockaddrLinklayer
	frame   []byte
	errno   syscall.Errno
	writeFn func(fd uintptr) bool
}

// newFrameSender sends on pc through interface index for the Ethernet
// protocol proto (the frame's own header says where it goes; the kernel
// takes the interface and protocol from the address, as for WriteTo).
func newFrameSender(pc *packet.Conn, index, proto int) (*frameSender, error) {
	rc, err := pc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("packet socket: %w", err)
	}
	s := &frameSender{rc: rc}
	s.to.Family = unix.AF_PACKET
	// sll_protocol is in network byte order.
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&s.to.Protocol))[:], uint16(proto))
	s.to.Ifindex = int32(index)
	s.writeFn = s.doWrite
	return s, nil
}

func (s *frameSender) doWrite(fd uintptr) bool {
	for {
		_, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&s.frame[0])), uintptr(len(s.frame)), 0,
			uintptr(unsafe.Pointer(&s.to)), uintptr(unsafe.Sizeof(s.to)))
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false // the queue is full: wait for the poller
		}
		s.errno = errno
		return true
	}
}

// send sends one whole frame (its first 6 bytes are the destination MAC,
// also given to the kernel as the address's).
func (s *frameSender) send(frame []byte) error {
	if len(frame) < 14 {
		return fmt.Errorf("frame of %d bytes", len(frame))
	}
	s.frame = frame
	s.to.Halen = 6
	copy(s.to.Addr[:6], frame[:6])
	err := s.rc.Write(s.writeFn)
	s.frame = nil
	if err != nil {
		return err
	}
	if s.errno != 0 {
		return s.errno
	}
	return nil
}
