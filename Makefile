# SPDX-License-Identifier: GPL-2.0-only
#
# zpci-io-vfio-pci: out-of-tree build of the VFIO zPCI I/O region variant
# driver, plus the s390x QEMU test harness.

# The kbuild part is in Kbuild, so that a KERNELRELEASE given on the
# command line (DKMS does) still reaches the targets below.

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)
HARNESS := tools/testing/zpci-io/harness.sh
CONFIGS := CONFIG_ZPCI_IO_VFIO_PCI=m
ifneq ($(KUNIT),)
CONFIGS += CONFIG_ZPCI_IO_VFIO_PCI_KUNIT_TEST=m
endif

# make check KERNELS=7.3: one kernel of the matrix (quick loop)
ifneq ($(KERNELS),)
export ZPCI_IO_KERNELS := $(KERNELS)
endif
# make check KERNELS=7.3 TESTS=zpci_io_test: only these kselftest programs
ifneq ($(TESTS),)
export ZPCI_IO_TESTS := $(TESTS)
endif
# make nested-soak RUNS=10: the nested test RUNS times in a row
ifneq ($(RUNS),)
export ZPCI_IO_SOAK_RUNS := $(RUNS)
endif

.PHONY: all modules install clean help check demo demo-nested nested-soak bench \
	kernel series

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) $(CONFIGS) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) $(CONFIGS) modules_install
	depmod -a $(if $(KERNELVERSION),$(KERNELVERSION))

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || \
		find . -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
			-o -name '.*.cmd' -o -name 'modules.order' \
			-o -name 'Module.symvers' | xargs rm -f
	$(MAKE) -C tools/zpci-io clean
	find tools/testing/selftests/drivers/s390x/zpci_io -name 'zpci_io_*' \
		-type f -perm -u+x -delete

check:
	bash $(HARNESS) check

demo:
	bash $(HARNESS) demo

demo-nested:
	bash $(HARNESS) demo-nested

nested-soak:
	bash $(HARNESS) nested-soak

bench:
	bash $(HARNESS) bench

kernel:
	bash $(HARNESS) kernel

series:
	bash $(HARNESS) series

help:
	@echo 'zpci-io-vfio-pci targets:'
	@echo '  make [KDIR=<kernel build dir>] [KUNIT=1]'
	@echo '                  build zpci-io-vfio-pci.ko (KUNIT=1: and the KUnit'
	@echo '                  modules zpci_io_kunit.ko and zpci_io_kunit_hw.ko)'
	@echo '                  against KDIR (default: the running kernel)'
	@echo '  make install    modules_install + depmod (as root)'
	@echo '  make clean      remove build products'
	@echo '  make check      build the s390x guest kernels (cached: 6.1, 6.12, 7.3'
	@echo '                  and 7.3-debug), the module, KUnit and kselftests,'
	@echo '                  check the in-tree series; boot QEMU on each kernel;'
	@echo '                  report KTAP results'
	@echo '  make check KERNELS=7.3'
	@echo '                  one kernel (LINE or LINE-debug)'
	@echo '  make check KERNELS=7.3 TESTS=zpci_io_test'
	@echo '                  the quick loop: KUnit, lifecycle and the kselftest'
	@echo '                  programs named'
	@echo '  make series     regenerate patches/linux (the in-tree series for 7.3:'
	@echo '                  uAPI + documentation, driver, KUnit, kselftests)'
	@echo '  make demo       boot the guest and show the driver at work'
	@echo '  make demo-nested'
	@echo '                  the patched QEMU in the guest: a nested guest whose'
	@echo '                  PCI instructions reach the region'
	@echo '  make nested-soak RUNS=10'
	@echo '                  the nested test RUNS times in a row, each judged'
	@echo '                  as in make check (ZPCI_IO_OUTER_QEMU: another'
	@echo '                  emulator for every guest, e.g. Debian'"'"'s'
	@echo '                  /usr/bin/qemu-system-s390x)'
	@echo '  make bench      boot the guest and run the benchmark (ratios)'
	@echo '  make kernel     only build/cache the guest kernels'
	@echo 'Cache: $$ZPCI_IO_CACHE (default ~/.cache/zpci-io)'
