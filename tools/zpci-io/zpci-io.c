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

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static int fmb_flag;

static int usage(void)
{
	fprintf(stderr,
		"Usage: zpci-io info BDF\n"
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

	/* one refresh interval's worth, from zero */
	if (!ret)
		ret = zio_fmb_fresh(d->bdf, &f, 15);
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

/*
 * Target of every store: BAR4 + 0x1800.  QEMU's virtio-pci modern BAR4
 * holds four 4 KiB MemoryRegions (common 0x0000, ISR 0x1000, device
 * 0x2000, notify 0x3000); 0x1800 lies in the ISR one, past its only
 * register.  virtio_pci_isr_write() has an empty body and the ISR ops set
 * no .valid limits, so each 8-byte unit of a PCISTB up to 128 bytes (QEMU
 * checks and dispatches every one against that region) and each 4-byte
 * store of the standard region's split lands and is dropped.  The PBA at
 * BAR1 + 0xc80 has only 32 bytes behind it.
 */
#define BENCH_BAR		4
#define BENCH_STB_OFFSET	0x1800
#define BENCH_LG_OFFSET		0x10
#define BENCH_ROUNDS		4
#define BENCH_INSN_N		100

static const uint16_t bench_sizes[] = { 16, 32, 64, 128 };
#define BENCH_NR_SIZES	ARRAY_SIZE(bench_sizes)

/* the PCILG, its standard pread, the floor, then region/standard pairs */
enum { BENCH_LG, BENCH_PREAD, BENCH_FLOOR, BENCH_STB };
#define BENCH_NR_OPS	(BENCH_STB + 2 * BENCH_NR_SIZES)

/* Store data of every request: nothing is allocated per request. */
static uint8_t bench_data[128];

struct bench_op {
	char what[32];
	const char *note;	/* appended to the instruction count label */
	int (*fn)(struct zio_dev *d, uint16_t len);
	uint16_t len;
	int usable;
	int errors;
	double us;		/* sum of the per-round means per request */
};

static int resp_ok(const struct vfio_zpci_io_resp *r)
{
	return r->cc || r->flags ? -EIO : 0;
}

static int do_region_lg(struct zio_dev *d, uint16_t len)
{
	struct vfio_zpci_io_resp resp;
	uint64_t val;
	int ret;

	ret = zio_request(d, VFIO_ZPCI_IO_OP_PCILG, BENCH_BAR, BENCH_LG_OFFSET,
			  &val, len, &resp);
	return ret ? ret : resp_ok(&resp);
}

static int do_std_pread(struct zio_dev *d, uint16_t len)
{
	uint64_t val;

	return zio_bar_read(d, BENCH_BAR, BENCH_LG_OFFSET, &val, len);
}

/*
 * The floor: do_region_lg()'s request with a non-zero flags field.  Same
 * write() into the region, same copy of the request; validation refuses
 * it first (-EINVAL): no instruction, no response.
 */
static long refused_write(struct zio_dev *d, uint16_t len)
{
	struct vfio_zpci_io_resp resp;
	struct vfio_zpci_io_req req = {
		.flags = 1,
		.op = VFIO_ZPCI_IO_OP_PCILG,
		.pcias = BENCH_BAR,
		.len = len,
		.offset = BENCH_LG_OFFSET,
		.resp = (uintptr_t)&resp,
	};

	return zio_write_raw(d, &req, sizeof(req), d->hdr.req_offset);
}

static int do_refused(struct zio_dev *d, uint16_t len)
{
	return refused_write(d, len) == -EINVAL ? 0 : -EPROTO;
}

static int do_region_stb(struct zio_dev *d, uint16_t len)
{
	struct vfio_zpci_io_resp resp;
	int ret;

	ret = zio_request(d, VFIO_ZPCI_IO_OP_PCISTB, BENCH_BAR,
			  BENCH_STB_OFFSET, bench_data, len, &resp);
	return ret ? ret : resp_ok(&resp);
}

static int do_std_pwrite(struct zio_dev *d, uint16_t len)
{
	return zio_bar_write(d, BENCH_BAR, BENCH_STB_OFFSET, bench_data, len);
}

static void bench_op_init(struct bench_op *op, const char *what,
			  uint16_t len, const char *note,
			  int (*fn)(struct zio_dev *d, uint16_t len))
{
	snprintf(op->what, sizeof(op->what), "%s %uB", what, len);
	op->note = note;
	op->fn = fn;
	op->len = len;
	op->usable = 1;
	op->errors = 0;
	op->us = 0;
}

/* One region request before timing; say why it cannot be measured. */
static int probe_region(struct zio_dev *d, const struct bench_op *op,
			uint8_t zop, uint64_t off, void *data)
{
	struct vfio_zpci_io_resp resp;
	int ret;

	ret = zio_request(d, zop, BENCH_BAR, off, data, op->len, &resp);
	if (ret) {
		printf("bench: %s at BAR%d+0x%llx: not measured, refused: %s\n",
		       op->what, BENCH_BAR, (unsigned long long)off,
		       strerror(-ret));
		return 0;
	}
	if (resp.cc || resp.flags) {
		printf("bench: %s at BAR%d+0x%llx: not measured, cc %u status %u pic 0x%x\n",
		       op->what, BENCH_BAR, (unsigned long long)off, resp.cc,
		       resp.status, resp.pic);
		return 0;
	}
	return 1;
}

static int probe_std(struct zio_dev *d, const struct bench_op *op)
{
	int ret = op->fn(d, op->len);

	if (ret)
		printf("bench: %s: not measured: %s\n", op->what,
		       strerror(-ret));
	return !ret;
}

static int probe_floor(struct zio_dev *d, const struct bench_op *op)
{
	long ret = refused_write(d, op->len);

	if (ret == -EINVAL)
		return 1;
	printf("bench: %s: not measured, expected EINVAL, got %s\n",
	       op->what, ret < 0 ? strerror(-ret) : "an accepted write");
	return 0;
}

static void bench_time(struct zio_dev *d, struct bench_op *op, int n)
{
	double start = now_us();
	int i;

	for (i = 0; i < n; i++)
		if (op->fn(d, op->len))
			op->errors++;
	op->us += (now_us() - start) / n;
}

static void print_pair(const struct bench_op *r, const struct bench_op *s)
{
	if (!r->usable || !s->usable) {
		printf("bench: %s vs %s: no ratio, see above\n", r->what,
		       s->what);
		return;
	}
	printf("bench: %s %.2f us, %s %.2f us, ratio %.3f\n", r->what,
	       r->us / BENCH_ROUNDS, s->what, s->us / BENCH_ROUNDS,
	       r->us / s->us);
}

static void print_above_floor(const struct bench_op *op,
			      const struct bench_op *floor)
{
	if (op->usable)
		printf("bench: %s %.3fx above floor\n", op->what,
		       op->us / floor->us);
}

static void print_floor(const struct bench_op *ops)
{
	const struct bench_op *floor = &ops[BENCH_FLOOR];
	unsigned int i;

	if (!floor->usable)
		return;
	printf("bench: floor: request refused by validation (flags != 0, EINVAL) %.2f us\n",
	       floor->us / BENCH_ROUNDS);
	/* the region requests: the PCILG and the PCISTB of each pair */
	print_above_floor(&ops[BENCH_LG], floor);
	for (i = 0; i < BENCH_NR_SIZES; i++)
		print_above_floor(&ops[BENCH_STB + 2 * i], floor);
}

/*
 * Per-request instruction counts from the measurement block.  Each
 * sample after a batch is the sample before the next one.
 */
static void bench_insns(struct zio_dev *d, struct bench_op *ops, int nr)
{
	struct zio_fmb prev, now;
	char label[64];
	uint64_t total;
	int i, j;

	if (fmb_snapshot(d->bdf, &prev))
		return;
	for (i = 0; i < nr; i++) {
		if (!ops[i].usable)
			continue;
		for (j = 0; j < BENCH_INSN_N; j++)
			ops[i].fn(d, ops[i].len);
		if (fmb_snapshot(d->bdf, &now))
			return;
		total = (now.loads - prev.loads) + (now.stores - prev.stores) +
			(now.store_blocks - prev.store_blocks);
		prev = now;
		snprintf(label, sizeof(label), "%.31s%.31s:", ops[i].what,
			 ops[i].note);
		printf("bench: %-34s %.3f instructions/request (%llu for %d)\n",
		       label, (double)total / BENCH_INSN_N,
		       (unsigned long long)total, BENCH_INSN_N);
	}
}

static int cmd_bench(struct zio_dev *d, int n)
{
	struct bench_op ops[BENCH_NR_OPS];
	struct bench_op *stb, *wr;
	double t1, t8;
	struct zio_fmb f;
	uint64_t val;
	int round, fmb_ok, per;
	unsigned int i;

	if (n < 2 * BENCH_ROUNDS)
		n = 2 * BENCH_ROUNDS;
	per = n / BENCH_ROUNDS;
	for (i = 0; i < sizeof(bench_data); i++)
		bench_data[i] = i;

	printf("bench: %s, %d iterations per measurement, ratios within this run\n",
	       d->bdf, per * BENCH_ROUNDS);
	printf("bench: PCISTB and standard pwrite at BAR%d+0x%x, maxstbl %u\n",
	       BENCH_BAR, BENCH_STB_OFFSET, d->hdr.maxstbl);
	fmb_ok = !zio_fmb_start(d->bdf, &f);
	if (!fmb_ok)
		printf("bench: measurement block unavailable\n");

	bench_op_init(&ops[BENCH_LG], "region PCILG", 8, "", do_region_lg);
	bench_op_init(&ops[BENCH_PREAD], "standard pread", 8, " (vfio split)",
		      do_std_pread);
	bench_op_init(&ops[BENCH_FLOOR], "refused PCILG", 8, " (floor)",
		      do_refused);
	ops[BENCH_LG].usable = probe_region(d, &ops[BENCH_LG],
					    VFIO_ZPCI_IO_OP_PCILG,
					    BENCH_LG_OFFSET, &val);
	ops[BENCH_PREAD].usable = probe_std(d, &ops[BENCH_PREAD]);
	ops[BENCH_FLOOR].usable = probe_floor(d, &ops[BENCH_FLOOR]);
	for (i = 0; i < BENCH_NR_SIZES; i++) {
		stb = &ops[BENCH_STB + 2 * i];
		wr = stb + 1;
		bench_op_init(stb, "region PCISTB", bench_sizes[i], "",
			      do_region_stb);
		bench_op_init(wr, "standard pwrite", bench_sizes[i],
			      " (vfio split)", do_std_pwrite);
		if (stb->len > d->hdr.maxstbl) {
			printf("bench: %s: not measured, above maxstbl %u\n",
			       stb->what, d->hdr.maxstbl);
			stb->usable = 0;
		} else {
			stb->usable = probe_region(d, stb,
						   VFIO_ZPCI_IO_OP_PCISTB,
						   BENCH_STB_OFFSET,
						   bench_data);
		}
		wr->usable = probe_std(d, wr);
	}

	/* interleave to share any drift of the emulator equally */
	for (round = 0; round < BENCH_ROUNDS; round++)
		for (i = 0; i < BENCH_NR_OPS; i++)
			if (ops[i].usable)
				bench_time(d, &ops[i], per);
	for (i = 0; i < BENCH_NR_OPS; i++) {
		if (!ops[i].usable || !ops[i].errors)
			continue;
		printf("bench: %s: %d of %d timed requests failed, not reported\n",
		       ops[i].what, ops[i].errors, per * BENCH_ROUNDS);
		ops[i].usable = 0;
	}

	print_pair(&ops[BENCH_LG], &ops[BENCH_PREAD]);
	for (i = 0; i < BENCH_NR_SIZES; i++) {
		stb = &ops[BENCH_STB + 2 * i];
		print_pair(stb, stb + 1);
	}
	print_floor(ops);
	if (fmb_ok)
		bench_insns(d, ops, BENCH_NR_OPS);
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
