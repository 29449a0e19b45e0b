// SPDX-License-Identifier: GPL-2.0
/*
 * zPCI I/O requests: validation and issue, independent of VFIO and of
 * user memory so that KUnit can drive every rule with a fake instruction
 * layer.
 */
#include <linux/align.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/minmax.h>
#include <linux/pci.h>
#include <kunit/visibility.h>
#include <asm/pci.h>
#include <asm/pci_io.h>

#include "zpci_io.h"

static bool zpci_io_any_nonzero(const u32 *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i])
			return true;
	return false;
}

/*
 * PCILG/PCISTG: 1, 2, 4 or 8 bytes inside one doubleword.  The instruction
 * defines no other rule, so an access that is not naturally aligned but
 * stays inside its doubleword (2 bytes at offset 1) is issued as given, and
 * the function's answer is reported; vfio's standard BAR path would split
 * it into naturally aligned accesses instead.
 */
static int zpci_io_check_single(const struct vfio_zpci_io_req *req)
{
	switch (req->len) {
	case 1:
	case 2:
	case 4:
	case 8:
		break;
	default:
		return -EINVAL;
	}
	if ((req->offset & 7) + req->len > 8)
		return -EINVAL;
	return 0;
}

static int zpci_io_check_block(const struct zpci_io_fn *fn,
			       const struct vfio_zpci_io_req *req)
{
	if (req->len > fn->maxstbl)
		return -EINVAL;
	if ((req->offset & ZPCI_BOUNDARY_MASK) + req->len > ZPCI_BOUNDARY_SIZE)
		return -EINVAL;
	if (fn->relaxed)
		return req->len ? 0 : -EINVAL;
	if (req->len <= 8 || !IS_ALIGNED(req->len, 8) ||
	    !IS_ALIGNED(req->offset, 8))
		return -EINVAL;
	return 0;
}

/**
 * zpci_io_fn_limits() - PCISTB rules of a function
 * @fn: receives @relaxed and @maxstbl
 * @pft: PCI function type reported by CLP
 * @maxstbl: maximum store-block length its function group reports
 *
 * ISM (PFT 5) gets the relaxed length and alignment rules.  Every function
 * gets its group's maxstbl, capped at one 4 KiB block (no PCISTB crosses a
 * 4 KiB boundary), exactly the limit ism-vfio-pci applies: the firmware's
 * value is honoured, nothing in the public record says it is wrong.
 */
void zpci_io_fn_limits(struct zpci_io_fn *fn, u8 pft, u16 maxstbl)
{
	fn->relaxed = pft == PCI_FUNC_TYPE_ISM;
	fn->maxstbl = min_t(u16, maxstbl, ZPCI_BOUNDARY_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(zpci_io_fn_limits);

/**
 * zpci_io_check_access() - check one instruction against the function
 * @fn: the function's address spaces and limits
 * @req: the instruction: @req->op, @req->pcias, @req->offset, @req->len
 *
 * The rules every path that issues an instruction shares, the region's
 * requests and the BAR regions of an ISM function alike: address space,
 * operation, length and alignment, range (-EINVAL), then the MSI-X table
 * (-EACCES).
 *
 * Return: 0 if the instruction may be issued, else the negative errno.
 */
int zpci_io_check_access(const struct zpci_io_fn *fn,
			 const struct vfio_zpci_io_req *req)
{
	u64 size;
	int ret;

	if (req->pcias >= VFIO_ZPCI_IO_NUM_BARS)
		return -EINVAL;
	size = fn->bar_size[req->pcias];
	if (!size)
		return -EINVAL;

	switch (req->op) {
	case VFIO_ZPCI_IO_OP_PCILG:
	case VFIO_ZPCI_IO_OP_PCISTG:
		ret = zpci_io_check_single(req);
		break;
	case VFIO_ZPCI_IO_OP_PCISTB:
		ret = zpci_io_check_block(fn, req);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret)
		return ret;

	/* len <= 4096 here, so only the offset can overflow */
	if (req->offset >= size || req->len > size - req->offset)
		return -EINVAL;

	if (req->pcias == fn->msix_bar && fn->msix_size &&
	    req->offset < (u64)fn->msix_offset + fn->msix_size &&
	    req->offset + req->len > fn->msix_offset)
		return -EACCES;

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zpci_io_check_access);

/**
 * zpci_io_validate() - check a request against the function's rules
 * @fn: the function's address spaces and limits
 * @req: the request as userspace wrote it
 *
 * The checks run in the documented order, so a request that breaks several
 * rules gets the errno of the first: -EINVAL for a malformed request
 * (flags and reserved fields, a load naming a data buffer, then
 * zpci_io_check_access()'s address space, operation, length and alignment,
 * range), then -EACCES when it touches the MSI-X table, then -EFAULT when
 * it names no response.
 *
 * Return: 0 if the request may be issued, else the negative errno.
 */
int zpci_io_validate(const struct zpci_io_fn *fn,
		     const struct vfio_zpci_io_req *req)
{
	int ret;

	if (req->flags ||
	    zpci_io_any_nonzero(req->reserved, ARRAY_SIZE(req->reserved)))
		return -EINVAL;
	/* the loaded bytes travel in the response */
	if (req->op == VFIO_ZPCI_IO_OP_PCILG && req->data)
		return -EINVAL;
	ret = zpci_io_check_access(fn, req);
	if (ret)
		return ret;
	if (!req->resp)
		return -EFAULT;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zpci_io_validate);

/**
 * zpci_io_check_write() - the request area's size rule
 * @pos: region offset of the write
 * @count: bytes written
 * @req_size: the largest request this kernel understands (header.req_size)
 *
 * A request is one write at VFIO_ZPCI_IO_REQ_OFFSET of at least
 * VFIO_ZPCI_IO_REQ_SIZE_V1 and at most @req_size bytes; the fields a
 * shorter write leaves out read as zero.  A consumer built for a larger
 * request writes no more than the header's req_size, so every consumer
 * talks to every kernel with the fields both know.
 *
 * Return: 0 or -EINVAL.
 */
int zpci_io_check_write(loff_t pos, size_t count, size_t req_size)
{
	if (pos != VFIO_ZPCI_IO_REQ_OFFSET ||
	    count < VFIO_ZPCI_IO_REQ_SIZE_V1 || count > req_size)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zpci_io_check_write);

/**
 * zpci_io_outcome_errno() - the errno a BAR access reports for an outcome
 * @resp: the outcome of the one instruction the access issued
 *
 * The BAR regions of an ISM function report what ism-vfio-pci reports
 * (-ENXIO for a program exception, -EIO for cc 1 and cc 3) and, where
 * ism-vfio-pci retries forever, -EBUSY for cc 2.
 *
 * Return: 0 for cc 0, else the negative errno.
 */
int zpci_io_outcome_errno(const struct vfio_zpci_io_resp *resp)
{
	if (resp->flags & VFIO_ZPCI_IO_RESP_EXCEPTION)
		return -ENXIO;
	switch (resp->cc) {
	case 0:
		return 0;
	case 2:
		return -EBUSY;
	default:
		return -EIO;
	}
}
EXPORT_SYMBOL_IF_KUNIT(zpci_io_outcome_errno);

/**
 * zpci_io_issue() - issue one validated request as one instruction
 * @ops: instruction layer
 * @fh: the function handle, read once for this request; a disabled one
 *      gets cc 3 from the instruction itself
 * @req: a request zpci_io_validate() or zpci_io_check_access() accepted
 * @src: PCISTG/PCISTB: the @req->len bytes to store (PCISTB: 8-byte
 *       aligned, not crossing a page); unused for PCILG
 * @resp: receives the outcome and a load's bytes; every byte is written
 */
void zpci_io_issue(const struct zpci_io_insn_ops *ops, u32 fh,
		   const struct vfio_zpci_io_req *req, const u8 *src,
		   struct vfio_zpci_io_resp *resp)
{
	u64 reqreg = ZPCI_CREATE_REQ(fh, req->pcias, req->len);
	struct zpci_io_outcome out = { };
	u64 val = 0;
	int i;

	memset(resp, 0, sizeof(*resp));
	switch (req->op) {
	case VFIO_ZPCI_IO_OP_PCILG:
		ops->pcilg(reqreg, req->offset, &val, &out);
		/* only a completed load (cc 0) hands back register contents */
		if (out.cc || out.exception)
			break;
		/* the rightmost len bytes of the register, big-endian */
		for (i = 0; i < req->len; i++)
			resp->data[i] = val >> (8 * (req->len - 1 - i));
		break;
	case VFIO_ZPCI_IO_OP_PCISTG:
		for (i = 0; i < req->len; i++)
			val = (val << 8) | src[i];
		ops->pcistg(reqreg, req->offset, val, &out);
		break;
	case VFIO_ZPCI_IO_OP_PCISTB:
		ops->pcistb(reqreg, req->offset, src, &out);
		break;
	}

	if (out.exception) {
		resp->flags = VFIO_ZPCI_IO_RESP_EXCEPTION;
		resp->pic = out.pic;
	} else {
		/* a status is only ever stored with a non-zero cc */
		resp->cc = out.cc;
		resp->status = out.cc ? out.status : 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(zpci_io_issue);

/**
 * zpci_io_fill_header() - describe a function to userspace
 * @fn: the function's address spaces and limits
 * @pft: PCI function type
 * @hdr: receives the header; every byte is written
 */
void zpci_io_fill_header(const struct zpci_io_fn *fn, u8 pft,
			 struct vfio_zpci_io_header *hdr)
{
	int i;

	memset(hdr, 0, sizeof(*hdr));
	hdr->version = VFIO_ZPCI_IO_VERSION;
	hdr->flags = VFIO_ZPCI_IO_HDR_NON_MIO;
	if (fn->relaxed)
		hdr->flags |= VFIO_ZPCI_IO_HDR_RELAXED;
	hdr->ops = BIT(VFIO_ZPCI_IO_OP_PCILG) | BIT(VFIO_ZPCI_IO_OP_PCISTG) |
		   BIT(VFIO_ZPCI_IO_OP_PCISTB);
	hdr->hdr_size = sizeof(*hdr);
	hdr->req_offset = VFIO_ZPCI_IO_REQ_OFFSET;
	hdr->req_size = sizeof(struct vfio_zpci_io_req);
	hdr->resp_size = sizeof(struct vfio_zpci_io_resp);
	hdr->maxstbl = fn->maxstbl;
	hdr->pft = pft;
	for (i = 0; i < VFIO_ZPCI_IO_NUM_BARS; i++)
		hdr->bar_size[i] = fn->bar_size[i];
	hdr->msix_bar = fn->msix_bar;
	if (fn->msix_bar != ZPCI_IO_NO_MSIX) {
		hdr->flags |= VFIO_ZPCI_IO_HDR_MSIX;
		hdr->msix_offset = fn->msix_offset;
		hdr->msix_size = fn->msix_size;
	}
}
EXPORT_SYMBOL_IF_KUNIT(zpci_io_fill_header);
