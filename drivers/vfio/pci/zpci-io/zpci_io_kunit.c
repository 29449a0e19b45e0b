// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for zpci-io-vfio-pci.
 *
 * zpci_io_validate, zpci_io_issue: request rules and outcome reporting
 * against a fake instruction layer that records every call.
 * zpci_io_hw: the real instruction layer against an unbound
 * virtio-*-pci-non-transitional zPCI function (QEMU); skipped without one.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <asm/pci.h>

#include "zpci_io.h"

/* ---------------------------------------------------------------------- */
/* Fake instruction layer                                                  */

static struct zpci_io_fake {
	unsigned int calls;
	u8 last_op;
	u64 req;
	u64 offset;
	u64 stored;			/* PCISTG register */
	u8 block[ZPCI_IO_MAX_STBL];	/* PCISTB data as the insn saw it */
	const void *block_ptr;
	u64 load_value;			/* PCILG register to return */
	struct zpci_io_outcome next;	/* outcome to return */
} fake;

static void fake_record(u8 op, u64 req, u64 offset,
			struct zpci_io_outcome *out)
{
	fake.calls++;
	fake.last_op = op;
	fake.req = req;
	fake.offset = offset;
	*out = fake.next;
}

static void fake_pcilg(u64 req, u64 offset, u64 *data,
		       struct zpci_io_outcome *out)
{
	fake_record(VFIO_ZPCI_IO_OP_PCILG, req, offset, out);
	*data = fake.load_value;
}

static void fake_pcistg(u64 req, u64 offset, u64 data,
			struct zpci_io_outcome *out)
{
	fake_record(VFIO_ZPCI_IO_OP_PCISTG, req, offset, out);
	fake.stored = data;
}

static void fake_pcistb(u64 req, u64 offset, const void *data,
			struct zpci_io_outcome *out)
{
	fake_record(VFIO_ZPCI_IO_OP_PCISTB, req, offset, out);
	fake.block_ptr = data;
	memcpy(fake.block, data, req & 0xffff);
}

static const struct zpci_io_insn_ops fake_ops = {
	.pcilg	= fake_pcilg,
	.pcistg	= fake_pcistg,
	.pcistb	= fake_pcistb,
};

#define TEST_FH		0x80001234U
#define BAR5_SIZE	BIT_ULL(48)	/* ISM BAR0 is 256 TiB */

/* bar0 16 KiB, bar1 4 KiB with a 200-entry MSI-X table, bar2/3 absent */
static const struct zpci_io_fn strict_fn = {
	.bar_size = { 0x4000, 0x1000, 0, 0, 0x4000, BAR5_SIZE },
	.maxstbl = 128,
	.relaxed = false,
	.msix_bar = 1,
	.msix_offset = 0,
	.msix_size = 0xc80,
};

static struct zpci_io_fn relaxed_fn;

/* PCISTB-sized data buffer; KUnit runs the cases of a module serially */
static u64 blockbuf[ZPCI_IO_MAX_STBL / 8];

static int zpci_io_fake_init(struct kunit *test)
{
	memset(&fake, 0, sizeof(fake));
	relaxed_fn = strict_fn;
	relaxed_fn.relaxed = true;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Validation table: every rule at its boundary and one step beyond       */

struct req_case {
	const char *name;
	bool relaxed;
	u8 op;
	u8 pcias;
	u16 len;
	u64 offset;
	u32 flags;
	int reserved_idx;	/* 1..4: set reserved[idx - 1] */
	int expect;
};

#define LG	VFIO_ZPCI_IO_OP_PCILG
#define STG	VFIO_ZPCI_IO_OP_PCISTG
#define STB	VFIO_ZPCI_IO_OP_PCISTB

static const struct req_case req_cases[] = {
	/* PCILG/PCISTG: length 1/2/4/8 inside one doubleword */
	{ "pcilg_len1_ok", false, LG, 0, 1, 0x7, 0, 0, 0 },
	{ "pcilg_len2_end_of_dw_ok", false, LG, 0, 2, 0x6, 0, 0, 0 },
	{ "pcilg_len2_crossing_dw_einval", false, LG, 0, 2, 0x7, 0, 0, -EINVAL },
	{ "pcilg_len4_ok", false, LG, 0, 4, 0x4, 0, 0, 0 },
	{ "pcilg_len4_crossing_dw_einval", false, LG, 0, 4, 0x5, 0, 0, -EINVAL },
	{ "pcilg_len8_ok", false, LG, 0, 8, 0x8, 0, 0, 0 },
	{ "pcilg_len8_unaligned_einval", false, LG, 0, 8, 0x1, 0, 0, -EINVAL },
	{ "pcilg_len0_einval", false, LG, 0, 0, 0, 0, 0, -EINVAL },
	{ "pcilg_len3_einval", false, LG, 0, 3, 0, 0, 0, -EINVAL },
	{ "pcilg_len16_einval", false, LG, 0, 16, 0, 0, 0, -EINVAL },
	{ "pcilg_relaxed_still_len3_einval", true, LG, 0, 3, 0, 0, 0, -EINVAL },
	{ "pcistg_len4_ok", false, STG, 0, 4, 0x0, 0, 0, 0 },
	{ "pcistg_len4_crossing_dw_einval", false, STG, 0, 4, 0x6, 0, 0, -EINVAL },
	{ "pcistg_len5_einval", false, STG, 0, 5, 0x0, 0, 0, -EINVAL },
	/* offset + len inside the BAR */
	{ "pcilg_last_byte_of_bar_ok", false, LG, 0, 1, 0x3fff, 0, 0, 0 },
	{ "pcilg_last_dw_of_bar_ok", false, LG, 0, 8, 0x3ff8, 0, 0, 0 },
	{ "pcilg_past_bar_end_einval", false, LG, 0, 1, 0x4000, 0, 0, -EINVAL },
	{ "pcilg_offset_overflow_einval", false, LG, 0, 8, U64_MAX - 7, 0, 0, -EINVAL },
	{ "pcilg_256tib_bar_last_dw_ok", false, LG, 5, 8, BAR5_SIZE - 8, 0, 0, 0 },
	{ "pcilg_256tib_bar_past_end_einval", false, LG, 5, 8, BAR5_SIZE, 0, 0, -EINVAL },
	{ "pcistb_256tib_bar_high_offset_ok", false, STB, 5, 16, BAR5_SIZE - 0x1000, 0, 0, 0 },
	/* address space: existing memory BAR 0-5 only */
	{ "pcias_absent_bar_einval", false, LG, 2, 8, 0, 0, 0, -EINVAL },
	{ "pcias_6_einval", false, LG, 6, 8, 0, 0, 0, -EINVAL },
	{ "pcias_config_space_15_einval", false, LG, 15, 4, 0, 0, 0, -EINVAL },
	{ "pcias_255_einval", false, LG, 255, 4, 0, 0, 0, -EINVAL },
	/* PCISTB strict */
	{ "pcistb_len8_einval", false, STB, 0, 8, 0, 0, 0, -EINVAL },
	{ "pcistb_len16_ok", false, STB, 0, 16, 0, 0, 0, 0 },
	{ "pcistb_len17_einval", false, STB, 0, 17, 0, 0, 0, -EINVAL },
	{ "pcistb_len24_ok", false, STB, 0, 24, 0, 0, 0, 0 },
	{ "pcistb_len_maxstbl_ok", false, STB, 0, 128, 0, 0, 0, 0 },
	{ "pcistb_len_maxstbl_plus8_einval", false, STB, 0, 136, 0, 0, 0, -EINVAL },
	{ "pcistb_len0_einval", false, STB, 0, 0, 0, 0, 0, -EINVAL },
	{ "pcistb_offset4_einval", false, STB, 0, 16, 4, 0, 0, -EINVAL },
	{ "pcistb_offset8_ok", false, STB, 0, 16, 8, 0, 0, 0 },
	{ "pcistb_ends_at_4k_ok", false, STB, 0, 16, 0xff0, 0, 0, 0 },
	{ "pcistb_crossing_4k_einval", false, STB, 0, 16, 0xff8, 0, 0, -EINVAL },
	{ "pcistb_max_ends_at_4k_ok", false, STB, 0, 128, 0xf80, 0, 0, 0 },
	{ "pcistb_max_crossing_4k_einval", false, STB, 0, 128, 0xf88, 0, 0, -EINVAL },
	{ "pcistb_past_bar_end_einval", false, STB, 4, 16, 0x4000, 0, 0, -EINVAL },
	/* PCISTB relaxed (ISM) */
	{ "relaxed_pcistb_len1_ok", true, STB, 0, 1, 0, 0, 0, 0 },
	{ "relaxed_pcistb_len0_einval", true, STB, 0, 0, 0, 0, 0, -EINVAL },
	{ "relaxed_pcistb_len7_unaligned_ok", true, STB, 0, 7, 3, 0, 0, 0 },
	{ "relaxed_pcistb_len8_ok", true, STB, 0, 8, 0, 0, 0, 0 },
	{ "relaxed_pcistb_len_maxstbl_ok", true, STB, 0, 128, 0, 0, 0, 0 },
	{ "relaxed_pcistb_len_maxstbl_plus1_einval", true, STB, 0, 129, 0, 0, 0, -EINVAL },
	{ "relaxed_pcistb_last_byte_of_page_ok", true, STB, 0, 1, 0xfff, 0, 0, 0 },
	{ "relaxed_pcistb_crossing_4k_einval", true, STB, 0, 2, 0xfff, 0, 0, -EINVAL },
	{ "relaxed_pcistb_unaligned_ends_at_4k_ok", true, STB, 0, 127, 0xf81, 0, 0, 0 },
	/* MSI-X table (bar1 0x0-0xc7f) is refused, the PBA behind it is not */
	{ "msix_pcistb_on_pba_ok", false, STB, 1, 16, 0xc80, 0, 0, 0 },
	{ "msix_pcistb_straddling_table_end_eacces", false, STB, 1, 16, 0xc78, 0, 0, -EACCES },
	{ "msix_pcistb_table_start_eacces", false, STB, 1, 16, 0, 0, 0, -EACCES },
	{ "msix_pcilg_table_last_word_eacces", false, LG, 1, 4, 0xc7c, 0, 0, -EACCES },
	{ "msix_pcistg_table_eacces", false, STG, 1, 8, 0x10, 0, 0, -EACCES },
	{ "msix_pcilg_first_pba_dw_ok", false, LG, 1, 8, 0xc80, 0, 0, 0 },
	{ "msix_other_bar_same_offset_ok", false, LG, 0, 8, 0, 0, 0, 0 },
	/* flags, reserved fields, operation */
	{ "flags_bit0_einval", false, LG, 0, 8, 0, 1, 0, -EINVAL },
	{ "flags_bit31_einval", false, LG, 0, 8, 0, 0x80000000, 0, -EINVAL },
	{ "reserved0_einval", false, LG, 0, 8, 0, 0, 1, -EINVAL },
	{ "reserved3_einval", false, STB, 0, 16, 0, 0, 4, -EINVAL },
	{ "op0_einval", false, 0, 0, 8, 0, 0, 0, -EINVAL },
	{ "op4_einval", false, 4, 0, 8, 0, 0, 0, -EINVAL },
	{ "op255_einval", false, 255, 0, 8, 0, 0, 0, -EINVAL },
};

static void req_case_desc(const struct req_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(req_case, req_cases, req_case_desc);

static void build_req(const struct req_case *c, struct vfio_zpci_io_req *req)
{
	memset(req, 0, sizeof(*req));
	req->flags = c->flags;
	req->op = c->op;
	req->pcias = c->pcias;
	req->len = c->len;
	req->offset = c->offset;
	if (c->reserved_idx)
		req->reserved[c->reserved_idx - 1] = 0x1;
}

static const struct zpci_io_fn *case_fn(const struct req_case *c)
{
	return c->relaxed ? &relaxed_fn : &strict_fn;
}

static void validate_follows_rules(struct kunit *test)
{
	const struct req_case *c = test->param_value;
	struct vfio_zpci_io_req req;

	build_req(c, &req);
	KUNIT_EXPECT_EQ(test, zpci_io_validate(case_fn(c), &req), c->expect);
}

/* Accepted: exactly one instruction, the right one, with the exact request */
static void execute_issues_one_insn_or_none(struct kunit *test)
{
	const struct req_case *c = test->param_value;
	struct vfio_zpci_io_resp resp;
	struct vfio_zpci_io_req req;
	int ret;

	build_req(c, &req);
	memset(blockbuf, 0, sizeof(blockbuf));
	memset(&resp, 0xa5, sizeof(resp));
	ret = zpci_io_execute(case_fn(c), &fake_ops, TEST_FH, &req,
			      (u8 *)blockbuf, &resp);
	KUNIT_ASSERT_EQ(test, ret, c->expect);
	if (c->expect) {
		/* refused: nothing issued, nothing written */
		KUNIT_EXPECT_EQ(test, fake.calls, 0);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(&resp, 0xa5, sizeof(resp)));
		return;
	}
	KUNIT_EXPECT_EQ(test, fake.calls, 1);
	KUNIT_EXPECT_EQ(test, fake.last_op, c->op);
	KUNIT_EXPECT_EQ(test, fake.req, ZPCI_IO_REQ(TEST_FH, c->pcias, c->len));
	KUNIT_EXPECT_EQ(test, fake.offset, c->offset);
}

/* ---------------------------------------------------------------------- */
/* Outcome reporting                                                       */

static void run_one(struct kunit *test, u8 op, u16 len, u8 *data,
		    struct vfio_zpci_io_resp *resp)
{
	struct vfio_zpci_io_req req = {
		.op = op, .pcias = 0, .len = len, .offset = 0x100,
	};

	memset(resp, 0xa5, sizeof(*resp));
	KUNIT_ASSERT_EQ(test, zpci_io_execute(&strict_fn, &fake_ops, TEST_FH,
					      &req, data, resp), 0);
}

static void issue_passes_cc_and_status_through(struct kunit *test)
{
	static const struct { u8 op; u16 len; } ops[] = {
		{ LG, 8 }, { STG, 8 }, { STB, 16 },
	};
	u64 buf[2] = { };
	struct vfio_zpci_io_resp resp;
	int i, cc;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		for (cc = 0; cc <= 3; cc++) {
			fake.calls = 0;
			fake.next = (struct zpci_io_outcome) {
				.cc = cc, .status = 0x10 + cc,
			};
			run_one(test, ops[i].op, ops[i].len, (u8 *)buf, &resp);
			KUNIT_EXPECT_EQ(test, fake.calls, 1);
			KUNIT_EXPECT_EQ(test, resp.cc, cc);
			KUNIT_EXPECT_EQ(test, resp.status, 0x10 + cc);
			KUNIT_EXPECT_EQ(test, resp.flags, 0);
			KUNIT_EXPECT_EQ(test, resp.pic, 0);
			KUNIT_EXPECT_EQ(test, resp.reserved, 0);
		}
	}
}

static void issue_reports_program_exception(struct kunit *test)
{
	static const u16 pics[] = {
		VFIO_ZPCI_IO_PIC_OPERAND, VFIO_ZPCI_IO_PIC_SPECIFICATION,
	};
	struct vfio_zpci_io_resp resp;
	u64 buf[2] = { };
	int i;

	for (i = 0; i < ARRAY_SIZE(pics); i++) {
		/* the fake leaves a stale cc behind: it must not leak out */
		fake.next = (struct zpci_io_outcome) {
			.cc = 3, .exception = true, .pic = pics[i],
		};
		run_one(test, STB, 16, (u8 *)buf, &resp);
		KUNIT_EXPECT_EQ(test, resp.flags, VFIO_ZPCI_IO_RESP_EXCEPTION);
		KUNIT_EXPECT_EQ(test, resp.pic, pics[i]);
		KUNIT_EXPECT_EQ(test, resp.cc, 0);
		KUNIT_EXPECT_EQ(test, resp.reserved, 0);
	}
}

/* A load that fails hands back zeros, never what was in the register */
static void issue_failed_pcilg_returns_zero_data(struct kunit *test)
{
	static const struct zpci_io_outcome fails[] = {
		{ .cc = 1, .status = 0x28 }, { .cc = 2 }, { .cc = 3 },
		{ .exception = true, .pic = VFIO_ZPCI_IO_PIC_OPERAND },
	};
	static const u8 zero[8];
	struct vfio_zpci_io_resp resp;
	u8 data[16];
	int i;

	fake.load_value = 0x1122334455667788ULL;
	for (i = 0; i < ARRAY_SIZE(fails); i++) {
		memset(data, 0xee, sizeof(data));
		fake.next = fails[i];
		run_one(test, LG, 8, data, &resp);
		KUNIT_EXPECT_EQ(test, memcmp(data, zero, 8), 0);
		KUNIT_EXPECT_EQ(test, data[8], 0xee);
		KUNIT_EXPECT_EQ(test, resp.reserved, 0);
	}
}

static void issue_pcistb_passes_bytes_unchanged(struct kunit *test)
{
	u8 *bytes = (u8 *)blockbuf;
	struct vfio_zpci_io_resp resp;
	int i;

	for (i = 0; i < 128; i++)
		bytes[i] = i * 7 + 3;
	run_one(test, STB, 128, bytes, &resp);
	KUNIT_EXPECT_PTR_EQ(test, fake.block_ptr, (const void *)bytes);
	KUNIT_EXPECT_EQ(test, memcmp(fake.block, bytes, 128), 0);
}

static void issue_pcilg_returns_rightmost_bytes(struct kunit *test)
{
	static const u8 full[8] = { 0x11, 0x22, 0x33, 0x44,
				    0x55, 0x66, 0x77, 0x88 };
	static const u16 lens[] = { 1, 2, 4, 8 };
	struct vfio_zpci_io_resp resp;
	u8 data[8];
	int i;

	fake.load_value = 0x1122334455667788ULL;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		memset(data, 0xee, sizeof(data));
		run_one(test, LG, lens[i], data, &resp);
		KUNIT_EXPECT_EQ(test, memcmp(data, full + 8 - lens[i], lens[i]), 0);
		/* nothing past len is written */
		if (lens[i] < 8)
			KUNIT_EXPECT_EQ(test, data[lens[i]], 0xee);
	}
}

static void issue_pcistg_builds_register_from_bytes(struct kunit *test)
{
	u8 data[8] = { 0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44 };
	struct vfio_zpci_io_resp resp;

	run_one(test, STG, 4, data, &resp);
	KUNIT_EXPECT_EQ(test, fake.stored, 0xaabbccddULL);
	run_one(test, STG, 8, data, &resp);
	KUNIT_EXPECT_EQ(test, fake.stored, 0xaabbccdd11223344ULL);
	run_one(test, STG, 1, data, &resp);
	KUNIT_EXPECT_EQ(test, fake.stored, 0xaaULL);
}

static void issue_encodes_request_register(struct kunit *test)
{
	struct vfio_zpci_io_req req = {
		.op = STB, .pcias = 5, .len = 24, .offset = BAR5_SIZE - 0x1000,
	};
	struct vfio_zpci_io_resp resp;
	u64 buf[3] = { };

	KUNIT_ASSERT_EQ(test, zpci_io_execute(&strict_fn, &fake_ops, TEST_FH,
					      &req, (u8 *)buf, &resp), 0);
	KUNIT_EXPECT_EQ(test, fake.req, 0x8000123400050018ULL);
	KUNIT_EXPECT_EQ(test, fake.offset, BAR5_SIZE - 0x1000);
}

static void header_describes_function(struct kunit *test)
{
	struct vfio_zpci_io_header hdr;
	struct zpci_io_fn nomsix = strict_fn;
	int i;

	memset(&hdr, 0xa5, sizeof(hdr));
	zpci_io_fill_header(&strict_fn, 0, &hdr);
	KUNIT_EXPECT_EQ(test, hdr.version, VFIO_ZPCI_IO_VERSION);
	KUNIT_EXPECT_EQ(test, hdr.flags,
			VFIO_ZPCI_IO_HDR_NON_MIO | VFIO_ZPCI_IO_HDR_MSIX);
	KUNIT_EXPECT_EQ(test, hdr.ops, BIT(LG) | BIT(STG) | BIT(STB));
	KUNIT_EXPECT_EQ(test, hdr.hdr_size, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, hdr.req_offset, VFIO_ZPCI_IO_REQ_OFFSET);
	KUNIT_EXPECT_EQ(test, hdr.req_size, sizeof(struct vfio_zpci_io_req));
	KUNIT_EXPECT_EQ(test, hdr.maxstbl, 128);
	for (i = 0; i < VFIO_ZPCI_IO_NUM_BARS; i++)
		KUNIT_EXPECT_EQ(test, hdr.bar_size[i], strict_fn.bar_size[i]);
	KUNIT_EXPECT_EQ(test, hdr.msix_bar, 1);
	KUNIT_EXPECT_EQ(test, hdr.msix_size, 0xc80);
	KUNIT_EXPECT_EQ(test, hdr.pad0, 0);
	KUNIT_EXPECT_EQ(test, hdr.pad1, 0);
	KUNIT_EXPECT_EQ(test, hdr.pad3, 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(hdr.pad2, 0, sizeof(hdr.pad2)));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(hdr.reserved, 0, sizeof(hdr.reserved)));

	memset(&hdr, 0xa5, sizeof(hdr));
	zpci_io_fill_header(&relaxed_fn, ZPCI_IO_PFT_ISM, &hdr);
	KUNIT_EXPECT_EQ(test, hdr.flags, VFIO_ZPCI_IO_HDR_NON_MIO |
			VFIO_ZPCI_IO_HDR_MSIX | VFIO_ZPCI_IO_HDR_RELAXED);
	KUNIT_EXPECT_EQ(test, hdr.pft, ZPCI_IO_PFT_ISM);

	nomsix.msix_bar = ZPCI_IO_NO_MSIX;
	memset(&hdr, 0xa5, sizeof(hdr));
	zpci_io_fill_header(&nomsix, 0, &hdr);
	KUNIT_EXPECT_EQ(test, hdr.flags, VFIO_ZPCI_IO_HDR_NON_MIO);
	KUNIT_EXPECT_EQ(test, hdr.msix_offset, 0);
	KUNIT_EXPECT_EQ(test, hdr.msix_size, 0);
}

static void uapi_layout_is_fixed(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct vfio_zpci_io_header), 128);
	KUNIT_EXPECT_EQ(test, sizeof(struct vfio_zpci_io_req), 48);
	KUNIT_EXPECT_EQ(test, sizeof(struct vfio_zpci_io_resp), 16);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_req, offset), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_req, resp), 24);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_header, bar_size), 32);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_resp, flags), 4);
}

static struct kunit_case zpci_io_validate_cases[] = {
	KUNIT_CASE_PARAM(validate_follows_rules, req_case_gen_params),
	KUNIT_CASE(uapi_layout_is_fixed),
	KUNIT_CASE(header_describes_function),
	{}
};

static struct kunit_suite zpci_io_validate_suite = {
	.name = "zpci_io_validate",
	.init = zpci_io_fake_init,
	.test_cases = zpci_io_validate_cases,
};

static struct kunit_case zpci_io_issue_cases[] = {
	KUNIT_CASE_PARAM(execute_issues_one_insn_or_none, req_case_gen_params),
	KUNIT_CASE(issue_passes_cc_and_status_through),
	KUNIT_CASE(issue_reports_program_exception),
	KUNIT_CASE(issue_failed_pcilg_returns_zero_data),
	KUNIT_CASE(issue_pcistb_passes_bytes_unchanged),
	KUNIT_CASE(issue_pcilg_returns_rightmost_bytes),
	KUNIT_CASE(issue_pcistg_builds_register_from_bytes),
	KUNIT_CASE(issue_encodes_request_register),
	{}
};

static struct kunit_suite zpci_io_issue_suite = {
	.name = "zpci_io_issue",
	.init = zpci_io_fake_init,
	.test_cases = zpci_io_issue_cases,
};

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
};

/*
 * The first virtio modern (non-transitional) function that no driver owns:
 * the harness leaves its virtio-net function unbound for this suite.
 */
static int zpci_io_hw_init(struct kunit *test)
{
	struct pci_dev *pdev = NULL;
	struct hw_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	while ((pdev = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET,
				      PCI_ANY_ID, pdev))) {
		if (pdev->device >= 0x1040 && pdev->device <= 0x107f &&
		    !pdev->driver)
			break;
	}
	if (!pdev)
		kunit_skip(test, "no unbound virtio modern zPCI function");
	ctx->pdev = pdev;
	ctx->fh = READ_ONCE(to_zpci(pdev)->fh);
	test->priv = ctx;
	return 0;
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

	zpci_io_hw_insn_ops.pcilg(ZPCI_IO_REQ(ctx->fh, bar, len), off, val, &out);
	return out;
}

static struct zpci_io_outcome hw_store(struct hw_ctx *ctx, u8 bar, u64 off,
				       u16 len, u64 val)
{
	struct zpci_io_outcome out;

	zpci_io_hw_insn_ops.pcistg(ZPCI_IO_REQ(ctx->fh, bar, len), off, val, &out);
	return out;
}

static struct zpci_io_outcome hw_block(struct hw_ctx *ctx, u8 bar, u64 off,
				       u16 len, const u64 *data)
{
	struct zpci_io_outcome out;

	zpci_io_hw_insn_ops.pcistb(ZPCI_IO_REQ(ctx->fh, bar, len), off, data, &out);
	return out;
}

static void hw_handle_is_enabled(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;

	KUNIT_EXPECT_TRUE(test, ctx->fh & ZPCI_IO_FH_ENABLED);
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
	/* byte palindromes: immune to the emulator's 4-byte split order */
	static const u64 pattern[2] = {
		0x1122334444332211ULL, 0x5566778888776655ULL,
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

static void hw_disabled_handle_gives_cc3(struct kunit *test)
{
	struct hw_ctx *ctx = test->priv;
	struct hw_ctx disabled = *ctx;
	struct zpci_io_outcome out;
	u64 val;

	disabled.fh &= ~ZPCI_IO_FH_ENABLED;
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
	KUNIT_CASE(hw_disabled_handle_gives_cc3),
	{}
};

static struct kunit_suite zpci_io_hw_suite = {
	.name = "zpci_io_hw",
	.init = zpci_io_hw_init,
	.exit = zpci_io_hw_exit,
	.test_cases = zpci_io_hw_cases,
};

kunit_test_suites(&zpci_io_validate_suite, &zpci_io_issue_suite,
		  &zpci_io_hw_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for zpci-io-vfio-pci");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
