#!/bin/bash
# make demo: two keepalived-go nodes and a client on a private LAN of network
# namespaces; the master is killed, and the demo tells who holds the VIP and
# how long the client went without service. Everything it creates (namespaces
# kge-demo-*, processes, a temp directory) is removed on exit, also on Ctrl-C.
#
# Needs root, iproute2 and Go (to build the binaries). Run from anywhere:
#   make demo      or      sudo examples/demo.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VIP=10.0.0.10
NS=kge-demo-$$
WORK=

say() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces): sudo make demo"
command -v ip >/dev/null || die "needs iproute2 (ip)"
command -v go >/dev/null || die "needs Go to build the binaries"

# kill_host NAME [SIGNAL]: signal every process in host NAME's network
# namespace (and nothing else: no PIDs or groups that may have been reused).
kill_host() { ip netns pids "$NS-$1" 2>/dev/null | xargs -r kill "-${2:-KILL}" 2>/dev/null || true; }

cleanup() {
	set +e
	for n in lb1 lb2 c1; do kill_host "$n"; done
	for n in sw lb1 lb2 c1; do ip netns del "$NS-$n" 2>/dev/null; done
	[ -n "$WORK" ] && rm -rf "$WORK"
	echo "done: nothing left behind."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

WORK=$(mktemp -d /tmp/kge-demo.XXXXXX)
say "Building keepalived-go and the demo's client"
BIN=${KEEPALIVED_BIN:-$ROOT/bin/keepalived}
if [ ! -x "$BIN" ]; then (cd "$ROOT" && go build -o bin/keepalived ./cmd/keepalived); fi
(cd "$ROOT" && go build -o "$WORK/kgelab" ./test/e2e/cmd/kgelab)
"$BIN" --version 2>&1 | head -1 || true

say "Creating a LAN: a switch and three hosts (lb1 10.0.0.11, lb2 10.0.0.12, client 10.0.0.100)"
ip netns add "$NS-sw"
ip -n "$NS-sw" link add kge-br0 type bridge stp_state 0
ip -n "$NS-sw" link set kge-br0 up
addhost() { # name address
	ip netns add "$NS-$1"
	ip -n "$NS-$1" link set lo up
	ip -n "$NS-sw" link add "p-$1" type veth peer name eth0 netns "$NS-$1"
	ip -n "$NS-sw" link set "p-$1" master kge-br0 up
	ip -n "$NS-$1" addr add "$2/24" dev eth0
	ip -n "$NS-$1" link set eth0 up
}
addhost lb1 10.0.0.11
addhost lb2 10.0.0.12
addhost c1 10.0.0.100

# start HOST LOG CMD...: run CMD in HOST's network namespace, in the
# background.
start() {
	local host=$1 log=$2; shift 2
	setsid ip netns exec "$NS-$host" "$@" >"$log" 2>&1 </dev/null &
	disown "$!" # no "Killed" job notices at the end
}
has_vip() { ip -n "$NS-$1" -o addr show | grep -q " $VIP/"; }
wait_for() { # SECONDS COMMAND...
	local n=$(( $1 * 10 )); shift
	until "$@"; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1; done
}
served_by() { grep -q "\"host\":\"$1\"" "$WORK/probe.jsonl" 2>/dev/null; }

for n in lb1 lb2; do
	mkdir -p "$WORK/$n"
	start "$n" "$WORK/$n/web.log" "$WORK/kgelab" serve -name "$n"
done

say "Starting keepalived-go on lb1 (priority 100) and lb2 (priority 90) with examples/demo/lb*.conf"
for n in lb1 lb2; do
	start "$n" "$WORK/$n/keepalived.log" "$BIN" -n -l -f "$ROOT/examples/demo/$n.conf" \
		-p "$WORK/$n/keepalived.pid" -r "$WORK/$n/vrrp.pid"
	[ $n = lb1 ] && { wait_for 10 has_vip lb1 || die "lb1 did not become master; its log: $(cat "$WORK/lb1/keepalived.log")"; }
done
echo "lb1 is master: it holds the VIP $VIP."

say "The client requests http://$VIP/ every 10 ms"
start c1 "$WORK/probe.jsonl" "$WORK/kgelab" probe "http://$VIP/"
wait_for 5 served_by lb1 || die "the client is not served through the VIP"
sleep 2
echo "The client is served by lb1."

say "Killing lb1 (SIGKILL to its keepalived-go and its web server: the host has crashed)"
kill_host lb1 KILL
T0=$(date +%s.%N)
if wait_for 15 served_by lb2; then
	T1=$(date +%s.%N)
	sleep 1
else
	T1=
fi
# The prober prints its summary (the longest gap) when it stops.
kill_host c1 TERM
n=30; while [ -n "$(ip netns pids "$NS-c1")" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
LONGEST=$(grep -o '"longest_ms":[0-9.]*' "$WORK/probe.jsonl" | tail -1 | cut -d: -f2)

say "Result"
holders=()
has_vip lb2 && holders+=(lb2)
has_vip lb1 && holders+=("lb1 (left behind by its dead daemon, as keepalived leaves it; nothing answers there)")
if [ -z "$T1" ]; then
	echo "lb2 did NOT take over within 15 s. lb2's log:"; cat "$WORK/lb2/keepalived.log"
	exit 1
fi
echo "lb2 took over: it holds the VIP $VIP and answers the client."
[ ${#holders[@]} -gt 1 ] && echo "The address is also still configured on ${holders[1]}."
awk -v ms="${LONGEST:-0}" 'BEGIN { printf "The client was without service for %.2f s (the longest gap between two answers).\n", ms / 1000 }'
echo "VRRP's bound for a crash at advert_int 1 and backup priority 90: 3 x 1 s + (256-90)/256 s = 3.65 s after lb1's last advert."
echo
if grep -q "VIP conflict" "$WORK/lb2/keepalived.log"; then
	echo "lb2's log reports a VIP conflict: true, lb1's kernel still answers ARP for $VIP because its SIGKILLed daemon never removed it (a real crash or power loss takes the address down with the host)."
fi
echo "lb2's log:"
sed 's/^/  /' "$WORK/lb2/keepalived.log" | tail -8
say "Cleaning up (namespaces, processes, $WORK)"
