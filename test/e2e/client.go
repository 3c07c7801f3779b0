package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/keepalived-go/keepalived/test/e2e/probe"
)

// Prober is a running `kgelab probe` in a client host, requesting the VIP
// every 10 ms.
type Prober struct {
	host   *Host
	done   chan struct{}
	mu     sync.Mutex
	events []probe.Event
	sum    *probe.Event
	wake   chan struct{}
	stopFn func()
}

// StartProber starts probing http://vip/ from the host.
func (h *Host) StartProber(vip netip.Addr) *Prober {
	t := h.Lab.T
	t.Helper()
	cmd := h.Command(h.Lab.Tools.Lab, "probe", "-interval", "10ms", "-timeout", "250ms", "http://"+vip.String()+"/")
	out, closeW, err := pipeTo(func(w *os.File) { cmd.Stdout = w })
	if err != nil {
		t.Fatal(err)
	}
	proc, err := startChild(cmd, nil)
	closeW()
	if err != nil {
		t.Fatalf("e2e: start prober: %v", err)
	}
	p := &Prober{host: h, done: make(chan struct{}), wake: make(chan struct{})}
	go p.read(out)
	var once sync.Once
	p.stopFn = func() {
		once.Do(func() {
			// The prober runs under nsenter in the client's PID namespace:
			// the group holds both.
			proc.SignalGroup(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(3 * time.Second):
				proc.SignalGroup(syscall.SIGKILL)
			}
			<-proc.done
		})
	}
	t.Cleanup(p.stopFn)
	return p
}

func (p *Prober) read(r io.ReadCloser) {
	defer close(p.done)
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var e probe.Event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		p.mu.Lock()
		if e.Kind == "summary" {
			p.sum = &e
		} else {
			p.events = append(p.events, e)
		}
		close(p.wake)
		p.wake = make(chan struct{})
		p.mu.Unlock()
	}
}

// Stop stops the prober and returns its summary.
func (p *Prober) Stop() probe.Event {
	p.stopFn()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sum == nil {
		return probe.Event{}
	}
	return *p.sum
}

// Recent renders the last n events for error messages.
func (p *Prober) Recent(n int) string {
	ev := p.Events()
	if len(ev) > n {
		ev = ev[len(ev)-n:]
	}
	var b strings.Builder
	for _, e := range ev {
		at := time.Unix(0, e.At).Format("15:04:05.000")
		switch e.Kind {
		case "gap":
			fmt.Fprintf(&b, "\n  %s served by %s after %v without service (before: %s)", at, e.Host, time.Duration(e.To-e.From).Round(time.Millisecond), e.Prev)
		case "down":
			fmt.Fprintf(&b, "\n  %s down (%s answered last): %s", at, e.Host, e.Err)
		default:
			fmt.Fprintf(&b, "\n  %s served by %s", at, e.Host)
		}
	}
	return b.String()
}

// Events returns the events so far.
func (p *Prober) Events() []probe.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]probe.Event(nil), p.events...)
}

// State returns the host that answered last and whether service is up
// (no "down" after the last success).
func (p *Prober) State() (host string, up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.events) - 1; i >= 0; i-- {
		e := p.events[i]
		switch e.Kind {
		case "down":
			return e.Host, false
		case "served", "gap":
			return e.Host, true
		}
	}
	return "", false
}

// WaitServed waits until the client is served by host ("" for any host).
func (p *Prober) WaitServed(host string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		wake := p.wake
		p.mu.Unlock()
		if h, up := p.State(); up && (host == "" || h == host) {
			return true
		}
		select {
		case <-wake:
		case <-deadline:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// DownSince reports whether any request failed (after a success) since.
func (p *Prober) DownSince(since time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.events {
		if e.Kind == "down" && time.Unix(0, e.At).After(since) {
			return true
		}
	}
	return false
}

// WaitDown waits until the client sees the service fail after since.
func (p *Prober) WaitDown(since time.Time, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		wake := p.wake
		found := false
		for _, e := range p.events {
			if e.Kind == "down" && time.Unix(0, e.At).After(since) {
				found = true
			}
		}
		p.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-wake:
		case <-deadline:
			return false
		}
	}
}

// Outage is one interval without a successful answer.
type Outage struct {
	From, To   time.Time
	Prev, Next string // hosts that answered before and after
}

// Dur is the outage's length.
func (o Outage) Dur() time.Duration { return o.To.Sub(o.From) }

func (o Outage) String() string {
	return fmt.Sprintf("%v (%s -> %s, %s..%s)", o.Dur().Round(time.Millisecond), o.Prev, o.Next,
		o.From.Format("15:04:05.000"), o.To.Format("15:04:05.000"))
}

// Outages returns the gaps that ended after since, longest first. An
// outage still open is included, ending now.
func (p *Prober) Outages(since time.Time) []Outage {
	p.mu.Lock()
	var out []Outage
	var lastDown *probe.Event
	var lastHost string
	for i := range p.events {
		e := p.events[i]
		switch e.Kind {
		case "gap":
			if time.Unix(0, e.To).After(since) {
				out = append(out, Outage{From: time.Unix(0, e.From), To: time.Unix(0, e.To), Prev: e.Prev, Next: e.Host})
			}
			lastDown, lastHost = nil, e.Host
		case "served":
			lastDown, lastHost = nil, e.Host
		case "down":
			lastDown = &p.events[i]
		}
	}
	p.mu.Unlock()
	if lastDown != nil {
		// The last success was at most one probe interval before the first
		// failure.
		from := time.Unix(0, lastDown.At)
		out = append(out, Outage{From: from, To: time.Now(), Prev: lastHost, Next: "(none yet)"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dur() > out[j].Dur() })
	return out
}

// Longest returns the longest outage that ended after since (zero if none).
func (p *Prober) Longest(since time.Time) Outage {
	if o := p.Outages(since); len(o) > 0 {
		return o[0]
	}
	return Outage{}
}
