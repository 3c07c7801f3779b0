package daemon

import (
	"bytes"
	"fmt"
)

// MailStatus is what the e-mail alerts (smtp_alert) did since start:
// mails sent, mails that could not be sent (each logged once), and
// alerts dropped because the bounded queue was full or the sender closed.
// keepalived 2.2.7 counts none of this (no dump has such a line), so the
// counters are in the status and /metrics only.
type MailStatus struct {
	Server  string `json:"smtp_server"`
	Sent    int64  `json:"sent"`
	Failed  int64  `json:"failed"`
	Dropped int64  `json:"dropped"`
}

// mailStatus is the running alerts' counters (nil without e-mail alerts).
func (d *Daemon) mailStatus() *MailStatus {
	if d.mail == nil {
		return nil
	}
	st := d.mailStats()
	return &MailStatus{Server: d.mail.cfg.Server, Sent: st.Sent, Failed: st.Failed, Dropped: st.Dropped}
}

// mailMetrics appends the mail counters to /metrics (zero without alerts,
// so that the series always exist).
func mailMetrics(b *bytes.Buffer, s Status) {
	var m MailStatus
	if s.Mail != nil {
		m = *s.Mail
	}
	for _, c := range []struct {
		name, help string
		v          int64
	}{
		{"keepalived_mail_sent_total", "E-mail alerts sent (smtp_alert).", m.Sent},
		{"keepalived_mail_failed_total", "E-mail alerts that could not be sent.", m.Failed},
		{"keepalived_mail_dropped_total", "E-mail alerts dropped (queue full or sender closed).", m.Dropped},
	} {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", c.name, c.help, c.name, c.name, c.v)
	}
}
