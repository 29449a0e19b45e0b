// SPDX-License-Identifier: GPL-2.0
/*
 * An ISM function through the zPCI I/O region and a partner on the same
 * emulated ISM network that Linux drives: the harness's dibs peer module
 * (tools/testing/zpci-io/ism-peer), a client of the ism driver bound to
 * another emulated ISM function.
 *
 * - The peer moves into a DMB this process registered through the region
 *   (buffers DMA-mapped through VFIO), with ism_move()'s shapes: the bytes
 *   land, the signal sets the SBA's bits and raises the MSI eventfd.
 * - This process moves through the region into a DMB the peer owns: the
 *   bytes land, and the signal reaches the peer's handle_irq() with the
 *   DMB's index and the dmbe_mask bit of the move's index.
 *
 * Needs $ZPCI_IO_ISM_BDF bound to zpci-io-vfio-pci and the peer module
 * loaded (a kernel with CONFIG_DIBS and CONFIG_ISM); skips otherwise.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zpci_io_selftest.h"
#include "zpci_io_ism.h"

#define DMB_LEN		0x4100
#define SBA_IDX		33
#define MSI_WAIT_MS	5000
#define QUIET_MS	200
#define IRQ_WAIT_MS	5000
#define FMB_WAIT_S	15

static const char *bdf;

static void __attribute__((constructor)) ism_peer_init(void)
{
	bdf = zio_ism_bdf_or_skip();
	if (access(ZIO_ISM_PEER_DIR "move", W_OK))
		ksft_exit_skip("no peer module (%s): a kernel without dibs\n",
			       strerror(errno));
}

/* The peer's handle_irq() record: "<count> <idx> 0x<mask>" */
struct peer_irqs {
	unsigned int count, idx, mask;
};

static int peer_irqs(struct peer_irqs *p)
{
	char buf[64];
	int ret = zio_sysfs_read(ZIO_ISM_PEER_DIR "irqs", buf, sizeof(buf));

	if (ret)
		return ret;
	return sscanf(buf, "%u %u %x", &p->count, &p->idx, &p->mask) == 3 ?
	       0 : -EINVAL;
}

/* Wait until the peer has seen more than @count interrupts */
static int peer_wait_irq(unsigned int count, struct peer_irqs *p, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int ret;

	for (; ms >= 0; ms -= 10) {
		ret = peer_irqs(p);
		if (ret || p->count > count)
			return ret;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

/* The peer's move_data() of @len bytes of @src into @token at @off */
static int peer_move(uint64_t token, unsigned int idx, int sf, uint32_t off,
		     const void *src, uint32_t len)
{
	char cmd[128];
	int fd = open(ZIO_ISM_PEER_DIR "move_data", O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, src, len, 0);
	close(fd);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	snprintf(cmd, sizeof(cmd), "0x%llx %u %d %u %u",
		 (unsigned long long)token, idx, sf, off, len);
	return zio_ism_peer_write("move", cmd);
}

FIXTURE(peer) {
	struct zio_dev d;
	struct zio_ism_user u;
	uint64_t gid, peer_gid;
	int peer_dmb;
};

FIXTURE_SETUP(peer)
{
	struct zio_ism_user init = ZIO_ISM_USER_INIT;

	self->u = init;
	ASSERT_EQ(0, zio_open(bdf, &self->d));
	ASSERT_EQ(0, zio_ism_read_gid(&self->d, &self->gid));
	ASSERT_EQ(0, zio_ism_peer_read_u64("gid", &self->peer_gid));
	ASSERT_NE(0, self->peer_gid);
	ASSERT_NE(self->gid, self->peer_gid);
	ASSERT_EQ(0, zio_ism_user_setup(&self->d, &self->u, DMB_LEN));
	ASSERT_EQ(0, zio_ism_reg_sba(&self->d, &self->u));
}

FIXTURE_TEARDOWN(peer)
{
	if (self->peer_dmb)
		zio_ism_peer_write("dmb_unregister", "1");
	zio_ism_user_teardown(&self->d, &self->u);
	zio_close(&self->d);
}

/*
 * The shapes ism_move() issues, as the peer's dibs move_data() turns them
 * into moves: up to 4096 bytes at any offset, longer ones in 4 KiB chunks
 * with the signal on the last; every one lands in our DMB, and only the
 * signalled ones set the SBA bits and raise the MSI.
 */
TEST_F(peer, peer_moves_land_in_our_dmb_and_signal_our_msi)
{
	static const struct { uint32_t off, len; int sf; } m[] = {
		{ 0x0, 1, 0 }, { 0x7, 13, 1 }, { 0x100, 256, 0 },
		{ 0x1000, 4096, 1 }, { 0x3, 4096, 0 }, { 0x80, 0x3000, 1 },
	};
	uint8_t *src = malloc(0x3000), *dmb, *want = calloc(1, DMB_LEN);
	unsigned int i;

	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, zio_ism_reg_dmb(&self->d, &self->u, SBA_IDX,
				     self->peer_gid));
	dmb = zio_ism_user_dmb(&self->u);
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		uint8_t *sba = zio_ism_user_sba(&self->u);

		/* what the ism driver's interrupt handler clears */
		memset(sba, 0, ZIO_ISM_SBA_LEN);
		zio_ism_pattern(src, m[i].len, i);
		memcpy(want + m[i].off, src, m[i].len);
		ASSERT_EQ(0, peer_move(self->u.token, i, m[i].sf, m[i].off,
				       src, m[i].len))
			TH_LOG("move %u: %u bytes at 0x%x", i, m[i].len,
			       m[i].off);
		EXPECT_EQ(0, memcmp(dmb, want, DMB_LEN))
			TH_LOG("move %u: %u bytes at 0x%x", i, m[i].len,
			       m[i].off);
		if (m[i].sf) {
			EXPECT_EQ(1, zio_ism_wait_msi(&self->u, MSI_WAIT_MS));
			EXPECT_TRUE(sba[0] & ZIO_ISM_SBA_S);
			EXPECT_EQ(1, zio_ism_sba_dmb_bit(&self->u));
			EXPECT_EQ(zio_ism_dmbe_bit(i),
				  zio_ism_sba_dmbe_mask(&self->u));
		} else {
			EXPECT_EQ(0, zio_ism_wait_msi(&self->u, QUIET_MS));
			EXPECT_EQ(0, zio_ism_sba_dmb_bit(&self->u));
		}
	}
	free(want);
	free(src);
}

/* A DMB whose remote GID is another function's refuses our moves */
TEST_F(peer, our_move_into_a_dmb_for_another_gid_is_refused)
{
	uint8_t src[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };
	struct vfio_zpci_io_resp out;

	ASSERT_EQ(0, zio_ism_reg_dmb(&self->d, &self->u, SBA_IDX,
				     self->peer_gid));
	ASSERT_EQ(0, zio_ism_region_move(&self->d, self->u.token, 0, 1, 0,
					 src, sizeof(src), &out));
	EXPECT_EQ(VFIO_ZPCI_IO_RESP_EXCEPTION, out.flags);
	EXPECT_EQ(VFIO_ZPCI_IO_PIC_OPERAND, out.pic);
	EXPECT_EQ(0, zio_ism_user_dmb(&self->u)[0]);
	EXPECT_EQ(0, zio_ism_wait_msi(&self->u, QUIET_MS));
}

/*
 * Moves through the region into the peer's DMB, each one PCISTB: the
 * bytes land, and a signalled move reaches the peer's handle_irq() with
 * its DMB's index and the move's dmbe_mask bit.
 */
TEST_F(peer, our_moves_land_in_the_peers_dmb_and_signal_it)
{
	static const struct { uint32_t off; uint16_t len; int sf; } m[] = {
		{ 0x0, 8, 0 }, { 0x11, 13, 1 }, { 0x1000, 4096, 1 },
		{ 0x2ffd, 3, 0 },
	};
	uint8_t *src = malloc(4096), *got = malloc(DMB_LEN);
	uint8_t *want = calloc(1, DMB_LEN);
	struct vfio_zpci_io_resp out;
	struct peer_irqs irqs, now;
	struct zio_fmb base, fmb;
	uint64_t token, idx;
	char val[64];
	unsigned int i;

	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, got);
	ASSERT_NE(NULL, want);
	snprintf(val, sizeof(val), "0x%llx %u", (unsigned long long)self->gid,
		 DMB_LEN);
	ASSERT_EQ(0, zio_ism_peer_write("dmb_register", val));
	self->peer_dmb = 1;
	ASSERT_EQ(0, zio_ism_peer_read_u64("dmb_token", &token));
	ASSERT_EQ(0, zio_ism_peer_read_u64("dmb_sba_idx", &idx));
	ASSERT_NE(0, token);
	/* the ism driver hands out a zeroed DMB; make sure of it */
	ASSERT_EQ(0, zio_ism_peer_dmb_data(1, want, DMB_LEN, 0));
	ASSERT_EQ(0, peer_irqs(&irqs));

	ASSERT_EQ(0, zio_fmb_start(bdf, &base));
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		zio_ism_pattern(src, m[i].len, i + 7);
		memcpy(want + m[i].off, src, m[i].len);
		ASSERT_EQ(0, zio_ism_region_move(&self->d, token, i + 1,
						 m[i].sf, m[i].off, src,
						 m[i].len, &out));
		EXPECT_EQ(0, out.cc);
		EXPECT_EQ(0, out.flags);
		if (m[i].sf) {
			ASSERT_EQ(0, peer_wait_irq(irqs.count, &now,
						   IRQ_WAIT_MS))
				TH_LOG("move %u: no interrupt at the peer", i);
			EXPECT_EQ(idx, now.idx);
			EXPECT_EQ(zio_ism_dmbe_bit(i + 1), now.mask);
			irqs = now;
		}
	}
	ASSERT_EQ(0, zio_fmb_fresh(bdf, &fmb, FMB_WAIT_S));
	EXPECT_EQ(ARRAY_SIZE(m),
		  fmb.store_blocks - base.store_blocks);
	ASSERT_EQ(0, zio_ism_peer_dmb_data(0, got, DMB_LEN, 0));
	EXPECT_EQ(0, memcmp(got, want, DMB_LEN));
	/* unsignalled moves raised nothing */
	ASSERT_EQ(0, peer_irqs(&now));
	EXPECT_EQ(irqs.count, now.count);
	free(want);
	free(got);
	free(src);
}

TEST_HARNESS_MAIN
