package parser

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// keywords243File is the list of every keyword keepalived 2.4.3's parser
// registers, with its block, generated from the 2.4.3 source by
// testdata/gen_keywords.go (the command is in the file's header).
const keywords243File = "testdata/keywords-2.4.3.txt"

// handledElsewhere are 2.4.3 keywords lowered by another part of this
// work: auth_hmac and its block (lower_hmac.go, issue 10's auth_hmac
// item). Remove the entries once that lands in the same tree.
var handledElsewhere = map[string]bool{
	"vrrp_instance\tauth_hmac": true,
	"vrrp_instance/auth_hmac":  true, // every keyword of the block
}

// keyword243 is one line of keywords243File.
type keyword243 struct{ block, kw string }

func readKeywords243(t testing.TB) []keyword243 {
	t.Helper()
	f, err := os.Open(keywords243File)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []keyword243
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		block, kw, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: bad line %q", keywords243File, line)
		}
		if handledElsewhere[block+"\t"+kw] || handledElsewhere[block] {
			continue
		}
		out = append(out, keyword243{block, kw})
	}
	if len(out) < 400 {
		t.Fatalf("%s: only %d keywords", keywords243File, len(out))
	}
	return out
}

// plausibleArg is an argument each keyword's handler accepts (default "1").
var plausibleArg = map[string]string{
	"interface": "eth0", "state": "BACKUP", "mcast_src_ip": "10.0.0.3", "unicast_src_ip": "10.0.0.3",
	"mcast_dst_ip": "224.0.0.19", "virtual_router_id": "52", "priority": "100", "version": "2",
	"use_vmac": "", "use_ipvlan": "", "vrf": "red", "debug": "1", "accept": "", "no_accept": "",
	"preempt_delay": "1", "notify_backup": "/usr/bin/true", "notify_master": "/usr/bin/true", "notify_fault": "/usr/bin/true",
	"notify_stop": "/usr/bin/true", "notify": "/usr/bin/true", "notify_deleted": "/usr/bin/true",
	"notify_master_rx_lower_pri": "/usr/bin/true", "smtp_alert": "", "notify_priority_changes": "",
	"lvs_sync_daemon_interface": "eth0", "garp_extra_if": "5", "vmac_garp_intvl": "5",
	"lower_prio_no_advert": "", "higher_prio_send_advert": "", "owner_ignore_adverts": "",
	"v3_checksum_as_v2": "", "timer_expired_backup": "", "thread_timer_expired": "",
	"auth_type": "PASS", "auth_pass": "secret", "script": "/usr/bin/true", "user": "nobody",
	"group": "", "init_fail": "", "process": "nginx", "param_match": "initial", "full_command": "",
	"file": "/tmp/f", "init_file": "", "garp_interval": "1", "gna_interval": "1", "interfaces": "",
	"router_id": "r1", "vrrp_mcast_group4": "224.0.0.19", "vrrp_mcast_group6": "ff02::13",
	"vrrp_version": "3", "default_interface": "eth0", "script_user": "nobody",
	"notify_fifo": "/tmp/fifo", "vrrp_notify_fifo": "/tmp/vfifo", "lvs_notify_fifo": "/tmp/lfifo",
	"notify_fifo_script": "/usr/bin/true", "vrrp_notify_fifo_script": "/usr/bin/true", "lvs_notify_fifo_script": "/usr/bin/true",
	"startup_script": "/usr/bin/true", "shutdown_script": "/usr/bin/true", "notification_email_from": "a@b",
	"smtp_server": "127.0.0.1", "smtp_helo_name": "h", "vmac_prefix": "vr", "vmac_addr_prefix": "02:00:00",
	"process_names": "", "process_name": "ka", "vrrp_process_name": "ka_vrrp", "checker_process_name": "ka_chk",
	"lvs_process_name": "ka_lvs", "bfd_process_name": "ka_bfd", "lvs_sync_daemon": "eth0 VI_1",
	"lvs_timeouts": "tcp 10", "vrrp_garp_extra_if": "5", "vrrp_strict": "", "dynamic_interfaces": "",
	"vrrp_rx_bufs_policy": "MTU", "reload_check_config": "", "reload_time_file": "/tmp/rt",
	"reload_file": "/tmp/rf", "config_save_dir": "/tmp", "tmp_config_directory": "/tmp",
	"include_check": "", "dbus_service_name": "org.keepalived", "snmp_socket": "udp:localhost:705",
	"state_dump_file": "/tmp/ka.data", "stats_dump_file": "/tmp/ka.stats", "json_dump_file": "/tmp/ka.json",
	"json_version": "2", "iproute_usr_dir": "/usr/lib/iproute2", "iproute_etc_dir": "/etc/iproute2",
	"vrrp_delay_after_boot": "1", "umask": "0077", "random_seed": "1", "nftables": "keepalived",
	"vrrp_iptables": "", "vrrp_ipsets": "", "vrrp_cpu_affinity": "0", "checker_cpu_affinity": "0",
	"bfd_cpu_affinity": "0", "smtp_alert_vrrp": "", "smtp_alert_checker": "", "max_auto_priority": "",
	"net_namespace": "blue", "net_namespace_ipvs": "blue", "instance": "i1", "child_wait_time": "5",
	// LVS, checkers, SSL, BFD.
	"ip_family": "inet", "lb_algo": "rr", "lvs_sched": "rr", "lb_kind": "NAT", "lvs_method": "NAT",
	"sorry_server_lvs_method": "NAT", "protocol": "TCP", "persistence_engine": "sip",
	"persistence_granularity": "255.255.255.0", "virtualhost": "www.example.com", "snmp_name": "vs1",
	"quorum_up": "/usr/bin/true", "quorum_down": "/usr/bin/true", "sorry_server": "10.0.0.9 80",
	"notify_up": "/usr/bin/true", "notify_down": "/usr/bin/true", "connect_ip": "10.0.0.3", "bindto": "10.0.0.4",
	"bind_port": "1234", "connect_port": "80", "bind_if": "eth0", "alpha": "", "omega": "",
	"log_all_failures": "", "inhibit_on_failure": "", "sorry_server_inhibit": "", "http_protocol": "1.1",
	"enable_sni": "", "fast_recovery": "", "tls_compliant": "", "path": "/", "status_code": "200",
	"digest": "9b3a0c85a887a256d6939da88aabd8cd", "regex": "ok", "regex_options": "caseless",
	"regex_stack": "1000", "misc_path": "/usr/bin/true", "helo_name": "h", "type": "A", "name": "www.example.com",
	"payload": "00", "require_reply": "", "track_file": "tf", "password": "p", "ca": "/tmp/ca.pem",
	"certificate": "/tmp/c.pem", "key": "/tmp/k.pem", "source_ip": "10.0.0.3", "neighbor_ip": "10.0.0.4",
	"neighbour_ip": "10.0.0.4", "multihop": "", "passive": "", "vrrp": "", "checker": "",
}

// snippetHeader starts every snippet: script security on, so that the
// snippet's scripts are no finding of keepalived's.
const snippetHeader = "global_defs {\nenable_script_security\nscript_user root\n}\n"

// noArg are keywords given without an argument (flags, or an optional
// true/false that defaults to true).
var noArg = map[string]bool{
	"global_defs": true, "static_ipaddress": true, "static_routes": true, "static_rules": true,
	"use_pid_dir": true, "linkbeat_use_polling": true, "vrrp_higher_prio_send_advert": true,
	"vrrp_lower_prio_no_advert": true, "vrrp_min_garp": true, "vrrp_notify_priority_changes": true,
	"vrrp_owner_ignore_adverts": true, "no_virtual_ipaddress": true, "nopreempt": true, "preempt": true,
	"skip_check_adv_addr": true, "strict_mode": true, "authentication": true, "native_ipv6": true,
	"dont_track_primary": true, "track_src_ip": true, "promote_secondaries": true,
	"unicast_fault_no_peer": true, "check_unicast_src": true, "use_vmac_addr": true,
	"vmac_xmit_base": true, "global_tracking": true, "sync_group_tracking_weight": true,
	"enable_script_security": true, "log_unknown_vrids": true, "vrrp_skip_check_adv_addr": true,
	"vrrp_check_unicast_src": true, "fifo_write_vrrp_states_on_reload": true, "vrrp_no_swap": true,
	"checker_no_swap": true, "bfd_no_swap": true, "linkbeat_interfaces": true,
	"interface_up_down_delays": true, "SSL": true, "v3_checksum_as_v2": true,
}

// blockOpeners are keywords whose snippet is a { } block (of values or
// of keywords); a block path in the list also opens one.
var valueBlocks = map[string]string{
	"virtual_ipaddress": "10.0.0.10", "virtual_ipaddress_excluded": "10.0.0.11",
	"virtual_routes": "10.1.0.0/16 via 10.0.0.254", "virtual_rules": "from 10.0.0.12 table 100",
	"unicast_peer": "10.0.0.20", "track_interface": "eth1", "track_script": "chk",
	"track_file": "tf", "track_process": "tp", "track_bfd": "b1", "group": "VI_1",
	"notification_email": "a@b", "static_ipaddress": "10.0.0.30/24 dev eth0",
	"static_routes": "10.2.0.0/16 via 10.0.0.254 dev eth0", "static_rules": "from 10.0.0.31 table 100",
	"virtual_server_group": "10.0.0.40 80", "linkbeat_interfaces": "eth0",
	"interface_up_down_delays": "eth0 1 1", "interfaces": "eth0",
}

// rootHeads are the root keywords' own lines (name and arguments).
var rootHeads = map[string]string{
	"vrrp_instance": "vrrp_instance VI_9", "vrrp_script": "vrrp_script chk9", "vrrp_sync_group": "vrrp_sync_group G9",
	"vrrp_track_process": "vrrp_track_process tp9", "track_file": "track_file tf9", "vrrp_track_file": "vrrp_track_file tf8",
	"garp_group": "garp_group", "bfd_instance": "bfd_instance b9", "track_group": "track_group tg9",
	"virtual_server": "virtual_server 10.0.0.50 80", "virtual_server_group": "virtual_server_group vsg9",
	"real_server": "real_server 10.0.0.51 80",
}

// requiredBody is what a block needs to be complete around the keyword
// under test (so the snippet has no unrelated findings about it).
var requiredBody = map[string]string{
	"vrrp_instance":      "interface eth0\nvirtual_router_id 51\nvirtual_ipaddress {\n10.0.0.1\n}\n",
	"vrrp_script":        "script /usr/bin/true\n",
	"vrrp_sync_group":    "group {\nVI_1\n}\n",
	"vrrp_track_process": "process nginx\n",
	"track_file":         "file /tmp/f\n",
	"vrrp_track_file":    "file /tmp/f\n",
}

// snippet writes keyword kw of block (a "/" path, "-" for the top level)
// with a plausible argument, and the configuration around it.
func snippet(block, kw string, opens map[string]bool) string {
	line := kw
	path := kw
	if block != "-" {
		path = block + "/" + kw
	}
	_, isValueBlock := valueBlocks[kw]
	if h, ok := rootHeads[kw]; ok && (block == "-" || kw == "real_server") {
		line = h
	} else if a, ok := plausibleArg[kw]; ok {
		if a != "" {
			line += " " + a
		}
	} else if !noArg[kw] && !opens[path] && !(isValueBlock && !strings.Contains(block, "FILE_CHECK")) {
		line += " 1"
	}
	switch {
	case opens[path]:
		line += " {\n" + requiredBody[kw] + "}"
	case valueBlocks[kw] != "" && (block != "-" || kw != "track_file"):
		if kw == "track_file" && strings.Contains(block, "FILE_CHECK") {
			break
		}
		line += " {\n" + valueBlocks[kw] + "\n}"
	}
	if block == "-" {
		return line + "\n"
	}
	parts := strings.Split(block, "/")
	text := line + "\n"
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		head := p
		if h, ok := rootHeads[p]; ok && (i == 0 || p == "real_server") {
			head = h
		}
		if i == 0 && p == "vrrp_instance" {
			head = "vrrp_instance VI_1"
		}
		body := ""
		if i == len(parts)-1 {
			// The block's required lines, less the keyword under test.
			for _, bl := range strings.SplitAfter(requiredBody[p], "\n") {
				if !strings.HasPrefix(bl, kw+" ") || strings.HasSuffix(bl, "{\n") {
					body += bl
				}
			}
		}
		text = head + " {\n" + body + text + "}\n"
	}
	// Objects the keyword may refer to, and script security so that the
	// scripts of the snippet are no finding of keepalived's.
	text = snippetHeader + text
	text += "vrrp_script chk {\nscript /usr/bin/true\n}\ntrack_file tf {\nfile /tmp/f\n}\nvrrp_track_process tp {\nprocess nginx\n}\n"
	if parts[0] != "vrrp_instance" {
		text += "vrrp_instance VI_1 {\n" + requiredBody["vrrp_instance"] + "track_script {\nchk\n}\n}\n"
	}
	return text
}

// TestKeywords243Known parses, for every keyword keepalived 2.4.3
// registers, a snippet with the keyword in its block, and fails when we
// report it unknown or abort on a missing parameter; it also checks that
// the same keyword misspelt is reported, with a suggestion where the
// keyword is long enough to be suggested.
func TestKeywords243Known(t *testing.T) {
	kws := readKeywords243(t)
	opens := map[string]bool{}
	for _, k := range kws {
		if k.block != "-" {
			opens[k.block] = true
		}
	}
	for _, k := range kws {
		t.Run(strings.ReplaceAll(k.block, "/", ">")+"/"+k.kw, func(t *testing.T) {
			text := snippet(k.block, k.kw, opens)
			_, _, lines := lowerText(t, text)
			for _, l := range lines {
				if strings.Contains(l, "unknown keyword") || strings.Contains(l, "missing a parameter") || strings.Contains(l, "Missing '{'") {
					t.Errorf("%s\nin:\n%s", l, text)
				}
			}
			// The same keyword with a letter doubled is a finding.
			typo := k.kw + k.kw[len(k.kw)-1:]
			bad := strings.Replace(text, k.kw, typo, 1)
			if k.block != "-" {
				// Replace the keyword's own line, not its block's head.
				loc := regexp.MustCompile(`\n` + regexp.QuoteMeta(k.kw) + `[ \n{]`).FindStringIndex(text[len(snippetHeader):])
				if loc == nil {
					t.Fatalf("keyword line not found in:\n%s", text)
				}
				i := len(snippetHeader) + loc[0]
				bad = text[:i+1] + typo + text[i+1+len(k.kw):]
			}
			_, _, lines = lowerText(t, bad)
			found := false
			for _, l := range lines {
				if strings.Contains(l, "unknown keyword `"+typo+"`") {
					found = true
				}
			}
			if !found {
				t.Errorf("misspelt `%s` not reported:\n%s\nin:\n%s", typo, strings.Join(lines, "\n"), bad)
			}
		})
	}
}
