package probe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAggregator(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ok := func(ms int, host string) result { return result{start: at(ms - 1), done: at(ms), host: host} }
	fail := func(ms int) result { return result{start: at(ms - 1), done: at(ms), err: errors.New("refused")} }
	late := func(startMs, ms int) result {
		return result{start: at(startMs), done: at(ms), err: errors.New("timeout")}
	}
	ns := func(ms int) int64 { return at(ms).UnixNano() }
	tests := []struct {
		name    string
		in      []result
		want    []Event
		longest float64
	}{
		{
			name:    "steady service reports the first host only",
			in:      []result{ok(0, "lb1"), ok(10, "lb1"), ok(20, "lb1")},
			want:    []Event{{Kind: "served", At: ns(0), Host: "lb1"}},
			longest: 10,
		},
		{
			name: "failover with a gap names both hosts",
			in:   []result{ok(0, "lb1"), ok(10, "lb1"), fail(20), fail(30), ok(700, "lb2"), ok(710, "lb2")},
			want: []Event{
				{Kind: "served", At: ns(0), Host: "lb1"},
				{Kind: "down", At: ns(20), Host: "lb1", Err: "refused"},
				{Kind: "gap", At: ns(700), From: ns(10), To: ns(700), Prev: "lb1", Host: "lb2"},
			},
			longest: 690,
		},
		{
			name: "host change without a gap is a served event",
			in:   []result{ok(0, "lb1"), ok(10, "lb2")},
			want: []Event{
				{Kind: "served", At: ns(0), Host: "lb1"},
				{Kind: "served", At: ns(10), Host: "lb2", Prev: "lb1"},
			},
			longest: 10,
		},
		{
			name:    "out of order completion does not make a gap",
			in:      []result{ok(0, "lb1"), ok(20, "lb1"), ok(15, "lb1"), ok(30, "lb1")},
			want:    []Event{{Kind: "served", At: ns(0), Host: "lb1"}},
			longest: 20,
		},
		{
			name: "a timeout of a request sent during the outage does not reopen it",
			in:   []result{ok(0, "lb1"), fail(10), ok(500, "lb2"), late(300, 505), ok(510, "lb2")},
			want: []Event{
				{Kind: "served", At: ns(0), Host: "lb1"},
				{Kind: "down", At: ns(10), Host: "lb1", Err: "refused"},
				{Kind: "gap", At: ns(500), From: ns(0), To: ns(500), Prev: "lb1", Host: "lb2"},
			},
			longest: 500,
		},
		{
			name:    "failures before the first success are not an outage",
			in:      []result{fail(0), fail(10), ok(20, "lb1")},
			want:    []Event{{Kind: "served", At: ns(20), Host: "lb1"}},
			longest: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Event
			a := aggregator{gapMin: 30 * time.Millisecond, emit: func(e Event) { got = append(got, e) }}
			for _, r := range tt.in {
				a.add(r)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if s := a.summary(tt.in[len(tt.in)-1].done); s.LongestMs != tt.longest {
				t.Errorf("longest = %v ms, want %v", s.LongestMs, tt.longest)
			}
		})
	}
}

func TestSummaryCountsAnOpenOutage(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := aggregator{gapMin: 30 * time.Millisecond, emit: func(Event) {}}
	a.add(result{start: t0, done: t0, host: "lb1"})
	a.add(result{start: t0.Add(5 * time.Millisecond), done: t0.Add(10 * time.Millisecond), err: errors.New("timeout")})
	if got := a.summary(t0.Add(2 * time.Second)).LongestMs; got != 2000 {
		t.Errorf("longest = %v ms, want 2000 (the outage still open at the end)", got)
	}
}

// TestRunAgainstServer stops a real HTTP server mid-run and checks that the
// prober reports the outage and the host that answered after it.
func TestRunAgainstServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set(HostHeader, "lb1")
		w.Write([]byte("lb1\n"))
	})}
	go srv.Serve(ln)
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan Event)
	go func() {
		done <- Run(ctx, Config{URL: "http://" + ln.Addr().String() + "/", Interval: 5 * time.Millisecond}, &out)
	}()
	time.Sleep(100 * time.Millisecond)
	down.Store(true)
	time.Sleep(300 * time.Millisecond)
	down.Store(false)
	time.Sleep(100 * time.Millisecond)
	cancel()
	sum := <-done

	if sum.LongestMs < 250 || sum.LongestMs > 600 {
		t.Errorf("longest gap %v ms, want about 300", sum.LongestMs)
	}
	// The server's outage must show as one down then one gap of about its
	// length. A loaded machine may stall the prober between two successes
	// long enough for a short extra gap (served throughout, so no down):
	// those are left out; the outage's own gap is not optional.
	var kinds []string
	var outageGaps int
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		if e.Kind == "gap" && time.Duration(e.To-e.From) >= 250*time.Millisecond {
			outageGaps++
		}
		if e.Kind == "gap" && time.Duration(e.To-e.From) < 250*time.Millisecond {
			continue // a stall of the prober itself, not the server's outage
		}
		kinds = append(kinds, e.Kind)
	}
	if diff := cmp.Diff([]string{"served", "down", "gap", "summary"}, kinds); diff != "" {
		t.Errorf("event kinds, short stalls left out (-want +got):\n%s", diff)
	}
	if outageGaps != 1 {
		t.Errorf("%d gaps of 250 ms or more, want exactly the server's outage", outageGaps)
	}
}
