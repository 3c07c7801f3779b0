// Package probe is the end-to-end lab's client: it requests a URL (the VIP)
// at a fixed rate, each request on a fresh TCP connection with a short
// timeout, and reports when service stops and resumes and which host
// answered. The figure it exists for is the longest time clients went
// without a successful answer.
//
// Requests are fired on a ticker, each in its own goroutine, so a request
// that hangs (a VIP whose host has vanished) does not delay the next one;
// the times reported are completion times of successful requests.
package probe

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// HostHeader is the response header the lab's nginx sets to its host name.
// The body is used when it is missing (a web host behind a dispatcher).
const HostHeader = "X-Lab-Host"

// Event is one line of the prober's output (JSON, one object per line).
type Event struct {
	// Kind is "served" (first success, or the answering host changed),
	// "gap" (service resumed after a gap), "down" (the first failure after a
	// success) or "summary" (when the prober stops).
	Kind string `json:"kind"`
	// At is the wall-clock time of the event in Unix nanoseconds.
	At int64 `json:"at"`
	// Host is the host that answered (served, gap) or that answered last.
	Host string `json:"host,omitempty"`
	// From and To bound a gap: completion of the last success before it and
	// of the first success after it, Unix nanoseconds.
	From int64 `json:"from,omitempty"`
	To   int64 `json:"to,omitempty"`
	// Prev is the host that answered before the gap.
	Prev string `json:"prev,omitempty"`
	// Err is the first error seen after service stopped (down).
	Err string `json:"err,omitempty"`
	// OK and Failed count requests (summary).
	OK     int `json:"ok,omitempty"`
	Failed int `json:"failed,omitempty"`
	// LongestMs is the longest gap in milliseconds (summary), including a
	// gap still open when the prober stopped.
	LongestMs float64 `json:"longest_ms,omitempty"`
}

// Config sets what is probed and how often.
type Config struct {
	URL      string
	Interval time.Duration // between request starts; 10 ms in the lab
	Timeout  time.Duration // per request
	// GapMin is the shortest silence reported as a gap: shorter ones are
	// scheduling jitter, not outages.
	GapMin time.Duration
}

type result struct {
	start, done time.Time
	host        string
	err         error
}

// Run probes until ctx is done and writes events to out. It returns the
// summary it wrote last.
func Run(ctx context.Context, cfg Config, out io.Writer) Event {
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Millisecond
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 250 * time.Millisecond
	}
	if cfg.GapMin <= 0 {
		cfg.GapMin = 3 * cfg.Interval
	}
	client := &http.Client{
		Timeout: cfg.Timeout,
		Transport: &http.Transport{
			DisableKeepAlives: true,
			Proxy:             nil,
			DialContext:       (&net.Dialer{Timeout: cfg.Timeout}).DialContext,
		},
	}
	results := make(chan result, 256)
	var wg sync.WaitGroup
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()

	enc := json.NewEncoder(out)
	agg := aggregator{gapMin: cfg.GapMin, emit: func(e Event) { _ = enc.Encode(e) }}
	stop := ctx.Done()
	for stop != nil || agg.inflight > 0 {
		select {
		case <-stop:
			stop = nil
			tick.Stop()
		case <-tick.C:
			agg.inflight++
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				r := get(client, cfg.URL)
				r.start = start
				results <- r
			}()
		case r := <-results:
			agg.inflight--
			agg.add(r)
		}
	}
	wg.Wait()
	s := agg.summary(time.Now())
	_ = enc.Encode(s)
	return s
}

func get(c *http.Client, url string) result {
	resp, err := c.Get(url)
	if err != nil {
		return result{done: time.Now(), err: err}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	now := time.Now()
	if err != nil {
		return result{done: now, err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return result{done: now, err: &statusError{resp.StatusCode}}
	}
	host := resp.Header.Get(HostHeader)
	if host == "" {
		host = strings.TrimSpace(string(body))
	}
	return result{done: now, host: host}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "probe: http status " + http.StatusText(e.code) }

// aggregator turns request results into events. It is separate from Run so
// the gap arithmetic is tested without a network.
type aggregator struct {
	gapMin   time.Duration
	emit     func(Event)
	inflight int

	ok, failed  int
	lastOK      time.Time // latest completion of a success
	lastOKStart time.Time // start of the request that succeeded last
	host        string
	down        bool // a failure came after the last success
	longest     time.Duration
}

func (a *aggregator) add(r result) {
	if r.err != nil {
		a.failed++
		// A request sent before the last success started says nothing
		// about service now (it timed out during an earlier outage).
		if !a.down && !a.lastOK.IsZero() && !r.start.Before(a.lastOKStart) {
			a.down = true
			a.emit(Event{Kind: "down", At: r.done.UnixNano(), Host: a.host, Err: r.err.Error()})
		}
		return
	}
	a.ok++
	if r.start.After(a.lastOKStart) {
		a.lastOKStart = r.start
	}
	if a.lastOK.IsZero() {
		a.lastOK, a.host = r.done, r.host
		a.emit(Event{Kind: "served", At: r.done.UnixNano(), Host: r.host})
		return
	}
	if !r.done.After(a.lastOK) {
		return // completed out of order; the later success already counted
	}
	gap := r.done.Sub(a.lastOK)
	if gap > a.longest {
		a.longest = gap
	}
	if gap >= a.gapMin {
		a.emit(Event{Kind: "gap", At: r.done.UnixNano(), From: a.lastOK.UnixNano(), To: r.done.UnixNano(), Prev: a.host, Host: r.host})
	} else if r.host != a.host {
		a.emit(Event{Kind: "served", At: r.done.UnixNano(), Host: r.host, Prev: a.host})
	}
	a.lastOK, a.host, a.down = r.done, r.host, false
}

func (a *aggregator) summary(now time.Time) Event {
	longest := a.longest
	if a.down && now.Sub(a.lastOK) > longest {
		longest = now.Sub(a.lastOK)
	}
	return Event{Kind: "summary", At: now.UnixNano(), Host: a.host, OK: a.ok, Failed: a.failed,
		LongestMs: float64(longest) / float64(time.Millisecond)}
}
