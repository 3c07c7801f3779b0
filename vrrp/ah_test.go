package vrrp

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// ahCfg is baseCfg with auth_type AH.
func ahCfg(prio uint8, src netip.Addr) Config {
	c := baseCfg()
	c.Priority, c.Src = prio, src
	c.AuthType, c.AuthPass = AuthAH, pass("kgah")
	return c
}

// ahSends returns the AH adverts among acts as they arrive at a peer.
func ahSends(t *testing.T, from *Instance, acts []Action) []Received {
	t.Helper()
	return ahSendsFrom(t, from.cfg.Src, acts)
}

// ahSendsFrom is ahSends for adverts sent from src.
func ahSendsFrom(t *testing.T, src netip.Addr, acts []Action) []Received {
	t.Helper()
	var out []Received
	for _, a := range acts {
		s, ok := a.(*SendAdvert)
		if !ok {
			continue
		}
		d := bytes.Clone(s.Packet)
		hdrs, p, ok := SplitAH(d)
		if !ok {
			t.Fatalf("advert % x is not an AH datagram", d)
		}
		out = append(out, Received{Src: src, Dst: s.Dst, TTL: s.TTL, IPLen: len(d), Packet: p, AH: hdrs})
	}
	return out
}

func ahSeqOf(r Received) uint32 { return binary.BigEndian.Uint32(r.AH[ipv4HdrLen+8:]) }

func logsOf(acts []Action) string {
	var b strings.Builder
	for _, a := range acts {
		if l, ok := a.(Log); ok {
			b.WriteString(l.Msg + "\n")
		}
	}
	return b.String()
}

// ahLink runs two AH instances on one segment in virtual time until
// until, delivering each one's adverts to the other at once, and returns
// the highest sequence number each sent.
func ahLink(t *testing.T, a, b *Instance, from, until time.Time) (seqA, seqB uint32) {
	t.Helper()
	now := from
	for {
		da, oka := a.NextDeadline()
		db, okb := b.NextDeadline()
		x, y, d := a, b, da
		if !oka || okb && db.Before(da) {
			x, y, d = b, a, db
		}
		if (!oka && !okb) || d.After(until) {
			return seqA, seqB
		}
		if d.Before(now) {
			d = now
		}
		now = d
		queue := ahSends(t, x, x.Step(now, nil))
		for len(queue) > 0 {
			r := queue[0]
			queue = queue[1:]
			if x == a {
				seqA = max(seqA, ahSeqOf(r))
			} else {
				seqB = max(seqB, ahSeqOf(r))
			}
			// what the receiver sends in reply goes back the other way
			for _, back := range ahSends(t, y, y.Step(now, &r)) {
				if y == a {
					seqA = max(seqA, ahSeqOf(back))
				} else {
					seqB = max(seqB, ahSeqOf(back))
				}
				x.Step(now, &back)
			}
		}
	}
}

// TestAHSequenceAcrossTakeover: the one counter of keepalived's AH. A
// backup takes its master's sequence numbers, so when it takes over it
// continues above them and a restarted node (counter 0) accepts it; that
// node, preempting, continues above the new master's numbers in turn, so
// the master it preempts accepts its adverts and yields. No advert is
// dropped on the way.
func TestAHSequenceAcrossTakeover(t *testing.T) {
	a1, a2 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	hi := mustInstance(t, ahCfg(150, a1))
	lo := mustInstance(t, ahCfg(100, a2))
	hi.Step(t0, Startup{})
	lo.Step(t0, Startup{})
	now := t0.Add(10 * time.Second)
	hiSeq, _ := ahLink(t, hi, lo, t0, now)
	if hi.State() != StateMaster || lo.State() != StateBackup || hiSeq < 5 {
		t.Fatalf("start: %v / %v, %d adverts", hi.State(), lo.State(), hiSeq)
	}
	// The master stops: its priority-0 advert, then the backup takes over
	// and runs alone for a while.
	for _, r := range ahSends(t, hi, hi.Step(now, Shutdown{})) {
		hiSeq = ahSeqOf(r)
		lo.Step(now, &r)
	}
	d, _ := lo.NextDeadline()
	took := ahSends(t, lo, lo.Step(d, nil))
	if lo.State() != StateMaster || len(took) != 1 || ahSeqOf(took[0]) != hiSeq+1 {
		t.Fatalf("new master %v sent %d adverts, sequence %d after %d", lo.State(), len(took), ahSeqOf(took[0]), hiSeq)
	}
	now = d.Add(20 * time.Second)
	_, loSeq := ahLink(t, hi, lo, d, now)
	// The old master restarts with a fresh counter, listens, and preempts
	// above the new master's numbers.
	hi = mustInstance(t, ahCfg(150, a1))
	hi.Step(now, Startup{})
	hiSeq2, _ := ahLink(t, hi, lo, now, now.Add(10*time.Second))
	if hi.State() != StateMaster || lo.State() != StateBackup || hiSeq2 <= loSeq {
		t.Errorf("after the restart: %v / %v, sequence %d after the other's %d", hi.State(), lo.State(), hiSeq2, loSeq)
	}
	for name, in := range map[string]*Instance{"restarted": hi, "preempted": lo} {
		if st := in.Stats(); st.AuthFailure != 0 || st.AdvertRcvd == 0 {
			t.Errorf("%s node: stats %+v", name, st)
		}
	}
}

// TestAHRejects: what vrrp_check_packet drops for AH, in keepalived's
// counters and words: a replay, a flipped byte, another password, a SPI
// that is not the source, an AH header on a non-AH instance and none on
// an AH one.
func TestAHRejects(t *testing.T) {
	a1, a2 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	master := mustInstance(t, ahCfg(150, a2))
	_, acts := becomeMaster(t, master)
	good := ahSends(t, master, acts)[0]
	other := ahCfg(150, a2)
	other.AuthPass = pass("wrong")
	_, oacts := becomeMaster(t, mustInstance(t, other))
	wrongKey := ahSendsFrom(t, a2, oacts)[0]
	tests := []struct {
		name    string
		r       func() Received
		plain   bool // the receiver has no AH
		counter func(Stats) uint64
		log     string
	}{
		{"replay", func() Received { return good }, false, func(s Stats) uint64 { return s.AuthFailure },
			"IPSEC-AH : sequence number 1 already processed. Packet dropped. Local(1)"},
		{"flipped VIP byte", func() Received {
			r := good
			r.Packet = bytes.Clone(r.Packet)
			r.Packet[11] ^= 1
			return r
		}, false, func(s Stats) uint64 { return s.AuthFailure }, "IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !"},
		{"other password", func() Received { return wrongKey }, false, func(s Stats) uint64 { return s.AuthFailure }, "IPSEC-AH : invalid IPSEC HMAC-MD5 value"},
		{"no AH header", func() Received { return rx(ahCfg(150, a2), 150, a2) }, false,
			func(s Stats) uint64 { return s.AuthTypeMismatch }, "No AH header but auth type is AH"},
		{"AH header, auth none", func() Received { return good }, true,
			func(s Stats) uint64 { return s.AuthTypeMismatch }, "Received AH header but auth type not AH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ahCfg(100, a1)
			if tt.plain {
				c.AuthType, c.AuthPass = AuthNone, [8]byte{}
			}
			in := mustInstance(t, c)
			in.Step(t0, Startup{})
			if !tt.plain && tt.name == "replay" {
				r := good
				in.Step(t0, &r)
			}
			r := tt.r()
			before := tt.counter(in.Stats())
			got := logsOf(in.Step(t0.Add(time.Millisecond), &r))
			if tt.counter(in.Stats()) != before+1 || !strings.Contains(got, tt.log) {
				t.Errorf("stats %+v, logs %q; want the counter up by one and %q", in.Stats(), got, tt.log)
			}
		})
	}
	// A SPI other than the source: the ICV is computed over the SPI, so
	// re-sign the tampered datagram with the right password.
	t.Run("SPI not the source", func(t *testing.T) {
		in := mustInstance(t, ahCfg(100, a1))
		in.Step(t0, Startup{})
		d := append(bytes.Clone(good.AH), good.Packet...)
		copy(d[ipv4HdrLen+4:], []byte{10, 0, 0, 9})
		newAHState(pass("kgah")).sign(d, false)
		hdrs, p, _ := SplitAH(d)
		r := Received{Src: a2, Dst: good.Dst, TTL: 255, IPLen: len(d), Packet: p, AH: hdrs}
		got := logsOf(in.Step(t0, &r))
		if in.Stats().AuthFailure != 1 || !strings.Contains(got, "IPSEC AH : invalid IPSEC SPI value.") {
			t.Errorf("stats %+v, logs %q", in.Stats(), got)
		}
	})
}

// TestAHLowerPriorityResync: a master hearing a lower priority AH advert
// takes that advert's sequence number plus one (keepalived's "Syncing
// seq_num"), so its next advert is above it.
func TestAHLowerPriorityResync(t *testing.T) {
	a1, a2 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	m := mustInstance(t, ahCfg(150, a1))
	now, _ := becomeMaster(t, m)
	low := mustInstance(t, ahCfg(100, a2))
	_, lacts := becomeMaster(t, low)
	low.ah.seq = 40 // as if it had been master a while
	lacts = low.Step(t0.Add(10*time.Second), nil)
	r := ahSends(t, low, lacts)[0]
	acts := m.Step(now.Add(time.Millisecond), &r)
	if !strings.Contains(logsOf(acts), "IPSEC-AH : Syncing seq_num - Increment seq") {
		t.Errorf("logs %q", logsOf(acts))
	}
	// The forced election advert already carries 43 (41 + 1, then one sent).
	sent := ahSends(t, m, acts)
	if len(sent) != 1 || ahSeqOf(sent[0]) != ahSeqOf(r)+2 {
		t.Errorf("adverts %d, sequence after the resync %d, want %d", len(sent), ahSeqOf(sent[0]), ahSeqOf(r)+2)
	}
}

// TestAHCounterCycle: past 0xFFFFFFFD the counter stops (keepalived's
// cycle) and an instance becoming master after that starts again at 1.
func TestAHCounterCycle(t *testing.T) {
	in := mustInstance(t, ahCfg(100, self))
	in.Step(t0, Startup{})
	in.ah.seq = 0xFFFFFFFE
	d, _ := in.NextDeadline()
	// The cycle mark is set by a send; becoming master resets it first
	// only when it was already set, so this first advert stays at the top.
	sent := ahSends(t, in, in.Step(d, nil))
	if !in.ah.cycle || ahSeqOf(sent[0]) != 0xFFFFFFFE {
		t.Fatalf("cycle %v, sequence %#x", in.ah.cycle, ahSeqOf(sent[0]))
	}
	in.Step(d.Add(time.Millisecond), Fault{Key: "x", On: true})
	in.Step(d.Add(2*time.Millisecond), Fault{Key: "x", On: false})
	d, _ = in.NextDeadline()
	sent = ahSends(t, in, in.Step(d, nil))
	if in.State() != StateMaster || len(sent) != 1 || ahSeqOf(sent[0]) != 1 {
		t.Errorf("state %v, sequence %#x after a new mastership", in.State(), ahSeqOf(sent[0]))
	}
}

// FuzzReceiveAH: any IPv4+AH header bytes and any VRRP part, to an AH
// instance in BACKUP or MASTER or to one without AH, never panic, are
// counted (received or in a drop counter) and leave a running timer. The
// seeds are a good advert, its replay-free variants and a truncated AH.
func FuzzReceiveAH(f *testing.F) {
	m, err := NewInstance(complete(ahCfg(200, peer)))
	if err != nil {
		f.Fatal(err)
	}
	m.Step(t0, Startup{})
	d, _ := m.NextDeadline()
	var dgram []byte
	for _, a := range m.Step(d, nil) {
		if s, ok := a.(*SendAdvert); ok {
			dgram = bytes.Clone(s.Packet)
		}
	}
	f.Add(dgram[:ahDatagramExtra], dgram[ahDatagramExtra:], false, false)
	f.Add(dgram[:ahDatagramExtra], dgram[ahDatagramExtra:], true, false)
	f.Add(dgram[:ahDatagramExtra], dgram[ahDatagramExtra:], false, true)
	f.Add(dgram[:30], dgram[ahDatagramExtra:], false, false)
	f.Add([]byte{0x4f}, []byte{0x21, 51, 100, 1, 2, 1, 0, 0}, false, false)
	f.Fuzz(func(t *testing.T, hdrs, p []byte, master, plain bool) {
		c := ahCfg(100, self)
		if plain {
			c.AuthType, c.AuthPass = AuthNone, [8]byte{}
		}
		in := mustInstance(t, c)
		now := t0
		if master {
			now, _ = becomeMaster(t, in)
		} else {
			in.Step(now, Startup{})
		}
		total := func(s Stats) uint64 {
			return s.AdvertRcvd + s.PacketLenErr + s.AdvertIntervalErr + s.IPTTLErr + s.InvalidTypeRcvd + s.AddrListErr +
				s.InvalidAuthType + s.AuthTypeMismatch + s.AuthFailure + s.ChecksumErr + s.VersionErr + s.OtherDropped
		}
		before := total(in.Stats())
		in.Step(now.Add(time.Millisecond), &Received{Src: peer, Dst: MulticastGroup4, TTL: 255, IPLen: len(hdrs) + len(p), Packet: p, AH: hdrs})
		if total(in.Stats()) == before {
			t.Fatalf("AH % x + % x neither received nor counted as dropped: %+v", hdrs, p, in.Stats())
		}
		if st := in.State(); st != StateBackup && st != StateMaster {
			t.Fatalf("state %v", st)
		}
		if _, ok := in.NextDeadline(); !ok {
			t.Fatal("no running timer")
		}
	})
}

// BenchmarkAHMasterAdvert: a master's AH advert Step, the IPv4 and AH
// headers built and the HMAC-MD5-96 ICV computed (the daemon's steady
// state as AH master).
func BenchmarkAHMasterAdvert(b *testing.B) {
	in, err := NewInstance(complete(ahCfg(100, self)))
	if err != nil {
		b.Fatal(err)
	}
	in.Step(t0, Startup{})
	next, _ := in.NextDeadline()
	for i := 0; i < 10; i++ {
		in.Step(next, nil)
		next, _ = in.NextDeadline()
	}
	b.ReportAllocs()
	for b.Loop() {
		in.Step(next, nil)
		next = next.Add(time.Second)
	}
}

// BenchmarkAHBackupReceive: a backup checking an AH advert (ICV, SPI,
// sequence number) and restarting its down timer.
func BenchmarkAHBackupReceive(b *testing.B) {
	m, err := NewInstance(complete(ahCfg(200, peer)))
	if err != nil {
		b.Fatal(err)
	}
	m.Step(t0, Startup{})
	d, _ := m.NextDeadline()
	var rs []Received
	for len(rs) < 4096 {
		for _, a := range m.Step(d, nil) {
			if s, ok := a.(*SendAdvert); ok {
				p := bytes.Clone(s.Packet)
				hdrs, v, _ := SplitAH(p)
				rs = append(rs, Received{Src: peer, Dst: s.Dst, TTL: s.TTL, IPLen: len(p), Packet: v, AH: hdrs})
			}
		}
		d = d.Add(time.Second)
	}
	newBackup := func() *Instance {
		in, err := NewInstance(complete(ahCfg(100, self)))
		if err != nil {
			b.Fatal(err)
		}
		in.Step(t0, Startup{})
		return in
	}
	in := newBackup()
	now, i := t0, 0
	b.ReportAllocs()
	for b.Loop() {
		if i == len(rs) {
			b.StopTimer()
			in, i, now = newBackup(), 0, t0
			b.StartTimer()
		}
		now = now.Add(time.Second)
		in.Step(now, &rs[i])
		i++
	}
	if in.Stats().AuthFailure != 0 {
		b.Fatalf("auth failures: %+v", in.Stats())
	}
}

// TestAHReloadKeepsCounter: a Reconfigure keeps the AH counter and IP
// identification (keepalived keeps them across a reload) and takes a new
// password at once.
func TestAHReloadKeepsCounter(t *testing.T) {
	c := ahCfg(100, self)
	in := mustInstance(t, c)
	now, acts := becomeMaster(t, in)
	first := ahSends(t, in, acts)[0]
	c.Priority, c.AuthPass = 120, pass("kgah2")
	r := ahSends(t, in, in.Step(now.Add(100*time.Millisecond), Reconfigure{Config: c}))
	if len(r) != 1 || ahSeqOf(r[0]) != ahSeqOf(first)+1 || binary.BigEndian.Uint16(r[0].AH[4:6]) != binary.BigEndian.Uint16(first.AH[4:6])+1 {
		t.Fatalf("reload advert %+v after sequence %d", r, ahSeqOf(first))
	}
	peerCfg := ahCfg(90, peer)
	peerCfg.AuthPass = pass("kgah2")
	b := mustInstance(t, peerCfg)
	b.Step(t0, Startup{})
	b.Step(now, &r[0])
	if st := b.Stats(); st.AdvertRcvd != 1 || st.AuthFailure != 0 {
		t.Errorf("a peer with the new password: stats %+v", st)
	}
}
