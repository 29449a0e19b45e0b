// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit oracle for an ISM function, e.g. QEMU's emulated s390-ism.
 *
 * Linux's own ism driver (module ism) drives two ISM functions; this suite
 * talks to them only through the dibs layer (module dibs), as a dibs
 * client, and checks what the functions do: GIDs, DMB registration, moves
 * of every shape ism_move() produces, the signal and its interrupt,
 * refusals and software events.
 *
 * The suite needs two ISM dibs devices on the same ISM network.  Device A
 * is the one whose name sorts first, device B the other one.
 *
 * In make check on the 7.3 guests (CONFIG_DIBS=m, CONFIG_ISM=m from the
 * harness's ism.config): /init loads dibs and ism, which bind the first
 * two emulated ISM functions, then this module, whose suite runs while
 * it loads; the suite is required in the harness's expected list.  Shown
 * to fail on a corrupted expectation and with one function.
 */

#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dibs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uuid.h>

#define ORACLE_NR_DEVS		2
/* how long suite_init waits for both ISM devices */
#define ORACLE_ADD_TIMEOUT	(5 * HZ)
/* how long a test waits for an interrupt or an event that must come */
#define ORACLE_WAIT_TIMEOUT	(5 * HZ)
/* how long a test watches for interrupts or events that must not come */
#define ORACLE_QUIET_MS		200
#define ORACLE_DMB_LEN		SZ_32K
#define ORACLE_GUARD		0xa5
/* a DMB length that is not a multiple of the page size */
#define ORACLE_ODD_DMB_LEN	5000
/* an SBA index the driver accepts (32..1919) for a requested index */
#define ORACLE_REQ_DMB_IDX	1000

struct oracle_devstate {
	struct dibs_dev *dev;
	unsigned int irqs;
	unsigned int irq_idx;
	u16 irq_mask;
	unsigned int events;
	struct dibs_event event;
};

static struct {
	spinlock_t lock;	/* protects the counters below and devs[] */
	struct oracle_devstate devs[ORACLE_NR_DEVS];
	int nr_devs;
	struct completion devs_added;
	struct completion irq;
	struct completion event;
	bool registered;
} oracle = {
	.lock = __SPIN_LOCK_UNLOCKED(oracle.lock),
};

static struct dibs_client oracle_client;

static struct oracle_devstate *oracle_find(struct dibs_dev *dev)
{
	int i;

	for (i = 0; i < ORACLE_NR_DEVS; i++)
		if (oracle.devs[i].dev == dev)
			return &oracle.devs[i];
	return NULL;
}

static void oracle_add_dev(struct dibs_dev *dev)
{
	unsigned long flags;
	bool all = false;

	/* dibs loopback is no ISM function */
	if (dev->ops->get_fabric_id(dev) == DIBS_LOOPBACK_FABRIC)
		return;

	spin_lock_irqsave(&oracle.lock, flags);
	if (oracle.nr_devs < ORACLE_NR_DEVS) {
		get_device(&dev->dev);
		oracle.devs[oracle.nr_devs++].dev = dev;
		all = oracle.nr_devs == ORACLE_NR_DEVS;
	}
	spin_unlock_irqrestore(&oracle.lock, flags);

	pr_info("zpci_io_ism_oracle: dibs device %s gid %pUb added\n",
		dev_name(&dev->dev), &dev->gid);
	if (all)
		complete(&oracle.devs_added);
}

static void oracle_del_dev(struct dibs_dev *dev)
{
	struct oracle_devstate *st;
	unsigned long flags;

	spin_lock_irqsave(&oracle.lock, flags);
	st = oracle_find(dev);
	if (st) {
		memset(st, 0, sizeof(*st));
		oracle.nr_devs--;
	}
	spin_unlock_irqrestore(&oracle.lock, flags);

	if (st)
		put_device(&dev->dev);
}

static void oracle_handle_irq(struct dibs_dev *dev, unsigned int idx,
			      u16 dmbemask)
{
	struct oracle_devstate *st;
	unsigned long flags;

	spin_lock_irqsave(&oracle.lock, flags);
	st = oracle_find(dev);
	if (st) {
		st->irqs++;
		st->irq_idx = idx;
		st->irq_mask = dmbemask;
	}
	spin_unlock_irqrestore(&oracle.lock, flags);

	complete(&oracle.irq);
}

static void oracle_handle_event(struct dibs_dev *dev,
				const struct dibs_event *event)
{
	struct oracle_devstate *st;
	unsigned long flags;

	spin_lock_irqsave(&oracle.lock, flags);
	st = oracle_find(dev);
	if (st) {
		st->events++;
		st->event = *event;
	}
	spin_unlock_irqrestore(&oracle.lock, flags);

	complete(&oracle.event);
}

static const struct dibs_client_ops oracle_client_ops = {
	.add_dev = oracle_add_dev,
	.del_dev = oracle_del_dev,
	.handle_irq = oracle_handle_irq,
	.handle_event = oracle_handle_event,
};

static struct dibs_client oracle_client = {
	.name = "zpci_io_ism_oracle",
	.ops = &oracle_client_ops,
};

static struct dibs_dev *dev_a(void)
{
	return oracle.devs[0].dev;
}

static struct dibs_dev *dev_b(void)
{
	return oracle.devs[1].dev;
}

static void oracle_counters(struct dibs_dev *dev, unsigned int *irqs,
			    unsigned int *idx, u16 *mask)
{
	struct oracle_devstate *st;
	unsigned long flags;

	spin_lock_irqsave(&oracle.lock, flags);
	st = oracle_find(dev);
	*irqs = st ? st->irqs : 0;
	*idx = st ? st->irq_idx : 0;
	*mask = st ? st->irq_mask : 0;
	spin_unlock_irqrestore(&oracle.lock, flags);
}

static unsigned int oracle_total_irqs(void)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&oracle.lock, flags);
	n = oracle.devs[0].irqs + oracle.devs[1].irqs;
	spin_unlock_irqrestore(&oracle.lock, flags);
	return n;
}

static void oracle_reset_counters(void)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&oracle.lock, flags);
	for (i = 0; i < ORACLE_NR_DEVS; i++) {
		oracle.devs[i].irqs = 0;
		oracle.devs[i].irq_idx = 0;
		oracle.devs[i].irq_mask = 0;
		oracle.devs[i].events = 0;
		memset(&oracle.devs[i].event, 0, sizeof(oracle.devs[i].event));
	}
	reinit_completion(&oracle.irq);
	reinit_completion(&oracle.event);
	spin_unlock_irqrestore(&oracle.lock, flags);
}

/* A DMB registered by a test, unregistered when the test ends */
struct oracle_dmb {
	struct dibs_dev *owner;
	struct dibs_dmb dmb;
	bool registered;
};

static void oracle_dmb_release(void *data)
{
	struct oracle_dmb *od = data;

	if (od->registered)
		od->owner->ops->unregister_dmb(od->owner, &od->dmb);
	od->registered = false;
}

/*
 * Register a DMB of @len bytes on @owner that accepts moves from @sender;
 * @idx 0 lets the driver pick the SBA index.
 */
static struct oracle_dmb *oracle_register_dmb(struct kunit *test,
					      struct dibs_dev *owner,
					      struct dibs_dev *sender,
					      u32 len, u32 idx)
{
	struct oracle_dmb *od;
	int rc;

	od = kunit_kzalloc(test, sizeof(*od), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, od);
	od->owner = owner;
	od->dmb.dmb_len = len;
	od->dmb.idx = idx;
	uuid_copy(&od->dmb.rgid, &sender->gid);

	rc = owner->ops->register_dmb(owner, &od->dmb, &oracle_client);
	KUNIT_ASSERT_EQ_MSG(test, rc, 0,
			    "register_dmb of %u bytes on %s for %s failed",
			    len, dev_name(&owner->dev), dev_name(&sender->dev));
	od->registered = true;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							oracle_dmb_release,
							od), 0);
	KUNIT_ASSERT_NOT_NULL(test, od->dmb.cpu_addr);
	KUNIT_ASSERT_NE(test, od->dmb.dmb_tok, 0);
	if (idx)
		KUNIT_ASSERT_EQ(test, od->dmb.idx, idx);
	return od;
}

/* The source and expected-image buffers of a test */
struct oracle_bufs {
	u8 *src;
	u8 *expect;
	u32 len;
	unsigned int seed;
};

static void oracle_bufs_init(struct kunit *test, struct oracle_bufs *b,
			     u32 len)
{
	/* room to start the source at any offset within a doubleword */
	b->src = kunit_kmalloc(test, len + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->src);
	b->expect = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->expect);
	b->len = len;
	b->seed = 0;
}

static size_t oracle_first_diff(const u8 *a, const u8 *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return n;
}

/*
 * Fill the DMB with the guard pattern, move @size bytes to @offset from
 * @sender, starting @src_shift bytes into the source buffer, and check
 * that the DMB holds exactly the guard pattern and the data moved.
 * Returns true if all was right.
 */
static bool oracle_check_move(struct kunit *test, struct oracle_dmb *od,
			      struct dibs_dev *sender, struct oracle_bufs *b,
			      unsigned int offset, unsigned int size,
			      unsigned int src_shift, unsigned int sig_idx,
			      bool sf)
{
	u8 *dmb = od->dmb.cpu_addr;
	u8 *src = b->src + src_shift;
	u32 len = od->dmb.dmb_len;
	size_t diff;
	unsigned int i;
	int rc;

	b->seed++;
	/* a pattern of a long period that differs from move to move */
	for (i = 0; i < size; i++)
		src[i] = (u8)(b->seed * 29 + i * 151 + (i >> 8));
	memset(b->expect, ORACLE_GUARD, len);
	memcpy(b->expect + offset, src, size);
	memset(dmb, ORACLE_GUARD, len);

	rc = sender->ops->move_data(sender, od->dmb.dmb_tok, sig_idx, sf,
				    offset, src, size);
	KUNIT_EXPECT_EQ_MSG(test, rc, 0,
			    "move of %u bytes to offset %u of a %u-byte DMB failed",
			    size, offset, len);
	if (rc)
		return false;

	diff = oracle_first_diff(dmb, b->expect, len);
	KUNIT_EXPECT_EQ_MSG(test, diff, (size_t)len,
			    "move of %u bytes to offset %u (source +%u): DMB byte %zu is 0x%02x, expected 0x%02x (%s)",
			    size, offset, src_shift, diff,
			    diff < len ? dmb[diff] : 0,
			    diff < len ? b->expect[diff] : 0,
			    diff >= offset && diff < offset + size ?
			    "inside the move" : "outside the move");
	return diff == len;
}

static const unsigned int oracle_sizes[] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65,
	127, 128, 255, 256, 257, 511, 1000, 2047, 2048, 4088, 4095, 4096,
};

/* every size at every start offset class within a doubleword */
static void oracle_sizes_and_offsets(struct kunit *test,
				     struct dibs_dev *owner,
				     struct dibs_dev *sender)
{
	struct oracle_bufs b;
	struct oracle_dmb *od;
	unsigned int i, cls;

	od = oracle_register_dmb(test, owner, sender, ORACLE_DMB_LEN, 0);
	oracle_bufs_init(test, &b, ORACLE_DMB_LEN);

	for (i = 0; i < ARRAY_SIZE(oracle_sizes); i++) {
		for (cls = 0; cls < 8; cls++) {
			/* spread the moves over the DMB, keep offset % 8 */
			unsigned int offset = 8 * (i * 37 % 512) + cls;

			if (!oracle_check_move(test, od, sender, &b, offset,
					       oracle_sizes[i], (i + cls) % 8,
					       0, false))
				return;
		}
	}
}

struct oracle_shape {
	unsigned int offset;
	unsigned int size;
};

/* moves that ism_move() splits at 4 KiB boundaries of the DMB */
static const struct oracle_shape oracle_chunked[] = {
	{ 4095, 1 },		/* last byte of the first chunk */
	{ 4095, 2 },		/* one byte on each side of a boundary */
	{ 4090, 13 },
	{ 4089, 16 },
	{ 4093, 4096 },		/* a full chunk's length, two chunks */
	{ 1, 4096 },
	{ 4096, 4096 },		/* exactly one aligned chunk */
	{ 0, 5000 },
	{ 4000, 5000 },		/* three chunks */
	{ 8191, 4098 },		/* 1 + 4096 + 1 */
	{ 0, 12288 },		/* three aligned chunks */
	{ 5, 12288 },		/* four chunks */
	{ 7, 12289 },
	{ 100, 20000 },
	{ 3, 32765 },		/* up to the DMB's end */
	{ 0, 32768 },		/* the whole DMB */
	{ 32767, 1 },		/* its last byte */
	{ 32760, 8 },		/* its last doubleword */
};

static void oracle_across_chunks(struct kunit *test, struct dibs_dev *owner,
				 struct dibs_dev *sender)
{
	struct oracle_bufs b;
	struct oracle_dmb *od;
	unsigned int i;

	od = oracle_register_dmb(test, owner, sender, ORACLE_DMB_LEN, 0);
	oracle_bufs_init(test, &b, ORACLE_DMB_LEN);

	for (i = 0; i < ARRAY_SIZE(oracle_chunked); i++)
		if (!oracle_check_move(test, od, sender, &b,
				       oracle_chunked[i].offset,
				       oracle_chunked[i].size, i % 8, 0, false))
			return;
}

/* Wait for @owner's interrupts to settle and check there was exactly one */
static void oracle_expect_one_irq(struct kunit *test, struct dibs_dev *owner,
				  struct dibs_dev *sender, unsigned int dmb_idx,
				  unsigned int sig_idx, unsigned int size)
{
	unsigned int irqs, idx, sender_irqs;
	u16 mask, sender_mask;

	KUNIT_EXPECT_NE_MSG(test,
			    wait_for_completion_timeout(&oracle.irq,
							ORACLE_WAIT_TIMEOUT),
			    0, "no interrupt for a signalled move of %u bytes",
			    size);
	msleep(ORACLE_QUIET_MS);

	oracle_counters(owner, &irqs, &idx, &mask);
	KUNIT_EXPECT_EQ_MSG(test, irqs, 1,
			    "interrupts on %s for one signalled move of %u bytes",
			    dev_name(&owner->dev), size);
	KUNIT_EXPECT_EQ_MSG(test, idx, dmb_idx,
			    "DMB index of the interrupt (move of %u bytes)",
			    size);
	/* bit sig_idx counted from the left of 0x1000 (as dibs loopback) */
	KUNIT_EXPECT_EQ_MSG(test, mask, ror16(0x1000, sig_idx),
			    "dmbe mask of the interrupt for signalling index %u",
			    sig_idx);

	oracle_counters(sender, &sender_irqs, &idx, &sender_mask);
	KUNIT_EXPECT_EQ_MSG(test, sender_irqs, 0,
			    "interrupts on the sender %s", dev_name(&sender->dev));
}

static void oracle_signal(struct kunit *test, struct dibs_dev *owner,
			  struct dibs_dev *sender)
{
	static const struct oracle_shape shapes[] = {
		{ 0, 1 }, { 4090, 13 }, { 5, 12288 }, { 3, 4096 },
	};
	static const unsigned int sig_idx[] = { 0, 3, 12, 15 };
	struct oracle_dmb *picked, *requested;
	struct oracle_bufs b;
	unsigned int i;

	picked = oracle_register_dmb(test, owner, sender, ORACLE_DMB_LEN, 0);
	requested = oracle_register_dmb(test, owner, sender, SZ_16K,
					ORACLE_REQ_DMB_IDX);
	KUNIT_ASSERT_NE(test, picked->dmb.idx, requested->dmb.idx);
	oracle_bufs_init(test, &b, ORACLE_DMB_LEN);

	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		struct oracle_dmb *od = i % 2 ? requested : picked;

		oracle_reset_counters();
		oracle_check_move(test, od, sender, &b, shapes[i].offset,
				  shapes[i].size, 1, sig_idx[i], true);
		oracle_expect_one_irq(test, owner, sender, od->dmb.idx,
				      sig_idx[i], shapes[i].size);
	}
}

static void oracle_init_wait_devs(void)
{
	struct oracle_devstate tmp;
	unsigned long flags;

	if (!wait_for_completion_timeout(&oracle.devs_added,
					 ORACLE_ADD_TIMEOUT)) {
		pr_err("zpci_io_ism_oracle: found %d ISM dibs devices within %d s, need %d: every test will fail\n",
		       oracle.nr_devs, ORACLE_ADD_TIMEOUT / HZ,
		       ORACLE_NR_DEVS);
		return;
	}

	/* A is the device whose name sorts first */
	spin_lock_irqsave(&oracle.lock, flags);
	if (strcmp(dev_name(&oracle.devs[0].dev->dev),
		   dev_name(&oracle.devs[1].dev->dev)) > 0) {
		tmp = oracle.devs[0];
		oracle.devs[0] = oracle.devs[1];
		oracle.devs[1] = tmp;
	}
	spin_unlock_irqrestore(&oracle.lock, flags);
}

static int oracle_suite_init(struct kunit_suite *suite)
{
	int rc;

	init_completion(&oracle.devs_added);
	init_completion(&oracle.irq);
	init_completion(&oracle.event);

	rc = dibs_register_client(&oracle_client);
	if (rc) {
		pr_err("zpci_io_ism_oracle: dibs_register_client failed: %d\n",
		       rc);
		return rc;
	}
	oracle.registered = true;
	oracle_init_wait_devs();
	return 0;
}

static void oracle_suite_exit(struct kunit_suite *suite)
{
	if (oracle.registered)
		dibs_unregister_client(&oracle_client);
	oracle.registered = false;
}

static int oracle_test_init(struct kunit *test)
{
	if (oracle.nr_devs < ORACLE_NR_DEVS || !dev_a() || !dev_b()) {
		kunit_err(test,
			  "only %d ISM dibs devices were added, the test needs %d (two s390-ism functions and the ism driver)\n",
			  oracle.nr_devs, ORACLE_NR_DEVS);
		return -ENODEV;
	}
	oracle_reset_counters();
	return 0;
}

static void gids_are_distinct_and_nonzero(struct kunit *test)
{
	struct dibs_dev *a = dev_a(), *b = dev_b();

	kunit_info(test, "A %s gid %pUb fabric 0x%04x, B %s gid %pUb fabric 0x%04x\n",
		   dev_name(&a->dev), &a->gid, a->ops->get_fabric_id(a),
		   dev_name(&b->dev), &b->gid, b->ops->get_fabric_id(b));
	KUNIT_EXPECT_FALSE_MSG(test, uuid_is_null(&a->gid), "A's GID is zero");
	KUNIT_EXPECT_FALSE_MSG(test, uuid_is_null(&b->gid), "B's GID is zero");
	KUNIT_EXPECT_FALSE_MSG(test, uuid_equal(&a->gid, &b->gid),
			       "A and B have the same GID");
	KUNIT_EXPECT_NE(test, a->ops->get_fabric_id(a), DIBS_LOOPBACK_FABRIC);
	KUNIT_EXPECT_NE(test, b->ops->get_fabric_id(b), DIBS_LOOPBACK_FABRIC);
	KUNIT_EXPECT_GT(test, a->ops->max_dmbs(), 0);
}

static void query_remote_gid_finds_peers_refuses_unknown(struct kunit *test)
{
	struct dibs_dev *a = dev_a(), *b = dev_b();
	uuid_t unknown;

	KUNIT_EXPECT_EQ_MSG(test, a->ops->query_remote_gid(a, &b->gid, 0, 0),
			    0, "A does not reach B");
	KUNIT_EXPECT_EQ_MSG(test, b->ops->query_remote_gid(b, &a->gid, 0, 0),
			    0, "B does not reach A");
	KUNIT_EXPECT_EQ_MSG(test, a->ops->query_remote_gid(a, &a->gid, 0, 0),
			    0, "A does not reach itself");

	/* an ISM GID is 8 bytes: make one neither function has */
	uuid_copy(&unknown, &a->gid);
	unknown.b[0] ^= 0x80;
	unknown.b[7] ^= 0x5a;
	KUNIT_ASSERT_FALSE(test, uuid_equal(&unknown, &b->gid));
	KUNIT_EXPECT_NE_MSG(test,
			    a->ops->query_remote_gid(a, &unknown, 0, 0), 0,
			    "A reaches the unknown GID %pUb", &unknown);
}

static void move_b_to_a_every_size_and_dword_offset(struct kunit *test)
{
	oracle_sizes_and_offsets(test, dev_a(), dev_b());
}

static void move_b_to_a_across_4k_chunks(struct kunit *test)
{
	oracle_across_chunks(test, dev_a(), dev_b());
}

static void move_a_to_b_every_size_and_dword_offset(struct kunit *test)
{
	oracle_sizes_and_offsets(test, dev_b(), dev_a());
}

static void move_a_to_b_across_4k_chunks(struct kunit *test)
{
	oracle_across_chunks(test, dev_b(), dev_a());
}

static void signalled_move_b_to_a_raises_one_irq_on_a(struct kunit *test)
{
	oracle_signal(test, dev_a(), dev_b());
}

static void signalled_move_a_to_b_raises_one_irq_on_b(struct kunit *test)
{
	oracle_signal(test, dev_b(), dev_a());
}

static void unsignalled_move_raises_no_irq(struct kunit *test)
{
	struct dibs_dev *a = dev_a(), *b = dev_b();
	unsigned int irqs_a, irqs_b, idx;
	struct oracle_bufs bufs;
	struct oracle_dmb *od;
	u16 mask;

	od = oracle_register_dmb(test, a, b, ORACLE_DMB_LEN, 0);
	oracle_bufs_init(test, &bufs, ORACLE_DMB_LEN);

	oracle_check_move(test, od, b, &bufs, 0, 1, 0, 3, false);
	oracle_check_move(test, od, b, &bufs, 4093, 64, 5, 3, false);
	oracle_check_move(test, od, b, &bufs, 5, 12288, 3, 3, false);
	msleep(ORACLE_QUIET_MS);

	oracle_counters(a, &irqs_a, &idx, &mask);
	oracle_counters(b, &irqs_b, &idx, &mask);
	KUNIT_EXPECT_EQ_MSG(test, irqs_a, 0, "interrupts on the owner A");
	KUNIT_EXPECT_EQ_MSG(test, irqs_b, 0, "interrupts on the sender B");
}

static void move_from_other_than_remote_gid_refused(struct kunit *test)
{
	struct dibs_dev *a = dev_a(), *b = dev_b();
	struct oracle_bufs bufs;
	struct oracle_dmb *od;
	u8 *dmb;
	int rc;

	/* a DMB on A that accepts moves from B only */
	od = oracle_register_dmb(test, a, b, ORACLE_DMB_LEN, 0);
	oracle_bufs_init(test, &bufs, ORACLE_DMB_LEN);
	dmb = od->dmb.cpu_addr;

	memset(dmb, ORACLE_GUARD, ORACLE_DMB_LEN);
	memset(bufs.src, 0x3c, 64);
	rc = a->ops->move_data(a, od->dmb.dmb_tok, 0, true, 64, bufs.src, 64);
	KUNIT_EXPECT_NE_MSG(test, rc, 0, "A wrote into a DMB meant for B");
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(dmb, ORACLE_GUARD, ORACLE_DMB_LEN),
			      "the refused move changed the DMB");
	msleep(ORACLE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, oracle_total_irqs(), 0);

	/* B still may */
	oracle_check_move(test, od, b, &bufs, 64, 64, 0, 0, false);
}

static void move_past_dmb_len_refused(struct kunit *test)
{
	struct dibs_dev *a = dev_a(), *b = dev_b();
	struct oracle_bufs bufs;
	struct oracle_dmb *od;
	u8 *dmb;
	int rc;

	/* the driver allocates 8 KiB, the function knows 5000 bytes */
	od = oracle_register_dmb(test, a, b, ORACLE_ODD_DMB_LEN, 0);
	oracle_bufs_init(test, &bufs, ORACLE_ODD_DMB_LEN);
	dmb = od->dmb.cpu_addr;

	/* one chunk, 10 bytes of it inside the DMB and 10 beyond */
	memset(dmb, ORACLE_GUARD, ORACLE_ODD_DMB_LEN);
	memset(bufs.src, 0x3c, 20);
	rc = b->ops->move_data(b, od->dmb.dmb_tok, 0, false,
			       ORACLE_ODD_DMB_LEN - 10, bufs.src, 20);
	KUNIT_EXPECT_NE_MSG(test, rc, 0, "a move past the DMB's end succeeded");
	KUNIT_EXPECT_NULL_MSG(test,
			      memchr_inv(dmb, ORACLE_GUARD, ORACLE_ODD_DMB_LEN),
			      "the refused move changed the DMB");

	/* up to the last byte is fine */
	oracle_check_move(test, od, b, &bufs, ORACLE_ODD_DMB_LEN - 20, 20, 1, 0,
			  false);
	oracle_check_move(test, od, b, &bufs, 0, ORACLE_ODD_DMB_LEN, 0, 0,
			  false);
}

static void unregistered_dmb_refuses_moves(struct kunit *test)
{
	struct dibs_dev *a = dev_a(), *b = dev_b();
	struct oracle_bufs bufs;
	struct oracle_dmb *od;
	u64 tok;
	int rc;

	od = oracle_register_dmb(test, a, b, ORACLE_DMB_LEN, 0);
	oracle_bufs_init(test, &bufs, ORACLE_DMB_LEN);
	KUNIT_EXPECT_TRUE(test, oracle_check_move(test, od, b, &bufs, 8, 100,
						  0, 0, false));

	tok = od->dmb.dmb_tok;
	rc = a->ops->unregister_dmb(a, &od->dmb);
	KUNIT_EXPECT_EQ_MSG(test, rc, 0, "unregister_dmb failed");
	if (rc)
		return;
	od->registered = false;

	memset(bufs.src, 0x3c, 100);
	rc = b->ops->move_data(b, tok, 0, false, 8, bufs.src, 100);
	KUNIT_EXPECT_NE_MSG(test, rc, 0,
			    "a move to the unregistered token 0x%llx succeeded",
			    tok);
	rc = b->ops->move_data(b, tok, 0, true, 0, bufs.src, 1);
	KUNIT_EXPECT_NE_MSG(test, rc, 0,
			    "a signalled move to the unregistered token 0x%llx succeeded",
			    tok);
	msleep(ORACLE_QUIET_MS);
	KUNIT_EXPECT_EQ(test, oracle_total_irqs(), 0);
}

static void signal_event_reaches_peer_with_sender_gid(struct kunit *test)
{
	struct dibs_dev *a = dev_a(), *b = dev_b();
	const u32 code = 0x83;
	const u64 info = 0x0123456789abcdefULL;
	struct dibs_event ev;
	unsigned int events_a, events_b;
	unsigned long flags;
	int rc;

	KUNIT_ASSERT_NOT_NULL_MSG(test, b->ops->signal_event,
				  "the ism driver offers no signal_event");

	rc = b->ops->signal_event(b, &a->gid, 1, code, info);
	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "signal_event from B to A failed");
	KUNIT_EXPECT_NE_MSG(test,
			    wait_for_completion_timeout(&oracle.event,
							ORACLE_WAIT_TIMEOUT),
			    0, "no event arrived");
	msleep(ORACLE_QUIET_MS);

	spin_lock_irqsave(&oracle.lock, flags);
	ev = oracle.devs[0].event;
	events_a = oracle.devs[0].events;
	events_b = oracle.devs[1].events;
	spin_unlock_irqrestore(&oracle.lock, flags);

	KUNIT_EXPECT_EQ(test, events_a, 1);
	KUNIT_EXPECT_EQ(test, events_b, 0);
	KUNIT_EXPECT_EQ(test, ev.type, DIBS_SW_EVENT);
	KUNIT_EXPECT_EQ(test, ev.subtype, code);
	KUNIT_EXPECT_EQ(test, ev.data, info);
	KUNIT_EXPECT_TRUE_MSG(test, uuid_equal(&ev.gid, &b->gid),
			      "event gid %pUb, B is %pUb", &ev.gid, &b->gid);
	KUNIT_EXPECT_EQ(test, oracle_total_irqs(), 0);
}

static struct kunit_case oracle_cases[] = {
	KUNIT_CASE(gids_are_distinct_and_nonzero),
	KUNIT_CASE(query_remote_gid_finds_peers_refuses_unknown),
	KUNIT_CASE(move_b_to_a_every_size_and_dword_offset),
	KUNIT_CASE(move_b_to_a_across_4k_chunks),
	KUNIT_CASE(move_a_to_b_every_size_and_dword_offset),
	KUNIT_CASE(move_a_to_b_across_4k_chunks),
	KUNIT_CASE(signalled_move_b_to_a_raises_one_irq_on_a),
	KUNIT_CASE(signalled_move_a_to_b_raises_one_irq_on_b),
	KUNIT_CASE(unsignalled_move_raises_no_irq),
	KUNIT_CASE(move_from_other_than_remote_gid_refused),
	KUNIT_CASE(move_past_dmb_len_refused),
	KUNIT_CASE(unregistered_dmb_refuses_moves),
	KUNIT_CASE(signal_event_reaches_peer_with_sender_gid),
	{}
};

static struct kunit_suite oracle_suite = {
	.name = "zpci_io_ism_oracle",
	.suite_init = oracle_suite_init,
	.suite_exit = oracle_suite_exit,
	.init = oracle_test_init,
	.test_cases = oracle_cases,
};

kunit_test_suite(oracle_suite);

MODULE_DESCRIPTION("KUnit oracle for ISM functions through the ism driver and dibs");
MODULE_LICENSE("GPL");
