package mail

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// aiosmtpdPython is Debian's python3, which has python3-aiosmtpd (make
// deps installs it); another python3 on PATH may not.
const aiosmtpdPython = "/usr/bin/python3"

// TestDeliverToAiosmtpd: a real SMTP server (aiosmtpd, from Debian, on
// 127.0.0.1 only) accepts our dialogue and prints the message it
// received: keepalived's headers and body, for every recipient.
func TestDeliverToAiosmtpd(t *testing.T) {
	// Not root itself, but of the full tier: aiosmtpd comes with make
	// deps, which the root tiers (make test) run first.
	testenv.NeedRoot(t)
	if err := exec.Command(aiosmtpdPython, "-c", "import aiosmtpd").Run(); err != nil {
		t.Fatalf("python3-aiosmtpd missing (make deps installs it): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var out testenv.Buffer
	cmd := exec.Command(aiosmtpdPython, "-m", "aiosmtpd", "-n", "-l", addr)
	cmd.Env = append(os.Environ(), "PYTHONUNBUFFERED=1")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	up := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			up = true
			break
		}
	}
	if !up {
		t.Fatalf("aiosmtpd did not listen on %s:\n%s", addr, out.String())
	}
	cfg := Config{Server: addr, HeloName: "lb1.example", From: "keepalived@lb1.example",
		To: []string{"ops@example.com", "pager@example.com"}, Timeout: 10 * time.Second}
	m, _ := InstanceAlert("lb1", "VI_1", "FAULT", testDate)
	if err := Deliver(context.Background(), cfg, m); err != nil {
		t.Fatalf("Deliver: %v\n%s", err, out.String())
	}
	want := "Date: Sun, 01 Mar 2026 09:44:08 +0100\n" +
		"From: keepalived@lb1.example\n" +
		"Subject: [lb1] VRRP Instance VI_1 - Entering FAULT state\n" +
		"X-Mailer: Keepalived\n" +
		"To: ops@example.com,\n pager@example.com\n"
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = out.String(); strings.Contains(got, "END MESSAGE") {
			break
		}
	}
	if !strings.Contains(got, want) || !strings.Contains(got, "\n=> VRRP Instance is no longer owning VRRP VIPs <=\n") {
		t.Errorf("aiosmtpd received:\n%s\nwant headers:\n%s", got, want)
	}
}
