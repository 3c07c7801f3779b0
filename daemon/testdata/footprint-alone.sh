#!/bin/sh
# footprint-alone.sh BIN [N [SECONDS]]: where our daemon's memory is. Starts
# BIN (keepalived-go) alone with N instances (default 1000; the same
# configuration as footprint.sh) in a namespace of its own, waits SECONDS
# (default 30), then prints for the parent and the VRRP child: threads,
# Rss/Pss/Anonymous from smaps_rollup, and Rss by mapping kind (anonymous,
# the executable's code, read-only data, writable data). With KEEP=1 it
# leaves the daemon running and prints the child's PID, to attach
# `perf record -e page-faults -d -g -p PID` or read /proc; run it again
# (or `ip netns del kgf$N`) to clean up. Extra environment for the daemon
# (for example GODEBUG=gctrace=1) goes in ENVX. Root only; touches only its
# own namespace and processes.
set -eu
BIN=${1:?usage: footprint-alone.sh BIN [N [SECONDS]]}
N=${2:-1000}
SECS=${3:-30}
NS=kgf$N
D=/tmp/kgf-$N
if [ -s "$D/k.pid" ]; then kill -TERM "$(cat "$D/k.pid")" 2>/dev/null && sleep 2 || true; fi
ip netns del "$NS" 2>/dev/null || true
rm -rf "$D"; mkdir -p "$D"
ip netns add "$NS"
ip -n "$NS" link set lo up
for i in 0 1 2 3; do
	ip -n "$NS" link add eth$i type veth peer name p$i
	ip -n "$NS" link set p$i up
	ip -n "$NS" link set eth$i up
	ip -n "$NS" addr add 10.$i.0.1/16 dev eth$i
done
python3 - "$N" >"$D/k.conf" <<'PY'
import sys
n = int(sys.argv[1])
out = ["global_defs {\n  router_id bench\n}\n"]
k = 0
for i in range(4):
    for v in range(1, 251):
        if k == n:
            break
        k += 1
        out.append("vrrp_instance VI_%d_%d {\n  state BACKUP\n  interface eth%d\n  virtual_router_id %d\n  priority 150\n  advert_int 1\n  virtual_ipaddress {\n    10.%d.%d.100/32\n  }\n}\n" % (i, v, i, v, i, v))
print("".join(out))
PY
(cd "$D" && exec setsid ip netns exec "$NS" env ${ENVX:-} "$BIN" -n -l -f "$D/k.conf" -p "$D/k.pid" -r "$D/v.pid" >"$D/log" 2>&1 </dev/null) &
sleep "$SECS"
exe=$(readlink -f "$BIN")
for who in parent:k child:v; do
	p=$(cat "$D/${who#*:}.pid")
	printf '%s pid %s threads %s  ' "${who%%:*}" "$p" "$(ls /proc/$p/task | wc -l)"
	grep -E '^(Rss|Pss|Anonymous):' /proc/$p/smaps_rollup | tr -s ' \n' ' '
	echo
	awk -v exe="$exe" '/^[0-9a-f]+-/ { kind = $6 == "" ? "anonymous" : ($6 == exe ? ($2 ~ /x/ ? "image code" : ($2 ~ /w/ ? "image writable" : "image read-only")) : "other") }
		/^Rss:/ { r[kind] += $2 } END { for (k in r) printf "    %-16s %6d kB\n", k, r[k] }' /proc/$p/smaps | sort
done
if [ -n "${KEEP:-}" ]; then
	echo "left running: child $(cat "$D/v.pid"), log $D/log"
	exit 0
fi
leader=$(cat "$D/k.pid")
kill -TERM "$leader"
sleep 2
kill -KILL -- "-$leader" 2>/dev/null || true
ip netns del "$NS"
rm -rf "$D"
