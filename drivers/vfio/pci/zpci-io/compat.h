/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpci-io-vfio-pci out of tree: the newest kernel's API on older kernels.
 *
 * The driver is written against the newest supported kernel (7.3).  This
 * header, included only by out-of-tree builds (ZPCI_IO_OUT_OF_TREE),
 * supplies what older kernels (6.1, 6.12) lack, each item with the
 * version that brought it and detected by feature rather than by version
 * number, because distribution kernels backport.  Struct members older
 * kernels do not have are set under the Makefile's header probes
 * (ZPCI_IO_HAVE_*) where they are used.  The in-tree patch series is
 * generated with unifdef for the newest kernel and has no compat.h.
 */
#ifndef ZPCI_IO_COMPAT_H
#define ZPCI_IO_COMPAT_H

#include <linux/device.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <asm/lowcore.h>
#include <asm/pci.h>

/* 6.2: PCI_FUNC_TYPE_ISM in asm/pci_clp.h */
#ifndef PCI_FUNC_TYPE_ISM
#define PCI_FUNC_TYPE_ISM		0x5
#endif

/* 6.2: PCI_DEVICE_ID_IBM_ISM in linux/pci_ids.h (private to ism_drv.c) */
#ifndef PCI_DEVICE_ID_IBM_ISM
#define PCI_DEVICE_ID_IBM_ISM		0x04ed
#endif

/* 6.11: get_lowcore() replaced the S390_lowcore macro */
#ifdef S390_lowcore
static inline struct lowcore *get_lowcore(void)
{
	return &S390_lowcore;
}
#endif

/*
 * 6.13: MODULE_IMPORT_NS() takes a string, not a bare token.  The probe
 * finds the stringifying definition of older kernels.
 */
#ifdef ZPCI_IO_HAVE_STRINGIFYING_IMPORT_NS
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)
#endif

/*
 * driver_override moved from struct pci_dev (under the device lock) to
 * struct device (under its own lock) with device_match_driver_override();
 * Debian's 6.12 already has the move.
 */
#ifndef ZPCI_IO_HAVE_DEV_DRIVER_OVERRIDE
static inline int device_match_driver_override(struct device *dev,
					       const struct device_driver *drv)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	int ret = -1;

	device_lock(dev);
	if (pdev->driver_override)
		ret = !strcmp(pdev->driver_override, drv->name);
	device_unlock(dev);
	return ret;
}
#endif

/*
 * 7.x: vfio-pci-core exports __vfio_pci_memory_enabled(); older kernels
 * keep it private.  The same predicate: memory space decoding on in the
 * virtualised command register (or no command register bit for it) and
 * the device not in D3.  The caller holds vdev->memory_lock.
 */
#ifndef ZPCI_IO_HAVE_VFIO_PCI_MEMORY_ENABLED
static inline bool __vfio_pci_memory_enabled(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 cmd = le16_to_cpu(*(__le16 *)&vdev->vconfig[PCI_COMMAND]);

	return (__force int)pdev->current_state < (__force int)PCI_D3hot &&
	       (pdev->no_command_memory || (cmd & PCI_COMMAND_MEMORY));
}
#endif

/*
 * 7.3: vfio core copies VFIO_DEVICE_GET_REGION_INFO in and out itself and
 * asks the driver's ->get_region_info_caps() for the contents; before, each
 * driver's ->ioctl() did all of it.  This is the copying part, for a driver
 * that answers with a ->get_region_info_caps() style function.
 */
#ifndef ZPCI_IO_HAVE_GET_REGION_INFO_CAPS
static inline long
zpci_io_compat_get_region_info(struct vfio_device *core_vdev,
			       struct vfio_region_info __user *arg,
			       int (*get)(struct vfio_device *core_vdev,
					  struct vfio_region_info *info,
					  struct vfio_info_cap *caps))
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info = {};
	struct vfio_info_cap caps = {};
	long ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = get(core_vdev, &info, &caps);
	if (ret)
		goto out;
	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
			info.cap_offset = 0;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + 1, caps.buf, caps.size)) {
				ret = -EFAULT;
				goto out;
			}
			info.cap_offset = sizeof(info);
		}
	}
	if (copy_to_user(arg, &info, minsz))
		ret = -EFAULT;
out:
	kfree(caps.buf);
	return ret;
}
#endif

#endif /* ZPCI_IO_COMPAT_H */
