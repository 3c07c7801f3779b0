#!/bin/sh
# Measures real keepalived 2.2.7's VRRP process CPU (its own time, the
# scripts' excluded) while it runs 100 vrrp_scripts at interval 1, in a
# throwaway network namespace `kgc-bench`. Root only. Compare with
#   KGC_SOAK=1 go test ./checker -run Soak -v
set -e
d=$(mktemp -d /tmp/kgc-bench.XXXXXX)
ns=kgc-bench
printf '#!/bin/sh\nexit 0\n' > $d/chk.sh
chmod 755 $d/chk.sh
{
	printf 'global_defs {\n  enable_script_security\n  script_user root\n}\n'
	i=0
	while [ $i -lt 100 ]; do
		printf 'vrrp_script s%d {\n  script "%s/chk.sh"\n  interval 1\n}\n' $i $d
		i=$((i + 1))
	done
	printf 'vrrp_instance VI_1 {\n  interface kgcd0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n'
	printf '  virtual_ipaddress {\n    192.0.2.100/32\n  }\n  track_script {\n'
	i=0
	while [ $i -lt 100 ]; do
		printf '    s%d\n' $i
		i=$((i + 1))
	done
	printf '  }\n}\n'
} > $d/k.conf
ip netns add $ns
trap 'kill $(cat $d/k.pid) 2>/dev/null; sleep 1; ip netns del '$ns'; rm -rf '$d EXIT
ip -n $ns link add kgcd0 type veth peer name kgcd1
ip -n $ns link set kgcd1 up
ip -n $ns link set kgcd0 up
ip -n $ns addr add 10.99.0.1/24 dev kgcd0
ip netns exec $ns keepalived -n -l -D -f $d/k.conf -p $d/k.pid -r $d/v.pid --vrrp > $d/log 2>&1 &
sleep 3
v=$(cat $d/v.pid)
t0=$(awk '{print $14+$15}' /proc/$v/stat)
s0=$(date +%s.%N)
sleep 10
t1=$(awk '{print $14+$15}' /proc/$v/stat)
s1=$(date +%s.%N)
echo "keepalived VRRP process: $((t1 - t0))0 ms CPU in $(echo "$s1 - $s0" | bc) s; $(grep -c succeeded $d/log) scripts succeeded"
