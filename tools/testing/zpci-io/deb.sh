# SPDX-License-Identifier: GPL-2.0
# The Debian packages (debian/), built as an administrator builds them:
# the source package and, cross from any machine (-a s390x), the binary
# packages zpci-io-vfio-pci-dkms (all) and zpci-io (s390x); lintian free of
# errors and warnings; the contents checked; optionally the packaged DKMS
# source built against a kernel.  Sourced by lib.sh (log, die, REPO,
# STAGE).

# What deb_check needs.  The cross compiler and libc come with
# crossbuild-essential-s390x, the cross counterpart of build-essential,
# which Build-Depends never name; dh-dkms provides dh-sequence-dkms.
DEB_PKGS="dpkg-dev debhelper dh-dkms lintian crossbuild-essential-s390x
libc6-dev-s390x-cross binutils dkms kmod git"

# deb_check [KBUILD]: build and check the packages in $STAGE/deb from the
# working tree's files that git lists (tracked files with their
# uncommitted edits, and new files that are not ignored).  With KBUILD, an
# s390x kernel build directory, also "dkms add" + "dkms build" of the
# unpacked zpci-io-vfio-pci-dkms package against it (KBUILD is only read).
deb_check() {
	local kbuild=${1:-} arch=s390x dir src name ver changes dkms tool f
	local start=$SECONDS files=()

	name=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Source) ||
		die "debian/changelog unreadable"
	ver=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
	dir="$STAGE/deb"
	src="$dir/$name-$ver"
	rm -rf "$dir"
	mkdir -p "$src"
	# files deleted in the working tree but still tracked are left out
	while IFS= read -r -d '' f; do
		[ -e "$REPO/$f" ] && files+=("$f")
	done < <(git -C "$REPO" ls-files -z --cached --others --exclude-standard)
	[ ${#files[@]} -gt 0 ] || die "git ls-files listed nothing in $REPO"
	(cd "$REPO" && printf '%s\0' "${files[@]}" |
		xargs -0 cp --parents -t "$src") ||
		die "copying the working tree for the Debian build failed"

	# source and binaries, unsigned; build dependencies checked (no -d)
	(cd "$src" && dpkg-buildpackage -a "$arch" -us -uc) \
		>"$dir/build.log" 2>&1 ||
		{ tail -n 40 "$dir/build.log" >&2; die "dpkg-buildpackage -a $arch failed"; }
	changes="$dir/${name}_${ver}_$arch.changes"
	[ -f "$changes" ] || die "dpkg-buildpackage left no ${changes##*/}"

	# lintian: errors and warnings fail, info tags are shown
	if ! lintian -I --fail-on error,warning "$changes" \
		>"$dir/lintian.log" 2>&1 ||
	   grep -q '^[EW]: ' "$dir/lintian.log"; then
		cat "$dir/lintian.log" >&2
		die "lintian found errors or warnings"
	fi
	grep '^[A-Z]: ' "$dir/lintian.log" | sed 's/^/  lintian: /' >&2 || true

	# zpci-io-vfio-pci-dkms: dkms.conf and the module's sources, as in the
	# tree, under /usr/src/NAME-VERSION (debian/rules holds dkms.conf's
	# version to the package's)
	dkms="$dir/${name}-dkms_${ver}_all.deb"
	[ -f "$dkms" ] || die "dpkg-buildpackage left no ${dkms##*/}"
	dpkg-deb -x "$dkms" "$dir/dkms-root" || die "dpkg-deb -x ${dkms##*/} failed"
	for f in dkms.conf Kbuild Makefile include/uapi/linux/vfio_zpci_io.h \
		 drivers/vfio/pci/zpci-io/Makefile \
		 $(cd "$src" && ls drivers/vfio/pci/zpci-io/*.[ch]); do
		cmp -s "$dir/dkms-root/usr/src/$name-$ver/$f" "$src/$f" ||
			die "${dkms##*/}: /usr/src/$name-$ver/$f missing or not the tree's"
	done

	# zpci-io: a dynamically linked s390x /usr/sbin/zpci-io, its manual
	tool="$dir/zpci-io_${ver}_$arch.deb"
	[ -f "$tool" ] || die "dpkg-buildpackage left no ${tool##*/}"
	[ "$(dpkg-deb -f "$tool" Architecture)" = "$arch" ] ||
		die "${tool##*/} is not Architecture: $arch"
	dpkg-deb -x "$tool" "$dir/tool-root" || die "dpkg-deb -x ${tool##*/} failed"
	f="$dir/tool-root/usr/sbin/zpci-io"
	LC_ALL=C readelf -h "$f" 2>/dev/null | grep -q 'Machine: *IBM S/390' ||
		die "${tool##*/}: /usr/sbin/zpci-io is not an s390x ELF"
	LC_ALL=C readelf -d "$f" | grep -q 'NEEDED.*libc\.so' ||
		die "${tool##*/}: /usr/sbin/zpci-io is not dynamically linked"
	[ -f "$dir/tool-root/usr/share/man/man8/zpci-io.8.gz" ] ||
		die "${tool##*/}: no zpci-io(8)"

	# installing the packages changes what no function binds to: neither
	# ships a modprobe.d, modules-load.d or udev rule, or a driverctl entry
	for f in "$dir/dkms-root" "$dir/tool-root"; do
		f=$(cd "$f" && find . -type f \( -path '*/modprobe.d/*' -o \
			-path '*/modules-load.d/*' -o -path '*/udev/*' -o \
			-path '*/driverctl*' \) | head -n1)
		[ -z "$f" ] || die "a package ships binding configuration: $f"
	done

	log "Debian packages (-a $arch): source, ${dkms##*/}, ${tool##*/}: lintian clean, contents checked, no binding configuration ($((SECONDS - start)) s)"
	if [ -n "$kbuild" ]; then
		deb_dkms_build "$kbuild" "$dir" "$name" "$ver"
	fi
}

# "dkms add" + "dkms build" -a s390x of the unpacked -dkms package
# ($2/dkms-root/usr/src/$3-$4) against kernel build directory $1, in a
# private DKMS tree under $2, as the package's postinst runs them.  DKMS
# ignores the status of dkms.conf's CLEAN (run before and after the
# build); here it must succeed too.
deb_dkms_build() {
	local kbuild=$1 dir=$2 name=$3 ver=$4 rel ko
	local tree="$2/dkms-tree" start=$SECONDS

	rel=$(cat "$kbuild/include/config/kernel.release") ||
		die "$kbuild: no include/config/kernel.release"
	mkdir -p "$tree"
	dkms --dkmstree "$tree" --sourcetree "$dir/dkms-root/usr/src" \
		add "$name/$ver" >"$dir/dkms.log" 2>&1 ||
		{ cat "$dir/dkms.log" >&2; die "dkms add of the packaged source failed"; }
	dkms --dkmstree "$tree" --sourcetree "$dir/dkms-root/usr/src" \
		build "$name/$ver" -k "$rel" -a s390x --kernelsourcedir "$kbuild" \
		>>"$dir/dkms.log" 2>&1 ||
		{ cat "$dir/dkms.log" "$tree/$name/$ver"/build/make.log >&2
		  die "dkms build of the packaged source for $rel failed"; }
	if grep -q 'bad exit status' "$dir/dkms.log"; then
		cat "$dir/dkms.log" >&2
		die "dkms.conf's CLEAN failed on the packaged source"
	fi
	ko=$(ls "$tree/$name/$ver/$rel/s390x/module/$name.ko"* 2>/dev/null | head -n1)
	[ -n "$ko" ] || die "dkms build of the packaged source left no module"
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$rel" ] ||
		die "the packaged source's module is not built for $rel"
	# driver_override only: a vfio_pci: alias, which no uevent carries
	modinfo -F alias "$ko" | grep -q . ||
		die "the packaged module has no alias"
	! modinfo -F alias "$ko" | grep -qv '^vfio_pci:' ||
		die "the packaged module has an alias a device's uevent matches"
	log "packaged DKMS source: dkms add + build for $rel (s390x): ok ($((SECONDS - start)) s)"
}
