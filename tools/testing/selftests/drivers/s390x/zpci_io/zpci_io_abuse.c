// SPDX-License-Identifier: GPL-2.0
/*
 * Abuse tests for the VFIO zPCI I/O region: seeded random requests,
 * concurrency against resets and memory-space toggling, open/close loops.
 * Bounded in count and time; the seed is printed and $ZPCI_IO_SEED
 * reproduces a run.
 *
 * Target as in zpci_io_test.c: virtio-rng-pci-non-transitional, vectors=200.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "zpci_io_selftest.h"

#define LG	VFIO_ZPCI_IO_OP_PCILG
#define STG	VFIO_ZPCI_IO_OP_PCISTG
#define STB	VFIO_ZPCI_IO_OP_PCISTB

#define RANDOM_REQUESTS	100000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: small, seedable, reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t pick(const uint64_t *v, int n)
{
	return v[rnd() % n];
}

FIXTURE(abuse) {
	struct zio_dev d;
};

FIXTURE_SETUP(abuse)
{
	int ret = zio_open_default(&self->d);

	ASSERT_EQ(0, ret) TH_LOG("open a function bound to " ZIO_DRIVER ": %s",
				 strerror(-ret));
}

FIXTURE_TEARDOWN(abuse)
{
	zio_close(&self->d);
}

/*
 * A store the device may safely see: the PBA, or the queue address
 * registers of queue 0 (never enabled, so never used for DMA).
 */
static int safe_store(const struct vfio_zpci_io_req *r)
{
	if (r->pcias == 1)
		return r->offset >= 0xc80 && r->offset + r->len <= 0xca0;
	if (r->pcias == 4)
		return r->offset >= 0x20 && r->offset + r->len <= 0x38;
	return 0;
}

/*
 * What the kernel must answer to a well-formed write of @r, by the
 * documented rules in their documented order: EINVAL for a malformed
 * request (a load naming a data buffer included), then EACCES for one
 * touching the MSI-X table, then EFAULT for one naming no response (all
 * negative); 0 if it gets past all of them.  Whether the buffers are accessible is for
 * the caller to judge.
 */
static int rules(const struct zio_dev *d, const struct vfio_zpci_io_req *r)
{
	const struct vfio_zpci_io_header *h = &d->hdr;
	int i;

	if (r->flags)
		return -EINVAL;
	for (i = 0; i < 4; i++)
		if (r->reserved[i])
			return -EINVAL;
	if (r->pcias >= 6 || !h->bar_size[r->pcias])
		return -EINVAL;
	if (r->op == LG || r->op == STG) {
		if (r->op == LG && r->data)
			return -EINVAL;
		if (r->len != 1 && r->len != 2 && r->len != 4 && r->len != 8)
			return -EINVAL;
		if ((r->offset & 7) + r->len > 8)
			return -EINVAL;
	} else if (r->op == STB) {
		if (r->len > h->maxstbl || (r->offset & 0xfff) + r->len > 0x1000)
			return -EINVAL;
		if (h->flags & VFIO_ZPCI_IO_HDR_RELAXED) {
			if (!r->len)
				return -EINVAL;
		} else if (r->len <= 8 || r->len % 8 || r->offset % 8) {
			return -EINVAL;
		}
	} else {
		return -EINVAL;
	}
	if (r->offset >= h->bar_size[r->pcias] ||
	    r->len > h->bar_size[r->pcias] - r->offset)
		return -EINVAL;
	if ((h->flags & VFIO_ZPCI_IO_HDR_MSIX) && r->pcias == h->msix_bar &&
	    r->offset < (uint64_t)h->msix_offset + h->msix_size &&
	    r->offset + r->len > h->msix_offset)
		return -EACCES;
	if (!r->resp)
		return -EFAULT;
	return 0;
}

/*
 * Nothing in a response beyond the documented outcome: a status only with
 * a non-zero cc, a pic only with an exception, and resp.data zero but for
 * the @len bytes a completed load returned.
 */
static int resp_clean(uint8_t op, uint16_t len,
		      const struct vfio_zpci_io_resp *p)
{
	size_t i, n = 0;

	if (p->flags & ~VFIO_ZPCI_IO_RESP_EXCEPTION)
		return 0;
	if (p->flags) {
		if (p->cc || p->status || !p->pic || p->pic >= 0x80)
			return 0;
	} else {
		if (p->cc > 3 || p->pic || (p->cc != 1 && p->status))
			return 0;
		if (op == LG && !p->cc)
			n = len;
	}
	for (i = n; i < sizeof(p->data); i++)
		if (p->data[i])
			return 0;
	return 1;
}

struct issued {
	uint64_t lg, stg, stb, exc;
};

/* One more instruction with outcome @p; the measurement block skips faults */
static void count_issued(struct issued *n, uint8_t op,
			 const struct vfio_zpci_io_resp *p)
{
	if (p->flags & VFIO_ZPCI_IO_RESP_EXCEPTION)
		n->exc++;
	else if (op == LG)
		n->lg++;
	else if (op == STG)
		n->stg++;
	else
		n->stb++;
}

#define POISON	0xa5
#define SRC	0x5a

static int all_bytes(const uint8_t *p, int v, size_t len)
{
	while (len--)
		if (*p++ != v)
			return 0;
	return 1;
}

/*
 * Random requests, each with the one answer the documented rules allow:
 * the errno of the first rule it breaks (EINVAL, EACCES, EFAULT), else the
 * instruction is issued and the write succeeds, or fails with
 * ENOTRECOVERABLE when the response is unwritable.  Refused requests write
 * nothing; issued ones write their response and nothing else.  The
 * measurement block must count every issued instruction that did not
 * fault.  The outcome of one that returned ENOTRECOVERABLE is lost, so it
 * is issued once more with a writable response: with memory space enabled
 * throughout, the outcome depends on the request alone, and both count.
 */
TEST_F_TIMEOUT(abuse, random_requests_only_documented_errnos_fmb_exact, 600)
{
	static const uint64_t offs[] = {
		0, 1, 4, 7, 8, 0x12, 0x20, 0x24, 0x28, 0xc78, 0xc80, 0xc88,
		0xc98, 0xca0, 0xd00, 0xff8, 0xfff, 0x1000, 0x3ff8, 0x4000,
		~0ULL - 7, 1ULL << 40, 1ULL << 48,
	};
	static const uint64_t lens[] = {
		0, 1, 2, 3, 4, 7, 8, 9, 16, 17, 24, 32, 120, 128, 129, 136,
		4096, 65535,
	};
	/* page 0: store source; page 1: response slots */
	uint8_t *rw = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	uint8_t *none = mmap(NULL, 4096, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t refused = 0, notrec = 0, odd_writes = 0;
	uint64_t seed, errs[4] = { 0 };
	struct issued n = { 0 };
	struct zio_fmb before, after;
	const char *env = getenv("ZPCI_IO_SEED");
	int i, bad = 0;

	ASSERT_NE(MAP_FAILED, rw);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, none);
	memset(rw, SRC, 4096);
	memset(rw + 4096, POISON, 4096);
	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	rng_state = seed | 1;
	TH_LOG("seed %llu (ZPCI_IO_SEED=%llu reproduces)",
	       (unsigned long long)seed, (unsigned long long)seed);
	ASSERT_EQ(0, zio_fmb_start(self->d.bdf, &before));

	for (i = 0; i < RANDOM_REQUESTS && bad < 10; i++) {
		struct vfio_zpci_io_req r = { 0 };
		struct vfio_zpci_io_resp *slot;
		uint64_t where = rnd() % 16, pos = self->d.hdr.req_offset;
		size_t size = sizeof(r);
		int wellformed, expect, data_ok = 1, resp_ok = 1;
		long ret;

		r.op = rnd() % 8 ? 1 + rnd() % 3 : rnd() % 256;
		r.pcias = rnd() % 8 ? pick((const uint64_t[]){ 1, 4 }, 2) :
			  rnd() % 256;
		r.offset = rnd() % 2 ? pick(offs, sizeof(offs) / 8) : rnd() % 0x5000;
		r.len = rnd() % 2 ? pick(lens, sizeof(lens) / 8) : rnd() % 300;
		if (rnd() % 16 == 0)
			r.flags = 1U << (rnd() % 32);
		if (rnd() % 16 == 0)
			r.reserved[rnd() % 4] = rnd() | 1;
		slot = (void *)(rw + 4096 + (rnd() % 64) * 8);
		r.resp = (uintptr_t)slot;
		if (rnd() % 32 == 0) {
			size = rnd() % 2 ? 1 + rnd() % (sizeof(r) - 1) :
					   sizeof(r) + 1 + rnd() % 8;
			odd_writes++;
		} else if (rnd() % 32 == 0) {
			pos = rnd() % 0x140;
			odd_writes += pos != self->d.hdr.req_offset;
		}
		wellformed = size == sizeof(r) && pos == self->d.hdr.req_offset;
		if (wellformed && r.op != LG && !rules(&self->d, &r) &&
		    !safe_store(&r)) {
			/* keep the device sane: turn it into a load */
			r.op = LG;
			if (r.len > 8 || (r.offset & 7) + r.len > 8) {
				r.len = 8;
				r.offset &= ~7ULL;
			}
		}

		/* the buffers: loads name no data, stores a readable source */
		r.data = r.op == LG ? 0 : (uintptr_t)rw;
		switch (where) {
		case 0:		/* unreadable source; a load names one */
			r.data = rnd() % 2 ? (uintptr_t)none : 0;
			data_ok = 0;
			break;
		case 1:		/* unwritable response */
			r.resp = rnd() % 2 ? (uintptr_t)ro : (uintptr_t)none;
			resp_ok = 0;
			break;
		case 2:		/* a read-only source is fine */
			r.data = (uintptr_t)ro;
			break;
		case 3:		/* no response */
			r.resp = 0;
			break;
		case 4:		/* a load naming a valid buffer */
			r.data = (uintptr_t)rw;
			break;
		}

		expect = wellformed ? rules(&self->d, &r) : -EINVAL;
		if (!expect && r.op != LG && !data_ok)
			expect = -EFAULT;
		else if (!expect && !resp_ok)
			expect = -ENOTRECOVERABLE;

		{
			uint8_t buf[sizeof(r) + 16] = { 0 };

			memcpy(buf, &r, sizeof(r));
			ret = zio_write_raw(&self->d, buf, size, pos);
		}
		if (ret == (long)sizeof(r))
			ret = 0;
		if (ret != expect) {
			TH_LOG("req %d: got %ld, expected %d: op %u as %u off 0x%llx len %u",
			       i, ret, expect, r.op, r.pcias,
			       (unsigned long long)r.offset, r.len);
			TH_LOG("req %d: flags %#x data %#llx resp %#llx, %zu bytes at %#llx",
			       i, r.flags, (unsigned long long)r.data,
			       (unsigned long long)r.resp, size,
			       (unsigned long long)pos);
			bad++;
		}

		if (ret == -ENOTRECOVERABLE) {
			/* issued without an outcome: learn it from a twin */
			notrec++;
			r.resp = (uintptr_t)slot;
			ret = zio_write_raw(&self->d, &r, sizeof(r),
					    self->d.hdr.req_offset);
			if (ret != (long)sizeof(r)) {
				TH_LOG("req %d: twin with a writable response: %ld",
				       i, ret);
				bad++;
				continue;
			}
			count_issued(&n, r.op, slot);
			ret = 0;
		}
		if (!ret) {
			count_issued(&n, r.op, slot);
			if (!resp_clean(r.op, r.len, slot)) {
				TH_LOG("req %d: unclean resp: cc %u status %#x pic %#x flags %#x",
				       i, slot->cc, slot->status, slot->pic,
				       slot->flags);
				bad++;
			}
			memset(slot, POISON, sizeof(*slot));
			continue;
		}

		refused++;
		if (ret == -EINVAL)
			errs[0]++;
		else if (ret == -EACCES)
			errs[1]++;
		else if (ret == -EFAULT)
			errs[2]++;
		else
			errs[3]++;
		if (!all_bytes((uint8_t *)slot, POISON, sizeof(*slot))) {
			TH_LOG("req %d: refused with %ld, response written",
			       i, ret);
			bad++;
			memset(slot, POISON, sizeof(*slot));
		}
	}
	ASSERT_EQ(0, bad);
	/* nothing but the response slot of each request was ever written */
	ASSERT_TRUE(all_bytes(rw, SRC, 4096));
	ASSERT_TRUE(all_bytes(rw + 4096, POISON, 4096));
	ASSERT_EQ(0, zio_fmb_fresh(self->d.bdf, &after, 15));
	TH_LOG("%d requests: %llu PCILG, %llu PCISTG, %llu PCISTB, %llu exceptions issued",
	       i, (unsigned long long)n.lg, (unsigned long long)n.stg,
	       (unsigned long long)n.stb, (unsigned long long)n.exc);
	TH_LOG("%llu issued without a response (ENOTRECOVERABLE; counted above with their twins)",
	       (unsigned long long)notrec);
	TH_LOG("%llu refused: EINVAL %llu, EACCES %llu, EFAULT %llu, other %llu",
	       (unsigned long long)refused, (unsigned long long)errs[0],
	       (unsigned long long)errs[1], (unsigned long long)errs[2],
	       (unsigned long long)errs[3]);
	TH_LOG("%llu malformed writes", (unsigned long long)odd_writes);
	EXPECT_EQ(n.lg, after.loads - before.loads);
	EXPECT_EQ(n.stg, after.stores - before.stores);
	EXPECT_EQ(n.stb, after.store_blocks - before.store_blocks);
	munmap(rw, 8192);
	munmap(ro, 4096);
	munmap(none, 4096);
}

struct racer {
	struct zio_dev *d;
	int *stop;	/* __atomic accesses only */
	int id;
	long ok, notnow, wrong;
};

/*
 * Mixed valid requests: PCILG of num_queues (always 1), PCISTG to queue
 * 0's descriptor address (never enabled), PCISTB onto the PBA.
 */
static void *racer_fn(void *arg)
{
	static const uint8_t block[24] = { 9, 8, 7, 6, 6, 7, 8, 9 };
	struct racer *r = arg;
	struct vfio_zpci_io_resp resp;
	unsigned int n = r->id;

	while (!__atomic_load_n(r->stop, __ATOMIC_RELAXED)) {
		uint16_t nq = 0xffff;
		uint32_t desc = 0;
		uint8_t op;
		int ret;

		switch (n++ % 3) {
		case 0:
			op = LG;
			ret = zio_request(r->d, LG, 4, 0x12, &nq, 2, &resp);
			break;
		case 1:
			op = STG;
			ret = zio_request(r->d, STG, 4, 0x20, &desc, 4, &resp);
			break;
		default:
			op = STB;
			ret = zio_request(r->d, STB, 1, 0xc80, (void *)block,
					  24, &resp);
			break;
		}
		if (ret == -EIO)
			r->notnow++;
		else if (ret || resp.flags || resp.cc ||
			 !resp_clean(op, 2, &resp) ||
			 (op == LG && le16toh(nq) != 1))
			r->wrong++;
		else
			r->ok++;
	}
	return NULL;
}

TEST_F_TIMEOUT(abuse, requests_race_resets_and_memory_toggles, 300)
{
	int stop = 0;
	struct racer r[8];
	pthread_t t[8];
	uint16_t cmd, off;
	long ok = 0, notnow = 0, wrong = 0;
	int i, resets = 0, reset_err = 0;
	uint16_t nq;

	ASSERT_EQ(0, zio_config_read(&self->d, 4, &cmd, 2));
	off = htole16(le16toh(cmd) & ~0x2);
	for (i = 0; i < 8; i++) {
		r[i] = (struct racer){ .d = &self->d, .stop = &stop, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, racer_fn, &r[i]));
	}
	for (i = 0; i < 100; i++) {
		if (ioctl(self->d.device, VFIO_DEVICE_RESET) == 0)
			resets++;
		else
			reset_err = errno;
		zio_config_write(&self->d, 4, &off, 2);
		usleep(1000);
		zio_config_write(&self->d, 4, &cmd, 2);
		usleep(1000);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		ok += r[i].ok;
		notnow += r[i].notnow;
		wrong += r[i].wrong;
	}
	TH_LOG("%d resets (%s), 100 memory toggles: %ld ok, %ld EIO, %ld wrong",
	       resets, resets ? "ok" : strerror(reset_err), ok, notnow, wrong);
	ASSERT_EQ(0, wrong);
	ASSERT_LT(0, ok);
	/* afterwards the device works */
	ASSERT_EQ(0, zio_config_write(&self->d, 4, &cmd, 2));
	nq = 0;
	ASSERT_EQ(0, zio_bar_read(&self->d, 4, 0x12, &nq, 2));
	ASSERT_EQ(1, le16toh(nq));
}

static int req_ok_simple(struct zio_dev *d, uint8_t *v)
{
	struct vfio_zpci_io_resp resp;
	int ret = zio_request(d, LG, 4, 0x12, v, 2, &resp);

	return ret ? ret : resp.cc;
}

TEST(open_close_100_times_region_follows_the_fd)
{
	const char *bdf = zio_default_bdf();
	struct zio_dev d;
	int i, ret;

	ASSERT_NE(NULL, bdf);
	for (i = 0; i < 100; i++) {
		uint8_t v[2];

		ret = zio_open(bdf, &d);
		ASSERT_EQ(0, ret) TH_LOG("open %d: %s", i, strerror(-ret));
		ASSERT_EQ(VFIO_PCI_NUM_REGIONS + 1, d.info.num_regions);
		ASSERT_EQ(0, req_ok_simple(&d, v));
		zio_close(&d);
	}
}

TEST_HARNESS_MAIN
