package proc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestMaxAutoPriority: with max_auto_priority 3 and min_auto_priority_delay
// 1 (µs: any late timer counts), the VRRP process moves to SCHED_RR within
// a few seconds and never above priority 3, logging keepalived's "Set
// realtime priority N"; without max_auto_priority it stays under normal
// scheduling and the parent logs keepalived's NOTICE suggesting it. The
// policy is read with sched_getattr on the child's PID (its main thread).
// Run with keepalived-go and keepalived 2.2.7; it fails if the keywords
// have no effect.
func TestMaxAutoPriority(t *testing.T) {
	needRoot(t)
	for _, impl := range implementations() {
		for _, on := range []bool{true, false} {
			name := impl.name + "/off"
			if on {
				name = impl.name + "/max 3"
			}
			t.Run(name, func(t *testing.T) {
				n := newNetns(t)
				extra := ""
				if on {
					extra = "  max_auto_priority 3\n  min_auto_priority_delay 1\n"
				}
				conf := n.backupConf(t, "kgx_prio", extra)
				k := n.startBin(t, impl.bin, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
				_, child := n.waitPids(t, k.out.String)
				policy := func() (uint32, uint32) {
					a, err := unix.SchedGetAttr(child, 0)
					if err != nil {
						return 99, 0
					}
					return a.Policy, a.Priority
				}
				if !on {
					time.Sleep(3 * time.Second)
					if p, prio := policy(); p != unix.SCHED_NORMAL {
						t.Errorf("policy %d prio %d without max_auto_priority, want SCHED_OTHER", p, prio)
					}
					if !strings.Contains(k.out.String(), "NOTICE: setting config option max_auto_priority should result in better keepalived performance") {
						t.Errorf("no NOTICE about max_auto_priority\n%s", k.out.String())
					}
					return
				}
				if !waitFor(10*time.Second, func() bool { p, _ := policy(); return p == unix.SCHED_RR }) {
					p, prio := policy()
					t.Fatalf("policy %d prio %d after 10 s, want SCHED_RR\n%s", p, prio, k.out.String())
				}
				time.Sleep(3 * time.Second) // let it climb
				if _, prio := policy(); prio < 1 || prio > 3 {
					t.Errorf("real-time priority %d, want 1..3", prio)
				}
				if !strings.Contains(k.out.String(), "Set realtime priority 1") {
					t.Errorf("no \"Set realtime priority 1\" line\n%s", k.out.String())
				}
				if strings.Contains(k.out.String(), "Set realtime priority 4") {
					t.Errorf("priority went above max_auto_priority\n%s", k.out.String())
				}
				if strings.Contains(k.out.String(), "NOTICE: setting config option max_auto_priority") {
					t.Errorf("NOTICE logged although max_auto_priority is set")
				}
			})
		}
	}
}

// TestVRRPProcessTuning: vrrp_rt_priority puts the VRRP process under
// SCHED_RR at that priority from the start; vrrp_priority sets its nice
// value; vrrp_cpu_affinity the CPUs it runs on. Read from the child's PID
// (its main thread), with keepalived-go and keepalived 2.2.7; it fails if
// the keywords have no effect.
func TestVRRPProcessTuning(t *testing.T) {
	needRoot(t)
	cases := []struct {
		name, global string
		check        func(t *testing.T, pid int)
	}{
		{"vrrp_rt_priority", "  vrrp_rt_priority 7\n", func(t *testing.T, pid int) {
			a, err := unix.SchedGetAttr(pid, 0)
			if err != nil || a.Policy != unix.SCHED_RR || a.Priority != 7 {
				t.Errorf("sched %+v %v, want SCHED_RR priority 7", a, err)
			}
		}},
		{"vrrp_priority", "  vrrp_priority -5\n", func(t *testing.T, pid int) {
			if nice := statField(pid, 19); nice != -5 {
				t.Errorf("nice %d, want -5", nice)
			}
		}},
		{"vrrp_cpu_affinity", "  vrrp_cpu_affinity 0\n", func(t *testing.T, pid int) {
			var set unix.CPUSet
			if err := unix.SchedGetaffinity(pid, &set); err != nil || set.Count() != 1 || !set.IsSet(0) {
				t.Errorf("affinity count %d cpu0 %t (%v), want CPU 0 only", set.Count(), set.IsSet(0), err)
			}
		}},
	}
	for _, impl := range implementations() {
		for _, tc := range cases {
			t.Run(impl.name+"/"+tc.name, func(t *testing.T) {
				n := newNetns(t)
				conf := filepath.Join(n.dir, "k.conf")
				text := "global_defs {\n  router_id kgx_tune\n" + tc.global + `}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.77.0.100/24
  }
}
`
				if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				k := n.startBin(t, impl.bin, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
				_, child := n.waitPids(t, k.out.String)
				if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), "Entering BACKUP STATE") }) {
					t.Fatalf("no BACKUP state\n%s", k.out.String())
				}
				time.Sleep(500 * time.Millisecond)
				tc.check(t, child)
			})
		}
	}
}
