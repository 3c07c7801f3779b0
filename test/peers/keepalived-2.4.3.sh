#!/bin/sh
# Builds keepalived 2.4.3, the second reference peer of the e2e suite (issue
# 12: auth_hmac signed adverts), from its release tarball into a cache outside
# the work tree, once per machine. Reuses the build when its binary exists.
# A missing tarball is not an error: the 2.4.3 tests say so and skip.
#
#   keepalived-2.4.3.sh TARBALL [CACHE]
#
# The binary is CACHE/keepalived-2.4.3/keepalived/keepalived. It is never
# installed: `make install` of keepalived rewrites the system's unit files.
set -eu
tarball=$1
cache=${2:-/var/cache/keepalived-go}
src=$cache/keepalived-2.4.3
bin=$src/keepalived/keepalived

if [ -x "$bin" ]; then
	echo "keepalived 2.4.3: $bin"
	exit 0
fi
if [ ! -r "$tarball" ]; then
	echo "keepalived 2.4.3: no tarball at $tarball; the tests that need it will skip"
	exit 0
fi

# Debian's build dependencies, only those missing.
missing=""
for p in build-essential autoconf automake pkg-config libssl-dev libnl-3-dev libnl-genl-3-dev libnl-route-3-dev; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "keepalived 2.4.3: installing$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

mkdir -p "$cache"
# One build at a time per machine: parallel `make test` runs wait for it.
exec 9>"$cache/.keepalived-2.4.3.lock"
flock 9
if [ -x "$bin" ]; then
	echo "keepalived 2.4.3: $bin"
	exit 0
fi
log=$cache/keepalived-2.4.3-build.log
echo "keepalived 2.4.3: building in $src (about two minutes on 2 cores; log $log)"
tar -xzf "$tarball" -C "$cache"
cd "$src"
if ! { ./autogen.sh && ./configure --prefix=/opt/keepalived-2.4.3 && make -j"$(nproc)"; } >"$log" 2>&1; then
	tail -30 "$log"
	echo "keepalived 2.4.3: build failed (log $log)"
	exit 1
fi
"$bin" -v 2>&1 | head -1
