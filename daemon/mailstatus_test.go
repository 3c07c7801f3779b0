package daemon

import (
	"strings"
	"testing"
	"time"
)

// TestMailCountersInStatusAndMetrics: the mails an instance sent show in
// the status (Status.Mail) and as keepalived_mail_*_total in /metrics; a
// failed one (the server gone) is counted as failed. Without e-mail
// alerts the status has no mail part and the series read 0.
func TestMailCountersInStatusAndMetrics(t *testing.T) {
	s := newSMTPSink(t, false)
	h := newHarness(t, mailConfig(s.ln.Addr().String(), true), eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.advance(5 * time.Second) // BACKUP and MASTER mails
	s.wait(2)
	var st Status
	deadline := time.Now().Add(20 * time.Second)
	for {
		st = h.d.snapshot()
		if st.Mail != nil && st.Mail.Sent == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st.Mail == nil || st.Mail.Sent != 2 || st.Mail.Failed != 0 || st.Mail.Server != s.ln.Addr().String() {
		t.Fatalf("status mail %+v, want 2 sent to %s", st.Mail, s.ln.Addr())
	}
	m := string(metricsText(metricsSnapshot{status: st}))
	for _, want := range []string{"keepalived_mail_sent_total 2\n", "keepalived_mail_failed_total 0\n", "keepalived_mail_dropped_total 0\n"} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
	// The server goes away: the next mail (VI_1 stopping) fails.
	s.ln.Close()
	h.d.shutdown(h.now)
	if got := h.d.mailStats(); got.Failed != 1 {
		t.Errorf("after the server went away: %+v, want 1 failed", got)
	}

	h2 := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	h2.start()
	st2 := h2.d.snapshot()
	if st2.Mail != nil {
		t.Errorf("status has a mail part without e-mail alerts: %+v", st2.Mail)
	}
	if m := string(metricsText(metricsSnapshot{status: st2})); !strings.Contains(m, "keepalived_mail_sent_total 0\n") {
		t.Errorf("/metrics without alerts lacks keepalived_mail_sent_total 0")
	}
}
