# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the zpci-io QEMU harness: dependencies, the cached
# s390x guest kernel, the module, the selftests and the initramfs.
# Sourced by harness.sh; every function exits the script on failure.

ZPCI_IO_PKGS="linux-source-6.1 gcc-s390x-linux-gnu libc6-dev-s390x-cross
qemu-system-misc bc bison flex libelf-dev libssl-dev cpio kmod sparse python3
gzip"

log() { printf '[harness] %s\n' "$*" >&2; }
die() { printf '[harness] error: %s\n' "$*" >&2; exit 1; }

# Install the Debian packages the harness needs when one is missing.
ensure_deps() {
	local missing=() p
	for p in $ZPCI_IO_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages (run as root or install): ${missing[*]}"
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install failed"
}

hash_of() { sha256sum | cut -c1-16; }

# Extract Debian's linux-source-6.1 once per package version.
ensure_source() {
	local ver tarball
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1) || die "no linux-source-6.1"
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "linux-source-6.1 tarball missing in /usr/src"
	KSRC="$CACHE/src-$ver/linux-source-6.1"
	# a tree configured in place (include/config, include/generated) would
	# silently override the guest kernel's configuration in module builds
	if [ -f "$CACHE/src-$ver/.extracted" ] &&
	   [ -e "$KSRC/.config" -o -e "$KSRC/include/config" -o \
	     -e "$KSRC/include/generated" ]; then
		log "$KSRC was configured in place: extracting it again"
		rm -f "$CACHE/src-$ver/.extracted"
	fi
	if [ ! -f "$CACHE/src-$ver/.extracted" ]; then
		log "extracting $tarball ($ver)"
		rm -rf "$CACHE/src-$ver"
		mkdir -p "$CACHE/src-$ver"
		tar -C "$CACHE/src-$ver" -xf "$tarball" || die "extract failed"
		touch "$CACHE/src-$ver/.extracted"
	fi
	SRC_VERSION=$ver
}

kmake() {
	make -C "$KSRC" O="$KBUILD" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- "$@"
}

# Build (or reuse) the guest kernel for config fragment(s) "$@".
# The cache key covers the source version, the fragments and the compiler.
ensure_kernel() {
	local key frag line sym lock
	key=$( { echo "$SRC_VERSION"; s390x-linux-gnu-gcc --version | head -n1;
		 cat "$@"; } | hash_of)
	KBUILD="$CACHE/kbuild-$key"
	# one builder per key: a second run waits instead of wiping the tree
	exec {lock}>"$KBUILD.lock"
	flock "$lock"
	if [ -f "$KBUILD/.zpci-io-built" ]; then
		exec {lock}>&-
		log "guest kernel cached: $KBUILD"
		return 0
	fi
	log "building guest kernel in $KBUILD (first run only)"
	rm -rf "$KBUILD"
	mkdir -p "$KBUILD"
	kmake tinyconfig >"$KBUILD/build.log" 2>&1 || die "tinyconfig failed"
	KCONFIG_CONFIG="$KBUILD/.config" "$KSRC/scripts/kconfig/merge_config.sh" \
		-m -O "$KBUILD" "$KBUILD/.config" "$@" >>"$KBUILD/build.log" 2>&1 ||
		die "merge_config failed"
	kmake olddefconfig >>"$KBUILD/build.log" 2>&1 || die "olddefconfig failed"
	for frag in "$@"; do
		while read -r line; do
			case "$line" in CONFIG_*=y) ;; *) continue ;; esac
			grep -qx "$line" "$KBUILD/.config" ||
				die "$line from $frag did not survive olddefconfig"
		done <"$frag"
	done
	kmake -j"$(nproc)" bzImage modules >>"$KBUILD/build.log" 2>&1 ||
		{ tail -n 30 "$KBUILD/build.log" >&2; die "kernel build failed"; }
	touch "$KBUILD/.zpci-io-built"
	exec {lock}>&-
}

# Build the module and the KUnit module against $KBUILD: W=1, warnings are
# errors; on the standard kernel also sparse (C=2) over every file.  Any
# finding fails.
build_module() {
	local out="$STAGE/module-build.log" check=()
	[ "$KERNEL" = standard ] && check=(C=2 CHECK=sparse)
	kmake M="$REPO" W=1 KCFLAGS=-Werror "${check[@]}" \
		CONFIG_ZPCI_IO_VFIO_PCI=m CONFIG_ZPCI_IO_VFIO_PCI_KUNIT_TEST=m \
		modules >"$out" 2>&1 || { cat "$out" >&2; die "module build failed"; }
	if grep -E "(warning|error):" "$out" >&2; then
		die "module build or sparse reported findings"
	fi
	log "module built for the $KERNEL kernel (W=1${check:+, sparse clean})"
}

# Cross-compile a static s390x program: $1 output, rest sources and flags.
cross_cc() {
	local out=$1
	shift
	s390x-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror \
		-I"$REPO/include/uapi" -I"$KSRC/tools/testing/selftests" \
		-D_GNU_SOURCE -o "$out" "$@" -pthread || die "cross compile of $out failed"
}

build_userspace() {
	local t
	mkdir -p "$STAGE/root/tests" "$STAGE/root/bin" "$STAGE/root/lib/modules" \
		"$STAGE/root/proc" "$STAGE/root/sys" "$STAGE/root/dev"
	cross_cc "$STAGE/root/init" -I"$REPO/tools/zpci-io" "$HARNESS/init.c" \
		"$REPO/tools/zpci-io/zpci_io_lib.c"
	make -s -C "$REPO/tools/testing/selftests/drivers/s390x/zpci_io" \
		CC=s390x-linux-gnu-gcc KSRC="$KSRC" OUTPUT="$STAGE/root/tests" \
		>&2 || die "selftest build failed"
	make -s -C "$REPO/tools/zpci-io" CC=s390x-linux-gnu-gcc \
		OUTPUT="$STAGE/root/bin" >&2 || die "zpci-io tool build failed"
	for t in "$REPO"/drivers/vfio/pci/zpci-io/*.ko; do
		cp "$t" "$STAGE/root/lib/modules/"
	done
}

# $1: mode for /init (check, demo, bench)
pack_initramfs() {
	echo "$1" >"$STAGE/root/mode"
	(cd "$STAGE/root" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$STAGE/initramfs.gz" || die "initramfs failed"
}

# Boot the guest; the serial console goes to $1. $2: timeout in seconds.
# No option ROMs (romfile=): s390 has no use for them, and Debian ships
# them in ipxe-qemu, which a --no-install-recommends install lacks.
# A QMP agent follows the console and performs the device_del a guest test
# asks for (qmp_agent.py); the guest learns the QEMU id of the function it
# may unplug from the kernel parameter zpci_io_unplug_id.
# No channel-subsystem devices: QEMU's default NIC would be a virtio-net-ccw
# device (-nic none drops it) and cio_ignore=all makes the kernel ignore
# any other, so the boot-time subchannel scan (css_slow_path_func) has
# nothing to evaluate; it once ran into an RCU stall on a loaded host.
run_guest() {
	local logf=$1 tmo=$2 rc=0 agent
	rm -f "$logf" "$STAGE/qmp.sock"
	python3 "$HARNESS/qmp_agent.py" "$logf" "$STAGE/qmp.sock" &
	agent=$!
	timeout --foreground "$tmo" qemu-system-s390x -M s390-ccw-virtio \
		-cpu max -smp 2 -m 1024 -nographic -no-reboot \
		-qmp unix:"$STAGE/qmp.sock",server=on,wait=off \
		-kernel "$KBUILD/arch/s390/boot/bzImage" \
		-initrd "$STAGE/initramfs.gz" \
		-nic none \
		-append "console=ttysclp0 panic=-1 cio_ignore=all zpci_io_unplug_id=net0 $GUEST_APPEND" \
		-device zpci,uid=1,fid=1,target=rng0 \
		-device virtio-rng-pci-non-transitional,id=rng0,vectors=200,romfile= \
		-device zpci,uid=2,fid=2,target=net0 \
		-device virtio-net-pci-non-transitional,id=net0,vectors=200,romfile= \
		</dev/null >"$logf" 2>&1 || rc=$?
	kill "$agent" 2>/dev/null
	wait "$agent" 2>/dev/null || true
	[ $rc -eq 124 ] && log "guest timed out after ${tmo}s"
	return $rc
}
