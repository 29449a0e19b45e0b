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
#include <linux/string.h>
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

#endif /* ZPCI_IO_COMPAT_H */
