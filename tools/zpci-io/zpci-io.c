// SPDX-License-Identifier: GPL-2.0
/*
 * zpci-io: reference consumer of the VFIO zPCI I/O region.
 *
 *   zpci-io info     BDF                    header, regions, IRQs
 *   zpci-io load     [-f] BDF BAR OFF LEN   one PCILG (-f: FMB deltas)
 *   zpci-io store    [-f] [-b] BDF BAR OFF HEXBYTES
 *                                           one PCISTG (<= 8 bytes) or PCISTB
 *   zpci-io bar-read BDF BAR OFF LEN        pread of the standard BAR region
 *   zpci-io counters BDF                    function measurement block
 *   zpci-io bench    BDF [N]                ratios, see README
 *
 * It finds the region the way QEMU does: VFIO_DEVICE_GET_REGION_INFO and
 * the VFIO_REGION_INFO_CAP_TYPE capability of each device-specific region.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "zpci_io_lib.h"

static int fmb_flag;

static int usage(void)
{
	fprintf(stderr,
		"usage: zpci-io info BDF\n"
		"       zpci-io load [-f] BDF BAR OFFSET LEN\n"
		"       zpci-io store [-f] [-b] BDF BAR OFFSET HEXBYTES\n"
		"       zpci-io bar-read BDF BAR OFFSET LEN\n"
		"       zpci-io counters BDF\n"
		"       zpci-io bench BDF [N]\n");
	return 2;
}

static void hexdump(const char *what, const uint8_t *p, size_t len)
{
	size_t i;

	printf("%s", what);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void print_resp(const struct vfio_zpci_io_resp *r)
{
	if (r->flags & VFIO_ZPCI_IO_RESP_EXCEPTION)
		printf("outcome: program exception 0x%04x (%s)\n", r->pic,
		       r->pic == VFIO_ZPCI_IO_PIC_OPERAND ? "operand" :
		       r->pic == VFIO_ZPCI_IO_PIC_SPECIFICATION ?
		       "specification" : "other");
	else
		printf("outcome: cc %u status %u\n", r->cc, r->status);
}

static int cmd_info(struct zio_dev *d)
{
	const struct vfio_zpci_io_header *h = &d->hdr;
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	int i;

	printf("device %s: %u regions, %u irq types%s\n", d->bdf,
	       d->info.num_regions, d->info.num_irqs,
	       d->info.flags & VFIO_DEVICE_FLAGS_CAPS ?
	       ", zPCI capabilities present" : "");
	for (i = 0; i < VFIO_PCI_ROM_REGION_INDEX; i++)
		if (d->bar_size[i])
			printf("  BAR%d region: size 0x%llx\n", i,
			       (unsigned long long)d->bar_size[i]);
	printf("  zPCI I/O region: index %u, size 0x%llx, flags%s%s%s\n",
	       d->region_index, (unsigned long long)d->region_size,
	       d->region_flags & VFIO_REGION_INFO_FLAG_READ ? " read" : "",
	       d->region_flags & VFIO_REGION_INFO_FLAG_WRITE ? " write" : "",
	       d->region_flags & VFIO_REGION_INFO_FLAG_MMAP ? " mmap" : "");
	printf("  header: version %u, ops%s%s%s, %s, %s, maxstbl %u, pft %u\n",
	       h->version,
	       h->ops & (1U << VFIO_ZPCI_IO_OP_PCILG) ? " PCILG" : "",
	       h->ops & (1U << VFIO_ZPCI_IO_OP_PCISTG) ? " PCISTG" : "",
	       h->ops & (1U << VFIO_ZPCI_IO_OP_PCISTB) ? " PCISTB" : "",
	       h->flags & VFIO_ZPCI_IO_HDR_NON_MIO ? "non-MIO" : "MIO?",
	       h->flags & VFIO_ZPCI_IO_HDR_RELAXED ? "relaxed (ISM) PCISTB" :
	       "strict PCISTB", h->maxstbl, h->pft);
	for (i = 0; i < VFIO_ZPCI_IO_NUM_BARS; i++)
		if (h->bar_size[i])
			printf("  address space %d: 0x%llx bytes\n", i,
			       (unsigned long long)h->bar_size[i]);
	if (h->flags & VFIO_ZPCI_IO_HDR_MSIX)
		printf("  MSI-X table: BAR%u 0x%x-0x%x (refused)\n", h->msix_bar,
		       h->msix_offset, h->msix_offset + h->msix_size - 1);
	irq.index = VFIO_PCI_MSIX_IRQ_INDEX;
	if (!ioctl(d->device, VFIO_DEVICE_GET_IRQ_INFO, &irq))
		printf("  MSI-X vectors: %u\n", irq.count);
	return 0;
}

static int cmd_counters(struct zio_dev *d)
{
	struct zio_fmb f;
	int ret = zio_fmb_start(d->bdf, &f);

	if (ret) {
		fprintf(stderr, "%s: measurement block: %s\n", d->bdf,
			strerror(-ret));
		return 1;
	}
	printf("measurement block %s: samples %llu, loads %llu, stores %llu, store blocks %llu\n",
	       d->bdf, (unsigned long long)f.samples,
	       (unsigned long long)f.loads, (unsigned long long)f.stores,
	       (unsigned long long)f.store_blocks);
	return 0;
}

static int fmb_snapshot(const char *bdf, struct zio_fmb *f)
{
	int ret = zio_fmb_fresh(bdf, f, 10);

	if (ret)
		fprintf(stderr, "measurement block: %s\n", strerror(-ret));
	return ret;
}

static void fmb_delta(const struct zio_fmb *a, const struct zio_fmb *b)
{
	printf("measurement block: loads +%llu, stores +%llu, store blocks +%llu\n",
	       (unsigned long long)(b->loads - a->loads),
	       (unsigned long long)(b->stores - a->stores),
	       (unsigned long long)(b->store_blocks - a->store_blocks));
}

static int one_request(struct zio_dev *d, uint8_t op, int bar, uint64_t off,
		       uint8_t *buf, uint16_t len)
{
	struct vfio_zpci_io_resp resp;
	struct zio_fmb before, after;
	int ret;

	if (fmb_flag && zio_fmb_start(d->bdf, &before)) {
		fprintf(stderr, "measurement block unavailable\n");
		return 1;
	}
	ret = zio_request(d, op, bar, off, buf, len, &resp);
	if (ret) {
		printf("%s BAR%d+0x%llx len %u: refused: %s\n", zio_op_name(op),
		       bar, (unsigned long long)off, len, strerror(-ret));
		return 1;
	}
	printf("%s BAR%d+0x%llx len %u: ", zio_op_name(op), bar,
	       (unsigned long long)off, len);
	print_resp(&resp);
	if (op == VFIO_ZPCI_IO_OP_PCILG &&
	    !(resp.flags & VFIO_ZPCI_IO_RESP_EXCEPTION) && !resp.cc)
		hexdump("data: ", buf, len);
	if (fmb_flag) {
		if (fmb_snapshot(d->bdf, &after))
			return 1;
		fmb_delta(&before, &after);
	}
	return resp.cc || resp.flags ? 1 : 0;
}

static int parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	if (!strncmp(s, "0x", 2))
		s += 2;
	while (s[0] && s[1] && n < max) {
		char byte[3] = { s[0], s[1], 0 };

		out[n++] = strtoul(byte, NULL, 16);
		s += 2;
	}
	return s[0] ? -1 : (int)n;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct bench_thread {
	struct zio_dev *d;
	int n;
	int errors;
};

static void *bench_loader(void *arg)
{
	struct bench_thread *t = arg;
	struct vfio_zpci_io_resp resp;
	uint64_t val;
	int i;

	for (i = 0; i < t->n; i++)
		if (zio_request(t->d, VFIO_ZPCI_IO_OP_PCILG, 4, 0x10, &val, 8,
				&resp) || resp.cc || resp.flags)
			t->errors++;
	return NULL;
}

static double bench_threads(struct zio_dev *d, int nthreads, int per_thread)
{
	struct bench_thread t[8];
	pthread_t tid[8];
	double start;
	int i, errors = 0;

	start = now_us();
	for (i = 0; i < nthreads; i++) {
		t[i] = (struct bench_thread){ .d = d, .n = per_thread };
		pthread_create(&tid[i], NULL, bench_loader, &t[i]);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		errors += t[i].errors;
	}
	if (errors)
		printf("bench: %d thread errors\n", errors);
	return (double)nthreads * per_thread / (now_us() - start) * 1e6;
}

/* Per-request instruction counts from the measurement block */
static void bench_insns(struct zio_dev *d, const char *what, int n,
			int (*fn)(struct zio_dev *d))
{
	struct zio_fmb a, b;
	uint64_t total;
	int i;

	if (fmb_snapshot(d->bdf, &a))
		return;
	for (i = 0; i < n; i++)
		fn(d);
	if (fmb_snapshot(d->bdf, &b))
		return;
	total = (b.loads - a.loads) + (b.stores - a.stores) +
		(b.store_blocks - a.store_blocks);
	printf("bench: %-34s %.3f instructions/request (%llu for %d)\n", what,
	       (double)total / n, (unsigned long long)total, n);
}

static uint8_t pba_pattern[32];

static int do_region_stb(struct zio_dev *d)
{
	struct vfio_zpci_io_resp resp;

	return zio_request(d, VFIO_ZPCI_IO_OP_PCISTB, 1, 0xc80, pba_pattern,
			   32, &resp);
}

static int do_std_pwrite(struct zio_dev *d)
{
	return zio_bar_write(d, 1, 0xc80, pba_pattern, 32);
}

static int do_region_lg(struct zio_dev *d)
{
	struct vfio_zpci_io_resp resp;
	uint64_t val;

	return zio_request(d, VFIO_ZPCI_IO_OP_PCILG, 4, 0x10, &val, 8, &resp);
}

static int do_std_pread(struct zio_dev *d)
{
	uint64_t val;

	return zio_bar_read(d, 4, 0x10, &val, 8);
}

static double time_op(struct zio_dev *d, int n, int (*fn)(struct zio_dev *d))
{
	double start = now_us();
	int i;

	for (i = 0; i < n; i++)
		fn(d);
	return (now_us() - start) / n;
}

static int cmd_bench(struct zio_dev *d, int n)
{
	double lg, rd, stb, wr, t1, t8;
	struct zio_fmb f;
	int round;

	printf("bench: %s, %d iterations per measurement, ratios within this run\n",
	       d->bdf, n);
	if (zio_fmb_start(d->bdf, &f))
		printf("bench: measurement block unavailable\n");
	/* interleave to share any drift of the emulator equally */
	lg = rd = stb = wr = 0;
	for (round = 0; round < 4; round++) {
		lg += time_op(d, n / 4, do_region_lg);
		rd += time_op(d, n / 4, do_std_pread);
		stb += time_op(d, n / 4, do_region_stb);
		wr += time_op(d, n / 4, do_std_pwrite);
	}
	printf("bench: region PCILG 8B %.2f us, standard pread 8B %.2f us, ratio %.3f\n",
	       lg / 4, rd / 4, lg / rd);
	printf("bench: region PCISTB 32B %.2f us, standard pwrite 32B %.2f us, ratio %.3f\n",
	       stb / 4, wr / 4, stb / wr);
	bench_insns(d, "region PCILG 8B:", 100, do_region_lg);
	bench_insns(d, "region PCISTB 32B:", 100, do_region_stb);
	bench_insns(d, "standard pwrite 32B (vfio split):", 100, do_std_pwrite);
	t1 = bench_threads(d, 1, n);
	t8 = bench_threads(d, 8, n / 8);
	printf("bench: region PCILG throughput 1 thread %.0f/s, 8 threads %.0f/s, ratio %.3f\n",
	       t1, t8, t8 / t1);
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t buf[4096];
	struct zio_dev d;
	const char *cmd;
	int bar, len, ret, op, block = 0;
	uint64_t off;

	if (argc < 3)
		return usage();
	cmd = argv[1];
	argv += 2;
	argc -= 2;
	while (argc && argv[0][0] == '-') {
		if (!strcmp(argv[0], "-f"))
			fmb_flag = 1;
		else if (!strcmp(argv[0], "-b"))
			block = 1;
		else
			return usage();
		argv++;
		argc--;
	}
	if (!argc)
		return usage();

	ret = zio_open(argv[0], &d);
	if (ret) {
		fprintf(stderr, "%s: cannot open the zPCI I/O region: %s\n",
			argv[0], strerror(-ret));
		return 1;
	}
	if (!strcmp(cmd, "info")) {
		ret = cmd_info(&d);
	} else if (!strcmp(cmd, "counters")) {
		ret = cmd_counters(&d);
	} else if (!strcmp(cmd, "bench")) {
		ret = cmd_bench(&d, argc > 1 ? atoi(argv[1]) : 2000);
	} else if (argc == 4 && (!strcmp(cmd, "load") || !strcmp(cmd, "bar-read"))) {
		bar = atoi(argv[1]);
		off = strtoull(argv[2], NULL, 0);
		len = atoi(argv[3]);
		if (len < 1 || len > (int)sizeof(buf) || bar < 0 || bar > 5) {
			ret = usage();
		} else if (!strcmp(cmd, "load")) {
			ret = one_request(&d, VFIO_ZPCI_IO_OP_PCILG, bar, off,
					  buf, len);
		} else {
			ret = zio_bar_read(&d, bar, off, buf, len);
			if (ret)
				printf("pread BAR%d+0x%llx: %s\n", bar,
				       (unsigned long long)off, strerror(-ret));
			else
				hexdump("standard BAR region pread: ", buf, len);
			ret = !!ret;
		}
	} else if (argc == 4 && !strcmp(cmd, "store")) {
		bar = atoi(argv[1]);
		off = strtoull(argv[2], NULL, 0);
		len = parse_hex(argv[3], buf, sizeof(buf));
		if (len < 1 || bar < 0 || bar > 5) {
			ret = usage();
		} else {
			op = (block || len > 8) ? VFIO_ZPCI_IO_OP_PCISTB :
						  VFIO_ZPCI_IO_OP_PCISTG;
			ret = one_request(&d, op, bar, off, buf, len);
		}
	} else {
		ret = usage();
	}
	zio_close(&d);
	return ret;
}
