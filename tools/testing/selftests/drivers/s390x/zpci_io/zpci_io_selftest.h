/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every zpci_io kselftest shares: kselftest_harness, zpci_io_lib
 * and the skip of a machine without a function to test.
 */
#ifndef ZPCI_IO_SELFTEST_H
#define ZPCI_IO_SELFTEST_H

#include <endian.h>
#include <stdint.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "zpci_io_lib.h"

/*
 * The tests run against the function named by ZPCI_IO_BDF or, without it,
 * the first function bound to zpci-io-vfio-pci.  With neither (a machine
 * without zPCI, or no function handed to the driver) the whole program is
 * skipped before the harness starts; a function that is named but cannot
 * be opened fails every test.
 */
static void __attribute__((constructor)) zio_skip_without_function(void)
{
	if (!zio_default_bdf())
		ksft_exit_skip("no function bound to " ZIO_DRIVER
			       " and ZPCI_IO_BDF unset\n");
}

/* PCI_COMMAND's memory space bit through vfio's virtualised config space */
static inline int zio_set_memory(struct zio_dev *d, int on)
{
	uint16_t cmd;

	if (zio_config_read(d, PCI_COMMAND, &cmd, 2))
		return -1;
	cmd = le16toh(cmd);
	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	cmd = htole16(cmd);
	return zio_config_write(d, PCI_COMMAND, &cmd, 2);
}

#endif /* ZPCI_IO_SELFTEST_H */
