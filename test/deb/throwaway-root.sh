#!/bin/bash
# throwaway-root.sh WORK: runs WORK/kg/steps.sh as root in a throwaway copy
# of this machine's root: an overlay of / whose upper layer is a tmpfs, in
# private mount, network and PID namespaces, so that whatever dpkg and the
# maintainer scripts do goes to the tmpfs and is gone when the script ends.
# The machine's own root is only read. WORK/kg is bound at /kg inside
# (the packages in, the results out).
#
# No service can start in there: policy-rc.d refuses every invoke-rc.d
# action, deb-systemd-invoke (what dh_installsystemd's maintainer scripts
# call to start, restart and stop the unit) is replaced by a recorder that
# appends its arguments to /kg/actions, and /run/systemd/system exists so
# that the scripts take their systemd branch, as on a Debian host.
set -euo pipefail
WORK=$(realpath "$1")
if [ -z "${KG_THROWAWAY_INNER:-}" ]; then
	exec env KG_THROWAWAY_INNER=1 unshare --mount --net --pid --fork --propagation private "$0" "$WORK"
fi
R=$WORK/root
L=$WORK/layer
mkdir -p "$R" "$L"
mount -t tmpfs -o size=1g,mode=0755 kg-throwaway "$L"
mkdir "$L/upper" "$L/work"
mount -t overlay kg-throwaway -o "lowerdir=/,upperdir=$L/upper,workdir=$L/work" "$R"
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=0755 tmpfs "$R/run"
mkdir -p "$R/run/systemd/system" "$R/run/lock"
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
mkdir -p "$R/kg"
mount --bind "$WORK/kg" "$R/kg"
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
printf '#!/bin/sh\necho "deb-systemd-invoke $*" >> /kg/actions\n' > "$R/usr/bin/deb-systemd-invoke"
chmod 0755 "$R/usr/sbin/policy-rc.d" "$R/usr/bin/deb-systemd-invoke"
exec chroot "$R" /bin/bash /kg/steps.sh
