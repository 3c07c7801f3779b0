package daemon

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestStatusHTTP drives the hand-written status endpoint with raw requests
// (what curl and Prometheus send, and what they must not get 200 for) and
// reads the answers with net/http's own response parser, so that a reply
// a real client cannot read fails the test. Once the daemon has stopped,
// /status answers 503, which is what a scrape during shutdown gets, and
// /metrics keepalived_up 0, as the exporter says of a silent keepalived.
func TestStatusHTTP(t *testing.T) {
	h := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	srv, err := h.d.serveStatus("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.d.Run(ctx) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	defer stop()
	for _, tc := range []struct {
		name, req string
		code      int
		body      string // a substring of the body; "" = empty body
	}{
		{"status", "GET /status HTTP/1.1\r\nHost: x\r\nUser-Agent: curl\r\n\r\n", 200, `"name": "VI_1"`},
		{"metrics with a query", "GET /metrics?name[]=x HTTP/1.0\r\n\r\n", 200, `keepalived_vrrp_base_priority{iname="VI_1",intf="eth0",vrid="51"} 100`},
		{"head", "HEAD /status HTTP/1.1\r\n\r\n", 200, ""},
		{"unknown path", "GET /plan HTTP/1.1\r\n\r\n", 404, "not found"},
		{"wrong method", "POST /status HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "not allowed"},
		{"not http", "hello\r\n\r\n", 400, "bad request"},
		{"http/2 preface", "PRI * HTTP/2.0\r\n\r\n", 400, "bad request"},
		{"stopped", "GET /status HTTP/1.1\r\n\r\n", 503, "not running"},
		{"metrics once stopped", "GET /metrics HTTP/1.1\r\n\r\n", 200, "\nkeepalived_up 0\n"},
	} {
		if tc.name == "stopped" {
			stop()
		}
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", srv.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tc.req); err != nil {
				t.Fatal(err)
			}
			method, _, _ := strings.Cut(tc.req, " ")
			resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
			if err != nil {
				t.Fatalf("unreadable answer: %v", err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.code {
				t.Errorf("status %d, want %d (%q)", resp.StatusCode, tc.code, b)
			}
			if tc.body == "" && len(b) != 0 || !strings.Contains(string(b), tc.body) {
				t.Errorf("body %q, want it to hold %q", b, tc.body)
			}
			if tc.code == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow: %q", resp.Header.Get("Allow"))
			}
		})
	}
}
