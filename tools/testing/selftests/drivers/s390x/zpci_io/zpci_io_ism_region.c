// SPDX-License-Identifier: GPL-2.0
/*
 * An ISM function through the zPCI I/O region, driven by userspace the way
 * Linux's ism driver drives the function (drivers/s390/net/ism_drv.c):
 * commands as ism_cmd() issues them, an SBA and a DMB in memory this
 * process DMA-maps through VFIO, moves by PCISTB to BAR0 at
 * ISM_CREATE_REQ(token, index, signal flag, offset), the function's one
 * MSI on an eventfd.  The DMB's remote GID is the function's own, so the
 * function moves into its own DMB (a loopback move, which the dibs API
 * allows: "Sender and receiver can be the same device").
 *
 * The function is $ZPCI_IO_ISM_BDF, bound to zpci-io-vfio-pci (the
 * harness hands it the third emulated ISM function); without it the
 * program skips.  Instruction counts are the function measurement block's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zpci_io_selftest.h"
#include "zpci_io_ism.h"

/* a DMB whose end is not on a 4 KiB boundary: a store past it crosses none */
#define DMB_LEN		0x2100
#define SBA_IDX		40
#define SIGNAL_IDX	5
#define MSI_WAIT_MS	5000
#define QUIET_MS	200
#define FMB_WAIT_S	15

static const char *bdf;

static void __attribute__((constructor)) ism_init(void)
{
	bdf = zio_ism_bdf_or_skip();
}

FIXTURE(ism) {
	struct zio_dev d;
	struct zio_ism_user u;
	uint64_t gid;
};

FIXTURE_SETUP(ism)
{
	struct zio_ism_user init = ZIO_ISM_USER_INIT;

	self->u = init;
	ASSERT_EQ(0, zio_open(bdf, &self->d));
	ASSERT_EQ(0, zio_ism_read_gid(&self->d, &self->gid));
	ASSERT_NE(0, self->gid);
}

FIXTURE_TEARDOWN(ism)
{
	zio_ism_user_teardown(&self->d, &self->u);
	zio_close(&self->d);
}

/* What a consumer decides the relaxed rules from */
TEST_F(ism, header_says_ism_relaxed_maxstbl_4096)
{
	const struct vfio_zpci_io_header *h = &self->d.hdr;

	EXPECT_EQ(5, h->pft);
	EXPECT_TRUE(h->flags & VFIO_ZPCI_IO_HDR_RELAXED);
	EXPECT_TRUE(h->flags & VFIO_ZPCI_IO_HDR_NON_MIO);
	EXPECT_FALSE(h->flags & VFIO_ZPCI_IO_HDR_MSIX);
	EXPECT_EQ(4096, h->maxstbl);
	EXPECT_EQ(ZIO_ISM_DMB_BAR_SIZE, h->bar_size[ZIO_ISM_DMB_BAR]);
	EXPECT_EQ(ZIO_ISM_CMD_AREA_SIZE, h->bar_size[ZIO_ISM_CMD_BAR]);
}

/*
 * READ_GID and QUERY_INFO as ism_cmd() issues them, each instruction one
 * instruction on the function: READ_GID (no body) one PCISTB of the header
 * and two PCILGs; QUERY_INFO one PCISTB and 25 PCILGs.
 */
TEST_F(ism, commands_answer_with_one_instruction_per_access)
{
	uint8_t rsp[ZIO_ISM_QUERY_INFO_RSP_LEN];
	struct zio_fmb base, now;
	struct zio_ism_rsp r;
	uint64_t gid, qgid;

	ASSERT_EQ(0, zio_fmb_start(bdf, &base));
	ASSERT_EQ(0, zio_ism_read_gid(&self->d, &gid));
	EXPECT_EQ(self->gid, gid);
	ASSERT_EQ(0, zio_ism_cmd(&self->d, ZIO_ISM_QUERY_INFO, NULL, 0, rsp,
				 sizeof(rsp), &r));
	EXPECT_EQ(ZIO_ISM_QUERY_INFO, r.cmd);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(ZIO_ISM_QUERY_INFO_RSP_LEN, r.len);
	memcpy(&qgid, rsp + 24, sizeof(qgid));
	EXPECT_EQ(self->gid, be64toh(qgid));
	ASSERT_EQ(0, zio_fmb_fresh(bdf, &now, FMB_WAIT_S));
	EXPECT_EQ(2, now.store_blocks - base.store_blocks);
	EXPECT_EQ(2 + ZIO_ISM_QUERY_INFO_RSP_LEN / 8, now.loads - base.loads);
	EXPECT_EQ(0, now.stores - base.stores);
}

/* An unknown command: the function's own return code, the header only */
TEST_F(ism, unknown_command_is_the_functions_error)
{
	uint8_t rsp[16];
	struct zio_ism_rsp r;

	ASSERT_EQ(0, zio_ism_cmd(&self->d, 0x6, NULL, 0, rsp, sizeof(rsp),
				 &r));
	EXPECT_EQ(0x6, r.cmd);
	EXPECT_NE(0, r.ret);
	EXPECT_EQ(ZIO_ISM_HDR_LEN, r.len);
}

/*
 * SBA and DMB in VFIO-mapped memory; a loopback move with the signal flag
 * lands whole, sets the DMB's bit and dmbe_mask in the SBA and raises the
 * MSI; a move without it raises nothing.
 */
TEST_F(ism, signalled_move_sets_sba_bits_and_raises_msi)
{
	uint8_t src[256], *dmb;
	struct vfio_zpci_io_resp out;

	ASSERT_EQ(0, zio_ism_user_setup(&self->d, &self->u, DMB_LEN));
	ASSERT_EQ(0, zio_ism_reg_sba(&self->d, &self->u));
	ASSERT_EQ(0, zio_ism_reg_dmb(&self->d, &self->u, SBA_IDX, self->gid));
	ASSERT_NE(0, self->u.token);
	dmb = zio_ism_user_dmb(&self->u);

	zio_ism_pattern(src, sizeof(src), 1);
	ASSERT_EQ(0, zio_ism_region_move(&self->d, self->u.token, SIGNAL_IDX,
					 0, 0x100, src, sizeof(src), &out));
	EXPECT_EQ(0, out.cc);
	EXPECT_EQ(0, out.flags);
	EXPECT_EQ(0, memcmp(dmb + 0x100, src, sizeof(src)));
	EXPECT_EQ(0, zio_ism_wait_msi(&self->u, QUIET_MS));
	EXPECT_EQ(0, zio_ism_sba_dmb_bit(&self->u));

	zio_ism_pattern(src, sizeof(src), 2);
	ASSERT_EQ(0, zio_ism_region_move(&self->d, self->u.token, SIGNAL_IDX,
					 1, 0x200, src, sizeof(src), &out));
	EXPECT_EQ(0, out.cc);
	EXPECT_EQ(0, memcmp(dmb + 0x200, src, sizeof(src)));
	EXPECT_EQ(1, zio_ism_wait_msi(&self->u, MSI_WAIT_MS));
	EXPECT_TRUE(zio_ism_user_sba(&self->u)[0] & ZIO_ISM_SBA_S);
	EXPECT_EQ(1, zio_ism_sba_dmb_bit(&self->u));
	EXPECT_EQ(zio_ism_dmbe_bit(SIGNAL_IDX),
		  zio_ism_sba_dmbe_mask(&self->u));
}

/*
 * The relaxed shapes, each one PCISTB that reaches the DMB whole and
 * nothing around it: 1 byte, 13 bytes at an odd offset from an unaligned
 * source, 4096 bytes at a 4 KiB boundary, 4096 bytes that end at one.
 */
TEST_F(ism, relaxed_moves_land_whole_one_pcistb_each)
{
	static const struct { uint32_t off; uint16_t len; int src_off; } m[] = {
		{ 0x10, 1, 0 }, { 0x23, 13, 3 }, { 0x1000, 4096, 0 },
		{ 0x1fff, 1, 5 },
	};
	uint8_t *src = malloc(4096 + 8), *dmb, *want;
	struct vfio_zpci_io_resp out;
	struct zio_fmb base, now;
	unsigned int i;

	ASSERT_NE(NULL, src);
	want = calloc(1, DMB_LEN);
	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, zio_ism_user_setup(&self->d, &self->u, DMB_LEN));
	ASSERT_EQ(0, zio_ism_reg_sba(&self->d, &self->u));
	ASSERT_EQ(0, zio_ism_reg_dmb(&self->d, &self->u, SBA_IDX, self->gid));
	dmb = zio_ism_user_dmb(&self->u);
	ASSERT_EQ(0, zio_fmb_start(bdf, &base));
	for (i = 0; i < ARRAY_SIZE(m); i++) {
		zio_ism_pattern(src + m[i].src_off, m[i].len, i + 3);
		memcpy(want + m[i].off, src + m[i].src_off, m[i].len);
		ASSERT_EQ(0, zio_ism_region_move(&self->d, self->u.token, 0, 0,
						 m[i].off, src + m[i].src_off,
						 m[i].len, &out));
		EXPECT_EQ(0, out.cc);
		EXPECT_EQ(0, out.flags);
	}
	EXPECT_EQ(0, memcmp(dmb, want, DMB_LEN));
	ASSERT_EQ(0, zio_fmb_fresh(bdf, &now, FMB_WAIT_S));
	EXPECT_EQ(ARRAY_SIZE(m), now.store_blocks -
		  base.store_blocks);
	free(want);
	free(src);
}

/*
 * What the region refuses before issue on ISM: more than maxstbl, and a
 * block crossing a 4 KiB boundary (EINVAL, nothing issued, nothing lands).
 */
TEST_F(ism, moves_past_the_rules_are_refused_before_issue)
{
	uint8_t *src = malloc(4097), *dmb;
	struct vfio_zpci_io_resp out;
	struct zio_fmb base, now;
	unsigned int i;

	ASSERT_NE(NULL, src);
	zio_ism_pattern(src, 4097, 9);
	ASSERT_EQ(0, zio_ism_user_setup(&self->d, &self->u, DMB_LEN));
	ASSERT_EQ(0, zio_ism_reg_sba(&self->d, &self->u));
	ASSERT_EQ(0, zio_ism_reg_dmb(&self->d, &self->u, SBA_IDX, self->gid));
	dmb = zio_ism_user_dmb(&self->u);
	ASSERT_EQ(0, zio_fmb_start(bdf, &base));
	EXPECT_EQ(-EINVAL, zio_ism_region_move(&self->d, self->u.token, 0, 0,
					       0, src, 4097, &out));
	EXPECT_EQ(-EINVAL, zio_ism_region_move(&self->d, self->u.token, 0, 0,
					       0xff8, src, 16, &out));
	for (i = 0; i < DMB_LEN; i++)
		if (dmb[i])
			break;
	EXPECT_EQ(DMB_LEN, i);
	ASSERT_EQ(0, zio_fmb_fresh(bdf, &now, FMB_WAIT_S));
	EXPECT_EQ(0, now.store_blocks - base.store_blocks);
	free(src);
}

/*
 * What the function refuses (the emulator's choice: an operand exception,
 * counted nowhere in the measurement block): a move to an unknown token,
 * a move past the DMB's end.  The region hands back the exact outcome and
 * nothing lands.
 */
TEST_F(ism, moves_the_function_refuses_come_back_exact)
{
	uint8_t src[16], *dmb;
	struct vfio_zpci_io_resp out;
	unsigned int i;

	zio_ism_pattern(src, sizeof(src), 11);
	ASSERT_EQ(0, zio_ism_user_setup(&self->d, &self->u, DMB_LEN));
	ASSERT_EQ(0, zio_ism_reg_sba(&self->d, &self->u));
	ASSERT_EQ(0, zio_ism_reg_dmb(&self->d, &self->u, SBA_IDX, self->gid));
	dmb = zio_ism_user_dmb(&self->u);

	/* tokens are never 0 */
	ASSERT_EQ(0, zio_ism_region_move(&self->d, 0, 0, 1, 0, src,
					 sizeof(src), &out));
	EXPECT_EQ(VFIO_ZPCI_IO_RESP_EXCEPTION, out.flags);
	EXPECT_EQ(VFIO_ZPCI_IO_PIC_OPERAND, out.pic);

	ASSERT_EQ(0, zio_ism_region_move(&self->d, self->u.token, 0, 1,
					 DMB_LEN - 8, src, sizeof(src), &out));
	EXPECT_EQ(VFIO_ZPCI_IO_RESP_EXCEPTION, out.flags);
	EXPECT_EQ(VFIO_ZPCI_IO_PIC_OPERAND, out.pic);

	for (i = 0; i < DMB_LEN; i++)
		if (dmb[i])
			break;
	EXPECT_EQ(DMB_LEN, i);
	EXPECT_EQ(0, zio_ism_sba_dmb_bit(&self->u));
	EXPECT_EQ(0, zio_ism_wait_msi(&self->u, QUIET_MS));
}

/* A DMB unregistered takes no more moves; a second REG_SBA is refused */
TEST_F(ism, unregistered_dmb_takes_no_move)
{
	uint8_t src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, body[8], rsp[8];
	struct vfio_zpci_io_resp out;
	struct zio_ism_rsp r;
	uint64_t token;

	ASSERT_EQ(0, zio_ism_user_setup(&self->d, &self->u, DMB_LEN));
	ASSERT_EQ(0, zio_ism_reg_sba(&self->d, &self->u));
	EXPECT_NE(0, zio_ism_reg_sba(&self->d, &self->u));
	ASSERT_EQ(0, zio_ism_reg_dmb(&self->d, &self->u, SBA_IDX, self->gid));
	token = self->u.token;
	zio_ism_put64(body, token);
	ASSERT_EQ(0, zio_ism_cmd(&self->d, ZIO_ISM_UNREG_DMB, body,
				 sizeof(body), rsp, sizeof(rsp), &r));
	EXPECT_EQ(0, r.ret);
	self->u.token = 0;
	ASSERT_EQ(0, zio_ism_region_move(&self->d, token, 0, 0, 0, src,
					 sizeof(src), &out));
	EXPECT_EQ(VFIO_ZPCI_IO_RESP_EXCEPTION, out.flags);
	EXPECT_EQ(0, zio_ism_user_dmb(&self->u)[0]);
}

TEST_HARNESS_MAIN
