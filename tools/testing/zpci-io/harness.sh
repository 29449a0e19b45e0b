#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One-command s390x QEMU (TCG) loop for zpci-io-vfio-pci over a matrix of
# kernels: Debian's kernel source of each line (6.1, 6.12, 7.3) -> cached
# guest kernels -> module, KUnit modules, selftests, /init ->
# qemu-system-s390x with two zPCI functions -> KTAP report on the host,
# every line naming its kernel.  A kernel is named LINE (standard guest
# kernel) or LINE-debug (+ KASAN, lockdep, UBSAN, DEBUG_ATOMIC_SLEEP, SLUB
# debugging, kmemleak, debugobjects); "standard" and "debug" are 6.1's.
#
# Usage: harness.sh {kernel|build|check|demo|demo-nested|nested-soak|bench|series}
# Environment: ZPCI_IO_CACHE (default ~/.cache/zpci-io),
#              ZPCI_IO_KERNELS (check: "6.1 6.12 7.3 7.3-debug" by default),
#              ZPCI_IO_TIMEOUT (guest timeout in seconds, default 900;
#              three times that for a debug kernel),
#              ZPCI_IO_TESTS (check: only these kselftest programs, e.g.
#              "zpci_io_test"; KUnit and the lifecycle tests always run;
#              no nested test), ZPCI_IO_NESTED (0: no nested test),
#              ZPCI_IO_NESTED_TIMEOUT (seconds, default 1800),
#              ZPCI_IO_SOAK_RUNS (nested-soak: runs, default 10),
#              ZPCI_IO_OUTER_QEMU (every guest's emulator, the nested
#              test's outer one included, instead of the self-built one,
#              e.g. Debian's /usr/bin/qemu-system-s390x).

set -euo pipefail

HARNESS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HARNESS/../../.." && pwd)
CACHE=${ZPCI_IO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zpci-io}
FRAGMENT="$REPO/tools/testing/selftests/drivers/s390x/zpci_io/config"
# the harness's own boot-speed choices, merged into every guest kernel
GUEST_FRAGMENT="$HARNESS/guest.config"
DEBUG_FRAGMENT="$HARNESS/debug.config"
# Linux's ism driver and dibs, the emulated ISM function's oracle: merged
# into the kernels that have dibs
ISM_FRAGMENT="$HARNESS/ism.config"
KERNELS=${ZPCI_IO_KERNELS:-6.1 6.12 7.3 7.3-debug}
# the line the in-tree series (patches/linux) is made for; its standard
# guest runs the modules the patched tree builds
SERIES_LINE=7.3
# the kernel the nested test (patched QEMU inside the guest) runs on, when
# it is in KERNELS; ZPCI_IO_NESTED=0 leaves it out
NESTED_KERNEL=$SERIES_LINE
NESTED=${ZPCI_IO_NESTED:-1}
NESTED_TIMEOUT=${ZPCI_IO_NESTED_TIMEOUT:-1800}
TIMEOUT=${ZPCI_IO_TIMEOUT:-900}
TESTS=${ZPCI_IO_TESTS:-}

# shellcheck source=lib.sh
. "$HARNESS/lib.sh"

# Select kernel $1 (LINE or LINE-debug): KSRC, KBUILD, STAGE, parameters
use_kernel() {
	local name=$1 line frags

	case "$name" in
	standard) name=6.1 ;;
	debug) name=6.1-debug ;;
	esac
	line=${name%-debug}
	ensure_source "$line"
	frags=("$FRAGMENT" "$GUEST_FRAGMENT")
	if kconfig_has DIBS; then
		frags+=("$ISM_FRAGMENT")
	fi
	if [ "$name" = "$line" ]; then
		ensure_kernel "${frags[@]}"
		GUEST_TIMEOUT=$TIMEOUT
	else
		ensure_kernel "${frags[@]}" "$DEBUG_FRAGMENT"
		GUEST_TIMEOUT=$((TIMEOUT * 3))
	fi
	KERNEL=$name
	STAGE="$CACHE/stage-$name"
	GUEST_APPEND="zpci_io_kernel=$name ${ZPCI_IO_APPEND:-}"
}

prepare() {
	local k
	mkdir -p "$CACHE"
	ensure_deps
	for k in $*; do
		use_kernel "$k"
	done
}

build_all() {
	rm -rf "$STAGE"
	mkdir -p "$STAGE"
	build_module
	build_userspace
	case "$KERNEL" in *-debug) ;; *) dkms_check ;; esac
}

# checkpatch.pl --strict of the last kernel prepared (in the default order,
# the newest)
style_gate() {
	local files
	files=$(cd "$REPO" && ls drivers/vfio/pci/zpci-io/*.[ch] \
		include/uapi/linux/*.h | grep -v '\.mod\.c$')
	(cd "$REPO" && "$KSRC/scripts/checkpatch.pl" --strict --no-tree \
		--quiet --show-types -f $files) >&2 ||
		die "checkpatch.pl --strict reported findings"
	log "checkpatch --strict (${KSRC##*/}) clean"
}

boot() {
	local mode=$1 start
	pack_initramfs "$mode"
	# built on the first boot of a cold run: not the guest's time
	ensure_guest_qemu
	start=$SECONDS
	log "booting s390x guest (TCG, $KERNEL kernel, mode $mode)"
	run_guest "$STAGE/guest-$mode.log" "$GUEST_TIMEOUT" || true
	log "guest finished in $((SECONDS - start)) s"
}

# The suites a check run must report: all of "expected", or with TESTS
# the KUnit suites, the lifecycle tests and the kselftest programs named
expected_suites() {
	local f="$CACHE/expected-selected"

	if [ -z "$TESTS" ]; then
		echo "$HARNESS/expected"
		return 0
	fi
	awk -v tests=" $TESTS " '$1 != "user" || $2 == "zpci_io_lifecycle" ||
		index(tests, " " $2 " ")' "$HARNESS/expected" >"$f"
	echo "$f"
}

cmd=${1:-check}
case "$cmd" in
kernel)
	prepare $KERNELS
	;;
build)
	prepare $KERNELS
	for k in $KERNELS; do
		use_kernel "$k"
		build_all
	done
	;;
check)
	prepare $KERNELS
	style_gate
	logs=()
	for k in $KERNELS; do
		use_kernel "$k"
		build_all
		if [ "$KERNEL" = "$SERIES_LINE" ]; then
			[ -n "$TESTS" ] || deb_check "$KBUILD"
			series_check
			cp "$SERIES_MODULES"/*.ko "$STAGE/root/lib/modules/"
			log "the $KERNEL guest runs the in-tree series' modules"
		fi
		boot check
		cp "$STAGE/guest-check.log" "$CACHE/last-check-$KERNEL.log"
		logs+=("$KERNEL=$STAGE/guest-check.log")
		if [ "$KERNEL" = "$NESTED_KERNEL" ] && [ "$NESTED" = 1 ] &&
		   [ -z "$TESTS" ]; then
			qemu_series_check
			qemu_ism_series_check
			qemu_qtest_run "$CACHE/qemu-qtest.log"
			logs+=("qtest=$CACHE/qemu-qtest.log")
			nested_boot
			cp "$STAGE/guest-nested.log" "$CACHE/last-check-$KERNEL-nested.log"
			logs+=("$KERNEL-nested=$STAGE/guest-nested.log")
		fi
	done
	python3 "$HARNESS/ktap_report.py" --expect "$(expected_suites)" \
		--expect-for "$NESTED_KERNEL-nested=$HARNESS/expected-nested" \
		--expect-for "qtest=$HARNESS/expected-qtest" \
		"${logs[@]}"
	;;
series)
	prepare "$SERIES_LINE"
	use_kernel "$SERIES_LINE"
	"$HARNESS/mkseries.sh" "$KSRC" "$REPO/patches/linux"
	;;
demo-nested)
	prepare "$NESTED_KERNEL"
	use_kernel "$NESTED_KERNEL"
	build_all
	nested_boot
	python3 "$HARNESS/ktap_report.py" --show zpci_io_nested \
		"$STAGE/guest-nested.log"
	;;
nested-soak)
	# The nested test again and again, each run judged as make check
	# judges it: what "it does not flake" rests on.  Logs stay in
	# $CACHE/soak/ until the next soak.
	prepare "$NESTED_KERNEL"
	use_kernel "$NESTED_KERNEL"
	build_all
	runs=${ZPCI_IO_SOAK_RUNS:-10}
	ok=0
	rm -rf "$CACHE/soak"
	mkdir -p "$CACHE/soak"
	for i in $(seq "$runs"); do
		nested_boot
		cp "$STAGE/guest-nested.log" "$CACHE/soak/run-$i.log"
		if python3 "$HARNESS/ktap_report.py" \
			--expect "$HARNESS/expected-nested" \
			"run-$i=$CACHE/soak/run-$i.log" >"$CACHE/soak/run-$i.report"; then
			ok=$((ok + 1))
			verdict=passed
		else
			verdict=FAILED
		fi
		log "soak run $i of $runs $verdict: $(grep -h -o \
			-e 'inner boot to workload [0-9]* s' \
			-e 'Failed to execute /init.*' \
			"$CACHE/soak/run-$i.log" | head -1)"
	done
	echo "nested soak: $ok of $runs runs passed (outer QEMU ${QEMU_OUTER#"$CACHE"/})"
	[ "$ok" = "$runs" ]
	;;
demo | bench)
	# bench on 7.3: its ISM moves need Linux's ism driver, dibs and
	# ism-vfio-pci
	line=6.1
	[ "$cmd" = demo ] || line=7.3
	prepare $line
	use_kernel $line
	build_all
	boot "$cmd"
	python3 "$HARNESS/ktap_report.py" --show "$cmd" "$STAGE/guest-$cmd.log"
	;;
*)
	echo "usage: $0 {kernel|build|check|demo|demo-nested|nested-soak|bench|series}" >&2
	exit 2
	;;
esac
