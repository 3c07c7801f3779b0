#!/bin/sh
# footprint.sh OURS [SECONDS]: memory and CPU of keepalived-go (the binary
# OURS) and of real keepalived 2.2.7 (/usr/sbin/keepalived, or $KEEPALIVED),
# side by side in the same run (issue 6 item 4).
#
# For each of 1 instance and 1,000 instances (4 interfaces x 250 VRIDs,
# advert_int 1, one /32 VIP each), both daemons are started at the same time,
# each alone in its own network namespace (kgm-o$$-N, kgm-k$$-N) whose
# interfaces eth0..eth3 are veths, so every instance becomes MASTER. After
# they settle, the script sums over every process of each daemon (its
# process group: parent and children) RSS and PSS from
# /proc/PID/smaps_rollup (and USS, the private part), and CPU (utime+stime from /proc/PID/stat) over
# SECONDS (default 60). Needs root; kills only the PIDs it started and
# deletes its namespaces on exit.
#
# HMAC=1 gives every instance an auth_hmac block (keepalived 2.4; run it
# with KEEPALIVED=keepalived 2.4.3's binary, issue 12's CPU comparison).
#
# Output: one line per daemon and size, e.g.
#   1000 keepalived-go    procs 2  RSS 23456 kB  PSS 12345 kB  CPU 61 ticks / 60 s (1.02 %)
set -eu
OURS=${1:?usage: footprint.sh OURS-BINARY [SECONDS]}
SECS=${2:-60}
KA=${KEEPALIVED:-/usr/sbin/keepalived}
SIZES=${SIZES:-"1 1000"}
HZ=$(getconf CLK_TCK)
# The reference's name as its -v says it ("keepalived-2.2.7", "keepalived-2.4.3").
KANAME=keepalived-$("$KA" -v 2>&1 | sed -n 's/^Keepalived v\([0-9.]*\).*/\1/p' | head -1)
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

# gen N: a configuration of N instances (N=1: one on eth0).
gen() {
	python3 - "$1" <<'PY'
import os, sys
n = int(sys.argv[1])
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
        out.append("vrrp_instance VI_%d_%d {\n  state BACKUP\n  interface eth%d\n  virtual_router_id %d\n  priority 150\n  advert_int 1\n%s  virtual_ipaddress {\n    10.%d.%d.100/32\n  }\n}\n" % (i, v, i, v, hmac, i, v))
print("".join(out))
PY
}

mkns() {
	ip netns add "$1"
	NSS="$NSS $1"
	ip -n "$1" link set lo up
	for i in 0 1 2 3; do
		ip -n "$1" link add eth$i type veth peer name p$i
		ip -n "$1" link set p$i up
		ip -n "$1" link set eth$i up
		ip -n "$1" addr add 10.$i.0.1/16 dev eth$i
	done
}

# start NS BIN DIR: runs BIN -n -l in NS as the leader of a new session
# (so its process group is exactly its processes); prints the leader's PID.
start() {
	mkdir -p "$3"
	(cd "$3" && TMPDIR=$3 exec setsid ip netns exec "$1" "$2" -n -l -f "$3/k.conf" -p "$3/k.pid" -r "$3/v.pid" >"$3/log" 2>&1 </dev/null) &
	echo $!
}

# pids LEADER: every process of LEADER's process group.
pids() {
	for s in /proc/[0-9]*/stat; do
		awk -v g="$1" '{ sub(/^.*\) /, ""); if ($3 == g) { split(FILENAME, f, "/"); print f[3] } }' "$s" 2>/dev/null || true
	done
}
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

for n in $SIZES; do
	no=kgm-o$$-$n; nk=kgm-k$$-$n
	mkns "$no"; mkns "$nk"
	mkdir -p "$D/o$n" "$D/k$n"
	gen "$n" >"$D/o$n/k.conf"; cp "$D/o$n/k.conf" "$D/k$n/k.conf"
	lo=$(start "$no" "$OURS" "$D/o$n"); lk=$(start "$nk" "$KA" "$D/k$n")
	LEADERS="$LEADERS $lo $lk"
	for i in $(seq 60); do [ -s "$D/o$n/v.pid" ] && [ -s "$D/k$n/v.pid" ] && break; sleep 0.5; done
	sleep 10 # 3 x advert_int + skew: every instance MASTER, start-up garbage collected
	mo=$(ip -n "$no" -o addr show | grep -c 'inet 10\..*/32' || true)
	mk=$(ip -n "$nk" -o addr show | grep -c 'inet 10\..*/32' || true)
	po=$(pids "$lo"); pk=$(pids "$lk")
	o0=$(ticks "$po"); k0=$(ticks "$pk")
	sleep "$SECS"
	o1=$(ticks "$po"); k1=$(ticks "$pk")
	for who in o k; do
		if [ $who = o ]; then p=$po; name=keepalived-go; c=$((o1 - o0)); m=$mo; else p=$pk; name=$KANAME; c=$((k1 - k0)); m=$mk; fi
		np=$(echo $p | wc -w)
		printf '%4d %-16s procs %d  VIPs up %4d  RSS %6d kB  PSS %6d kB  USS %6d kB  CPU %4d ticks / %d s (%s %%)\n' \
			"$n" "$name" "$np" "$m" "$(smaps Rss "$p")" "$(smaps Pss "$p")" "$(smaps USS "$p")" "$c" "$SECS" \
			"$(awk -v c=$c -v s=$SECS -v hz=$HZ 'BEGIN { printf "%.2f", 100 * c / hz / s }')"
		[ -n "${VERBOSE:-}" ] && for q in $p; do printf '        pid %s %s RSS %s kB PSS %s kB USS %s kB\n' "$q" "$(tr '\0' ' ' </proc/$q/cmdline | cut -c1-40)" "$(smaps Rss $q)" "$(smaps Pss $q)" "$(smaps USS $q)"; done
	done
	kill -TERM "$lo" "$lk" 2>/dev/null || true
	sleep 3
	kill -KILL -- "-$lo" "-$lk" 2>/dev/null || true
	ip netns del "$no"; ip netns del "$nk"
done
