// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for zpci-io-vfio-pci, all against a fake instruction layer
 * that records every call: no PCI instruction is issued and no device is
 * touched.
 *
 * zpci_io_validate, zpci_io_issue: request rules and outcome reporting.
 * zpci_io_ism: a fake ISM function accepts every request shape Linux's own
 * ISM driver issues, each as exactly one instruction.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/string.h>
#include <asm/pci.h>
#include <asm/pci_io.h>

#include "zpci_io.h"

/* ---------------------------------------------------------------------- */
/* Fake instruction layer                                                  */

static struct zpci_io_fake {
	unsigned int calls;
	u8 last_op;
	u64 req;
	u64 offset;
	u64 stored;			/* PCISTG register */
	u8 block[ZPCI_BOUNDARY_SIZE];	/* PCISTB data as the insn saw it */
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

/*
 * What the driver does with a request it fetched: validate, and issue
 * exactly one instruction only if the request passed (zpci_io_submit()).
 */
static int validate_then_issue(const struct zpci_io_fn *fn,
			       const struct zpci_io_insn_ops *ops, u32 fh,
			       const struct vfio_zpci_io_req *req,
			       const u8 *src, struct vfio_zpci_io_resp *resp)
{
	int ret = zpci_io_validate(fn, req);

	if (!ret)
		zpci_io_issue(ops, fh, req, src, resp);
	return ret;
}

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
static u64 blockbuf[ZPCI_BOUNDARY_SIZE / 8];

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
	int ptrs;		/* PTR_*: deviations from valid pointers */
};

#define PTR_LOAD_DATA	1	/* a PCILG naming a data buffer */
#define PTR_NO_RESP	2	/* resp == 0 */
#define TEST_DATA	0x10000ULL	/* never dereferenced by execute */
#define TEST_RESP	0x20000ULL

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
	/* not naturally aligned but inside the doubleword: issued as given */
	{ "pcilg_len2_odd_offset_inside_dw_ok", false, LG, 0, 2, 0x1, 0, 0, 0 },
	{ "pcilg_len4_offset2_inside_dw_ok", false, LG, 0, 4, 0x2, 0, 0, 0 },
	{ "pcistg_len4_offset3_inside_dw_ok", false, STG, 0, 4, 0x3, 0, 0, 0 },
	{ "pcistg_len4_offset5_crossing_dw_einval", false, STG, 0, 4, 0x5, 0, 0, -EINVAL },
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
	/* pointers: a load names no data buffer, every request a response */
	{ "pcilg_with_data_pointer_einval", false, LG, 0, 8, 0, 0, 0, -EINVAL, PTR_LOAD_DATA },
	{ "pcilg_without_resp_efault", false, LG, 0, 8, 0, 0, 0, -EFAULT, PTR_NO_RESP },
	{ "pcistb_without_resp_efault", false, STB, 0, 16, 0, 0, 0, -EFAULT, PTR_NO_RESP },
	/* precedence: EINVAL, then EACCES, then EFAULT */
	{ "precedence_flags_before_msix_eacces", false, STB, 1, 16, 0, 1, 0, -EINVAL },
	{ "precedence_bad_len_before_msix_eacces", false, STB, 1, 12, 0, 0, 0, -EINVAL },
	{ "precedence_load_data_before_msix_eacces", false, LG, 1, 8, 0, 0, 0, -EINVAL,
	  PTR_LOAD_DATA },
	{ "precedence_reserved_before_no_resp", false, LG, 0, 8, 0, 0, 2, -EINVAL, PTR_NO_RESP },
	{ "precedence_msix_eacces_before_no_resp", false, LG, 1, 8, 0, 0, 0, -EACCES, PTR_NO_RESP },
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
	if (c->op != LG || c->ptrs & PTR_LOAD_DATA)
		req->data = TEST_DATA;
	if (!(c->ptrs & PTR_NO_RESP))
		req->resp = TEST_RESP;
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
	ret = validate_then_issue(case_fn(c), &fake_ops, TEST_FH, &req,
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
	KUNIT_EXPECT_EQ(test, fake.req,
			ZPCI_CREATE_REQ(TEST_FH, c->pcias, c->len));
	KUNIT_EXPECT_EQ(test, fake.offset, c->offset);
}

/* ---------------------------------------------------------------------- */
/* Outcome reporting                                                       */

static void run_one(struct kunit *test, u8 op, u16 len, u8 *data,
		    struct vfio_zpci_io_resp *resp)
{
	struct vfio_zpci_io_req req = {
		.op = op, .pcias = 0, .len = len, .offset = 0x100,
		.data = op == LG ? 0 : TEST_DATA, .resp = TEST_RESP,
	};

	memset(resp, 0xa5, sizeof(*resp));
	KUNIT_ASSERT_EQ(test, validate_then_issue(&strict_fn, &fake_ops,
						  TEST_FH, &req, data, resp),
			0);
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
			/* a status only comes with a non-zero cc */
			KUNIT_EXPECT_EQ(test, resp.status, cc ? 0x10 + cc : 0);
			KUNIT_EXPECT_EQ(test, resp.flags, 0);
			KUNIT_EXPECT_EQ(test, resp.pic, 0);
			if (ops[i].op != LG || cc)
				KUNIT_EXPECT_TRUE(test, !memchr_inv(resp.data, 0,
								    sizeof(resp.data)));
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
		/* stale cc and status must not leak out */
		fake.next = (struct zpci_io_outcome) {
			.cc = 3, .status = 0x28, .exception = true,
			.pic = pics[i],
		};
		run_one(test, STB, 16, (u8 *)buf, &resp);
		KUNIT_EXPECT_EQ(test, resp.flags, VFIO_ZPCI_IO_RESP_EXCEPTION);
		KUNIT_EXPECT_EQ(test, resp.pic, pics[i]);
		KUNIT_EXPECT_EQ(test, resp.cc, 0);
		KUNIT_EXPECT_EQ(test, resp.status, 0);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(resp.data, 0,
						    sizeof(resp.data)));
	}
}

/* A load that fails hands back zeros, never what was in the register */
static void issue_failed_pcilg_returns_zero_data(struct kunit *test)
{
	static const struct zpci_io_outcome fails[] = {
		{ .cc = 1, .status = 0x28 }, { .cc = 2 }, { .cc = 3 },
		{ .exception = true, .pic = VFIO_ZPCI_IO_PIC_OPERAND },
	};
	struct vfio_zpci_io_resp resp;
	int i;

	fake.load_value = 0x1122334455667788ULL;
	for (i = 0; i < ARRAY_SIZE(fails); i++) {
		fake.next = fails[i];
		run_one(test, LG, 8, NULL, &resp);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(resp.data, 0,
						    sizeof(resp.data)));
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

static void issue_pcilg_returns_rightmost_bytes_in_resp(struct kunit *test)
{
	static const u8 full[8] = { 0x11, 0x22, 0x33, 0x44,
				    0x55, 0x66, 0x77, 0x88 };
	static const u16 lens[] = { 1, 2, 4, 8 };
	struct vfio_zpci_io_resp resp;
	int i;

	fake.load_value = 0x1122334455667788ULL;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		run_one(test, LG, lens[i], NULL, &resp);
		KUNIT_EXPECT_EQ(test, memcmp(resp.data, full + 8 - lens[i],
					     lens[i]), 0);
		/* every byte past len is zero */
		KUNIT_EXPECT_TRUE(test, !memchr_inv(resp.data + lens[i], 0,
						    8 - lens[i]));
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
		.data = TEST_DATA, .resp = TEST_RESP,
	};
	struct vfio_zpci_io_resp resp;
	u64 buf[3] = { };

	KUNIT_ASSERT_EQ(test, validate_then_issue(&strict_fn, &fake_ops,
						  TEST_FH, &req, (u8 *)buf,
						  &resp), 0);
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
	KUNIT_EXPECT_EQ(test, hdr.resp_size, sizeof(struct vfio_zpci_io_resp));
	KUNIT_EXPECT_EQ(test, hdr.maxstbl, 128);
	for (i = 0; i < VFIO_ZPCI_IO_NUM_BARS; i++)
		KUNIT_EXPECT_EQ(test, hdr.bar_size[i], strict_fn.bar_size[i]);
	KUNIT_EXPECT_EQ(test, hdr.msix_bar, 1);
	KUNIT_EXPECT_EQ(test, hdr.msix_size, 0xc80);
	KUNIT_EXPECT_EQ(test, hdr.pad0, 0);
	KUNIT_EXPECT_EQ(test, hdr.pad3, 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(hdr.pad2, 0, sizeof(hdr.pad2)));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(hdr.reserved, 0, sizeof(hdr.reserved)));

	memset(&hdr, 0xa5, sizeof(hdr));
	zpci_io_fill_header(&relaxed_fn, PCI_FUNC_TYPE_ISM, &hdr);
	KUNIT_EXPECT_EQ(test, hdr.flags, VFIO_ZPCI_IO_HDR_NON_MIO |
			VFIO_ZPCI_IO_HDR_MSIX | VFIO_ZPCI_IO_HDR_RELAXED);
	KUNIT_EXPECT_EQ(test, hdr.pft, PCI_FUNC_TYPE_ISM);

	nomsix.msix_bar = ZPCI_IO_NO_MSIX;
	memset(&hdr, 0xa5, sizeof(hdr));
	zpci_io_fill_header(&nomsix, 0, &hdr);
	KUNIT_EXPECT_EQ(test, hdr.flags, VFIO_ZPCI_IO_HDR_NON_MIO);
	KUNIT_EXPECT_EQ(test, hdr.msix_offset, 0);
	KUNIT_EXPECT_EQ(test, hdr.msix_size, 0);
}

static void uapi_layout_is_fixed(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct vfio_zpci_io_header),
			VFIO_ZPCI_IO_HDR_SIZE_V1);
	KUNIT_EXPECT_EQ(test, sizeof(struct vfio_zpci_io_req),
			VFIO_ZPCI_IO_REQ_SIZE_V1);
	KUNIT_EXPECT_EQ(test, sizeof(struct vfio_zpci_io_resp),
			VFIO_ZPCI_IO_RESP_SIZE_V1);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_header, resp_size), 28);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_resp, data), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_req, offset), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_req, resp), 24);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_header, bar_size), 32);
	KUNIT_EXPECT_EQ(test, offsetof(struct vfio_zpci_io_resp, flags), 4);
}

/*
 * The request area's growth rule, both directions.  A "newer kernel" is
 * simulated by a larger req_size: it still takes the version-1 size (an
 * older consumer) and reads what the write left out as zero; an older
 * kernel refuses more than it understands, so a newer consumer writes at
 * most its req_size.
 */
static void request_size_rule_both_directions(struct kunit *test)
{
	const size_t v1 = VFIO_ZPCI_IO_REQ_SIZE_V1, newer = v1 + 16;
	const loff_t at = VFIO_ZPCI_IO_REQ_OFFSET;

	KUNIT_EXPECT_EQ(test, sizeof(struct vfio_zpci_io_req), v1);
	/* this kernel: exactly the version-1 request */
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at, v1, v1), 0);
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at, v1 - 1, v1), -EINVAL);
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at, v1 + 1, v1), -EINVAL);
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at, newer, v1), -EINVAL);
	/* an older consumer on a newer kernel */
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at, v1, newer), 0);
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at, newer, newer), 0);
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at, newer + 8, newer), -EINVAL);
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at, v1 - 8, newer), -EINVAL);
	/* anywhere but the request offset */
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(at + 8, v1, newer), -EINVAL);
	KUNIT_EXPECT_EQ(test, zpci_io_check_write(0, v1, newer), -EINVAL);
}

/* The errno an ISM BAR access reports for each outcome of its instruction */
static void bar_access_errno_per_outcome(struct kunit *test)
{
	struct vfio_zpci_io_resp resp = { };

	KUNIT_EXPECT_EQ(test, zpci_io_outcome_errno(&resp), 0);
	resp.cc = 1;
	resp.status = 12;
	KUNIT_EXPECT_EQ(test, zpci_io_outcome_errno(&resp), -EIO);
	resp.cc = 2;
	resp.status = 0;
	KUNIT_EXPECT_EQ(test, zpci_io_outcome_errno(&resp), -EBUSY);
	resp.cc = 3;
	KUNIT_EXPECT_EQ(test, zpci_io_outcome_errno(&resp), -EIO);
	resp.cc = 0;
	resp.flags = VFIO_ZPCI_IO_RESP_EXCEPTION;
	resp.pic = VFIO_ZPCI_IO_PIC_OPERAND;
	KUNIT_EXPECT_EQ(test, zpci_io_outcome_errno(&resp), -ENXIO);
}

static struct kunit_case zpci_io_validate_cases[] = {
	KUNIT_CASE_PARAM(validate_follows_rules, req_case_gen_params),
	KUNIT_CASE(request_size_rule_both_directions),
	KUNIT_CASE(bar_access_errno_per_outcome),
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
	KUNIT_CASE(issue_pcilg_returns_rightmost_bytes_in_resp),
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
/* ISM: the requests Linux's own ISM driver issues                         */
/*
 * Every shape below is derived from drivers/s390/net/ism.h and ism_drv.c
 * (Linux 6.1): the driver's loops are re-enacted here with the driver's
 * own formulas, and each instruction they would issue is submitted to a
 * fake ISM function as one request, which must be accepted and issued as
 * exactly one instruction with the driver's request register and offset.
 *
 * - DMB moves, ism_move(): PCISTB on address space 0 at
 *   ISM_CREATE_REQ(dmb_tok, idx, sf, offset) =
 *   dmb_tok | idx << 24 | sf << 23 | offset, chunked by
 *   max_bytes(offset, size, PAGE_SIZE), the signal flag only on the last
 *   chunk.  DMB tokens come from firmware; ISM's BAR0 spans 256 TiB, so
 *   they lie below 1 << 48 (the upstream ism-vfio-pci driver relies on the
 *   same bound); DMB elements are at most 1 MiB (SMC-D), idx is a u8.
 * - Commands, ism_cmd() and __ism_write_cmd(): PCISTB on address space 2,
 *   the body (sizeof(cmd.request) - 8 bytes, if any) at offset 8, then the
 *   8-byte header at offset 0.
 * - Responses, __ism_read_cmd(): 8-byte PCILG on address space 2 from
 *   offset 0, the header, then the rest of resp->len.
 */

#define ISM_PAGE		4096	/* the driver's PAGE_SIZE on s390 */
#define ISM_BAR0_SIZE		BIT_ULL(48)
#define ISM_CMD_BAR_SIZE	0x1000	/* the driver uses offsets < 0x100 */
#define ISM_REQ_HDR		8	/* struct ism_req_hdr / ism_resp_hdr */

static struct zpci_io_fn ism_fn;

static int zpci_io_ism_init(struct kunit *test)
{
	memset(&fake, 0, sizeof(fake));
	memset(&ism_fn, 0, sizeof(ism_fn));
	ism_fn.bar_size[0] = ISM_BAR0_SIZE;
	ism_fn.bar_size[2] = ISM_CMD_BAR_SIZE;
	ism_fn.msix_bar = ZPCI_IO_NO_MSIX;	/* ISM interrupts are MSI */
	zpci_io_fn_limits(&ism_fn, PCI_FUNC_TYPE_ISM, ZPCI_BOUNDARY_SIZE);
	return 0;
}

enum ism_kind { ISM_MOVE, ISM_CMD_WRITE, ISM_CMD_READ };

struct ism_shape {
	const char *name;
	enum ism_kind kind;
	/* ISM_MOVE: the arguments of one ism_move() call */
	u64 dmb_tok;
	u32 idx;
	bool sf;
	u32 offset;
	u32 size;
	/* ISM_CMD_*: sizeof(cmd.request), or the response's len */
	u32 cmd_len;
};

#define TOK_LOW		0x0000000100000000ULL
#define TOK_HIGH	0x0000ffff00000000ULL

static const struct ism_shape ism_shapes[] = {
	/* ism_move(): smcd_tx_ism_write() payloads and CDC messages */
	{ "move_1_byte", ISM_MOVE, TOK_LOW, 0, false, 0, 1 },
	{ "move_1_byte_with_signal", ISM_MOVE, TOK_LOW, 1, true, 0, 1 },
	{ "move_7_bytes_unaligned", ISM_MOVE, TOK_LOW, 2, false, 3, 7 },
	{ "move_cdc_44_bytes_with_signal", ISM_MOVE, TOK_LOW, 3, true, 0, 44 },
	{ "move_one_page", ISM_MOVE, TOK_LOW, 4, false, 0, ISM_PAGE },
	{ "move_from_offset_1_to_page_end", ISM_MOVE, TOK_LOW, 5, false, 1, 4095 },
	{ "move_last_byte_of_page", ISM_MOVE, TOK_LOW, 6, true, 4095, 1 },
	{ "move_2_bytes_across_page_in_two", ISM_MOVE, TOK_LOW, 7, true, 4095, 2 },
	{ "move_10000_bytes_from_offset_100", ISM_MOVE, TOK_LOW, 8, true, 100, 10000 },
	{ "move_whole_1mib_dmbe", ISM_MOVE, TOK_LOW, 9, true, 0, 1 << 20 },
	{ "move_last_page_of_1mib_dmbe", ISM_MOVE, TOK_HIGH, 255, true,
	  (1 << 20) - ISM_PAGE, ISM_PAGE },
	{ "move_highest_token_idx_255", ISM_MOVE, TOK_HIGH, 255, true, 0x7ff, 0x1801 },
	/* ism_cmd(): request sizes of the unions in ism.h */
	{ "cmd_simple_header_only", ISM_CMD_WRITE, .cmd_len = 8 },
	{ "cmd_reg_sba", ISM_CMD_WRITE, .cmd_len = 16 },
	{ "cmd_reg_ieq", ISM_CMD_WRITE, .cmd_len = 24 },
	{ "cmd_query_rgid", ISM_CMD_WRITE, .cmd_len = 24 },
	{ "cmd_sig_ieq", ISM_CMD_WRITE, .cmd_len = 32 },
	{ "cmd_reg_dmb", ISM_CMD_WRITE, .cmd_len = 40 },
	{ "cmd_unreg_dmb", ISM_CMD_WRITE, .cmd_len = 16 },
	{ "cmd_set_vlan_id", ISM_CMD_WRITE, .cmd_len = 16 },
	/* __ism_read_cmd(): response lengths of the unions in ism.h */
	{ "resp_header_only", ISM_CMD_READ, .cmd_len = 8 },
	{ "resp_read_gid", ISM_CMD_READ, .cmd_len = 16 },
	{ "resp_reg_dmb", ISM_CMD_READ, .cmd_len = 16 },
	{ "resp_query_info", ISM_CMD_READ, .cmd_len = 200 },
};

static void ism_shape_desc(const struct ism_shape *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ism_shape, ism_shapes, ism_shape_desc);

/* Submit one instruction of the driver's; it must be issued as such */
static void ism_expect_one(struct kunit *test, u8 op, u8 pcias, u64 offset,
			   u16 len)
{
	struct vfio_zpci_io_req req = {
		.op = op, .pcias = pcias, .len = len, .offset = offset,
		.data = op == LG ? 0 : TEST_DATA, .resp = TEST_RESP,
	};
	struct vfio_zpci_io_resp resp;
	unsigned int calls = fake.calls;
	u8 *src = (u8 *)blockbuf;
	int ret;

	get_random_bytes(src, len);
	ret = validate_then_issue(&ism_fn, &fake_ops, TEST_FH, &req, src, &resp);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "op %u as %u offset 0x%llx len %u",
			    op, pcias, offset, len);
	KUNIT_ASSERT_EQ(test, fake.calls, calls + 1);
	KUNIT_EXPECT_EQ(test, fake.last_op, op);
	KUNIT_EXPECT_EQ(test, fake.req, ZPCI_CREATE_REQ(TEST_FH, pcias, len));
	KUNIT_EXPECT_EQ(test, fake.offset, offset);
	if (op == STB)
		KUNIT_EXPECT_EQ(test, memcmp(fake.block, src, len), 0);
}

/* ism_move() with max_bytes(), step by step */
static unsigned int ism_move(struct kunit *test, const struct ism_shape *c,
			     u32 offset, u32 size)
{
	unsigned int n = 0;
	u32 bytes;
	u64 dmb_req;

	while (size) {
		bytes = min_t(u32, ISM_PAGE - (offset & (ISM_PAGE - 1)), size);
		dmb_req = c->dmb_tok | (u64)c->idx << 24 |
			  (u64)(size == bytes ? c->sf : 0) << 23 | offset;
		ism_expect_one(test, STB, 0, dmb_req, bytes);
		size -= bytes;
		offset += bytes;
		n++;
	}
	return n;
}

static void ism_driver_request_is_one_insn(struct kunit *test)
{
	const struct ism_shape *c = test->param_value;
	unsigned int off;

	switch (c->kind) {
	case ISM_MOVE:
		KUNIT_EXPECT_EQ(test, ism_move(test, c, c->offset, c->size),
				DIV_ROUND_UP((c->offset & (ISM_PAGE - 1)) +
					     c->size, ISM_PAGE));
		break;
	case ISM_CMD_WRITE:
		if (c->cmd_len > ISM_REQ_HDR)
			ism_expect_one(test, STB, 2, ISM_REQ_HDR,
				       c->cmd_len - ISM_REQ_HDR);
		ism_expect_one(test, STB, 2, 0, ISM_REQ_HDR);
		break;
	case ISM_CMD_READ:
		for (off = 0; off < c->cmd_len; off += 8)
			ism_expect_one(test, LG, 2, off, 8);
		break;
	}
}

/* Every length 1..4096 and every start offset inside a page */
static void ism_move_every_length_and_start_offset(struct kunit *test)
{
	const struct ism_shape c = { .dmb_tok = TOK_LOW, .idx = 17, .sf = true };
	u32 i;

	for (i = 1; i <= ISM_PAGE; i++)
		KUNIT_ASSERT_EQ(test, ism_move(test, &c, 0, i), 1);
	for (i = 0; i < ISM_PAGE; i++)
		KUNIT_ASSERT_EQ(test, ism_move(test, &c, i, ISM_PAGE - i), 1);
	KUNIT_EXPECT_EQ(test, fake.calls, 2 * ISM_PAGE);
}

/*
 * ISM's limit is its group's maxstbl, as ism-vfio-pci honours it: a group
 * that reports 4096 (the emulator, and what ism_drv's page-sized moves
 * need) takes page moves, a smaller value is not raised.
 */
static void ism_limit_is_group_maxstbl(struct kunit *test)
{
	static const u16 reported[] = { 0, 128, 2048, 4096, 0xffff };
	struct vfio_zpci_io_req page = {
		.op = STB, .pcias = 0, .len = ISM_PAGE, .offset = TOK_LOW,
		.data = TEST_DATA, .resp = TEST_RESP,
	};
	struct vfio_zpci_io_req at_limit = page;
	struct vfio_zpci_io_header hdr;
	u16 want;
	int i;

	for (i = 0; i < ARRAY_SIZE(reported); i++) {
		want = min_t(u16, reported[i], ZPCI_BOUNDARY_SIZE);
		zpci_io_fn_limits(&ism_fn, PCI_FUNC_TYPE_ISM, reported[i]);
		KUNIT_EXPECT_TRUE(test, ism_fn.relaxed);
		KUNIT_EXPECT_EQ(test, ism_fn.maxstbl, want);
		KUNIT_EXPECT_EQ(test, zpci_io_validate(&ism_fn, &page),
				want == ISM_PAGE ? 0 : -EINVAL);
		at_limit.len = want + 1;
		KUNIT_EXPECT_EQ(test, zpci_io_validate(&ism_fn, &at_limit),
				-EINVAL);
		at_limit.len = want;
		KUNIT_EXPECT_EQ(test, zpci_io_validate(&ism_fn, &at_limit),
				want ? 0 : -EINVAL);
		zpci_io_fill_header(&ism_fn, PCI_FUNC_TYPE_ISM, &hdr);
		KUNIT_EXPECT_EQ(test, hdr.maxstbl, want);
		KUNIT_EXPECT_EQ(test, hdr.flags, VFIO_ZPCI_IO_HDR_NON_MIO |
				VFIO_ZPCI_IO_HDR_RELAXED);
	}
	zpci_io_fn_limits(&ism_fn, PCI_FUNC_TYPE_ISM, ZPCI_BOUNDARY_SIZE);
}

/* Other functions keep the strict rules and their group's maxstbl */
static void strict_limit_is_group_maxstbl_capped_at_4k(struct kunit *test)
{
	struct zpci_io_fn fn = { };

	zpci_io_fn_limits(&fn, 0, 128);
	KUNIT_EXPECT_FALSE(test, fn.relaxed);
	KUNIT_EXPECT_EQ(test, fn.maxstbl, 128);
	zpci_io_fn_limits(&fn, 0, 0xffff);
	KUNIT_EXPECT_EQ(test, fn.maxstbl, ZPCI_BOUNDARY_SIZE);
}

/* What ISM needs and the strict rules refuse: the reason PFT 5 is relaxed */
static void ism_header_write_is_refused_by_strict_rules(struct kunit *test)
{
	struct vfio_zpci_io_req req = {
		.op = STB, .pcias = 2, .len = ISM_REQ_HDR, .offset = 0,
		.data = TEST_DATA, .resp = TEST_RESP,
	};
	struct zpci_io_fn strict = ism_fn;

	zpci_io_fn_limits(&strict, 0, 128);
	KUNIT_EXPECT_EQ(test, zpci_io_validate(&strict, &req), -EINVAL);
	KUNIT_EXPECT_EQ(test, zpci_io_validate(&ism_fn, &req), 0);
}

static struct kunit_case zpci_io_ism_cases[] = {
	KUNIT_CASE_PARAM(ism_driver_request_is_one_insn, ism_shape_gen_params),
	KUNIT_CASE(ism_move_every_length_and_start_offset),
	KUNIT_CASE(ism_limit_is_group_maxstbl),
	KUNIT_CASE(strict_limit_is_group_maxstbl_capped_at_4k),
	KUNIT_CASE(ism_header_write_is_refused_by_strict_rules),
	{}
};

static struct kunit_suite zpci_io_ism_suite = {
	.name = "zpci_io_ism",
	.init = zpci_io_ism_init,
	.test_cases = zpci_io_ism_cases,
};

kunit_test_suites(&zpci_io_validate_suite, &zpci_io_issue_suite,
		  &zpci_io_ism_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for zpci-io-vfio-pci");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
