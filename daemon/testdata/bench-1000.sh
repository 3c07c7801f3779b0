#!/bin/sh
# bench-1000.sh BINARY [LABEL]: runs BINARY (ours or keepalived) with 1,000
# VRRP instances (4 veth interfaces x 250 VRIDs, advert_int 1, one /32 VIP
# each) alone in a network namespace, lets every instance become MASTER,
# then measures over 30 s the VRRP child's CPU and both processes' RSS, and
# the longest gap between two adverts of the same VRID on eth0 across a
# SIGHUP that adds one VIP. Needs root; cleans up after itself.
set -eu
BIN=${1:?binary}
LABEL=${2:-$(basename "$BIN")}
NS=kgd-bench$$
D=$(mktemp -d /tmp/kgd-bench.XXXXXX)
cleanup() {
	rc=$?
	[ $rc -ne 0 ] && tail -20 "$D/log" >&2
	[ -f "$D/k.pid" ] && kill -TERM "$(cat "$D/k.pid")" 2>/dev/null && sleep 3
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$D"
}
trap cleanup EXIT
gen() {
	python3 - "$@" <<'PY'
import sys
extra = len(sys.argv) > 1
out = ["global_defs {\n  router_id bench\n}\n"]
for i in range(4):
    for v in range(1, 251):
        vips = ["    10.%d.%d.100/32" % (i, v)]
        if extra and v == 1:
            vips.append("    10.%d.%d.101/32" % (i, v))
        out.append("vrrp_instance VI_%d_%d {\n  state BACKUP\n  interface eth%d\n  virtual_router_id %d\n  priority 150\n  advert_int 1\n  virtual_ipaddress {\n%s\n  }\n}\n" % (i, v, i, v, "\n".join(vips)))
print("".join(out))
PY
}
gen > "$D/k.conf"
ip netns add "$NS"
ip -n "$NS" link set lo up
for i in 0 1 2 3; do
	ip -n "$NS" link add eth$i type veth peer name p$i
	ip -n "$NS" link set eth$i up
	ip -n "$NS" link set p$i up
	ip -n "$NS" addr add 10.$i.0.1/16 dev eth$i
done
(cd "$D" && TMPDIR=$D setsid ip netns exec "$NS" "$BIN" -n -P -G -f "$D/k.conf" -p "$D/k.pid" -r "$D/v.pid" >"$D/log" 2>&1 &)
for i in $(seq 60); do [ -s "$D/v.pid" ] && break; sleep 0.5; done
sleep 8 # every instance: 3 x advert_int + skew, then MASTER
P=$(cat "$D/k.pid"); C=$(cat "$D/v.pid")
vips=$(ip -n "$NS" addr show eth0 | grep -c 'inet 10.0.*/32' || true)
t0=$(awk '{print $14+$15}' /proc/$C/stat)
sleep 30
t1=$(awk '{print $14+$15}' /proc/$C/stat)
rssP=$(awk '/VmRSS/{print $2}' /proc/$P/status); rssC=$(awk '/VmRSS/{print $2}' /proc/$C/status)
ip netns exec "$NS" tcpdump -i p0 -nn -tt -w "$D/cap.pcap" 'ip proto 112' 2>/dev/null &
TD=$!
sleep 4
gen x > "$D/k.conf"
hup=$(date +%s.%N)
kill -HUP "$P"
sleep 8
kill "$TD"; wait "$TD" 2>/dev/null || true
gap=$(tcpdump -nn -tt -r "$D/cap.pcap" 2>/dev/null | awk -v hup="$hup" '{t=$1; for(i=1;i<=NF;i++) if($i=="vrid") v=$(i+1); sub(",","",v); if (v in last) { g=t-last[v]; if (g>max) {max=g; at=t-hup} } last[v]=t; n++} END {printf "%d adverts, longest gap %.3f s (ending %+.2f s from the SIGHUP)", n, max, at}')
added=$(ip -n "$NS" addr show eth0 | grep -c '10.0.1.101/32' || true)
echo "$LABEL: masters' VIPs on eth0 $vips/250; child CPU $((t1-t0)) ticks/30 s ($(getconf CLK_TCK)/s); RSS parent ${rssP} kB + child ${rssC} kB; across SIGHUP: $gap; added VIP present: $added"
