package mail

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeServer is an SMTP server on 127.0.0.1 that answers each command
// with the reply in codes (default: the expected one) and records what it
// was sent, line by line.
type fakeServer struct {
	ln    net.Listener
	mu    sync.Mutex
	lines []string
	codes map[string]string // command word -> reply line
	done  chan struct{}
}

func newFakeServer(t *testing.T, codes map[string]string) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{ln: ln, codes: codes, done: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go s.serve()
	return s
}

func (s *fakeServer) reply(cmd, def string) string {
	if r, ok := s.codes[cmd]; ok {
		return r
	}
	return def
}

func (s *fakeServer) serve() {
	defer close(s.done)
	c, err := s.ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	io.WriteString(c, "220-fake.example ESMTP\r\n220 ready\r\n") // a multi-line greeting
	inData := false
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return
		}
		s.mu.Lock()
		s.lines = append(s.lines, l)
		s.mu.Unlock()
		if inData {
			if l == ".\r\n" {
				inData = false
				io.WriteString(c, s.reply("BODY", "250 queued")+"\r\n")
			}
			continue
		}
		word := strings.ToUpper(strings.Fields(l + " x")[0])
		if i := strings.IndexByte(word, ':'); i >= 0 {
			word = word[:i]
		}
		switch word {
		case "HELO":
			io.WriteString(c, s.reply("HELO", "250 hello")+"\r\n")
		case "MAIL":
			io.WriteString(c, s.reply("MAIL", "250 ok")+"\r\n")
		case "RCPT":
			io.WriteString(c, s.reply("RCPT", "250 ok")+"\r\n")
		case "DATA":
			rep := s.reply("DATA", "354 go ahead")
			io.WriteString(c, rep+"\r\n")
			inData = strings.HasPrefix(rep, "354")
		case "QUIT":
			io.WriteString(c, "221 bye\r\n")
			return
		default:
			io.WriteString(c, "500 what\r\n")
		}
	}
}

func (s *fakeServer) got(t *testing.T) string {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("fake server did not finish")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "")
}

var testDate = time.Date(2026, 3, 1, 9, 44, 8, 0, time.FixedZone("", 3600))

func testConfig(addr string) Config {
	return Config{Server: addr, HeloName: "lb1.example", From: "keepalived@lb1.example",
		To: []string{"ops@example.com", "Pager <pager@example.com>"}, Timeout: 5 * time.Second}
}

// TestDeliverDialogue: the whole dialogue and message, byte for byte, as
// keepalived's smtp.c writes them.
func TestDeliverDialogue(t *testing.T) {
	s := newFakeServer(t, nil)
	m, ok := InstanceAlert("lb1", "VI_1", "MASTER", testDate)
	if !ok {
		t.Fatal("no alert for MASTER")
	}
	if err := Deliver(context.Background(), testConfig(s.ln.Addr().String()), m); err != nil {
		t.Fatal(err)
	}
	want := "HELO lb1.example\r\n" +
		"MAIL FROM:<keepalived@lb1.example>\r\n" +
		"RCPT TO:<ops@example.com>\r\n" +
		"RCPT TO:<pager@example.com>\r\n" +
		"DATA\r\n" +
		"Date: Sun, 01 Mar 2026 09:44:08 +0100\r\n" +
		"From: keepalived@lb1.example\r\n" +
		"Subject: [lb1] VRRP Instance VI_1 - Entering MASTER state\r\n" +
		"X-Mailer: Keepalived\r\n" +
		"To: ops@example.com,\r\n" +
		" Pager <pager@example.com>\r\n" +
		"\r\n" +
		"=> VRRP Instance is now owning VRRP VIPs <=\r\n" +
		"\r\n" +
		".\r\n" +
		"QUIT\r\n"
	if diff := cmp.Diff(want, s.got(t)); diff != "" {
		t.Errorf("dialogue (-want +got)\n%s", diff)
	}
}

// TestDeliverRefused: a refused command ends the dialogue with QUIT and
// an error in keepalived's words naming the command and code.
func TestDeliverRefused(t *testing.T) {
	s := newFakeServer(t, map[string]string{"RCPT": "550 no such user"})
	m, _ := InstanceAlert("lb1", "VI_1", "BACKUP", testDate)
	err := Deliver(context.Background(), testConfig(s.ln.Addr().String()), m)
	if !errors.Is(err, ErrSMTP) || !strings.Contains(err.Error(), "Error processing RCPT cmd on SMTP server [127.0.0.1]:") || !strings.Contains(err.Error(), "SMTP status code = 550") {
		t.Fatalf("err = %v", err)
	}
	got := s.got(t)
	if !strings.HasSuffix(got, "RCPT TO:<ops@example.com>\r\nQUIT\r\n") || strings.Contains(got, "DATA") {
		t.Errorf("dialogue after a refusal:\n%s", got)
	}
}

// TestAlertWords: subject and body of every state, and none for others.
func TestAlertWords(t *testing.T) {
	var got []string
	for _, st := range []string{"MASTER", "BACKUP", "FAULT", "STOP", "DELETED", "INIT"} {
		if m, ok := InstanceAlert("r", "VI_1", st, testDate); ok {
			got = append(got, m.Subject+" / "+m.Body)
		}
		if m, ok := GroupAlert("r", "G1", st, testDate); ok {
			got = append(got, m.Subject+" / "+m.Body)
		}
	}
	want := []string{
		"[r] VRRP Instance VI_1 - Entering MASTER state / => VRRP Instance is now owning VRRP VIPs <=",
		"[r] VRRP Group G1 - Entering MASTER state / => All VRRP group instances are now in MASTER state <=",
		"[r] VRRP Instance VI_1 - Entering BACKUP state / => VRRP Instance is no longer owning VRRP VIPs <=",
		"[r] VRRP Group G1 - Entering BACKUP state / => All VRRP group instances are now in BACKUP state <=",
		"[r] VRRP Instance VI_1 - Entering FAULT state / => VRRP Instance is no longer owning VRRP VIPs <=",
		"[r] VRRP Group G1 - Entering FAULT state / => All VRRP group instances are now in FAULT state <=",
		"[r] VRRP Instance VI_1 - Stopping / => VRRP Instance stopping <=",
		"[r] VRRP Group G1 - Stopping / => All VRRP group instances are now stopping <=",
		"[r] VRRP Instance VI_1 - Deleted / => VRRP Deleted at reload <=",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestAlerterSwitches: one mail per change of state, none repeated for
// the same state, none for FAULT with no_email_faults.
func TestAlerterSwitches(t *testing.T) {
	s := &Sender{q: make(chan Message, 16), log: slog.New(slog.DiscardHandler)}
	a := &Alerter{Sender: s, RouterID: "r", NoEmailFaults: true}
	for _, st := range []string{"BACKUP", "BACKUP", "MASTER", "FAULT", "MASTER", "BACKUP"} {
		a.Instance("VI_1", st, testDate)
	}
	close(s.q)
	var got []string
	for m := range s.q {
		got = append(got, m.Subject)
	}
	want := []string{
		"[r] VRRP Instance VI_1 - Entering BACKUP state",
		"[r] VRRP Instance VI_1 - Entering MASTER state",
		"[r] VRRP Instance VI_1 - Entering BACKUP state",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestSenderBlackholed: a server that accepts and never answers holds
// neither Send nor its caller; each failure is counted once, messages
// beyond the queue are dropped and counted, and Close ends the stuck
// dialogue by its deadline.
func TestSenderBlackholed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	var hmu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hmu.Lock()
			held = append(held, c) // accept, never answer
			hmu.Unlock()
		}
	}()
	defer func() {
		hmu.Lock()
		for _, c := range held {
			c.Close()
		}
		hmu.Unlock()
	}()
	cfg := testConfig(ln.Addr().String())
	cfg.Timeout = 200 * time.Millisecond
	s := NewSender(cfg, slog.New(slog.DiscardHandler))
	m, _ := InstanceAlert("lb1", "VI_1", "MASTER", testDate)
	n := QueueLen + 10
	start := time.Now()
	for i := 0; i < n; i++ {
		s.Send(m)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("queueing %d messages took %v", n, el)
	}
	deadline := time.Now().Add(30 * time.Second)
	for s.Stats().Failed == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	s.Close(ctx)
	st := s.Stats()
	if st.Failed < 1 || st.Sent != 0 || st.Failed+st.Dropped != int64(n) {
		t.Errorf("stats %+v, want failures counted and every message accounted for (%d)", st, n)
	}
	if st.Dropped < 9 {
		t.Errorf("stats %+v: the queue did not bound the backlog", st)
	}
}

// TestSendAfterClose: a message sent after Close is dropped and counted,
// never a panic.
func TestSendAfterClose(t *testing.T) {
	s := NewSender(Config{Server: "127.0.0.1:1"}, slog.New(slog.DiscardHandler))
	s.Close(context.Background())
	m, _ := InstanceAlert("r", "VI_1", "STOP", testDate)
	s.Send(m)
	if st := s.Stats(); st.Dropped != 1 {
		t.Errorf("stats %+v, want 1 dropped", st)
	}
}
