// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of the region's contract, each the way it could break:
 *
 * - a refused request stores nothing into caller memory, not even a byte
 *   with its own value (a MAP_PRIVATE file mapping keeps following its
 *   file), for every refusal errno; an issued one does store (control);
 * - an issued request whose response cannot be written says so with
 *   ENOTRECOVERABLE, and the instruction is counted;
 * - the errno of a request that breaks several rules follows the
 *   documented precedence, starting with a write of the wrong size or at
 *   the wrong offset, refused before anything is read;
 * - the sizes the ABI grows by, as the header announces them;
 * - a load that is not naturally aligned but stays inside its doubleword
 *   is issued as given, where vfio's standard path splits it;
 * - what vfio-pci-core decides before the region sees a request;
 * - the pointers inside a request are reachable only through a positioned
 *   write by the fd's holder: no lseek(), no plain write() or writev(), no
 *   splice(), sendfile() or copy_file_range() reaches the region;
 * - a PCISTB whose source sits on userfaultfd memory parks no other
 *   request;
 * - PCISTB sources of any alignment.
 *
 * Target as for zpci_io_test: a virtio-*-pci-non-transitional function
 * with vectors=200 bound to zpci-io-vfio-pci.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "zpci_io_selftest.h"

#define LG	VFIO_ZPCI_IO_OP_PCILG
#define STG	VFIO_ZPCI_IO_OP_PCISTG
#define STB	VFIO_ZPCI_IO_OP_PCISTB
#define PAGE	4096
#define VIRTIO_BAR		4
#define VIRTIO_NUM_QUEUES	0x12
#define VIRTIO_QUEUE_SELECT	0x16
#define VIRTIO_QUEUE_DESC	0x20
#define MSIX_BAR		1
#define PBA			0xc80
#define PAST_PBA		0xd00

FIXTURE(contract) {
	struct zio_dev d;
};

FIXTURE_SETUP(contract)
{
	int ret = zio_open_default(&self->d);

	ASSERT_EQ(0, ret) TH_LOG("open a function bound to " ZIO_DRIVER ": %s",
				 strerror(-ret));
}

FIXTURE_TEARDOWN(contract)
{
	zio_close(&self->d);
}

/* pwrite() one request; 0 or -errno */
static long submit(struct zio_dev *d, const struct vfio_zpci_io_req *req)
{
	long n = zio_write_raw(d, req, sizeof(*req), d->hdr.req_offset);

	return n < 0 ? n : 0;
}

/* ---- nothing is stored into caller memory unless issued ------------- */

/*
 * A MAP_PRIVATE mapping of a memfd whose response page was only read: it
 * shows the file's page until somebody stores into it, even the byte's
 * own value; then it is a private copy that no longer follows the file.
 */
struct cow_probe {
	int fd;
	uint8_t *map;
	uint8_t gen;
};

static int cow_open(struct cow_probe *c)
{
	uint8_t page[PAGE];
	uint8_t sink = 0;
	int i;

	c->gen = 1;
	c->fd = memfd_create("zpci-io-resp", 0);
	if (c->fd < 0)
		return -1;
	memset(page, c->gen, sizeof(page));
	if (pwrite(c->fd, page, PAGE, 0) != PAGE)
		return -1;
	c->map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, c->fd,
		      0);
	if (c->map == MAP_FAILED)
		return -1;
	/* read faults only: the compiler must not drop the loads */
	for (i = 0; i < PAGE; i += 64)
		sink ^= __atomic_load_n(&c->map[i], __ATOMIC_RELAXED);
	(void)sink;
	return 0;
}

/* Change the file; 1 if the mapping still shows it */
static int cow_still_follows_file(struct cow_probe *c)
{
	uint8_t page[PAGE];
	int i;

	c->gen++;
	memset(page, c->gen, sizeof(page));
	if (pwrite(c->fd, page, PAGE, 0) != PAGE)
		return 0;
	for (i = 0; i < PAGE; i++)
		if (c->map[i] != c->gen)
			return 0;
	return 1;
}

static void cow_close(struct cow_probe *c)
{
	munmap(c->map, PAGE);
	close(c->fd);
}

TEST_F(contract, refused_requests_store_nothing_map_private_keeps_following_file)
{
	static const struct {
		const char *name;
		struct vfio_zpci_io_req req;
		int memory_off;
		int err;
	} refusals[] = {
		{ "EINVAL pcistb length 12",
		  { .op = STB, .pcias = MSIX_BAR, .len = 12, .offset = PBA },
		  0, EINVAL },
		{ "EINVAL load names data",
		  { .op = LG, .pcias = VIRTIO_BAR, .len = 2,
		    .offset = VIRTIO_NUM_QUEUES, .data = 0x1000 }, 0, EINVAL },
		{ "EACCES msix table",
		  { .op = STB, .pcias = MSIX_BAR, .len = 16, .offset = 0 },
		  0, EACCES },
		{ "EFAULT store data unreadable",
		  { .op = STB, .pcias = MSIX_BAR, .len = 16, .offset = PBA,
		    .data = 8 }, 0, EFAULT },
		{ "EIO memory space disabled",
		  { .op = LG, .pcias = VIRTIO_BAR, .len = 2,
		    .offset = VIRTIO_NUM_QUEUES }, 1, EIO },
		{ "EIO memory space disabled, store",
		  { .op = STB, .pcias = MSIX_BAR, .len = 16, .offset = PBA },
		  1, EIO },
	};
	static uint8_t src[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refusals); i++) {
		struct vfio_zpci_io_req r = refusals[i].req;
		struct cow_probe c;
		long ret;

		ASSERT_EQ(0, cow_open(&c));
		if (r.op != LG && !r.data)
			r.data = (uintptr_t)src;
		/* the response straddles nothing: 16 bytes in the page */
		r.resp = (uintptr_t)(c.map + PAGE - 16);
		if (refusals[i].memory_off)
			ASSERT_EQ(0, zio_set_memory(&self->d, 0));
		ret = submit(&self->d, &r);
		if (refusals[i].memory_off)
			ASSERT_EQ(0, zio_set_memory(&self->d, 1));
		EXPECT_EQ(-refusals[i].err, ret) TH_LOG("%s", refusals[i].name);
		EXPECT_TRUE(cow_still_follows_file(&c))
			TH_LOG("%s: the response page was stored into",
			       refusals[i].name);
		cow_close(&c);
	}
}

/* Control: the probe does see a store, here the one an issued request makes */
TEST_F(contract, issued_request_stores_response_map_private_stops_following)
{
	struct vfio_zpci_io_req r = {
		.op = LG, .pcias = VIRTIO_BAR, .len = 2,
		.offset = VIRTIO_NUM_QUEUES,
	};
	struct vfio_zpci_io_resp *resp;
	struct cow_probe c;

	ASSERT_EQ(0, cow_open(&c));
	resp = (struct vfio_zpci_io_resp *)(c.map + PAGE - 16);
	r.resp = (uintptr_t)resp;
	ASSERT_EQ(0, submit(&self->d, &r));
	ASSERT_EQ(0, resp->cc);
	ASSERT_EQ(1, resp->data[0] | resp->data[1] << 8); /* one queue, LE */
	ASSERT_FALSE(cow_still_follows_file(&c));
	cow_close(&c);
}

/* ---- issued, but the outcome cannot be delivered -------------------- */

TEST_F(contract, unwritable_response_after_issue_is_enotrecoverable_and_counted)
{
	uint8_t *map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static uint8_t src[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct vfio_zpci_io_req r = {
		.op = STB, .pcias = MSIX_BAR, .len = 32, .offset = PBA,
		.data = (uintptr_t)src,
	};
	struct zio_fmb before, after;
	int i;

	ASSERT_NE(MAP_FAILED, map);
	memset(map, 0x5a, 2 * PAGE);
	ASSERT_EQ(0, mprotect(map + PAGE, PAGE, PROT_READ));
	ASSERT_EQ(0, zio_fmb_start(self->d.bdf, &before));
	for (i = 0; i < 5; i++) {
		/* wholly read-only */
		r.resp = (uintptr_t)(map + PAGE);
		ASSERT_EQ(-ENOTRECOVERABLE, submit(&self->d, &r));
		/* straddling into read-only memory */
		r.resp = (uintptr_t)(map + PAGE - 8);
		ASSERT_EQ(-ENOTRECOVERABLE, submit(&self->d, &r));
	}
	/* nothing outside the response's 16 bytes was touched */
	for (i = 0; i < PAGE - 8; i++)
		ASSERT_EQ(0x5a, map[i]);
	for (i = PAGE; i < 2 * PAGE; i++)
		ASSERT_EQ(0x5a, map[i]);
	ASSERT_EQ(0, zio_fmb_fresh(self->d.bdf, &after, 15));
	/* each of them was issued: one store block apiece */
	EXPECT_EQ(10ULL, after.store_blocks - before.store_blocks);
	munmap(map, 2 * PAGE);
}

/* ---- precedence of errors --------------------------------------------- */

TEST_F(contract, errors_follow_documented_precedence)
{
	static uint8_t src[16];
	static const struct {
		const char *name;
		struct vfio_zpci_io_req req;
		int memory_off;
		int null_data;
		int err;
	} cases[] = {
		/* EINVAL before EACCES: bad length on the MSI-X table */
		{ "einval_over_eacces",
		  { .op = STB, .pcias = MSIX_BAR, .len = 12, .offset = 0 },
		  0, 0, EINVAL },
		/* EINVAL before EFAULT: reserved field and no response */
		{ "einval_over_efault",
		  { .op = LG, .pcias = VIRTIO_BAR, .len = 2,
		    .offset = VIRTIO_NUM_QUEUES, .reserved = { 0, 1 } },
		  0, 1, EINVAL },
		/* EINVAL before EIO */
		{ "einval_over_eio",
		  { .op = LG, .pcias = VIRTIO_BAR, .len = 3,
		    .offset = VIRTIO_NUM_QUEUES }, 1, 0, EINVAL },
		/* EACCES before EFAULT: MSI-X table, store data NULL */
		{ "eacces_over_efault",
		  { .op = STB, .pcias = MSIX_BAR, .len = 16, .offset = 0 },
		  0, 1, EACCES },
		/* EACCES before EIO */
		{ "eacces_over_eio",
		  { .op = LG, .pcias = MSIX_BAR, .len = 4, .offset = 0 },
		  1, 0, EACCES },
		/* EFAULT before EIO: store data unreadable, memory off */
		{ "efault_over_eio",
		  { .op = STB, .pcias = MSIX_BAR, .len = 16, .offset = PBA },
		  1, 1, EFAULT },
	};
	struct vfio_zpci_io_resp resp;
	unsigned int i;
	long ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vfio_zpci_io_req r = cases[i].req;

		/* null_data: no store data, or for a load no response */
		r.resp = (uintptr_t)&resp;
		if (r.op == LG && cases[i].null_data)
			r.resp = 0;
		else if (r.op != LG && !cases[i].null_data)
			r.data = (uintptr_t)src;
		if (cases[i].memory_off)
			ASSERT_EQ(0, zio_set_memory(&self->d, 0));
		ret = submit(&self->d, &r);
		if (cases[i].memory_off)
			ASSERT_EQ(0, zio_set_memory(&self->d, 1));
		EXPECT_EQ(-cases[i].err, ret) TH_LOG("%s", cases[i].name);
	}
}

/*
 * Row 1 of the precedence: the write's size and offset are checked before
 * the request is read, so a write of the wrong size from memory that is
 * not even mapped is EINVAL; the right size from there is EFAULT.
 */
TEST_F(contract, wrong_size_or_offset_write_is_einval_before_request_is_read)
{
	uint64_t at = self->d.region_offset + self->d.hdr.req_offset;
	size_t v1 = VFIO_ZPCI_IO_REQ_SIZE_V1;
	char *none;

	none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-1, pwrite(self->d.device, none, v1 - 1, at));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->d.device, none, v1 + 1, at));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->d.device, none, v1, at + 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->d.device, none, v1, at));
	EXPECT_EQ(EFAULT, errno);
	munmap(none, PAGE);
}

/*
 * The sizes of "How the ABI grows": this kernel's header, request and
 * response are the first revision's, and a request write may be no larger
 * than req_size (a newer consumer writes min(its size, req_size)).
 */
TEST_F(contract, header_announces_v1_sizes_and_request_larger_than_req_size_is_einval)
{
	uint8_t big[VFIO_ZPCI_IO_REQ_SIZE_V1 + 16] = { 0 };
	struct vfio_zpci_io_req *r = (void *)big;
	struct vfio_zpci_io_resp resp;
	size_t n;

	ASSERT_LE(1, self->d.hdr.version);
	ASSERT_EQ(VFIO_ZPCI_IO_HDR_SIZE_V1, self->d.hdr.hdr_size);
	ASSERT_EQ(VFIO_ZPCI_IO_REQ_SIZE_V1, self->d.hdr.req_size);
	ASSERT_EQ(VFIO_ZPCI_IO_RESP_SIZE_V1, self->d.hdr.resp_size);
	r->op = LG;
	r->pcias = VIRTIO_BAR;
	r->len = 2;
	r->offset = VIRTIO_NUM_QUEUES;
	r->resp = (uintptr_t)&resp;
	for (n = self->d.hdr.req_size + 1; n <= sizeof(big); n++)
		EXPECT_EQ(-EINVAL, zio_write_raw(&self->d, big, n,
						 self->d.hdr.req_offset))
			TH_LOG("a %zu-byte request", n);
	ASSERT_EQ((long)self->d.hdr.req_size,
		  zio_write_raw(&self->d, big, self->d.hdr.req_size,
				self->d.hdr.req_offset));
	ASSERT_EQ(0, resp.cc);
	ASSERT_EQ(0, resp.flags);
}

/*
 * PCILG defines only that the bytes stay inside one doubleword, so two
 * bytes at an odd offset are issued as one instruction, and QEMU's answer
 * is reported: its memory core refuses an unaligned access to virtio's
 * registers, an operand exception (code we did not write decides it).
 * vfio's standard BAR path splits the same two bytes into two 1-byte
 * loads, which complete.
 */
TEST_F(contract, unaligned_load_inside_doubleword_is_issued_as_given_standard_path_splits)
{
	uint64_t bar = self->d.bar_offset[VIRTIO_BAR];
	struct vfio_zpci_io_resp resp;
	struct zio_fmb before, mid, after;
	uint8_t two[2], std[2];

	ASSERT_EQ(0, zio_fmb_start(self->d.bdf, &before));
	ASSERT_EQ(0, zio_request(&self->d, LG, VIRTIO_BAR,
				 VIRTIO_NUM_QUEUES + 1, two, 2, &resp));
	ASSERT_EQ(VFIO_ZPCI_IO_RESP_EXCEPTION, resp.flags);
	ASSERT_EQ(VFIO_ZPCI_IO_PIC_OPERAND, resp.pic);
	ASSERT_EQ(0, resp.cc);
	ASSERT_EQ(0, zio_fmb_fresh(self->d.bdf, &mid, 15));
	/* the one instruction did not complete, so nothing was counted */
	EXPECT_EQ(0ULL, mid.loads - before.loads);
	ASSERT_EQ(2, pread(self->d.device, std, 2,
			   bar + VIRTIO_NUM_QUEUES + 1));
	ASSERT_EQ(0, zio_fmb_fresh(self->d.bdf, &after, 15));
	EXPECT_EQ(2ULL, after.loads - mid.loads);
}

/* ---- what vfio-pci-core decides before the region --------------------- */

TEST_F(contract, zero_length_pread_pwrite_return_zero_and_issue_nothing)
{
	uint64_t pos = self->d.region_offset + self->d.hdr.req_offset;
	struct vfio_zpci_io_req r = { .op = LG, .pcias = 4, .len = 2 };
	struct zio_fmb before, after;
	int i;

	ASSERT_EQ(0, zio_fmb_start(self->d.bdf, &before));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, pwrite(self->d.device, &r, 0, pos));
		ASSERT_EQ(0, pread(self->d.device, &r, 0, self->d.region_offset));
		/* even where the region would refuse any length */
		ASSERT_EQ(0, pwrite(self->d.device, &r, 0, pos + 1));
	}
	ASSERT_EQ(0, zio_fmb_fresh(self->d.bdf, &after, 15));
	EXPECT_EQ(0ULL, after.loads - before.loads);
	EXPECT_EQ(0ULL, after.stores - before.stores);
	EXPECT_EQ(0ULL, after.store_blocks - before.store_blocks);
}

TEST_F(contract, region_size_is_request_offset_plus_request_size)
{
	ASSERT_EQ(0x130, self->d.region_size);
	ASSERT_EQ(self->d.hdr.req_offset + self->d.hdr.req_size,
		  self->d.region_size);
}

/* ---- outcome fields ---------------------------------------------------- */

TEST_F(contract, cc0_has_status_0_and_load_bytes_then_zeros)
{
	static const uint16_t lens[] = { 1, 2, 4, 8 };
	struct vfio_zpci_io_resp resp;
	uint8_t std[8];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		struct vfio_zpci_io_req r = {
			.op = LG, .pcias = VIRTIO_BAR, .len = lens[i],
			.offset = 0x10, .resp = (uintptr_t)&resp,
		};

		memset(&resp, 0xa5, sizeof(resp));
		ASSERT_EQ(0, submit(&self->d, &r));
		ASSERT_EQ(0, resp.cc);
		ASSERT_EQ(0, resp.status);
		ASSERT_EQ(0, resp.flags);
		ASSERT_EQ(0, resp.pic);
		ASSERT_EQ(0, zio_bar_read(&self->d, VIRTIO_BAR, 0x10, std,
					  lens[i]));
		ASSERT_EQ(0, memcmp(resp.data, std, lens[i]));
		for (j = lens[i]; j < 8; j++)
			ASSERT_EQ(0, resp.data[j]);
	}
}

TEST_F(contract, exception_has_cc0_status0_and_zero_data)
{
	struct vfio_zpci_io_resp resp;
	struct vfio_zpci_io_req r = {
		.op = LG, .pcias = MSIX_BAR, .len = 8, .offset = PAST_PBA,
		.resp = (uintptr_t)&resp,
	};
	unsigned int j;

	memset(&resp, 0xa5, sizeof(resp));
	ASSERT_EQ(0, submit(&self->d, &r));
	ASSERT_EQ(VFIO_ZPCI_IO_RESP_EXCEPTION, resp.flags);
	ASSERT_EQ(VFIO_ZPCI_IO_PIC_OPERAND, resp.pic);
	ASSERT_EQ(0, resp.cc);
	ASSERT_EQ(0, resp.status);
	for (j = 0; j < 8; j++)
		ASSERT_EQ(0, resp.data[j]);
}

/* ---- pointers in the payload: who can make the kernel follow them ----- */

/* A valid PCISTB request whose response goes to @resp */
static struct vfio_zpci_io_req deputy_req(struct vfio_zpci_io_resp *resp)
{
	static uint8_t src[16];

	return (struct vfio_zpci_io_req){
		.op = STB, .pcias = MSIX_BAR, .len = 16, .offset = PBA,
		.data = (uintptr_t)src, .resp = (uintptr_t)resp,
	};
}

TEST_F(contract, device_fd_cannot_seek)
{
	int fd = self->d.device;

	ASSERT_EQ(-1, lseek(fd, self->d.region_offset + 0x100, SEEK_SET));
	ASSERT_EQ(ESPIPE, errno);
	ASSERT_EQ(-1, lseek(fd, 0x100, SEEK_CUR));
	ASSERT_EQ(ESPIPE, errno);
	ASSERT_EQ(-1, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(ESPIPE, errno);
}

/*
 * Every way a request's bytes can reach the device fd without the caller
 * naming the region's offset: refused before the region, nothing issued
 * (the measurement block proves it), the response untouched.  Only the
 * positioned write of the fd's holder reaches the region (control).
 */
TEST_F(contract, only_positioned_write_reaches_region_pointers)
{
	int fd = self->d.device, mfd, pfd[2];
	struct vfio_zpci_io_resp resp, poison;
	struct vfio_zpci_io_req r = deputy_req(&resp);
	loff_t pos = self->d.region_offset + self->d.hdr.req_offset;
	loff_t mpos = 0;
	struct zio_fmb before, after;
	struct iovec iov = { &r, sizeof(r) };
	char buf[sizeof(r)];

	memset(&poison, 0xa5, sizeof(poison));
	resp = poison;
	mfd = memfd_create("zpci-io-req", 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(sizeof(r), pwrite(mfd, &r, sizeof(r), 0));
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, zio_fmb_start(self->d.bdf, &before));

	/* write() and writev() use the file position: BAR0's region */
	ASSERT_EQ(-1, write(fd, &r, sizeof(r)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, writev(fd, &iov, 1));
	ASSERT_EQ(EINVAL, errno);
	/* read() cannot move the position anywhere either */
	ASSERT_EQ(-1, read(fd, buf, sizeof(buf)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, write(fd, &r, sizeof(r)));
	ASSERT_EQ(EINVAL, errno);
	/* no splice_write: splice, sendfile, copy_file_range */
	ASSERT_EQ(sizeof(r), write(pfd[1], &r, sizeof(r)));
	ASSERT_EQ(-1, splice(pfd[0], NULL, fd, &pos, sizeof(r), 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, splice(pfd[0], NULL, fd, NULL, sizeof(r), 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, sendfile(fd, mfd, &mpos, sizeof(r)));
	ASSERT_EQ(EINVAL, errno);
	mpos = 0;
	ASSERT_EQ(-1, copy_file_range(mfd, &mpos, fd, &pos, sizeof(r), 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, memcmp(&resp, &poison, sizeof(resp)));

	/* control: the holder's positioned write */
	ASSERT_EQ(sizeof(r), pwrite(fd, &r, sizeof(r), pos));
	ASSERT_EQ(0, resp.cc);
	ASSERT_EQ(0, resp.flags);

	ASSERT_EQ(0, zio_fmb_fresh(self->d.bdf, &after, 15));
	EXPECT_EQ(1ULL, after.store_blocks - before.store_blocks);
	EXPECT_EQ(0ULL, after.loads - before.loads);
	EXPECT_EQ(0ULL, after.stores - before.stores);
	close(pfd[0]);
	close(pfd[1]);
	close(mfd);
}

/* ---- a slow source parks nobody ------------------------------------- */

struct parked {
	struct zio_dev *d;
	uint8_t *src;
	int ret;
	struct vfio_zpci_io_resp resp;
};

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *parked_stb(void *arg)
{
	struct parked *p = arg;

	pin_cpu0();
	p->ret = zio_request(p->d, STB, MSIX_BAR, PBA, p->src, 32, &p->resp);
	return NULL;
}

/*
 * Thread A's PCISTB source is a userfaultfd page nobody has filled: A
 * waits inside its request.  Meanwhile 200 PCISTBs from another thread on
 * the same CPU (so the same bounce slot) must all complete.  Then the page
 * is filled and A's request completes too.
 */
TEST_F(contract, pcistb_waiting_on_userfaultfd_source_parks_no_other_request)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_copy copy;
	struct parked a = { .d = &self->d };
	struct uffd_msg msg;
	static uint8_t fill[PAGE], src[32];
	struct pollfd pfd;
	pthread_t ta;
	int uffd, i;

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	a.src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a.src);
	reg = (struct uffdio_register){
		.range = { .start = (uintptr_t)a.src, .len = PAGE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	pin_cpu0();
	ASSERT_EQ(0, pthread_create(&ta, NULL, parked_stb, &a));
	/* A is inside its request once its fault arrives */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 60000));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	for (i = 0; i < 200; i++) {
		struct vfio_zpci_io_resp resp;

		ASSERT_EQ(0, zio_request(&self->d, STB, MSIX_BAR, PBA, src, 16,
					 &resp));
		ASSERT_EQ(0, resp.cc);
	}

	memset(fill, 0x3c, sizeof(fill));
	copy = (struct uffdio_copy){
		.dst = (uintptr_t)a.src, .src = (uintptr_t)fill, .len = PAGE,
	};
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	ASSERT_EQ(0, pthread_join(ta, NULL));
	ASSERT_EQ(0, a.ret);
	ASSERT_EQ(0, a.resp.cc);
	ASSERT_EQ(0, a.resp.flags);
	munmap(a.src, PAGE);
	close(uffd);
}

/* ---- PCISTB source alignment ------------------------------------------ */

/*
 * No doubleword a byte palindrome: a store whose doublewords land
 * byte-reversed (an emulator writing them host-endian) fails.
 */
static const uint8_t pattern[24] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
	0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
};

TEST_F(contract, pcistb_source_of_any_alignment_lands_exactly)
{
	static uint64_t words[8];
	uint8_t *buf = (uint8_t *)words;
	uint8_t zero[24] = { 0 }, back[24];
	uint16_t q = 0;
	int a;

	ASSERT_EQ(0, zio_bar_write(&self->d, VIRTIO_BAR, VIRTIO_QUEUE_SELECT,
				   &q, 2));
	for (a = 0; a < 8; a++) {
		struct vfio_zpci_io_resp resp;

		memcpy(buf + a, pattern, sizeof(pattern));
		ASSERT_EQ(0, zio_request(&self->d, STB, VIRTIO_BAR,
					 VIRTIO_QUEUE_DESC, zero, 24, &resp));
		ASSERT_EQ(0, zio_request(&self->d, STB, VIRTIO_BAR,
					 VIRTIO_QUEUE_DESC, buf + a, 24,
					 &resp));
		ASSERT_EQ(0, resp.cc);
		ASSERT_EQ(0, resp.flags);
		ASSERT_EQ(0, zio_bar_read(&self->d, VIRTIO_BAR,
					  VIRTIO_QUEUE_DESC, back, 24));
		ASSERT_EQ(0, memcmp(back, pattern, 24)) TH_LOG("alignment %d", a);
	}
}

TEST_HARNESS_MAIN
