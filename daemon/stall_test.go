package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// TestTimerExpiredBackupAfterStall drives keepalived 2.4.3's
// timer_expired_backup on the virtual clock: a nopreempt MASTER whose loop
// wakes long after its advert timer was due (the process was not
// scheduled) goes to BACKUP, drops its VIP and sends no advert, when its
// last advert is older than what a router of the highest other priority
// (here 99) waits before taking over: 3 x 1 s + (256-99)/256 s = 3.613 s,
// checked once the loop is at least 2 x 1 s + 0.613 s late. A shorter
// stall, or the keyword unset, leaves it MASTER, sending its late advert
// as keepalived 2.2.7 does.
func TestTimerExpiredBackupAfterStall(t *testing.T) {
	for _, tc := range []struct {
		name       string
		other      int           // timer_expired_backup's priority, 0: unset
		stall      time.Duration // how long the loop sleeps after an advert
		wantBackup bool
	}{
		{"stalled past the takeover window", 99, 5 * time.Second, true},
		// 2 x 1 s + 0.613 s: a router of priority 99 has not taken over.
		{"stalled less than the quickest takeover", 99, 2500 * time.Millisecond, false},
		{"stalled within min_auto_priority_delay", 99, 1900 * time.Millisecond, false},
		{"keyword unset", 0, 5 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
			in.Nopreempt = true
			in.HighestOtherPriority = tc.other
			h := newHarness(t, configOf(in), eth("eth0", true, "10.0.0.1/24"))
			h.start()
			h.advance(10 * time.Second)
			if st := h.d.insts[0].state.String(); st != "MASTER" {
				t.Fatalf("%s after 10 s alone, want MASTER", st)
			}
			// Up to the next advert, which goes at a whole second.
			next, _ := h.d.nextDeadline()
			h.advance(next.Sub(h.now))
			h.host.take()
			h.takeLogs()
			// The loop does not run for 1 s + stall: it wakes that late
			// for the advert due 1 s after the last one.
			h.now = h.now.Add(time.Second + tc.stall)
			h.d.onTimer(h.now)
			acts := join(h.host.take())
			logs := join(h.takeLogs())
			state := h.d.insts[0].state.String()
			if tc.wantBackup {
				if state != "BACKUP" || strings.Contains(acts, "prio 100") || !strings.Contains(acts, "del 10.0.0.100/24") {
					t.Errorf("state %s, want BACKUP without an advert and the VIP removed:\n%s", state, acts)
				}
				for _, want := range []string{"VRRP thread timer expired 5.000000 seconds ago", "(VI_1) Entering BACKUP STATE"} {
					if !strings.Contains(logs, want) {
						t.Errorf("logs lack %q:\n%s", want, logs)
					}
				}
				return
			}
			if state != "MASTER" || !strings.Contains(acts, "prio 100") || strings.Contains(logs, "thread timer expired") {
				t.Errorf("state %s, want MASTER sending its late advert:\n%s\n%s", state, acts, logs)
			}
		})
	}
}

// TestTimerExpiredBackupSyncGroup: a stalled member with
// timer_expired_backup goes to BACKUP and its sync group follows it, as
// when a member hears a higher priority (vrrp_state_leave_master then the
// group's sync).
func TestTimerExpiredBackupSyncGroup(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth1", 100, "10.1.0.100/24"))
	for _, in := range cfg.Instances {
		in.SyncGroup, in.Nopreempt = "G1", true
	}
	cfg.Instances[0].HighestOtherPriority = 254
	cfg.SyncGroups = []*config.SyncGroup{{Name: "G1", Members: []string{"VI_1", "VI_2"}}}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"))
	h.start()
	h.advance(10 * time.Second)
	for _, in := range h.d.insts {
		if st := in.state.String(); st != "MASTER" {
			t.Fatalf("%s is %s, want MASTER", in.name(), st)
		}
	}
	h.takeLogs()
	h.now = h.now.Add(6 * time.Second)
	h.d.onTimer(h.now)
	for _, in := range h.d.insts {
		if st := in.state.String(); st != "BACKUP" {
			t.Errorf("%s is %s after the stall, want BACKUP", in.name(), st)
		}
	}
	if logs := join(h.takeLogs()); !strings.Contains(logs, "VRRP thread timer expired") || !strings.Contains(logs, "VRRP_Group(G1) Syncing instances to BACKUP state") {
		t.Errorf("logs:\n%s", logs)
	}
}
