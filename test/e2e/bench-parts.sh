#!/bin/bash
# bench-parts.sh: `make bench-ha` in parts. Each part is one `go test -run`
# of TestHABench (a scenario with its four pairings, a seed, a footprint);
# its figures go to one results file, a finished part leaves a marker, so a
# run that was interrupted resumes where it stopped. At the end the tables
# are rendered from the whole results file into BENCHMARKS-ha.md.
#
#   sudo test/e2e/bench-parts.sh [WORKDIR]     (default /tmp/kge-bench)
set -u
work=${1:-/tmp/kge-bench}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$work"
cd "$here"
export KAGO_BENCH_HA=1 KGE_SLACK=300ms KGE_RESULTS=$work/results.tsv
# Our daemon as `make build` makes it (static, stripped): what is installed.
if [ -z "${KAGO_BIN:-}" ]; then
	(cd "$root" && make -s build) || exit 1
	export KAGO_BIN=$root/bin/keepalived
fi
go test -c -o "$work/e2e.test" . || exit 1
parts=(
	'scenarios/^sigkill$' scenarios/sigterm scenarios/nginx-killed scenarios/link-down
	'scenarios/^preempt-back$' scenarios/nopreempt-back scenarios/unicast-sigkill scenarios/v3-fast-sigkill
	'scenarios/^reload$' scenarios/broken-reload
	scenarios/split-brain/ours.ours scenarios/split-brain/ours.keepalived
	scenarios/split-brain/keepalived.ours scenarios/split-brain/keepalived.keepalived
	seeds/000 seeds/001-master seeds/001-dual seeds/002 seeds/003 seeds/004
	'hmac/^sigkill$' hmac/sigterm 'hmac/^preempt-back$' hmac/nopreempt-back
	'plain243/^sigkill$' plain243/sigterm 'plain243/^preempt-back$' plain243/nopreempt-back
	'footprint/keepalived-1$' 'footprint/ours-1$' footprint/keepalived-1000 footprint/ours-1000
)
for part in "${parts[@]}"; do
	m=$work/done.$(echo "$part" | tr '/$' '__')
	[ -e "$m" ] && continue
	echo "=== $part $(date +%T)"
	"$work/e2e.test" -test.count=1 -test.timeout=30m -test.run "TestHABench/$part" -test.v >"$m.log" 2>&1
	rc=$?
	echo "rc=$rc $(date +%T)" >>"$m.log"
	grep -E -- '--- FAIL' "$m.log"
	mv "$m.log" "$m"
done
KGE_BENCH_OUT=$root/BENCHMARKS-ha.md "$work/e2e.test" -test.run 'TestHABench/^$' >/dev/null && echo "wrote $root/BENCHMARKS-ha.md"
