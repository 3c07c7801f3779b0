package proc

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestTrackProcessQuorumAtStart: an instance tracking (unweighted) a
// process that is not running starts in FAULT and says why in keepalived
// 2.2.7's words (vrrp_track.c initialise_process_tracking_priorities),
// then "(VI_1) entering FAULT state" (vrrp_complete_init), and no
// "Entering FAULT STATE (init)" (vrrp_init_state finds it in FAULT
// already); keepalived-go and keepalived 2.2.7 run the same configuration
// and want the same lines in the same order.
func TestTrackProcessQuorumAtStart(t *testing.T) {
	needRoot(t)
	const why = "(VI_1) entering FAULT state (tracked process tp quorum not achieved)"
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			n := newNetns(t)
			conf := n.backupConf(t, "kgx_tp", "")
			text, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			// A process name nothing runs under.
			proc := fmt.Sprintf("kgxnone%d", os.Getpid()%100000)
			s := "vrrp_track_process tp {\n  process " + proc + "\n}\n" +
				strings.Replace(string(text), "  advert_int 1\n", "  advert_int 1\n  track_process {\n    tp\n  }\n", 1)
			if err := os.WriteFile(conf, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			k := n.startBin(t, impl.bin, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
			if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), "Startup complete") }) {
				t.Fatalf("no start-up\n%s", k.out.String())
			}
			out := k.out.String()
			i, j := strings.Index(out, why+"\n"), strings.Index(out, "(VI_1) entering FAULT state\n")
			if i < 0 || j < 0 || i > j {
				t.Errorf("want %q, then the FAULT transition as keepalived words it\n%s", why, out)
			}
			if strings.Contains(out, "Entering FAULT STATE (init)") {
				t.Errorf("an instance in FAULT before it started logged 'Entering FAULT STATE (init)'\n%s", out)
			}
			if c := strings.Count(out, "quorum not achieved"); c != 1 {
				t.Errorf("%d 'quorum not achieved' lines, want 1\n%s", c, out)
			}
		})
	}
}
