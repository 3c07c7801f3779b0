package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCheckHostGlobal: a CPU id past this host's online CPUs and a
// config_save_dir that is a file are keepalived 2.2.7's errors; the last
// CPU and a directory are fine. They are reported with dynamic_interfaces
// too (they are not about interfaces).
func TestCheckHostGlobal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	last := strconv.Itoa(onlineCPUs() - 1)
	cfg := &Config{Global: DefaultGlobal()}
	cfg.Global.DynamicInterfaces = true
	cfg.Global.Other = []RawStatement{
		{Pos: Pos{File: "k.conf", Line: 2, Col: 1}, Keyword: "vrrp_cpu_affinity", Args: []string{"0", last}},
		{Pos: Pos{File: "k.conf", Line: 3, Col: 1}, Keyword: "checker_cpu_affinity", Args: []string{"0", "100000"}},
		{Pos: Pos{File: "k.conf", Line: 4, Col: 1}, Keyword: "config_save_dir", Args: []string{file}},
		{Pos: Pos{File: "k.conf", Line: 5, Col: 1}, Keyword: "config_save_dir", Args: []string{t.TempDir()}},
	}
	var got []string
	for _, d := range CheckHost(cfg, func(string) bool { return true }) {
		got = append(got, d.String())
	}
	want := []string{
		"k.conf:3:1: error: Invalid cpu_id:100000 specified for checker process",
		"k.conf:4:1: error: config_save_dir " + file + " exists and is not a directory",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
