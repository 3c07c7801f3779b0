#!/bin/sh
# timing.sh NAME: two real keepalived 2.2.7 in namespaces kgv-a (r1,
# NAME-r1.conf, priority 100) and kgv-b (r2, NAME-r2.conf, priority 90) on a
# veth pair; tcpdump -tt in kgv-b writes NAME.pcap. Timeline: both start;
# at +8 s r1 gets SIGTERM (graceful: priority 0, r2 takes over after its
# skew time); at +10 s r1 starts again and preempts; at +20 s r1's whole
# process group is killed with SIGKILL (crash: r2 takes over one master
# down interval after r1's last advert). Needs root.
set -eu
name=$1
scale=${SCALE:-1}
tmp=$(mktemp -d /tmp/kgv-tim.XXXXXX)
r1pid=""; r2pid=""
cleanup() {
	[ -n "$r1pid" ] && kill -9 -"$r1pid" 2>/dev/null || true
	[ -n "$r2pid" ] && kill -9 -"$r2pid" 2>/dev/null || true
	[ -f "$tmp/tcpdump.pid" ] && kill "$(cat "$tmp/tcpdump.pid")" 2>/dev/null || true
	sleep 1
	ip netns del kgv-a 2>/dev/null || true
	ip netns del kgv-b 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add kgv-a
ip netns add kgv-b
ip link add kgv-va netns kgv-a type veth peer name kgv-vb netns kgv-b
for ns in a b; do ip -n kgv-$ns link set lo up; done
ip -n kgv-a link set kgv-va address 02:00:00:99:00:01
ip -n kgv-b link set kgv-vb address 02:00:00:99:00:02
ip -n kgv-a addr add 10.99.0.1/24 dev kgv-va
ip -n kgv-b addr add 10.99.0.2/24 dev kgv-vb
ip -n kgv-a link set kgv-va up
ip -n kgv-b link set kgv-vb up
sleep 1
ip netns exec kgv-b tcpdump -i kgv-vb -U -w "$tmp/out.pcap" 'ip proto 112' >/dev/null 2>&1 &
echo $! > "$tmp/tcpdump.pid"
sleep 1
start() { # ns conf dir -> pid (own process group)
	mkdir -p "$tmp/$3"
	setsid ip netns exec "$1" /usr/sbin/keepalived -n -l -D -P -f "$PWD/$2" -p "$tmp/$3/k.pid" -r "$tmp/$3/v.pid" >>"$tmp/$3.log" 2>&1 &
	echo $!
}
r1pid=$(start kgv-a "$name-r1.conf" r1)
r2pid=$(start kgv-b "$name-r2.conf" r2)
sleep $((8 * scale))
kill -TERM "$r1pid"
sleep $((2 * scale))
r1pid=$(start kgv-a "$name-r1.conf" r1b)
sleep $((10 * scale))
kill -9 -"$r1pid"; r1pid=""
sleep $((6 * scale))
kill -TERM "$r2pid"; sleep 2; r2pid=""
kill "$(cat "$tmp/tcpdump.pid")"; rm -f "$tmp/tcpdump.pid"
sleep 1
cp "$tmp/out.pcap" "$name.pcap"
cat "$tmp"/r1.log "$tmp"/r2.log "$tmp"/r1b.log > "$name.log" 2>/dev/null || true
tcpdump -nn -tt -r "$name.pcap" 2>/dev/null | wc -l
