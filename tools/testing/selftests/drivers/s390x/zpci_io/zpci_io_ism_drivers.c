// SPDX-License-Identifier: GPL-2.0
/*
 * Three VFIO drivers side by side on one ISM function, in one guest, on
 * one workload: zpci-io-vfio-pci, vfio-pci and ism_vfio_pci (Linux 7.1+,
 * drivers/vfio/pci/ism), each bound in turn to the emulated ISM function
 * ism2 ($ZPCI_IO_ISM_BDF) through driver_override.  For each driver:
 *
 *  (a) what VFIO_DEVICE_GET_REGION_INFO says of BAR0 and BAR2 (and of the
 *      zPCI I/O region for ours);
 *  (b) the command READ_GID through the driver's standard BAR2 region
 *      (header by pwrite at 0, response by pread from 0), and through the
 *      zPCI I/O region for ours;
 *  (c) moves of 8, 13, 256 and 4096 bytes into a DMB the peer module
 *      (a dibs client on ism0) registered with ism2's GID as its remote
 *      GID, by pwrite at BAR0's region offset ISM_CREATE_REQ(token,
 *      sba_idx, 0, off), and through the region for ours; the DMB's bytes
 *      say what landed;
 *  (d) what each reports when the device refuses a move: to an unknown
 *      token, and past the DMB's end.
 *
 * vfio-pci's rows record what vfio-pci-core does with ISM; ism_vfio_pci's
 * rows are the behaviour ours must offer unchanged on its standard
 * regions (same layout, same data, same measurement-block counts, same
 * errno), with the zPCI I/O region and its exact outcome on top.  The
 * tests change nothing in a driver.  The tests run in the order
 * written (ours, vfio-pci, ism_vfio_pci, Linux's ism without an override
 * and an administrator's driverctl sequence, ours again) and share ism2's GID
 * and the DMB through a shared page; the last one unregisters the DMB,
 * unloads ism_vfio_pci and leaves ism2 with zpci-io-vfio-pci.
 *
 * Instruction counts: the function measurement block counts the
 * instructions that completed; the emulator counts none it refused (an
 * operand exception).  The kernel's PCI helpers (__zpci_load(),
 * __zpci_store(), __zpci_store_block(), which ism_vfio_pci and, had it a
 * mapping, vfio-pci-core's ioread/iowrite use) log every instruction that
 * failed in the s390 debug feature pci_error: its entries count the
 * refused ones.  The region reports its own failure in the response.
 *
 * Every observation prints a "# table: <driver> | <what> | <result>" line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zpci_io_selftest.h"
#include "zpci_io_ism.h"

#define OURS		ZIO_DRIVER
#define VFIO_PCI	"vfio-pci"
#define ISM_VFIO	"ism_vfio_pci"	/* its driver name, KBUILD_MODNAME */
#define ISM_VFIO_KO	"/lib/modules/ism-vfio-pci.ko"

/* vfio-pci-core's layout: region index << 40; ism_vfio_pci's: << 48 */
#define CORE_SHIFT	40
#define ISM_VFIO_SHIFT	48

/* a DMB whose end is not on a 4 KiB boundary: a store past it crosses none */
#define DMB_LEN		0x2100
/* the emulator's tokens are a counter in bits 32-47 from 1: never 0 */
#define UNKNOWN_TOKEN	0
/* past the DMB's end: 8 bytes inside, 8 beyond */
#define PAST_END_OFF	(DMB_LEN - 8)
#define PAST_END_LEN	16

#define DBF		"/sys/kernel/debug/s390dbf/pci_error/"
#define FMB_WAIT_S	15
#define TIMEOUT		300

static const struct move {
	uint32_t off;
	uint16_t len;
} moves[] = {
	{ 0x0, 8 }, { 0x11, 13 }, { 0x200, 256 }, { 0x1000, 4096 },
};

/* What the tests hand on to each other */
struct shared {
	uint64_t gid;		/* ism2's, read through our region */
	uint64_t token;		/* the peer's DMB, remote GID ism2's */
	uint64_t sba_idx;
};

static struct shared *sh;
static const char *bdf;

static void __attribute__((constructor)) ism_drivers_init(void)
{
	bdf = zio_ism_bdf_or_skip();
	if (access(ISM_VFIO_KO, R_OK))
		ksft_exit_skip("no " ISM_VFIO_KO ": a kernel before 7.1\n");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
}

/* stdout is a pipe and the harness's test processes end in _exit() */
/* not __printf(): 6.1's kselftest.h does not define it */
static void table(const char *drv, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("# %s: %s | %s | ", "table", drv, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

FIXTURE(ism2) {
	struct zio_dev d;
};

FIXTURE_SETUP(ism2)
{
	self->d.container = -1;
	self->d.group = -1;
	self->d.device = -1;
}

FIXTURE_TEARDOWN(ism2)
{
	zio_close(&self->d);
}

/* ism2 bound to @drv (loading ism_vfio_pci first) and its device open */
static int use_driver(struct zio_dev *d, const char *drv)
{
	return zio_ism_use_driver(bdf, drv,
				  strcmp(drv, ISM_VFIO) ? NULL : ISM_VFIO_KO, d);
}

/* ---- instruction counts --------------------------------------------- */

struct cost {
	/* the measurement block: instructions that completed */
	uint64_t lg, stg, stb;
	/* pci_error: instructions of the kernel's helpers that failed */
	unsigned int lg_failed, stg_failed, stb_failed;
};

static int cost_begin(struct zio_fmb *base)
{
	int ret = zio_sysfs_write(DBF "flush", "-");

	return ret ? ret : zio_fmb_start(bdf, base);
}

/*
 * pci_error's hex_ascii view: a header ending in the caller's address and
 * two blanks, then the entry's bytes: instruction ('l' PCILG, 's' PCISTG,
 * 'b' PCISTB), condition code (an exception: the low byte of -ENXIO),
 * status, request.
 */
static int cost_failed(struct cost *c)
{
	unsigned int insn, cc;
	char line[512], *p;
	FILE *fp = fopen(DBF "hex_ascii", "r");

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		p = strstr(line, "  ");
		if (!p || sscanf(p, "%x %x", &insn, &cc) != 2 || !cc)
			continue;
		c->lg_failed += insn == 'l';
		c->stg_failed += insn == 's';
		c->stb_failed += insn == 'b';
	}
	fclose(fp);
	return 0;
}

static int cost_end(const struct zio_fmb *base, struct cost *c)
{
	struct zio_fmb f;
	int ret = zio_fmb_fresh(bdf, &f, FMB_WAIT_S);

	memset(c, 0, sizeof(*c));
	if (ret)
		return ret;
	c->lg = f.loads - base->loads;
	c->stg = f.stores - base->stores;
	c->stb = f.store_blocks - base->store_blocks;
	return cost_failed(c);
}

static const char *cost_str(const struct cost *c)
{
	static char buf[160];

	snprintf(buf, sizeof(buf),
		 "FMB %llu PCILG %llu PCISTG %llu PCISTB, failed %u PCILG %u PCISTG %u PCISTB",
		 (unsigned long long)c->lg, (unsigned long long)c->stg,
		 (unsigned long long)c->stb, c->lg_failed, c->stg_failed,
		 c->stb_failed);
	return buf;
}

/* ---- (a) region info ------------------------------------------------ */

struct region {
	int err;		/* errno of the ioctl, or 0 */
	uint64_t offset, size;
	uint32_t flags;
	uint32_t cap_type, cap_subtype;	/* VFIO_REGION_INFO_CAP_TYPE */
	unsigned int caps;
};

static void region_get(int device, uint32_t index, struct region *r)
{
	struct vfio_region_info *info = zio_region_info(device, index);
	struct vfio_info_cap_header *h;
	uint32_t next;

	memset(r, 0, sizeof(*r));
	if (!info) {
		r->err = errno;
		return;
	}
	r->offset = info->offset;
	r->size = info->size;
	r->flags = info->flags;
	next = info->flags & VFIO_REGION_INFO_FLAG_CAPS ? info->cap_offset : 0;
	for (; next && next < info->argsz; next = h->next) {
		h = (void *)((char *)info + next);
		r->caps++;
		if (h->id == VFIO_REGION_INFO_CAP_TYPE) {
			struct vfio_region_info_cap_type *t = (void *)h;

			r->cap_type = t->type;
			r->cap_subtype = t->subtype;
		}
	}
	free(info);
}

static void region_table(const char *drv, const char *name, uint32_t index,
			 const struct region *r)
{
	char what[64];

	snprintf(what, sizeof(what), "GET_REGION_INFO %s (index %u)", name,
		 index);
	if (r->err) {
		table(drv, what, "%s", strerror(r->err));
		return;
	}
	table(drv, what, "offset 0x%llx size 0x%llx flags%s%s%s%s, %u caps",
	      (unsigned long long)r->offset, (unsigned long long)r->size,
	      r->flags & VFIO_REGION_INFO_FLAG_READ ? " READ" : "",
	      r->flags & VFIO_REGION_INFO_FLAG_WRITE ? " WRITE" : "",
	      r->flags & VFIO_REGION_INFO_FLAG_MMAP ? " MMAP" : " (no MMAP)",
	      r->flags & VFIO_REGION_INFO_FLAG_CAPS ? " CAPS" : "", r->caps);
}

#define RW	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)

/*
 * BAR0 256 TiB and BAR2 4 KiB, read/write, never mmap: the s390 PCI fixup
 * marks ISM's BARs non-mappable (arch/s390/pci/pci_fixup.c), which
 * vfio_pci_probe_mmaps() honours; no capability (no MSI-X table).
 */
static void check_bars(struct __test_metadata *_metadata, const char *drv,
		       struct zio_dev *d, int shift)
{
	struct region bar0, bar2;

	region_get(d->device, VFIO_PCI_BAR0_REGION_INDEX, &bar0);
	region_get(d->device, VFIO_PCI_BAR2_REGION_INDEX, &bar2);
	region_table(drv, "BAR0", 0, &bar0);
	region_table(drv, "BAR2", 2, &bar2);
	ASSERT_EQ(0, bar0.err);
	ASSERT_EQ(0, bar2.err);
	ASSERT_EQ(0, bar0.offset);
	ASSERT_EQ(ZIO_ISM_DMB_BAR_SIZE, bar0.size);
	ASSERT_EQ(RW, bar0.flags);
	ASSERT_EQ(0, bar0.caps);
	ASSERT_EQ(2ULL << shift, bar2.offset);
	ASSERT_EQ(ZIO_ISM_CMD_AREA_SIZE, bar2.size);
	ASSERT_EQ(RW, bar2.flags);
	ASSERT_EQ(0, bar2.caps);
	table(drv, "VFIO_DEVICE_GET_INFO num_regions", "%u",
	      d->info.num_regions);
}

/* ---- (b) commands ----------------------------------------------------- */

struct cmd_obs {
	ssize_t wrote, read;	/* pwrite's and pread's results */
	int werr, rerr;		/* their errno */
	struct zio_ism_rsp rsp;
	struct cost cost;
};

/*
 * READ_GID through the standard BAR2 region, as ism_cmd() does it: the
 * 8-byte header (READ_GID has no body) by pwrite at 0, the 16-byte
 * response by pread from 0.
 */
static int std_read_gid(struct zio_dev *d, struct cmd_obs *o)
{
	uint8_t req[ZIO_ISM_HDR_LEN], rsp[ZIO_ISM_READ_GID_RSP_LEN] = { 0 };
	uint64_t at = d->bar_offset[ZIO_ISM_CMD_BAR];
	struct zio_fmb base;
	int ret;

	memset(o, 0, sizeof(*o));
	zio_ism_cmd_hdr(req, ZIO_ISM_READ_GID, sizeof(req));
	ret = cost_begin(&base);
	if (ret)
		return ret;
	o->wrote = pwrite(d->device, req, sizeof(req), at);
	o->werr = o->wrote < 0 ? errno : 0;
	o->read = pread(d->device, rsp, sizeof(rsp), at);
	o->rerr = o->read < 0 ? errno : 0;
	zio_ism_parse_rsp(rsp, &o->rsp);
	return cost_end(&base, &o->cost);
}

static void std_cmd_table(const char *drv, const struct cmd_obs *o)
{
	table(drv, "READ_GID by pwrite 8 B at BAR2 0, pread 16 B from 0",
	      "pwrite %zd (%s), pread %zd (%s); response cmd 0x%x ret 0x%x len %u gid 0x%llx; %s",
	      o->wrote, strerror(o->werr), o->read, strerror(o->rerr),
	      o->rsp.cmd, o->rsp.ret, o->rsp.len,
	      (unsigned long long)o->rsp.data, cost_str(&o->cost));
}

/*
 * READ_GID through the standard BAR2 region as ism_vfio_pci serves it:
 * the header by one 8-byte PCISTB (which executes the command), the
 * response by two 8-byte PCILGs, ism2's GID; no failed instruction.
 */
static void bar2_read_gid_is_one_pcistb_two_pcilg(struct __test_metadata *_metadata,
						  struct zio_dev *d,
						  const char *drv)
{
	struct cmd_obs o;

	ASSERT_EQ(0, std_read_gid(d, &o));
	std_cmd_table(drv, &o);
	ASSERT_EQ(ZIO_ISM_HDR_LEN, o.wrote);
	ASSERT_EQ(ZIO_ISM_READ_GID_RSP_LEN, o.read);
	ASSERT_EQ(ZIO_ISM_READ_GID, o.rsp.cmd);
	ASSERT_EQ(0, o.rsp.ret);
	ASSERT_EQ(ZIO_ISM_READ_GID_RSP_LEN, o.rsp.len);
	ASSERT_EQ(sh->gid, o.rsp.data);
	ASSERT_EQ(2, o.cost.lg);
	ASSERT_EQ(0, o.cost.stg);
	ASSERT_EQ(1, o.cost.stb);
	ASSERT_EQ(0, o.cost.lg_failed + o.cost.stg_failed +
		     o.cost.stb_failed);
}

/* A command through our region: ism_cmd()'s instructions, one by one */
static int region_cmd(struct zio_dev *d, uint32_t cmd, struct cmd_obs *o,
		      struct vfio_zpci_io_resp *out)
{
	uint8_t req[ZIO_ISM_HDR_LEN], rsp[ZIO_ISM_READ_GID_RSP_LEN] = { 0 };
	struct zio_fmb base;
	int ret;

	memset(o, 0, sizeof(*o));
	zio_ism_cmd_hdr(req, cmd, sizeof(req));
	ret = cost_begin(&base);
	if (ret)
		return ret;
	o->werr = -zio_ism_region_cmd(d, req, sizeof(req), rsp, sizeof(rsp),
				      out);
	zio_ism_parse_rsp(rsp, &o->rsp);
	return cost_end(&base, &o->cost);
}

/* ---- (c), (d) moves ------------------------------------------------- */

struct move_obs {
	ssize_t wrote;		/* pwrite's result; region: 0 or -errno */
	int err;
	struct vfio_zpci_io_resp resp;	/* region only */
	size_t landed;		/* bytes of the store found in the DMB */
	int clean;		/* nothing else in the DMB changed */
	struct cost cost;
};

/*
 * Store @len bytes at DMB offset @off (BAR0 offset with token @tok)
 * through the standard BAR0 region (@region 0) or our region, into a DMB
 * of zeros; then read back what landed.
 */
static int do_move(struct zio_dev *d, int region, uint64_t tok,
		   uint32_t off, uint16_t len, struct move_obs *o)
{
	static uint8_t src[4096], dmb[DMB_LEN];
	uint64_t bar_off = ZIO_ISM_MOVE_OFFSET(tok, sh->sba_idx, 0, off);
	struct zio_fmb base;
	size_t i, in_dmb;
	int ret;

	memset(o, 0, sizeof(*o));
	memset(dmb, 0, sizeof(dmb));
	ret = zio_ism_peer_dmb_data(1, dmb, sizeof(dmb), 0);
	if (ret)
		return ret;
	zio_ism_pattern(src, len, len + region);
	ret = cost_begin(&base);
	if (ret)
		return ret;
	if (region) {
		o->wrote = zio_ism_region_move(d, tok, sh->sba_idx, 0, off,
					       src, len, &o->resp);
		o->err = o->wrote < 0 ? -o->wrote : 0;
	} else {
		o->wrote = pwrite(d->device, src, len,
				  d->bar_offset[ZIO_ISM_DMB_BAR] + bar_off);
		o->err = o->wrote < 0 ? errno : 0;
	}
	ret = cost_end(&base, &o->cost);
	if (ret)
		return ret;
	ret = zio_ism_peer_dmb_data(0, dmb, sizeof(dmb), 0);
	if (ret)
		return ret;
	in_dmb = off < DMB_LEN ? DMB_LEN - off : 0;
	for (i = 0; i < len && i < in_dmb; i++)
		o->landed += dmb[off + i] == src[i];
	o->clean = 1;
	for (i = 0; i < DMB_LEN; i++)
		if (dmb[i] && (i < off || i >= off + len))
			o->clean = 0;
	return 0;
}

static const char *landed_str(const struct move_obs *o, uint16_t len)
{
	static char buf[64];

	if (o->landed == len && o->clean)
		return "landed whole";
	if (!o->landed && o->clean)
		return "nothing landed";
	snprintf(buf, sizeof(buf), "%zu of %u bytes landed%s", o->landed, len,
		 o->clean ? "" : ", other bytes changed");
	return buf;
}

static void move_table(const char *drv, const char *what, uint16_t len,
		       const struct move_obs *o, int region)
{
	if (region)
		table(drv, what, "%s%s; cc %u status %u flags 0x%x pic 0x%x; %s; %s",
		      o->err ? "errno " : "ok",
		      o->err ? strerror(o->err) : "", o->resp.cc,
		      o->resp.status, o->resp.flags, o->resp.pic,
		      landed_str(o, len), cost_str(&o->cost));
	else
		table(drv, what, "pwrite %zd (%s); %s; %s", o->wrote,
		      strerror(o->err), landed_str(o, len),
		      cost_str(&o->cost));
}

static void need_dmb(struct __test_metadata *_metadata)
{
	ASSERT_NE(0, sh->token) TH_LOG("no DMB: the peer did not register one");
}

/*
 * vfio-pci-core's BAR path (vfio-pci; ours before it took ism_vfio_pci's
 * layout) has no mapping of an ISM BAR: the s390 PCI fixup marks ISM's BARs
 * non-mappable (arch/s390/pci/pci_fixup.c), so vfio_pci_core_map_bars()
 * leaves barmap[] at -ENODEV, which vfio_pci_bar_rw() returns through
 * vfio_pci_core_get_iomap() before any instruction.  Every access of BAR0
 * or BAR2 fails alike: a valid move, one to an unknown token, one past
 * the DMB's end.
 */
static void core_move_fails_enodev(struct __test_metadata *_metadata,
				   struct zio_dev *d, const char *drv,
				   uint64_t tok, uint32_t off, uint16_t len,
				   const char *what)
{
	struct move_obs o;

	need_dmb(_metadata);
	ASSERT_EQ(0, do_move(d, 0, tok, off, len, &o));
	move_table(drv, what, len, &o, 0);
	ASSERT_EQ(-1, o.wrote);
	ASSERT_EQ(ENODEV, o.err);
	ASSERT_EQ(0, o.landed);
	ASSERT_TRUE(o.clean);
	ASSERT_EQ(0, o.cost.lg + o.cost.stg + o.cost.stb);
	ASSERT_EQ(0, o.cost.lg_failed + o.cost.stg_failed +
		     o.cost.stb_failed);
}

static void core_moves_fail_enodev(struct __test_metadata *_metadata,
				   struct zio_dev *d, const char *drv)
{
	char what[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(moves); i++) {
		snprintf(what, sizeof(what), "move %u B at DMB 0x%x by BAR0 pwrite",
			 moves[i].len, moves[i].off);
		core_move_fails_enodev(_metadata, d, drv, sh->token,
				       moves[i].off, moves[i].len, what);
	}
}

/* The same for a command: neither the header's pwrite nor the pread */
static void core_cmd_fails_enodev(struct __test_metadata *_metadata,
				  struct zio_dev *d, const char *drv)
{
	struct cmd_obs o;

	ASSERT_EQ(0, std_read_gid(d, &o));
	std_cmd_table(drv, &o);
	ASSERT_EQ(-1, o.wrote);
	ASSERT_EQ(ENODEV, o.werr);
	ASSERT_EQ(-1, o.read);
	ASSERT_EQ(ENODEV, o.rerr);
	ASSERT_EQ(0, o.cost.lg + o.cost.stg + o.cost.stb);
	ASSERT_EQ(0, o.cost.lg_failed + o.cost.stg_failed +
		     o.cost.stb_failed);
}

/*
 * One PCISTB of the whole store: ism_vfio_pci_do_io_w() (one
 * __zpci_store_block() per pwrite, count <= maxstbl, no 4 KiB crossing)
 * and our region (one instruction per request, ISM's relaxed rules).
 */
static void moves_land_whole(struct __test_metadata *_metadata,
			     struct zio_dev *d, const char *drv, int region)
{
	struct move_obs o;
	char what[64];
	size_t i;

	need_dmb(_metadata);
	for (i = 0; i < ARRAY_SIZE(moves); i++) {
		const struct move *m = &moves[i];

		ASSERT_EQ(0, do_move(d, region, sh->token, m->off, m->len, &o));
		snprintf(what, sizeof(what), "move %u B at DMB 0x%x by %s",
			 m->len, m->off,
			 region ? "region PCISTB" : "BAR0 pwrite");
		move_table(drv, what, m->len, &o, region);
		ASSERT_EQ(region ? 0 : m->len, o.wrote);
		ASSERT_EQ(0, o.resp.cc);
		ASSERT_EQ(0, o.resp.flags);
		ASSERT_EQ(m->len, o.landed);
		ASSERT_TRUE(o.clean);
		ASSERT_EQ(1, o.cost.stb);
		ASSERT_EQ(0, o.cost.lg + o.cost.stg);
		ASSERT_EQ(0, o.cost.lg_failed + o.cost.stg_failed +
			     o.cost.stb_failed);
	}
}

/*
 * The device refuses the PCISTB (operand exception) and the BAR pwrite
 * fails with ENXIO: ism_vfio_pci returns __zpci_store_block()'s -ENXIO,
 * which logs the failed instruction in pci_error; ours issues its own
 * instruction (no pci_error entry) and maps the exception to the same
 * errno.
 */
static void bar_refusal_is_enxio(struct __test_metadata *_metadata,
				 struct zio_dev *d, const char *drv,
				 uint64_t tok, uint32_t off, uint16_t len,
				 const char *what)
{
	struct move_obs o;

	need_dmb(_metadata);
	ASSERT_EQ(0, do_move(d, 0, tok, off, len, &o));
	move_table(drv, what, len, &o, 0);
	ASSERT_EQ(-1, o.wrote);
	ASSERT_EQ(ENXIO, o.err);
	ASSERT_EQ(0, o.landed);
	ASSERT_TRUE(o.clean);
	ASSERT_EQ(0, o.cost.stb + o.cost.stg + o.cost.lg);
	ASSERT_EQ(strcmp(drv, ISM_VFIO) ? 0 : 1, o.cost.stb_failed);
	ASSERT_EQ(0, o.cost.stg_failed);
}

/*
 * A valid move by BAR0 pwrite with memory space disabled in the device's
 * command register: ours checks it under memory_lock, as vfio-pci's own
 * BAR access does, and refuses with EIO before any instruction;
 * ism_vfio_pci checks nothing and issues the PCISTB.
 */
static void move_with_memory_off(struct __test_metadata *_metadata,
				 struct zio_dev *d, const char *drv)
{
	int ours = !strcmp(drv, OURS);
	struct move_obs o;
	int ret;

	need_dmb(_metadata);
	ASSERT_EQ(0, zio_set_memory(d, 0));
	ret = do_move(d, 0, sh->token, 0, 256, &o);
	ASSERT_EQ(0, zio_set_memory(d, 1));
	ASSERT_EQ(0, ret);
	move_table(drv, "move 256 B by BAR0 pwrite, memory space off", 256,
		   &o, 0);
	if (ours) {
		ASSERT_EQ(-1, o.wrote);
		ASSERT_EQ(EIO, o.err);
		ASSERT_EQ(0, o.landed);
		ASSERT_EQ(0, o.cost.stb);
	} else {
		ASSERT_EQ(256, o.wrote);
		ASSERT_EQ(256, o.landed);
		ASSERT_EQ(1, o.cost.stb);
	}
	ASSERT_TRUE(o.clean);
}

/* Our region: the instruction was issued; its operand exception reported */
static void region_refusal_is_pic_operand(struct __test_metadata *_metadata,
					  struct zio_dev *d, uint64_t tok,
					  uint32_t off, uint16_t len,
					  const char *what)
{
	struct move_obs o;

	need_dmb(_metadata);
	ASSERT_EQ(0, do_move(d, 1, tok, off, len, &o));
	move_table(OURS, what, len, &o, 1);
	ASSERT_EQ(0, o.wrote);
	ASSERT_EQ(0, o.resp.cc);
	ASSERT_EQ(0, o.resp.status);
	ASSERT_EQ(VFIO_ZPCI_IO_RESP_EXCEPTION, o.resp.flags);
	ASSERT_EQ(VFIO_ZPCI_IO_PIC_OPERAND, o.resp.pic);
	ASSERT_EQ(0, o.landed);
	ASSERT_TRUE(o.clean);
	ASSERT_EQ(0, o.cost.stb + o.cost.stg + o.cost.lg);
}

/* ==== zpci-io-vfio-pci, as each test program finds ism2 =============== */

TEST_F_TIMEOUT(ism2, zpci_io_vfio_pci_holds_ism2_at_start, TIMEOUT)
{
	char drv[128];

	zio_bound_driver(bdf, drv, sizeof(drv));
	ASSERT_STREQ(OURS, drv);
	table(OURS, "bound at start", "%s", drv);
	ASSERT_EQ(0, access(DBF "hex_ascii", R_OK));
	ASSERT_EQ(0, access(ZIO_ISM_PEER_DIR "dmb_register", W_OK))
		TH_LOG("no peer module: %s", strerror(errno));
}

/*
 * ism_vfio_pci's layout (index << 48: config, BAR0-5 with their sizes,
 * READ|WRITE, no mmap, no ROM), and the zPCI I/O region at its own index
 * in the same layout.
 */
TEST_F_TIMEOUT(ism2, zpci_io_region_info_is_ism_vfio_pci_layout_plus_the_region,
	       TIMEOUT)
{
	struct region r, rom;

	ASSERT_EQ(0, use_driver(&self->d, OURS));
	check_bars(_metadata, OURS, &self->d, ISM_VFIO_SHIFT);
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS + 1, self->d.info.num_regions);
	ASSERT_EQ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << ISM_VFIO_SHIFT,
		  self->d.config_offset);
	region_get(self->d.device, VFIO_PCI_ROM_REGION_INDEX, &rom);
	region_table(OURS, "ROM", VFIO_PCI_ROM_REGION_INDEX, &rom);
	ASSERT_EQ(EINVAL, rom.err);
	region_get(self->d.device, self->d.region_index, &r);
	region_table(OURS, "zPCI I/O region", self->d.region_index, &r);
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS, self->d.region_index);
	ASSERT_EQ((uint64_t)VFIO_PCI_NUM_REGIONS << ISM_VFIO_SHIFT, r.offset);
	ASSERT_EQ(VFIO_ZPCI_IO_REQ_OFFSET + sizeof(struct vfio_zpci_io_req),
		  r.size);
	ASSERT_EQ(RW | VFIO_REGION_INFO_FLAG_CAPS, r.flags);
	ASSERT_EQ(1, r.caps);
	ASSERT_EQ(VFIO_REGION_TYPE_PCI_VENDOR_TYPE | ZIO_VENDOR_IBM,
		  r.cap_type);
	ASSERT_EQ(VFIO_REGION_SUBTYPE_IBM_ZPCI_IO, r.cap_subtype);
	/* ISM: relaxed PCISTB rules, the group's maxstbl, function type 5 */
	table(OURS, "zPCI I/O header",
	      "flags 0x%x maxstbl %u pft %u bar_size[0] 0x%llx bar_size[2] 0x%llx",
	      self->d.hdr.flags, self->d.hdr.maxstbl, self->d.hdr.pft,
	      (unsigned long long)self->d.hdr.bar_size[0],
	      (unsigned long long)self->d.hdr.bar_size[2]);
	ASSERT_EQ(VFIO_ZPCI_IO_HDR_NON_MIO | VFIO_ZPCI_IO_HDR_RELAXED,
		  self->d.hdr.flags);
	ASSERT_EQ(4096, self->d.hdr.maxstbl);
	ASSERT_EQ(5, self->d.hdr.pft);
	ASSERT_EQ(ZIO_ISM_DMB_BAR_SIZE, self->d.hdr.bar_size[0]);
	ASSERT_EQ(ZIO_ISM_CMD_AREA_SIZE, self->d.hdr.bar_size[2]);
}

/*
 * The device file in the ISM layout: mmap of a BAR is refused, and so is
 * an ioeventfd (vfio-pci-core would decode its offset in the 40-bit
 * layout and store through ioremap); config space is vfio's virtualised
 * view at its own offset.
 */
TEST_F_TIMEOUT(ism2, zpci_io_no_mmap_no_ioeventfd_config_virtualised,
	       TIMEOUT)
{
	struct vfio_device_ioeventfd ev = {
		.argsz = sizeof(ev), .flags = VFIO_DEVICE_IOEVENTFD_64,
	};
	uint16_t vendor = 0, dev = 0;
	void *p;
	int ret;

	ASSERT_EQ(0, use_driver(&self->d, OURS));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->d.device, self->d.bar_offset[ZIO_ISM_CMD_BAR]);
	table(OURS, "mmap BAR2", "%s", p == MAP_FAILED ? strerror(errno) : "mapped");
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	/*
	 * BAR0 at offset 0 is where both layouts agree: vfio-pci-core would
	 * take it for its own BAR0 (and fail on the missing mapping, ENODEV)
	 */
	ev.fd = eventfd(0, 0);
	ASSERT_LE(0, ev.fd);
	ev.offset = self->d.bar_offset[ZIO_ISM_DMB_BAR];
	ret = ioctl(self->d.device, VFIO_DEVICE_IOEVENTFD, &ev);
	table(OURS, "VFIO_DEVICE_IOEVENTFD on BAR0", "%s",
	      ret ? strerror(errno) : "accepted");
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EINVAL, errno);
	ev.offset = self->d.bar_offset[ZIO_ISM_CMD_BAR];
	ret = ioctl(self->d.device, VFIO_DEVICE_IOEVENTFD, &ev);
	table(OURS, "VFIO_DEVICE_IOEVENTFD on BAR2", "%s",
	      ret ? strerror(errno) : "accepted");
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EINVAL, errno);
	close(ev.fd);
	ASSERT_EQ(2, pread(self->d.device, &vendor, 2, self->d.config_offset));
	ASSERT_EQ(2, pread(self->d.device, &dev, 2, self->d.config_offset + 2));
	/* config space is little-endian */
	ASSERT_EQ(0x1014, le16toh(vendor));
	ASSERT_EQ(0x04ed, le16toh(dev));
}

/*
 * Through our region READ_GID is exactly ism_cmd()'s instructions: one
 * 8-byte PCISTB of the header, two 8-byte PCILGs of the response.
 */
TEST_F_TIMEOUT(ism2, zpci_io_region_read_gid_is_one_pcistb_two_pcilg, TIMEOUT)
{
	struct vfio_zpci_io_resp out;
	struct cmd_obs o;

	ASSERT_EQ(0, use_driver(&self->d, OURS));
	ASSERT_EQ(0, region_cmd(&self->d, ZIO_ISM_READ_GID, &o, &out));
	table(OURS, "READ_GID by region PCISTB 8 B at BAR2 0, 2 PCILG 8 B",
	      "%s; response cmd 0x%x ret 0x%x len %u gid 0x%llx; %s",
	      o.werr ? strerror(o.werr) : "ok", o.rsp.cmd, o.rsp.ret,
	      o.rsp.len, (unsigned long long)o.rsp.data, cost_str(&o.cost));
	ASSERT_EQ(0, o.werr);
	ASSERT_EQ(ZIO_ISM_READ_GID, o.rsp.cmd);
	ASSERT_EQ(0, o.rsp.ret);
	ASSERT_EQ(ZIO_ISM_READ_GID_RSP_LEN, o.rsp.len);
	ASSERT_NE(0, o.rsp.data);
	ASSERT_EQ(2, o.cost.lg);
	ASSERT_EQ(0, o.cost.stg);
	ASSERT_EQ(1, o.cost.stb);
	sh->gid = o.rsp.data;
}

TEST_F_TIMEOUT(ism2, peer_registers_a_dmb_with_ism2_as_remote_gid, TIMEOUT)
{
	char val[64];

	ASSERT_NE(0, sh->gid) TH_LOG("ism2's GID unknown");
	snprintf(val, sizeof(val), "0x%llx %u", (unsigned long long)sh->gid,
		 DMB_LEN);
	ASSERT_EQ(0, zio_ism_peer_write("dmb_register", val));
	ASSERT_EQ(0, zio_ism_peer_read_u64("dmb_token", &sh->token));
	ASSERT_EQ(0, zio_ism_peer_read_u64("dmb_sba_idx", &sh->sba_idx));
	table("peer", "DMB registered", "rgid 0x%llx len 0x%x token 0x%llx sba_idx %llu",
	      (unsigned long long)sh->gid, DMB_LEN,
	      (unsigned long long)sh->token,
	      (unsigned long long)sh->sba_idx);
	/* index, signal flag and offset are OR-ed into bits 0-31 */
	ASSERT_EQ(0, sh->token & 0xffffffffULL);
	ASSERT_NE(0, sh->token);
	/* vfio-pci-core reaches BAR0 only below 1 TiB (region index 0) */
	ASSERT_GT(1ULL << CORE_SHIFT, sh->token)
		TH_LOG("token past 1 TiB: vfio-pci-core cannot address it");
	ASSERT_GT(256, sh->sba_idx);
}

TEST_F_TIMEOUT(ism2, zpci_io_region_unknown_command_is_answered_with_ret_1,
	       TIMEOUT)
{
	struct vfio_zpci_io_resp out;
	struct cmd_obs o;

	ASSERT_EQ(0, use_driver(&self->d, OURS));
	ASSERT_EQ(0, region_cmd(&self->d, 0xff, &o, &out));
	table(OURS, "unknown command 0xff by region",
	      "%s; response cmd 0x%x ret 0x%x len %u; %s",
	      o.werr ? strerror(o.werr) : "ok", o.rsp.cmd, o.rsp.ret,
	      o.rsp.len, cost_str(&o.cost));
	ASSERT_EQ(0, o.werr);
	ASSERT_EQ(0xff, o.rsp.cmd);
	/* the emulator's ISM_RC_UNKNOWN_CMD */
	ASSERT_EQ(1, o.rsp.ret);
	ASSERT_EQ(ZIO_ISM_HDR_LEN, o.rsp.len);
}

/*
 * Our BAR2 region as ism_vfio_pci's: the header by one 8-byte PCISTB (which
 * executes the command), the response by two 8-byte PCILGs, the same GID.
 */
TEST_F_TIMEOUT(ism2, zpci_io_bar2_read_gid_is_one_pcistb_two_pcilg, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	bar2_read_gid_is_one_pcistb_two_pcilg(_metadata, &self->d, OURS);
}

TEST_F_TIMEOUT(ism2, zpci_io_region_moves_land_whole_one_pcistb_each, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	moves_land_whole(_metadata, &self->d, OURS, 1);
}

TEST_F_TIMEOUT(ism2, zpci_io_bar0_moves_land_whole_one_pcistb_each, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	moves_land_whole(_metadata, &self->d, OURS, 0);
}

/* All of BAR0 is reachable, as with ism_vfio_pci */
TEST_F_TIMEOUT(ism2, zpci_io_bar0_beyond_1tib_reaches_the_device, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	ASSERT_NE(0x100ULL << 32, sh->token);
	bar_refusal_is_enxio(_metadata, &self->d, OURS, 0x100ULL << 32, 0, 8,
			     "move 8 B to token 0x100 (BAR0 offset 1 TiB) by BAR0 pwrite");
}

TEST_F_TIMEOUT(ism2, zpci_io_region_move_to_unknown_token_is_operand_exception,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	region_refusal_is_pic_operand(_metadata, &self->d, UNKNOWN_TOKEN,
				      0, 256,
				      "move 256 B to unknown token 0 by region PCISTB");
}

TEST_F_TIMEOUT(ism2, zpci_io_region_move_past_dmb_end_is_operand_exception,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	region_refusal_is_pic_operand(_metadata, &self->d, sh->token,
				      PAST_END_OFF, PAST_END_LEN,
				      "move 16 B over the DMB end by region PCISTB");
}

TEST_F_TIMEOUT(ism2, zpci_io_bar0_move_with_memory_off_is_eio_nothing_issued,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	move_with_memory_off(_metadata, &self->d, OURS);
}

TEST_F_TIMEOUT(ism2, zpci_io_bar0_move_to_unknown_token_fails_enxio, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	bar_refusal_is_enxio(_metadata, &self->d, OURS, UNKNOWN_TOKEN, 0, 256,
			     "move 256 B to unknown token 0 by BAR0 pwrite");
}

TEST_F_TIMEOUT(ism2, zpci_io_bar0_move_past_dmb_end_fails_enxio, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, OURS));
	bar_refusal_is_enxio(_metadata, &self->d, OURS, sh->token,
			     PAST_END_OFF, PAST_END_LEN,
			     "move 16 B over the DMB end by BAR0 pwrite");
}

/* ==== vfio-pci ======================================================= */

TEST_F_TIMEOUT(ism2, vfio_pci_binds_ism2_through_driver_override, TIMEOUT)
{
	char drv[128];

	ASSERT_EQ(0, use_driver(&self->d, VFIO_PCI));
	zio_bound_driver(bdf, drv, sizeof(drv));
	table(VFIO_PCI, "bound by driver_override", "%s", drv);
	ASSERT_STREQ(VFIO_PCI, drv);
}

TEST_F_TIMEOUT(ism2, vfio_pci_region_info_bar0_256tib_overlaps_later_indexes,
	       TIMEOUT)
{
	struct region bar1;

	ASSERT_EQ(0, use_driver(&self->d, VFIO_PCI));
	check_bars(_metadata, VFIO_PCI, &self->d, CORE_SHIFT);
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS, self->d.info.num_regions);
	/* BAR0 [0, 2^48) covers the region offsets of indexes 1 to 255 */
	region_get(self->d.device, VFIO_PCI_BAR1_REGION_INDEX, &bar1);
	region_table(VFIO_PCI, "BAR1 (BAR0's upper half)", 1, &bar1);
	ASSERT_EQ(0, bar1.err);
	ASSERT_EQ(1ULL << CORE_SHIFT, bar1.offset);
	ASSERT_EQ(0, bar1.size);
	ASSERT_GT(ZIO_ISM_DMB_BAR_SIZE, bar1.offset);
}

/*
 * BAR0 is 256 TiB, but vfio-pci-core takes offset >> 40 as the region
 * index: a pwrite at BAR0 offset 1 TiB (token 0x100 << 32) is one to
 * BAR1, which does not exist: EINVAL, no instruction.
 */
TEST_F_TIMEOUT(ism2, vfio_pci_bar0_beyond_1tib_is_another_region_einval,
	       TIMEOUT)
{
	uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	ssize_t n;

	ASSERT_EQ(0, use_driver(&self->d, VFIO_PCI));
	n = pwrite(self->d.device, buf, sizeof(buf),
		   self->d.bar_offset[0] + (1ULL << CORE_SHIFT));
	table(VFIO_PCI, "pwrite 8 B at BAR0 offset 1 TiB", "%zd (%s)", n,
	      n < 0 ? strerror(errno) : "ok");
	ASSERT_EQ(-1, n);
	ASSERT_EQ(EINVAL, errno);
}

TEST_F_TIMEOUT(ism2, vfio_pci_bar2_command_fails_enodev_no_instruction,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, VFIO_PCI));
	core_cmd_fails_enodev(_metadata, &self->d, VFIO_PCI);
}

TEST_F_TIMEOUT(ism2, vfio_pci_bar0_moves_fail_enodev_no_instruction, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, VFIO_PCI));
	core_moves_fail_enodev(_metadata, &self->d, VFIO_PCI);
}

TEST_F_TIMEOUT(ism2, vfio_pci_bar0_move_to_unknown_token_fails_enodev_alike,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, VFIO_PCI));
	core_move_fails_enodev(_metadata, &self->d, VFIO_PCI, UNKNOWN_TOKEN, 0,
			       256, "move 256 B to unknown token 0 by BAR0 pwrite");
}

TEST_F_TIMEOUT(ism2, vfio_pci_bar0_move_past_dmb_end_fails_enodev_alike,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, VFIO_PCI));
	core_move_fails_enodev(_metadata, &self->d, VFIO_PCI, sh->token,
			       PAST_END_OFF, PAST_END_LEN,
			       "move 16 B over the DMB end by BAR0 pwrite");
}

/* ==== ism_vfio_pci ==================================================== */

TEST_F_TIMEOUT(ism2, ism_vfio_pci_loads_and_binds_ism2_through_driver_override,
	       TIMEOUT)
{
	char drv[128];

	ASSERT_EQ(0, use_driver(&self->d, ISM_VFIO));
	zio_bound_driver(bdf, drv, sizeof(drv));
	table(ISM_VFIO, "bound by driver_override", "%s", drv);
	ASSERT_STREQ(ISM_VFIO, drv);
}

/*
 * ism_vfio_pci_ioctl_get_region_info(): its own layout, index << 48, only
 * config and BAR0-5; the ROM index (6) is EINVAL.
 */
TEST_F_TIMEOUT(ism2, ism_vfio_pci_region_info_bar0_256tib_in_48bit_layout,
	       TIMEOUT)
{
	struct region rom;

	ASSERT_EQ(0, use_driver(&self->d, ISM_VFIO));
	check_bars(_metadata, ISM_VFIO, &self->d, ISM_VFIO_SHIFT);
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS, self->d.info.num_regions);
	ASSERT_EQ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << ISM_VFIO_SHIFT,
		  self->d.config_offset);
	region_get(self->d.device, VFIO_PCI_ROM_REGION_INDEX, &rom);
	region_table(ISM_VFIO, "ROM", VFIO_PCI_ROM_REGION_INDEX, &rom);
	ASSERT_EQ(EINVAL, rom.err);
}

/*
 * All of BAR0 is reachable: a pwrite at BAR0 offset 1 TiB (token
 * 0x100 << 32, which nobody registered) is a PCISTB the device refuses:
 * ENXIO, one failed PCISTB.
 */
TEST_F_TIMEOUT(ism2, ism_vfio_pci_bar0_beyond_1tib_reaches_the_device, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, ISM_VFIO));
	ASSERT_NE(0x100ULL << 32, sh->token);
	bar_refusal_is_enxio(_metadata, &self->d, ISM_VFIO,
			     0x100ULL << 32, 0, 8,
				  "move 8 B to token 0x100 (BAR0 offset 1 TiB) by BAR0 pwrite");
}

/*
 * ism_vfio_pci_do_io_w(): the header is one 8-byte PCISTB, which executes
 * the command; ism_vfio_pci_do_io_r(): the response two 8-byte PCILGs.
 */
TEST_F_TIMEOUT(ism2, ism_vfio_pci_bar2_read_gid_is_one_pcistb_two_pcilg,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, ISM_VFIO));
	bar2_read_gid_is_one_pcistb_two_pcilg(_metadata, &self->d, ISM_VFIO);
}

TEST_F_TIMEOUT(ism2, ism_vfio_pci_bar0_moves_land_whole_one_pcistb_each,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, ISM_VFIO));
	moves_land_whole(_metadata, &self->d, ISM_VFIO, 0);
}

TEST_F_TIMEOUT(ism2, ism_vfio_pci_bar0_move_with_memory_off_still_issues,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, ISM_VFIO));
	move_with_memory_off(_metadata, &self->d, ISM_VFIO);
}

TEST_F_TIMEOUT(ism2, ism_vfio_pci_bar0_move_to_unknown_token_fails_enxio,
	       TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, ISM_VFIO));
	bar_refusal_is_enxio(_metadata, &self->d, ISM_VFIO,
			     UNKNOWN_TOKEN, 0, 256,
				  "move 256 B to unknown token 0 by BAR0 pwrite");
}

TEST_F_TIMEOUT(ism2, ism_vfio_pci_bar0_move_past_dmb_end_fails_enxio, TIMEOUT)
{
	ASSERT_EQ(0, use_driver(&self->d, ISM_VFIO));
	bar_refusal_is_enxio(_metadata, &self->d, ISM_VFIO,
			     sh->token, PAST_END_OFF,
				  PAST_END_LEN,
				  "move 16 B over the DMB end by BAR0 pwrite");
}

/* ==== what an administrator's binding does ============================ */

#define ISM_DRIVER	"ism"

/*
 * Our module is loaded and claims ISM only through driver_override (its
 * alias is vfio_pci:..., never pci:...): an ISM function without an
 * override that is probed binds Linux's ism driver, the default an
 * installed zpci-io-vfio-pci leaves alone.
 */
TEST_F_TIMEOUT(ism2, ism2_without_override_binds_ism_driver_not_ours, TIMEOUT)
{
	char drv[128];

	zio_close(&self->d);
	ASSERT_EQ(0, zio_unbind_driver(bdf));
	ASSERT_EQ(0, zio_set_driver_override(bdf, "\n"));
	zio_sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	zio_bound_driver(bdf, drv, sizeof(drv));
	table("default", "probed without driver_override", "%s",
	      drv[0] ? drv : "(none)");
	ASSERT_STREQ(ISM_DRIVER, drv);
	ASSERT_EQ(0, access("/sys/module/zpci_io_vfio_pci", F_OK));
}

/*
 * What "driverctl set-override <bdf> zpci-io-vfio-pci" does (and, from
 * its udev rule, again on every add of the function): set driver_override,
 * unbind the current driver, probe.  The function leaves ism for ours, and
 * the region is there; "unset-override" is the same with an empty
 * override, back to ism.
 */
TEST_F_TIMEOUT(ism2, driverctl_sequence_moves_ism2_from_ism_to_ours_and_back,
	       TIMEOUT)
{
	char drv[128];

	zio_bound_driver(bdf, drv, sizeof(drv));
	ASSERT_STREQ(ISM_DRIVER, drv);
	ASSERT_EQ(0, zio_set_driver_override(bdf, OURS));
	ASSERT_EQ(0, zio_unbind_driver(bdf));
	zio_sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	zio_bound_driver(bdf, drv, sizeof(drv));
	table("driverctl", "set-override zpci-io-vfio-pci", "%s", drv);
	ASSERT_STREQ(OURS, drv);
	ASSERT_EQ(0, zio_open(bdf, &self->d));
	ASSERT_EQ(5, self->d.hdr.pft);
	zio_close(&self->d);

	ASSERT_EQ(0, zio_set_driver_override(bdf, "\n"));
	ASSERT_EQ(0, zio_unbind_driver(bdf));
	zio_sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	zio_bound_driver(bdf, drv, sizeof(drv));
	table("driverctl", "unset-override", "%s", drv);
	ASSERT_STREQ(ISM_DRIVER, drv);
}

/* ==== back to zpci-io-vfio-pci, and clean up ========================== */

/*
 * Whatever failed before: ism2 back with our driver and its region
 * working, the DMB unregistered, ism_vfio_pci unloaded.
 */
TEST_F_TIMEOUT(ism2, ism2_ends_with_zpci_io_dmb_unregistered_ism_vfio_pci_unloaded,
	       TIMEOUT)
{
	struct vfio_zpci_io_resp out;
	int bound, unreg = 0, unload;
	struct cmd_obs o;

	bound = use_driver(&self->d, OURS);
	if (sh->token)
		unreg = zio_ism_peer_write("dmb_unregister", "1");
	if (!unreg)
		sh->token = 0;
	unload = zio_module_unload(ISM_VFIO);
	if (unload == -ENOENT)
		unload = 0;
	ASSERT_EQ(0, bound);
	ASSERT_EQ(0, unreg);
	ASSERT_EQ(0, unload);
	ASSERT_EQ(0, region_cmd(&self->d, ZIO_ISM_READ_GID, &o, &out));
	table(OURS, "bound again, region READ_GID", "gid 0x%llx; %s",
	      (unsigned long long)o.rsp.data, cost_str(&o.cost));
	ASSERT_EQ(0, o.werr);
	ASSERT_EQ(sh->gid, o.rsp.data);
}

TEST_HARNESS_MAIN
