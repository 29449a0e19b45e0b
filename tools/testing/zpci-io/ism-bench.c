// SPDX-License-Identifier: GPL-2.0
/*
 * make bench, ISM part: DMB moves of 1 to 4096 bytes from the emulated ISM
 * function $1 into a DMB the harness's dibs peer module owns (on another
 * emulated ISM function, driven by Linux's ism driver), three ways:
 *
 *   ours, BAR0 pwrite   zpci-io-vfio-pci's standard region (one PCISTB)
 *   ours, region        one PCISTB request through the zPCI I/O region
 *   ism_vfio_pci        Linux's ism-vfio-pci, BAR0 pwrite
 *
 * Reported as ratios within this run (ours by BAR write is 1), with the
 * instructions per move the function measurement block counted.  Every
 * round measures ours (both ways, size by size) and then, with the
 * function rebound, ism_vfio_pci, so that drift of the emulator over the
 * run falls on all three alike; the rebinding is not timed.
 *
 * Usage: zpci-io-ism-bench BDF [N]   (N moves per size and way, default 4000)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zpci_io_lib.h"
#include "zpci_io_ism.h"

#define ISM_VFIO	"ism_vfio_pci"
#define ISM_VFIO_KO	"/lib/modules/ism-vfio-pci.ko"
#define DMB_LEN		0x2000
#define ROUNDS		4
#define INSN_N		50
#define FMB_WAIT_S	15

static const uint16_t sizes[] = { 1, 8, 13, 64, 256, 1024, 4096 };
#define NR_SIZES	ARRAY_SIZE(sizes)

enum way { OURS_BAR, OURS_REGION, ISM_VFIO_BAR, NR_WAYS };

static const char *const way_name[NR_WAYS] = {
	"ours BAR0 pwrite", "ours region", "ism_vfio_pci BAR0 pwrite",
};

static uint64_t token, sba_idx;
static uint8_t src[4096];
static double us[NR_WAYS][NR_SIZES];
static double insns[NR_WAYS][NR_SIZES];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int move(struct zio_dev *d, enum way w, uint16_t len)
{
	struct vfio_zpci_io_resp resp;
	uint64_t off = ZIO_ISM_MOVE_OFFSET(token, sba_idx, 0, 0);
	ssize_t n;
	int ret;

	if (w == OURS_REGION) {
		ret = zio_ism_region_move(d, token, sba_idx, 0, 0, src, len,
					  &resp);
		return ret ? ret : resp.cc || resp.flags ? -EIO : 0;
	}
	n = pwrite(d->device, src, len, d->bar_offset[ZIO_ISM_DMB_BAR] + off);
	return n == len ? 0 : n < 0 ? -errno : -EIO;
}

/* Mean time per move of @per moves, added to us[w][i] */
static int time_way(struct zio_dev *d, enum way w, unsigned int i, int per)
{
	double start = now_us();
	int j, ret;

	for (j = 0; j < per; j++) {
		ret = move(d, w, sizes[i]);
		if (ret)
			return ret;
	}
	us[w][i] += (now_us() - start) / per;
	return 0;
}

/* Instructions per move from the measurement block, for every size */
static int count_way(struct zio_dev *d, enum way w)
{
	struct zio_fmb a, b;
	unsigned int i;
	int j, ret;

	ret = zio_fmb_start(d->bdf, &a);
	for (i = 0; !ret && i < NR_SIZES; i++) {
		for (j = 0; !ret && j < INSN_N; j++)
			ret = move(d, w, sizes[i]);
		if (!ret)
			ret = zio_fmb_fresh(d->bdf, &b, FMB_WAIT_S);
		if (ret)
			break;
		insns[w][i] = (double)((b.loads - a.loads) +
				       (b.stores - a.stores) +
				       (b.store_blocks - a.store_blocks)) /
			      INSN_N;
		a = b;
	}
	return ret;
}

static int use_driver(const char *bdf, const char *drv, struct zio_dev *d)
{
	return zio_ism_use_driver(bdf, drv,
				  strcmp(drv, ISM_VFIO) ? NULL : ISM_VFIO_KO, d);
}

static int fail(const char *what, int ret)
{
	printf("bench: ism: %s: %s\n", what, strerror(-ret));
	return 1;
}

int main(int argc, char **argv)
{
	struct zio_dev d = { .container = -1, .group = -1, .device = -1 };
	int per = argc > 2 ? atoi(argv[2]) : 4000;
	unsigned int i, r;
	uint64_t gid;
	char val[64];
	int ret, w;

	if (argc < 2)
		return fprintf(stderr, "usage: %s BDF [N]\n", argv[0]), 2;
	per = per < ROUNDS ? 1 : per / ROUNDS;
	zio_ism_pattern(src, sizeof(src), 1);

	ret = use_driver(argv[1], ZIO_DRIVER, &d);
	if (!ret)
		ret = zio_ism_read_gid(&d, &gid);
	if (ret)
		return fail("open with zpci-io-vfio-pci, READ_GID", ret);
	snprintf(val, sizeof(val), "0x%llx %u", (unsigned long long)gid,
		 DMB_LEN);
	ret = zio_ism_peer_write("dmb_register", val);
	if (!ret)
		ret = zio_ism_peer_read_u64("dmb_token", &token);
	if (!ret)
		ret = zio_ism_peer_read_u64("dmb_sba_idx", &sba_idx);
	if (ret)
		return fail("the peer's DMB", ret);
	printf("bench: ism: %s, moves into the peer's DMB (token 0x%llx), %d per size and way, ratios within this run\n",
	       argv[1], (unsigned long long)token, per * ROUNDS);

	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < NR_SIZES; i++)
			for (w = OURS_BAR; w <= OURS_REGION; w++) {
				ret = time_way(&d, w, i, per);
				if (ret)
					return fail(way_name[w], ret);
			}
		if (r == ROUNDS - 1)
			for (w = OURS_BAR; w <= OURS_REGION; w++) {
				ret = count_way(&d, w);
				if (ret)
					return fail(way_name[w], ret);
			}
		ret = use_driver(argv[1], ISM_VFIO, &d);
		if (ret)
			return fail("bind ism_vfio_pci", ret);
		for (i = 0; i < NR_SIZES; i++) {
			ret = time_way(&d, ISM_VFIO_BAR, i, per);
			if (ret)
				return fail(way_name[ISM_VFIO_BAR], ret);
		}
		if (r == ROUNDS - 1) {
			ret = count_way(&d, ISM_VFIO_BAR);
			if (ret)
				return fail(way_name[ISM_VFIO_BAR], ret);
		}
		ret = use_driver(argv[1], ZIO_DRIVER, &d);
		if (ret)
			return fail("bind zpci-io-vfio-pci again", ret);
	}
	zio_close(&d);
	zio_module_unload(ISM_VFIO);
	zio_ism_peer_write("dmb_unregister", "1");

	for (i = 0; i < NR_SIZES; i++)
		printf("bench: ism move %4uB: ours BAR0 pwrite %.2f us; ratios to it: ours region %.3f, ism_vfio_pci BAR0 pwrite %.3f\n",
		       sizes[i], us[OURS_BAR][i] / ROUNDS,
		       us[OURS_REGION][i] / us[OURS_BAR][i],
		       us[ISM_VFIO_BAR][i] / us[OURS_BAR][i]);
	for (i = 0; i < NR_SIZES; i++)
		printf("bench: ism move %4uB instructions/move: ours BAR0 pwrite %.2f, ours region %.2f, ism_vfio_pci BAR0 pwrite %.2f\n",
		       sizes[i], insns[OURS_BAR][i], insns[OURS_REGION][i],
		       insns[ISM_VFIO_BAR][i]);
	return 0;
}
