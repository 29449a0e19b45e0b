// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests for the VFIO zPCI I/O region, from a plain VFIO process.
 *
 * Target: the function bound to zpci-io-vfio-pci ($ZPCI_IO_BDF or the first
 * one in the driver's sysfs directory), a virtio-*-pci-non-transitional
 * function with vectors=200 under QEMU: BAR4 holds the virtio modern
 * registers (common config at 0), BAR1 the MSI-X table (0x0-0xc7f) and the
 * PBA (0xc80, 32 bytes).  VFIO data is little-endian; the guest is not.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio_zdev.h>

#include "zpci_io_selftest.h"

#define LG	VFIO_ZPCI_IO_OP_PCILG
#define STG	VFIO_ZPCI_IO_OP_PCISTG
#define STB	VFIO_ZPCI_IO_OP_PCISTB

#define VIRTIO_BAR		4
#define VIRTIO_FEATURE_SELECT	0x00
#define VIRTIO_FEATURE		0x04
#define VIRTIO_NUM_QUEUES	0x12
#define VIRTIO_QUEUE_SELECT	0x16
#define VIRTIO_QUEUE_DESC	0x20
#define MSIX_BAR		1
#define MSIX_TABLE_SIZE		0xc80	/* 200 vectors */
#define PBA			0xc80
#define PAST_PBA		0xd00	/* no register behind it */

/*
 * No doubleword a byte palindrome: a store whose doublewords land
 * byte-reversed (an emulator writing them host-endian, as Debian 12's
 * QEMU 7.2 does for PCISTB) fails.
 */
static const uint8_t pattern[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
	0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
	0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};

/*
 * Each test's watchdog (kselftest_harness kills a test that outlives it).
 * The harness's 30 s default is a hang detector sized for one level of
 * hardware; these tests also run in a guest inside a TCG guest (the
 * nested test of tools/testing/zpci-io), where every test takes many
 * times as long as in one guest and runs vary twofold (this program:
 * 9 s in one guest; without its stress test, 111 s in one nested run,
 * 205 s in another, single tests past 30 s).  Nothing here is a timed
 * assertion: a hang is still caught, later.
 */
#define ZIO_TEST_TIMEOUT	300

FIXTURE(zio) {
	struct zio_dev d;
};

FIXTURE_SETUP(zio)
{
	int ret = zio_open_default(&self->d);

	ASSERT_EQ(0, ret) TH_LOG("open a function bound to " ZIO_DRIVER ": %s",
				 strerror(-ret));
}

FIXTURE_TEARDOWN(zio)
{
	zio_close(&self->d);
}

static int all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return 0;
	return 1;
}

static int req_ok(struct zio_dev *d, uint8_t op, uint8_t as, uint64_t off,
		  void *data, uint16_t len)
{
	struct vfio_zpci_io_resp resp;
	int ret = zio_request(d, op, as, off, data, len, &resp);

	if (ret)
		return ret;
	if (resp.flags || resp.cc)
		return 1000 + resp.cc + (resp.flags ? resp.pic << 4 : 0);
	return 0;
}

/* ---- foundation: standard vfio-pci behaviour stays intact ------------ */

TEST_F_TIMEOUT(zio, device_info_is_pci_with_zpci_caps, ZIO_TEST_TIMEOUT)
{
	struct vfio_device_info *info;
	struct vfio_info_cap_header *h;
	uint32_t next;
	int found = 0;

	ASSERT_TRUE(self->d.info.flags & VFIO_DEVICE_FLAGS_PCI);
	ASSERT_EQ(VFIO_PCI_NUM_IRQS, self->d.info.num_irqs);
	/* standard regions plus exactly one device specific region */
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS + 1, self->d.info.num_regions);
	ASSERT_TRUE(self->d.info.flags & VFIO_DEVICE_FLAGS_CAPS);

	info = calloc(1, 4096);
	ASSERT_NE(NULL, info);
	info->argsz = 4096;
	ASSERT_EQ(0, ioctl(self->d.device, VFIO_DEVICE_GET_INFO, info));
	for (next = info->cap_offset; next; next = h->next) {
		h = (void *)((char *)info + next);
		if (h->id == VFIO_DEVICE_INFO_CAP_ZPCI_BASE ||
		    h->id == VFIO_DEVICE_INFO_CAP_ZPCI_GROUP)
			found++;
	}
	free(info);
	ASSERT_EQ(2, found);
}

TEST_F_TIMEOUT(zio, msix_irq_info_reports_200_vectors, ZIO_TEST_TIMEOUT)
{
	struct vfio_irq_info irq = { .argsz = sizeof(irq),
				     .index = VFIO_PCI_MSIX_IRQ_INDEX };

	ASSERT_EQ(0, ioctl(self->d.device, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	ASSERT_EQ(200, irq.count);
}

TEST_F_TIMEOUT(zio, config_space_shows_virtio_rng_ids, ZIO_TEST_TIMEOUT)
{
	uint16_t ids[2];

	ASSERT_EQ(0, zio_config_read(&self->d, 0, ids, sizeof(ids)));
	ASSERT_EQ(0x1af4, le16toh(ids[0]));
	ASSERT_EQ(0x1044, le16toh(ids[1]));
}

TEST_F_TIMEOUT(zio, bar4_pread_shows_virtio_version_1_and_one_queue, ZIO_TEST_TIMEOUT)
{
	uint32_t sel = htole32(1), feat = 0;
	uint16_t nq = 0;

	ASSERT_EQ(0, zio_bar_write(&self->d, VIRTIO_BAR, VIRTIO_FEATURE_SELECT,
				   &sel, 4));
	ASSERT_EQ(0, zio_bar_read(&self->d, VIRTIO_BAR, VIRTIO_FEATURE,
				  &feat, 4));
	ASSERT_EQ(1, le32toh(feat) & 1);	/* VIRTIO_F_VERSION_1 */
	ASSERT_EQ(0, zio_bar_read(&self->d, VIRTIO_BAR, VIRTIO_NUM_QUEUES,
				  &nq, 2));
	ASSERT_EQ(1, le16toh(nq));		/* virtio-rng: one queue */
}

/* ---- the region: discovery and header -------------------------------- */

TEST_F_TIMEOUT(zio, region_found_through_cap_type_is_rw_not_mmap, ZIO_TEST_TIMEOUT)
{
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS, self->d.region_index);
	ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  self->d.region_flags & (VFIO_REGION_INFO_FLAG_READ |
					  VFIO_REGION_INFO_FLAG_WRITE |
					  VFIO_REGION_INFO_FLAG_MMAP));
	ASSERT_EQ(VFIO_ZPCI_IO_REQ_OFFSET + sizeof(struct vfio_zpci_io_req),
		  self->d.region_size);
}

TEST_F_TIMEOUT(zio, header_reports_version_limits_and_bars, ZIO_TEST_TIMEOUT)
{
	const struct vfio_zpci_io_header *h = &self->d.hdr;
	int i;

	ASSERT_EQ(VFIO_ZPCI_IO_VERSION, h->version);
	ASSERT_EQ(VFIO_ZPCI_IO_HDR_NON_MIO | VFIO_ZPCI_IO_HDR_MSIX, h->flags);
	ASSERT_EQ((1U << LG) | (1U << STG) | (1U << STB), h->ops);
	ASSERT_EQ(sizeof(*h), h->hdr_size);
	ASSERT_EQ(VFIO_ZPCI_IO_REQ_OFFSET, h->req_offset);
	ASSERT_EQ(sizeof(struct vfio_zpci_io_req), h->req_size);
	ASSERT_EQ(128, h->maxstbl);		/* QEMU's emulated group */
	for (i = 0; i < VFIO_ZPCI_IO_NUM_BARS; i++)
		ASSERT_EQ(self->d.bar_size[i], h->bar_size[i]);
	ASSERT_NE(0, h->bar_size[VIRTIO_BAR]);
	ASSERT_EQ(MSIX_BAR, h->msix_bar);
	ASSERT_EQ(0, h->msix_offset);
	ASSERT_EQ(MSIX_TABLE_SIZE, h->msix_size);
}

/* ---- the region: loads and stores ------------------------------------ */

TEST_F_TIMEOUT(zio, pcilg_equals_standard_bar_pread, ZIO_TEST_TIMEOUT)
{
	static const struct { uint64_t off; uint16_t len; } reads[] = {
		{ 0x00, 4 }, { 0x04, 4 }, { 0x10, 2 }, { 0x12, 2 },
		{ 0x14, 1 }, { 0x10, 8 }, { 0x18, 8 }, { 0x08, 8 },
	};
	uint8_t a[8], b[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reads); i++) {
		memset(a, 0xee, sizeof(a));
		memset(b, 0xdd, sizeof(b));
		ASSERT_EQ(0, req_ok(&self->d, LG, VIRTIO_BAR, reads[i].off, a,
				    reads[i].len));
		ASSERT_EQ(0, zio_bar_read(&self->d, VIRTIO_BAR, reads[i].off, b,
					  reads[i].len));
		ASSERT_EQ(0, memcmp(a, b, reads[i].len))
			TH_LOG("offset 0x%llx len %u",
			       (unsigned long long)reads[i].off, reads[i].len);
	}
}

TEST_F_TIMEOUT(zio, pcistg_then_pcilg_round_trip, ZIO_TEST_TIMEOUT)
{
	uint8_t sel[4] = { 1, 0, 0, 0 };	/* LE 1 */
	uint32_t feat = 0;

	ASSERT_EQ(0, req_ok(&self->d, STG, VIRTIO_BAR, VIRTIO_FEATURE_SELECT,
			    sel, 4));
	ASSERT_EQ(0, req_ok(&self->d, LG, VIRTIO_BAR, VIRTIO_FEATURE,
			    &feat, 4));
	ASSERT_EQ(1, le32toh(feat) & 1);
}

static void pcistb_lands(struct __test_metadata *_metadata,
			 struct zio_dev *d, uint16_t len)
{
	uint8_t zero[32] = { 0 }, via_region[32], via_bar[32];
	uint16_t q = 0;
	int i;

	ASSERT_EQ(0, zio_bar_write(d, VIRTIO_BAR, VIRTIO_QUEUE_SELECT, &q, 2));
	ASSERT_EQ(0, req_ok(d, STB, VIRTIO_BAR, VIRTIO_QUEUE_DESC, zero, 24));
	ASSERT_EQ(0, req_ok(d, STB, VIRTIO_BAR, VIRTIO_QUEUE_DESC,
			    (void *)pattern, len));
	for (i = 0; i < len; i += 8)
		ASSERT_EQ(0, req_ok(d, LG, VIRTIO_BAR, VIRTIO_QUEUE_DESC + i,
				    via_region + i, 8));
	ASSERT_EQ(0, zio_bar_read(d, VIRTIO_BAR, VIRTIO_QUEUE_DESC, via_bar,
				  len));
	ASSERT_EQ(0, memcmp(pattern, via_region, len));
	ASSERT_EQ(0, memcmp(pattern, via_bar, len));
}

TEST_F_TIMEOUT(zio, pcistb_16_bytes_lands_on_queue_registers, ZIO_TEST_TIMEOUT)
{
	pcistb_lands(_metadata, &self->d, 16);
}

TEST_F_TIMEOUT(zio, pcistb_24_bytes_lands_on_queue_registers, ZIO_TEST_TIMEOUT)
{
	pcistb_lands(_metadata, &self->d, 24);
}

TEST_F_TIMEOUT(zio, pcistb_onto_pba_succeeds, ZIO_TEST_TIMEOUT)
{
	uint16_t len;

	for (len = 16; len <= 32; len += 8)
		ASSERT_EQ(0, req_ok(&self->d, STB, MSIX_BAR, PBA,
				    (void *)pattern, len));
}

TEST_F_TIMEOUT(zio, pcistb_past_pba_is_operand_exception, ZIO_TEST_TIMEOUT)
{
	struct vfio_zpci_io_resp resp;

	memset(&resp, 0xa5, sizeof(resp));
	ASSERT_EQ(0, zio_request(&self->d, STB, MSIX_BAR, PAST_PBA,
				 (void *)pattern, 16, &resp));
	ASSERT_EQ(VFIO_ZPCI_IO_RESP_EXCEPTION, resp.flags);
	ASSERT_EQ(VFIO_ZPCI_IO_PIC_OPERAND, resp.pic);
	ASSERT_EQ(0, resp.cc);
	ASSERT_EQ(0, resp.status);
	/* a store hands back no data */
	ASSERT_TRUE(all_zero(resp.data, sizeof(resp.data)));
}

/* ---- refused requests: documented errno, nothing issued or written --- */

/* bad_req.data: what the request names as its data buffer */
enum {
	D_STD,		/* loads: nothing (0); stores: a valid buffer */
	D_NULL,		/* 0 */
	D_RO,		/* a read-only page */
	D_BUF,		/* a valid read-write buffer, loads included */
};

/* bad_req.resp: where the response goes (R_* is unistd.h's) */
enum {
	RS_OK,		/* a valid, writable response */
	RS_NULL,	/* 0 */
};

struct bad_req {
	const char *name;
	uint8_t op, pcias;
	uint16_t len;
	uint64_t off;
	uint32_t flags, reserved;
	int data;	/* D_* */
	int resp;	/* RS_* */
	int err;
};

/*
 * Every rule alone, then pairs that pin down the order of the checks:
 * EINVAL, then EACCES, then EFAULT (no response, then unreadable store
 * data).  A request whose response is merely unwritable is issued, so it
 * has no place here.
 */
static const struct bad_req bad_reqs[] = {
	{ "flags", LG, 4, 2, 0x12, 1, 0, D_STD, RS_OK, EINVAL },
	{ "reserved", LG, 4, 2, 0x12, 0, 1, D_STD, RS_OK, EINVAL },
	{ "op0", 0, 4, 2, 0x12, 0, 0, D_STD, RS_OK, EINVAL },
	{ "op4", 4, 4, 2, 0x12, 0, 0, D_STD, RS_OK, EINVAL },
	{ "config_space_15", LG, 15, 4, 0, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcias_6", LG, 6, 4, 0, 0, 0, D_STD, RS_OK, EINVAL },
	{ "absent_bar2", LG, 2, 4, 0, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcilg_len3", LG, 4, 3, 0, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcilg_crossing_dw", LG, 4, 4, 0x16, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcistg_len16", STG, 4, 16, 0, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcistb_len8", STB, 4, 8, 0x20, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcistb_len20", STB, 4, 20, 0x20, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcistb_over_maxstbl", STB, 4, 136, 0x0, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcistb_unaligned", STB, 4, 16, 0x24, 0, 0, D_STD, RS_OK, EINVAL },
	{ "pcistb_crossing_4k", STB, 4, 16, 0xff8, 0, 0, D_STD, RS_OK, EINVAL },
	{ "past_bar_end", LG, 1, 8, 0x1000, 0, 0, D_STD, RS_OK, EINVAL },
	{ "offset_overflow", LG, 4, 8, ~0ULL - 7, 0, 0, D_STD, RS_OK, EINVAL },
	{ "load_names_data", LG, 4, 4, 0x12, 0, 0, D_BUF, RS_OK, EINVAL },
	{ "load_names_readonly_data", LG, 4, 4, 0x12, 0, 0, D_RO, RS_OK,
	  EINVAL },
	{ "load_names_data_before_msix", LG, 1, 4, 0xc7c, 0, 0, D_BUF, RS_OK,
	  EINVAL },
	{ "load_names_data_before_no_resp", LG, 4, 4, 0x12, 0, 0, D_BUF,
	  RS_NULL, EINVAL },
	{ "msix_table_pcistb", STB, 1, 16, 0x0, 0, 0, D_STD, RS_OK, EACCES },
	{ "msix_table_straddle_pba", STB, 1, 16, 0xc78, 0, 0, D_STD, RS_OK,
	  EACCES },
	{ "msix_table_pcilg", LG, 1, 4, 0xc7c, 0, 0, D_STD, RS_OK, EACCES },
	{ "msix_table_before_no_resp", STB, 1, 16, 0x0, 0, 0, D_NULL, RS_NULL,
	  EACCES },
	{ "data_null_pcistb", STB, 1, 16, PBA, 0, 0, D_NULL, RS_OK, EFAULT },
	{ "data_null_pcistg", STG, 4, 4, VIRTIO_FEATURE_SELECT, 0, 0, D_NULL,
	  RS_OK, EFAULT },
	{ "resp_null_pcistb", STB, 1, 16, PBA, 0, 0, D_STD, RS_NULL, EFAULT },
	{ "resp_null_pcistg", STG, 4, 4, VIRTIO_FEATURE_SELECT, 0, 0, D_STD,
	  RS_NULL, EFAULT },
	{ "resp_null_pcilg", LG, 4, 4, 0x12, 0, 0, D_STD, RS_NULL, EFAULT },
	{ "resp_null_and_data_null", STB, 1, 16, PBA, 0, 0, D_NULL, RS_NULL,
	  EFAULT },
};

#define N_BAD	ARRAY_SIZE(bad_reqs)

/* Issue every refused request; returns the number that misbehaved. */
static int run_bad_requests(struct __test_metadata *_metadata,
			    struct zio_dev *d)
{
	uint8_t *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	struct vfio_zpci_io_resp resp, poison;
	uint8_t data[256], want[256];
	unsigned int i;
	int bad = 0;

	if (ro == MAP_FAILED)
		return -1;
	memset(&poison, 0xa5, sizeof(poison));
	memcpy(want, pattern, 32);
	memset(want + 32, 0x5a, sizeof(want) - 32);
	for (i = 0; i < N_BAD; i++) {
		const struct bad_req *b = &bad_reqs[i];
		struct vfio_zpci_io_req req = {
			.flags = b->flags, .op = b->op, .pcias = b->pcias,
			.len = b->len, .offset = b->off,
		};
		long n;

		req.reserved[2] = b->reserved;
		memcpy(data, want, sizeof(data));
		resp = poison;
		switch (b->data) {
		case D_STD:
			req.data = b->op == LG ? 0 : (uintptr_t)data;
			break;
		case D_NULL:
			req.data = 0;
			break;
		case D_RO:
			req.data = (uintptr_t)ro;
			break;
		default:
			req.data = (uintptr_t)data;
			break;
		}
		req.resp = b->resp == RS_NULL ? 0 : (uintptr_t)&resp;
		n = zio_write_raw(d, &req, sizeof(req), d->hdr.req_offset);
		if (n != -b->err) {
			TH_LOG("%s: got %ld, expected %d", b->name, n, -b->err);
			bad++;
		}
		if (memcmp(&resp, &poison, sizeof(resp))) {
			TH_LOG("%s: response area was written", b->name);
			bad++;
		}
		if (memcmp(data, want, sizeof(data)) || !all_zero(ro, 4096)) {
			TH_LOG("%s: data buffer was written", b->name);
			bad++;
		}
	}
	munmap(ro, 4096);
	return bad;
}

TEST_F_TIMEOUT(zio, refused_requests_return_documented_errno_and_write_nothing, ZIO_TEST_TIMEOUT)
{
	ASSERT_EQ(0, run_bad_requests(_metadata, &self->d));
}

TEST_F_TIMEOUT(zio, malformed_region_access_is_einval, ZIO_TEST_TIMEOUT)
{
	struct vfio_zpci_io_req req = { .op = LG, .pcias = 4, .len = 2 };
	uint8_t big[64] = { 0 }, buf[16];
	uint64_t base = self->d.region_offset;
	int fd = self->d.device;

	/* short, oversized, misplaced writes */
	ASSERT_EQ(-EINVAL, zio_write_raw(&self->d, &req, sizeof(req) - 1,
					 VFIO_ZPCI_IO_REQ_OFFSET));
	ASSERT_EQ(-EINVAL, zio_write_raw(&self->d, big, sizeof(req) + 1,
					 VFIO_ZPCI_IO_REQ_OFFSET));
	ASSERT_EQ(-EINVAL, zio_write_raw(&self->d, &req, sizeof(req), 0));
	ASSERT_EQ(-EINVAL, zio_write_raw(&self->d, &req, sizeof(req),
					 VFIO_ZPCI_IO_REQ_OFFSET + 8));
	/* reads: only the header */
	ASSERT_EQ(16, pread(fd, buf, 16, base + sizeof(self->d.hdr) - 16));
	ASSERT_EQ(-1, pread(fd, buf, 16, base + sizeof(self->d.hdr) - 8));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, pread(fd, buf, 16, base + VFIO_ZPCI_IO_REQ_OFFSET));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F_TIMEOUT(zio, memory_space_disabled_is_eio, ZIO_TEST_TIMEOUT)
{
	struct vfio_zpci_io_resp resp;
	uint16_t cmd, off;
	uint8_t val[2];

	ASSERT_EQ(0, zio_config_read(&self->d, 4, &cmd, 2));
	off = htole16(le16toh(cmd) & ~0x2);	/* PCI_COMMAND_MEMORY */
	ASSERT_EQ(0, zio_config_write(&self->d, 4, &off, 2));
	EXPECT_EQ(-EIO, zio_request(&self->d, LG, VIRTIO_BAR, VIRTIO_NUM_QUEUES,
				    val, 2, &resp));
	ASSERT_EQ(0, zio_config_write(&self->d, 4, &cmd, 2));
	ASSERT_EQ(0, req_ok(&self->d, LG, VIRTIO_BAR, VIRTIO_NUM_QUEUES,
			    val, 2));
}

/* ---- exactly one instruction per issued request, none per refused ---- */

/*
 * Accepted requests and requests whose response could not be written
 * (ENOTRECOVERABLE: issued, outcome lost) each count one instruction;
 * refused requests count none.
 */
TEST_F_TIMEOUT(zio, fmb_counts_one_insn_per_issued_request_none_per_refused, ZIO_TEST_TIMEOUT)
{
	struct vfio_zpci_io_resp *ro;
	struct zio_fmb before, after;
	uint8_t val[8];
	int i;

	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, zio_fmb_start(self->d.bdf, &before));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, req_ok(&self->d, LG, VIRTIO_BAR, 0x10, val, 8));
		ASSERT_EQ(0, req_ok(&self->d, STG, VIRTIO_BAR,
				    VIRTIO_FEATURE_SELECT, (void *)pattern, 4));
		ASSERT_EQ(0, req_ok(&self->d, STB, MSIX_BAR, PBA,
				    (void *)pattern, 32));
	}
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(-ENOTRECOVERABLE,
			  zio_request(&self->d, LG, VIRTIO_BAR, 0x10, val, 8,
				      ro));
		ASSERT_EQ(-ENOTRECOVERABLE,
			  zio_request(&self->d, STG, VIRTIO_BAR,
				      VIRTIO_FEATURE_SELECT, (void *)pattern, 4,
				      ro));
		ASSERT_EQ(-ENOTRECOVERABLE,
			  zio_request(&self->d, STB, MSIX_BAR, PBA,
				      (void *)pattern, 32, ro));
	}
	ASSERT_TRUE(all_zero(ro, 4096));
	munmap(ro, 4096);
	ASSERT_EQ(0, run_bad_requests(_metadata, &self->d));
	ASSERT_EQ(0, zio_fmb_fresh(self->d.bdf, &after, 15));
	EXPECT_EQ(15ULL, after.loads - before.loads);
	EXPECT_EQ(15ULL, after.stores - before.stores);
	EXPECT_EQ(15ULL, after.store_blocks - before.store_blocks);
}

/* ---- concurrency ------------------------------------------------------ */

struct worker {
	struct zio_dev *d;
	int id;
	int errors;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	struct vfio_zpci_io_resp resp;
	uint8_t buf[32];
	int i;

	for (i = 0; i < 1000; i++) {
		memset(&resp, 0xa5, sizeof(resp));
		if ((i + w->id) & 1) {
			uint16_t nq = 0xffff;

			/* two bytes loaded, the rest of resp.data zero */
			if (zio_request(w->d, LG, VIRTIO_BAR, VIRTIO_NUM_QUEUES,
					&nq, 2, &resp) || resp.cc ||
			    resp.flags || resp.status || resp.pic ||
			    le16toh(nq) != 1 ||
			    !all_zero(resp.data + 2, sizeof(resp.data) - 2))
				w->errors++;
		} else {
			memset(buf, w->id, sizeof(buf));
			if (zio_request(w->d, STB, MSIX_BAR, PBA, buf,
					16 + 8 * (i % 3), &resp) ||
			    resp.cc || resp.flags || resp.status || resp.pic ||
			    !all_zero(resp.data, sizeof(resp.data)))
				w->errors++;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(zio, eight_threads_thousand_requests_each_all_correct, ZIO_TEST_TIMEOUT)
{
	struct worker w[8];
	pthread_t t[8];
	int i, errors = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (struct worker){ .d = &self->d, .id = i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_fn, &w[i]));
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
	}
	ASSERT_EQ(0, errors);
}

TEST_HARNESS_MAIN
