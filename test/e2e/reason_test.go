package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Issue 15, item 4: the "why this state" of ours, held against keepalived
// 2.2.7 as the peer. `keepalived status` on our node must name
// keepalived's master by its address and its priority, and say by which
// timer and after whose silence ours became MASTER.

// ourStatus runs `keepalived status` (text, then JSON) on h, where our
// daemon runs, and returns the text and the first instance's reason.
func ourStatus(t *testing.T, h *Host) (string, map[string]any) {
	t.Helper()
	bin := h.Lab.Tools.Binary(Ours)
	text, err := h.Run(bin, "status")
	if err != nil {
		t.Fatalf("%s: keepalived status: %v\n%s", h.Name, err, text)
	}
	js, err := h.Run(bin, "status", "--format", "json")
	if err != nil {
		t.Fatalf("%s: keepalived status --format json: %v\n%s", h.Name, err, js)
	}
	var st struct {
		Instances []struct {
			Reason map[string]any `json:"reason"`
		} `json:"instances"`
	}
	if err := json.Unmarshal([]byte(js), &st); err != nil || len(st.Instances) != 1 {
		t.Fatalf("%s: keepalived status --format json: %v (%d instances)\n%s", h.Name, err, len(st.Instances), js)
	}
	return text, st.Instances[0].Reason
}

// waitStatus polls `keepalived status` on h until its text matches re.
func waitStatus(t *testing.T, h *Host, re *regexp.Regexp, timeout time.Duration) (string, map[string]any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		text, r := ourStatus(t, h)
		if re.MatchString(text) || time.Now().After(deadline) {
			return text, r
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// wantReason checks the status text against re and the JSON parts against
// want (the keys given only).
func wantReason(t *testing.T, what, text string, r map[string]any, re *regexp.Regexp, want map[string]any) {
	t.Helper()
	t.Logf("%s: keepalived status:\n%s", what, text)
	if !re.MatchString(text) {
		t.Errorf("%s: keepalived status does not match %q:\n%s", what, re, text)
	}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%s: reason.%s = %v, want %v (reason %v)", what, k, r[k], v, r)
		}
	}
}

// TestReasonBesideKeepalived: ours as BACKUP beside keepalived 2.2.7 as
// MASTER (lb1 10.0.0.11, priority 100; ours lb2 10.0.0.12, 90), then the
// 2.2.7 master killed; and the reverse roles: ours MASTER first, preempted
// by a higher-priority keepalived, which then stops (priority 0 advert);
// and ours preempting a lower-priority keepalived master.
func TestReasonBesideKeepalived(t *testing.T) {
	t.Run("keepalived master killed", func(t *testing.T) {
		p := startPair(t, Keepalived, Ours, pairOpts{})
		text, r := ourStatus(t, p.B)
		wantReason(t, "beside the 2.2.7 master", text, r,
			regexp.MustCompile(`(?m)^    BACKUP: master 10\.0\.0\.11 advertises priority 100, ours is 90; last advert \d+\.\d s ago$`),
			map[string]any{"state": "BACKUP", "master": "10.0.0.11", "master_priority": float64(100), "priority": float64(90)})
		p.crash()
		waitVIP(t, p.B, lanVIP, 10*time.Second)
		re := regexp.MustCompile(`(?m)^    MASTER since \d\d:\d\d:\d\d after master-down timer \(3 adverts missed from 10\.0\.0\.11\)$`)
		text, r = waitStatus(t, p.B, re, 3*time.Second)
		wantReason(t, "after the 2.2.7 master was killed", text, r, re,
			map[string]any{"state": "MASTER", "cause": "master-down timer"})
		logLines(t, p.B)
	})
	t.Run("ours master preempted by keepalived, which stops", func(t *testing.T) {
		needOurs(t)
		l := newLAN(t, 2)
		o := pairOpts{}
		kaIn := o.instance(l, 1, true) // priority 100
		kaIn.State = "BACKUP"
		ka, ours := l.Host("lb1"), l.Host("lb2")
		ka.WriteConf(Conf("lb1", kaIn))
		ours.WriteConf(Conf("lb2", o.instance(l, 2, false)))
		ours.StartDaemon(Ours)
		waitVIP(t, ours, lanVIP, 8*time.Second)
		re := regexp.MustCompile(`(?m)^    MASTER since \d\d:\d\d:\d\d after master-down timer \(no master heard\)$`)
		text, r := waitStatus(t, ours, re, 2*time.Second)
		wantReason(t, "ours alone", text, r, re, map[string]any{"state": "MASTER"})

		ka.StartDaemon(Keepalived)
		waitVIP(t, ka, lanVIP, 8*time.Second)
		re = regexp.MustCompile(`(?m)^    BACKUP: master 10\.0\.0\.11 advertises priority 100, ours is 90; last advert \d+\.\d s ago$`)
		text, r = waitStatus(t, ours, re, 3*time.Second)
		wantReason(t, "preempted by the 2.2.7 node", text, r, re,
			map[string]any{"state": "BACKUP", "cause": "higher priority advert", "master": "10.0.0.11", "master_priority": float64(100)})

		if !ka.Daemon().Stop(5 * time.Second) {
			t.Fatalf("keepalived on lb1 did not stop on SIGTERM")
		}
		waitVIP(t, ours, lanVIP, 5*time.Second)
		re = regexp.MustCompile(`(?m)^    MASTER since \d\d:\d\d:\d\d after 10\.0\.0\.11 left MASTER \(priority 0 advert\)$`)
		text, r = waitStatus(t, ours, re, 2*time.Second)
		wantReason(t, "after the 2.2.7 master stopped", text, r, re,
			map[string]any{"state": "MASTER", "cause": "priority 0 advert"})
		logLines(t, ours)
	})
	t.Run("ours preempts a keepalived master", func(t *testing.T) {
		needOurs(t)
		l := newLAN(t, 2)
		o := pairOpts{}
		oursIn := o.instance(l, 1, true) // priority 100
		oursIn.State = "BACKUP"
		ours, ka := l.Host("lb1"), l.Host("lb2")
		ours.WriteConf(Conf("lb1", oursIn))
		ka.WriteConf(Conf("lb2", o.instance(l, 2, false))) // priority 90
		ka.StartDaemon(Keepalived)
		waitVIP(t, ka, lanVIP, 8*time.Second)
		ours.StartDaemon(Ours)
		waitVIP(t, ours, lanVIP, 8*time.Second)
		re := regexp.MustCompile(`(?m)^    MASTER since \d\d:\d\d:\d\d after preempting 10\.0\.0\.12 \(priority 90, ours 100\)$`)
		text, r := waitStatus(t, ours, re, 2*time.Second)
		wantReason(t, "preempting the 2.2.7 master", text, r, re, map[string]any{"state": "MASTER", "cause": "preempted"})
		logLines(t, ours)
	})
}

// logLines shows our transitions in the test's log (keepalived's lines,
// unchanged).
func logLines(t *testing.T, h *Host) {
	for _, ln := range strings.Split(h.Daemon().LogText(), "\n") {
		if strings.Contains(ln, "Entering") {
			t.Logf("%s: %s", h.Name, ln)
		}
	}
}
