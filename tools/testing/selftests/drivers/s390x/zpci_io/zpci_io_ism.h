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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#define ZIO_ISM_READ_GID	0x3
#define ZIO_ISM_READ_GID_RSP_LEN	16

/* A response header and its first body doubleword, decoded */
struct zio_ism_rsp {
	uint32_t cmd;
	uint16_t ret;
	uint16_t len;
	uint64_t data;
};

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

/* ---- the peer module's debugfs interface (numbers base 0) ----------- */

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

#endif /* ZPCI_IO_ISM_H */
