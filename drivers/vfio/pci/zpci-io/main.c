// SPDX-License-Identifier: GPL-2.0
/*
 * zpci-io-vfio-pci: VFIO PCI variant driver for s390 PCI functions that
 * adds the zPCI I/O region.  Through it userspace (QEMU, or any plain VFIO
 * process) submits PCILG, PCISTG and PCISTB requests, each of which the
 * host issues as exactly one non-MIO instruction on the function handle,
 * returning the exact condition code, status and program exception.
 *
 * Everything else is vfio-pci-core's: config space, IRQs and the zPCI
 * device-info capabilities behave as with vfio-pci, and so do the BAR
 * regions of every function except ISM.  An ISM function (PFT 5) gets the
 * region layout of ism-vfio-pci instead (ism.c): BAR writes as one non-MIO
 * PCISTB, BAR reads as non-MIO PCILGs, every region in its own 48-bit
 * offset range.
 */
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/pci.h>
#include <linux/pci_ids.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <asm/pci.h>

#include "zpci_io.h"

#define ZPCI_IO_MAX_SLOTS	64
#define ZPCI_IO_REGION_SIZE \
	(VFIO_ZPCI_IO_REQ_OFFSET + sizeof(struct vfio_zpci_io_req))

static ssize_t zpci_io_read_header(struct zpci_io_region *zr,
				   char __user *buf, size_t count, loff_t pos)
{
	if (pos < 0 || pos >= sizeof(zr->hdr) ||
	    count > sizeof(zr->hdr) - pos)
		return -EINVAL;
	if (copy_to_user(buf, (u8 *)&zr->hdr + pos, count))
		return -EFAULT;
	return count;
}

/*
 * Fetch a PCISTB's data into a bounce slot and return the slot locked.
 *
 * The slot is held only while its buffer is in use: the source is faulted
 * in (read faults only, nothing is stored) before the slot is taken, and
 * copied with page faults disabled while it is held.  A caller whose data
 * sits on slow or userfaultfd-backed memory therefore waits in
 * fault_in_readable() without holding anything, and never parks other
 * requests behind it.  If the page went away between the two steps, the
 * slot is dropped and the fault-in repeated.
 */
int zpci_io_fetch_block(struct zpci_io_region *zr, const u8 __user *src,
			u16 len, struct zpci_io_slot **slotp)
{
	struct zpci_io_slot *slot;

	for (;;) {
		if (fault_in_readable((const char __user *)src, len))
			return -EFAULT;
		slot = &zr->slots[raw_smp_processor_id() % zr->nr_slots];
		if (mutex_lock_interruptible(&slot->lock))
			return -EINTR;
		if (!copy_from_user_nofault(slot->buf, src, len)) {
			*slotp = slot;
			return 0;
		}
		mutex_unlock(&slot->lock);
		/* the page went away again: no retry past any signal */
		if (signal_pending(current))
			return -EINTR;
		cond_resched();
	}
}

/**
 * zpci_io_run() - issue one checked instruction under memory_lock
 * @vdev: the device
 * @zr: its open state
 * @req: an instruction zpci_io_check_access() accepted
 * @src: the store data (unused for PCILG)
 * @resp: receives the outcome when the instruction was issued
 *
 * Resets and power transitions take memory_lock for write, so the check
 * that memory space is enabled and the device is not in D3 holds for the
 * one instruction.  The function handle is read once: a handle disabled
 * under the open device is issued as it is, and the instruction's cc 3 is
 * the one answer for it.
 *
 * Return: 0 when the instruction was issued, -EIO when memory space is
 * disabled or the device is in D3 (as vfio-pci's BAR access), -EINTR on a
 * fatal signal while waiting for memory_lock.
 */
int zpci_io_run(struct vfio_pci_core_device *vdev, struct zpci_io_region *zr,
		const struct vfio_zpci_io_req *req, const u8 *src,
		struct vfio_zpci_io_resp *resp)
{
	struct zpci_dev *zdev = to_zpci(vdev->pdev);
	int ret;

	ret = down_read_killable(&vdev->memory_lock);
	if (ret)
		return ret;
	lockdep_assert_held(&vdev->memory_lock);
	if (__vfio_pci_memory_enabled(vdev))
		zpci_io_issue(zr->ops, READ_ONCE(zdev->fh), req, src, resp);
	else
		ret = -EIO;
	up_read(&vdev->memory_lock);
	return ret;
}

/*
 * One request: validate, fetch the store data, check the device under
 * memory_lock, issue exactly one instruction, deliver the outcome.
 * Nothing is written to user memory unless the instruction was issued.
 */
static int zpci_io_submit(struct vfio_pci_core_device *vdev,
			  struct zpci_io_region *zr, const char __user *ubuf,
			  size_t count)
{
	struct zpci_io_slot *slot = NULL;
	struct vfio_zpci_io_req req = {};
	struct vfio_zpci_io_resp resp;
	const u8 __user *udata;
	u64 small = 0;
	u8 *src = (u8 *)&small;
	int ret;

	/* zpci_io_check_write(): count <= sizeof(req); the rest reads as 0 */
	if (copy_from_user(&req, ubuf, count))
		return -EFAULT;
	ret = zpci_io_validate(&zr->fn, &req);
	if (ret)
		return ret;

	udata = u64_to_user_ptr(req.data);
	if (req.op == VFIO_ZPCI_IO_OP_PCISTB) {
		ret = zpci_io_fetch_block(zr, udata, req.len, &slot);
		if (ret)
			return ret;
		src = slot->buf;
	} else if (req.op == VFIO_ZPCI_IO_OP_PCISTG &&
		   copy_from_user(src, udata, req.len)) {
		return -EFAULT;
	}

	ret = zpci_io_run(vdev, zr, &req, src, &resp);
	if (slot)
		mutex_unlock(&slot->lock);
	/* issued, but the outcome cannot be handed back: say so distinctly */
	if (!ret && copy_to_user(u64_to_user_ptr(req.resp), &resp,
				 sizeof(resp)))
		return -ENOTRECOVERABLE;
	return ret;
}

static ssize_t zpci_io_region_rw(struct vfio_pci_core_device *vdev,
				 char __user *buf, size_t count, loff_t *ppos,
				 bool iswrite)
{
	unsigned int i = VFIO_PCI_OFFSET_TO_INDEX(*ppos) - VFIO_PCI_NUM_REGIONS;
	struct zpci_io_region *zr = vdev->region[i].data;
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	ssize_t ret;

	if (!iswrite) {
		ret = zpci_io_read_header(zr, buf, count, pos);
	} else {
		ret = zpci_io_check_write(pos, count, zr->hdr.req_size);
		if (!ret)
			ret = zpci_io_submit(vdev, zr, buf, count);
		if (!ret)
			ret = count;
	}
	if (ret > 0)
		*ppos += ret;
	return ret;
}

static void zpci_io_region_free(struct zpci_io_region *zr)
{
	unsigned int i;

	for (i = 0; i < zr->nr_slots; i++) {
		free_page((unsigned long)zr->slots[i].buf);
		mutex_destroy(&zr->slots[i].lock);
	}
	kfree(zr);
}

static void zpci_io_region_release(struct vfio_pci_core_device *vdev,
				   struct vfio_pci_region *region)
{
	to_zpci_io_device(vdev)->zr = NULL;
	zpci_io_region_free(region->data);
}

static const struct vfio_pci_regops zpci_io_regops = {
	.rw		= zpci_io_region_rw,
	.release	= zpci_io_region_release,
};

static void zpci_io_describe(struct vfio_pci_core_device *vdev,
			     struct zpci_io_fn *fn)
{
	struct pci_dev *pdev = vdev->pdev;
	struct zpci_dev *zdev = to_zpci(pdev);
	int i;

	for (i = 0; i < VFIO_ZPCI_IO_NUM_BARS; i++)
		if (pci_resource_flags(pdev, i) & IORESOURCE_MEM)
			fn->bar_size[i] = pci_resource_len(pdev, i);
	zpci_io_fn_limits(fn, zdev->pft, zdev->maxstbl);
	fn->msix_bar = vdev->msix_bar;
	if (fn->msix_bar < VFIO_ZPCI_IO_NUM_BARS) {
		fn->msix_offset = vdev->msix_offset;
		fn->msix_size = vdev->msix_size;
	} else {
		fn->msix_bar = ZPCI_IO_NO_MSIX;
	}
}

static int zpci_io_region_init(struct vfio_pci_core_device *vdev)
{
	unsigned int i, nr = min_t(unsigned int, nr_cpu_ids, ZPCI_IO_MAX_SLOTS);
	u32 type = VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_IBM;
	u32 flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	struct zpci_io_region *zr;
	int ret;

	zr = kzalloc(struct_size(zr, slots, nr), GFP_KERNEL_ACCOUNT);
	if (!zr)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		mutex_init(&zr->slots[i].lock);
		zr->slots[i].buf = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		zr->nr_slots++;
		if (!zr->slots[i].buf) {
			zpci_io_region_free(zr);
			return -ENOMEM;
		}
	}
	zpci_io_describe(vdev, &zr->fn);
	zpci_io_fill_header(&zr->fn, to_zpci(vdev->pdev)->pft, &zr->hdr);
	zr->ops = &zpci_io_hw_insn_ops;

	ret = vfio_pci_core_register_dev_region(vdev, type,
						VFIO_REGION_SUBTYPE_IBM_ZPCI_IO,
						&zpci_io_regops,
						ZPCI_IO_REGION_SIZE, flags, zr);
	if (ret) {
		zpci_io_region_free(zr);
		return ret;
	}
	to_zpci_io_device(vdev)->zr = zr;
	return 0;
}

static int zpci_io_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;

	ret = zpci_io_region_init(vdev);
	if (ret) {
		vfio_pci_core_disable(vdev);
		return ret;
	}

	vfio_pci_core_finish_enable(vdev);
	return 0;
}

/* Every function but ISM: vfio-pci-core's ops, plus the region */
static const struct vfio_device_ops zpci_io_vfio_pci_ops = {
	.name		= "zpci-io-vfio-pci",
	.init		= vfio_pci_core_init_dev,
	.release	= vfio_pci_core_release_dev,
	.open_device	= zpci_io_open_device,
	.close_device	= vfio_pci_core_close_device,
	.ioctl		= vfio_pci_core_ioctl,
	.device_feature	= vfio_pci_core_ioctl_feature,
	.read		= vfio_pci_core_read,
	.write		= vfio_pci_core_write,
	.mmap		= vfio_pci_core_mmap,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
#ifdef ZPCI_IO_HAVE_GET_REGION_INFO_CAPS	/* 7.3: required */
	.get_region_info_caps = vfio_pci_ioctl_get_region_info,
#endif
#ifdef ZPCI_IO_HAVE_MATCH_TOKEN_UUID	/* 7.3: vfio_pci_core_match() calls it */
	.match_token_uuid = vfio_pci_core_match_token_uuid,
#endif
#ifdef ZPCI_IO_HAVE_IOMMUFD_OPS	/* 6.2: required with CONFIG_IOMMUFD */
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
#endif
};

/* ISM (PFT 5): ism-vfio-pci's region layout and BAR access (ism.c) */
static const struct vfio_device_ops zpci_io_ism_ops = {
	.name		= "zpci-io-vfio-pci",
	.init		= vfio_pci_core_init_dev,
	.release	= vfio_pci_core_release_dev,
	.open_device	= zpci_io_open_device,
	.close_device	= vfio_pci_core_close_device,
	.ioctl		= zpci_io_ism_ioctl,
	.device_feature	= vfio_pci_core_ioctl_feature,
	.read		= zpci_io_ism_read,
	.write		= zpci_io_ism_write,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
#ifdef ZPCI_IO_HAVE_GET_REGION_INFO_CAPS
	.get_region_info_caps = zpci_io_ism_get_region_info_caps,
#endif
#ifdef ZPCI_IO_HAVE_MATCH_TOKEN_UUID
	.match_token_uuid = vfio_pci_core_match_token_uuid,
#endif
#ifdef ZPCI_IO_HAVE_IOMMUFD_OPS
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
#endif
};

static int zpci_io_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct zpci_dev *zdev = to_zpci(pdev);
	struct zpci_io_device *zd;
	int ret;

	if (!zdev)
		return -ENODEV;

	zd = vfio_alloc_device(zpci_io_device, core.vdev, &pdev->dev,
			       zdev->pft == PCI_FUNC_TYPE_ISM ?
			       &zpci_io_ism_ops : &zpci_io_vfio_pci_ops);
	if (IS_ERR(zd))
		return PTR_ERR(zd);

	dev_set_drvdata(&pdev->dev, &zd->core);
	ret = vfio_pci_core_register_device(&zd->core);
	if (ret) {
		vfio_put_device(&zd->core.vdev);
		return ret;
	}
	return 0;
}

static void zpci_io_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

/*
 * ISM binds by ID, but only through driver_override so that the ism
 * network driver keeps its devices by default; any other zPCI function
 * binds through driver_override as with vfio-pci.
 */
static const struct pci_device_id zpci_io_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_IBM,
					  PCI_DEVICE_ID_IBM_ISM) },
	{}
};
MODULE_DEVICE_TABLE(pci, zpci_io_table);

static struct pci_driver zpci_io_driver = {
	.name			= "zpci-io-vfio-pci",
	.id_table		= zpci_io_table,
	.probe			= zpci_io_probe,
	.remove			= zpci_io_remove,
	.err_handler		= &vfio_pci_core_err_handlers,
	.driver_managed_dma	= true,
};
module_pci_driver(zpci_io_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant driver with the zPCI I/O region (exact non-MIO PCILG/PCISTG/PCISTB)");
