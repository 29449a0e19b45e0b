#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate the in-tree patch series of zpci-io-vfio-pci against a kernel
# tree, from this repository's sources: nothing in patches/linux/ is
# edited by hand.  The out-of-tree scaffolding is resolved for the target
# kernel with unifdef (ZPCI_IO_OUT_OF_TREE off, every ZPCI_IO_HAVE_*
# feature of the newest kernel on) and compat.h is left out.  Identity,
# dates and commit ids are fixed, so the output is reproducible and
# "--check" is a plain comparison.
#
# Usage: mkseries.sh KSRC OUTDIR          write the series to OUTDIR
#        mkseries.sh --check KSRC OUTDIR  fail if OUTDIR differs from a
#                                         fresh generation

set -euo pipefail

check=
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: $0 [--check] KSRC OUTDIR" >&2; exit 2; }
KSRC=$(cd "$1" && pwd)
OUT=$2
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
DRV=drivers/vfio/pci/zpci-io
SELF=tools/testing/selftests/drivers/s390x/zpci_io
NAME="zpci-io-vfio-pci maintainers"
MAIL="zpci-io@lists.linux.dev"

die() { echo "mkseries: $*" >&2; exit 1; }
# shellcheck source=tools/testing/zpci-io/series.sh
. "$(dirname "$0")/series.sh"
command -v unifdef >/dev/null || die "unifdef missing (apt-get install unifdef)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q
git -C "$work" config user.name "$NAME"
git -C "$work" config user.email "$MAIL"
export GIT_AUTHOR_DATE="2026-11-24T00:00:00Z"
export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"

# the target kernel's versions of every file the series changes
base_files="include/uapi/linux/vfio.h drivers/vfio/pci/Kconfig
drivers/vfio/pci/Makefile Documentation/driver-api/index.rst MAINTAINERS
tools/testing/selftests/Makefile"
for f in $base_files; do
	[ -f "$KSRC/$f" ] || die "$KSRC/$f missing: not a kernel tree"
	mkdir -p "$work/$(dirname "$f")"
	cp "$KSRC/$f" "$work/$f"
done
git -C "$work" add -A
git -C "$work" commit -q -m base

# $1: repository file, $2: destination in the kernel tree
resolve() {
	mkdir -p "$work/$(dirname "$2")"
	# unifdef exits 1 when it changed something
	unifdef -UZPCI_IO_OUT_OF_TREE -DZPCI_IO_HAVE_GET_REGION_INFO_CAPS \
		-DZPCI_IO_HAVE_MATCH_TOKEN_UUID -DZPCI_IO_HAVE_IOMMUFD_OPS \
		-DZPCI_IO_HAVE_DEV_DRIVER_OVERRIDE -DZPCI_IO_HAVE_VFIO_PCI_MEMORY_ENABLED \
		-DVFIO_REGION_SUBTYPE_IBM_ZPCI_IO \
		-o "$work/$2.tmp" "$REPO/$1" || [ $? -eq 1 ] || die "unifdef $1"
	# a removed block leaves its blank lines behind: squeeze them
	cat -s "$work/$2.tmp" >"$work/$2"
	rm "$work/$2.tmp"
}

copy() {
	mkdir -p "$work/$(dirname "$2")"
	cp "$REPO/$1" "$work/$2"
}

# insert file $3's text into $1 after the first line matching regex $2
insert_after() {
	python3 - "$work/$1" "$2" "$3" <<-'EOF'
	import re, sys
	path, regex, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
	lines = open(path).read().split('\n')
	for i, line in enumerate(lines):
	    if re.search(regex, line):
	        lines[i + 1:i + 1] = text.rstrip('\n').split('\n')
	        break
	else:
	    sys.exit('no line matches %s in %s' % (regex, path))
	open(path, 'w').write('\n'.join(lines))
	EOF
}

commit() {
	git -C "$work" add -A
	git -C "$work" commit -q -s -F -
}

# Add "F: $1" to the driver's MAINTAINERS entry, creating the entry after
# the last VFIO section that sorts before it; F: lines stay sorted.
maintainers_add() {
	python3 - "$work/MAINTAINERS" "$1" "$NAME <$MAIL>" <<-'EOF'
	import sys
	path, pattern, who = sys.argv[1:4]
	title = 'VFIO ZPCI I/O PCI DRIVER'
	lines = open(path).read().split('\n')
	if title not in lines:
	    last = max(i for i, l in enumerate(lines)
	               if l.startswith('VFIO ') and l < title)
	    end = next(i for i in range(last, len(lines)) if lines[i] == '')
	    lines[end:end] = ['', title, 'M:\t' + who,
	                      'L:\tkvm@vger.kernel.org',
	                      'L:\tlinux-s390@vger.kernel.org',
	                      'S:\tMaintained']
	start = lines.index(title)
	end = next(i for i in range(start, len(lines)) if lines[i] == '')
	entry = lines[start:end] + ['F:\t' + pattern]
	head = [l for l in entry if not l.startswith('F:')]
	files = sorted(l for l in entry if l.startswith('F:'))
	lines[start:end] = head + files
	open(path, 'w').write('\n'.join(lines))
	EOF
}

# Kconfig of the repository: the driver's entry, or the KUnit entry
kconfig_part() {
	awk -v want="$1" '
		/^config / { cur = $2 }
		/^# SPDX/ { next }
		cur == want { print }' "$REPO/Kconfig" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# ---- 1: uAPI ------------------------------------------------------------
cat >"$work/.subtype" <<'EOF'

/*
 * IBM zPCI I/O region: each request is issued as exactly one non-MIO s390
 * PCI Load, Store or Store Block instruction on the function handle, and
 * its exact outcome is returned; see include/uapi/linux/vfio_zpci_io.h.
 */
#define VFIO_REGION_SUBTYPE_IBM_ZPCI_IO		(2)
EOF
insert_after include/uapi/linux/vfio.h \
	'^#define VFIO_REGION_SUBTYPE_IBM_NVLINK2_ATSD' "$work/.subtype"
rm "$work/.subtype"
resolve include/uapi/linux/vfio_zpci_io.h include/uapi/linux/vfio_zpci_io.h
maintainers_add include/uapi/linux/vfio_zpci_io.h
commit <<'EOF'
vfio: uapi: add the zPCI I/O region

s390 PCI functions have no memory-mapped BARs: every BAR access is a PCI
Load (PCILG), PCI Store (PCISTG) or PCI Store Block (PCISTB) instruction.
vfio-pci's BAR regions issue MIO instructions where the machine has them
and split a write into several stores.  ISM devices (PCI function type 5)
support neither: a block write must arrive as one non-MIO PCISTB.

Define a device-specific region, VFIO_REGION_SUBTYPE_IBM_ZPCI_IO under
VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_IBM (subtype 1 is the
retired NVLink2 ATSD region), through which userspace submits one request
per pwrite(): operation, address space (BAR), offset, length, and for
stores the data.  The kernel issues exactly one non-MIO instruction on the
function handle and returns the condition code, status, program exception
and a load's bytes.  A read-only header describes the function (BAR sizes,
maximum store-block length, the MSI-X table, ISM's relaxed rules).

Requests are fixed-size, reserved fields must be zero, and nothing is
written to user memory unless the instruction was issued.
EOF

# ---- 2: the driver ------------------------------------------------------
for f in main.c request.c insn.c ism.c zpci_io.h zpci_io_kunit.c; do
	resolve "$DRV/$f" "$DRV/$f"
done
{
	echo "# SPDX-License-Identifier: GPL-2.0-only"
	kconfig_part ZPCI_IO_VFIO_PCI
	echo
	kconfig_part ZPCI_IO_VFIO_PCI_KUNIT_TEST
} >"$work/$DRV/Kconfig"
{
	echo "# SPDX-License-Identifier: GPL-2.0-only"
	grep -E '^(obj-\$\(CONFIG_ZPCI_IO_VFIO_PCI\)|zpci-io-vfio-pci-y)' \
		"$REPO/$DRV/Makefile"
	echo
	grep -E '^obj-\$\(CONFIG_ZPCI_IO_VFIO_PCI_KUNIT_TEST\)' \
		"$REPO/$DRV/Makefile"
} >"$work/$DRV/Makefile"
printf '\nsource "%s/Kconfig"\n' "$DRV" >"$work/.k"
insert_after drivers/vfio/pci/Kconfig '^source "drivers/vfio/pci/ism/Kconfig"' \
	"$work/.k"
printf '\nobj-$(CONFIG_ZPCI_IO_VFIO_PCI) += zpci-io/\n' >"$work/.m"
insert_after drivers/vfio/pci/Makefile '^obj-\$\(CONFIG_ISM_VFIO_PCI\)' \
	"$work/.m"
rm "$work/.k" "$work/.m"
maintainers_add "$DRV/"
commit <<'EOF'
vfio/pci: add zpci-io-vfio-pci, a variant driver with the zPCI I/O region

A vfio-pci-core variant driver for s390 PCI functions.  Bound to a
function (ISM by ID, through driver_override only; any other zPCI
function through driver_override) it behaves like vfio-pci and registers
the zPCI I/O region when the device is opened.

Each request is validated completely before anything is issued (address
space and offset against the BAR, length and alignment rules, the MSI-X
table, reserved fields), then issued as exactly one non-MIO instruction
with the driver's own PCILG/PCISTG/PCISTB, which never retry on busy and
report the condition code, status and program-interruption code.  Memory
enable and the power state are checked under memory_lock, the handle is
read for every request.  PCISTB data goes through per-CPU-indexed bounce
pages allocated at open, held only while in use and filled with page
faults disabled; every wait is killable.  No allocation per request.

Where it matters: with KVM's zPCI interpretation a guest's PCI
instructions never reach userspace; the region serves the intercept path
(nested guests, interpret=off, older machines, TCG) and VFIO userspace
drivers.

KUnit: three suites against a fake instruction layer that records every
call (every validation rule at its boundary and one step beyond, the
precedence of errors, outcome reporting, and every request shape Linux's
own ISM driver issues, re-enacted from drivers/s390/net/ism*, each
accepted as exactly one instruction), and one with the real instructions
that touches only a function root hands to it by setting its
driver_override to zpci_io_kunit_hw.
EOF

# ---- 3: the reference consumer ------------------------------------------
for f in "$REPO"/tools/zpci-io/*; do
	copy "tools/zpci-io/${f##*/}" "tools/zpci-io/${f##*/}"
done
maintainers_add tools/zpci-io/
commit <<'EOF'
tools: add zpci-io, a reference consumer of the zPCI I/O region

A small VFIO program and library: region discovery the way QEMU does it
(VFIO_DEVICE_GET_REGION_INFO and the type capability), requests, the
standard BAR regions for comparison, the function measurement block as an
external count of instructions, and a benchmark that reports ratios.  The
kselftests build on its library.
EOF

# ---- 4: kselftests ------------------------------------------------------
for f in "$REPO/$SELF"/*; do
	copy "$SELF/${f##*/}" "$SELF/${f##*/}"
done
printf 'TARGETS += drivers/s390x/zpci_io\n' >"$work/.t"
insert_after tools/testing/selftests/Makefile \
	'^TARGETS \+= drivers/s390x/uvdevice$' "$work/.t"
rm "$work/.t"
maintainers_add "$SELF/"
commit <<'EOF'
selftests: drivers/s390x: add zpci_io tests

kselftest_harness tests that drive the region from a plain VFIO process:
discovery and header, loads and stores against the standard BAR region,
every refused request with its errno and nothing written, the contract
(no store into caller memory unless issued, ENOTRECOVERABLE, error
precedence, who can make the kernel follow the request's pointers),
seeded random requests with exact instruction counts, information-leak
checks, and teardown while in use (close, unbind, rmmod, hot-unplug).
The config fragment gives the guest kernel they run on.  They are a
kselftest TARGET (run_tests, install, the kselftest runner): without a
function bound to zpci-io-vfio-pci (or ZPCI_IO_BDF naming one) each
program skips as a whole.
EOF

# ---- 5: documentation ---------------------------------------------------
copy Documentation/driver-api/vfio/zpci-io.rst \
	Documentation/driver-api/vfio/zpci-io.rst
printf '   vfio/zpci-io\n' >"$work/.d"
insert_after Documentation/driver-api/index.rst '^   vfio$' "$work/.d"
rm "$work/.d"
maintainers_add Documentation/driver-api/vfio/zpci-io.rst
commit <<'EOF'
Documentation: vfio: document the zPCI I/O region

The contract: discovery, layout, requests, the ISM rules and where they
come from, validation and the precedence of errors, what vfio-pci-core
decides first, the outcome and ENOTRECOVERABLE, how QEMU maps each result
into the guest, why the pointers inside a request cannot be turned
against a privileged writer, and the relation to ism-vfio-pci.
EOF

# ---- the series ---------------------------------------------------------
branch=$(git -C "$work" symbolic-ref --short HEAD)
git -C "$work" config "branch.$branch.description" "$(cat <<'EOF'
vfio/pci: zPCI I/O region for exact non-MIO s390 PCI instructions

On s390 every PCI BAR access is an instruction.  vfio-pci's BAR regions
use MIO instructions where the machine has them and split a write into
several stores; ISM devices need every block write as one non-MIO PCI
Store Block.  Earlier attempts (an RFC of this region in 2020/21) were
dropped; Linux 7.1 added ism-vfio-pci, which serves ISM through the
standard BAR regions without reporting outcomes.

This series adds zpci-io-vfio-pci, a vfio-pci-core variant driver with one
device-specific region: userspace (QEMU after intercepting a guest's
PCISTB, PCILG or PCISTG, or any VFIO process) writes one fixed-size request
per pwrite(), and the host issues exactly one non-MIO instruction on the
function handle and returns its condition code, status, program exception
and loaded bytes.  Both drivers bind only through driver_override and
coexist; the tests bind one to each of two functions.

With KVM's zPCI interpretation, a guest's instructions never reach
userspace; the region serves the intercept path (nested guests,
interpret=off, older machines, TCG) and VFIO userspace drivers.

Testing: KUnit (fake and real instruction layer) and the kselftests pass
on s390x guests under QEMU TCG with this series applied to 7.3, built as a
module; the driver also builds =y.  The same sources build out of tree
for 6.1 and 6.12.
EOF
)"
gen="$work/out"
git -C "$work" format-patch -q --cover-letter --cover-from-description=auto \
	--zero-commit --no-signature --base=HEAD~5 -o "$gen" HEAD~5..HEAD
# the base is the scratch commit of the target's files: name the tree
sed -i "s/^base-commit: .*/base-commit: $(basename "$KSRC") (Debian source)/" \
	"$gen/0000-cover-letter.patch"

series_deliver mkseries "$gen" "$OUT" "$check"
