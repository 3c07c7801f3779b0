package daemon

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

// smtpSink is an SMTP server on 127.0.0.1 that accepts every message and
// keeps each one's Subject line; with blackhole it accepts connections
// and never answers.
type smtpSink struct {
	ln        net.Listener
	blackhole bool
	mu        sync.Mutex
	subjects  []string
	conns     []net.Conn
}

func newSMTPSink(t *testing.T, blackhole bool) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, blackhole: blackhole}
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			if !blackhole {
				go s.serve(c)
			}
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	io.WriteString(c, "220 sink\r\n")
	data := false
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch {
		case data && l == ".\r\n":
			data = false
			io.WriteString(c, "250 ok\r\n")
		case data:
			if strings.HasPrefix(l, "Subject: ") {
				s.mu.Lock()
				s.subjects = append(s.subjects, strings.TrimSpace(strings.TrimPrefix(l, "Subject: ")))
				s.mu.Unlock()
			}
		case strings.HasPrefix(l, "DATA"):
			data = true
			io.WriteString(c, "354 go\r\n")
		case strings.HasPrefix(l, "QUIT"):
			io.WriteString(c, "221 bye\r\n")
			return
		default:
			io.WriteString(c, "250 ok\r\n")
		}
	}
}

// wait returns the subjects once n have arrived (or after 20 s).
func (s *smtpSink) wait(n int) []string {
	deadline := time.Now().Add(20 * time.Second)
	for {
		s.mu.Lock()
		got := append([]string(nil), s.subjects...)
		s.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mailConfig(addr string, alert bool) *config.Config {
	a := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	a.SMTPAlert = alert
	b := vi("VI_2", 52, "eth0", 100, "10.0.0.101/24") // never smtp_alert
	cfg := configOf(a, b)
	cfg.Global.RouterID = "lb1"
	cfg.Global.Mail = config.Mail{Server: addr, HeloName: "lb1", From: "ka@lb1", Emails: []string{"ops@example.com"}, ConnectTimeout: 2 * time.Second}
	return cfg
}

// TestMailAlertPerTransition: an instance with smtp_alert mails each state
// it enters (BACKUP at start, MASTER, STOP at shutdown) in keepalived's
// subject; the instance without it mails nothing.
func TestMailAlertPerTransition(t *testing.T) {
	s := newSMTPSink(t, false)
	h := newHarness(t, mailConfig(s.ln.Addr().String(), true), eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.advance(5 * time.Second)
	h.d.shutdown(h.now)
	want := []string{
		"[lb1] VRRP Instance VI_1 - Entering BACKUP state",
		"[lb1] VRRP Instance VI_1 - Entering MASTER state",
		"[lb1] VRRP Instance VI_1 - Stopping",
	}
	if diff := cmp.Diff(want, s.wait(len(want))); diff != "" {
		t.Errorf("mails (-want +got)\n%s", diff)
	}
}

// TestMailBlackholedNeverDelaysTakeover: with an SMTP server that accepts
// and never answers, the BACKUP -> MASTER step takes no longer than
// without alerts: mails are only queued. Measured in wall-clock time; the
// bound is generous (the figure is in BENCHMARKS-daemon.md).
func TestMailBlackholedNeverDelaysTakeover(t *testing.T) {
	s := newSMTPSink(t, true)
	cfg := mailConfig(s.ln.Addr().String(), true)
	cfg.Global.Mail.ConnectTimeout = 30 * time.Second
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start() // the BACKUP alert already waits on the dead server
	h.advance(3 * time.Second)
	start := time.Now()
	h.advance(2 * time.Second) // both instances become MASTER in here
	took := time.Since(start)
	if st := h.d.insts[0].state.String(); st != "MASTER" {
		t.Fatalf("VI_1 is %s, want MASTER", st)
	}
	t.Logf("takeover step with a blackholed SMTP server: %v", took)
	if took > 2*time.Second {
		t.Errorf("takeover took %v with a blackholed SMTP server", took)
	}
	start = time.Now()
	h.d.shutdown(h.now)
	if el := time.Since(start); el > mailCloseWait+2*time.Second {
		t.Errorf("shutdown took %v, more than the mail close wait %v", el, mailCloseWait)
	}
	// BACKUP, MASTER and STOP of VI_1: the first failed when shutdown cut
	// its dialogue, the others never left the queue. None is retried.
	if st := h.d.mailStats(); st.Sent != 0 || st.Failed != 1 || st.Failed+st.Dropped != 3 {
		t.Errorf("mail stats after shutdown: %+v, want 1 failed and 2 dropped", st)
	}
}
