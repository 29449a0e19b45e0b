// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests: nothing but documented output or zeros reaches userspace.
 *
 * Every buffer the kernel could write is poisoned first.  On every error
 * path nothing changes; on every success only the documented bytes do,
 * and every padding or reserved byte reads as zero.
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

#include "kselftest_harness.h"
#include "zpci_io_lib.h"

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
	const char *bdf = zio_default_bdf();
	int ret;

	ASSERT_NE(NULL, bdf) TH_LOG("no function bound to " ZIO_DRIVER);
	ret = zio_open(bdf, &self->d);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", bdf, strerror(-ret));
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
	ASSERT_EQ(0, h->pad1);
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

/* Submit @req with the response at @resp; returns -errno or 0 */
static long submit(struct zio_dev *d, struct vfio_zpci_io_req *req,
		   void *data, void *resp)
{
	long n;

	req->data = (uintptr_t)data;
	req->resp = (uintptr_t)resp;
	n = zio_write_raw(d, req, sizeof(*req), d->hdr.req_offset);
	return n < 0 ? n : 0;
}

/*
 * Output areas that are only partly writable: the first byte writable,
 * the last one not (and the reverse for reads).  Refused with EFAULT
 * before the instruction, every poisoned byte unchanged.
 */
TEST_F(leak, straddling_unwritable_outputs_are_efault_and_untouched)
{
	uint8_t *rw = self->map, *ro = self->map + PAGE;
	struct vfio_zpci_io_req lg = { .op = LG, .pcias = 4, .len = 8,
				       .offset = 0x10 };
	struct vfio_zpci_io_req stb = { .op = STB, .pcias = 1, .len = 32,
					.offset = PBA };
	uint8_t *resp_edge = ro - 8, *data_edge = ro - 4;
	struct vfio_zpci_io_resp resp;

	/* response crosses into read-only memory */
	ASSERT_EQ(-EFAULT, submit(&self->d, &lg, rw, resp_edge));
	ASSERT_EQ(-EFAULT, submit(&self->d, &stb, rw, resp_edge));
	/* load destination crosses into read-only memory */
	memset(&resp, POISON, sizeof(resp));
	ASSERT_EQ(-EFAULT, submit(&self->d, &lg, data_edge, &resp));
	/* store source crosses into inaccessible memory */
	ASSERT_EQ(-EFAULT, submit(&self->d, &stb, self->map + 3 * PAGE - 16,
				  &resp));
	ASSERT_TRUE(all_bytes(&resp, POISON, sizeof(resp)));
	ASSERT_TRUE(all_bytes(rw, POISON, PAGE));
}

/* Memory space off: EIO, after the outputs were proven, and nothing written */
TEST_F(leak, memory_disabled_is_eio_and_untouched)
{
	static const struct vfio_zpci_io_req reqs[] = {
		{ .op = LG, .pcias = 4, .len = 8, .offset = 0x10 },
		{ .op = STG, .pcias = 4, .len = 4, .offset = 0x20 },
		{ .op = STB, .pcias = 1, .len = 16, .offset = PBA },
	};
	struct vfio_zpci_io_resp resp;
	uint16_t cmd, off;
	uint8_t data[64];
	unsigned int i;

	ASSERT_EQ(0, zio_config_read(&self->d, 4, &cmd, 2));
	off = htole16(le16toh(cmd) & ~0x2);
	ASSERT_EQ(0, zio_config_write(&self->d, 4, &off, 2));
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		struct vfio_zpci_io_req r = reqs[i];

		memset(data, POISON, sizeof(data));
		memset(&resp, POISON, sizeof(resp));
		EXPECT_EQ(-EIO, submit(&self->d, &r, data, &resp));
		EXPECT_TRUE(all_bytes(data, POISON, sizeof(data)));
		EXPECT_TRUE(all_bytes(&resp, POISON, sizeof(resp)));
	}
	ASSERT_EQ(0, zio_config_write(&self->d, 4, &cmd, 2));
}

/* Check a response for bytes beyond the documented outcome */
static int resp_clean(const struct vfio_zpci_io_resp *r)
{
	if (r->reserved)
		return 0;
	if (r->flags & ~VFIO_ZPCI_IO_RESP_EXCEPTION)
		return 0;
	if (r->flags)	/* exception: cc 0, a pic, status untouched by it */
		return r->cc == 0 && r->pic && r->pic < 0x80 && !r->status;
	/* our request register has zeros where the status byte goes */
	return r->cc <= 3 && !r->pic && (r->cc == 1 || !r->status);
}

TEST_F(leak, successful_loads_write_exactly_len_bytes_and_clean_response)
{
	static const uint16_t lens[] = { 1, 2, 4, 8 };
	struct vfio_zpci_io_resp resp;
	uint8_t data[16];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		struct vfio_zpci_io_req r = { .op = LG, .pcias = 4,
					      .len = lens[i], .offset = 0x10 };

		memset(data, POISON, sizeof(data));
		memset(&resp, POISON, sizeof(resp));
		ASSERT_EQ(0, submit(&self->d, &r, data, &resp));
		ASSERT_EQ(0, resp.cc);
		ASSERT_TRUE(resp_clean(&resp));
		ASSERT_TRUE(all_bytes(data + lens[i], POISON,
				      sizeof(data) - lens[i]));
	}
}

/*
 * Loads and stores that raise a program exception (no register behind the
 * offset): the response says so and nothing else; a failed load returns
 * zeros, never stale register contents.
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
		ASSERT_EQ(0, submit(&self->d, &r, data, &resp));
		ASSERT_TRUE(resp_clean(&resp))
			TH_LOG("req %u: cc %u status %#x pic %#x flags %#x",
			       i, resp.cc, resp.status, resp.pic, resp.flags);
		if (resp.cc || resp.flags) {
			failed++;
			ASSERT_TRUE(r.op != LG || all_bytes(data, 0, r.len));
		}
		/* loads write only len bytes; stores write none */
		ASSERT_TRUE(all_bytes(data + (r.op == LG ? r.len : 0), POISON,
				      sizeof(data) - (r.op == LG ? r.len : 0)));
	}
	/* QEMU has no register past the PBA: every one of them fails */
	ASSERT_EQ(ARRAY_SIZE(reqs), failed);
}

TEST_HARNESS_MAIN
