#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the QEMU series (patches/qemu) against a pristine QEMU tree.
# Patch 1 is generated from this repository: QEMU's copy of the kernel
# uAPI, linux-headers/linux/vfio_zpci_io.h, is include/uapi/linux/
# vfio_zpci_io.h as the kernel series (patches/linux) installs it (the
# fallback subtype definition resolved with unifdef, then what the
# kernel's headers_install does to it), plus the region subtype in
# linux-headers/linux/vfio.h.  Patches 2..N are QEMU code and are taken
# from OUTDIR as they are; the cover letter's text too.  The base is the
# pristine tree with the fixes of patches/qemu-fixes applied.  Identity, dates
# and commit ids are fixed, so the output is reproducible and "--check"
# is a plain comparison: it fails when the uAPI copy drifted from this
# repository's header, or when a patch is not in its canonical form.
#
# Usage: mkqemuseries.sh QEMU_SRC OUTDIR          rewrite the series
#        mkqemuseries.sh --check QEMU_SRC OUTDIR  fail if OUTDIR differs
#        mkqemuseries.sh --header                 print QEMU's copy of
#                                                 the uAPI header

set -euo pipefail

REPO=$(cd "$(dirname "$0")/../../.." && pwd)
UAPI="$REPO/include/uapi/linux/vfio_zpci_io.h"
NAME="zpci-io-vfio-pci maintainers"
MAIL="zpci-io@lists.linux.dev"
PREFIX="RFC PATCH v2"

die() { echo "mkqemuseries: $*" >&2; exit 1; }
# shellcheck source=tools/testing/zpci-io/series.sh
. "$(dirname "$0")/series.sh"
command -v unifdef >/dev/null || die "unifdef missing (apt-get install unifdef)"

# QEMU's linux-headers copy of the uAPI header, on stdout
qemu_header() {
	local rc=0
	# unifdef exits 1 when it changed something
	unifdef -DVFIO_REGION_SUBTYPE_IBM_ZPCI_IO "$UAPI" >"$1.tmp" || rc=$?
	[ $rc -le 1 ] || die "unifdef $UAPI"
	# a removed block leaves its blank lines behind: squeeze them; then
	# the include guard as the kernel's headers_install writes it
	cat -s "$1.tmp" |
		sed -E -e 's@#(ifndef|define|endif[[:space:]]*/[*])[[:space:]]*_UAPI@#\1 @'
	rm -f "$1.tmp"
}

if [ "${1:-}" = --header ]; then
	tmp=$(mktemp)
	qemu_header "$tmp"
	rm -f "$tmp"
	exit 0
fi

check=
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: $0 [--check] QEMU_SRC OUTDIR | --header" >&2; exit 2; }
QSRC=$(cd "$1" && pwd)
OUT=$(realpath -m "$2")
[ -f "$QSRC/linux-headers/linux/vfio.h" ] || die "$QSRC is not a QEMU tree"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q
git -C "$work" config user.name "$NAME"
git -C "$work" config user.email "$MAIL"
export GIT_AUTHOR_DATE="2026-11-24T00:00:00Z"
export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"

# The QEMU patches of OUTDIR (2..N) and the pristine version of every file
# the series touches
code=()
for p in "$OUT"/0*.patch; do
	[ -f "$p" ] || continue
	case "${p##*/}" in
	0000-cover-letter.patch | 0001-*) continue ;;
	esac
	code+=("$p")
done
# the series is based on the pristine source with the fixes of
# patches/qemu-fixes, which are posted on their own
fixes=()
for p in "$REPO"/patches/qemu-fixes/0*.patch; do
	[ -f "$p" ] && fixes+=("$p")
done
files=$( { echo linux-headers/linux/vfio.h
	   sed -n 's@^--- a/@@p' "${code[@]}" "${fixes[@]}" /dev/null; } | sort -u)
for f in $files; do
	[ -f "$QSRC/$f" ] || die "$QSRC/$f missing"
	mkdir -p "$work/$(dirname "$f")"
	cp "$QSRC/$f" "$work/$f"
done
for p in "${fixes[@]}"; do
	(cd "$work" && patch -p1 -s --no-backup-if-mismatch <"$p") ||
		die "${p##*/} does not apply to $QSRC"
done
git -C "$work" add -A
git -C "$work" commit -q -m base

# ---- 1: the kernel uAPI ---------------------------------------------------
python3 - "$work/linux-headers/linux/vfio.h" <<-'EOF'
	import sys
	path = sys.argv[1]
	anchor = '#define VFIO_REGION_SUBTYPE_IBM_NVLINK2_ATSD\t(1)\n'
	text = open(path).read()
	if anchor not in text:
	    sys.exit('no IBM NVLINK2 ATSD subtype in ' + path)
	text = text.replace(anchor, anchor + '''
	/*
	 * IBM zPCI I/O region: each request is issued as exactly one non-MIO s390
	 * PCI Load, Store or Store Block instruction on the function handle, and
	 * its exact outcome is returned; see include/uapi/linux/vfio_zpci_io.h.
	 */
	#define VFIO_REGION_SUBTYPE_IBM_ZPCI_IO\t\t(2)
	''', 1)
	open(path, 'w').write(text)
EOF
qemu_header "$work/.h" >"$work/linux-headers/linux/vfio_zpci_io.h"
git -C "$work" add -A
git -C "$work" commit -q -s -F - <<'EOF'
linux-headers: add the VFIO zPCI I/O region

Add linux/vfio_zpci_io.h and VFIO_REGION_SUBTYPE_IBM_ZPCI_IO in
linux/vfio.h: the uAPI of the zPCI I/O region that the zpci-io-vfio-pci
variant driver offers for s390 PCI functions.  Through it QEMU replays an
intercepted PCI Load, Store or Store Block instruction on the host as
exactly one non-MIO instruction and learns its exact outcome (condition
code, status, program exception, loaded bytes).

This is a placeholder: the kernel series is not merged yet.  The files are
what "make headers_install" produces with that series applied, and will be
replaced by a regular scripts/update-linux-headers.sh run once it is.
EOF

# ---- 2..N: QEMU code, as they are ---------------------------------------
for p in "${code[@]}"; do
	git -C "$work" am -q --committer-date-is-author-date "$p" ||
		die "${p##*/} does not apply on top of the generated uAPI patch"
done
n=$(( ${#code[@]} + 1 ))

# ---- the cover letter: its text from OUTDIR's cover letter --------------
cover="$OUT/0000-cover-letter.patch"
[ -f "$cover" ] || die "$cover missing: write the cover letter first"
desc=$(python3 - "$cover" <<-'EOF'
	import re, sys
	text = open(sys.argv[1]).read()
	head, body = text.split('\n\n', 1)
	subject = re.search(r'^Subject: \[[^]]*\] (.*(?:\n .*)*)', head, re.M)
	subject = subject.group(1).replace('\n ', ' ')
	# the body ends where format-patch's shortlog begins
	body = re.split(r'\n[^\n]+ \(\d+\):\n', body)[0]
	print(subject + '\n\n' + body.rstrip('\n'))
EOF
)
branch=$(git -C "$work" symbolic-ref --short HEAD)
git -C "$work" config "branch.$branch.description" "$desc"
gen="$work/out"
git -C "$work" format-patch -q --cover-letter --cover-from-description=subject \
	--zero-commit --no-signature --subject-prefix="$PREFIX" \
	--base=HEAD~"$n" -o "$gen" HEAD~"$n"..HEAD
# the base is the scratch commit of the pristine files: name the tree
sed -i "s@^base-commit: .*@base-commit: $(basename "$(dirname "$QSRC")") (Debian source, dpkg-source -x) with patches/qemu-fixes applied@" \
	"$gen/0000-cover-letter.patch"

series_deliver mkqemuseries "$gen" "$OUT" "$check"
