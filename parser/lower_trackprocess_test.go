package parser

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLowerTrackProcessQuorumAndDelays: vrrp_track_process's quorum,
// quorum_max and delays as keepalived 2.2.7's handlers read them, one line
// at a time (vrrp_parser.c vrrp_tprocess_*): `delay` sets both delays where
// it stands, so a fork_delay before it is overridden and one after it
// wins; quorum_max 0 sets quorum 0 ("up while no such process runs") and
// is refused once quorum is above 1; quorum is refused above the
// quorum_max already read.
func TestLowerTrackProcessQuorumAndDelays(t *testing.T) {
	type got struct {
		quorum, max int // max -1: none
		fork, term  time.Duration
		findings    []string
	}
	cases := []struct {
		name, body string
		want       got
	}{
		{name: "defaults", want: got{quorum: 1, max: -1}},
		{name: "delay then fork_delay", body: "delay 5\nfork_delay 2",
			want: got{quorum: 1, max: -1, fork: 2 * time.Second, term: 5 * time.Second}},
		{name: "fork_delay then delay", body: "fork_delay 2\ndelay 5",
			want: got{quorum: 1, max: -1, fork: 5 * time.Second, term: 5 * time.Second}},
		{name: "terminate_delay then delay", body: "terminate_delay 2\ndelay 0.5",
			want: got{quorum: 1, max: -1, fork: 500 * time.Millisecond, term: 500 * time.Millisecond}},
		{name: "delay then terminate_delay", body: "delay 0.5\nterminate_delay 2",
			want: got{quorum: 1, max: -1, fork: 500 * time.Millisecond, term: 2 * time.Second}},
		{name: "delay 0", body: "delay 0", want: got{quorum: 1, max: -1,
			findings: []string{"t.conf:3:7: error: delay (0) for vrrp_track_process tp must be between [0.000001..3600] inclusive. Ignoring..."}}},
		{name: "fork_delay too long", body: "fork_delay 3601", want: got{quorum: 1, max: -1,
			findings: []string{"t.conf:3:12: error: fork_delay (3601) for vrrp_track_process tp must be between [0.000001..3600] inclusive. Ignoring..."}}},
		{name: "quorum_max 0", body: "quorum_max 0", want: got{quorum: 0, max: 0}},
		{name: "quorum_max 0 then quorum", body: "quorum_max 0\nquorum 1", want: got{quorum: 0, max: 0,
			findings: []string{"t.conf:4:8: error: Quorum is greater than quorum_max - ignoring"}}},
		{name: "quorum 2 then quorum_max 0", body: "quorum 2\nquorum_max 0", want: got{quorum: 2, max: -1,
			findings: []string{"t.conf:4:12: error: quorum_max is less than quorum - ignoring"}}},
		{name: "quorum_max 0 then 3", body: "quorum_max 0\nquorum_max 3", want: got{quorum: 1, max: 3}},
		{name: "quorum 3 then quorum_max 2", body: "quorum 3\nquorum_max 2", want: got{quorum: 3, max: -1,
			findings: []string{"t.conf:4:12: error: quorum_max is less than quorum - ignoring"}}},
		{name: "quorum_max 2 then quorum 3", body: "quorum_max 2\nquorum 3", want: got{quorum: 1, max: 2,
			findings: []string{"t.conf:4:8: error: Quorum is greater than quorum_max - ignoring"}}},
		{name: "quorum 0", body: "quorum 0", want: got{quorum: 1, max: -1,
			findings: []string{"t.conf:3:8: error: Quorum (0) for vrrp_track_process tp must be between [1..65535] inclusive. Ignoring..."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, lines := lowerText(t, "vrrp_track_process tp {\nprocess nginx\n"+tc.body+"\n}\n")
			if len(cfg.TrackProcesses) != 1 {
				t.Fatalf("%d blocks; findings %q", len(cfg.TrackProcesses), lines)
			}
			tp := cfg.TrackProcesses[0]
			g := got{quorum: tp.Quorum, max: -1, fork: tp.ForkDelay, term: tp.TerminateDelay}
			if tp.QuorumMax != nil {
				g.max = *tp.QuorumMax
			}
			for _, l := range lines {
				if !strings.Contains(l, "notice:") {
					g.findings = append(g.findings, l)
				}
			}
			if diff := cmp.Diff(tc.want, g, cmp.AllowUnexported(got{})); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
