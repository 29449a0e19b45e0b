/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every zpci_io kselftest shares: the harness, the zpci-io library
 * and the skip of a machine without a function to test.
 */
#ifndef ZPCI_IO_SELFTEST_H
#define ZPCI_IO_SELFTEST_H

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

#endif /* ZPCI_IO_SELFTEST_H */
