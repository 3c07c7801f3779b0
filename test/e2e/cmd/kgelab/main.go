// Command kgelab is the end-to-end lab's helper, run inside lab hosts:
//
//	kgelab init                      pid 1 of a lab host's PID namespace: reaps
//	                                 orphans (daemonised nginx, keepalived's
//	                                 children) so `ps -C nginx` never counts
//	                                 zombies, and exits on SIGTERM, which makes
//	                                 the kernel kill everything in the host.
//	kgelab probe [-interval 10ms] [-timeout 250ms] URL
//	                                 request URL on a fresh connection every
//	                                 interval; JSON events on stdout (see
//	                                 package probe) until SIGTERM or SIGINT.
//	kgelab serve -name NAME [-addr :80]
//	                                 a web server whose page and X-Lab-Host
//	                                 header name its host (make demo's stand-in
//	                                 for nginx).
//	kgelab send -dev eth0 -src A -dst B HEX
//	                                 send the VRRP packet HEX once from source
//	                                 address A (any, spoofed too) to B, TTL 255,
//	                                 through a raw socket: the e2e attacks.
//
// The tests and examples/demo.sh build it; it is not installed.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/keepalived-go/keepalived/test/e2e/probe"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kgelab init | probe [flags] URL")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "init":
		os.Exit(runInit())
	case "probe":
		os.Exit(runProbe(os.Args[2:]))
	case "serve":
		os.Exit(runServe(os.Args[2:]))
	case "send":
		os.Exit(runSend(os.Args[2:]))
	default:
		fmt.Fprintf(os.Stderr, "kgelab: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

func runInit() int {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGCHLD, syscall.SIGTERM, syscall.SIGINT)
	for sig := range sigs {
		if sig != syscall.SIGCHLD {
			return 0
		}
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
	return 0
}

func runProbe(args []string) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	interval := fs.Duration("interval", 10*time.Millisecond, "time between request starts")
	timeout := fs.Duration("timeout", 250*time.Millisecond, "per-request timeout")
	gapMin := fs.Duration("gap", 30*time.Millisecond, "shortest silence reported as a gap")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: kgelab probe [-interval D] [-timeout D] URL")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	probe.Run(ctx, probe.Config{URL: fs.Arg(0), Interval: *interval, Timeout: *timeout, GapMin: *gapMin}, os.Stdout)
	return 0
}

func runServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	name := fs.String("name", "", "host name the page shows")
	addr := fs.String("addr", ":80", "listen address")
	if err := fs.Parse(args); err != nil || *name == "" {
		fmt.Fprintln(os.Stderr, "usage: kgelab serve -name NAME [-addr :80]")
		return 2
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(probe.HostHeader, *name)
		fmt.Fprintln(w, *name)
	})
	if err := http.ListenAndServe(*addr, h); err != nil {
		fmt.Fprintln(os.Stderr, "kgelab serve:", err)
		return 1
	}
	return 0
}
