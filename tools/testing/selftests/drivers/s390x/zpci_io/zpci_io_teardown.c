// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests: taking the function away from a VFIO user that is using it.
 *
 * The device fd closed while requests are in flight; the driver unbound,
 * the module removed and the function hot-unplugged (slot power-off, the
 * guest-side path of a hypervisor's deconfiguration request) while the
 * function is open and requests are running.  Each cycle checks that the
 * zPCI I/O region is gone with the device and comes back with it.
 *
 * Needs root, the function bound to zpci-io-vfio-pci ($ZPCI_IO_BDF or the
 * first one bound), and for the module cycles $ZPCI_IO_MODULE, the path of
 * zpci-io-vfio-pci.ko.  The hypervisor unplug test needs a second function
 * $ZPCI_IO_UNPLUG_BDF, QEMU device id $ZPCI_IO_UNPLUG_ID, and a host agent
 * that turns the line "zpci-io-host: device_del <id>" into QMP device_del
 * (tools/testing/zpci-io/qmp_agent.py); the function does not come back.
 * $ZPCI_IO_CYCLES overrides the number of cycles (default 100 for unbind
 * and rmmod, a tenth of it for hot-unplug).
 * Every test leaves the function bound and working.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "zpci_io_selftest.h"

#define LG	VFIO_ZPCI_IO_OP_PCILG
#define STG	VFIO_ZPCI_IO_OP_PCISTG
#define STB	VFIO_ZPCI_IO_OP_PCISTB
#define MODULE_NAME	"zpci_io_vfio_pci"
#define WORKERS		4
/* how long the kernel may take to ask for the device back */
#define REQUEST_WAIT_MS	20000

static int cycles(int dflt)
{
	const char *env = getenv("ZPCI_IO_CYCLES");
	int n = env ? atoi(env) : 0;

	return n > 0 ? n : dflt;
}

/*
 * One valid request of each kind, with its expected outcome checked;
 * @nq: the function's virtio num_queues as the standard BAR region reads it
 */
static int one_request(struct zio_dev *d, unsigned int kind, uint16_t nq_want)
{
	static const uint8_t block[16] = { 1, 2, 3, 4, 4, 3, 2, 1,
					   5, 6, 7, 8, 8, 7, 6, 5 };
	struct vfio_zpci_io_resp resp;
	uint32_t desc = 0;
	uint16_t nq = 0;
	size_t i;
	int ret;

	switch (kind % 3) {
	case 0:	/* virtio num_queues: constant */
		ret = zio_request(d, LG, 4, 0x12, &nq, 2, &resp);
		if (!ret && !resp.cc && !resp.flags && nq != nq_want)
			return -EILSEQ;
		break;
	case 1:	/* queue 0 descriptor address: never enabled */
		ret = zio_request(d, STG, 4, 0x20, &desc, 4, &resp);
		break;
	default: /* the PBA ignores stores */
		ret = zio_request(d, STB, 1, 0xc80, (void *)block, 16, &resp);
		break;
	}
	if (ret)
		return ret;
	if (resp.cc || resp.flags || resp.status || resp.pic)
		return -EPROTO;
	/* resp.data: the load's two bytes, then zeros; all zero for stores */
	for (i = kind % 3 ? 0 : 2; i < sizeof(resp.data); i++)
		if (resp.data[i])
			return -EPROTO;
	return 0;
}

struct worker {
	struct zio_dev *d;
	pthread_t thread;
	unsigned int id;
	uint16_t nq;
	long ok;
	int err;	/* the error that ended the loop */
};

static int workers_stop;	/* __atomic accesses only */

/* Issue requests until one fails or we are told to stop */
static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned int i = w->id;

	while (!__atomic_load_n(&workers_stop, __ATOMIC_RELAXED)) {
		int ret = one_request(w->d, i++, w->nq);

		if (ret) {
			w->err = ret;
			break;
		}
		w->ok++;
	}
	return NULL;
}

static void start_workers(struct __test_metadata *_metadata,
			  struct worker *w, struct zio_dev *d, uint16_t nq)
{
	int i;

	__atomic_store_n(&workers_stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .d = d, .id = i, .nq = nq };
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, worker_fn,
					    &w[i]));
	}
}

/* Join the workers; returns how many ended with an error other than @allowed */
static int join_workers(struct worker *w, int allowed, long *ok)
{
	int i, bad = 0;

	__atomic_store_n(&workers_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < WORKERS; i++) {
		pthread_join(w[i].thread, NULL);
		*ok += w[i].ok;
		if (w[i].err && w[i].err != allowed)
			bad++;
	}
	return bad;
}

/* A blocking sysfs write (unbind, slot power) run beside the test */
struct blocking_write {
	pthread_t thread;
	char path[320];
	char val[64];
	int ret;
};

/*
 * Without a path, ask the hypervisor to unplug QEMU device @val: the
 * harness's QMP agent follows our output and sends device_del.
 */
static void *blocking_write_fn(void *arg)
{
	struct blocking_write *b = arg;

	if (!b->path[0]) {
		fprintf(stderr, "# zpci-io-host: device_del %s\n", b->val);
		fflush(stderr);
		b->ret = 0;
		return NULL;
	}
	b->ret = zio_sysfs_write(b->path, b->val);
	return NULL;
}

static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 ? 0 : -ETIMEDOUT;
}

/* Open @bdf and prove a request works; @nq receives num_queues */
static int open_and_check(const char *bdf, struct zio_dev *d, uint16_t *nq)
{
	int ret = zio_open(bdf, d);

	if (ret)
		return ret;
	ret = zio_bar_read(d, 4, 0x12, nq, 2);
	if (!ret)
		ret = one_request(d, 0, *nq);
	if (ret)
		zio_close(d);
	return ret;
}

/*
 * Open the function, register for device requests, start the workers,
 * then do @what (a sysfs write that only completes once we let go).  The
 * kernel must ask for the device back while requests keep working; then
 * the device fd is closed under the running workers, which must see EBADF
 * and nothing else.
 */
static void give_back_under_load(struct __test_metadata *_metadata,
				 const char *bdf, const char *path,
				 const char *val, long *ok)
{
	struct blocking_write b = { 0 };
	struct worker w[WORKERS];
	struct zio_dev d;
	uint64_t count;
	int req, ret;
	uint16_t nq;

	ret = open_and_check(bdf, &d, &nq);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", bdf, strerror(-ret));
	req = zio_request_eventfd(&d);
	ASSERT_LE(0, req) TH_LOG("request eventfd: %s", strerror(-req));
	start_workers(_metadata, w, &d, nq);

	snprintf(b.path, sizeof(b.path), "%s", path);
	snprintf(b.val, sizeof(b.val), "%s", val);
	ASSERT_EQ(0, pthread_create(&b.thread, NULL, blocking_write_fn, &b));
	ASSERT_EQ(0, wait_readable(req, REQUEST_WAIT_MS))
		TH_LOG("no device request after writing %s to %s", val, path);
	ASSERT_EQ(sizeof(count), read(req, &count, sizeof(count)));
	/* still ours until we close it: requests keep working */
	ASSERT_EQ(0, one_request(&d, 1, nq));

	/* close with the workers' requests in flight */
	close(d.device);
	d.device = -1;
	EXPECT_EQ(0, join_workers(w, -EBADF, ok));
	zio_close(&d);
	close(req);
	pthread_join(b.thread, NULL);
	ASSERT_EQ(0, b.ret) TH_LOG("%s <- %s: %s", path, val, strerror(-b.ret));
}

static int present(const char *bdf)
{
	char path[320];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return !access(path, F_OK);
}

static int wait_present(const char *bdf, int want, int ms)
{
	for (; ms > 0; ms -= 50) {
		if (present(bdf) == want)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/* PCI functions whose vendor attribute reads back; -errno on error */
static int readable_functions(void)
{
	static const char dir[] = "/sys/bus/pci/devices";
	char path[512], val[16];
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/vendor", dir, e->d_name);
		if (!zio_sysfs_read(path, val, sizeof(val)))
			n++;
	}
	closedir(d);
	return n;
}

FIXTURE(teardown) {
	char bdf[64];
	struct vfio_zpci_io_header hdr;
	uint16_t nq;
	long ok;
};

FIXTURE_SETUP(teardown)
{
	const char *bdf = zio_default_bdf();
	struct zio_dev d;
	int ret;

	ASSERT_NE(NULL, bdf) TH_LOG("no function bound to " ZIO_DRIVER);
	snprintf(self->bdf, sizeof(self->bdf), "%s", bdf);
	ret = open_and_check(self->bdf, &d, &self->nq);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", bdf, strerror(-ret));
	self->hdr = d.hdr;
	zio_close(&d);
}

/* Whatever happened, leave the function present, bound and working */
FIXTURE_TEARDOWN(teardown)
{
	const char *ko = getenv("ZPCI_IO_MODULE");
	char slot[320];
	struct zio_dev d;
	uint16_t nq;

	if (!present(self->bdf) &&
	    !zio_find_slot(self->bdf, slot, sizeof(slot) - 8)) {
		strcat(slot, "/power");
		zio_sysfs_write(slot, "1");
		wait_present(self->bdf, 1, 10000);
	}
	if (ko && access("/sys/module/" MODULE_NAME, F_OK))
		zio_module_load(ko, "");
	zio_bind(self->bdf);
	EXPECT_EQ(0, open_and_check(self->bdf, &d, &nq));
	zio_close(&d);
	TH_LOG("%ld requests succeeded while the function was taken away",
	       self->ok);
}

/* The region is back, describing the same function */
static int region_back(struct __test_metadata *_metadata,
		       FIXTURE_DATA(teardown) * self)
{
	struct zio_dev d;
	uint16_t nq;
	int ret = open_and_check(self->bdf, &d, &nq);

	if (ret)
		return ret;
	ret = 0;
	if (memcmp(&d.hdr, &self->hdr, sizeof(d.hdr)) || nq != self->nq)
		ret = -EILSEQ;
	zio_close(&d);
	return ret;
}

TEST_F_TIMEOUT(teardown, close_with_requests_in_flight_fails_them_with_ebadf, 300)
{
	struct worker w[WORKERS];
	struct zio_dev d;
	int i, n = cycles(100) / 10;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, open_and_check(self->bdf, &d, &self->nq));
		start_workers(_metadata, w, &d, self->nq);
		usleep(20000);
		close(d.device);
		d.device = -1;
		ASSERT_EQ(0, join_workers(w, -EBADF, &self->ok));
		zio_close(&d);
		ASSERT_EQ(0, region_back(_metadata, self));
	}
	TH_LOG("%d closes under %d threads of requests", n, WORKERS);
}

TEST_F_TIMEOUT(teardown, unbind_while_open_asks_for_device_then_rebind_restores_region, 900)
{
	char drv[128];
	struct zio_dev d;
	int i, n = cycles(100);

	for (i = 0; i < n; i++) {
		give_back_under_load(_metadata, self->bdf, "/sys/bus/pci/drivers/"
				     ZIO_DRIVER "/unbind", self->bdf, &self->ok);
		zio_bound_driver(self->bdf, drv, sizeof(drv));
		ASSERT_STREQ("", drv);
		/* region gone with the binding */
		ASSERT_NE(0, zio_open(self->bdf, &d));
		ASSERT_EQ(0, zio_bind(self->bdf));
		ASSERT_EQ(0, region_back(_metadata, self)) TH_LOG("cycle %d", i);
	}
	TH_LOG("%d unbind/rebind cycles with %d threads of requests running",
	       n, WORKERS);
}

TEST_F_TIMEOUT(teardown, rmmod_refused_while_open_then_rmmod_insmod_restore_region, 900)
{
	const char *ko = getenv("ZPCI_IO_MODULE");
	struct worker w[WORKERS];
	char drv[128];
	struct zio_dev d;
	int i, n = cycles(100);

	if (!ko)
		SKIP(return, "ZPCI_IO_MODULE (path of zpci-io-vfio-pci.ko) not set");
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, open_and_check(self->bdf, &d, &self->nq));
		start_workers(_metadata, w, &d, self->nq);
		/* in use: refused at once, nothing disturbed */
		ASSERT_EQ(-EWOULDBLOCK, zio_module_unload(MODULE_NAME));
		ASSERT_EQ(0, join_workers(w, 0, &self->ok));
		ASSERT_EQ(0, one_request(&d, 2, self->nq));
		zio_close(&d);

		ASSERT_EQ(0, zio_module_unload(MODULE_NAME)) TH_LOG("cycle %d", i);
		zio_bound_driver(self->bdf, drv, sizeof(drv));
		ASSERT_STREQ("", drv);
		ASSERT_NE(0, zio_open(self->bdf, &d));
		/* driver_override brings the binding back with the module */
		ASSERT_EQ(0, zio_module_load(ko, ""));
		zio_bound_driver(self->bdf, drv, sizeof(drv));
		ASSERT_STREQ(ZIO_DRIVER, drv);
		ASSERT_EQ(0, region_back(_metadata, self)) TH_LOG("cycle %d", i);
	}
	TH_LOG("%d rmmod/insmod cycles, each first refused while in use", n);
}

TEST_F_TIMEOUT(teardown, hot_unplug_under_load_leaves_rest_working_then_replug, 900)
{
	char slot[320], power[340], val[16];
	int i, before, n = cycles(100) / 10;

	if (zio_find_slot(self->bdf, slot, sizeof(slot)))
		SKIP(return, "no hotplug slot for %s", self->bdf);
	snprintf(power, sizeof(power), "%s/power", slot);
	for (i = 0; i < n; i++) {
		before = readable_functions();
		give_back_under_load(_metadata, self->bdf, power, "0",
				     &self->ok);
		ASSERT_EQ(0, wait_present(self->bdf, 0, 10000));
		ASSERT_EQ(0, zio_sysfs_read(power, val, sizeof(val)));
		ASSERT_STREQ("0", val);
		/* the other functions are untouched */
		ASSERT_EQ(before - 1, readable_functions());

		ASSERT_EQ(0, zio_sysfs_write(power, "1"));
		ASSERT_EQ(0, wait_present(self->bdf, 1, 10000));
		ASSERT_EQ(before, readable_functions());
		ASSERT_EQ(0, zio_bind(self->bdf)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, region_back(_metadata, self)) TH_LOG("cycle %d", i);
	}
	TH_LOG("%d hot-unplugs (slot power-off) with %d threads of requests running",
	       n, WORKERS);
}

TEST_F_TIMEOUT(teardown, hypervisor_device_del_under_load_removes_only_that_function, 300)
{
	const char *bdf = getenv("ZPCI_IO_UNPLUG_BDF");
	const char *id = getenv("ZPCI_IO_UNPLUG_ID");
	int before;

	if (!bdf || !id)
		SKIP(return, "ZPCI_IO_UNPLUG_BDF/ZPCI_IO_UNPLUG_ID: no host agent");
	ASSERT_STRNE(self->bdf, bdf);
	ASSERT_EQ(0, zio_bind(bdf));
	before = readable_functions();
	/* deconfiguration request -> device request -> close -> gone */
	give_back_under_load(_metadata, bdf, "", id, &self->ok);
	ASSERT_EQ(0, wait_present(bdf, 0, 60000))
		TH_LOG("%s still present after device_del %s", bdf, id);
	ASSERT_EQ(before - 1, readable_functions());
	/* the function we test with is untouched */
	ASSERT_EQ(0, region_back(_metadata, self));
	TH_LOG("device_del %s (%s) with %d threads of requests running",
	       id, bdf, WORKERS);
}

TEST_HARNESS_MAIN
