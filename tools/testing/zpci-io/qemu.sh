# SPDX-License-Identifier: GPL-2.0
# QEMU for the nested zpci-io test: Debian's newest downloadable qemu
# source, an unpatched native qemu-system-s390x (the outer emulator) and a
# patched, static s390x qemu-system-s390x (the inner emulator, which drives
# the zPCI I/O region of a function passed through to the outer guest), and
# the check of the QEMU series in patches/qemu.
# Sourced by lib.sh after its helpers (log, die, hash_of, private_apt,
# private_apt_setup); needs CACHE, REPO and HARNESS.  Every function exits
# the script on failure.  Nothing is installed from a newer suite and the
# machine's apt sources are never changed: the s390x libraries and the
# build tools come as .debs through private apt configurations and are
# unpacked with dpkg -x under the cache.

# Debian 12 packages the QEMU builds need on the machine, for the harness's
# package list (ZPCI_IO_PKGS): the outer, native build links against the
# system's glib; the inner one is cross-compiled with gcc-s390x-linux-gnu
# and libc6-dev-s390x-cross (already in ZPCI_IO_PKGS); mkqemuseries.sh
# needs git and unifdef, checkpatch.pl perl.
# shellcheck disable=SC2034
QEMU_PKGS="libglib2.0-dev zlib1g-dev ninja-build python3-venv pkgconf
dpkg-dev patch perl git unifdef"

# s390x .debs unpacked into the sysroot of the static inner build
QEMU_SYSROOT_DEBS="libglib2.0-dev libglib2.0-0 libpcre2-dev libpcre2-8-0
zlib1g-dev zlib1g"
# Debian 12's s390x archive and the suites of the build tools
QEMU_SYSROOT_SUITES="bookworm"
QEMU_TOOLS_SUITES="bookworm-backports trixie"
# meson >= 1.5 (bookworm-backports, trixie) and pycotap (trixie), both pure
# Python (architecture all)
QEMU_TOOLS_DEBS="meson python3-pycotap"

# The Python QEMU's configure uses: Debian's, whatever comes first in PATH
QEMU_PYTHON=/usr/bin/python3

# Configure flags shared by both builds: s390x system emulation under TCG
# and nothing else; vfio-pci and zpci come from Kconfig (S390_CCW_VIRTIO).
QEMU_CONFIG_COMMON="--target-list=s390x-softmmu --without-default-features
--enable-tcg --disable-fdt --disable-docs --disable-tools
--disable-debug-info --disable-install-blobs --disable-download"
QEMU_CONFIG_INNER="$QEMU_CONFIG_COMMON --cross-prefix=s390x-linux-gnu-
--static --disable-werror"
QEMU_CONFIG_OUTER="$QEMU_CONFIG_COMMON --disable-werror"

# Firmware for -L: QEMU 10 loads s390-ccw.img even with -kernel; the
# source has no blobs and Debian 12's qemu-system-misc ships one that works.
QEMU_FIRMWARE_IMG=/usr/share/qemu/s390-ccw.img

# apt-get/apt-cache with the private configuration of the QEMU builds:
# s390x lists of Debian 12 and the (architecture-independent) tool suites,
# its own lists, cache and an empty dpkg status.  Only used to download.
qemu_apt() {
	local tool=$1 dir="$CACHE/qemu-apt"
	shift
	"$tool" -o Dir::Etc::sourcelist=/dev/null \
		-o Dir::Etc::sourceparts="$dir/sources" \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o Dir::State::status="$dir/status" \
		-o APT::Architecture=amd64 -o APT::Architectures::=amd64 \
		-o APT::Architectures::=s390x \
		-o APT::Sandbox::User=root "$@"
}

qemu_apt_setup() {
	local dir="$CACHE/qemu-apt" lock

	mkdir -p "$dir/sources" "$dir/lists/partial" "$dir/cache/archives/partial"
	: >>"$dir/status"
	cat >"$dir/sources/qemu.sources" <<-EOT
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: $QEMU_SYSROOT_SUITES
	Components: main
	Architectures: s390x
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: $QEMU_TOOLS_SUITES
	Components: main
	Architectures: amd64
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOT
	exec {lock}>"$dir.lock"
	flock "$lock"
	# refresh the lists at most once a day
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_InRelease' -mtime -1)" ]; then
		log "updating the private apt lists of the QEMU builds"
		qemu_apt apt-get update -qq >&2 ||
			die "apt-get update of the QEMU lists failed"
	fi
	exec {lock}>&-
}

# "pkg=version" of each package (pkg or pkg:arch) in "$@", one per line:
# the candidate of the QEMU lists.  One apt-cache run for all of them (a
# run takes seconds with these lists).
qemu_apt_resolve() {
	local out

	out=$(qemu_apt apt-cache policy "$@") || die "apt-cache policy $* failed"
	out=$(awk '/^[^ ].*:$/ { pkg = substr($0, 1, length($0) - 1) }
		   $1 == "Candidate:" && $2 != "(none)" { print pkg "=" $2 }' \
		  <<<"$out")
	[ "$(wc -l <<<"$out")" -eq $# ] ||
		die "not all of $* found in the QEMU apt lists"
	echo "$out"
}

# Download the packages "pkg=version" in "$@" and unpack them into $1
qemu_apt_unpack() {
	local dest=$1 tmp deb
	shift
	tmp=$(mktemp -d)
	(cd "$tmp" && qemu_apt apt-get download -qq "$@") >&2 ||
		{ rm -rf "$tmp"; die "apt-get download $* failed"; }
	for deb in "$tmp"/*.deb; do
		dpkg -x "$deb" "$dest" || { rm -rf "$tmp"; die "dpkg -x $deb failed"; }
	done
	rm -rf "$tmp"
}

# Versions of Debian's qemu source, newest first
qemu_source_versions() {
	local v vs=() i j t

	mapfile -t vs < <(private_apt apt-cache showsrc qemu |
			  sed -n 's/^Version: //p' | sort -u)
	for ((i = 0; i < ${#vs[@]}; i++)); do
		for ((j = i + 1; j < ${#vs[@]}; j++)); do
			if dpkg --compare-versions "${vs[j]}" gt "${vs[i]}"; then
				t=${vs[i]}
				vs[i]=${vs[j]}
				vs[j]=$t
			fi
		done
	done
	for v in "${vs[@]}"; do
		echo "$v"
	done
}

# Debian's newest qemu source that actually downloads (the archive lists
# versions whose files are gone), unpacked with Debian's patches applied
# (dpkg-source -x) into $CACHE/qemu-src-<version> once per version, and
# never modified afterwards: QEMU_SRC, QEMU_VERSION.  A version that failed
# to download is tried again after a day.
ensure_qemu_source() {
	local v dir tmp lock

	[ -n "${QEMU_SRC:-}" ] && [ -f "$QEMU_SRC/../.extracted" ] && return 0
	private_apt_setup
	exec {lock}>"$CACHE/qemu-src.lock"
	flock "$lock"
	QEMU_SRC=
	for v in $(qemu_source_versions); do
		dir="$CACHE/qemu-src-${v#*:}"
		if [ -f "$dir/.extracted" ]; then
			QEMU_SRC="$dir/qemu"
			QEMU_VERSION=$v
			break
		fi
		[ -n "$(find "$dir.unavailable" -mtime -1 2>/dev/null)" ] && continue
		log "downloading the qemu source $v"
		tmp=$(mktemp -d)
		if ! (cd "$tmp" &&
		      private_apt apt-get source -qq --download-only "qemu=$v") \
			>"$tmp.log" 2>&1; then
			log "qemu $v does not download, trying an older one"
			touch "$dir.unavailable"
			rm -rf "$tmp" "$tmp.log"
			continue
		fi
		rm -rf "$dir" "$dir.unavailable"
		mkdir -p "$dir"
		dpkg-source -q -x "$tmp"/qemu_*.dsc "$dir/qemu" >"$tmp.log" 2>&1 ||
			{ cat "$tmp.log" >&2; die "dpkg-source -x qemu $v failed"; }
		# read-only from here on: builds copy or build out of tree
		rm -rf "$tmp" "$tmp.log"
		touch "$dir/.extracted"
		QEMU_SRC="$dir/qemu"
		QEMU_VERSION=$v
		break
	done
	exec {lock}>&-
	[ -n "$QEMU_SRC" ] || die "no qemu source of Debian downloads"
	log "qemu source $QEMU_VERSION: $QEMU_SRC"
}

# meson >= 1.5 and pycotap for QEMU's configure, unpacked from Debian's
# .debs under the cache: QEMU_PYTHONPATH
ensure_qemu_tools() {
	local pkgs dir

	[ -n "${QEMU_PYTHONPATH:-}" ] && return 0
	qemu_apt_setup
	# shellcheck disable=SC2086
	pkgs=$(qemu_apt_resolve $QEMU_TOOLS_DEBS)
	dir="$CACHE/qemu-tools-$(echo "$pkgs" | hash_of)"
	if [ ! -f "$dir/.done" ]; then
		log "unpacking ${pkgs//$'\n'/ }"
		rm -rf "$dir"
		mkdir -p "$dir"
		# shellcheck disable=SC2086
		qemu_apt_unpack "$dir" $pkgs
		touch "$dir/.done"
	fi
	QEMU_PYTHONPATH="$dir/usr/lib/python3/dist-packages"
	[ -d "$QEMU_PYTHONPATH/mesonbuild" ] || die "no meson in $dir"
}

# The s390x sysroot of the static inner build: Debian 12's s390x .debs of
# glib, pcre2 and zlib (their static archives), unpacked once per set of
# versions, and a s390x-linux-gnu-pkg-config wrapper in its bin/ that
# points pkg-config at it: QEMU_SYSROOT, QEMU_SYSROOT_KEY.
ensure_qemu_sysroot() {
	local pkgs dir lock

	[ -n "${QEMU_SYSROOT:-}" ] && return 0
	qemu_apt_setup
	# shellcheck disable=SC2046,SC2086
	pkgs=$(qemu_apt_resolve $(printf '%s:s390x ' $QEMU_SYSROOT_DEBS))
	QEMU_SYSROOT_KEY=$(echo "$pkgs" | hash_of)
	dir="$CACHE/qemu-sysroot-$QEMU_SYSROOT_KEY"
	exec {lock}>"$dir.lock"
	flock "$lock"
	if [ ! -f "$dir/.done" ]; then
		log "unpacking the s390x sysroot: ${pkgs//$'\n'/ }"
		rm -rf "$dir"
		mkdir -p "$dir/bin"
		# shellcheck disable=SC2086
		qemu_apt_unpack "$dir" $pkgs
		cat >"$dir/bin/s390x-linux-gnu-pkg-config" <<-EOT
		#!/bin/sh
		# pkg-config for the s390x libraries unpacked in $dir
		PKG_CONFIG_SYSROOT_DIR=$dir
		PKG_CONFIG_LIBDIR=$dir/usr/lib/s390x-linux-gnu/pkgconfig:$dir/usr/share/pkgconfig
		PKG_CONFIG_PATH=
		export PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR PKG_CONFIG_PATH
		exec pkg-config "\$@"
		EOT
		chmod +x "$dir/bin/s390x-linux-gnu-pkg-config"
		touch "$dir/.done"
	fi
	exec {lock}>&-
	QEMU_SYSROOT=$dir
}

# The QEMU series' patches, in order, without the cover letter
# QEMU fixes both builds carry before the series (patches/qemu-fixes):
# bugs of the QEMU release that the nested test runs into, each a patch
# of its own for QEMU, not part of the zPCI I/O series
qemu_fix_patches() {
	local p
	for p in "$REPO"/patches/qemu-fixes/0*.patch; do
		[ -f "$p" ] && echo "$p"
	done
	return 0
}

# qemu_apply TREE PATCH...: apply the patches in order to TREE, a
# hard-linked copy of the pristine source (patch(1) replaces the files it
# changes, so the source stays untouched)
qemu_apply() {
	local tree=$1 p
	shift
	for p in "$@"; do
		(cd "$tree" && patch -p1 -s --no-backup-if-mismatch <"$p") >&2 ||
			die "${p##*/} does not apply to qemu $QEMU_VERSION"
	done
}

# The patches of the series in patches/$1, in order, without the cover
# letter; a series without patches is an error
qemu_patches_in() {
	local p n=0
	for p in "$REPO/patches/$1"/0*.patch; do
		[ -f "$p" ] || continue
		[ "${p##*/}" = 0000-cover-letter.patch ] && continue
		echo "$p"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || die "no patches in $REPO/patches/$1"
}

# The series consuming the zPCI I/O region (the inner emulator)
qemu_series_patches() {
	qemu_patches_in qemu
}

# The emulated ISM function (patches/qemu-ism): a test device, built into
# the self-built outer emulator only, never into what a host runs
qemu_ism_patches() {
	qemu_patches_in qemu-ism
}

# Configure and build qemu-system-s390x from source tree $1 in build
# directory $2 with configure flags $3; extra environment in "${@:4}".
# The build log is $2.log.
qemu_build() {
	local src=$1 build=$2 flags=$3
	shift 3

	rm -rf "$build"
	mkdir -p "$build"
	# shellcheck disable=SC2086
	(cd "$build" && env "$@" PYTHONPATH="$QEMU_PYTHONPATH" \
		"$src/configure" --python="$QEMU_PYTHON" $flags) \
		>"$build.log" 2>&1 ||
		{ tail -n 30 "$build.log" >&2; die "qemu configure failed ($build.log)"; }
	(cd "$build" && env "$@" PYTHONPATH="$QEMU_PYTHONPATH" \
		ninja -j"$(nproc)" qemu-system-s390x) >>"$build.log" 2>&1 ||
		{ grep -E "error" "$build.log" | tail -n 20 >&2
		  tail -n 30 "$build.log" >&2
		  die "qemu build failed ($build.log)"; }
}

# The patched, static qemu-system-s390x for s390x hosts (the inner
# emulator of the nested test): the pristine source, hard-linked (patch(1)
# replaces the files it changes), with patches/qemu applied, cross-built
# against the s390x sysroot and stripped.  Cached per QEMU version, patch
# contents, configure flags, cross compiler and sysroot: QEMU_INNER.
ensure_qemu_inner() {
	local key dir lock cc patches

	ensure_qemu_source
	ensure_qemu_sysroot
	cc=$(s390x-linux-gnu-gcc --version | head -n1) ||
		die "no s390x-linux-gnu-gcc (gcc-s390x-linux-gnu)"
	patches="$(qemu_fix_patches) $(qemu_series_patches)"
	# shellcheck disable=SC2086
	key=$( { echo "$QEMU_VERSION"; echo "$QEMU_CONFIG_INNER"; echo "$cc";
		 echo "$QEMU_SYSROOT_KEY"; cat $patches; } | hash_of)
	dir="$CACHE/qemu-inner-$key"
	QEMU_INNER="$dir/qemu-system-s390x"
	exec {lock}>"$dir.lock"
	flock "$lock"
	if [ -x "$QEMU_INNER" ]; then
		exec {lock}>&-
		log "inner QEMU cached: $QEMU_INNER"
		return 0
	fi
	ensure_qemu_tools
	log "building the patched static s390x QEMU in $dir (first run only)"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -al "$QEMU_SRC" "$dir/src"
	# shellcheck disable=SC2086
	qemu_apply "$dir/src" $patches
	qemu_build "$dir/src" "$dir/build" "$QEMU_CONFIG_INNER" \
		PATH="$QEMU_SYSROOT/bin:$PATH"
	# the files the series touches compile without a warning
	if grep -E "hw/s390x/s390-pci-[a-z]+\.c.*warning:" "$dir/build.log" >&2; then
		die "the QEMU series compiles with warnings ($dir/build.log)"
	fi
	s390x-linux-gnu-strip -o "$QEMU_INNER.tmp" \
		"$dir/build/qemu-system-s390x" || die "strip failed"
	mv "$QEMU_INNER.tmp" "$QEMU_INNER"
	# keep the log, drop the trees (the build dir alone is ~500 MB)
	rm -rf "$dir/src" "$dir/build"
	exec {lock}>&-
	log "inner QEMU: $QEMU_INNER ($(du -h "$QEMU_INNER" | cut -f1))"
}

# The cache key of a native build of the QEMU source with PATCHES...
qemu_native_key() {
	{ echo "$QEMU_VERSION"; echo "$QEMU_CONFIG_OUTER";
	  gcc --version | head -n1; cat "$@";
	  pkg-config --modversion glib-2.0 2>/dev/null; } | hash_of
}

# The native qemu-system-s390x that runs the outer guest: the same
# pristine source with the fixes (patches/qemu-fixes: QEMU 10.2's PCISTB
# stores byte-reversed doublewords on a little-endian host) and the
# emulated ISM function (patches/qemu-ism), built out of tree against the
# system's libraries (QEMU_PKGS), with a firmware directory for -L holding
# s390-ccw.img: QEMU_OUTER, QEMU_FIRMWARE.
ensure_qemu_outer() {
	local key dir lock patches

	ensure_qemu_source
	patches="$(qemu_fix_patches) $(qemu_ism_patches)"
	# shellcheck disable=SC2086
	key=$(qemu_native_key $patches)
	dir="$CACHE/qemu-outer-$key"
	QEMU_OUTER="$dir/qemu-system-s390x"
	QEMU_FIRMWARE="$dir/firmware"
	exec {lock}>"$dir.lock"
	flock "$lock"
	if [ -x "$QEMU_OUTER" ] && [ -f "$QEMU_FIRMWARE/s390-ccw.img" ]; then
		exec {lock}>&-
		log "outer QEMU cached: $QEMU_OUTER"
		return 0
	fi
	[ -f "$QEMU_FIRMWARE_IMG" ] ||
		die "$QEMU_FIRMWARE_IMG missing (qemu-system-misc)"
	pkg-config --exists glib-2.0 || die "no glib-2.0 (libglib2.0-dev)"
	ensure_qemu_tools
	log "building the native s390x QEMU in $dir (first run only)"
	rm -rf "$dir"
	mkdir -p "$dir/firmware"
	cp -al "$QEMU_SRC" "$dir/src"
	# shellcheck disable=SC2086
	qemu_apply "$dir/src" $patches
	qemu_build "$dir/src" "$dir/build" "$QEMU_CONFIG_OUTER"
	# the files the ISM series touches compile without a warning
	if grep -E "hw/s390x/s390-(pci-[a-z]+|ism)\.c.*warning:" "$dir/build.log" >&2; then
		die "the QEMU ISM series compiles with warnings ($dir/build.log)"
	fi
	strip -o "$QEMU_OUTER.tmp" "$dir/build/qemu-system-s390x" ||
		die "strip failed"
	mv "$QEMU_OUTER.tmp" "$QEMU_OUTER"
	cp "$QEMU_FIRMWARE_IMG" "$QEMU_FIRMWARE/"
	rm -rf "$dir/src" "$dir/build"
	exec {lock}>&-
	log "outer QEMU: $QEMU_OUTER ($(du -h "$QEMU_OUTER" | cut -f1))"
}

# The QEMU series' qtest (tests/qtest/s390x-zpci-io-test, patches/qemu),
# which needs a QEMU for this host: the pristine source with the fixes
# and the series, built natively like the outer emulator (which carries
# the emulated ISM function instead), with the firmware where the
# relocated binary looks for it (../share/qemu).  Cached per QEMU
# version, patch contents, configure flags and compiler: QEMU_QTEST_DIR
# (bin/qemu-system-s390x, bin/s390x-zpci-io-test).
QEMU_QTEST=s390x-zpci-io-test
ensure_qemu_qtest() {
	local key dir lock patches

	ensure_qemu_source
	patches="$(qemu_fix_patches) $(qemu_series_patches)"
	# shellcheck disable=SC2086
	key=$(qemu_native_key $patches)
	dir="$CACHE/qemu-qtest-$key"
	QEMU_QTEST_DIR=$dir
	exec {lock}>"$dir.lock"
	flock "$lock"
	if [ -x "$dir/bin/$QEMU_QTEST" ] && [ -f "$dir/share/qemu/s390-ccw.img" ]; then
		exec {lock}>&-
		log "QEMU for the qtest cached: $dir"
		return 0
	fi
	[ -f "$QEMU_FIRMWARE_IMG" ] ||
		die "$QEMU_FIRMWARE_IMG missing (qemu-system-misc)"
	ensure_qemu_tools
	log "building the series' QEMU and qtest for this host in $dir (first run only)"
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/share/qemu"
	cp -al "$QEMU_SRC" "$dir/src"
	# shellcheck disable=SC2086
	qemu_apply "$dir/src" $patches
	qemu_build "$dir/src" "$dir/build" "$QEMU_CONFIG_OUTER"
	(cd "$dir/build" && PYTHONPATH="$QEMU_PYTHONPATH" \
		ninja -j"$(nproc)" "tests/qtest/$QEMU_QTEST") >>"$dir/build.log" 2>&1 ||
		{ tail -n 30 "$dir/build.log" >&2; die "qtest build failed ($dir/build.log)"; }
	if grep -E "(hw/s390x/s390-pci-[a-z]+|$QEMU_QTEST)\.c.*warning:" "$dir/build.log" >&2; then
		die "the QEMU series or its qtest compiles with warnings ($dir/build.log)"
	fi
	strip -o "$dir/bin/qemu-system-s390x" "$dir/build/qemu-system-s390x" ||
		die "strip failed"
	cp "$dir/build/tests/qtest/$QEMU_QTEST" "$dir/bin/"
	cp "$QEMU_FIRMWARE_IMG" "$dir/share/qemu/"
	rm -rf "$dir/src" "$dir/build"
	exec {lock}>&-
	log "QEMU for the qtest: $dir"
}

# Run the qtest; its TAP goes to $1 as a log the report reads like a
# guest's ("@@qemu_qtest: " lines, then the end marker if it exited 0)
qemu_qtest_run() {
	local logf=$1 rc=0

	ensure_qemu_qtest
	echo "TAP version 13" >"$logf.tap"
	QTEST_QEMU_BINARY="$QEMU_QTEST_DIR/bin/qemu-system-s390x" \
		timeout 300 "$QEMU_QTEST_DIR/bin/$QEMU_QTEST" --tap -k \
		>>"$logf.tap" 2>&1 || rc=$?
	echo "# $QEMU_QTEST exit status $rc" >>"$logf.tap"
	sed 's/^/@@qemu_qtest: /' "$logf.tap" >"$logf"
	rm -f "$logf.tap"
	# a qtest that died (an assertion aborts it) never reaches the end
	[ $rc -ne 0 ] || echo "@@init: done" >>"$logf"
	log "qtest $QEMU_QTEST ran, exit status $rc (log: $logf)"
}

# The two warnings QEMU's checkpatch.pl gives every patch that adds a file
# under linux-headers/ (an import from Linux that is not yet an
# update-linux-headers.sh run, and the MAINTAINERS reminder for a new
# file); a patch touching nothing else may carry exactly these.
QEMU_CHECKPATCH_IMPORT="WARNING: added, moved or deleted file(s) imported from Linux, are you using scripts/update-linux-headers.sh?
WARNING: added, moved or deleted file(s):"

# qemu_checkpatch_apply TREE PATCH...: QEMU's own checkpatch.pl on each
# patch (0 errors and 0 warnings, but QEMU_CHECKPATCH_IMPORT on a patch
# touching nothing but linux-headers/), then apply it to TREE
qemu_checkpatch_apply() {
	local tree=$1 p base out files warns
	shift

	for p in "$@"; do
		base=${p##*/}
		# from the tree's top (checkpatch looks for it); the patch by
		# an absolute path
		out=$(cd "$tree" && ./scripts/checkpatch.pl "$p" 2>&1) || true
		grep -q '^total: 0 errors, ' <<<"$out" ||
			{ echo "$out" >&2; die "checkpatch: errors in $base"; }
		warns=$(grep '^WARNING: ' <<<"$out" || true)
		if [ -n "$warns" ]; then
			files=$(sed -n 's@^+++ b/@@p' "$p" | grep -v '^linux-headers/' || true)
			if [ -n "$files" ] ||
			   [ "$warns" != "$QEMU_CHECKPATCH_IMPORT" ]; then
				echo "$out" >&2
				die "checkpatch: warnings in $base"
			fi
		fi
		qemu_apply "$tree" "$p"
	done
}

# The QEMU series (patches/qemu) against the pristine source of
# ensure_qemu_source: it must be what mkqemuseries.sh generates from these
# sources (so QEMU's linux-headers copy of include/uapi/linux/
# vfio_zpci_io.h cannot drift from it), pass QEMU's own checkpatch.pl
# patch by patch (qemu_checkpatch_apply), and apply to a scratch copy of
# the tree, where the uAPI copy is compared with the repository's header
# once more.
qemu_series_check() {
	local key dir

	ensure_qemu_source
	"$HARNESS/mkqemuseries.sh" --check "$QEMU_SRC" "$REPO/patches/qemu" \
		>&2 || die "patches/qemu does not match the sources: run" \
			"tools/testing/zpci-io/mkqemuseries.sh QEMU_SRC patches/qemu"
	key=$( { echo "$QEMU_VERSION"; cat $(qemu_fix_patches) \
		 "$REPO"/patches/qemu/*.patch \
		 "$REPO/include/uapi/linux/vfio_zpci_io.h"; } | hash_of)
	dir="$CACHE/qemu-series-$key"
	check_cached "$dir" "QEMU series" && return 0
	cp -al "$QEMU_SRC" "$dir/qemu"
	qemu_checkpatch_apply "$dir/qemu" $(qemu_fix_patches) $(qemu_series_patches)
	"$HARNESS/mkqemuseries.sh" --header |
		cmp -s - "$dir/qemu/linux-headers/linux/vfio_zpci_io.h" ||
		die "the series' linux-headers/linux/vfio_zpci_io.h drifted from" \
			"include/uapi/linux/vfio_zpci_io.h"
	rm -rf "$dir/qemu"
	touch "$dir/.checked"
	log "QEMU series applies to qemu $QEMU_VERSION, is checkpatch clean" \
		"and carries the current uAPI"
}

# The emulated ISM function's series (patches/qemu-ism; its code lives
# only there) on the pristine source with the fixes: QEMU's checkpatch.pl
# patch by patch and it applies.  ensure_qemu_outer builds it, and fails
# on a warning in the files it touches.
qemu_ism_series_check() {
	local key dir

	ensure_qemu_source
	key=$( { echo "$QEMU_VERSION"; cat $(qemu_fix_patches) \
		 $(qemu_ism_patches); } | hash_of)
	dir="$CACHE/qemu-ism-series-$key"
	check_cached "$dir" "QEMU ISM series" && return 0
	cp -al "$QEMU_SRC" "$dir/qemu"
	qemu_apply "$dir/qemu" $(qemu_fix_patches)
	qemu_checkpatch_apply "$dir/qemu" $(qemu_ism_patches)
	rm -rf "$dir/qemu"
	touch "$dir/.checked"
	log "QEMU ISM series applies to qemu $QEMU_VERSION and is checkpatch clean"
}
