#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One-command s390x QEMU (TCG) loop for zpci-io-vfio-pci:
# Debian's linux-source-6.1 -> cached guest kernels -> module, KUnit module,
# selftests, /init -> qemu-system-s390x with two zPCI functions -> KTAP
# report on the host.  "check" runs the whole suite twice: on the standard
# guest kernel and on the debug kernel (KASAN, lockdep, UBSAN,
# DEBUG_ATOMIC_SLEEP, SLUB debugging, kmemleak, debugobjects).
#
# Usage: harness.sh {kernel|build|check|demo|bench}
# Environment: ZPCI_IO_CACHE (default ~/.cache/zpci-io),
#              ZPCI_IO_KERNELS (check: "standard debug" by default),
#              ZPCI_IO_TIMEOUT (guest timeout in seconds, default 900;
#              three times that for the debug kernel).

set -euo pipefail

HARNESS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HARNESS/../../.." && pwd)
CACHE=${ZPCI_IO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zpci-io}
FRAGMENT="$REPO/tools/testing/selftests/drivers/s390x/zpci_io/config"
DEBUG_FRAGMENT="$HARNESS/debug.config"
KERNELS=${ZPCI_IO_KERNELS:-standard debug}
TIMEOUT=${ZPCI_IO_TIMEOUT:-900}

# shellcheck source=lib.sh
. "$HARNESS/lib.sh"

# Select kernel $1 (standard or debug): KBUILD, STAGE, kernel parameters
use_kernel() {
	case "$1" in
	standard)
		ensure_kernel "$FRAGMENT"
		GUEST_TIMEOUT=$TIMEOUT
		;;
	debug)
		ensure_kernel "$FRAGMENT" "$DEBUG_FRAGMENT"
		GUEST_TIMEOUT=$((TIMEOUT * 3))
		;;
	*)
		die "unknown kernel '$1' (standard, debug)"
		;;
	esac
	STAGE="$CACHE/stage-$1"
	GUEST_APPEND="zpci_io_kernel=$1 ${ZPCI_IO_APPEND:-}"
}

prepare() {
	local k
	mkdir -p "$CACHE"
	ensure_deps
	ensure_source
	for k in $*; do
		use_kernel "$k"
	done
}

build_all() {
	rm -rf "$STAGE"
	mkdir -p "$STAGE"
	build_module
	build_userspace
}

style_gate() {
	local files
	files=$(cd "$REPO" && ls drivers/vfio/pci/zpci-io/*.[ch] \
		include/uapi/linux/*.h | grep -v '\.mod\.c$')
	(cd "$REPO" && "$KSRC/scripts/checkpatch.pl" --strict --no-tree \
		--quiet --show-types -f $files) >&2 ||
		die "checkpatch.pl --strict reported findings"
	log "checkpatch --strict clean"
}

boot() {
	local mode=$1 start=$SECONDS
	pack_initramfs "$mode"
	log "booting s390x guest (TCG, $KERNEL kernel, mode $mode)"
	run_guest "$STAGE/guest-$mode.log" "$GUEST_TIMEOUT" || true
	log "guest finished in $((SECONDS - start)) s"
}

cmd=${1:-check}
case "$cmd" in
kernel)
	prepare standard debug
	;;
build)
	prepare $KERNELS
	for KERNEL in $KERNELS; do
		use_kernel "$KERNEL"
		build_all
	done
	;;
check)
	prepare $KERNELS
	style_gate
	logs=()
	for KERNEL in $KERNELS; do
		use_kernel "$KERNEL"
		build_all
		boot check
		cp "$STAGE/guest-check.log" "$CACHE/last-check-$KERNEL.log"
		logs+=("$KERNEL=$STAGE/guest-check.log")
	done
	python3 "$HARNESS/ktap_report.py" --expect "$HARNESS/expected" \
		"${logs[@]}"
	;;
demo | bench)
	KERNEL=standard
	prepare $KERNEL
	use_kernel $KERNEL
	build_all
	boot "$cmd"
	python3 "$HARNESS/ktap_report.py" --show "$cmd" "$STAGE/guest-$cmd.log"
	;;
*)
	echo "usage: $0 {kernel|build|check|demo|bench}" >&2
	exit 2
	;;
esac
