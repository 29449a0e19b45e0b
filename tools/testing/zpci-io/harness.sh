#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One-command s390x QEMU (TCG) loop for zpci-io-vfio-pci:
# Debian's linux-source-6.1 -> cached guest kernel -> module, KUnit module,
# selftests, /init -> qemu-system-s390x with two zPCI functions -> KTAP
# report on the host.
#
# Usage: harness.sh {kernel|build|check|demo|bench}
# Environment: ZPCI_IO_CACHE (default ~/.cache/zpci-io),
#              ZPCI_IO_TIMEOUT (guest timeout in seconds, default 900).

set -euo pipefail

HARNESS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HARNESS/../../.." && pwd)
CACHE=${ZPCI_IO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zpci-io}
STAGE="$CACHE/stage"
FRAGMENT="$REPO/tools/testing/selftests/drivers/s390x/zpci_io/config"
TIMEOUT=${ZPCI_IO_TIMEOUT:-900}
GUEST_APPEND=${ZPCI_IO_APPEND:-}

# shellcheck source=lib.sh
. "$HARNESS/lib.sh"

prepare() {
	mkdir -p "$CACHE"
	ensure_deps
	ensure_source
	ensure_kernel "$FRAGMENT"
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
	local mode=$1
	pack_initramfs "$mode"
	log "booting s390x guest (TCG, mode $mode)"
	run_guest "$STAGE/guest-$mode.log" "$TIMEOUT" || true
}

cmd=${1:-check}
case "$cmd" in
kernel)
	prepare
	;;
build)
	prepare
	build_all
	;;
check)
	prepare
	style_gate
	build_all
	boot check
	cp "$STAGE/guest-check.log" "$CACHE/last-check.log"
	python3 "$HARNESS/ktap_report.py" --expect "$HARNESS/expected" \
		"$STAGE/guest-check.log"
	;;
demo | bench)
	prepare
	build_all
	boot "$cmd"
	python3 "$HARNESS/ktap_report.py" --show "$cmd" "$STAGE/guest-$cmd.log"
	;;
*)
	echo "usage: $0 {kernel|build|check|demo|bench}" >&2
	exit 2
	;;
esac
