/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zpci-io-vfio-pci: the one place where kernel versions differ.
 *
 * The driver builds unchanged against every supported kernel; what moved
 * between them is wrapped here, each item with the version that moved it
 * and detected by feature rather than by version number, so that the
 * request path reads the same everywhere.  An in-tree build
 * needs none of the fallbacks and the patch series drops this file.
 */
#ifndef ZPCI_IO_COMPAT_H
#define ZPCI_IO_COMPAT_H

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <asm/lowcore.h>

/* The ISM device ID is private to drivers/s390/net/ism_drv.c in 6.1 */
#ifndef PCI_DEVICE_ID_IBM_ISM
#define PCI_DEVICE_ID_IBM_ISM		0x04ed
#endif

/* PCI function type of ISM, as CLP reports it in zdev->pft */
#define ZPCI_IO_PFT_ISM			5

/*
 * Program-interruption code of the last program check on this CPU.
 * 6.11 replaced the S390_lowcore macro with get_lowcore().
 */
static inline u16 zpci_io_lowcore_pgm_code(void)
{
#ifdef S390_lowcore
	return S390_lowcore.pgm_code;
#else
	return get_lowcore()->pgm_code;
#endif
}

/* Whether root set @pdev's driver_override to exactly @name */
static inline bool zpci_io_driver_override_is(struct pci_dev *pdev,
					      const char *name)
{
	bool match;

	device_lock(&pdev->dev);
	match = pdev->driver_override &&
		!strcmp(pdev->driver_override, name);
	device_unlock(&pdev->dev);
	return match;
}

#endif /* ZPCI_IO_COMPAT_H */
