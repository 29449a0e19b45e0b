/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpci-io-vfio-pci internal interfaces: the instruction seam, request
 * validation and issue, shared by the driver and its KUnit tests.
 */
#ifndef ZPCI_IO_H
#define ZPCI_IO_H

#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <linux/vfio_zpci_io.h>

#ifdef ZPCI_IO_OUT_OF_TREE
#include "compat.h"
#endif

#define ZPCI_IO_NO_MSIX		0xff

/**
 * struct zpci_io_outcome - what one instruction did
 * @cc: condition code 0-3 (undefined with @exception)
 * @status: status byte from the request register
 * @pic: program-interruption code when @exception
 * @exception: the instruction raised a program exception (fixed up)
 */
struct zpci_io_outcome {
	u8 cc;
	u8 status;
	u16 pic;
	bool exception;
};

/**
 * struct zpci_io_insn_ops - the instruction layer; KUnit replaces it
 * @pcilg: PCI Load; @data receives the register (rightmost len bytes)
 * @pcistg: PCI Store of the rightmost len bytes of @data
 * @pcistb: PCI Store Block of len bytes from the 8-byte aligned @data
 *
 * @req is ZPCI_CREATE_REQ(fh, pcias, len).  Each call issues exactly one
 * non-MIO instruction, never retries, and always fills @out.
 */
struct zpci_io_insn_ops {
	void (*pcilg)(u64 req, u64 offset, u64 *data,
		      struct zpci_io_outcome *out);
	void (*pcistg)(u64 req, u64 offset, u64 data,
		       struct zpci_io_outcome *out);
	void (*pcistb)(u64 req, u64 offset, const void *data,
		       struct zpci_io_outcome *out);
};

extern const struct zpci_io_insn_ops zpci_io_hw_insn_ops;

/**
 * struct zpci_io_fn - what request validation needs to know of a function
 * @bar_size: size of memory BAR n, 0 if it cannot be addressed
 * @maxstbl: maximum PCISTB length
 * @relaxed: PCISTB relaxed length/alignment rules apply (ISM)
 * @msix_bar: BAR of the MSI-X table or ZPCI_IO_NO_MSIX
 * @msix_offset: offset of the MSI-X table in @msix_bar
 * @msix_size: size of the MSI-X table
 */
struct zpci_io_fn {
	u64 bar_size[VFIO_ZPCI_IO_NUM_BARS];
	u16 maxstbl;
	bool relaxed;
	u8 msix_bar;
	u32 msix_offset;
	u32 msix_size;
};

void zpci_io_fn_limits(struct zpci_io_fn *fn, u8 pft, u16 maxstbl);
int zpci_io_check_access(const struct zpci_io_fn *fn,
			 const struct vfio_zpci_io_req *req);
int zpci_io_validate(const struct zpci_io_fn *fn,
		     const struct vfio_zpci_io_req *req);
int zpci_io_check_write(loff_t pos, size_t count, size_t req_size);
int zpci_io_outcome_errno(const struct vfio_zpci_io_resp *resp);
void zpci_io_issue(const struct zpci_io_insn_ops *ops, u32 fh,
		   const struct vfio_zpci_io_req *req, const u8 *src,
		   struct vfio_zpci_io_resp *resp);
void zpci_io_fill_header(const struct zpci_io_fn *fn, u8 pft,
			 struct vfio_zpci_io_header *hdr);

/*
 * A PCISTB bounce buffer.  Requests pick a slot by the CPU they start on,
 * so concurrent callers rarely share one; no device-wide lock exists.
 */
struct zpci_io_slot {
	struct mutex lock;	/* owns @buf for one request */
	void *buf;		/* one zeroed page: 8-byte aligned, no 4 KiB crossing */
};

/* The open state of a device: the zPCI I/O region's data */
struct zpci_io_region {
	struct zpci_io_fn fn;
	struct vfio_zpci_io_header hdr;
	const struct zpci_io_insn_ops *ops;
	unsigned int nr_slots;
	struct zpci_io_slot slots[];
};

/**
 * struct zpci_io_device - a function bound to zpci-io-vfio-pci
 * @core: vfio-pci-core's device
 * @zr: the zPCI I/O region's data while the device is open, else NULL
 */
struct zpci_io_device {
	struct vfio_pci_core_device core;
	struct zpci_io_region *zr;
};

static inline struct zpci_io_device *
to_zpci_io_device(struct vfio_pci_core_device *vdev)
{
	return container_of(vdev, struct zpci_io_device, core);
}

int zpci_io_fetch_block(struct zpci_io_region *zr, const u8 __user *src,
			u16 len, struct zpci_io_slot **slotp);
int zpci_io_run(struct vfio_pci_core_device *vdev, struct zpci_io_region *zr,
		const struct vfio_zpci_io_req *req, const u8 *src,
		struct vfio_zpci_io_resp *resp);

ssize_t zpci_io_ism_read(struct vfio_device *core_vdev, char __user *buf,
			 size_t count, loff_t *ppos);
ssize_t zpci_io_ism_write(struct vfio_device *core_vdev,
			  const char __user *buf, size_t count, loff_t *ppos);
int zpci_io_ism_get_region_info_caps(struct vfio_device *core_vdev,
				     struct vfio_region_info *info,
				     struct vfio_info_cap *caps);
long zpci_io_ism_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
		       unsigned long arg);

#endif /* ZPCI_IO_H */
