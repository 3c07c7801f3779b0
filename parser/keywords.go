package parser

import (
	"sort"
	"strings"
)

// Keyword sets of keepalived 2.2.7, per block kind (vrrp_parser.c
// init_vrrp_keywords, global_parser.c init_global_keywords, track_file.c,
// check_parser.c, bfd_parser.c). They decide what is "unknown" and feed the
// "did you mean" suggestions.

// Block kinds, as they are named in messages.
const (
	ctxRoot         = "the top level"
	ctxGlobal       = "global_defs"
	ctxInstance     = "vrrp_instance"
	ctxAuth         = "authentication"
	ctxScript       = "vrrp_script"
	ctxSyncGroup    = "vrrp_sync_group"
	ctxTrackFile    = "track_file"
	ctxTrackProcess = "vrrp_track_process"
	ctxGarpGroup    = "garp_group"
)

// rootBlocks are the root keywords that open a block we lower.
var rootBlocks = []string{
	"global_defs", "vrrp_instance", "vrrp_sync_group", "vrrp_script",
	"track_file", "vrrp_track_file", "vrrp_track_process", "garp_group",
	"static_ipaddress", "static_routes", "static_rules",
}

// rawRootBlocks are root blocks of subsystems we do not run: kept verbatim
// in Config.Raw with one notice per kind.
var rawRootBlocks = map[string]string{
	"virtual_server":           "LVS is not part of keepalived-go",
	"virtual_server_group":     "LVS is not part of keepalived-go",
	"SSL":                      "LVS checkers are not part of keepalived-go",
	"bfd_instance":             "BFD is not part of keepalived-go",
	"linkbeat_interfaces":      "link state always comes from netlink in keepalived-go",
	"interface_up_down_delays": "interface debouncing is not implemented in keepalived-go",
	"track_group":              "static track groups are not implemented in keepalived-go",
}

// rootKeywords are the root-level keywords that take no block.
var rootKeywords = []string{
	"net_namespace", "net_namespace_ipvs", "namespace_with_ipsets",
	"use_pid_dir", "instance", "child_wait_time", "linkbeat_use_polling",
}

var globalKeywords = strings.Fields(`
keepalived_go_vip_conflict_interval keepalived_go_notify_conflict
keepalived_go_conflict_policy keepalived_go_conflict_hold
process_names process_name vrrp_process_name checker_process_name
lvs_process_name bfd_process_name router_id notification_email_from
smtp_server smtp_helo_name smtp_connect_timeout notification_email
smtp_alert startup_script startup_script_timeout shutdown_script
shutdown_script_timeout max_auto_priority min_auto_priority_delay
smtp_alert_vrrp smtp_alert_checker checker_log_all_failures
dynamic_interfaces no_email_faults default_interface disable_local_igmp
lvs_timeouts lvs_flush lvs_flush_on_stop lvs_flush_onstop lvs_sync_daemon
vrrp_mcast_group4 vrrp_mcast_group6 vrrp_garp_master_delay
vrrp_garp_master_repeat vrrp_garp_master_refresh
vrrp_garp_master_refresh_repeat vrrp_garp_lower_prio_delay
vrrp_garp_lower_prio_repeat vrrp_down_timer_adverts vrrp_garp_interval
vrrp_gna_interval vrrp_min_garp vrrp_garp_extra_if vrrp_vmac_garp_intvl
vrrp_lower_prio_no_advert vrrp_higher_prio_send_advert vrrp_version
vrrp_iptables nftables nftables_priority nftables_ifindex
nftables_ipvs nftables_ipvs_priority nftables_ipvs_start_fwmark
nftables_counters vrrp_check_unicast_src vrrp_skip_check_adv_addr
vrrp_strict vrrp_priority vrrp_no_swap vrrp_rt_priority vrrp_cpu_affinity
vrrp_rlimit_rttime vrrp_rlimit_rtime notify_fifo notify_fifo_script
vrrp_notify_fifo vrrp_notify_fifo_script vrrp_notify_priority_changes
fifo_write_vrrp_states_on_reload lvs_notify_fifo lvs_notify_fifo_script
checker_priority checker_no_swap checker_rt_priority checker_cpu_affinity
checker_rlimit_rttime checker_rlimit_rtime bfd_priority bfd_no_swap
bfd_rt_priority bfd_cpu_affinity bfd_rlimit_rttime bfd_rlimit_rtime
snmp_socket enable_traps enable_snmp_vrrp enable_snmp_keepalived
enable_snmp_rfc enable_snmp_rfcv2 enable_snmp_rfcv3 enable_snmp_checker
enable_dbus dbus_service_name script_user enable_script_security
vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force
vrrp_netlink_monitor_rcv_bufs vrrp_netlink_monitor_rcv_bufs_force
process_monitor_rcv_bufs process_monitor_rcv_bufs_force
lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force
lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force
rs_init_notifies no_checker_emails vrrp_rx_bufs_policy
vrrp_rx_bufs_multiplier vrrp_startup_delay vrrp_delay_after_boot
log_unknown_vrids vmac_prefix
vmac_addr_prefix umask random_seed reload_check_config reload_time_file
reload_repeat reload_file include_check config_save_dir
tmp_config_directory data_use_instance
` + keywords243Global)

var instanceKeywords = strings.Fields(`
use_vmac use_vmac_addr vmac_xmit_base use_ipvlan unicast_peer
unicast_fault_no_peer check_unicast_src old_unicast_checksum native_ipv6
state interface vrf dont_track_primary track_interface track_script
track_file track_process track_bfd mcast_src_ip unicast_src_ip mcast_dst_ip
track_src_ip virtual_router_id unicast_ttl version priority advert_int
virtual_ipaddress virtual_ipaddress_excluded promote_secondaries
linkbeat_use_polling virtual_routes virtual_rules accept no_accept
skip_check_adv_addr strict_mode preempt nopreempt preempt_delay debug
notify_backup notify_master notify_fault notify_stop notify_deleted notify
notify_master_rx_lower_pri smtp_alert notify_priority_changes
lvs_sync_daemon_interface garp_master_delay garp_master_refresh
garp_master_repeat garp_master_refresh_repeat garp_lower_prio_delay
garp_lower_prio_repeat down_timer_adverts garp_extra_if vmac_garp_intvl
lower_prio_no_advert higher_prio_send_advert kernel_rx_buf_size
authentication auth_hmac
` + keywords243Instance)

var authKeywords = []string{"auth_type", "auth_pass"}

var scriptKeywords = strings.Fields(`script interval timeout weight rise fall user init_fail`)

var syncGroupKeywords = strings.Fields(`
group track_interface track_script track_file track_process track_bfd
notify_backup notify_master notify_fault notify_stop notify smtp_alert
global_tracking sync_group_tracking_weight notify_priority_changes
`)

var trackFileKeywords = []string{"file", "weight", "init_file"}

var trackProcessKeywords = strings.Fields(`process param_match weight quorum
quorum_max delay terminate_delay fork_delay full_command`)

var garpGroupKeywords = strings.Fields(`garp_interval gna_interval interface interfaces`)

// keywordsOf returns the keyword set of a block kind.
func keywordsOf(ctx string) []string {
	switch ctx {
	case ctxRoot:
		ks := append([]string{}, rootBlocks...)
		ks = append(ks, rootKeywords...)
		for k := range rawRootBlocks {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	case ctxGlobal:
		return globalKeywords
	case ctxInstance:
		return instanceKeywords
	case ctxAuth:
		return authKeywords
	case ctxHMAC:
		return hmacKeywords
	case ctxScript:
		return scriptKeywords
	case ctxSyncGroup:
		return syncGroupKeywords
	case ctxTrackFile:
		return trackFileKeywords
	case ctxTrackProcess:
		return trackProcessKeywords
	case ctxGarpGroup:
		return garpGroupKeywords
	}
	return lvsKeywordLists[ctx]
}

// allContexts lists the block kinds in the order they are searched when
// an unknown keyword belongs to another block.
var allContexts = []string{ctxRoot, ctxGlobal, ctxInstance, ctxAuth, ctxHMAC, ctxScript,
	ctxSyncGroup, ctxTrackFile, ctxTrackProcess, ctxGarpGroup}

func contains(list []string, s string) bool {
	for _, k := range list {
		if k == s {
			return true
		}
	}
	return false
}

// isKeyword reports whether word is a keyword of block kind ctx.
func isKeyword(ctx, word string) bool { return contains(keywordsOf(ctx), word) }

// suggest returns the keyword of ctx closest to word, or "" when none is
// close enough to be a plausible typo. A case-only difference always
// counts (keywords are case-sensitive).
func suggest(ctx, word string) string {
	best, bestD := "", 1<<30
	lw := strings.ToLower(word)
	for _, k := range keywordsOf(ctx) {
		if strings.ToLower(k) == lw {
			return k
		}
		d := editDistance(lw, strings.ToLower(k))
		if d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	limit := 2
	if len(word) >= 12 {
		limit = 3
	}
	if len(word) <= 3 {
		limit = 1
	}
	if bestD <= limit {
		return best
	}
	return ""
}

// homeOf returns another block kind in which word is a keyword, or "".
func homeOf(ctx, word string) string {
	for _, c := range allContexts {
		if c != ctx && isKeyword(c, word) {
			return c
		}
	}
	return ""
}

// editDistance is the Damerau (optimal string alignment) distance: one
// insertion, deletion, substitution or swap of neighbours costs 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
