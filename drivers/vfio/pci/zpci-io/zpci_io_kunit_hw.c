// SPDX-License-Identifier: GPL-2.0
/*
 * Real-instruction KUnit suites of the zpci-io-vfio-pci test harness.
 *
 * Out of tree only, never part of the in-tree series: these suites issue
 * PCI instructions to devices, which a KUnit test must not do on a machine
 * it does not own.  The harness's guests (QEMU) hand them their functions.
 *
 * zpci_io_hw, zpci_io_hw_ism: the real instruction layer against the
 * zPCI function roots handed to them (driver_override
 * ZPCI_IO_KUNIT_HW_OVERRIDE): a virtio one under the strict rules, an ISM
 * one under the relaxed rules; without such a function a suite touches
 * nothing and skips.
 *
 * The module carries its own copy of the driver's instruction layer
 * (insn.c, the same source), so the driver exports no raw instructions and
 * this module runs beside any build of the driver, the in-tree one too.
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/string.h>
#include <asm/pci.h>
#include <asm/pci_io.h>

#include "zpci_io.h"

/* the instruction layer under test: zpci_io_hw_insn_ops */
#include "insn.c"

/*
 * The suites touch only a function whose driver_override root set to
 * this name (no driver but zpci_io_hw_ism's own has it, so a virtio
 * function stays unbound): it is given explicitly, never guessed.
 */
#define ZPCI_IO_KUNIT_HW_OVERRIDE	"zpci_io_kunit_hw"

/* ---------------------------------------------------------------------- */
/* Real instruction layer on an emulated zPCI function                     */

#define VIRTIO_BAR		4	/* virtio modern registers */
#define VIRTIO_FEATURE_SELECT	0x00
#define VIRTIO_FEATURE		0x04
#define VIRTIO_QUEUE_SELECT	0x16
#define VIRTIO_QUEUE_DESC	0x20
#define MSIX_BAR		1
#define MSIX_PAST_PBA		0xd00	/* vectors=200: PBA 0xc80-0xc9f, then nothing */

struct hw_ctx {
	struct pci_dev *pdev;
	u32 fh;
	struct hw_ism *ism;	/* zpci_io_hw_ism: released at exit */
};

/*
 * The real instructions go only to a function root handed to this suite
 * by setting its driver_override to ZPCI_IO_KUNIT_HW_OVERRIDE: no driver
 * has that name, so the function stays unbound and nobody else's device is
 * touched.  zpci_io_hw takes a virtio modern function (the harness hands
 * it an unbound virtio-*-pci-non-transitional one with vectors=200),
 * zpci_io_hw_ism an ISM function (QEMU's emulated s390-ism).  Without such
 * a function every case of the suite skips and nothing is issued: a host
 * built with KUNIT_ALL_TESTS stays untouched.
 */
static const struct device_driver hw_marker = {
	.name = ZPCI_IO_KUNIT_HW_OVERRIDE,
};

/*
 * The function handed to the suite whose vendor is @vendor and whose
 * device ID is in @dev_lo..@dev_hi, with a reference; NULL if none.
 */
static struct pci_dev *hw_find(unsigned short vendor, unsigned short dev_lo,
			       unsigned short dev_hi)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(vendor, PCI_ANY_ID, pdev))) {
		if (pdev->device >= dev_lo && pdev->device <= dev_hi &&
		    device_match_driver_override(&pdev->dev, &hw_marker) > 0)
			break;
	}
	return pdev;
}

/* @test's function, which must be bound to @bound (NULL: unbound) */
static int hw_ctx_init(struct kunit *test, unsigned short vendor,
		       unsigned short dev_lo, unsigned short dev_hi,
		       const char *what, const struct device_driver *bound)
{
	struct pci_dev *pdev;
	struct hw_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	pdev = hw_find(vendor, dev_lo, dev_hi);
	if (!pdev)
		kunit_skip(test, "no %s function with driver_override "
			   ZPCI_IO_KUNIT_HW_OVERRIDE, what);
	test->priv = ctx;
	ctx->pdev = pdev;
	if (pdev->dev.driver != bound || !to_zpci(pdev))
		kunit_skip(test, "%s is not a zPCI function bound to %s",
			   pci_name(pdev), bound ? bound->name : "nothing");
	ctx->fh = READ_ONCE(to_zpci(pdev)->fh);
	return 0;
}

static int zpci_io_hw_init(struct kunit *test)
{
	return hw_ctx_init(test, PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1040, 0x107f,
			   "virtio modern", NULL);
}

static void zpci_io_hw_exit(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;

	if (ctx)
		pci_dev_put(ctx->pdev);
}

static struct zpci_io_outcome hw_load(struct hw_ctx *ctx, u8 bar, u64 off,
				      u16 len, u64 *val)
{
	struct zpci_io_outcome out;

	zpci_io_hw_insn_ops.pcilg(ZPCI_CREATE_REQ(ctx->fh, bar, len), off, val, &out);
	return out;
}

static struct zpci_io_outcome hw_store(struct hw_ctx *ctx, u8 bar, u64 off,
				       u16 len, u64 val)
{
	struct zpci_io_outcome out;

	zpci_io_hw_insn_ops.pcistg(ZPCI_CREATE_REQ(ctx->fh, bar, len), off, val, &out);
	return out;
}

static struct zpci_io_outcome hw_block(struct hw_ctx *ctx, u8 bar, u64 off,
				       u16 len, const void *data)
{
	struct zpci_io_outcome out;

	zpci_io_hw_insn_ops.pcistb(ZPCI_CREATE_REQ(ctx->fh, bar, len), off, data, &out);
	return out;
}

static void hw_handle_is_enabled(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;

	KUNIT_EXPECT_TRUE(test, zdev_enabled(to_zpci(ctx->pdev)));
}

/* virtio: feature word 1 bit 0 is VIRTIO_F_VERSION_1 (registers are LE) */
static void hw_pcilg_reads_virtio_version_1(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	u64 val = 0;

	out = hw_store(ctx, VIRTIO_BAR, VIRTIO_FEATURE_SELECT, 4,
		       swab32(1));
	KUNIT_ASSERT_FALSE(test, out.exception);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	out = hw_load(ctx, VIRTIO_BAR, VIRTIO_FEATURE, 4, &val);
	KUNIT_ASSERT_FALSE(test, out.exception);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	KUNIT_EXPECT_TRUE(test, swab32((u32)val) & 1);
}

static void hw_pcistb_lands_and_reads_back(struct kunit *test)
{
	/*
	 * no doubleword a byte palindrome: a store whose doublewords land
	 * byte-reversed (an emulator writing them host-endian) fails
	 */
	static const u64 pattern[2] = {
		0x0123456789abcdefULL, 0x1032547698badcfeULL,
	};
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	u64 val;
	int i;

	out = hw_store(ctx, VIRTIO_BAR, VIRTIO_QUEUE_SELECT, 2, 0);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	out = hw_block(ctx, VIRTIO_BAR, VIRTIO_QUEUE_DESC, 16, pattern);
	KUNIT_ASSERT_FALSE(test, out.exception);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	for (i = 0; i < 2; i++) {
		val = 0;
		out = hw_load(ctx, VIRTIO_BAR, VIRTIO_QUEUE_DESC + 8 * i, 8, &val);
		KUNIT_EXPECT_EQ(test, out.cc, 0);
		KUNIT_EXPECT_EQ(test, val, pattern[i]);
	}
}

static void hw_pcistb_without_register_is_operand_exception(struct kunit *test)
{
	static const u64 zeros[2];
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;

	out = hw_block(ctx, MSIX_BAR, MSIX_PAST_PBA, 16, zeros);
	KUNIT_EXPECT_TRUE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.pic, VFIO_ZPCI_IO_PIC_OPERAND);
}

static void hw_pcistb_bad_length_is_specification_exception(struct kunit *test)
{
	static const u64 zeros[2];
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;

	out = hw_block(ctx, VIRTIO_BAR, VIRTIO_QUEUE_DESC, 12, zeros);
	KUNIT_EXPECT_TRUE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.pic, VFIO_ZPCI_IO_PIC_SPECIFICATION);
}

/* The strict rules: what an ISM function takes, a virtio one refuses */
static void hw_pcistb_13_bytes_at_odd_offset_is_specification_exception(struct kunit *test)
{
	static const u64 zeros[2];
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;

	out = hw_block(ctx, VIRTIO_BAR, VIRTIO_QUEUE_DESC + 3, 13, zeros);
	KUNIT_EXPECT_TRUE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.pic, VFIO_ZPCI_IO_PIC_SPECIFICATION);
}

/*
 * BARs the function lacks (virtio-pci-non-transitional has BARs 1 and 4,
 * BAR 5 the upper half of BAR 4): an address space that does not exist,
 * cc 1 with status 20, for each instruction (QEMU before its absent-BAR
 * fix crashed here)
 */
static void hw_absent_bar_is_cc1_invalid_address_space(struct kunit *test)
{
	static const u8 absent[] = { 0, 5 };
	static const u64 zeros[2];
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	unsigned int i;
	u64 val;

	for (i = 0; i < ARRAY_SIZE(absent); i++) {
		out = hw_load(ctx, absent[i], 0, 8, &val);
		KUNIT_EXPECT_FALSE(test, out.exception);
		KUNIT_EXPECT_EQ_MSG(test, out.cc, 1, "PCILG BAR%u", absent[i]);
		KUNIT_EXPECT_EQ_MSG(test, out.status, 20, "PCILG BAR%u",
				    absent[i]);
		out = hw_store(ctx, absent[i], 0, 8, 0);
		KUNIT_EXPECT_FALSE(test, out.exception);
		KUNIT_EXPECT_EQ_MSG(test, out.cc, 1, "PCISTG BAR%u", absent[i]);
		KUNIT_EXPECT_EQ_MSG(test, out.status, 20, "PCISTG BAR%u",
				    absent[i]);
		out = hw_block(ctx, absent[i], 0, 16, zeros);
		KUNIT_EXPECT_FALSE(test, out.exception);
		KUNIT_EXPECT_EQ_MSG(test, out.cc, 1, "PCISTB BAR%u", absent[i]);
		KUNIT_EXPECT_EQ_MSG(test, out.status, 20, "PCISTB BAR%u",
				    absent[i]);
	}
}

static void hw_disabled_handle_gives_cc3(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;
	struct hw_ctx disabled = *ctx;
	struct zpci_io_outcome out;
	u64 val;

	/* the enable bit zdev_enabled() tests */
	disabled.fh &= ~BIT(31);
	out = hw_load(&disabled, VIRTIO_BAR, VIRTIO_FEATURE, 4, &val);
	KUNIT_EXPECT_FALSE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.cc, 3);
}

static struct kunit_case zpci_io_hw_cases[] = {
	KUNIT_CASE(hw_handle_is_enabled),
	KUNIT_CASE(hw_pcilg_reads_virtio_version_1),
	KUNIT_CASE(hw_pcistb_lands_and_reads_back),
	KUNIT_CASE(hw_pcistb_without_register_is_operand_exception),
	KUNIT_CASE(hw_pcistb_bad_length_is_specification_exception),
	KUNIT_CASE(hw_pcistb_13_bytes_at_odd_offset_is_specification_exception),
	KUNIT_CASE(hw_absent_bar_is_cc1_invalid_address_space),
	KUNIT_CASE(hw_disabled_handle_gives_cc3),
	{}
};

static struct kunit_suite zpci_io_hw_suite = {
	.name = "zpci_io_hw",
	.init = zpci_io_hw_init,
	.exit = zpci_io_hw_exit,
	.test_cases = zpci_io_hw_cases,
};

/* ---------------------------------------------------------------------- */
/* Real instruction layer on an emulated ISM function                      */

/*
 * The relaxed rules on a function of type 5, QEMU's s390-ism: BAR2 is its
 * command area (4 KiB, a store at 0 covering the 8-byte header executes
 * the request), BAR0 its DMB space (drivers/s390/net/ism.h).  The harness
 * hands the suite an unbound one; the suite registers an SBA and a DMB of
 * its own, allocated with the DMA API of that function, and unregisters
 * them again.
 */
#define HW_ISM_DEVICE		0x04ed
#define HW_ISM_DMB_BAR		0
#define HW_ISM_CMD_BAR		2
#define HW_ISM_CMD_AREA		0x1000
#define HW_ISM_REG_SBA		0x01
#define HW_ISM_READ_GID		0x03
#define HW_ISM_REG_DMB		0x0a
#define HW_ISM_UNREG_DMB	0x0b
#define HW_ISM_UNREG_SBA	0x11
#define HW_ISM_SBA_LEN		4096
#define HW_ISM_DMB_LEN		8192
#define HW_ISM_SBA_IDX		40

struct hw_ism {
	struct hw_ctx *ctx;
	u64 gid;
	void *sba;
	dma_addr_t sba_dma;
	u8 *dmb;
	dma_addr_t dmb_dma;
	u64 token;
	bool sba_registered;
	bool dmb_registered;
};

/*
 * DMA is configured for a function when a driver binds it, so the suite
 * binds the ISM function handed to it to a driver of its own while it
 * runs: it matches only a function whose driver_override names it, i.e.
 * the one handed over, and only an ISM one (the virtio one handed to
 * zpci_io_hw stays unbound).
 */
static const struct pci_device_id hw_ism_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_IBM, HW_ISM_DEVICE), .override_only = 1 },
	{}
};

/*
 * Memory space enabled as a driver enables it: passed through, the host
 * (vfio) refuses BAR access to a function whose memory space is off
 */
static int hw_ism_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		pci_disable_device(pdev);
	return ret;
}

static void hw_ism_remove(struct pci_dev *pdev)
{
	pci_clear_master(pdev);
	pci_disable_device(pdev);
}

static struct pci_driver hw_ism_driver = {
	.name = ZPCI_IO_KUNIT_HW_OVERRIDE,
	.id_table = hw_ism_ids,
	.probe = hw_ism_probe,
	.remove = hw_ism_remove,
};

/*
 * Registered without an owner: 6.1's KUnit runs a module's suites from the
 * MODULE_STATE_COMING notifier, before load_module() sets up the module's
 * sysfs directory, so the "module" and "drivers" links driver_register()
 * makes for an owner would take a reference on an uninitialised kobject
 * (kobject and refcount warnings).  The suite unregisters the driver
 * before it ends, so nothing outlives the module.
 */
static int zpci_io_hw_ism_suite_init(struct kunit_suite *suite)
{
	return __pci_register_driver(&hw_ism_driver, NULL, NULL);
}

static void zpci_io_hw_ism_suite_exit(struct kunit_suite *suite)
{
	pci_unregister_driver(&hw_ism_driver);
}

static int zpci_io_hw_ism_init(struct kunit *test)
{
	return hw_ctx_init(test, PCI_VENDOR_ID_IBM, HW_ISM_DEVICE,
			   HW_ISM_DEVICE, "ISM", &hw_ism_driver.driver);
}

/* The doubleword at @off of the command area, as PCILG reads it */
static u64 hw_ism_load(struct kunit *test, u64 off)
{
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	u64 val = 0;

	out = hw_load(ctx, HW_ISM_CMD_BAR, off, 8, &val);
	KUNIT_EXPECT_FALSE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.cc, 0);
	return val;
}

/*
 * One command as ism_cmd() issues it: the body by PCISTB at 8, the header
 * by PCISTB at 0; returns the response's return code, the response body
 * (up to @rsp_len bytes) in @rsp.
 */
static u16 hw_ism_cmd(struct kunit *test, u32 cmd, const u64 *body,
		      u16 body_len, u64 *rsp, u16 rsp_len)
{
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	u64 hdr = (u64)cmd << 32 | (8 + body_len), val;
	u16 i;

	if (body_len) {
		out = hw_block(ctx, HW_ISM_CMD_BAR, 8, body_len, body);
		KUNIT_EXPECT_FALSE(test, out.exception);
		KUNIT_EXPECT_EQ(test, out.cc, 0);
	}
	out = hw_block(ctx, HW_ISM_CMD_BAR, 0, 8, &hdr);
	KUNIT_EXPECT_FALSE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.cc, 0);
	val = hw_ism_load(test, 0);
	KUNIT_EXPECT_EQ(test, val >> 32, cmd);
	for (i = 0; i < rsp_len / 8; i++)
		rsp[i] = hw_ism_load(test, 8 + 8 * i);
	return (val >> 16) & 0xffff;
}

static void hw_ism_release(struct hw_ism *ism)
{
	struct pci_dev *pdev = ism->ctx->pdev;
	u64 hdr, body = ism->token;

	/* best effort, like the driver's own teardown */
	if (ism->dmb_registered) {
		hw_block(ism->ctx, HW_ISM_CMD_BAR, 8, 8, &body);
		hdr = (u64)HW_ISM_UNREG_DMB << 32 | 16;
		hw_block(ism->ctx, HW_ISM_CMD_BAR, 0, 8, &hdr);
	}
	if (ism->sba_registered) {
		hdr = (u64)HW_ISM_UNREG_SBA << 32 | 8;
		hw_block(ism->ctx, HW_ISM_CMD_BAR, 0, 8, &hdr);
	}
	pci_clear_master(pdev);
	if (ism->dmb)
		dma_free_coherent(&pdev->dev, HW_ISM_DMB_LEN, ism->dmb,
				  ism->dmb_dma);
	if (ism->sba)
		dma_free_coherent(&pdev->dev, HW_ISM_SBA_LEN, ism->sba,
				  ism->sba_dma);
}

static void zpci_io_hw_ism_exit(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;

	if (ctx && ctx->ism)
		hw_ism_release(ctx->ism);
	zpci_io_hw_exit(test);
}

/*
 * An SBA and a DMB of @test's own on the ISM function, the DMB's remote
 * GID the function's own, so that its own moves may write into it.
 */
static struct hw_ism *hw_ism_setup(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;
	struct pci_dev *pdev = ctx->pdev;
	struct hw_ism *ism;
	u64 body[4], rsp[1];

	ism = kunit_kzalloc(test, sizeof(*ism), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ism);
	ism->ctx = ctx;
	ctx->ism = ism;
	KUNIT_ASSERT_EQ(test, hw_ism_cmd(test, HW_ISM_READ_GID, NULL, 0, rsp,
					 8), 0);
	ism->gid = rsp[0];
	KUNIT_ASSERT_NE(test, ism->gid, 0);
	ism->sba = dma_alloc_coherent(&pdev->dev, HW_ISM_SBA_LEN,
				      &ism->sba_dma, GFP_KERNEL);
	ism->dmb = dma_alloc_coherent(&pdev->dev, HW_ISM_DMB_LEN,
				      &ism->dmb_dma, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ism->sba);
	KUNIT_ASSERT_NOT_NULL(test, ism->dmb);
	/* the emulated function writes into the DMB only as bus master */
	pci_set_master(pdev);
	body[0] = ism->sba_dma;
	KUNIT_ASSERT_EQ(test, hw_ism_cmd(test, HW_ISM_REG_SBA, body, 8, NULL,
					 0), 0);
	ism->sba_registered = true;
	/* dmb_addr, dmb_len and sba_idx, no VLAN, the remote GID */
	body[0] = ism->dmb_dma;
	body[1] = (u64)HW_ISM_DMB_LEN << 32 | HW_ISM_SBA_IDX;
	body[2] = 0;
	body[3] = ism->gid;
	KUNIT_ASSERT_EQ(test, hw_ism_cmd(test, HW_ISM_REG_DMB, body, 32, rsp,
					 8), 0);
	ism->token = rsp[0];
	ism->dmb_registered = true;
	return ism;
}

/*
 * The command area after a relaxed store, one PCILG per doubleword: a
 * register holds the doubleword as it sits in (big-endian) storage.
 */
static void hw_ism_expect_area(struct kunit *test, u64 off, const u64 *want,
			       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, hw_ism_load(test, off + 8 * i),
				    want[i], "command area offset 0x%llx",
				    off + 8 * i);
}

static void hw_ism_pcistb_1_byte_lands_alone(struct kunit *test)
{
	static const u64 fill = 0x0123456789abcdefULL;
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	u64 want = fill;
	u8 one = 0x5a;

	out = hw_block(ctx, HW_ISM_CMD_BAR, 0x100, 8, &fill);
	KUNIT_ASSERT_FALSE(test, out.exception);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	out = hw_block(ctx, HW_ISM_CMD_BAR, 0x101, 1, &one);
	KUNIT_ASSERT_FALSE(test, out.exception);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	((u8 *)&want)[1] = one;
	hw_ism_expect_area(test, 0x100, &want, 1);
}

static void hw_ism_pcistb_13_bytes_at_odd_offset_from_unaligned_source(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	u64 fill[3], src[3], want[3];

	get_random_bytes(fill, sizeof(fill));
	get_random_bytes(src, sizeof(src));
	out = hw_block(ctx, HW_ISM_CMD_BAR, 0x200, sizeof(fill), fill);
	KUNIT_ASSERT_FALSE(test, out.exception);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	/* from the second byte of the buffer: a source off any doubleword */
	out = hw_block(ctx, HW_ISM_CMD_BAR, 0x203, 13, (u8 *)src + 1);
	KUNIT_ASSERT_FALSE(test, out.exception);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	memcpy(want, fill, sizeof(want));
	memcpy((u8 *)want + 3, (u8 *)src + 1, 13);
	hw_ism_expect_area(test, 0x200, want, ARRAY_SIZE(want));
}

/* A block may end at the command area's end, not run past it */
static void hw_ism_pcistb_past_4k_area_is_refused(struct kunit *test)
{
	static const u64 zeros[2];
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;

	out = hw_block(ctx, HW_ISM_CMD_BAR, HW_ISM_CMD_AREA - 16, 16, zeros);
	KUNIT_EXPECT_FALSE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.cc, 0);
	out = hw_block(ctx, HW_ISM_CMD_BAR, HW_ISM_CMD_AREA - 8, 16, zeros);
	KUNIT_EXPECT_TRUE(test, out.exception);
}

/* ism_move()'s biggest block: one 4096-byte PCISTB, one move, whole */
static void hw_ism_pcistb_4096_bytes_at_4k_boundary_moves_whole(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	struct hw_ism *ism;
	u8 *src;

	ism = hw_ism_setup(test);
	src = kunit_kmalloc(test, ZPCI_BOUNDARY_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, src);
	get_random_bytes(src, ZPCI_BOUNDARY_SIZE);
	memset(ism->dmb, 0xa5, HW_ISM_DMB_LEN);
	/* the DMB's second page: offset 4096, a 4 KiB boundary */
	out = hw_block(ctx, HW_ISM_DMB_BAR,
		       ism->token | (u64)HW_ISM_SBA_IDX << 24 | ZPCI_BOUNDARY_SIZE,
		       ZPCI_BOUNDARY_SIZE, src);
	KUNIT_ASSERT_FALSE(test, out.exception);
	KUNIT_ASSERT_EQ(test, out.cc, 0);
	KUNIT_EXPECT_EQ(test, memcmp(ism->dmb + ZPCI_BOUNDARY_SIZE, src,
				     ZPCI_BOUNDARY_SIZE), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(ism->dmb, 0xa5, ZPCI_BOUNDARY_SIZE));
}

/* The move's offset names the DMB: past its end nothing is written */
static void hw_ism_move_past_dmb_end_writes_nothing(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;
	struct zpci_io_outcome out;
	struct hw_ism *ism;
	u64 src[2] = { 0x1122334455667788ULL, 0x99aabbccddeeff00ULL };

	ism = hw_ism_setup(test);
	memset(ism->dmb, 0xa5, HW_ISM_DMB_LEN);
	out = hw_block(ctx, HW_ISM_DMB_BAR,
		       ism->token | (u64)HW_ISM_SBA_IDX << 24 |
		       (HW_ISM_DMB_LEN - 8), 16, src);
	KUNIT_EXPECT_TRUE(test, out.exception);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(ism->dmb, 0xa5, HW_ISM_DMB_LEN));
}

/*
 * Past BAR 0's end (256 TiB): outside the function, an operand exception,
 * also for a block only the relaxed rules take (13 bytes at an odd
 * offset), whose strict-rule answer would be a specification exception
 */
static void hw_ism_pcistb_past_bar0_end_is_operand_exception(struct kunit *test)
{
	static const u64 zeros[2];
	struct hw_ctx *ctx = test->priv;
	u64 end = pci_resource_len(ctx->pdev, HW_ISM_DMB_BAR);
	struct zpci_io_outcome out;

	KUNIT_ASSERT_NE(test, end, 0);
	out = hw_block(ctx, HW_ISM_DMB_BAR, end + 3, 13, zeros);
	KUNIT_EXPECT_TRUE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.pic, VFIO_ZPCI_IO_PIC_OPERAND);
	out = hw_block(ctx, HW_ISM_DMB_BAR, end, 16, zeros);
	KUNIT_EXPECT_TRUE(test, out.exception);
	KUNIT_EXPECT_EQ(test, out.pic, VFIO_ZPCI_IO_PIC_OPERAND);
}

static struct kunit_case zpci_io_hw_ism_cases[] = {
	KUNIT_CASE(hw_handle_is_enabled),
	KUNIT_CASE(hw_ism_pcistb_1_byte_lands_alone),
	KUNIT_CASE(hw_ism_pcistb_13_bytes_at_odd_offset_from_unaligned_source),
	KUNIT_CASE(hw_ism_pcistb_past_4k_area_is_refused),
	KUNIT_CASE(hw_ism_pcistb_4096_bytes_at_4k_boundary_moves_whole),
	KUNIT_CASE(hw_ism_move_past_dmb_end_writes_nothing),
	KUNIT_CASE(hw_ism_pcistb_past_bar0_end_is_operand_exception),
	{}
};

static struct kunit_suite zpci_io_hw_ism_suite = {
	.name = "zpci_io_hw_ism",
	.suite_init = zpci_io_hw_ism_suite_init,
	.suite_exit = zpci_io_hw_ism_suite_exit,
	.init = zpci_io_hw_ism_init,
	.exit = zpci_io_hw_ism_exit,
	.test_cases = zpci_io_hw_ism_cases,
};

kunit_test_suites(&zpci_io_hw_suite, &zpci_io_hw_ism_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Real-instruction KUnit suites of the zpci-io-vfio-pci test harness");
