package daemon

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/keepalived-go/keepalived/logging"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

// statusServer is the --status-addr endpoint: GET (or HEAD) /status, JSON,
// and /metrics, Prometheus' text format, over HTTP/1.x, one request per
// connection. It is written on package net rather than net/http because
// net/http, with the crypto/tls it brings, was a third of the binary
// (9.3 MB with it, 6.2 MB without), and each of our two processes maps
// what the binary holds: about 1 MB of RSS for an endpoint that is off
// unless asked for (BENCHMARKS-footprint.md). A scraper or curl needs no
// more than this.
type statusServer struct {
	d    *Daemon
	ln   net.Listener
	wg   sync.WaitGroup
	done chan struct{}
}

// statusRequestLimit bounds what one request may send (request line and
// headers); statusTimeout bounds how long a connection may take.
const (
	statusRequestLimit = 16 << 10
	statusTimeout      = 5 * time.Second
)

// serveStatus starts the status endpoint on a TCP address; nothing listens
// unless one is given.
func (d *Daemon) serveStatus(addr string) (*statusServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &statusServer{d: d, ln: ln, done: make(chan struct{})}
	s.wg.Add(1)
	go s.accept()
	d.log.Info(fmt.Sprintf("status endpoint listening on %s", ln.Addr()), slog.String("listen", ln.Addr().String()))
	return s, nil
}

// Addr is where the endpoint listens.
func (s *statusServer) Addr() net.Addr { return s.ln.Addr() }

// Close stops listening and waits for the connections being answered.
func (s *statusServer) Close() {
	close(s.done)
	s.ln.Close()
	s.wg.Wait()
}

func (s *statusServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and the like: back off instead of spinning.
			s.d.log.Error(fmt.Sprintf("status endpoint: %v", err), logging.Err(err))
			time.Sleep(100 * time.Millisecond)
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.d.serveHTTP(c)
		}()
	}
}

// serveHTTP reads one request from c, answers it and closes c.
func (d *Daemon) serveHTTP(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(statusTimeout))
	br := bufio.NewReader(io.LimitReader(c, statusRequestLimit))
	line, err := br.ReadString('\n')
	if err != nil {
		return
	}
	method, target, ok := parseRequestLine(line)
	for ok { // the headers: read and ignored, up to the blank line
		h, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if strings.TrimRight(h, "\r\n") == "" {
			break
		}
	}
	code, ctype, body := d.route(method, target, ok)
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n", code, statusText[code], ctype, len(body))
	if code == 405 {
		b.WriteString("Allow: GET, HEAD\r\n")
	}
	b.WriteString("\r\n")
	if method != "HEAD" {
		b.Write(body)
	}
	_, _ = c.Write(b.Bytes())
}

// parseRequestLine splits "GET /status?x HTTP/1.1" into its method and its
// path (the query dropped).
func parseRequestLine(line string) (method, path string, ok bool) {
	f := strings.Fields(line)
	if len(f) != 3 || !strings.HasPrefix(f[2], "HTTP/1.") || !strings.HasPrefix(f[1], "/") {
		return "", "", false
	}
	path, _, _ = strings.Cut(f[1], "?")
	return f[0], path, true
}

var statusText = map[int]string{
	200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable",
}

// route answers one request: its status code, content type and body.
func (d *Daemon) route(method, path string, ok bool) (int, string, []byte) {
	const text = "text/plain; charset=utf-8"
	switch {
	case !ok:
		return 400, text, []byte("bad request\n")
	case path != "/status" && path != "/metrics":
		return 404, text, []byte("404 page not found\n")
	case method != "GET" && method != "HEAD":
		return 405, text, []byte("method not allowed\n")
	}
	if path == "/metrics" {
		// A daemon that no longer answers is keepalived_up 0, as the
		// exporter says of a keepalived that does not answer its signals.
		const prom = "text/plain; version=0.0.4; charset=utf-8"
		m, err := d.metrics()
		if err != nil {
			return 200, prom, metricsDown
		}
		return 200, prom, metricsText(m)
	}
	s, err := d.Status()
	if err != nil {
		return 503, text, []byte(err.Error() + "\n")
	}
	body, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return 503, text, []byte(err.Error() + "\n")
	}
	return 200, "application/json", append(body, '\n')
}
