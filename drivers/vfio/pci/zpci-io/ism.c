// SPDX-License-Identifier: GPL-2.0
/*
 * The standard regions of an ISM function (PCI function type 5).
 *
 * ISM's BAR0 is 256 TiB, larger than the 1 TiB per region that
 * vfio-pci-core's offset layout (index << 40) gives, and ISM takes BAR
 * writes only as PCI Store Block, never split and never as MIO.  So an ISM
 * function gets the layout ism-vfio-pci defines: region index << 48 for
 * config space, BAR0-5 and the device-specific regions (the zPCI I/O region
 * among them), each with its real size, READ|WRITE, never mmap.
 *
 * - A BAR write is exactly one non-MIO PCISTB of the written bytes (at most
 *   the function group's maxstbl, not crossing a 4 KiB boundary, ISM's
 *   relaxed length and alignment rules), truncated at the BAR's end.
 * - A BAR read is a sequence of naturally aligned non-MIO PCILGs of 8, 4, 2
 *   or 1 bytes, the same sequence ism-vfio-pci issues.
 * - Config space and the device-specific regions are vfio-pci-core's; only
 *   their offsets move.
 * - VFIO_DEVICE_IOEVENTFD is refused: vfio-pci-core would decode its offset
 *   in the 40-bit layout and write through ioremap (MIO or split stores).
 *
 * Beyond ism-vfio-pci, each instruction is issued under memory_lock with
 * memory space enabled and the device out of D3, the MSI-X table is
 * refused, a busy function (cc 2) is reported instead of retried, and the
 * zPCI I/O region reports every instruction's exact outcome.
 */
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/pm_runtime.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <asm/pci_io.h>

#include "zpci_io.h"

#define ZPCI_IO_ISM_OFFSET_SHIFT	48
#define ZPCI_IO_ISM_INDEX_TO_OFFSET(index) \
	((u64)(index) << ZPCI_IO_ISM_OFFSET_SHIFT)
#define ZPCI_IO_ISM_OFFSET_TO_INDEX(off)	((off) >> ZPCI_IO_ISM_OFFSET_SHIFT)
#define ZPCI_IO_ISM_OFFSET_MASK		(ZPCI_IO_ISM_INDEX_TO_OFFSET(1) - 1)

/* One PCISTB of the whole write: the instruction ISM takes stores as */
static ssize_t zpci_io_ism_bar_write(struct vfio_pci_core_device *vdev,
				     struct zpci_io_region *zr, u8 bar,
				     u64 pos, const char __user *buf,
				     size_t count)
{
	struct vfio_zpci_io_req req = {
		.op = VFIO_ZPCI_IO_OP_PCISTB, .pcias = bar, .offset = pos,
	};
	struct vfio_zpci_io_resp resp;
	struct zpci_io_slot *slot;
	int ret;

	if (count > ZPCI_BOUNDARY_SIZE)
		return -EINVAL;
	req.len = count;
	ret = zpci_io_check_access(&zr->fn, &req);
	if (ret)
		return ret;
	ret = zpci_io_fetch_block(zr, (const u8 __user *)buf, req.len, &slot);
	if (ret)
		return ret;
	ret = zpci_io_run(vdev, zr, &req, slot->buf, &resp);
	mutex_unlock(&slot->lock);
	if (!ret)
		ret = zpci_io_outcome_errno(&resp);
	return ret ? ret : count;
}

/* Naturally aligned PCILGs, widest first, as ism-vfio-pci issues them */
static ssize_t zpci_io_ism_bar_read(struct vfio_pci_core_device *vdev,
				    struct zpci_io_region *zr, u8 bar,
				    u64 pos, char __user *buf, size_t count)
{
	struct vfio_zpci_io_req req = {
		.op = VFIO_ZPCI_IO_OP_PCILG, .pcias = bar,
	};
	struct vfio_zpci_io_resp resp;
	size_t done = 0;
	int ret;

	while (done < count) {
		req.offset = pos + done;
		for (req.len = 8; req.len > 1; req.len >>= 1)
			if (count - done >= req.len &&
			    IS_ALIGNED(req.offset, req.len))
				break;
		ret = zpci_io_check_access(&zr->fn, &req);
		if (!ret)
			ret = zpci_io_run(vdev, zr, &req, NULL, &resp);
		if (!ret)
			ret = zpci_io_outcome_errno(&resp);
		if (!ret && copy_to_user(buf + done, resp.data, req.len))
			ret = -EFAULT;
		if (ret)
			return ret;
		done += req.len;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return done;
}

static ssize_t zpci_io_ism_bar_rw(struct vfio_pci_core_device *vdev,
				  char __user *buf, size_t count, loff_t *ppos,
				  bool iswrite)
{
	struct zpci_io_region *zr = to_zpci_io_device(vdev)->zr;
	u8 bar = ZPCI_IO_ISM_OFFSET_TO_INDEX(*ppos);
	u64 pos = *ppos & ZPCI_IO_ISM_OFFSET_MASK;
	u64 size = zr->fn.bar_size[bar];
	ssize_t ret;

	if (!size || pos >= size)
		return -EINVAL;
	count = min_t(u64, count, size - pos);

	/* vfio_pci_rw() does the same for every region vfio-pci-core owns */
	ret = pm_runtime_resume_and_get(&vdev->pdev->dev);
	if (ret)
		return -EIO;
	if (iswrite)
		ret = zpci_io_ism_bar_write(vdev, zr, bar, pos, buf, count);
	else
		ret = zpci_io_ism_bar_read(vdev, zr, bar, pos, buf, count);
	pm_runtime_put(&vdev->pdev->dev);

	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t zpci_io_ism_rw(struct vfio_device *core_vdev, char __user *buf,
			      size_t count, loff_t *ppos, bool iswrite)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	unsigned int index = ZPCI_IO_ISM_OFFSET_TO_INDEX(*ppos);
	u64 pos = *ppos & ZPCI_IO_ISM_OFFSET_MASK;
	loff_t off;
	ssize_t ret;

	if (!count)
		return 0;
	if (index <= VFIO_PCI_BAR5_REGION_INDEX)
		return zpci_io_ism_bar_rw(vdev, buf, count, ppos, iswrite);

	/* config space and the device-specific regions: vfio-pci-core's */
	if (index != VFIO_PCI_CONFIG_REGION_INDEX &&
	    (index < VFIO_PCI_NUM_REGIONS ||
	     index >= VFIO_PCI_NUM_REGIONS + vdev->num_regions))
		return -EINVAL;
	if (pos > VFIO_PCI_OFFSET_MASK)
		return -EINVAL;
	off = VFIO_PCI_INDEX_TO_OFFSET(index) | pos;
	if (iswrite)
		ret = vfio_pci_core_write(core_vdev, buf, count, &off);
	else
		ret = vfio_pci_core_read(core_vdev, buf, count, &off);
	if (ret > 0)
		*ppos += ret;
	return ret;
}

ssize_t zpci_io_ism_read(struct vfio_device *core_vdev, char __user *buf,
			 size_t count, loff_t *ppos)
{
	return zpci_io_ism_rw(core_vdev, buf, count, ppos, false);
}

ssize_t zpci_io_ism_write(struct vfio_device *core_vdev,
			  const char __user *buf, size_t count, loff_t *ppos)
{
	return zpci_io_ism_rw(core_vdev, (char __user *)buf, count, ppos, true);
}

/**
 * zpci_io_ism_get_region_info_caps() - VFIO_DEVICE_GET_REGION_INFO for ISM
 * @core_vdev: the device
 * @info: index in, offset/size/flags out
 * @caps: receives a device-specific region's type capability
 *
 * Config space and BAR0-5 as ism-vfio-pci reports them; the ROM and VGA
 * indexes do not exist (-EINVAL, as with ism-vfio-pci); a device-specific
 * region (the zPCI I/O region) as vfio-pci-core reports it, at its offset
 * in this layout.
 *
 * Return: 0 or a negative errno.
 */
int zpci_io_ism_get_region_info_caps(struct vfio_device *core_vdev,
				     struct vfio_region_info *info,
				     struct vfio_info_cap *caps)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	struct vfio_region_info_cap_type cap_type = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
	};
	struct pci_dev *pdev = vdev->pdev;
	unsigned int i;

	info->offset = ZPCI_IO_ISM_INDEX_TO_OFFSET(info->index);
	switch (info->index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info->size = pdev->cfg_size;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		info->size = pci_resource_len(pdev, info->index);
		info->flags = info->size ? VFIO_REGION_INFO_FLAG_READ |
					   VFIO_REGION_INFO_FLAG_WRITE : 0;
		return 0;
	}

	if (info->index < VFIO_PCI_NUM_REGIONS ||
	    info->index >= VFIO_PCI_NUM_REGIONS + vdev->num_regions) {
		info->offset = 0;
		info->size = 0;
		info->flags = 0;
		return -EINVAL;
	}
	i = info->index - VFIO_PCI_NUM_REGIONS;
	info->size = vdev->region[i].size;
	info->flags = vdev->region[i].flags;
	cap_type.type = vdev->region[i].type;
	cap_type.subtype = vdev->region[i].subtype;
	return vfio_info_add_capability(caps, &cap_type.header,
					sizeof(cap_type));
}

/**
 * zpci_io_ism_ioctl() - vfio-pci-core's ioctls, without the BAR ioeventfd
 * @core_vdev: the device
 * @cmd: the ioctl
 * @arg: its argument
 *
 * Return: -EINVAL for VFIO_DEVICE_IOEVENTFD, else vfio_pci_core_ioctl()'s.
 */
long zpci_io_ism_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
		       unsigned long arg)
{
	if (cmd == VFIO_DEVICE_IOEVENTFD)
		return -EINVAL;
#ifndef ZPCI_IO_HAVE_GET_REGION_INFO_CAPS
	if (cmd == VFIO_DEVICE_GET_REGION_INFO)
		return zpci_io_compat_get_region_info(core_vdev,
						      (void __user *)arg,
						      zpci_io_ism_get_region_info_caps);
#endif
	return vfio_pci_core_ioctl(core_vdev, cmd, arg);
}
