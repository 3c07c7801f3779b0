package checker

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// selfCPU is this process's own user+system CPU time (children excluded).
func selfCPU(t *testing.T) time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// TestSoakManyScripts measures what 100 vrrp_scripts at interval 1 cost the
// daemon (its own CPU, not the scripts'), and that none is missed or leaked.
// KGC_SOAK=1 to run; KGC_SOAK_SECONDS to change the 10 s.
func TestSoakManyScripts(t *testing.T) {
	if os.Getenv("KGC_SOAK") != "1" {
		t.Skip("KGC_SOAK=1 to run")
	}
	secs := 10
	if v, err := strconv.Atoi(os.Getenv("KGC_SOAK_SECONDS")); err == nil {
		secs = v
	}
	const n = 100
	dir := t.TempDir()
	p := writeScript(t, dir, "chk", "#!/bin/sh\nexit 0\n")
	var scripts []*config.Script
	for i := 0; i < n; i++ {
		scripts = append(scripts, cfgScript(fmt.Sprintf("s%d", i), []string{p}, time.Second, 0))
	}
	s := newScripts(t, ScriptOptions{}, scripts...)
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Update, 1000)
	done := make(chan struct{})
	cpu0 := selfCPU(t)
	start := time.Now()
	go func() { s.Run(ctx, out); close(done) }()
	updates := 0
	timer := time.After(time.Duration(secs) * time.Second)
loop:
	for {
		select {
		case <-out:
			updates++
		case <-timer:
			break loop
		}
	}
	cancel()
	<-done
	el := time.Since(start)
	cpu := selfCPU(t) - cpu0
	if updates != n {
		t.Errorf("%d updates, want %d (one success each)", updates, n)
	}
	if c := children(t); len(c) != 0 {
		t.Errorf("children left: %v", c)
	}
	t.Logf("%d scripts at interval 1s for %v: daemon CPU %v (%.2f%% of one core), %d updates",
		n, el.Round(time.Millisecond), cpu, 100*cpu.Seconds()/el.Seconds(), updates)
}
