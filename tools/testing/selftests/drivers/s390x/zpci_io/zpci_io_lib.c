// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace access to a zpci-io-vfio-pci function; see zpci_io_lib.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "zpci_io_lib.h"

const char *zio_default_bdf(void)
{
	static char bdf[256];
	const char *env = getenv("ZPCI_IO_BDF");
	struct dirent *e;
	DIR *d;

	if (env && *env)
		return env;
	d = opendir("/sys/bus/pci/drivers/" ZIO_DRIVER);
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (strchr(e->d_name, ':')) {
			snprintf(bdf, sizeof(bdf), "%s", e->d_name);
			closedir(d);
			return bdf;
		}
	}
	closedir(d);
	return NULL;
}

static int zio_group_of(const char *bdf)
{
	char path[256], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	return atoi(basename(target));
}

struct vfio_region_info *zio_region_info(int device, uint32_t index)
{
	struct vfio_region_info *info = NULL;
	size_t argsz = sizeof(*info);
	int tries, err = EMSGSIZE;

	for (tries = 0; tries < 2; tries++) {
		free(info);
		info = calloc(1, argsz);
		if (!info)
			return NULL;
		info->argsz = argsz;
		info->index = index;
		if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, info)) {
			err = errno;
			break;
		}
		if (info->argsz <= argsz)
			return info;
		argsz = info->argsz;
	}
	free(info);
	errno = err;
	return NULL;
}

int zio_find_region(int device, uint32_t num_regions, uint32_t type,
		    uint32_t subtype, struct vfio_region_info *out)
{
	uint32_t i;

	for (i = VFIO_PCI_NUM_REGIONS; i < num_regions; i++) {
		struct vfio_region_info *info = zio_region_info(device, i);
		struct vfio_info_cap_header *hdr;
		uint32_t next;

		if (!info)
			continue;
		next = info->flags & VFIO_REGION_INFO_FLAG_CAPS ?
		       info->cap_offset : 0;
		for (; next && next < info->argsz; next = hdr->next) {
			struct vfio_region_info_cap_type *t;

			hdr = (void *)((char *)info + next);
			if (hdr->id != VFIO_REGION_INFO_CAP_TYPE)
				continue;
			t = (void *)hdr;
			if (t->type == type && t->subtype == subtype) {
				*out = *info;
				out->argsz = sizeof(*out);
				free(info);
				return 0;
			}
		}
		free(info);
	}
	return -ENOENT;
}

static int zio_pread_all(int fd, void *buf, size_t len, uint64_t pos)
{
	ssize_t n = pread(fd, buf, len, pos);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int zio_pwrite_all(int fd, const void *buf, size_t len, uint64_t pos)
{
	ssize_t n = pwrite(fd, buf, len, pos);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int zio_open_device(const char *bdf, struct zio_dev *d)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info info;
	char path[64];
	int group, ret, i;

	memset(d, 0, sizeof(*d));
	d->container = -1;
	d->group = -1;
	d->device = -1;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);

	group = zio_group_of(bdf);
	if (group < 0)
		return group;
	d->container = open("/dev/vfio/vfio", O_RDWR);
	if (d->container < 0)
		goto err;
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	d->group = open(path, O_RDWR);
	if (d->group < 0)
		goto err;
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status))
		goto err;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto err;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		goto err;
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		goto err;
	d->device = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->device < 0)
		goto err;
	d->info.argsz = sizeof(d->info);
	if (ioctl(d->device, VFIO_DEVICE_GET_INFO, &d->info))
		goto err;

	for (i = 0; i < VFIO_PCI_ROM_REGION_INDEX; i++) {
		memset(&info, 0, sizeof(info));
		info.argsz = sizeof(info);
		info.index = i;
		if (ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, &info))
			goto err;
		d->bar_offset[i] = info.offset;
		d->bar_size[i] = info.size;
	}
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, &info))
		goto err;
	d->config_offset = info.offset;
	return 0;
err:
	ret = -errno;
	zio_close(d);
	return ret;
}

int zio_open(const char *bdf, struct zio_dev *d)
{
	struct vfio_region_info info;
	int ret = zio_open_device(bdf, d);

	if (ret)
		return ret;
	ret = zio_find_region(d->device, d->info.num_regions,
			      VFIO_REGION_TYPE_PCI_VENDOR_TYPE | ZIO_VENDOR_IBM,
			      VFIO_REGION_SUBTYPE_IBM_ZPCI_IO, &info);
	if (ret) {
		zio_close(d);
		return ret;
	}
	d->region_index = info.index;
	d->region_offset = info.offset;
	d->region_size = info.size;
	d->region_flags = info.flags;
	ret = zio_pread_all(d->device, &d->hdr, sizeof(d->hdr),
			    d->region_offset);
	/* the first revision's sizes are the least any kernel offers */
	if (!ret && (d->hdr.version < 1 ||
		     d->hdr.hdr_size < VFIO_ZPCI_IO_HDR_SIZE_V1 ||
		     d->hdr.req_size < VFIO_ZPCI_IO_REQ_SIZE_V1 ||
		     d->hdr.resp_size != VFIO_ZPCI_IO_RESP_SIZE_V1))
		ret = -EPROTO;
	if (ret) {
		zio_close(d);
		return ret;
	}
	return 0;
}

int zio_open_default(struct zio_dev *d)
{
	const char *bdf = zio_default_bdf();

	return bdf ? zio_open(bdf, d) : -ENODEV;
}

void zio_close(struct zio_dev *d)
{
	if (d->device >= 0)
		close(d->device);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->device = -1;
	d->group = -1;
	d->container = -1;
}

long zio_write_raw(struct zio_dev *d, const void *buf, size_t len,
		   uint64_t region_pos)
{
	ssize_t n = pwrite(d->device, buf, len, d->region_offset + region_pos);

	return n < 0 ? -errno : n;
}

int zio_request(struct zio_dev *d, uint8_t op, uint8_t pcias,
		uint64_t offset, void *data, uint16_t len,
		struct vfio_zpci_io_resp *resp)
{
	struct vfio_zpci_io_req req = {
		.op = op,
		.pcias = pcias,
		.len = len,
		.offset = offset,
		.data = op == VFIO_ZPCI_IO_OP_PCILG ? 0 : (uintptr_t)data,
		.resp = (uintptr_t)resp,
	};
	/* "How the ABI grows": never more than the kernel understands */
	size_t size = sizeof(req) < d->hdr.req_size ? sizeof(req) :
						      d->hdr.req_size;
	long n = zio_write_raw(d, &req, size, d->hdr.req_offset);

	if (n < 0)
		return n;
	if ((size_t)n != size)
		return -EIO;
	/* a load's bytes arrive in the response */
	if (op == VFIO_ZPCI_IO_OP_PCILG && len <= sizeof(resp->data))
		memcpy(data, resp->data, len);
	return 0;
}

int zio_bar_read(struct zio_dev *d, int bar, uint64_t off, void *buf,
		 size_t len)
{
	return zio_pread_all(d->device, buf, len, d->bar_offset[bar] + off);
}

int zio_bar_write(struct zio_dev *d, int bar, uint64_t off, const void *buf,
		  size_t len)
{
	return zio_pwrite_all(d->device, buf, len, d->bar_offset[bar] + off);
}

int zio_config_read(struct zio_dev *d, uint64_t off, void *buf, size_t len)
{
	return zio_pread_all(d->device, buf, len, d->config_offset + off);
}

int zio_config_write(struct zio_dev *d, uint64_t off, const void *buf,
		     size_t len)
{
	return zio_pwrite_all(d->device, buf, len, d->config_offset + off);
}

static void zio_fmb_path(const char *bdf, char *path, size_t len)
{
	snprintf(path, len, "/sys/kernel/debug/pci/%s/statistics", bdf);
}

int zio_fmb_read(const char *bdf, struct zio_fmb *f)
{
	char path[256], line[256];
	int found = 0;
	FILE *fp;

	zio_fmb_path(bdf, path, sizeof(path));
	fp = fopen(path, "r");
	if (!fp)
		return -errno;
	memset(f, 0, sizeof(*f));
	while (fgets(line, sizeof(line), fp)) {
		char *colon = strchr(line, ':');
		char *name = line;
		uint64_t val;

		if (!colon)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		val = strtoull(colon + 1, NULL, 10);
		if (!strcmp(name, "Samples"))
			f->samples = val, found++;
		else if (!strcmp(name, "Last update TOD"))
			f->tod = strtoull(colon + 1, NULL, 16);
		else if (!strcmp(name, "Load operations"))
			f->loads = val, found++;
		else if (!strcmp(name, "Store operations"))
			f->stores = val, found++;
		else if (!strcmp(name, "Store block operations"))
			f->store_blocks = val, found++;
	}
	fclose(fp);
	return found == 4 ? 0 : -ENODATA;
}

int zio_fmb_reset(const char *bdf)
{
	char path[256];
	int fd, ret = 0;

	zio_fmb_path(bdf, path, sizeof(path));
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, "0", 1) != 1 || write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * An update is complete when its time stamp has changed and the update
 * bit (bit 63 of the TOD field, shifted out to bit 0 here) is clear.
 */
static int zio_fmb_is_fresh(const struct zio_fmb *f, uint64_t first_tod)
{
	return f->tod && f->tod != first_tod && !(f->tod & 1);
}

int zio_fmb_fresh_n(const char *const bdf[], struct zio_fmb f[], int n,
		    int timeout_s)
{
	uint64_t first[ZIO_FMB_MAX];
	int ret, i, k, fresh;

	if (n < 1 || n > ZIO_FMB_MAX)
		return -EINVAL;
	for (k = 0; k < n; k++) {
		ret = zio_fmb_read(bdf[k], &f[k]);
		if (ret)
			return ret;
		first[k] = f[k].tod;
	}
	for (i = 0; i < timeout_s * 10; i++) {
		usleep(100000);
		fresh = 0;
		for (k = 0; k < n; k++) {
			/* a sample newer than the call is kept as it is */
			if (!zio_fmb_is_fresh(&f[k], first[k])) {
				ret = zio_fmb_read(bdf[k], &f[k]);
				if (ret)
					return ret;
			}
			fresh += zio_fmb_is_fresh(&f[k], first[k]);
		}
		if (fresh == n)
			return 0;
	}
	return -ETIMEDOUT;
}

int zio_fmb_fresh(const char *bdf, struct zio_fmb *f, int timeout_s)
{
	return zio_fmb_fresh_n(&bdf, f, 1, timeout_s);
}

int zio_fmb_start(const char *bdf, struct zio_fmb *f)
{
	int ret = zio_fmb_reset(bdf);

	return ret ? ret : zio_fmb_read(bdf, f);
}

const char *zio_op_name(uint8_t op)
{
	switch (op) {
	case VFIO_ZPCI_IO_OP_PCILG:
		return "PCILG";
	case VFIO_ZPCI_IO_OP_PCISTG:
		return "PCISTG";
	case VFIO_ZPCI_IO_OP_PCISTB:
		return "PCISTB";
	}
	return "?";
}

int zio_sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

int zio_sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

void zio_bound_driver(const char *bdf, char *drv, size_t len)
{
	char path[320], target[512];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	drv[0] = 0;
	if (n <= 0)
		return;
	target[n] = 0;
	snprintf(drv, len, "%s", strrchr(target, '/') + 1);
}

int zio_set_driver_override(const char *bdf, const char *name)
{
	char path[320];

	if (!bdf[0])
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	return zio_sysfs_write(path, name);
}

int zio_bind_driver(const char *bdf, const char *name)
{
	char drv[128];
	int ret;

	ret = zio_set_driver_override(bdf, name);
	if (ret)
		return ret;
	/* fails with EBUSY/ENODEV when already bound or not matched */
	zio_sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	zio_bound_driver(bdf, drv, sizeof(drv));
	return strcmp(drv, name) ? -ENODEV : 0;
}

int zio_bind(const char *bdf)
{
	return zio_bind_driver(bdf, ZIO_DRIVER);
}

int zio_unbind_driver(const char *bdf)
{
	char path[320], drv[128];
	int ret;

	zio_bound_driver(bdf, drv, sizeof(drv));
	if (!drv[0])
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 bdf);
	ret = zio_sysfs_write(path, bdf);
	if (ret)
		return ret;
	zio_bound_driver(bdf, drv, sizeof(drv));
	return drv[0] ? -EBUSY : 0;
}

int zio_unbind(const char *bdf)
{
	char drv[128];
	int ret;

	ret = zio_sysfs_write("/sys/bus/pci/drivers/" ZIO_DRIVER "/unbind", bdf);
	if (ret)
		return ret;
	zio_bound_driver(bdf, drv, sizeof(drv));
	return drv[0] ? -EBUSY : 0;
}

int zio_module_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

int zio_module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static unsigned long zio_sysfs_hex(const char *dir, const char *name,
				   const char *attr)
{
	char path[512], val[32];

	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, attr);
	if (zio_sysfs_read(path, val, sizeof(val)))
		return ~0UL;
	return strtoul(val, NULL, 16);
}

int zio_find_nth_function(unsigned int vendor, unsigned int device,
			  unsigned int n, char *bdf, size_t len)
{
	static const char dir[] = "/sys/bus/pci/devices";
	struct dirent **names;
	int i, num, ret = -ENOENT;

	num = scandir(dir, &names, NULL, alphasort);
	if (num < 0)
		return -errno;
	for (i = 0; i < num; i++) {
		const char *name = names[i]->d_name;

		if (ret && name[0] != '.' &&
		    zio_sysfs_hex(dir, name, "vendor") == vendor &&
		    zio_sysfs_hex(dir, name, "device") == device && !n--) {
			snprintf(bdf, len, "%s", name);
			ret = 0;
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int zio_find_function(unsigned int vendor, unsigned int device, char *bdf,
		      size_t len)
{
	return zio_find_nth_function(vendor, device, 0, bdf, len);
}

int zio_find_slot(const char *bdf, char *path, size_t len)
{
	static const char dir[] = "/sys/bus/pci/slots";
	DIR *d = opendir(dir);
	char addr[512], val[64];
	struct dirent *e;
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while (ret && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(addr, sizeof(addr), "%s/%s/address", dir, e->d_name);
		/* address is DDDD:BB:DD, the function's BDF without .F */
		if (zio_sysfs_read(addr, val, sizeof(val)) ||
		    strncmp(bdf, val, strlen(val)) || bdf[strlen(val)] != '.')
			continue;
		snprintf(path, len, "%s/%s", dir, e->d_name);
		ret = 0;
	}
	closedir(d);
	return ret;
}

int zio_request_eventfd(struct zio_dev *d)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (void *)buf;
	int32_t fd = eventfd(0, EFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_REQ_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &fd, sizeof(fd));
	if (ioctl(d->device, VFIO_DEVICE_SET_IRQS, set)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}
