#!/bin/sh
# footprint.sh OURS [SECONDS]: memory, CPU and allocations of keepalived-go
# (the binary OURS) and of real keepalived 2.2.7 (/usr/sbin/keepalived, or
# $KEEPALIVED), side by side in the same run (issue 6 item 4, issue 11).
#
# For each role in ROLES (default "master backup") and each of SIZES
# (default "1 1000": 1 instance, or 4 interfaces x 250 VRIDs, advert_int 1,
# priority 150, one /32 VIP each), both daemons are started at the same
# time, each alone in its own network namespace (kgm-o$$-N, kgm-k$$-N)
# whose interfaces eth0..eth3 are veths. As MASTER the veths' other ends
# stay unused, so every instance becomes MASTER. As BACKUP they are in a
# peer namespace per daemon (kgm-po$$-N, kgm-pk$$-N, 10.I.0.2) where a
# keepalived 2.2.7 runs the same instances at priority 200, started first:
# every instance stays BACKUP and receives one advert a second. After they
# settle, the script sums over every process of each daemon (its process
# group: parent and children; the peers are not counted) RSS and PSS from
# /proc/PID/smaps_rollup (and USS, the private part), and CPU
# (utime+stime from /proc/PID/stat) over SECONDS (default 60).
#
# PERF=FILE records a CPU profile of our VRRP child over the window
# (perf record -g, into FILE.ROLE.N; use an unstripped build, e.g.
# `CGO_ENABLED=0 go build -trimpath`, for symbols).
#
# HMAC=1 gives every instance an auth_hmac block (keepalived 2.4; run it
# with KEEPALIVED=keepalived 2.4.3's binary, issue 12's CPU comparison).
#
# Allocations per advert (received as BACKUP, sent as MASTER), after the
# CPU and memory window: ours from its /metrics (go_memstats_mallocs_total
# and the advert counters; it runs with --status-addr 127.0.0.1:9911 in
# its namespace for that) over ALLOCSECS (default 20), less what one
# /metrics request allocates; keepalived's by counting malloc/calloc/
# realloc in its VRRP process with ltrace for LTRACE seconds (default 10;
# ltrace slows it), divided by N x LTRACE adverts. Needs root (and ltrace for the
# keepalived figure); kills only the PIDs it started and deletes its
# namespaces on exit.
#
# Context switches of every thread of each daemon over SECONDS (ctxsw)
# count its wake-ups: where a BACKUP's CPU goes is mostly there.
#
# Output: one line per role, daemon and size, e.g.
#   backup 1000 keepalived-go    procs 2  up 1000  RSS 23456 kB  PSS 12345 kB  USS ... CPU 61 ticks / 60 s (1.02 %)  ctxsw 12345  allocs/advert 0.00
set -eu
OURS=${1:?usage: footprint.sh OURS-BINARY [SECONDS]}
# The daemons start in their own directories: a relative OURS (bin/keepalived,
# as the BENCHMARKS commands give it) is taken from where the script was run.
case $OURS in /*) ;; *) OURS=$PWD/$OURS ;; esac
SECS=${2:-60}
KA=${KEEPALIVED:-/usr/sbin/keepalived}
# The reference's name as its -v says it ("keepalived-2.2.7", "keepalived-2.4.3").
KANAME=keepalived-$("$KA" -v 2>&1 | sed -n 's/^Keepalived v\([0-9.]*\).*/\1/p' | head -1)
SIZES=${SIZES:-"1 1000"}
ROLES=${ROLES:-"master backup"}
LTRACE=${LTRACE:-10}
ALLOCSECS=${ALLOCSECS:-20}
PORT=9911
HZ=$(getconf CLK_TCK)
D=$(mktemp -d /tmp/kgm-foot.XXXXXX)
NSS=""
LEADERS=""
cleanup() {
	for p in $LEADERS; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 2
	for p in $LEADERS; do kill -KILL -- "-$p" 2>/dev/null || true; done
	for n in $NSS; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$D"
}
trap cleanup EXIT INT TERM

# gen N [PRIO]: a configuration of N instances (N=1: one on eth0).
gen() {
	python3 - "$1" "${2:-150}" <<'PY'
import os, sys
n = int(sys.argv[1])
prio = int(sys.argv[2])
hmac = ""
if os.environ.get("HMAC"):
    hmac = "  auth_hmac {\n    key 1 hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n    active_key 1\n  }\n"
out = ["global_defs {\n  router_id bench\n}\n"]
k = 0
for i in range(4):
    for v in range(1, 251):
        if k == n:
            break
        k += 1
        out.append("vrrp_instance VI_%d_%d {\n  state BACKUP\n  interface eth%d\n  virtual_router_id %d\n  priority %d\n  advert_int 1\n%s  virtual_ipaddress {\n    10.%d.%d.100/32\n  }\n}\n" % (i, v, i, v, prio, hmac, i, v))
print("".join(out))
PY
}

# mkns NS [PEERNS]: NS with eth0..eth3 (10.I.0.1/16), veths whose other
# ends go to PEERNS as its eth0..eth3 (10.I.0.2/16) when given.
mkns() {
	ip netns add "$1"
	NSS="$NSS $1"
	ip -n "$1" link set lo up
	if [ -n "${2:-}" ]; then
		ip netns add "$2"
		NSS="$NSS $2"
		ip -n "$2" link set lo up
	fi
	for i in 0 1 2 3; do
		ip -n "$1" link add eth$i type veth peer name p$i
		if [ -n "${2:-}" ]; then
			ip -n "$1" link set p$i netns "$2"
			ip -n "$2" link set p$i name eth$i # the peer's configuration names eth$i
			ip -n "$2" link set eth$i up
			ip -n "$2" addr add 10.$i.0.2/16 dev eth$i
		else
			ip -n "$1" link set p$i up
		fi
		ip -n "$1" link set eth$i up
		ip -n "$1" addr add 10.$i.0.1/16 dev eth$i
	done
}

# start NS BIN DIR [ARGS]: runs BIN -n -l in NS as the leader of a new
# session (so its process group is exactly its processes); prints the
# leader's PID.
start() {
	mkdir -p "$3"
	(cd "$3" && TMPDIR=$3 exec setsid ip netns exec "$1" "$2" -n -l -f "$3/k.conf" -p "$3/k.pid" -r "$3/v.pid" ${4:-} >"$3/log" 2>&1 </dev/null) &
	echo $!
}

# snap NS: one /metrics request to our daemon in NS, as "MALLOCS RECEIVED
# SENT" (heap objects allocated, adverts received and sent, summed).
snap() {
	ip netns exec "$1" curl -s "http://127.0.0.1:$PORT/metrics" | awk '
		$1 == "go_memstats_mallocs_total" { m = $2 }
		index($1, "keepalived_advertisements_received_total{") == 1 { r += $2 }
		index($1, "keepalived_advertisements_sent_total{") == 1 { s += $2 }
		END { printf "%d %d %d\n", m, r, s }'
}

# pids LEADER: every process of LEADER's process group.
pids() {
	for s in /proc/[0-9]*/stat; do
		awk -v g="$1" '{ sub(/^.*\) /, ""); if ($3 == g) { split(FILENAME, f, "/"); print f[3] } }' "$s" 2>/dev/null || true
	done
}
# ctxsw PIDS: context switches (voluntary and not) of every thread of PIDS:
# about one per wake-up for keepalived, several for a Go process.
ctxsw() { t=0; for p in $1; do x=$(cat /proc/$p/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'); t=$((t + x)); done; echo $t; }
ticks() { t=0; for p in $1; do x=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/$p/stat 2>/dev/null || echo 0); t=$((t + x)); done; echo $t; }
# smaps FIELD PIDS: the sum of FIELD of /proc/PID/smaps_rollup over PIDS;
# FIELD USS is Private_Clean + Private_Dirty (what only that process holds).
smaps() {
	t=0
	for p in $2; do
		x=$(awk -v k="$1" '$1 == k ":" || (k == "USS" && ($1 == "Private_Clean:" || $1 == "Private_Dirty:")) { s += $2 } END { print s + 0 }' /proc/$p/smaps_rollup 2>/dev/null || echo 0)
		t=$((t + ${x:-0}))
	done
	echo $t
}

for role in $ROLES; do
for n in $SIZES; do
	no=kgm-o$$-$n; nk=kgm-k$$-$n; po=""; pk=""
	if [ "$role" = backup ]; then po=kgm-po$$-$n; pk=kgm-pk$$-$n; fi
	mkns "$no" "$po"; mkns "$nk" "$pk"
	mkdir -p "$D/o$n" "$D/k$n"
	gen "$n" >"$D/o$n/k.conf"; cp "$D/o$n/k.conf" "$D/k$n/k.conf"
	if [ "$role" = backup ]; then
		# The peers first, so that they are masters before we start.
		mkdir -p "$D/po$n" "$D/pk$n"
		gen "$n" 200 >"$D/po$n/k.conf"; cp "$D/po$n/k.conf" "$D/pk$n/k.conf"
		lpo=$(start "$po" "$KA" "$D/po$n"); lpk=$(start "$pk" "$KA" "$D/pk$n")
		LEADERS="$LEADERS $lpo $lpk"
		sleep 8
	fi
	lo=$(start "$no" "$OURS" "$D/o$n" "--status-addr=127.0.0.1:$PORT"); lk=$(start "$nk" "$KA" "$D/k$n")
	LEADERS="$LEADERS $lo $lk"
	for i in $(seq 60); do [ -s "$D/o$n/v.pid" ] && [ -s "$D/k$n/v.pid" ] && break; sleep 0.5; done
	sleep 15 # 3 x advert_int + skew, the delayed GARP burst (5 s), the quiet spell: the steady state
	mo=$(ip -n "$no" -o addr show | grep -c 'inet 10\..*/32' || true)
	mk=$(ip -n "$nk" -o addr show | grep -c 'inet 10\..*/32' || true)
	if [ "$role" = backup ]; then
		# Instances up as BACKUP: those without their VIP.
		mo=$((n - mo)); mk=$((n - mk))
	fi
	po_=$(pids "$lo"); pk_=$(pids "$lk")
	o0=$(ticks "$po_"); k0=$(ticks "$pk_"); so0=$(ctxsw "$po_"); sk0=$(ctxsw "$pk_")
	if [ -n "${PERF:-}" ]; then
		# A CPU profile of our VRRP child over the window (give an
		# unstripped build for symbols): PERF.ROLE.N, for perf report.
		perf record -F 999 -g -o "$PERF.$role.$n" -p "$(cat "$D/o$n/v.pid")" -- sleep "$SECS" >/dev/null 2>&1 || sleep "$SECS"
	else
		sleep "$SECS"
	fi
	o1=$(ticks "$po_"); k1=$(ticks "$pk_"); so1=$(ctxsw "$po_"); sk1=$(ctxsw "$pk_")
	# Memory now, before any /metrics request (one allocates a lot for
	# 1,000 instances, and the heap it grows would count).
	mem_o="$(smaps Rss "$po_") $(smaps Pss "$po_") $(smaps USS "$po_")"
	mem_k="$(smaps Rss "$pk_") $(smaps Pss "$pk_") $(smaps USS "$pk_")"
	# Then the allocations, over ALLOCSECS: two requests back to back
	# first, whose difference is what one request allocates, taken off
	# the window's count (so the figure is signed: noise can be < 0).
	sa=$(snap "$no"); sb=$(snap "$no")
	sleep "$ALLOCSECS"
	sc=$(snap "$no")
	oalloc=$(echo "$sa $sb $sc" | awk '{ x = ($7 - $4) - ($4 - $1); n = $8 - $5 + $9 - $6; if (n > 0) printf "%.3f (%d objects, %d adverts; %d per /metrics)", x / n, x, n, $4 - $1; else print "-" }')
	kalloc="-"
	if command -v ltrace >/dev/null 2>&1; then
		kv=$(cat "$D/k$n/v.pid")
		timeout -s INT "$LTRACE" ltrace -c -L -x 'malloc+calloc+realloc@libc.so*' -p "$kv" -o "$D/lt$n" >/dev/null 2>&1 || true
		kalloc=$(awk -v n=$n -v s=$LTRACE '$NF == "total" { c = $(NF-1) } END { printf "%.3f (%d calls, ~%d adverts)", (c + 0) / (n * s), c + 0, n * s }' "$D/lt$n" 2>/dev/null || echo -)
	fi
	for who in o k; do
		if [ $who = o ]; then p=$po_; name=keepalived-go; c=$((o1 - o0)); w=$((so1 - so0)); m=$mo; al=$oalloc; mem=$mem_o; else p=$pk_; name=$KANAME; c=$((k1 - k0)); w=$((sk1 - sk0)); m=$mk; al=$kalloc; mem=$mem_k; fi
		np=$(echo $p | wc -w)
		set -- $mem
		printf '%-6s %4d %-16s procs %d  up %4d  RSS %6d kB  PSS %6d kB  USS %6d kB  CPU %4d ticks / %d s (%s %%)  ctxsw %d  allocs/advert %s\n' \
			"$role" "$n" "$name" "$np" "$m" "$1" "$2" "$3" "$c" "$SECS" \
			"$(awk -v c=$c -v s=$SECS -v hz=$HZ 'BEGIN { printf "%.2f", 100 * c / hz / s }')" "$w" "$al"
		[ -n "${VERBOSE:-}" ] && for q in $p; do printf '        pid %s %s RSS %s kB PSS %s kB USS %s kB\n' "$q" "$(tr '\0' ' ' </proc/$q/cmdline | cut -c1-40)" "$(smaps Rss $q)" "$(smaps Pss $q)" "$(smaps USS $q)"; done
	done
	kill -TERM "$lo" "$lk" ${lpo:-} ${lpk:-} 2>/dev/null || true
	sleep 3
	kill -KILL -- "-$lo" "-$lk" 2>/dev/null || true
	[ -n "${lpo:-}" ] && kill -KILL -- "-$lpo" "-$lpk" 2>/dev/null || true
	lpo=""; lpk=""
	for x in $no $nk $po $pk; do ip netns del "$x" 2>/dev/null || true; done
done
done
