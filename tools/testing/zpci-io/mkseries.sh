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
# The series: 1. the uAPI with its documentation, 2. the driver, 3. KUnit
# against the fake instruction layer, 4. the kselftests with their VFIO
# library.  Out of tree only, never in it: compat.h, the real-instruction
# KUnit suites (zpci_io_kunit_hw.c: KUnit must not touch hardware), the
# reference consumer tools/zpci-io and the harness.
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
DOC=Documentation/arch/s390/vfio-zpci-io.rst
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
drivers/vfio/pci/Makefile Documentation/arch/s390/index.rst MAINTAINERS
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

# The lore.kernel.org threads the messages cite
LORE=https://lore.kernel.org/all
RFC_2020="$LORE/1607545670-1557-1-git-send-email-mjrosato@linux.ibm.com/"
V1_2021="$LORE/1611086550-32765-1-git-send-email-mjrosato@linux.ibm.com/"
REGION_2021="$LORE/1611086550-32765-5-git-send-email-mjrosato@linux.ibm.com/"
ALEX_2021="$LORE/20210122164843.269f806c@omen.home.shazbot.org/"
ALEX_2021B="$LORE/20210127085305.153e01e4@omen.home.shazbot.org/"
ISM_V1="$LORE/20260212-vfio_pci_ism-v1-0-333262ade074@linux.ibm.com/"
ISM_V2="$LORE/20260224-vfio_pci_ism-v2-0-f010945373fa@linux.ibm.com/"
ISM_V3="$LORE/20260305-vfio_pci_ism-v3-0-1217076c81d9@linux.ibm.com/"
ISM_V4="$LORE/20260313-vfio_pci_ism-v4-0-4765ae056f71@linux.ibm.com/"
ISM_V5="$LORE/20260317-vfio_pci_ism-v5-0-b73248b4e576@linux.ibm.com/"
ISM_V6="$LORE/20260319-vfio_pci_ism-v6-0-c6bab675bc0a@linux.ibm.com/"
ISM_V7="$LORE/20260323-vfio_pci_ism-v7-0-abf537150408@linux.ibm.com/"
ISM_V8="$LORE/20260325-vfio_pci_ism-v8-0-ddc504cde914@linux.ibm.com/"
JASON_DYN="$LORE/20260330181645.GE246076@ziepe.ca/"
ALEX_V8="$LORE/20260330123925.713edac4@shazbot.org/"

# ---- 1: uAPI and its documentation --------------------------------------
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
copy "$DOC" "$DOC"
printf '    %s\n' "$(basename "$DOC" .rst)" >"$work/.d"
insert_after Documentation/arch/s390/index.rst '^    vfio-ccw$' "$work/.d"
rm "$work/.d"
maintainers_add "$DOC"
maintainers_add include/uapi/linux/vfio_zpci_io.h
commit <<EOF
vfio: uapi: add the zPCI I/O region

On s390 a BAR access is a PCI Load, PCI Store or PCI Store Block
instruction, and its result is a condition code, a status byte and, for
a bad request, a program-interruption code.  A VMM that intercepts a
guest's instruction (a nested guest, interpretation switched off,
emulation) has to hand that result to the guest, because the guest's own
zPCI error handling runs on it: cc 1 with status 8 (function in error)
starts the guest's recovery, cc 2 makes it retry, cc 3 says the handle
is gone, and an operand or specification exception is what real
hardware raises.  A pread() or pwrite() of a standard BAR region returns
a count or an errno (ism-vfio-pci: 0, -EIO or -ENXIO), so all of these
collapse into one error.

Define a device-specific region, VFIO_REGION_SUBTYPE_IBM_ZPCI_IO under
VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_IBM (subtype 1 is the
retired NVLink2 ATSD region).  One pwrite() at the region's request
offset carries one request: operation, BAR, offset, length, and the user
addresses of the store data and of the response.  The kernel issues
exactly one non-MIO instruction on the function handle and writes the
condition code, status, program-interruption code and a load's bytes to
the response.  A read-only header describes the function (BAR sizes,
store-block limit, ISM's relaxed rules, MSI-X table) and the sizes by
which each structure grows, one rule each, so that version numbers
decide nothing.

The documentation comes with the uAPI so that the contract is read
first.  It sits beside vfio-ap and vfio-ccw in Documentation/arch/s390/
and describes the kernel interface only: discovery, layout, every
request rule and the precedence of errors, the outcome, the one case in
which an issued request's outcome cannot be delivered
(ENOTRECOVERABLE), why the pointers inside a request cannot be turned
against a privileged writer, and an ISM function's standard regions.

This is the region Matthew Rosato proposed in 2020/21.  Alex Williamson
asked then whether the standard BAR region indexes could be made to work
on s390 instead; for ISM's data path that is what ism-vfio-pci did, and
the next patch keeps it.  The region carries what the standard indexes
cannot, the outcome; the cover letter discusses a device feature as the
alternative.

Link: $RFC_2020
Link: $REGION_2021
Link: $ALEX_2021
EOF

# ---- 2: the driver ------------------------------------------------------
for f in main.c request.c insn.c ism.c zpci_io.h; do
	resolve "$DRV/$f" "$DRV/$f"
done
{
	echo "# SPDX-License-Identifier: GPL-2.0-only"
	kconfig_part ZPCI_IO_VFIO_PCI
} >"$work/$DRV/Kconfig"
{
	echo "# SPDX-License-Identifier: GPL-2.0-only"
	grep -E '^(obj-\$\(CONFIG_ZPCI_IO_VFIO_PCI\)|zpci-io-vfio-pci-y)' \
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
commit <<EOF
vfio/pci: add zpci-io-vfio-pci, a variant driver with the zPCI I/O region

The region needs the device's memory_lock, its virtualised command
register and its power state, so it lives in a vfio-pci-core variant
driver.  The driver binds only through driver_override: ISM by ID, as
an override-only match so that the ism network driver keeps its
functions by default, and any other zPCI function by name.

Each request is validated completely before anything is issued, so that
a refused request issues nothing and writes nothing into the caller's
memory.  It is then issued under memory_lock, after
__vfio_pci_memory_enabled(), on the function handle read once for it: a
handle disabled under an open device is issued as it is, and the
instruction's cc 3 is the one answer, with no second encoding of the
same event.

The instructions are the driver's own (insn.c) because the kernel's
__zpci_load(), __zpci_store() and __zpci_store_block() retry cc 2
without bound and return only an errno, which loses what the region
exists to report.  Their better home is arch/s390/pci/pci_insn.c, as
non-retrying helpers that return the outcome, with the
program-interruption code taken by an exception-table handler; the
driver will use them once they exist, and ism-vfio-pci could too.

Store-block data goes through bounce pages allocated zeroed at open, one
per CPU up to 64 per open device (256 KiB, charged to the opener's
memory cgroup) and picked by the CPU a request starts on: no allocation
and no device-wide lock per request, and no user page fault is taken
while a bounce page or memory_lock is held.  Waiting for a page ends
with EINTR on any pending signal.

An ISM function must not be served by vfio-pci-core's BAR path: its
256 TiB BAR0 overlaps every later index of the 40-bit offset layout, and
that path writes with MIO or split stores, which ISM does not take.  For
PCI function type 5 the driver therefore uses ism-vfio-pci's layout
(index << 48 for config, BAR0-5 and the device-specific regions, the
zPCI I/O region among them) and BAR semantics (a write is one non-MIO
PCISTB, a read naturally aligned PCILGs), so that ISM userspace written
for ism-vfio-pci works unchanged.  What it adds is what ism-vfio-pci
lacks: every instruction under memory_lock with the memory-enabled and
D3 check, inside runtime PM; cc 2 reported as EBUSY instead of spinning;
the MSI-X table refused; VFIO_DEVICE_IOEVENTFD refused, since
vfio-pci-core would decode its offset in the 40-bit layout and write
through ioremap(); and the region.  Every other function gets exactly
vfio-pci's behaviour plus the region.

Every function, ISM included, gets its group's maxstbl capped at 4096:
the firmware's value is honoured, as ism-vfio-pci honours it.

Link: $ISM_V1
Link: $ISM_V8
Link: $ALEX_V8
EOF

# ---- 3: KUnit -----------------------------------------------------------
resolve "$DRV/zpci_io_kunit.c" "$DRV/zpci_io_kunit.c"
{
	echo
	kconfig_part ZPCI_IO_VFIO_PCI_KUNIT_TEST
} >>"$work/$DRV/Kconfig"
{
	echo
	grep -E '^obj-\$\(CONFIG_ZPCI_IO_VFIO_PCI_KUNIT_TEST\) \+= zpci_io_kunit\.o$' \
		"$REPO/$DRV/Makefile"
} >>"$work/$DRV/Makefile"
# redundant with the directory's F: line, but a patch that adds a file and
# leaves MAINTAINERS alone is a checkpatch warning (FILE_PATH_CHANGES)
maintainers_add "$DRV/zpci_io_kunit.c"
commit <<'EOF'
vfio/pci: zpci-io: add KUnit tests against a fake instruction layer

The region's contract is its validation: which request is issued, which
is refused with which errno, and that a refused one issues nothing.
These suites drive request.c through a fake instruction layer that
records every call, so that every rule is tested at its boundary and one
step beyond without a device and without a PCI instruction:

- zpci_io_validate: the rules and the precedence of errors, the request
  size rule, the errno of each outcome on an ISM BAR access, the uAPI
  layout and the header;
- zpci_io_issue: exactly one instruction per accepted request and none
  per refused one, condition code and status passed through, program
  exceptions, a load's bytes and the request register;
- zpci_io_ism: every request shape Linux's ISM driver issues, built with
  the formulas of drivers/s390/net/ism*, each accepted as exactly one
  instruction.  It tests our reading of the ism driver, not ISM
  hardware.

Suites that issue real instructions are not part of this: KUnit must not
touch hardware.  The kselftests of the next patch issue real
instructions from a VFIO process instead.
EOF

# ---- 4: kselftests ------------------------------------------------------
# the directory's files as git sees them: tracked and new ones, not what
# a build left behind
git -C "$REPO" ls-files -z --cached --others --exclude-standard -- "$SELF" |
while IFS= read -r -d '' f; do
	[ -f "$REPO/$f" ] && copy "$f" "$f"
done
[ -f "$work/$SELF/Makefile" ] || die "no kselftests in $SELF"
printf 'TARGETS += drivers/s390x/zpci_io\n' >"$work/.t"
insert_after tools/testing/selftests/Makefile \
	'^TARGETS \+= drivers/s390x/uvdevice$' "$work/.t"
rm "$work/.t"
maintainers_add "$SELF/"
commit <<'EOF'
selftests: drivers/s390x: add zpci_io tests

What the region promises is what a VFIO process observes, so that is
where it is tested: discovery and the header; loads and stores against
the standard BAR region; every refused request with its errno and
nothing written to the caller's memory; an unwritable response after
issue (ENOTRECOVERABLE); that only a positioned write reaches the
request's pointers (no lseek(), and write(), splice(), sendfile() and
copy_file_range() never reach the region); seeded random requests with
exact instruction counts from the function measurement block, an oracle
outside the driver; information-leak checks with poisoned buffers;
teardown while in use; and on an ISM function the commands and DMB
moves of Linux's ISM driver through the region, and its standard
regions side by side with vfio-pci and ism-vfio-pci.

zpci_io_lib is the tests' VFIO plumbing: type1, region discovery as a
VMM does it, requests, the measurement block.  Without a function bound
to zpci-io-vfio-pci (or ZPCI_IO_BDF naming one) every program skips;
the ISM programs also need ZPCI_IO_ISM_BDF, and zpci_io_ism_peer a dibs
client module as its partner.  zpci_io_teardown unbinds, reloads and
powers off the function it tests.  On other architectures the Makefile
builds nothing.
EOF

# ---- the series ---------------------------------------------------------
branch=$(git -C "$work" symbolic-ref --short HEAD)
git -C "$work" config "branch.$branch.description" "$(cat <<EOF
vfio/pci: zPCI I/O region for exact non-MIO s390 PCI instructions

On s390 every PCI BAR access is an instruction (PCI Load, PCI Store, PCI
Store Block), and its result is a condition code, a status byte and, for
a bad request, a program-interruption code.  This series adds
zpci-io-vfio-pci, a vfio-pci-core variant driver with one
device-specific region through which userspace submits one such
instruction per pwrite() and gets its exact outcome back.  On ISM
functions the driver also serves ism-vfio-pci's standard regions.  It is
an RFC because the interface is the question.

Why a region, when upstream chose standard BAR indexes and features

Matthew Rosato proposed this region in 2020/21 [1][2].  Alex asked
whether the standard BAR region indexes could rather be implemented in a
way that works on s390 [3], and for ISM's data path that is what
ism-vfio-pci did in 7.1 [4]: 48-bit region offsets, one pwrite() = one
non-MIO PCISTB.  This series keeps that answer: patch 2 serves exactly
that layout and those semantics on ISM, so that ISM userspace written for
ism-vfio-pci works unchanged.

What the standard indexes cannot carry is the outcome.  A pread() or
pwrite() returns a count or an errno, ism-vfio-pci 0, -EIO or -ENXIO.
A VMM on the intercept path (nested guests, interpretation switched off,
emulation) has to give the guest what the instruction gave the host,
because the guest's own error handling runs on it:

- cc 1 with status 8 (function in error) or 12 (blocked) is what starts
  the guest's own zPCI error recovery.  Since 7.3 the VMM learns the
  host's error state through VFIO_DEVICE_FEATURE_ZPCI_ERROR; with the
  exact cc and status it reflects that event to the guest at the
  instruction that ran into it, instead of an -EIO it cannot tell from a
  handle that went away (cc 3) or from memory space switched off.
- cc 2 (busy) goes back to the guest, which retries as Linux does,
  instead of a host CPU spinning in __zpci_store_block().
- an operand or specification exception is what the guest's exception
  handling sees on real hardware, with its code.

Why not a device feature or an ioctl

It could be one, and the list may prefer it.  It would be a
VFIO_DEVICE_FEATURE_ZPCI_INSN: SET with one in/out payload (op, BAR,
length, offset and the store data in; cc, status, program-interruption
code, flags and the load data out), argsz-versioned, found with
VFIO_DEVICE_FEATURE_PROBE and announced by a flag in the
VFIO_DEVICE_INFO_CAP_ZPCI_GROUP capability, and implemented in
vfio_pci_zdev.c so that vfio-pci, ism-vfio-pci and every other zPCI
driver offer it.  The user pointers inside a write() would become
ordinary ioctl arguments, and the documentation's argument about
positioned writes would go away.

This series keeps the region because it needs nothing from
vfio-pci-core (no ioctl, no change to vfio_pci_zdev.c), because
discovery and the description of the function come with the region-info
capability every VMM already walks, and because a VMM's intercept path
already turns BAR accesses into pwrite()s on the device fd.  Request and
response are fixed-size and grow by size only ("How the ABI grows" in
the documentation), so they can become that feature's payload unchanged.
If the list prefers the feature, the next version will be that, in
vfio_pci_zdev.c, and this driver shrinks to its ISM part.

Dynamic region offsets in vfio-pci-core, which Jason proposed in the
ism-vfio-pci thread [5], would give ISM's BAR0 a place in vfio-pci-core's
own layout; they solve the addressing, not the outcome.

What this driver fixes that ism-vfio-pci lacks

On an ISM function: every instruction is issued under memory_lock with
the memory-enabled and D3 check (ism-vfio-pci checks neither, and can
race with resets), inside runtime PM; cc 2 is EBUSY, not a busy loop;
the errnos are ism-vfio-pci's (ENXIO, EIO) plus EBUSY and EACCES, each
documented; the MSI-X table is refused; VFIO_DEVICE_IOEVENTFD is refused
instead of taking vfio-pci-core's MIO path.  Each of these could also go to ism-vfio-pci as a fix, and one ISM
driver is what the list will want in the end: if the region is accepted,
its ISM part can move into ism-vfio-pci, or this driver can drop ISM from
its ID table.  Both bind ISM only through driver_override today.

Testing, and what is left out

KUnit (patch 3) runs against a fake instruction layer only.  The suites
that issue real instructions are not in the series: KUnit must not touch
hardware, and the kselftests (patch 4) issue real instructions from a
VFIO process instead.  All results come from s390x guests under QEMU TCG
with this series applied to 7.3, the driver built as a module (it also
builds =y): virtio functions under the strict rules, an emulated ISM
function under the relaxed ones.  Nothing ran on real ISM hardware, on a
host with MIO or in a nested KVM guest on real hardware.  Open s390
questions: is handle-based BAR access permitted on a MIO-enabled
function, and does it need ordering against MIO stores?  QEMU patches
that use the region on the intercept path exist but are not posted
yet.

The instruction layer (insn.c) is the driver's own for now; non-retrying,
outcome-returning helpers in arch/s390/pci/pci_insn.c would be the
better home.

[1] $RFC_2020
[2] $V1_2021
    $REGION_2021
[3] $ALEX_2021
    $ALEX_2021B
[4] ism-vfio-pci v1 to v8:
    $ISM_V1
    $ISM_V2
    $ISM_V3
    $ISM_V4
    $ISM_V5
    $ISM_V6
    $ISM_V7
    $ISM_V8
[5] $JASON_DYN
    $ALEX_V8
EOF
)"
gen="$work/out"
git -C "$work" format-patch -q --rfc --cover-letter \
	--cover-from-description=auto --zero-commit --no-signature \
	--base=HEAD~4 -o "$gen" HEAD~4..HEAD
# the base is the scratch commit of the target's files: name the tree
sed -i "s/^base-commit: .*/base-commit: $(basename "$KSRC") (Debian source)/" \
	"$gen/0000-cover-letter.patch"

series_deliver mkseries "$gen" "$OUT" "$check"
