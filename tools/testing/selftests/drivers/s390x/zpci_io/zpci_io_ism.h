/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ISM kselftests share: the emulated ISM function's layout and
 * command protocol (Linux's drivers/s390/net/ism.h), ISM commands through
 * the zPCI I/O region, and the debugfs interface of the harness's dibs
 * peer module (tools/testing/zpci-io/ism-peer), a dibs client on another
 * ISM function of the same ISM network.
 */
#ifndef ZPCI_IO_ISM_H
#define ZPCI_IO_ISM_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "kselftest.h"
#include "zpci_io_lib.h"

/* BAR0: DMB moves, one PCISTB each; BAR2: the command area */
#define ZIO_ISM_DMB_BAR		0
#define ZIO_ISM_CMD_BAR		2
#define ZIO_ISM_DMB_BAR_SIZE	0x1000000000000ULL	/* 256 TiB */
#define ZIO_ISM_CMD_AREA_SIZE	0x1000

/* ism.h's ISM_CREATE_REQ(dmb, idx, sf, offset): a move's BAR0 offset */
#define ZIO_ISM_MOVE_OFFSET(tok, idx, sf, off)				\
	((uint64_t)(tok) | (uint64_t)(idx) << 24 | (uint64_t)(sf) << 23 |	\
	 (uint64_t)(off))

/* Commands: an 8-byte header (cmd@0, reserved@4, len@6), big-endian */
#define ZIO_ISM_HDR_LEN		8
#define ZIO_ISM_REG_SBA		0x1
#define ZIO_ISM_READ_GID	0x3
#define ZIO_ISM_QUERY_INFO	0x8
#define ZIO_ISM_REG_DMB		0xa
#define ZIO_ISM_UNREG_DMB	0xb
#define ZIO_ISM_UNREG_SBA	0x11
#define ZIO_ISM_READ_GID_RSP_LEN	16
#define ZIO_ISM_QUERY_INFO_RSP_LEN	200
#define ZIO_ISM_REG_SBA_LEN	16
#define ZIO_ISM_REG_DMB_LEN	40
#define ZIO_ISM_REG_DMB_RSP_LEN	16
#define ZIO_ISM_UNREG_DMB_LEN	16
/* the largest response, in whole doublewords */
#define ZIO_ISM_RSP_MAX		200

/*
 * The SBA (ism.h's struct ism_sba): s and e in the first word's top bits,
 * one bit per DMB index from byte 4 (big-endian bit order), a 16-bit
 * dmbe_mask per DMB index from byte 256; DMB indexes from 32.
 */
#define ZIO_ISM_SBA_S		0x80
#define ZIO_ISM_SBA_DMB_BITS	4
#define ZIO_ISM_SBA_DMBE_MASK	256
#define ZIO_ISM_SBA_LEN		4096
#define ZIO_ISM_FIRST_DMB_IDX	32

/* A response header and its first body doubleword, decoded */
struct zio_ism_rsp {
	uint32_t cmd;
	uint16_t ret;
	uint16_t len;
	uint64_t data;
};

/*
 * The dmbe_mask bit a signal with index @idx sets: the emulator's choice,
 * ror16(0x1000, idx) as drivers/dibs/dibs_loopback.c computes it.
 */
static inline uint16_t zio_ism_dmbe_bit(unsigned int idx)
{
	idx &= 15;
	return (uint16_t)(0x1000 >> idx | 0x1000 << (16 - idx));
}

static inline void zio_ism_cmd_hdr(uint8_t *req, uint32_t cmd, uint16_t len)
{
	uint32_t c = htobe32(cmd);
	uint16_t l = htobe16(len);

	memset(req, 0, ZIO_ISM_HDR_LEN);
	memcpy(req, &c, sizeof(c));
	memcpy(req + 6, &l, sizeof(l));
}

/* @buf: at least 16 bytes as the command area holds them */
static inline void zio_ism_parse_rsp(const uint8_t *buf,
				     struct zio_ism_rsp *rsp)
{
	uint64_t d;
	uint32_t c;
	uint16_t r, l;

	memcpy(&c, buf, sizeof(c));
	memcpy(&r, buf + 4, sizeof(r));
	memcpy(&l, buf + 6, sizeof(l));
	memcpy(&d, buf + 8, sizeof(d));
	rsp->cmd = be32toh(c);
	rsp->ret = be16toh(r);
	rsp->len = be16toh(l);
	rsp->data = be64toh(d);
}

/*
 * One command through the zPCI I/O region the way Linux's ism driver
 * issues it (ism_cmd()): the body by PCISTB at 8, then the 8-byte header
 * by PCISTB at 0, then the response by 8-byte PCILGs from 0.  0, -errno
 * of a refused request, or -EPROTO when an instruction did not complete
 * (its outcome in *@out).
 */
static inline int zio_ism_region_cmd(struct zio_dev *d, const uint8_t *req,
				     uint16_t req_len, uint8_t *rsp,
				     uint16_t rsp_len,
				     struct vfio_zpci_io_resp *out)
{
	uint16_t off;
	int ret;

	memset(out, 0, sizeof(*out));
	if (req_len > ZIO_ISM_HDR_LEN) {
		ret = zio_request(d, VFIO_ZPCI_IO_OP_PCISTB, ZIO_ISM_CMD_BAR,
				  ZIO_ISM_HDR_LEN, (void *)(req + ZIO_ISM_HDR_LEN),
				  req_len - ZIO_ISM_HDR_LEN, out);
		if (ret || out->cc || out->flags)
			return ret ? ret : -EPROTO;
	}
	ret = zio_request(d, VFIO_ZPCI_IO_OP_PCISTB, ZIO_ISM_CMD_BAR, 0,
			  (void *)req, ZIO_ISM_HDR_LEN, out);
	if (ret || out->cc || out->flags)
		return ret ? ret : -EPROTO;
	for (off = 0; off < rsp_len; off += 8) {
		ret = zio_request(d, VFIO_ZPCI_IO_OP_PCILG, ZIO_ISM_CMD_BAR,
				  off, rsp + off, 8, out);
		if (ret || out->cc || out->flags)
			return ret ? ret : -EPROTO;
	}
	return 0;
}

/*
 * The ISM function the harness binds to zpci-io-vfio-pci, named by
 * $ZPCI_IO_ISM_BDF; without it the whole program is skipped.  For the
 * programs' constructors, before the harness starts.
 */
static inline const char *zio_ism_bdf_or_skip(void)
{
	const char *bdf = getenv("ZPCI_IO_ISM_BDF");

	if (!bdf || !*bdf)
		ksft_exit_skip("ZPCI_IO_ISM_BDF unset: no ISM function\n");
	return bdf;
}

/*
 * Move data: never 0 (the bytes of a fresh DMB), different in every byte
 * of a doubleword (so no doubleword is a palindrome) and per @seed.
 */
static inline void zio_ism_pattern(uint8_t *buf, size_t len,
				   unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = 1 + (i * 7 + seed) % 255;
}

/* ---- the peer module's debugfs interface (numbers base 0) ----------- */

/*
 * @bdf bound to driver @drv (first loading module @ko, if given, for a
 * driver that is not loaded yet) and its device open in @d: with the zPCI
 * I/O region for zpci-io-vfio-pci, the device alone for any other driver.
 */
static inline int zio_ism_use_driver(const char *bdf, const char *drv,
				     const char *ko, struct zio_dev *d)
{
	char cur[128];
	int ret;

	zio_close(d);
	zio_bound_driver(bdf, cur, sizeof(cur));
	if (strcmp(cur, drv)) {
		if (ko) {
			ret = zio_module_load(ko, "");
			if (ret && ret != -EEXIST)
				return ret;
		}
		ret = zio_unbind_driver(bdf);
		if (!ret)
			ret = zio_bind_driver(bdf, drv);
		if (ret)
			return ret;
	}
	return strcmp(drv, ZIO_DRIVER) ? zio_open_device(bdf, d) :
					 zio_open(bdf, d);
}

#define ZIO_ISM_PEER_DIR	"/sys/kernel/debug/zpci_io_ism_peer/"

static inline int zio_ism_peer_write(const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), ZIO_ISM_PEER_DIR "%s", file);
	return zio_sysfs_write(path, val);
}

static inline int zio_ism_peer_read_u64(const char *file, uint64_t *val)
{
	char path[256], buf[64], *end;
	int ret;

	snprintf(path, sizeof(path), ZIO_ISM_PEER_DIR "%s", file);
	ret = zio_sysfs_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	return errno || end == buf ? -EINVAL : 0;
}

/* Read (@to_dmb 0) or write @len bytes of the peer's DMB at @off */
static inline int zio_ism_peer_dmb_data(int to_dmb, void *buf, size_t len,
					off_t off)
{
	int fd = open(ZIO_ISM_PEER_DIR "dmb_data",
		      (to_dmb ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = to_dmb ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : (size_t)n == len ? 0 : -EIO;
}

/* ---- an ISM user of the function: SBA and DMB DMA-mapped by VFIO ----- */

struct zio_ism_user {
	uint8_t *mem;		/* SBA page, then the DMB */
	size_t mem_len;
	uint64_t iova;		/* of mem */
	int mapped;
	int msi_fd;
	uint64_t gid;
	uint64_t token;		/* 0: no DMB */
	uint32_t sba_idx;
	uint32_t dmb_len;
	int sba;		/* registered */
};

#define ZIO_ISM_USER_INIT { .msi_fd = -1 }

static inline uint8_t *zio_ism_user_sba(struct zio_ism_user *u)
{
	return u->mem;
}

static inline uint8_t *zio_ism_user_dmb(struct zio_ism_user *u)
{
	return u->mem + ZIO_ISM_SBA_LEN;
}

/* The lowest IOVA the container's IOMMU allows (the function's DMA range) */
static inline int zio_ism_iova_base(struct zio_dev *d, uint64_t *iova)
{
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *h;
	struct vfio_iommu_type1_info_cap_iova_range *r;
	uint32_t argsz = 4096, next;
	int ret = -ENOENT;

	info = calloc(1, argsz);
	if (!info)
		return -ENOMEM;
	info->argsz = argsz;
	if (ioctl(d->container, VFIO_IOMMU_GET_INFO, info)) {
		ret = -errno;
		goto out;
	}
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS) || info->argsz > argsz)
		goto out;
	for (next = info->cap_offset; next && next < argsz; next = h->next) {
		h = (void *)((char *)info + next);
		if (h->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			continue;
		r = (void *)h;
		if (!r->nr_iovas)
			break;
		/* page-aligned, never 0: REG_SBA refuses address 0 */
		*iova = (r->iova_ranges[0].start + 0x1fff) & ~0xfffULL;
		ret = 0;
		break;
	}
out:
	free(info);
	return ret;
}

/*
 * Memory and bus master on (QEMU does this for a guest), an SBA page and
 * a DMB of @dmb_len bytes DMA-mapped, the function's one MSI on an
 * eventfd.  0 or -errno.
 */
static inline int zio_ism_user_setup(struct zio_dev *d, struct zio_ism_user *u,
				     uint32_t dmb_len)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *set = (void *)buf;
	uint16_t cmd;
	int ret;

	ret = zio_config_read(d, PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		return ret;
	cmd = htole16(le16toh(cmd) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ret = zio_config_write(d, PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		return ret;

	u->dmb_len = dmb_len;
	u->mem_len = ZIO_ISM_SBA_LEN + ((dmb_len + 4095) & ~4095U);
	u->mem = mmap(NULL, u->mem_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->mem == MAP_FAILED) {
		u->mem = NULL;
		return -errno;
	}
	ret = zio_ism_iova_base(d, &u->iova);
	if (ret)
		return ret;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)u->mem;
	map.iova = u->iova;
	map.size = u->mem_len;
	if (ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map))
		return -errno;
	u->mapped = 1;

	u->msi_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->msi_fd < 0)
		return -errno;
	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &u->msi_fd, sizeof(int));
	if (ioctl(d->device, VFIO_DEVICE_SET_IRQS, set))
		return -errno;
	return 0;
}

/*
 * An ISM command with a body of @body_len bytes after the header; the
 * first @rsp_len bytes (whole doublewords) of the response loaded into
 * @rsp and decoded into @r.  0, or -errno as zio_ism_region_cmd().
 */
static inline int zio_ism_cmd(struct zio_dev *d, uint32_t cmd,
			      const void *body, uint16_t body_len,
			      uint8_t *rsp, uint16_t rsp_len,
			      struct zio_ism_rsp *r)
{
	uint8_t req[64], buf[ZIO_ISM_RSP_MAX] = { 0 };
	struct vfio_zpci_io_resp out;
	int ret;

	if (body_len > sizeof(req) - ZIO_ISM_HDR_LEN || rsp_len < 8 ||
	    rsp_len > ZIO_ISM_RSP_MAX || rsp_len % 8)
		return -EINVAL;
	zio_ism_cmd_hdr(req, cmd, ZIO_ISM_HDR_LEN + body_len);
	if (body_len)
		memcpy(req + ZIO_ISM_HDR_LEN, body, body_len);
	ret = zio_ism_region_cmd(d, req, ZIO_ISM_HDR_LEN + body_len, buf,
				 rsp_len, &out);
	if (ret)
		return ret;
	/* the doublewords not loaded read as 0 */
	zio_ism_parse_rsp(buf, r);
	memcpy(rsp, buf, rsp_len);
	return 0;
}

static inline void zio_ism_put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

static inline void zio_ism_put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, sizeof(v));
}

/* The function's GID by READ_GID; the ISM return code, or -errno */
static inline int zio_ism_read_gid(struct zio_dev *d, uint64_t *gid)
{
	uint8_t rsp[ZIO_ISM_READ_GID_RSP_LEN];
	struct zio_ism_rsp r;
	int ret = zio_ism_cmd(d, ZIO_ISM_READ_GID, NULL, 0, rsp, sizeof(rsp),
			      &r);

	if (ret)
		return ret;
	*gid = r.data;
	return r.ret;
}

/* REG_SBA of the user's SBA page; the ISM return code, or -errno */
static inline int zio_ism_reg_sba(struct zio_dev *d, struct zio_ism_user *u)
{
	uint8_t body[8], rsp[8];
	struct zio_ism_rsp r;
	int ret;

	zio_ism_put64(body, u->iova);
	ret = zio_ism_cmd(d, ZIO_ISM_REG_SBA, body, sizeof(body), rsp,
			  sizeof(rsp), &r);
	if (!ret && !r.ret)
		u->sba = 1;
	return ret ? ret : r.ret;
}

/*
 * REG_DMB of the user's DMB at SBA index @sba_idx that the function with
 * GID @rgid may write; the ISM return code, or -errno.
 */
static inline int zio_ism_reg_dmb(struct zio_dev *d, struct zio_ism_user *u,
				  uint32_t sba_idx, uint64_t rgid)
{
	uint8_t body[ZIO_ISM_REG_DMB_LEN - ZIO_ISM_HDR_LEN] = { 0 };
	uint8_t rsp[ZIO_ISM_REG_DMB_RSP_LEN];
	struct zio_ism_rsp r;
	int ret;

	zio_ism_put64(body, u->iova + ZIO_ISM_SBA_LEN);
	zio_ism_put32(body + 8, u->dmb_len);
	zio_ism_put32(body + 12, sba_idx);
	zio_ism_put64(body + 24, rgid);
	ret = zio_ism_cmd(d, ZIO_ISM_REG_DMB, body, sizeof(body), rsp,
			  sizeof(rsp), &r);
	if (ret)
		return ret;
	if (!r.ret) {
		u->token = r.data;
		u->sba_idx = sba_idx;
	}
	return r.ret;
}

/* Unregister what zio_ism_reg_*() registered and undo the setup */
static inline void zio_ism_user_teardown(struct zio_dev *d,
					 struct zio_ism_user *u)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	uint8_t body[8], rsp[8];
	struct zio_ism_rsp r;

	if (u->token) {
		zio_ism_put64(body, u->token);
		zio_ism_cmd(d, ZIO_ISM_UNREG_DMB, body, sizeof(body), rsp,
			    sizeof(rsp), &r);
		u->token = 0;
	}
	if (u->sba) {
		zio_ism_cmd(d, ZIO_ISM_UNREG_SBA, NULL, 0, rsp, sizeof(rsp),
			    &r);
		u->sba = 0;
	}
	if (u->mapped) {
		unmap.iova = u->iova;
		unmap.size = u->mem_len;
		ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap);
		u->mapped = 0;
	}
	if (u->msi_fd >= 0)
		close(u->msi_fd);
	u->msi_fd = -1;
	if (u->mem)
		munmap(u->mem, u->mem_len);
	u->mem = NULL;
}

/* 1 when the MSI eventfd fired within @timeout_ms (consumed), 0 if not */
static inline int zio_ism_wait_msi(struct zio_ism_user *u, int timeout_ms)
{
	struct pollfd p = { .fd = u->msi_fd, .events = POLLIN };
	uint64_t n;

	if (poll(&p, 1, timeout_ms) != 1)
		return 0;
	return read(u->msi_fd, &n, sizeof(n)) == sizeof(n) && n;
}

/* The SBA's DMB bit for the user's DMB and its dmbe_mask */
static inline int zio_ism_sba_dmb_bit(struct zio_ism_user *u)
{
	uint8_t b = zio_ism_user_sba(u)[ZIO_ISM_SBA_DMB_BITS + u->sba_idx / 8];

	return !!(b & (0x80 >> (u->sba_idx % 8)));
}

static inline uint16_t zio_ism_sba_dmbe_mask(struct zio_ism_user *u)
{
	uint16_t m;

	memcpy(&m, zio_ism_user_sba(u) + ZIO_ISM_SBA_DMBE_MASK +
	       2 * u->sba_idx, sizeof(m));
	return be16toh(m);
}

/* One move through the region: a PCISTB of @len bytes to BAR0 */
static inline int zio_ism_region_move(struct zio_dev *d, uint64_t token,
				      unsigned int idx, int sf, uint32_t off,
				      const void *src, uint16_t len,
				      struct vfio_zpci_io_resp *out)
{
	memset(out, 0, sizeof(*out));
	return zio_request(d, VFIO_ZPCI_IO_OP_PCISTB, ZIO_ISM_DMB_BAR,
			   ZIO_ISM_MOVE_OFFSET(token, idx, sf, off),
			   (void *)src, len, out);
}

#endif /* ZPCI_IO_ISM_H */
