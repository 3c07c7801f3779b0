package vrrpsim

import (
	"fmt"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/vrrp"
)

// quietOff puts the instances' log lines in schedule transcripts (debugging).
var quietOff bool

// schedule turns fuzz bytes into a simulation: a segment of 2-3 routers
// sharing one VRID (configs from the first bytes), then operations of 3
// bytes each (advance time, crash, start, stop, isolate, heal, tracking
// priority, fault, reconfigure). It returns the sim after healing and one
// more minute, ready for the end-state checks.
func schedule(data []byte) *Sim {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	nr := 2 + int(next()%2)
	version := 2 + int(next()%2)
	interval := time.Second
	opt := Options{Delay: time.Duration(next()%6) * time.Millisecond, Jitter: time.Duration(next()%6) * time.Millisecond, Seed: uint64(next()), Quiet: !quietOff}
	s := New(opt)
	var routers []*Router
	for i := 0; i < nr; i++ {
		prio := next()
		if prio == 0 {
			prio = 1
		}
		c := vrrp.Config{Name: "VI_1", VRID: 10, Version: version, Priority: prio, AdvertInt: interval,
			VIPs: addrs("10.0.0.100"), GarpMasterDelay: 5 * time.Second, GarpMasterRepeat: 1, GarpLowerPrioRepeat: 1}
		if version == 3 {
			c.AdvertInt = time.Duration(10+int(next()%100)) * 10 * time.Millisecond
		}
		flags := next()
		c.Nopreempt = flags&1 != 0
		c.WantMaster = flags&2 != 0
		if flags&4 != 0 {
			c.PreemptDelay = time.Duration(flags>>3) * 250 * time.Millisecond
		}
		c.HigherPrioSendAdvert = flags&0x80 != 0 && flags&4 == 0
		routers = append(routers, s.AddRouter(fmt.Sprintf("r%d", i+1), fmt.Sprintf("10.0.0.%d", i+1), "", "", c))
	}
	for _, r := range routers {
		s.At(0, r.Start)
	}
	t := time.Duration(0)
	for len(data) >= 3 {
		op, ri, arg := next()%9, int(next())%nr, next()
		r := routers[ri]
		switch op {
		case 0:
			t += time.Duration(arg) * 50 * time.Millisecond
		case 1:
			s.At(t, func() {
				if r.Up() {
					r.Crash()
				}
			})
		case 2:
			s.At(t, func() {
				if !r.Up() {
					r.Start()
				}
			})
		case 3:
			s.At(t, func() {
				if r.Up() {
					r.Stop()
				}
			})
		case 4:
			s.At(t, func() { s.Partition([]string{r.Name}) })
		case 5:
			s.At(t, s.Heal)
		case 6:
			s.At(t, func() { r.Priority("VI_1", int(arg)) })
		case 7:
			s.At(t, func() { r.Fault("VI_1", "k", arg&1 != 0) })
		case 8:
			s.At(t, func() {
				c := r.node("VI_1").cfg
				if arg > 0 {
					c.Priority = arg
				}
				c.Nopreempt = arg&1 != 0
				r.Reconfigure("VI_1", c)
			})
		}
		t += time.Millisecond
	}
	s.At(t, func() {
		s.Heal()
		for _, r := range routers {
			if r.Up() {
				r.Fault("VI_1", "k", false)
			}
		}
	})
	s.RunUntil(t + time.Minute)
	return s
}

// checkEnd: after the heal and a minute, every invariant held and, if any
// router runs, exactly one is master.
func checkEnd(t *testing.T, s *Sim) {
	t.Helper()
	for _, v := range s.Violations() {
		t.Errorf("invariant: %s", v)
	}
	up := 0
	for _, r := range s.routers {
		if r.Up() {
			up++
		}
	}
	if m := s.Masters(); up > 0 && len(m) != 1 {
		t.Errorf("%d routers up, masters %v", up, m)
	}
	if t.Failed() {
		t.Log(s.Transcript())
	}
}

// FuzzSchedule drives random schedules of crashes, restarts, graceful
// stops, partitions, tracking, faults and reconfigurations through the
// invariants of the simulator (DESIGN.md section 6).
func FuzzSchedule(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 100, 0, 90, 0})
	f.Add([]byte{1, 1, 2, 3, 4, 200, 1, 5, 150, 3, 1, 100, 0, 0, 100, 1, 0, 0, 0, 0, 200, 2, 0, 0, 0, 1, 100, 5, 0, 0})
	f.Add([]byte{1, 0, 1, 1, 9, 255, 2, 100, 1, 100, 4, 0, 100, 4, 1, 0, 0, 0, 150, 5, 0, 0, 0, 0, 200, 7, 1, 1, 0, 0, 100, 7, 1, 0})
	f.Add([]byte{0, 1, 5, 5, 3, 120, 0x85, 120, 0x02, 0, 0, 80, 3, 0, 0, 0, 1, 90, 2, 0, 0, 0, 0, 255, 8, 1, 50, 0, 0, 200})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 300 {
			data = data[:300]
		}
		checkEnd(t, schedule(data))
	})
}

// TestScheduleRegressions keeps every schedule the fuzzer (or a random
// search) once failed on, each with what it taught us.
func TestScheduleRegressions(t *testing.T) {
	cases := []struct {
		name string
		data string
	}{
		{"preempt_delay takeover overlaps the old master for one delivery", "010000\x01$"},
		{"jitter must not reorder a reload advert and the priority-0 advert", "g\xc6JS\xae\xba\xc9\xeb=ۀ;\x13 \x00\xf0O\r A>@\xa5\xff\xbbִ{\x8f\xaa\x9eL\xa1\xb3\xa6\xbc\x86\x03I\xe9"},
		{"v3 backup adopts the crashed master's interval from an advert in flight", "\x10G#\xc2\xe7\xd1Ƨ\xe6\xdeܫ\"\xe8\xb3\vC\xb4b\x92\xbd\xcb^\"%\xb8\xcc/r\x8c\x02\x95\u05cfR\xa4\xfc\xa2<\x8f2\x9e\xc36\x04\xaa%%\xa6\xa8AO\x9b\xd1\xfbW\xfe\xbd\xf1ݫ\x1e:\xf3t\xad6\xc8WV\t\xe1\xceW\xc1\x81I\x80(\x83\x11\x97\xf9\xbd\x1b\xef\xb6Ѯ\xa7#\xe8Qn4\xf5\xc3\x16\x88*\xb6E\xd4\x02\xc0\x89\x04\xf6}\x80I\x1a\x83e\fΩk\xda\x00ay\xb6\xcb\r\xe94\x00\xd0\n\xaa\xfcJ\x1b\x02\x05\x00_\xcf\xeaM\x81 \xecb\xde\x18\x8b:\xdc<6pat\xff\x88\x1eMԎe\xf0\x18>\xc4MZ\x90Y\xcem\xca\xcfz1\xd6t\x89C\xdbV\xb2\t\xa2\x96\x06\x01\x94r!5\xacU\xdam\xd6\xd0P\xf3ݙ\x82\xc1\xb1ɷL\x11\xdd\x12\x04\xb2Igvi\xc0i\x86\x8b\xa5\xeeˁ:\xdcȕ\x87"},
		{"nopreempt backup takes over before it can hear a newly reconnected master", "+\x8f\xe62iq\xcd-\xfc:\x8b.\\\xf2\x9e\x93х\x1f\x1c^[IƅxIrpSf\xdcL߷\x00\xe5\b\x85%ֆ}vQ\x03Jr\xe87`\xa4\xec\xa2\xc4ډ\xa1\xf9Kk*\x96ף,=\x8a\xd1λ:\xb6E\x00\x0fc\xe1\xcb[\u058cu\xa1\x1e\xe2\x1b\xeeS\f\xc5跿A\xe4\xdec?\xb1\x83\x1f\x8d"},
		{"nopreempt backup and a master rejoining after a partition", "S\x9f\xc6ԭ\xd1[\x9c\xdḓ_ʭ\a2\x13\xa6\x03\xb9\x1b\xc3\xf2\xf83\xc8\xf8\x12Y\xa52\xb7W\xcaS\xc5O\xe7c\x18\xfa\xc9Y\x02\xad\xf8\xc1)\xfd\xf5\xab\x8cb\xb5\xaa\xfd\xa2W\x85!\xbf@\xe3\xbd\xf7\xaeV\xe5\x82\x11\xe1\x9f\xe6v\v\xdc\xd0\x7f\xb2\xd5\x17\x02C\xf3y\xa5\xd9*\xa62\x90-{i\xbc9\xf2\xdf\t\x16\x87b\t\xefw\x988\xd6L\x19\x93\x8bfM\xa7\x81\xbd\xb1\x1a\xc3y\x10\x94\x89y\xe8'\xf1\xe4\x01\xe4/\x83c\nh\b\xf7οL\x1c8\x8a\xf7}\xb9\x06"},
		{"v3 backup expires on a third router's shorter interval before the master's next advert", "]-sk\xbe+\xdfV\xf9GNI\avH\xfcq\xd82\x8e\xf7_g\xb4\xc9}\x05\xd8\xc4\xf1 \xd4\xc6\xeb\x02\xe2\xf2o\xe3D-\xbd\xc2\xd4z\x1c^\xfd4q\xf4a\x8dtgF\xcd .\xb2PI=\xeaU\xe0\xb50%\x80\xf5\x15\xe5~\xab(\\\xf8\xb07jE\xd5[ǘ\xfc\x04\a\x1cz\xc7gH7\xae\x86\xc0\xbe\x01\xef9\xda)\xd9n\xff\xa2\xb9\xe6uG~J\xd1\xdd\xd1}\xb8Jn\x8f\x7f\xa9|\xcb\xe2LkM\xb4\xf7\xb3\xc3\xd7o\xd0\xecx\xec\\\x9f\x91\n^N\xb6\x85\x15\x01\x05u\x7f\xc9e\x04d\xcd!$\a\x03y\xec#\xf7\xd9\n\xb1\xe4_\xe8\xaeS\x83\xdf\x17!\x00\xc1\x9cy\xc0\xab\xbf\x1a;\xe0\xa0\x17\xbb\"!I9\xf5\x8a\xb25;\xef\x03\xf7\f"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkEnd(t, schedule([]byte(c.data))) })
	}
}
