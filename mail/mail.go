// Package mail sends keepalived's e-mail alerts (smtp_alert): one short
// SMTP dialogue per message, in keepalived's words (keepalived
// core/smtp.c): HELO, MAIL FROM, one RCPT TO per address, DATA, the
// headers Date, From, Subject, X-Mailer and To, the body, QUIT.
//
// Messages are sent by one goroutine from a bounded queue, so an
// unreachable or slow server never delays the caller (a VRRP state
// change); a full queue drops the new message. Every failure is logged
// once and counted; nothing is retried.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is the global_defs side of e-mail alerts.
type Config struct {
	// Server is smtp_server as host:port (port 25 when not given).
	Server string
	// HeloName is smtp_helo_name (keepalived's default: the local name).
	HeloName string
	// From is notification_email_from.
	From string
	// To is the notification_email block, in order.
	To []string
	// Timeout is smtp_connect_timeout: for the connection and for each
	// reply (keepalived's smtp_connection_to). Zero: 30 s.
	Timeout time.Duration
}

// Message is one alert: Subject is the whole subject line.
type Message struct {
	Subject string
	Body    string
	// Date is when the event happened (the Date header).
	Date time.Time
}

// QueueLen is how many messages may wait for the sender goroutine; more
// are dropped (and counted) rather than kept.
const QueueLen = 32

// ErrSMTP is wrapped by every failed dialogue.
var ErrSMTP = errors.New("mail: smtp")

// Stats counts what the sender did.
type Stats struct {
	Sent, Failed, Dropped int64
}

// Sender delivers queued messages on its own goroutine.
type Sender struct {
	cfg  Config
	log  *slog.Logger
	q    chan Message
	wg   sync.WaitGroup
	ctx  context.Context
	stop context.CancelFunc
	once sync.Once
	// mu orders Send against Close: a message sent after Close is dropped.
	mu     sync.Mutex
	closed bool

	sent, failed, dropped atomic.Int64
}

// NewSender starts the sender goroutine for cfg.
func NewSender(cfg Config, log *slog.Logger) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Sender{cfg: cfg, log: log, q: make(chan Message, QueueLen), ctx: ctx, stop: stop}
	s.wg.Add(1)
	go s.run()
	return s
}

// Send queues m and returns at once; with the queue full (or the sender
// closed) m is dropped, logged and counted.
func (s *Sender) Send(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.dropped.Add(1)
		return
	}
	select {
	case s.q <- m:
	default:
		s.dropped.Add(1)
		s.log.Warn(fmt.Sprintf("SMTP alert queue full, dropping alert %q", m.Subject))
	}
}

// Stats returns the counters so far.
func (s *Sender) Stats() Stats {
	return Stats{Sent: s.sent.Load(), Failed: s.failed.Load(), Dropped: s.dropped.Load()}
}

// Close stops the sender: messages still queued get until the deadline
// of ctx (none: dropped at once), a dialogue in progress is cut then.
func (s *Sender) Close(ctx context.Context) {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.q)
		s.mu.Unlock()
		done := make(chan struct{})
		go func() { s.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			s.stop()
			<-done
		}
		s.stop()
	})
}

func (s *Sender) run() {
	defer s.wg.Done()
	for m := range s.q {
		if s.ctx.Err() != nil {
			s.dropped.Add(1)
			continue
		}
		if err := Deliver(s.ctx, s.cfg, m); err != nil {
			s.failed.Add(1)
			s.log.Info(err.Error())
			continue
		}
		s.sent.Add(1)
	}
}

// Deliver runs one SMTP dialogue for m. Each reply must come within
// cfg.Timeout; a reply with an unexpected code ends the dialogue with QUIT
// (as keepalived does) and an error naming the command and the code.
func Deliver(ctx context.Context, cfg Config, m Message) error {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	host := hostPair(cfg.Server)
	d := net.Dialer{Timeout: cfg.Timeout}
	nc, err := d.DialContext(ctx, "tcp", cfg.Server)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("%w: Timeout connecting SMTP server %s.", ErrSMTP, host)
		}
		return fmt.Errorf("%w: SMTP connection ERROR to %s: %v", ErrSMTP, host, err)
	}
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c := textproto.NewConn(nc)

	// expect reads one (possibly multi-line) reply and checks its code.
	expect := func(cmd string, code int) error {
		nc.SetReadDeadline(time.Now().Add(cfg.Timeout))
		got, _, err := c.ReadResponse(code)
		if err == nil {
			return nil
		}
		var pe *textproto.Error
		if errors.As(err, &pe) {
			c.PrintfLine("QUIT") // keepalived sends QUIT after a refusal
			return fmt.Errorf("%w: Error processing %s cmd on SMTP server %s. SMTP status code = %d", ErrSMTP, cmd, host, got)
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("%w: Timeout reading data to remote SMTP server %s.", ErrSMTP, host)
		}
		return fmt.Errorf("%w: Error reading data from remote SMTP server %s: %v", ErrSMTP, host, err)
	}
	send := func(format string, args ...any) error {
		nc.SetWriteDeadline(time.Now().Add(cfg.Timeout))
		if err := c.PrintfLine(format, args...); err != nil {
			return fmt.Errorf("%w: Cannot send data to remote SMTP server %s.", ErrSMTP, host)
		}
		return nil
	}
	steps := []struct {
		line string
		cmd  string
		code int
	}{{"", "(E)SMTP", 220}, {"HELO " + helo(cfg.HeloName), "HELO", 250}, {"MAIL FROM:" + angle(cfg.From), "MAIL", 250}}
	for _, to := range cfg.To {
		steps = append(steps, struct {
			line string
			cmd  string
			code int
		}{"RCPT TO:" + angle(to), "RCPT", 250})
	}
	steps = append(steps, struct {
		line string
		cmd  string
		code int
	}{"DATA", "DATA", 354})
	for _, st := range steps {
		if st.line != "" {
			if err := send("%s", st.line); err != nil {
				return err
			}
		}
		if err := expect(st.cmd, st.code); err != nil {
			return err
		}
	}
	nc.SetWriteDeadline(time.Now().Add(cfg.Timeout))
	if _, err := nc.Write(Data(cfg, m)); err != nil {
		return fmt.Errorf("%w: Cannot send data to remote SMTP server %s.", ErrSMTP, host)
	}
	if err := expect("BODY", 250); err != nil {
		return err
	}
	if err := send("QUIT"); err != nil {
		return err
	}
	return expect("QUIT", 221)
}

// Data is the DATA part of m as keepalived writes it, up to and including
// the terminating "." line.
func Data(cfg Config, m Message) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Date: %s\r\nFrom: %s\r\nSubject: %s\r\nX-Mailer: Keepalived\r\nTo:", m.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700"), cfg.From, m.Subject)
	for i, to := range cfg.To {
		if i > 0 {
			b.WriteString(",\r\n")
		}
		b.WriteString(" " + to)
	}
	b.WriteString("\r\n\r\n" + dotStuff(m.Body) + "\r\n\r\n.\r\n")
	return []byte(b.String())
}

// dotStuff doubles a leading dot on any body line (RFC 5321 4.5.2), so a
// body can never end the message early.
func dotStuff(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") {
			lines[i] = "." + l
		}
	}
	return strings.Join(lines, "\n")
}

// angle is keepalived's address form in MAIL FROM / RCPT TO: "<a>", or the
// "<...>" part of "Name <a>".
func angle(a string) string {
	if strings.HasSuffix(a, ">") {
		if i := strings.LastIndexByte(a, '<'); i >= 0 {
			return a[i:]
		}
	}
	return "<" + a + ">"
}

func helo(name string) string {
	if name == "" {
		return "localhost"
	}
	return name
}

// hostPair is keepalived's "[addr]:port" form of the server in its logs.
func hostPair(server string) string {
	h, p, err := net.SplitHostPort(server)
	if err != nil {
		return server
	}
	return "[" + h + "]:" + p
}
