package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Packet is one VRRP advert or ARP frame seen on a bridge port, attributed
// to the host behind that port (the sender: ports are captured inbound).
type Packet struct {
	At      time.Time // kernel timestamp (tcpdump -tt)
	Host    string    // sending host
	Kind    string    // "advert" or "arp"
	Src     netip.Addr
	Dst     netip.Addr
	Version int // VRRP version
	VRID    int
	Prio    int
	// ARP: who-has Target tell Sender; gratuitous when they are equal.
	Target, Sender netip.Addr
	Garp           bool
}

func (p Packet) String() string {
	ts := p.At.Format("15:04:05.000000")
	if p.Kind == "advert" {
		return fmt.Sprintf("%s %s advert v%d vrid %d prio %d %s>%s", ts, p.Host, p.Version, p.VRID, p.Prio, p.Src, p.Dst)
	}
	if p.Garp {
		return fmt.Sprintf("%s %s gratuitous ARP %s", ts, p.Host, p.Target)
	}
	return fmt.Sprintf("%s %s ARP who-has %s tell %s", ts, p.Host, p.Target, p.Sender)
}

var (
	// An auth_type AH advert has tcpdump's AH(...) part before the VRRP one;
	// IPv6 ones are IP6; tcpdump names a TTL other than 255.
	advertRE = regexp.MustCompile(`^(\d+\.\d+) IP6? (\S+) > (\S+): (?:AH\([^)]*\): )?VRRPv(\d), Advertisement, (?:\(ttl \d+\), )?vrid (\d+), prio (\d+)`)
	arpRE    = regexp.MustCompile(`^(\d+\.\d+) ARP, Request who-has (\S+) (?:\(\S+\) )?tell (\S+),`)
)

// ParseTcpdump parses one line of `tcpdump -tt -n` output; ok is false for
// lines that are neither a VRRP advert nor an ARP request.
func ParseTcpdump(line string) (p Packet, ok bool) {
	if m := advertRE.FindStringSubmatch(line); m != nil {
		p.Kind = "advert"
		p.At = parseTS(m[1])
		p.Src, _ = netip.ParseAddr(m[2])
		p.Dst, _ = netip.ParseAddr(m[3])
		p.Version, _ = strconv.Atoi(m[4])
		p.VRID, _ = strconv.Atoi(m[5])
		p.Prio, _ = strconv.Atoi(m[6])
		return p, true
	}
	if m := arpRE.FindStringSubmatch(line); m != nil {
		p.Kind = "arp"
		p.At = parseTS(m[1])
		p.Target, _ = netip.ParseAddr(m[2])
		p.Sender, _ = netip.ParseAddr(m[3])
		p.Garp = p.Target == p.Sender
		return p, true
	}
	return Packet{}, false
}

func parseTS(s string) time.Time {
	sec, frac, _ := strings.Cut(s, ".")
	secs, _ := strconv.ParseInt(sec, 10, 64)
	for len(frac) < 9 {
		frac += "0"
	}
	nsec, _ := strconv.ParseInt(frac[:9], 10, 64)
	return time.Unix(secs, nsec)
}

// Wire records VRRP adverts and ARP requests sent by the lab's hosts.
type Wire struct {
	mu      sync.Mutex
	pkts    []Packet
	changed chan struct{}
	procs   []*child
}

// WatchWire starts one tcpdump per bridge port of the given hosts (all hosts
// when none are given) and returns once every capture is running.
func (l *Lab) WatchWire(hosts ...*Host) *Wire {
	t := l.T
	t.Helper()
	if len(hosts) == 0 {
		hosts = l.order
	}
	w := &Wire{changed: make(chan struct{})}
	l.Wire = w
	for _, h := range hosts {
		for _, port := range h.Ports {
			cmd := exec.Command("ip", "netns", "exec", l.Switch, "tcpdump", "-tt", "-n", "-l", "--immediate-mode",
				"-Q", "in", "-i", port, "vrrp or ip proto 51 or ip6 proto 112 or arp")
			stdout, closeOut, err := pipeTo(func(w *os.File) { cmd.Stdout = w })
			if err != nil {
				t.Fatal(err)
			}
			stderr, closeErr, err := pipeTo(func(w *os.File) { cmd.Stderr = w })
			if err != nil {
				t.Fatal(err)
			}
			proc, err := startChild(cmd, nil)
			closeOut()
			closeErr()
			if err != nil {
				t.Fatalf("e2e: tcpdump on %s: %v", port, err)
			}
			w.procs = append(w.procs, proc)
			logf, _ := os.Create(filepath.Join(l.Dir, "tcpdump-"+port+".txt"))
			go func() {
				defer stdout.Close()
				defer logf.Close()
				w.read(h.Name, io.TeeReader(stdout, logf))
			}()
			ready := make(chan struct{})
			go func() {
				sc := bufio.NewScanner(stderr)
				signalled := false
				for sc.Scan() {
					if !signalled && strings.Contains(sc.Text(), "listening on") {
						close(ready)
						signalled = true
					}
				}
				if !signalled {
					close(ready)
				}
				stderr.Close()
			}()
			select {
			case <-ready:
			case <-time.After(5 * time.Second):
				t.Fatalf("e2e: tcpdump on %s did not start", port)
			}
		}
	}
	return w
}

func (w *Wire) read(host string, r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		p, ok := ParseTcpdump(sc.Text())
		if !ok {
			continue
		}
		p.Host = host
		w.mu.Lock()
		w.pkts = append(w.pkts, p)
		close(w.changed)
		w.changed = make(chan struct{})
		w.mu.Unlock()
	}
}

func (w *Wire) stop() {
	for _, c := range w.procs {
		c.SignalGroup(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(3 * time.Second):
			c.SignalGroup(syscall.SIGKILL)
			<-c.done
		}
	}
}

// Packets returns the packets seen at or after since that match (nil
// matches all), in capture order per port.
func (w *Wire) Packets(since time.Time, match func(Packet) bool) []Packet {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Packet
	for _, p := range w.pkts {
		if !p.At.Before(since) && (match == nil || match(p)) {
			out = append(out, p)
		}
	}
	return out
}

// Wait returns the first packet at or after since that matches, waiting up
// to timeout for it.
func (w *Wire) Wait(since time.Time, timeout time.Duration, match func(Packet) bool) (Packet, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		w.mu.Lock()
		var best *Packet
		for i := range w.pkts {
			p := &w.pkts[i]
			if !p.At.Before(since) && match(*p) && (best == nil || p.At.Before(best.At)) {
				best = p
			}
		}
		ch := w.changed
		w.mu.Unlock()
		if best != nil {
			return *best, true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Packet{}, false
		}
	}
}

// AdvertFrom matches adverts sent by host for vrid with a non-zero priority.
func AdvertFrom(host string, vrid int) func(Packet) bool {
	return func(p Packet) bool { return p.Kind == "advert" && p.Host == host && p.VRID == vrid && p.Prio > 0 }
}

// GarpFrom matches gratuitous ARPs for vip sent by host.
func GarpFrom(host string, vip netip.Addr) func(Packet) bool {
	return func(p Packet) bool { return p.Kind == "arp" && p.Garp && p.Host == host && p.Target == vip }
}

// AtPhase waits for the next advert of host for vrid and returns the time
// phase after it, having slept until then: events fired there land at the
// same point of the advert cycle in every run (DESIGN.md section 6).
func (w *Wire) AtPhase(host string, vrid int, phase, timeout time.Duration) (advert Packet, at time.Time, ok bool) {
	p, ok := w.Wait(time.Now(), timeout, AdvertFrom(host, vrid))
	if !ok {
		return p, time.Time{}, false
	}
	at = p.At.Add(phase)
	time.Sleep(time.Until(at))
	return p, at, true
}
