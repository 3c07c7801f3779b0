#!/bin/sh
# capture.sh NAME: runs real keepalived 2.2.7 with NAME.conf in network
# namespace kgv-a, captures its adverts with tcpdump in kgv-b (the other end
# of a veth pair), stops keepalived with SIGTERM (to capture its priority-0
# advert too) and writes NAME.pcap. Needs root. Run from this directory:
#   for c in *.conf; do sh capture.sh ${c%.conf}; done
# Addresses: kgv-a/kgv-va 10.99.0.1/24 fd99::1/64, kgv-b/kgv-vb 10.99.0.2/24 fd99::2/64.
set -eu
name=$1
wait=${WAIT:-6}
tmp=$(mktemp -d /tmp/kgv-cap.XXXXXX)
cleanup() {
	[ -f "$tmp/tcpdump.pid" ] && kill "$(cat "$tmp/tcpdump.pid")" 2>/dev/null || true
	ip netns del kgv-a 2>/dev/null || true
	ip netns del kgv-b 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add kgv-a
ip netns add kgv-b
ip link add kgv-va netns kgv-a type veth peer name kgv-vb netns kgv-b
for ns in a b; do
	ip netns exec kgv-$ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip netns exec kgv-$ns sysctl -qw net.ipv6.conf.kgv-v$ns.accept_dad=0
	ip -n kgv-$ns link set lo up
done
ip -n kgv-a link set kgv-va address 02:00:00:99:00:01
ip -n kgv-b link set kgv-vb address 02:00:00:99:00:02
ip -n kgv-a addr add 10.99.0.1/24 dev kgv-va
ip -n kgv-b addr add 10.99.0.2/24 dev kgv-vb
ip -n kgv-a addr add fd99::1/64 dev kgv-va nodad
ip -n kgv-b addr add fd99::2/64 dev kgv-vb nodad
ip -n kgv-a link set kgv-va up
ip -n kgv-b link set kgv-vb up
sleep 1
ip netns exec kgv-b tcpdump -i kgv-vb -U -w "$tmp/out.pcap" 'ip proto 112 or ip proto 51 or ip6 proto 112' >/dev/null 2>&1 &
echo $! > "$tmp/tcpdump.pid"
sleep 1
ip netns exec kgv-a /usr/sbin/keepalived -n -l -D -P -f "$PWD/$name.conf" -p "$tmp/keepalived.pid" -r "$tmp/vrrp.pid" >"$tmp/log" 2>&1 &
kpid=$!
sleep "$wait"
kill -TERM $kpid
sleep 2
kill -0 $kpid 2>/dev/null && kill -KILL $kpid || true
sleep 1
kill "$(cat "$tmp/tcpdump.pid")"; rm -f "$tmp/tcpdump.pid"
sleep 1
cp "$tmp/out.pcap" "$name.pcap"
cp "$tmp/log" "$name.log"
tcpdump -nn -v -r "$name.pcap" 2>/dev/null | head -4
