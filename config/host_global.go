package config

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// checkHostGlobal checks the global_defs values that keepalived 2.2.7's
// handlers check against the host (core/global_parser.c): the CPU ids of
// *_cpu_affinity against the online CPUs (sysconf(_SC_NPROCESSORS_ONLN)),
// disable_local_igmp against the kernel's
// /proc/sys/net/ipv4/igmp_link_local_mcast_reports, and config_save_dir
// (a path that exists but is not a directory; keepalived creates a
// missing one). They are kept verbatim in Global.Other by the parser.
func checkHostGlobal(cfg *Config) Diagnostics {
	var ds Diagnostics
	add := func(pos Pos, format string, args ...any) {
		ds = append(ds, Diagnostic{Pos: pos, Severity: Error, Class: ClassGeneral, Msg: fmt.Sprintf(format, args...)})
	}
	cpus := -1
	for _, r := range cfg.Global.Other {
		switch r.Keyword {
		case "vrrp_cpu_affinity", "checker_cpu_affinity", "bfd_cpu_affinity":
			if cpus < 0 {
				cpus = onlineCPUs()
			}
			proc := strings.TrimSuffix(r.Keyword, "_cpu_affinity")
			for _, a := range r.Args {
				// read_int_strvec: decimal, in [0, CPUs-1].
				if v, err := strconv.ParseInt(a, 10, 32); err != nil || v < 0 || v >= int64(cpus) {
					add(r.Pos, "Invalid cpu_id:%s specified for %s process", a, proc)
					break
				}
			}
		case "disable_local_igmp":
			const f = "/proc/sys/net/ipv4/igmp_link_local_mcast_reports"
			if syscall.Access(f, 2 /* W_OK */) != nil {
				add(r.Pos, "kernel does not support %s", f)
			}
		case "config_save_dir":
			if len(r.Args) > 0 {
				if st, err := os.Stat(r.Args[0]); err == nil && !st.IsDir() {
					add(r.Pos, "config_save_dir %s exists and is not a directory", r.Args[0])
				}
			}
		}
	}
	return ds
}

// onlineCPUs is sysconf(_SC_NPROCESSORS_ONLN): the CPUs listed in
// /sys/devices/system/cpu/online, else the Go runtime's count.
func onlineCPUs() int {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return runtime.NumCPU()
	}
	n := 0
	for _, r := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err1 := strconv.Atoi(lo)
		z := a
		var err2 error
		if isRange {
			z, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || z < a {
			return runtime.NumCPU()
		}
		n += z - a + 1
	}
	if n == 0 {
		return runtime.NumCPU()
	}
	return n
}
