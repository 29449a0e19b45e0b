// SPDX-License-Identifier: GPL-2.0
/*
 * The kselftests' peer on the emulated ISM network: a dibs client of the
 * first ISM function Linux's ism driver registers with dibs, driven from
 * userspace through debugfs, so that a test holding another ISM function
 * through zpci-io-vfio-pci (or any VFIO PCI driver) has a partner whose
 * DMB it can write and which writes into its DMB.
 *
 * /sys/kernel/debug/zpci_io_ism_peer/ (numbers in any base strtoull takes):
 *   gid             r  the device's GID, 0x%016llx
 *   dmb_register    w  "<rgid> <len>": register one DMB of @len bytes that
 *                      the function with GID @rgid may write (replaces the
 *                      DMB registered before)
 *   dmb_unregister  w  anything: unregister the DMB
 *   dmb_token       r  the DMB's token, 0 without one
 *   dmb_sba_idx     r  the DMB's index in the SBA's DMB bits
 *   dmb_data        rw the DMB's bytes (seekable)
 *   irqs            r  "<count> <last idx> 0x<last dmbemask>": handle_irq()
 *                      calls for the DMB since it was registered
 *   move_data       rw the source of the next move (seekable, up to 64 KiB)
 *   move            w  "<token> <idx> <sf> <offset> <size>": move_data()
 *                      of the first @size bytes of move_data into the DMB
 *                      @token; the write fails with move_data()'s error
 *
 * Test code: every file is root-only and nothing here is meant for a host.
 */
#include <linux/debugfs.h>
#include <linux/dibs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#define PEER_MAX_DMB_LEN	SZ_1M
#define PEER_MOVE_BUF_LEN	SZ_64K
#define PEER_CMD_LEN		128

static struct dibs_client peer_client;

static struct {
	struct mutex lock;	/* dev, dmb, registered, move_buf */
	struct dibs_dev *dev;
	struct dibs_dmb dmb;
	bool registered;
	u8 *move_buf;
	spinlock_t irq_lock;	/* irqs, irq_idx, irq_mask */
	unsigned int irqs;
	unsigned int irq_idx;
	u16 irq_mask;
	struct dentry *dir;
} peer = {
	.lock = __MUTEX_INITIALIZER(peer.lock),
	.irq_lock = __SPIN_LOCK_UNLOCKED(peer.irq_lock),
};

static void peer_irqs_reset(void)
{
	spin_lock_irq(&peer.irq_lock);
	peer.irqs = 0;
	peer.irq_idx = 0;
	peer.irq_mask = 0;
	spin_unlock_irq(&peer.irq_lock);
}

static void peer_unregister_locked(void)
{
	lockdep_assert_held(&peer.lock);
	if (peer.registered)
		peer.dev->ops->unregister_dmb(peer.dev, &peer.dmb);
	peer.registered = false;
	memset(&peer.dmb, 0, sizeof(peer.dmb));
}

static void peer_add_dev(struct dibs_dev *dev)
{
	/* the software ISM of dibs_loopback is not on the emulated network */
	if (dev->ops->get_fabric_id(dev) == DIBS_LOOPBACK_FABRIC)
		return;
	mutex_lock(&peer.lock);
	if (!peer.dev) {
		get_device(&dev->dev);
		peer.dev = dev;
	}
	mutex_unlock(&peer.lock);
}

static void peer_del_dev(struct dibs_dev *dev)
{
	mutex_lock(&peer.lock);
	if (peer.dev == dev) {
		peer_unregister_locked();
		put_device(&dev->dev);
		peer.dev = NULL;
	}
	mutex_unlock(&peer.lock);
}

static void peer_handle_irq(struct dibs_dev *dev, unsigned int idx,
			    u16 dmbemask)
{
	unsigned long flags;

	spin_lock_irqsave(&peer.irq_lock, flags);
	peer.irqs++;
	peer.irq_idx = idx;
	peer.irq_mask = dmbemask;
	spin_unlock_irqrestore(&peer.irq_lock, flags);
}

static void peer_handle_event(struct dibs_dev *dev,
			      const struct dibs_event *event)
{
}

static const struct dibs_client_ops peer_ops = {
	.add_dev = peer_add_dev,
	.del_dev = peer_del_dev,
	.handle_irq = peer_handle_irq,
	.handle_event = peer_handle_event,
};

static struct dibs_client peer_client = {
	.name = "zpci_io_ism_peer",
	.ops = &peer_ops,
};

/* A NUL-terminated copy of a write of at most PEER_CMD_LEN - 1 bytes */
static int peer_get_cmd(char *buf, const char __user *ubuf, size_t count)
{
	if (!count || count >= PEER_CMD_LEN)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return 0;
}

static __printf(4, 5) ssize_t peer_read_str(char __user *buf, size_t count,
					   loff_t *ppos, const char *fmt, ...)
{
	char tmp[64];
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(tmp, sizeof(tmp), fmt, args);
	va_end(args);
	return simple_read_from_buffer(buf, count, ppos, tmp, n);
}

static ssize_t gid_read(struct file *f, char __user *buf, size_t count,
			loff_t *ppos)
{
	u64 gid = 0;

	mutex_lock(&peer.lock);
	if (peer.dev)
		memcpy(&gid, &peer.dev->gid, sizeof(gid));
	mutex_unlock(&peer.lock);
	return peer_read_str(buf, count, ppos, "0x%016llx\n", gid);
}

static ssize_t token_read(struct file *f, char __user *buf, size_t count,
			  loff_t *ppos)
{
	u64 tok;

	mutex_lock(&peer.lock);
	tok = peer.registered ? peer.dmb.dmb_tok : 0;
	mutex_unlock(&peer.lock);
	return peer_read_str(buf, count, ppos, "0x%016llx\n", tok);
}

static ssize_t idx_read(struct file *f, char __user *buf, size_t count,
			loff_t *ppos)
{
	unsigned int idx;

	mutex_lock(&peer.lock);
	idx = peer.registered ? peer.dmb.idx : 0;
	mutex_unlock(&peer.lock);
	return peer_read_str(buf, count, ppos, "%u\n", idx);
}

static ssize_t irqs_read(struct file *f, char __user *buf, size_t count,
			 loff_t *ppos)
{
	unsigned int irqs, idx;
	u16 mask;

	spin_lock_irq(&peer.irq_lock);
	irqs = peer.irqs;
	idx = peer.irq_idx;
	mask = peer.irq_mask;
	spin_unlock_irq(&peer.irq_lock);
	return peer_read_str(buf, count, ppos, "%u %u 0x%04x\n", irqs, idx,
			     mask);
}

static ssize_t register_write(struct file *f, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	char buf[PEER_CMD_LEN];
	unsigned long long rgid;
	unsigned int len;
	int rc;

	rc = peer_get_cmd(buf, ubuf, count);
	if (rc)
		return rc;
	if (sscanf(buf, "%lli %i", &rgid, &len) != 2 || !len ||
	    len > PEER_MAX_DMB_LEN)
		return -EINVAL;
	mutex_lock(&peer.lock);
	rc = -ENODEV;
	if (peer.dev) {
		peer_unregister_locked();
		peer_irqs_reset();
		peer.dmb.dmb_len = len;
		memcpy(&peer.dmb.rgid, &rgid, sizeof(rgid));
		rc = peer.dev->ops->register_dmb(peer.dev, &peer.dmb,
						 &peer_client);
		peer.registered = !rc;
		if (rc)
			memset(&peer.dmb, 0, sizeof(peer.dmb));
	}
	mutex_unlock(&peer.lock);
	return rc ? rc : count;
}

static ssize_t unregister_write(struct file *f, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	mutex_lock(&peer.lock);
	if (peer.dev)
		peer_unregister_locked();
	mutex_unlock(&peer.lock);
	return count;
}

static ssize_t data_read(struct file *f, char __user *buf, size_t count,
			 loff_t *ppos)
{
	ssize_t n = -ENOENT;

	mutex_lock(&peer.lock);
	if (peer.registered)
		n = simple_read_from_buffer(buf, count, ppos, peer.dmb.cpu_addr,
					    peer.dmb.dmb_len);
	mutex_unlock(&peer.lock);
	return n;
}

static ssize_t data_write(struct file *f, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	ssize_t n = -ENOENT;

	mutex_lock(&peer.lock);
	if (peer.registered)
		n = simple_write_to_buffer(peer.dmb.cpu_addr, peer.dmb.dmb_len,
					   ppos, buf, count);
	mutex_unlock(&peer.lock);
	return n;
}

static ssize_t move_data_read(struct file *f, char __user *buf, size_t count,
			      loff_t *ppos)
{
	ssize_t n;

	mutex_lock(&peer.lock);
	n = simple_read_from_buffer(buf, count, ppos, peer.move_buf,
				    PEER_MOVE_BUF_LEN);
	mutex_unlock(&peer.lock);
	return n;
}

static ssize_t move_data_write(struct file *f, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	ssize_t n;

	mutex_lock(&peer.lock);
	n = simple_write_to_buffer(peer.move_buf, PEER_MOVE_BUF_LEN, ppos, buf,
				   count);
	mutex_unlock(&peer.lock);
	return n;
}

static ssize_t move_write(struct file *f, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	unsigned int idx, sf, offset, size;
	char buf[PEER_CMD_LEN];
	unsigned long long tok;
	int rc;

	rc = peer_get_cmd(buf, ubuf, count);
	if (rc)
		return rc;
	if (sscanf(buf, "%lli %i %i %i %i", &tok, &idx, &sf, &offset,
		   &size) != 5 || sf > 1 || size > PEER_MOVE_BUF_LEN)
		return -EINVAL;
	mutex_lock(&peer.lock);
	rc = peer.dev ? peer.dev->ops->move_data(peer.dev, tok, idx, sf,
						 offset, peer.move_buf,
						 size) : -ENODEV;
	mutex_unlock(&peer.lock);
	return rc ? rc : count;
}

static const struct file_operations gid_fops = {
	.owner = THIS_MODULE,
	.read = gid_read,
};

static const struct file_operations token_fops = {
	.owner = THIS_MODULE,
	.read = token_read,
};

static const struct file_operations idx_fops = {
	.owner = THIS_MODULE,
	.read = idx_read,
};

static const struct file_operations irqs_fops = {
	.owner = THIS_MODULE,
	.read = irqs_read,
};

static const struct file_operations register_fops = {
	.owner = THIS_MODULE,
	.write = register_write,
};

static const struct file_operations unregister_fops = {
	.owner = THIS_MODULE,
	.write = unregister_write,
};

static const struct file_operations data_fops = {
	.owner = THIS_MODULE,
	.read = data_read,
	.write = data_write,
	.llseek = default_llseek,
};

static const struct file_operations move_data_fops = {
	.owner = THIS_MODULE,
	.read = move_data_read,
	.write = move_data_write,
	.llseek = default_llseek,
};

static const struct file_operations move_fops = {
	.owner = THIS_MODULE,
	.write = move_write,
};

static int __init peer_init(void)
{
	int rc;

	peer.move_buf = kzalloc(PEER_MOVE_BUF_LEN, GFP_KERNEL);
	if (!peer.move_buf)
		return -ENOMEM;
	rc = dibs_register_client(&peer_client);
	if (rc) {
		kfree(peer.move_buf);
		return rc;
	}
	peer.dir = debugfs_create_dir("zpci_io_ism_peer", NULL);
	debugfs_create_file("gid", 0400, peer.dir, NULL, &gid_fops);
	debugfs_create_file("dmb_register", 0200, peer.dir, NULL,
			    &register_fops);
	debugfs_create_file("dmb_unregister", 0200, peer.dir, NULL,
			    &unregister_fops);
	debugfs_create_file("dmb_token", 0400, peer.dir, NULL, &token_fops);
	debugfs_create_file("dmb_sba_idx", 0400, peer.dir, NULL, &idx_fops);
	debugfs_create_file("dmb_data", 0600, peer.dir, NULL, &data_fops);
	debugfs_create_file("irqs", 0400, peer.dir, NULL, &irqs_fops);
	debugfs_create_file("move_data", 0600, peer.dir, NULL,
			    &move_data_fops);
	debugfs_create_file("move", 0200, peer.dir, NULL, &move_fops);
	return 0;
}

static void __exit peer_exit(void)
{
	debugfs_remove_recursive(peer.dir);
	/* dibs refuses (and warns about) a client that still holds a DMB */
	mutex_lock(&peer.lock);
	if (peer.dev)
		peer_unregister_locked();
	mutex_unlock(&peer.lock);
	/* calls peer_del_dev() for every device, which drops peer.dev */
	dibs_unregister_client(&peer_client);
	kfree(peer.move_buf);
}

module_init(peer_init);
module_exit(peer_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zpci-io kselftests' dibs peer on an emulated ISM network (test code)");
