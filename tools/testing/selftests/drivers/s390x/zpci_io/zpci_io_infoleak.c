// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests: nothing but documented output or zeros reaches userspace.
 *
 * Every buffer the kernel could write is poisoned first.  On every error
 * path nothing changes; on every success only the documented bytes do,
 * and every padding or reserved byte reads as zero.  The one error that
 * follows an issued instruction, ENOTRECOVERABLE (the response could not
 * be written), may leave part of the response behind and nothing else.
 *
 * Target as for zpci_io_test: a virtio-*-pci-non-transitional function
 * with vectors=200 bound to zpci-io-vfio-pci.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zpci_io_selftest.h"

#define LG	VFIO_ZPCI_IO_OP_PCILG
#define STG	VFIO_ZPCI_IO_OP_PCISTG
#define STB	VFIO_ZPCI_IO_OP_PCISTB
#define POISON	0xa5
#define PAGE	4096
#define PBA	0xc80
#define PAST_PBA 0xd00

static int all_bytes(const void *p, int v, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != v)
			return 0;
	return 1;
}

FIXTURE(leak) {
	struct zio_dev d;
	/* three pages: read-write, read-only, inaccessible */
	uint8_t *map;
};

FIXTURE_SETUP(leak)
{
	int ret = zio_open_default(&self->d);

	ASSERT_EQ(0, ret) TH_LOG("open a function bound to " ZIO_DRIVER ": %s",
				 strerror(-ret));
	self->map = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	memset(self->map, POISON, 2 * PAGE);
	ASSERT_EQ(0, mprotect(self->map + PAGE, PAGE, PROT_READ));
	ASSERT_EQ(0, mprotect(self->map + 2 * PAGE, PAGE, PROT_NONE));
}

FIXTURE_TEARDOWN(leak)
{
	munmap(self->map, 3 * PAGE);
	zio_close(&self->d);
}

TEST_F(leak, header_reads_give_header_bytes_or_einval_and_nothing_more)
{
	static const size_t lens[] = { 1, 2, 3, 4, 7, 8, 16, 64, 127, 128,
				       129, 256 };
	const uint8_t *hdr = (const uint8_t *)&self->d.hdr;
	size_t hs = sizeof(self->d.hdr), pos, i;
	uint8_t buf[512];
	int reads = 0;

	for (pos = 0; pos < VFIO_ZPCI_IO_REQ_OFFSET + 64; pos++) {
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			size_t len = lens[i];
			ssize_t n;

			memset(buf, POISON, sizeof(buf));
			n = pread(self->d.device, buf, len,
				  self->d.region_offset + pos);
			reads++;
			if (pos + len <= hs) {
				ASSERT_EQ((ssize_t)len, n)
					TH_LOG("pos %zu len %zu", pos, len);
				ASSERT_EQ(0, memcmp(buf, hdr + pos, len));
			} else {
				ASSERT_EQ(-1, n) TH_LOG("pos %zu len %zu", pos, len);
				ASSERT_EQ(EINVAL, errno);
				len = 0;
			}
			ASSERT_TRUE(all_bytes(buf + len, POISON,
					      sizeof(buf) - len))
				TH_LOG("pos %zu: bytes beyond the read changed", pos);
		}
	}
	TH_LOG("%d poisoned header reads", reads);
}

TEST_F(leak, header_padding_reserved_and_absent_fields_are_zero)
{
	const struct vfio_zpci_io_header *h = &self->d.hdr;
	int i;

	ASSERT_EQ(0, h->pad0);
	ASSERT_EQ(VFIO_ZPCI_IO_RESP_SIZE_V1, h->resp_size);
	ASSERT_TRUE(all_bytes(h->pad2, 0, sizeof(h->pad2)));
	ASSERT_EQ(0, h->pad3);
	ASSERT_TRUE(all_bytes(h->reserved, 0, sizeof(h->reserved)));
	ASSERT_EQ(0, h->flags & ~(VFIO_ZPCI_IO_HDR_NON_MIO |
				  VFIO_ZPCI_IO_HDR_RELAXED |
				  VFIO_ZPCI_IO_HDR_MSIX));
	ASSERT_EQ(0, h->ops & ~((1U << LG) | (1U << STG) | (1U << STB)));
	/* no BAR the standard region info calls absent has a size here */
	for (i = 0; i < VFIO_ZPCI_IO_NUM_BARS; i++)
		if (!self->d.bar_size[i])
			ASSERT_EQ(0, h->bar_size[i]) TH_LOG("BAR %d", i);
}

/*
 * Submit @req naming @data and @resp as they are (loads pass NULL for
 * @data); returns -errno, or 0 when the whole request was written.
 */
static long submit(struct zio_dev *d, struct vfio_zpci_io_req *req,
		   const void *data, void *resp)
{
	long n;

	req->data = (uintptr_t)data;
	req->resp = (uintptr_t)resp;
	n = zio_write_raw(d, req, sizeof(*req), d->hdr.req_offset);
	if (n < 0)
		return n;
	return n == sizeof(*req) ? 0 : -EIO;
}

/*
 * Every byte of the page at @page is POISON, except that a response the
 * kernel may have written in part at @resp holds, at each offset, either
 * POISON or the byte @want has there.
 */
static int page_clean(const uint8_t *page, const uint8_t *resp,
		      const struct vfio_zpci_io_resp *want)
{
	const uint8_t *w = (const uint8_t *)want;
	size_t i;

	for (i = 0; i < PAGE; i++) {
		const uint8_t *p = page + i;

		if (*p == POISON)
			continue;
		if (p >= resp && p < resp + sizeof(*want) && *p == w[p - resp])
			continue;
		return 0;
	}
	return 1;
}

/* Virtio common config: device_feature_select, read back as written */
#define FEATURE_SELECT	0x00

static uint32_t feature_select(struct __test_metadata *_metadata,
			       struct zio_dev *d)
{
	uint32_t v = 0;

	EXPECT_EQ(0, zio_bar_read(d, 4, FEATURE_SELECT, &v, 4));
	return le32toh(v);
}

/*
 * A response the kernel cannot write after the instruction ran: the
 * request was issued all the same and the write fails with
 * ENOTRECOVERABLE.  A response starting on a writable page may be written
 * up to the read-only one, with its own bytes only; nothing else changes.
 * A store whose source runs into inaccessible memory is refused before
 * the instruction with EFAULT, even when its response is unwritable too,
 * and changes nothing, the device included.
 */
TEST_F(leak, unwritable_response_after_issue_is_enotrecoverable)
{
	uint8_t *rw = self->map, *ro = self->map + PAGE;
	uint8_t *none = self->map + 2 * PAGE;
	/* each request and the response QEMU gives it */
	const struct {
		struct vfio_zpci_io_req req;
		struct vfio_zpci_io_resp want;
	} cases[] = {
		{ { .op = LG, .pcias = 4, .len = 8, .offset = 0x10 }, { 0 } },
		{ { .op = STB, .pcias = 1, .len = 32, .offset = PBA }, { 0 } },
		{ { .op = STB, .pcias = 1, .len = 16, .offset = PAST_PBA },
		  { .flags = VFIO_ZPCI_IO_RESP_EXCEPTION,
		    .pic = VFIO_ZPCI_IO_PIC_OPERAND } },
	};
	/*
	 * Straddling into read-only memory (at most cc, status, pic and
	 * flags on the writable page), read-only, inaccessible.
	 */
	uint8_t *resps[] = { ro - 8, ro - 1, ro, ro + PAGE - 8, none };
	struct vfio_zpci_io_req stg = { .op = STG, .pcias = 4, .len = 4,
					.offset = FEATURE_SELECT };
	struct vfio_zpci_io_req stb = { .op = STB, .pcias = 1, .len = 32,
					.offset = PBA };
	uint8_t sel[4] = { 0 };
	struct vfio_zpci_io_resp resp;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (j = 0; j < ARRAY_SIZE(resps); j++) {
			struct vfio_zpci_io_req r = cases[i].req;
			/* the store source: the first poisoned bytes */
			const void *data = r.op == LG ? NULL : rw;

			memset(rw, POISON, PAGE);
			ASSERT_EQ(-ENOTRECOVERABLE,
				  submit(&self->d, &r, data, resps[j]))
				TH_LOG("case %u, response at page offset %#lx",
				       i, (unsigned long)(resps[j] - rw));
			ASSERT_TRUE(page_clean(rw, resps[j], &cases[i].want))
				TH_LOG("case %u, response at page offset %#lx",
				       i, (unsigned long)(resps[j] - rw));
			ASSERT_TRUE(all_bytes(ro, POISON, PAGE));
		}
	}

	/* issued indeed: the store reached the device */
	for (i = 1; i <= 2; i++) {
		sel[0] = i & 1;
		ASSERT_EQ(-ENOTRECOVERABLE,
			  submit(&self->d, &stg, sel, ro - 8));
		ASSERT_EQ(i & 1, feature_select(_metadata, &self->d));
	}

	/* store source crosses into inaccessible memory */
	memset(rw, POISON, PAGE);
	memset(&resp, POISON, sizeof(resp));
	ASSERT_EQ(-EFAULT, submit(&self->d, &stb, none - 16, &resp));
	ASSERT_EQ(-EFAULT, submit(&self->d, &stb, none - 16, ro - 8));
	ASSERT_TRUE(all_bytes(&resp, POISON, sizeof(resp)));
	/* ...and nothing reached the device: the selector is still 0 */
	ASSERT_EQ(-EFAULT, submit(&self->d, &stg, none - 2, &resp));
	ASSERT_EQ(-EFAULT, submit(&self->d, &stg, none - 2, ro - 8));
	ASSERT_EQ(0, feature_select(_metadata, &self->d));
	ASSERT_TRUE(all_bytes(&resp, POISON, sizeof(resp)));
	ASSERT_TRUE(all_bytes(rw, POISON, PAGE));
	ASSERT_TRUE(all_bytes(ro, POISON, PAGE));
}

/*
 * Memory space off: EIO, nothing issued and nothing written.  A missing
 * response or an unreadable store source is found first (EFAULT); an
 * unwritable response is not an error of its own, as nothing is issued.
 */
TEST_F(leak, memory_disabled_is_eio_and_untouched)
{
	static const struct vfio_zpci_io_req reqs[] = {
		{ .op = LG, .pcias = 4, .len = 8, .offset = 0x10 },
		{ .op = STG, .pcias = 4, .len = 4, .offset = 0x20 },
		{ .op = STB, .pcias = 1, .len = 16, .offset = PBA },
	};
	uint8_t *ro = self->map + PAGE, *none = self->map + 2 * PAGE;
	struct vfio_zpci_io_resp resp;
	uint16_t cmd, off;
	uint8_t data[64];
	unsigned int i;

	ASSERT_EQ(0, zio_config_read(&self->d, 4, &cmd, 2));
	off = htole16(le16toh(cmd) & ~0x2);
	ASSERT_EQ(0, zio_config_write(&self->d, 4, &off, 2));
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		struct vfio_zpci_io_req r = reqs[i];
		const void *src = r.op == LG ? NULL : data;

		memset(data, POISON, sizeof(data));
		memset(&resp, POISON, sizeof(resp));
		EXPECT_EQ(-EIO, submit(&self->d, &r, src, &resp));
		EXPECT_EQ(-EIO, submit(&self->d, &r, src, ro));
		EXPECT_EQ(-EIO, submit(&self->d, &r, src, none));
		EXPECT_EQ(-EIO, submit(&self->d, &r, src, ro - 8));
		EXPECT_EQ(-EFAULT, submit(&self->d, &r, src, NULL));
		if (r.op != LG)
			EXPECT_EQ(-EFAULT, submit(&self->d, &r, none, &resp));
		EXPECT_TRUE(all_bytes(data, POISON, sizeof(data)));
		EXPECT_TRUE(all_bytes(&resp, POISON, sizeof(resp)));
	}
	EXPECT_TRUE(all_bytes(self->map, POISON, 2 * PAGE));
	ASSERT_EQ(0, zio_config_write(&self->d, 4, &cmd, 2));
}

/*
 * Check a response for bytes beyond the documented outcome: the status
 * only with a non-zero cc, a pic only with an exception, and resp.data
 * zero except for the len bytes a completed load returned.
 */
static int resp_clean(const struct vfio_zpci_io_req *q,
		      const struct vfio_zpci_io_resp *r)
{
	size_t n = 0;

	if (r->flags & ~VFIO_ZPCI_IO_RESP_EXCEPTION)
		return 0;
	if (r->flags) {
		/* exception: cc 0, a pic, no status */
		if (r->cc || !r->pic || r->pic >= 0x80 || r->status)
			return 0;
	} else {
		/* our request register has zeros where the status byte goes */
		if (r->cc > 3 || r->pic || (r->cc != 1 && r->status))
			return 0;
		if (q->op == LG && !r->cc)
			n = q->len;
	}
	return all_bytes(r->data + n, 0, sizeof(r->data) - n);
}

/*
 * A completed load returns its len bytes in resp.data, in the byte order
 * of the standard BAR region, and zeros after them.  The registers at
 * 0x10-0x17 of the virtio common config (msix_config, num_queues,
 * device_status, config_generation) do not change under our reads.
 */
TEST_F(leak, successful_loads_return_exactly_len_bytes_and_clean_response)
{
	static const struct { uint64_t off; uint16_t len; } loads[] = {
		{ 0x10, 1 }, { 0x12, 1 }, { 0x13, 1 }, { 0x15, 1 },
		{ 0x10, 2 }, { 0x12, 2 }, { 0x16, 2 }, { 0x10, 4 },
		{ 0x14, 4 }, { 0x10, 8 },
	};
	struct vfio_zpci_io_resp resp;
	uint8_t bar[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(loads); i++) {
		struct vfio_zpci_io_req r = { .op = LG, .pcias = 4,
					      .len = loads[i].len,
					      .offset = loads[i].off };

		memset(&resp, POISON, sizeof(resp));
		ASSERT_EQ(0, submit(&self->d, &r, NULL, &resp));
		ASSERT_EQ(0, resp.cc);
		ASSERT_EQ(0, resp.flags);
		ASSERT_TRUE(resp_clean(&r, &resp))
			TH_LOG("offset %#llx len %u: status %#x pic %#x",
			       (unsigned long long)r.offset, r.len,
			       resp.status, resp.pic);
		memset(bar, POISON, sizeof(bar));
		ASSERT_EQ(0, zio_bar_read(&self->d, 4, r.offset, bar, r.len));
		ASSERT_EQ(0, memcmp(bar, resp.data, r.len))
			TH_LOG("offset %#llx len %u",
			       (unsigned long long)r.offset, r.len);
	}
}

/*
 * Loads and stores that raise a program exception (no register behind the
 * offset): the response says so and nothing else; a failed load returns
 * zeros, never stale register contents, and a store's source stays as it
 * was.
 */
TEST_F(leak, failed_instructions_report_outcome_and_zero_load_data)
{
	static const struct vfio_zpci_io_req reqs[] = {
		{ .op = LG, .pcias = 1, .len = 8, .offset = PAST_PBA },
		{ .op = LG, .pcias = 1, .len = 4, .offset = PAST_PBA + 4 },
		{ .op = STG, .pcias = 1, .len = 8, .offset = PAST_PBA },
		{ .op = STB, .pcias = 1, .len = 16, .offset = PAST_PBA },
		{ .op = STB, .pcias = 1, .len = 64, .offset = 0xfc0 },
	};
	struct vfio_zpci_io_resp resp;
	uint8_t data[64];
	unsigned int i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		struct vfio_zpci_io_req r = reqs[i];

		memset(data, POISON, sizeof(data));
		memset(&resp, POISON, sizeof(resp));
		ASSERT_EQ(0, submit(&self->d, &r, r.op == LG ? NULL : data,
				    &resp));
		ASSERT_TRUE(resp_clean(&r, &resp))
			TH_LOG("req %u: cc %u status %#x pic %#x flags %#x",
			       i, resp.cc, resp.status, resp.pic, resp.flags);
		if (resp.cc || resp.flags) {
			failed++;
			/* resp_clean() saw to it, but say it out loud */
			ASSERT_TRUE(all_bytes(resp.data, 0, sizeof(resp.data)));
		}
		ASSERT_TRUE(all_bytes(data, POISON, sizeof(data)));
	}
	/* QEMU has no register past the PBA: every one of them fails */
	ASSERT_EQ(ARRAY_SIZE(reqs), failed);
}

TEST_HARNESS_MAIN
