/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace access to a zpci-io-vfio-pci function: VFIO type1 plumbing,
 * region discovery the way QEMU does it, requests, standard BAR access and
 * the zPCI function measurement block: what the zpci_io kselftests
 * build on.
 */
#ifndef ZPCI_IO_LIB_H
#define ZPCI_IO_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>
#include <linux/vfio_zpci_io.h>

#define ZIO_VENDOR_IBM		0x1014
#define ZIO_DRIVER		"zpci-io-vfio-pci"

struct zio_dev {
	char bdf[64];
	int container;
	int group;
	int device;
	struct vfio_device_info info;
	/* the zPCI I/O region */
	uint32_t region_index;
	uint64_t region_offset;
	uint64_t region_size;
	uint32_t region_flags;
	struct vfio_zpci_io_header hdr;
	/* standard BAR regions */
	uint64_t bar_offset[VFIO_PCI_ROM_REGION_INDEX];
	uint64_t bar_size[VFIO_PCI_ROM_REGION_INDEX];
	uint64_t config_offset;
};

struct zio_fmb {
	uint64_t tod;
	uint64_t samples;
	uint64_t loads;
	uint64_t stores;
	uint64_t store_blocks;
};

/* First function bound to zpci-io-vfio-pci, or $ZPCI_IO_BDF; NULL if none */
const char *zio_default_bdf(void);

/*
 * Open @bdf's group, container (type1) and device fd and find the zPCI I/O
 * region; 0 or -errno (-ENOENT: no region).
 */
int zio_open(const char *bdf, struct zio_dev *d);
/*
 * The same without the region, for a function bound to any VFIO PCI
 * driver: the info, BAR and config fields only.
 */
int zio_open_device(const char *bdf, struct zio_dev *d);
/* zio_open() of zio_default_bdf(); -ENODEV when no function is bound */
int zio_open_default(struct zio_dev *d);
void zio_close(struct zio_dev *d);

/*
 * VFIO_DEVICE_GET_REGION_INFO of @index with room for the capability
 * chain; malloc'ed, NULL (errno set) when the ioctl fails.
 */
struct vfio_region_info *zio_region_info(int device, uint32_t index);
/*
 * Walk VFIO_DEVICE_GET_REGION_INFO's capability chain of every device
 * specific region for (type, subtype); fills @info (index, offset, size,
 * flags).  0, or -ENOENT.
 */
int zio_find_region(int device, uint32_t num_regions, uint32_t type,
		    uint32_t subtype, struct vfio_region_info *info);

/*
 * Issue one request; 0 when the write was accepted, else -errno.  For
 * PCILG the request names no data buffer: the loaded bytes are copied
 * from resp->data to @data (len bytes) after the write.
 */
int zio_request(struct zio_dev *d, uint8_t op, uint8_t pcias,
		uint64_t offset, void *data, uint16_t len,
		struct vfio_zpci_io_resp *resp);
/* Write a raw request struct; returns pwrite's result or -errno. */
long zio_write_raw(struct zio_dev *d, const void *buf, size_t len,
		   uint64_t region_pos);

/* pread/pwrite on the standard BAR / config regions; 0 or -errno */
int zio_bar_read(struct zio_dev *d, int bar, uint64_t off, void *buf,
		 size_t len);
int zio_bar_write(struct zio_dev *d, int bar, uint64_t off, const void *buf,
		  size_t len);
int zio_config_read(struct zio_dev *d, uint64_t off, void *buf, size_t len);
int zio_config_write(struct zio_dev *d, uint64_t off, const void *buf,
		     size_t len);

/* Function measurement block (debugfs statistics); 0 or -errno */
int zio_fmb_read(const char *bdf, struct zio_fmb *f);
int zio_fmb_reset(const char *bdf);
/*
 * Wait for the emulator/firmware to publish a sample newer than now: it
 * counts every instruction issued before the call.
 */
int zio_fmb_fresh(const char *bdf, struct zio_fmb *f, int timeout_s);
/*
 * The same for @n functions (at most ZIO_FMB_MAX) at once: their blocks
 * are refreshed side by side, so this waits about one refresh interval
 * (QEMU's: 4 s), not @n of them.
 */
#define ZIO_FMB_MAX	8
int zio_fmb_fresh_n(const char *const bdf[], struct zio_fmb f[], int n,
		    int timeout_s);
/*
 * (Re)start measurement (QEMU stops updating the block when the function
 * is disabled and re-enabled) and return its starting point.  The kernel
 * enables measurement with a zeroed block and the emulator or firmware
 * counts from zero (QEMU clears its counters when measurement stops), so
 * the block as read right after the restart is the baseline: no sample
 * needs to be waited for.  Instructions issued from here on appear in the
 * next sample (zio_fmb_fresh()).
 */
int zio_fmb_start(const char *bdf, struct zio_fmb *f);

const char *zio_op_name(uint8_t op);

/*
 * Host administration through sysfs and the module syscalls; 0 or -errno.
 * zio_bind() sets driver_override and probes; it succeeds only when the
 * function ends up bound to zpci-io-vfio-pci.  zio_unbind() blocks while a
 * VFIO user still holds the device (VFIO sends it a device request).
 */
int zio_sysfs_write(const char *path, const char *val);
int zio_sysfs_read(const char *path, char *buf, size_t len);
void zio_bound_driver(const char *bdf, char *drv, size_t len);
/* Write @name to @bdf's driver_override ("\n" clears it) */
int zio_set_driver_override(const char *bdf, const char *name);
int zio_bind(const char *bdf);
int zio_unbind(const char *bdf);
/* The same for driver @name (driver_override + drivers_probe) */
int zio_bind_driver(const char *bdf, const char *name);
/* Unbind @bdf from whatever driver holds it; 0 when it ends unbound */
int zio_unbind_driver(const char *bdf);
int zio_module_load(const char *path, const char *params);
int zio_module_unload(const char *name);
/* First function with @vendor:@device, as DDDD:BB:DD.F; 0 or -ENOENT */
int zio_find_function(unsigned int vendor, unsigned int device, char *bdf,
		      size_t len);
/* The @n-th (from 0) such function in address order; 0 or -ENOENT */
int zio_find_nth_function(unsigned int vendor, unsigned int device,
			  unsigned int n, char *bdf, size_t len);
/* /sys/bus/pci/slots/<slot> whose address holds @bdf; 0 or -ENOENT */
int zio_find_slot(const char *bdf, char *path, size_t len);
/*
 * Eventfd signalled when the kernel wants the device back (unbind,
 * hot-unplug): VFIO_DEVICE_SET_IRQS on VFIO_PCI_REQ_IRQ_INDEX.
 */
int zio_request_eventfd(struct zio_dev *d);

#endif /* ZPCI_IO_LIB_H */
