# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the zpci-io QEMU harness: dependencies, the cached
# s390x guest kernel, the module, the selftests and the initramfs.
# Sourced by harness.sh; every function exits the script on failure.

# linux-source-6.1 is Debian 12's kernel, linux-source-6.12 comes from
# Debian 12's security suite (both in a default install's sources); 7.3 is
# fetched from Debian's newer suites by ensure_source without touching the
# machine's apt configuration.
ZPCI_IO_PKGS="linux-source-6.1 linux-source-6.12 gcc-s390x-linux-gnu
libc6-dev-s390x-cross qemu-system-misc bc bison flex libelf-dev libssl-dev
cpio kmod sparse python3 gzip xz-utils dpkg-dev patch unifdef dkms"

# the kselftests and their VFIO library (also the zpci-io tool's and /init's)
ZPCI_IO_SELFTESTS=tools/testing/selftests/drivers/s390x/zpci_io

# kselftest programs that need a kernel with dibs (Linux's ism driver and
# the harness's dibs peer module, ism-vfio-pci)
ZPCI_IO_DIBS_TESTS="zpci_io_ism_peer zpci_io_ism_drivers"

# Kernel lines of the matrix: what each is built from
ZPCI_IO_LINES="6.1 6.12 7.3"
# Debian's newer suites, reached with a private apt configuration
ZPCI_IO_NEWER_SUITES="trixie-backports sid"

# every line with the wall-clock time: a CI log shows what each step cost
log() { printf '[harness %(%T)T] %s\n' -1 "$*" >&2; }
die() { printf '[harness] error: %s\n' "$*" >&2; exit 1; }

# the Debian packages (deb_check) and the QEMU builds of the nested test
# shellcheck source=deb.sh
. "$HARNESS/deb.sh"
# shellcheck source=qemu.sh
. "$HARNESS/qemu.sh"

# Install the Debian packages the harness needs when one is missing.
ensure_deps() {
	local missing=() p
	for p in $ZPCI_IO_PKGS $DEB_PKGS $QEMU_PKGS; do
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

# A check whose success is cached in $1 (a directory named by a key of all
# it checks): 0 when it passed before (said in a log line naming $2), else
# 1 with $1 made anew and empty for the check, which ends with a touch of
# $1/.checked.
check_cached() {
	if [ -f "$1/.checked" ]; then
		log "$2 checked: $1"
		return 0
	fi
	rm -rf "$1"
	mkdir -p "$1"
	return 1
}

# apt-get/apt-cache with a private configuration under the cache: its own
# sources (Debian's newer suites), lists and package cache.  The machine's
# apt sources are never changed and nothing is installed from these suites.
private_apt() {
	local tool=$1 dir="$CACHE/apt"
	shift
	"$tool" -o Dir::Etc::sourcelist=/dev/null \
		-o Dir::Etc::sourceparts="$dir/sources" \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o APT::Sandbox::User=root "$@"
}

private_apt_setup() {
	local dir="$CACHE/apt"

	mkdir -p "$dir/sources" "$dir/lists/partial" \
		"$dir/cache/archives/partial" "$dir/deb"
	cat >"$dir/sources/newer.sources" <<-EOT
	Types: deb deb-src
	URIs: http://deb.debian.org/debian
	Suites: $ZPCI_IO_NEWER_SUITES
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOT
	# refresh the lists at most once a day
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_InRelease' -mtime -1)" ]; then
		log "updating the private apt lists ($ZPCI_IO_NEWER_SUITES)"
		private_apt apt-get update -qq >&2 ||
			die "apt-get update of the private lists failed"
	fi
}

# The tarball and package version of kernel line $1: TARBALL, PKG_VERSION
kernel_tarball() {
	local line=$1 pkg="linux-source-$1" deb tmp

	case "$line" in
	6.1 | 6.12)
		PKG_VERSION=$(dpkg-query -W -f='${Version}' "$pkg") ||
			die "no $pkg"
		TARBALL=$(ls /usr/src/$pkg.tar.* 2>/dev/null | head -n1)
		[ -n "$TARBALL" ] || die "$pkg tarball missing in /usr/src"
		;;
	7.3)
		private_apt_setup
		PKG_VERSION=$(private_apt apt-cache policy "$pkg" |
			      sed -n 's/^ *Candidate: //p')
		[ -n "$PKG_VERSION" ] && [ "$PKG_VERSION" != "(none)" ] ||
			die "$pkg not found in $ZPCI_IO_NEWER_SUITES"
		deb="$CACHE/apt/deb/${pkg}_${PKG_VERSION//:/%3a}_all.deb"
		TARBALL="$CACHE/apt/deb/$pkg-$PKG_VERSION.tar.xz"
		if [ ! -f "$TARBALL" ]; then
			log "downloading $pkg $PKG_VERSION"
			(cd "$CACHE/apt/deb" &&
			 private_apt apt-get download -qq "$pkg=$PKG_VERSION") >&2 ||
				die "apt-get download $pkg failed"
			tmp=$(mktemp -d)
			dpkg -x "$deb" "$tmp" || die "dpkg -x $deb failed"
			mv "$tmp"/usr/src/$pkg.tar.* "$TARBALL" ||
				die "$deb holds no source tarball"
			rm -rf "$tmp" "$deb"
		fi
		;;
	*)
		die "unknown kernel line '$line' (known: $ZPCI_IO_LINES)"
		;;
	esac
}

# Extract kernel line $1's source once per package version: KSRC,
# SRC_VERSION.  Each line is resolved once per run (a debug and a standard
# kernel of one line, and the selection of a kernel after preparing it,
# share the answer).
declare -A ZPCI_IO_SRC_DONE=()
ensure_source() {
	local line=$1 dir

	if [ -n "${ZPCI_IO_SRC_DONE[$line]:-}" ]; then
		read -r KSRC SRC_VERSION <<<"${ZPCI_IO_SRC_DONE[$line]}"
		return 0
	fi
	kernel_tarball "$line"
	dir="$CACHE/src-$PKG_VERSION"
	KSRC="$dir/linux-source-$line"
	# a tree configured in place (include/config, include/generated) would
	# silently override the guest kernel's configuration in module builds
	if [ -f "$dir/.extracted" ] &&
	   [ -e "$KSRC/.config" -o -e "$KSRC/include/config" -o \
	     -e "$KSRC/include/generated" ]; then
		log "$KSRC was configured in place: extracting it again"
		rm -f "$dir/.extracted"
	fi
	if [ ! -f "$dir/.extracted" ]; then
		log "extracting $TARBALL ($PKG_VERSION)"
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -C "$dir" -xf "$TARBALL" || die "extract failed"
		touch "$dir/.extracted"
	fi
	SRC_VERSION=$PKG_VERSION
	ZPCI_IO_SRC_DONE[$line]="$KSRC $SRC_VERSION"
}

# Whether the kernel in $KSRC has Kconfig symbol $1 at all
kconfig_has() {
	grep -rqE --include='Kconfig*' "^[[:space:]]*(menu)?config $1\$" \
		"$KSRC"
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
	mkdir -p "$KBUILD/fragments"
	# a symbol this kernel does not have at all is dropped, loudly; every
	# symbol it has must end up as the fragment says
	for frag in "$@"; do
		while read -r line; do
			sym=${line#\# }
			sym=${sym%%[= ]*}
			case "$sym" in CONFIG_*) ;; *) continue ;; esac
			if kconfig_has "${sym#CONFIG_}"; then
				echo "$line"
			else
				log "$sym: not in this kernel, dropped from ${frag##*/}"
			fi
		done <"$frag" >"$KBUILD/fragments/${frag##*/}"
	done
	kmake tinyconfig >"$KBUILD/build.log" 2>&1 || die "tinyconfig failed"
	KCONFIG_CONFIG="$KBUILD/.config" "$KSRC/scripts/kconfig/merge_config.sh" \
		-m -O "$KBUILD" "$KBUILD/.config" "$KBUILD"/fragments/* \
		>>"$KBUILD/build.log" 2>&1 || die "merge_config failed"
	kmake olddefconfig >>"$KBUILD/build.log" 2>&1 || die "olddefconfig failed"
	for frag in "$KBUILD"/fragments/*; do
		while read -r line; do
			case "$line" in CONFIG_*=[ym]) ;; *) continue ;; esac
			grep -qx "$line" "$KBUILD/.config" ||
				die "$line from ${frag##*/} did not survive olddefconfig"
		done <"$frag"
	done
	kmake -j"$(nproc)" bzImage modules >>"$KBUILD/build.log" 2>&1 ||
		{ tail -n 30 "$KBUILD/build.log" >&2; die "kernel build failed"; }
	touch "$KBUILD/.zpci-io-built"
	exec {lock}>&-
}

# A sparse that the kernel in $KSRC accepts: CHECKER.  Newer kernels test
# sparse for language support (scripts/checker-valid.sh) and silently skip
# C=2 when it fails; Debian 12's sparse fails 7.3's test.  Then Debian's
# newer sparse source is fetched through the private apt configuration and
# built once (cached by version); nothing is installed.
ensure_checker() {
	local ver dir tmp

	CHECKER=sparse
	[ -f "$KSRC/scripts/checker-valid.sh" ] || return 0
	[ "$(sh "$KSRC/scripts/checker-valid.sh" sparse 2>/dev/null)" = 1 ] &&
		return 0
	private_apt_setup
	ver=$(private_apt apt-cache showsrc sparse |
	      sed -n 's/^Version: //p' | sort -V | tail -n1)
	[ -n "$ver" ] || die "no sparse source in $ZPCI_IO_NEWER_SUITES"
	dir="$CACHE/sparse-$ver"
	if [ ! -x "$dir/sparse" ]; then
		log "building sparse $ver for ${KSRC##*/}"
		tmp=$(mktemp -d)
		(cd "$tmp" && private_apt apt-get source -qq "sparse=$ver") \
			>"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; die "sparse source"; }
		make -C "$(find "$tmp" -maxdepth 1 -type d -name 'sparse-*')" \
			-j"$(nproc)" CC=gcc sparse >>"$tmp.log" 2>&1 ||
			{ tail -n 20 "$tmp.log" >&2; die "sparse build failed"; }
		mkdir -p "$dir"
		cp "$(find "$tmp" -maxdepth 2 -type f -name sparse -perm -u+x)" \
			"$dir/sparse"
		rm -rf "$tmp" "$tmp.log"
	fi
	CHECKER="$dir/sparse"
	[ "$(sh "$KSRC/scripts/checker-valid.sh" "$CHECKER")" = 1 ] ||
		die "sparse $ver does not pass ${KSRC##*/}'s checker-valid.sh"
}

# Build the module and the KUnit modules against $KBUILD: W=1, warnings are
# errors; on every standard kernel also sparse (C=2) over every file.  Any
# finding fails, and so does a sparse that did not run.
build_module() {
	local out="$STAGE/module-build.log" check=()
	case "$KERNEL" in
	*-debug) ;;
	*) ensure_checker; check=(C=2 CHECK="$CHECKER") ;;
	esac
	kmake M="$REPO" W=1 KCFLAGS=-Werror "${check[@]}" \
		CONFIG_ZPCI_IO_VFIO_PCI=m CONFIG_ZPCI_IO_VFIO_PCI_KUNIT_TEST=m \
		modules >"$out" 2>&1 || { cat "$out" >&2; die "module build failed"; }
	# kernel-header false positives, each documented in sparse-known
	grep -E "(warning|error):" "$out" >"$out.findings" || true
	grep -Ev '^(#|$)' "$HARNESS/sparse-known" >"$out.known"
	if grep -Ef "$out.known" "$out.findings" >&2; then
		log "excused above: kernel-header false positives (sparse-known)"
	fi
	if grep -Evf "$out.known" "$out.findings" >&2; then
		die "module build or sparse reported findings"
	fi
	if [ ${#check[@]} -gt 0 ] && ! grep -q "CHECK .*main.c" "$out"; then
		cat "$out" >&2
		die "sparse did not run over the module"
	fi
	log "module built for the $KERNEL kernel (W=1${check:+, sparse clean})"
}

# The harness's dibs clients (tools/testing/zpci-io/ism-*: the KUnit
# oracle of the emulated ISM function and the kselftests' kernel-side
# peer) for a kernel with dibs, as build_module builds the driver: W=1,
# warnings are errors, sparse on a standard kernel.  With them dibs.ko and
# ism.ko of the kernel go into the guest.
build_dibs_clients() {
	local out="$STAGE/dibs-clients-build.log" check=() dir ko

	[ -f "$KBUILD/drivers/dibs/dibs.ko" ] || return 0
	case "$KERNEL" in
	*-debug) ;;
	*) ensure_checker; check=(C=2 CHECK="$CHECKER") ;;
	esac
	: >"$out"
	for dir in "$HARNESS"/ism-*/; do
		dir=${dir%/}
		kmake M="$dir" W=1 KCFLAGS=-Werror "${check[@]}" modules \
			>>"$out" 2>&1 ||
			{ cat "$out" >&2; die "${dir##*/} build failed"; }
		cp "$dir"/*.ko "$STAGE/root/lib/modules/"
	done
	if grep -E "(warning|error):" "$out" >&2; then
		die "the dibs clients' build or sparse reported findings"
	fi
	for ko in drivers/dibs/dibs.ko drivers/s390/net/ism.ko; do
		cp "$KBUILD/$ko" "$STAGE/root/lib/modules/" ||
			die "$KERNEL kernel: no $ko"
	done
	log "dibs clients built for the $KERNEL kernel (W=1${check:+, sparse clean})"
}

# Cross-compile a static s390x program: $1 output, rest sources and flags.
cross_cc() {
	local out=$1
	shift
	s390x-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror \
		-I"$REPO/include/uapi" -I"$KSRC/tools/testing/selftests" \
		-D_GNU_SOURCE -o "$out" "$@" -pthread || die "cross compile of $out failed"
}

# The kselftests, out of tree: their Makefile is the in-tree one, which
# includes ../../../lib.mk and ../../../../../../scripts/subarch.include.
# Neither exists in this repository, so make finds them through -I in a
# directory of $KSRC at the same depth (uvdevice, the other s390x
# kselftest, in every kernel of the matrix); lib.mk then takes everything
# else from $KSRC (selfdir is where it was found).  What the out-of-tree
# build adds is on this command line only: the uAPI header of this
# repository (KHDR_INCLUDES: $KSRC has no usr/include), static programs for
# the initramfs, and what 7.3's lib.mk does itself and older ones do not
# (-I of the kselftest headers before 7.x, _GNU_SOURCE before 6.12).
build_selftests() {
	local sel="$KSRC/tools/testing/selftests"
	local peer="$sel/drivers/s390x/uvdevice" cflags

	[ -d "$peer" ] || die "$peer missing: no kselftest directory to find lib.mk from"
	cflags="-I$sel"
	grep -q -- '-D_GNU_SOURCE' "$sel/lib.mk" || cflags+=" -D_GNU_SOURCE"
	make -s -C "$REPO/$ZPCI_IO_SELFTESTS" -I "$peer" V=1 ARCH=s390 \
		CC=s390x-linux-gnu-gcc KHDR_INCLUDES="-isystem $REPO/include/uapi" \
		USERCFLAGS="$cflags" USERLDFLAGS=-static OUTPUT="$1" >&2 ||
		die "selftest build failed"
}

build_userspace() {
	local t
	mkdir -p "$STAGE/root/tests" "$STAGE/root/bin" "$STAGE/root/lib/modules" \
		"$STAGE/root/proc" "$STAGE/root/sys" "$STAGE/root/dev"
	# /init builds on the kselftests' VFIO library
	cross_cc "$STAGE/root/init" -I"$REPO/$ZPCI_IO_SELFTESTS" \
		"$HARNESS/init.c" "$REPO/$ZPCI_IO_SELFTESTS/zpci_io_lib.c"
	build_selftests "$STAGE/root/tests"
	if [ -n "${TESTS:-}" ]; then
		for t in $TESTS; do
			[ -x "$STAGE/root/tests/$t" ] ||
				die "no kselftest program $t (TESTS)"
			mv "$STAGE/root/tests/$t" "$STAGE/root/$t"
		done
		rm -f "$STAGE"/root/tests/*
		for t in $TESTS; do
			mv "$STAGE/root/$t" "$STAGE/root/tests/$t"
		done
		log "kselftest programs in this run: $TESTS"
	fi
	# the kselftests of Linux's ism driver's company (the dibs peer
	# module, ism-vfio-pci) go only to the guests of kernels with dibs
	if [ ! -f "$KBUILD/drivers/dibs/dibs.ko" ]; then
		for t in $ZPCI_IO_DIBS_TESTS; do
			rm -f "$STAGE/root/tests/$t"
		done
	fi
	make -s -C "$REPO/tools/zpci-io" CC=s390x-linux-gnu-gcc \
		OUTPUT="$STAGE/root/bin" >&2 || die "zpci-io tool build failed"
	# make bench: ISM moves into the dibs peer's DMB, three ways
	cross_cc "$STAGE/root/bin/zpci-io-ism-bench" -I"$REPO/$ZPCI_IO_SELFTESTS" \
		"$HARNESS/ism-bench.c" "$REPO/$ZPCI_IO_SELFTESTS/zpci_io_lib.c"
	for t in "$REPO"/drivers/vfio/pci/zpci-io/*.ko; do
		cp "$t" "$STAGE/root/lib/modules/"
	done
	# 7.1+: the in-tree ISM variant driver, to prove the two coexist
	ISM_VFIO_APPEND=
	t="$KBUILD/drivers/vfio/pci/ism/ism-vfio-pci.ko"
	if [ -f "$t" ]; then
		cp "$t" "$STAGE/root/lib/modules/"
		ISM_VFIO_APPEND=zpci_io_ism_vfio=1
	fi
	build_dibs_clients
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
# Three emulated ISM functions (s390-ism of patches/qemu-ism, on one ISM
# network): /init gives ism0 and ism1 to Linux's ism driver where the
# kernel has it, ism2 to zpci-io-vfio-pci.
# A QMP agent follows the console and performs the device_del a guest test
# asks for (qmp_agent.py); the guest learns the QEMU id of the function it
# may unplug from the kernel parameter zpci_io_unplug_id.
# No channel-subsystem devices: QEMU's default NIC would be a virtio-net-ccw
# device (-nic none drops it) and cio_ignore=all makes the kernel ignore
# any other, so the boot-time subchannel scan (css_slow_path_func) has
# nothing to evaluate; it once ran into an RCU stall on a loaded host.
# GUEST_QEMU (default: the guests' emulator, ensure_guest_qemu, with the
# options it needs), GUEST_MEM (MiB, default 1024) and GUEST_INITRD
# (default $STAGE/initramfs.gz) change what runs.
run_guest() {
	local logf=$1 tmo=$2 rc=0 agent
	if [ -z "${GUEST_QEMU:-}" ]; then
		ensure_guest_qemu
		GUEST_QEMU="$QEMU_OUTER -L $QEMU_FIRMWARE"
	fi
	rm -f "$logf" "$STAGE/qmp.sock"
	python3 "$HARNESS/qmp_agent.py" "$logf" "$STAGE/qmp.sock" &
	agent=$!
	# shellcheck disable=SC2086
	timeout --foreground "$tmo" $GUEST_QEMU \
		-M s390-ccw-virtio \
		-cpu max -smp 2 -m "${GUEST_MEM:-1024}" -nographic -no-reboot \
		-qmp unix:"$STAGE/qmp.sock",server=on,wait=off \
		-kernel "$KBUILD/arch/s390/boot/bzImage" \
		-initrd "${GUEST_INITRD:-$STAGE/initramfs.gz}" \
		-nic none \
		-append "console=ttysclp0 panic=-1 cio_ignore=all zpci_io_unplug_id=net0 $GUEST_APPEND ${ISM_VFIO_APPEND:-}" \
		-device zpci,uid=1,fid=1,target=rng0 \
		-device virtio-rng-pci-non-transitional,id=rng0,vectors=200,romfile= \
		-device zpci,uid=2,fid=2,target=net0 \
		-device virtio-net-pci-non-transitional,id=net0,vectors=200,romfile= \
		-device zpci,uid=3,fid=3,target=ism0 -device s390-ism,id=ism0 \
		-device zpci,uid=4,fid=4,target=ism1 -device s390-ism,id=ism1 \
		-device zpci,uid=5,fid=5,target=ism2 -device s390-ism,id=ism2 \
		</dev/null >"$logf" 2>&1 || rc=$?
	kill "$agent" 2>/dev/null
	wait "$agent" 2>/dev/null || true
	[ $rc -eq 124 ] && log "guest timed out after ${tmo}s"
	return $rc
}

# The in-tree series (patches/linux) against the pristine tree of the
# current kernel ($KSRC, the newest line): it must match what mkseries.sh
# generates from these sources, apply, be checkpatch --strict clean patch
# by patch, build through its own Kconfig both =y and =m, and build the
# kselftests as a TARGET of the tree's kselftest Makefile.  The =m
# modules, built by the patched tree's Kbuild with the guest kernel's
# configuration, replace the out-of-tree ones in this kernel's guest:
# SERIES_MODULES.  The tree is a hard-linked copy (patch(1) replaces the
# files it changes, so the pristine tree stays untouched).
series_check() {
	local key dir tree p base cfg

	"$HARNESS/mkseries.sh" --check "$KSRC" "$REPO/patches/linux" >&2 ||
		die "patches/linux does not match the sources: run make series"
	key=$( { echo "$SRC_VERSION"; cat "$REPO"/patches/linux/*.patch \
		 "$KBUILD/.config"; } | hash_of)
	dir="$CACHE/series-$key"
	tree="$dir/linux"
	# 7.3's Kbuild builds an in-tree M= directory inside the source tree
	SERIES_MODULES="$tree/drivers/vfio/pci/zpci-io"
	check_cached "$dir" "in-tree series" && return 0
	cp -al "$KSRC" "$tree"
	for p in "$REPO"/patches/linux/0*.patch; do
		base=${p##*/}
		[ "$base" = 0000-cover-letter.patch ] && continue
		# an absolute path: checkpatch reads an argument that matches a
		# "git ls-files" name as a source file (-f), not as a patch
		"$KSRC/scripts/checkpatch.pl" --strict --quiet --no-tree \
			--show-types "$p" >&2 || die "checkpatch: $base"
		(cd "$tree" && patch -p1 -s --no-backup-if-mismatch <"$p") >&2 ||
			die "$base does not apply to ${KSRC##*/}"
	done
	log "series applies to ${KSRC##*/} and is checkpatch --strict clean"
	for cfg in y m; do
		mkdir -p "$dir/$cfg"
		cp "$KBUILD/.config" "$dir/$cfg/.config"
		cat >>"$dir/$cfg/.config" <<-EOT
		CONFIG_ZPCI_IO_VFIO_PCI=$cfg
		CONFIG_ZPCI_IO_VFIO_PCI_KUNIT_TEST=$cfg
		EOT
		make -C "$tree" O="$dir/$cfg" ARCH=s390 \
			CROSS_COMPILE=s390x-linux-gnu- olddefconfig \
			>"$dir/$cfg.log" 2>&1 || die "series olddefconfig ($cfg)"
		grep -qx "CONFIG_ZPCI_IO_VFIO_PCI=$cfg" "$dir/$cfg/.config" ||
			die "the series' Kconfig does not offer =$cfg"
		make -C "$tree" O="$dir/$cfg" ARCH=s390 \
			CROSS_COMPILE=s390x-linux-gnu- W=1 KCFLAGS=-Werror \
			-j"$(nproc)" modules_prepare >>"$dir/$cfg.log" 2>&1 ||
			{ tail -n 20 "$dir/$cfg.log" >&2; die "series prepare ($cfg)"; }
	done
	# =y: the driver's objects built in, as vmlinux would take them
	make -C "$tree" O="$dir/y" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		W=1 KCFLAGS=-Werror -j"$(nproc)" drivers/vfio/pci/zpci-io/ \
		>>"$dir/y.log" 2>&1 ||
		{ tail -n 20 "$dir/y.log" >&2; die "series =y build failed"; }
	[ -f "$dir/y/drivers/vfio/pci/zpci-io/built-in.a" ] ||
		die "series =y build produced no built-in.a"
	# =m: modules of the patched tree, resolved against the guest kernel
	cp "$KBUILD/Module.symvers" "$dir/m/"
	make -C "$tree" O="$dir/m" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		W=1 KCFLAGS=-Werror -j"$(nproc)" M=drivers/vfio/pci/zpci-io \
		modules >>"$dir/m.log" 2>&1 ||
		{ tail -n 20 "$dir/m.log" >&2; die "series =m build failed"; }
	if grep -E "(warning|error):" "$dir/y.log" "$dir/m.log" >&2; then
		die "series build reported findings"
	fi
	ls "$SERIES_MODULES"/*.ko >/dev/null 2>&1 ||
		die "series =m build produced no module"
	# the kselftests as a TARGET of the patched tree's kselftest Makefile,
	# on the headers it exports
	make -C "$tree" O="$dir/m" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		headers >"$dir/kselftest.log" 2>&1 &&
	make -C "$tree/tools/testing/selftests" O="$dir/m" ARCH=s390 \
		CROSS_COMPILE=s390x-linux-gnu- TARGETS=drivers/s390x/zpci_io \
		>>"$dir/kselftest.log" 2>&1 ||
		{ tail -n 20 "$dir/kselftest.log" >&2; die "series kselftest build failed"; }
	for p in $(grep -l '^TEST_HARNESS_MAIN$' \
		   "$REPO"/tools/testing/selftests/drivers/s390x/zpci_io/*.c); do
		p=${p##*/}
		[ -x "$dir/m/kselftest/drivers/s390x/zpci_io/${p%.c}" ] ||
			die "the series' kselftest TARGET did not build ${p%.c}"
	done
	touch "$dir/.checked"
	log "series builds =y and =m through its own Kconfig, and its kselftest TARGET"
}

# DKMS, as an administrator runs it: "dkms add" of the repository's files
# and "dkms build" for the current kernel (cross, -a s390x), with DKMS's
# state kept under the cache.  The module DKMS built must carry the guest
# kernel's vermagic.
dkms_check() {
	local ver rel dir src ko

	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$REPO/dkms.conf")
	rel=$(cat "$KBUILD/include/config/kernel.release")
	dir="$STAGE/dkms"
	src="$dir/src/zpci-io-vfio-pci-$ver"
	rm -rf "$dir"
	mkdir -p "$dir/tree" "$src"
	(cd "$REPO" && git ls-files -z | xargs -0 cp --parents -t "$src") ||
		die "copying the sources for dkms failed"
	dkms --dkmstree "$dir/tree" --sourcetree "$dir/src" \
		add "zpci-io-vfio-pci/$ver" >"$dir/dkms.log" 2>&1 ||
		{ cat "$dir/dkms.log" >&2; die "dkms add failed"; }
	dkms --dkmstree "$dir/tree" --sourcetree "$dir/src" \
		build "zpci-io-vfio-pci/$ver" -k "$rel" -a s390x \
		--kernelsourcedir "$KBUILD" >>"$dir/dkms.log" 2>&1 ||
		{ cat "$dir/dkms.log" "$dir"/tree/zpci-io-vfio-pci/*/build/make.log >&2
		  die "dkms build for $rel failed"; }
	ko="$dir/tree/zpci-io-vfio-pci/$ver/$rel/s390x/module/zpci-io-vfio-pci.ko"
	[ -f "$ko" ] || die "dkms build for $rel left no module"
	[ "$(modinfo -F vermagic "$ko")" = \
	  "$(modinfo -F vermagic "$STAGE/root/lib/modules/zpci-io-vfio-pci.ko")" ] ||
		die "the DKMS module's vermagic does not match the $KERNEL kernel"
	log "dkms add + build for $rel (s390x): ok"
}

# The emulator every guest runs on, the nested test's outer one included:
# the self-built native QEMU (ensure_qemu_outer: Debian's 10.2.2 with the
# fixes of patches/qemu-fixes and the emulated ISM function), so that
# single-level and nested runs share one emulator; ZPCI_IO_OUTER_QEMU
# names another for experiments (e.g. Debian 12's /usr/bin/qemu-system-s390x,
# QEMU 7.2, whose PCISTB lands byte-reversed per doubleword and which made
# inner guests fail intermittently).  QEMU_OUTER, QEMU_FIRMWARE.
ensure_guest_qemu() {
	[ -n "${GUEST_QEMU_RESOLVED:-}" ] && return 0
	ensure_qemu_outer
	[ -z "${ZPCI_IO_OUTER_QEMU:-}" ] || QEMU_OUTER=$ZPCI_IO_OUTER_QEMU
	GUEST_QEMU_RESOLVED=1
}

# The nested test: the outer guest (this kernel, under the guests'
# emulator, ensure_guest_qemu) runs the patched static QEMU (QEMU_INNER)
# with both zPCI functions passed through, one using the zPCI I/O region
# and one not; the inner guest boots the same kernel with the same /init
# in mode "inner" and the same module.  /init (mode "nested") compares
# what the inner guest issued with what the outer functions' measurement
# blocks counted.  The console log: $STAGE/guest-nested.log.
nested_boot() {
	local root="$STAGE/nested" start

	ensure_guest_qemu
	ensure_qemu_inner
	# the whole nested step from here: QEMU builds are not part of it
	start=$SECONDS
	rm -rf "$root"
	mkdir -p "$root/inner-root/lib/modules" "$root/inner-root/proc" \
		"$root/inner-root/sys" "$root/inner-root/dev" \
		"$root/outer-root/inner" "$root/outer-root/bin" \
		"$root/outer-root/share/qemu"
	cp "$STAGE/root/init" "$root/inner-root/init"
	echo inner >"$root/inner-root/mode"
	# the inner guest runs the driver, the KUnit suite zpci_io_hw (of
	# zpci_io_kunit_hw) and the kselftest zpci_io_test
	cp "$STAGE/root/lib/modules/zpci-io-vfio-pci.ko" \
		"$STAGE/root/lib/modules/zpci_io_kunit_hw.ko" \
		"$root/inner-root/lib/modules/" || die "inner modules missing"
	# the ISM run's inner guest: Linux's ism driver, dibs and the oracle
	cp "$STAGE/root/lib/modules/dibs.ko" "$STAGE/root/lib/modules/ism.ko" \
		"$STAGE/root/lib/modules/zpci_io_ism_oracle.ko" \
		"$root/inner-root/lib/modules/" ||
		die "the nested ISM run needs dibs, ism and the oracle (ism.config)"
	mkdir -p "$root/inner-root/tests"
	cp "$STAGE/root/tests/zpci_io_test" "$root/inner-root/tests/" ||
		die "the nested test needs the kselftest zpci_io_test (TESTS)"
	# uncompressed: the inner kernel would unpack it under two levels of
	# TCG (the outer initramfs that carries it is compressed)
	(cd "$root/inner-root" && find . | cpio -o -H newc --quiet) \
		>"$root/outer-root/inner/initramfs.cpio" || die "inner initramfs failed"
	(cd "$STAGE/root" && cp -a init lib proc sys dev "$root/outer-root/") ||
		die "outer initramfs tree failed"
	echo nested >"$root/outer-root/mode"
	cp "$QEMU_INNER" "$root/outer-root/bin/"
	cp "$QEMU_FIRMWARE/s390-ccw.img" "$root/outer-root/share/qemu/"
	cp "$KBUILD/arch/s390/boot/bzImage" "$root/outer-root/inner/"
	(cd "$root/outer-root" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$root/initramfs.gz" || die "outer initramfs failed"
	log "booting the nested test ($KERNEL kernel outside and inside; outer QEMU ${QEMU_OUTER#"$CACHE"/})"
	GUEST_MEM=2048 GUEST_INITRD="$root/initramfs.gz" \
		run_guest "$STAGE/guest-nested.log" "$NESTED_TIMEOUT" || true
	log "nested run finished in $((SECONDS - start)) s"
}
