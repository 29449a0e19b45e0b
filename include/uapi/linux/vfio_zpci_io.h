/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * VFIO zPCI I/O region: issue exactly one non-MIO PCI Load (PCILG),
 * PCI Store (PCISTG) or PCI Store Block (PCISTB) instruction per request
 * on the function handle of an s390 PCI function bound to a VFIO variant
 * driver, and report the instruction's exact outcome.
 *
 * Discovery: VFIO_DEVICE_GET_REGION_INFO, capability
 * VFIO_REGION_INFO_CAP_TYPE with type
 * (VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_IBM) and subtype
 * VFIO_REGION_SUBTYPE_IBM_ZPCI_IO.  The region is READ|WRITE, never mmap.
 *
 * Layout of the region (offsets relative to the region's offset):
 *
 *   [0, hdr_size)                  struct vfio_zpci_io_header: readable
 *                                  (any part of it), never writable
 *   [hdr_size, req_offset)         neither readable nor writable
 *   [req_offset, req_offset + req_size)
 *                                  writable, one request per write
 *                                  starting at req_offset; never readable
 *
 * The region's flags say READ|WRITE because it has a readable and a
 * writable part; every read or write outside those parts fails with
 * EINVAL.
 *
 * How the ABI grows (one rule for each of the three structures):
 *
 * - Header: a later kernel appends fields and raises hdr_size; bits in
 *   flags and ops announce what the new fields mean.  A consumer reads
 *   min(hdr_size, its own sizeof(struct vfio_zpci_io_header)) bytes and
 *   treats fields it did not get as zero.  hdr_size is at least
 *   VFIO_ZPCI_IO_HDR_SIZE_V1.
 * - Request: req_size is the largest request the kernel understands, at
 *   least VFIO_ZPCI_IO_REQ_SIZE_V1.  The kernel accepts a write of any
 *   size from VFIO_ZPCI_IO_REQ_SIZE_V1 to req_size and reads the fields a
 *   shorter write leaves out as zero; a consumer writes
 *   min(req_size, its own sizeof(struct vfio_zpci_io_req)) bytes.  So an
 *   older consumer on a newer kernel gets exactly the old behaviour, and a
 *   newer consumer on an older kernel uses only what that kernel
 *   announces.
 * - Response: a request gets exactly resp_size (VFIO_ZPCI_IO_RESP_SIZE_V1)
 *   bytes.  A later, larger response is written only for a request that
 *   asks for it with a request flag an older kernel refuses (flags must be
 *   zero today), so no consumer ever receives more than it asked for.
 *
 * version is the header's revision (1).  Nothing is decided by it: a
 * consumer requires version >= 1 and uses what sizes, flags and ops
 * announce.
 *
 * Copyright IBM Corp. and the zpci-io-vfio-pci authors
 */
#ifndef _UAPI_LINUX_VFIO_ZPCI_IO_H
#define _UAPI_LINUX_VFIO_ZPCI_IO_H

#include <linux/types.h>

#ifndef VFIO_REGION_SUBTYPE_IBM_ZPCI_IO
/* under VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_IBM (0x1014) */
#define VFIO_REGION_SUBTYPE_IBM_ZPCI_IO		(2)
#endif

/* ABI version reported in vfio_zpci_io_header.version */
#define VFIO_ZPCI_IO_VERSION			1

/* Sizes of the first revision: the least any kernel reports or accepts. */
#define VFIO_ZPCI_IO_HDR_SIZE_V1		128
#define VFIO_ZPCI_IO_REQ_SIZE_V1		48
#define VFIO_ZPCI_IO_RESP_SIZE_V1		16

/* Region offset of the request area; fixed for every ABI version. */
#define VFIO_ZPCI_IO_REQ_OFFSET			0x100

/* Operations (vfio_zpci_io_req.op); header.ops has bit (1 << op) set. */
#define VFIO_ZPCI_IO_OP_PCILG			1
#define VFIO_ZPCI_IO_OP_PCISTG			2
#define VFIO_ZPCI_IO_OP_PCISTB			3

/*
 * vfio_zpci_io_header.flags
 *
 * NON_MIO: the operations are issued as non-MIO instructions on the
 * function handle.  Every version-1 kernel sets it for every function; it
 * is a per-function statement so that a later kernel can offer the region
 * on a function where handle-based BAR access is not permitted (with other
 * operations) without a consumer that needs non-MIO (ISM) mistaking it.
 */
#define VFIO_ZPCI_IO_HDR_NON_MIO		(1U << 0)
/* PCISTB follows the relaxed length/alignment rules (ISM, PFT 5). */
#define VFIO_ZPCI_IO_HDR_RELAXED		(1U << 1)
/* The function has an MSI-X table: msix_bar/offset/size are valid. */
#define VFIO_ZPCI_IO_HDR_MSIX			(1U << 2)

/* Number of address spaces a request can name: BAR 0-5. */
#define VFIO_ZPCI_IO_NUM_BARS			6

/**
 * struct vfio_zpci_io_header - read-only description of the function
 * @version: header revision, VFIO_ZPCI_IO_VERSION (see "How the ABI grows").
 * @flags: VFIO_ZPCI_IO_HDR_* bits.
 * @ops: bit (1 << VFIO_ZPCI_IO_OP_*) set for each supported operation.
 * @hdr_size: size of this header in bytes (>= VFIO_ZPCI_IO_HDR_SIZE_V1);
 *            reads beyond it fail.
 * @req_offset: region offset where requests are written
 *              (VFIO_ZPCI_IO_REQ_OFFSET).
 * @req_size: the largest request write the kernel accepts
 *            (>= VFIO_ZPCI_IO_REQ_SIZE_V1); see "How the ABI grows".
 * @maxstbl: maximum PCISTB length in bytes for this function: its function
 *           group's maxstbl, at most 4096.
 * @pft: PCI function type reported by firmware (5 = ISM).
 * @pad0: zero.
 * @resp_size: size of the response a request gets
 *             (VFIO_ZPCI_IO_RESP_SIZE_V1).
 * @bar_size: size in bytes of memory BAR n; 0 if BAR n is absent, an I/O
 *            BAR, or the upper half of a 64-bit BAR.  Only address spaces
 *            with a non-zero size can be named by a request.
 * @msix_bar: BAR holding the MSI-X table (valid with VFIO_ZPCI_IO_HDR_MSIX).
 * @pad2: zero.
 * @msix_offset: offset of the MSI-X table inside @msix_bar.
 * @msix_size: size of the MSI-X table; requests touching
 *             [@msix_offset, @msix_offset + @msix_size) are refused.
 * @pad3: zero.
 * @reserved: zero.
 */
struct vfio_zpci_io_header {
	__u32 version;
	__u32 flags;
	__u32 ops;
	__u32 hdr_size;
	__u32 req_offset;
	__u32 req_size;
	__u16 maxstbl;
	__u8  pft;
	__u8  pad0;
	__u32 resp_size;
	__u64 bar_size[VFIO_ZPCI_IO_NUM_BARS];
	__u8  msix_bar;
	__u8  pad2[3];
	__u32 msix_offset;
	__u32 msix_size;
	__u32 pad3;
	__u64 reserved[4];
};

/**
 * struct vfio_zpci_io_req - one instruction, submitted by one pwrite()
 * @flags: must be zero (reserved for extensions).
 * @op: VFIO_ZPCI_IO_OP_*.
 * @pcias: PCI address space: memory BAR 0-5.  Config space (15) and I/O
 *         BARs are refused; config access stays on vfio's virtualised path.
 * @len: number of bytes.  PCILG/PCISTG: 1, 2, 4 or 8 inside one doubleword;
 *       not necessarily naturally aligned (2 bytes at @offset 1 is issued
 *       as given and the function answers it).
 *       PCISTB strict: multiple of 8, 8 < @len <= maxstbl, @offset 8-aligned;
 *       PCISTB relaxed: 1 <= @len <= maxstbl.  PCISTB never crosses a
 *       4 KiB boundary of the BAR.
 * @offset: offset inside the BAR; @offset + @len <= bar_size[@pcias].
 * @data: PCISTG/PCISTB: user address of the @len bytes to store, any
 *        alignment; byte i goes to BAR offset @offset + i, the byte order
 *        of the standard VFIO BAR region.  The kernel only reads it.
 *        PCILG: must be zero (the loaded bytes arrive in the response).
 * @resp: user address of the struct vfio_zpci_io_resp that receives the
 *        outcome; must not be zero.  The only memory a request writes.
 * @reserved: must be zero.
 */
struct vfio_zpci_io_req {
	__u32 flags;
	__u8  op;
	__u8  pcias;
	__u16 len;
	__u64 offset;
	__u64 data;
	__u64 resp;
	__u32 reserved[4];
};

/* vfio_zpci_io_resp.flags */
/* The instruction raised a program exception; @pic says which. */
#define VFIO_ZPCI_IO_RESP_EXCEPTION		(1U << 0)

/* Program-interruption codes reported in vfio_zpci_io_resp.pic */
#define VFIO_ZPCI_IO_PIC_SPECIFICATION		0x0006
#define VFIO_ZPCI_IO_PIC_OPERAND		0x0015

/**
 * struct vfio_zpci_io_resp - outcome of the one instruction a request issued
 * @cc: condition code 0-3; 0 when VFIO_ZPCI_IO_RESP_EXCEPTION is set.
 * @status: status byte the instruction stored in its request register
 *          with a non-zero @cc (meaningful with cc 1, e.g. 12 = function
 *          blocked).  The kernel clears the field before issuing; it is 0
 *          with cc 0 and with VFIO_ZPCI_IO_RESP_EXCEPTION.
 * @pic: program-interruption code (low 7 bits) when the instruction raised
 *       a program exception, e.g. VFIO_ZPCI_IO_PIC_OPERAND; otherwise 0.
 * @flags: VFIO_ZPCI_IO_RESP_* bits.
 * @data: PCILG with cc 0 and no exception: data[i] is the byte at BAR
 *        offset @offset + i for i < @len (the byte order of the standard
 *        VFIO BAR region, which returns the same bytes for a naturally
 *        aligned load); every other byte is zero, and all of @data is
 *        zero for stores and for a load that did not complete.
 *
 * Written in full (all resp_size bytes) exactly when the instruction was
 * issued and the write returns the number of bytes written; never written
 * when the request is refused.  See the documentation for the one case
 * (-ENOTRECOVERABLE) in which the instruction was issued but the response
 * could not be written.
 */
struct vfio_zpci_io_resp {
	__u8  cc;
	__u8  status;
	__u16 pic;
	__u32 flags;
	__u8  data[8];
};

#endif /* _UAPI_LINUX_VFIO_ZPCI_IO_H */
