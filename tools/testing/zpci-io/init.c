// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the zpci-io s390x test guest (no busybox for s390x in Debian).
 *
 * Reads /mode (check, demo, bench, nested, inner), loads the modules, binds the
 * virtio-rng zPCI function to zpci-io-vfio-pci through driver_override and
 * runs the userspace programs.  Every line a program prints reaches the
 * console as "@@<program>: <line>", so the host can tell userspace KTAP
 * from the kernel log.  The guest's own lifecycle checks are reported as
 * KTAP under "@@zpci_io_lifecycle: ".  On the debug kernel (kernel
 * parameter zpci_io_kernel=debug) it also proves lockdep still armed and
 * kmemleak silent at the end.  Then the guest powers off.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zpci_io_lib.h"

#define MODDIR		"/lib/modules/"
#define DRIVER_KO	MODDIR "zpci-io-vfio-pci.ko"
/* KUnit: the fake-instruction suites, and the real-instruction ones */
#define KUNIT_KO	MODDIR "zpci_io_kunit.ko"
#define KUNIT_HW_KO	MODDIR "zpci_io_kunit_hw.ko"
/* Linux 7.1+: the in-tree ISM variant driver, when the kernel built it */
#define ISM_VFIO_KO	MODDIR "ism-vfio-pci.ko"
#define ISM_VFIO	"ism_vfio_pci"	/* its driver name (KBUILD_MODNAME) */
/* Linux 6.19+ with the harness's ism.config: Linux's ism driver and dibs */
#define DIBS_KO		MODDIR "dibs.ko"
#define ISM_KO		MODDIR "ism.ko"
/* the harness's dibs clients: the KUnit oracle and the kselftests' peer */
#define ORACLE_KO	MODDIR "zpci_io_ism_oracle.ko"
#define PEER_KO		MODDIR "zpci_io_ism_peer.ko"
#define ISM_DRIVER	"ism"
/* the emulated ISM functions (s390-ism, 1014:04ed) every guest has */
#define ISM_VENDOR	0x1014
#define ISM_DEVICE	0x04ed
#define ISM_NUM		3
/* ism0 and ism1 go to Linux's ism driver, ism2 to zpci-io-vfio-pci */
#define ISM_OURS	2
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define LOCKDEP_STATS	"/proc/lockdep_stats"
#define LIFECYCLE	"zpci_io_lifecycle"
#define TEST_TIMEOUT	600
/* ZPCI_IO_KUNIT_HW_OVERRIDE of zpci_io_kunit_hw: hands a function to it */
#define KUNIT_HW_OVERRIDE	"zpci_io_kunit_hw"

static int console_fd = 1;

/* A KTAP suite /init reports itself */
struct suite {
	const char *name;
	int num;
	int failed;
};

static struct suite lifecycle = { .name = LIFECYCLE };

static void emit(const char *prefix, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "@@%s: ", prefix);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* one write per line: the console never splits it */
	if (write(console_fd, line, n) < 0)
		return;
}

static void result(struct suite *t, int ok, const char *name,
		   const char *why)
{
	t->num++;
	if (!ok)
		t->failed++;
	if (!ok && why)
		emit(t->name, "# %s: %s", name, why);
	emit(t->name, "%sok %d %s", ok ? "" : "not ", t->num, name);
}

static void lc_result(int ok, const char *name, const char *why)
{
	result(&lifecycle, ok, name, why);
}

/*
 * A child whose output /init follows line by line: each line goes to
 * @line (NULL: re-emitted under @tag).  @in_fd is the write end of the
 * child's stdin while it runs (-1 unless @want_stdin).
 */
struct follow {
	const char *tag;
	void (*line)(struct follow *f, char *text);
	int want_stdin;
	int in_fd;
	/* written to the child's stdin as soon as it runs (want_stdin) */
	const char *input;
	void *ctx;
};

static void follow_line(struct follow *f, char *text)
{
	if (f->line)
		f->line(f, text);
	else
		emit(f->tag, "%s", text);
}

/*
 * Run @argv with stdout and stderr piped back to @f; kill it after
 * @timeout seconds.  Returns the exit status.
 */
static int spawn_follow(struct follow *f, char *const argv[], int timeout)
{
	char buf[4096], line[1024];
	size_t used = 0;
	time_t start = time(NULL);
	int pfd[2], ifd[2] = { -1, -1 }, status = -1;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	if (f->want_stdin && pipe(ifd)) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (ifd[0] >= 0) {
			dup2(ifd[0], 0);
			close(ifd[0]);
			close(ifd[1]);
		}
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	if (ifd[0] >= 0)
		close(ifd[0]);
	f->in_fd = ifd[1];
	if (f->input && f->in_fd >= 0 &&
	    write(f->in_fd, f->input, strlen(f->input)) < 0)
		emit(f->tag, "# harness: cannot write the child's input");
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n = read(pfd[0], buf, sizeof(buf));
		ssize_t i;

		if (n == 0)
			break;
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				break;
			if (time(NULL) - start > timeout) {
				emit(f->tag, "# harness: timeout after %ds, killed",
				     timeout);
				kill(pid, SIGKILL);
				break;
			}
			usleep(20000);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\r')
				continue;
			if (buf[i] == '\n' || used == sizeof(line) - 1) {
				line[used] = 0;
				follow_line(f, line);
				used = 0;
				if (buf[i] == '\n')
					continue;
			}
			line[used++] = buf[i];
		}
	}
	if (used) {
		line[used] = 0;
		follow_line(f, line);
	}
	close(pfd[0]);
	if (f->in_fd >= 0)
		close(f->in_fd);
	f->in_fd = -1;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		emit(f->tag, "# harness: killed by signal %d", WTERMSIG(status));
	return status;
}

static int run_program(const char *tag, char *const argv[], int timeout)
{
	struct follow f = { .tag = tag, .in_fd = -1 };

	return spawn_follow(&f, argv, timeout);
}

static void run_tests(const char *bdf)
{
	struct dirent **names;
	int i, n;

	setenv("ZPCI_IO_BDF", bdf, 1);
	n = scandir("/tests", &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		char path[300];
		char *argv[] = { path, NULL };

		if (names[i]->d_name[0] != '.') {
			time_t start = time(NULL);

			snprintf(path, sizeof(path), "/tests/%s",
				 names[i]->d_name);
			run_program(names[i]->d_name, argv, TEST_TIMEOUT);
			emit("init", "%s took %ld s", names[i]->d_name,
			     (long)(time(NULL) - start));
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
}

static void tool(const char *a1, const char *a2, const char *a3,
		 const char *a4, const char *a5, const char *a6)
{
	char *argv[] = { "/bin/zpci-io", (char *)a1, (char *)a2, (char *)a3,
			 (char *)a4, (char *)a5, (char *)a6, NULL };

	run_program("demo", argv, TEST_TIMEOUT);
}

/* The debug kernel's own checkers are armed: lockdep and kmemleak */
static int debug_tools_present(void)
{
	return !access(LOCKDEP_STATS, R_OK) && !access(KMEMLEAK, R_OK);
}

/* lockdep switches itself off ("debug_locks: 0") after its first report */
static void check_lockdep_armed(void)
{
	char stats[8192] = "", *p;

	zio_sysfs_read(LOCKDEP_STATS, stats, sizeof(stats));
	p = strstr(stats, "debug_locks:");
	lc_result(p && strtol(p + 12, NULL, 10) == 1, "lockdep_still_armed",
		  "debug_locks is not 1: lockdep reported something");
}

/*
 * Objects that became unreferenced during the run; kmemleak only reports
 * objects older than 5 s, and needs two scans to be sure.
 */
static void check_kmemleak(void)
{
	char buf[1024] = "";
	int i, ret;

	sleep(6);
	for (i = 0; i < 2; i++)
		zio_sysfs_write(KMEMLEAK, "scan");
	ret = zio_sysfs_read(KMEMLEAK, buf, sizeof(buf));
	if (buf[0])
		emit(LIFECYCLE, "# kmemleak: %.300s", buf);
	lc_result(!ret && !buf[0], "kmemleak_finds_no_leaks",
		  "kmemleak reported unreferenced objects");
}

/* Number of CCW devices the channel subsystem registered */
static int ccw_devices(void)
{
	struct dirent *e;
	int n = 0;
	DIR *dir = opendir("/sys/bus/ccw/devices");

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/*
 * Both variant drivers claim functions only through driver_override: with
 * both loaded, each override selects exactly its driver, and the region
 * works on our function while the other is bound to ism-vfio-pci.
 */
static void check_ism_vfio_coexistence(const char *rng, const char *net)
{
	char path[256], drv[128];
	struct vfio_zpci_io_resp resp;
	struct zio_dev d;
	uint16_t nq = 0;
	int ret;

	ret = zio_module_load(ISM_VFIO_KO, "");
	lc_result(!ret, "ism_vfio_pci_module_loads", strerror(-ret));
	ret = zio_set_driver_override(net, ISM_VFIO);
	if (!ret)
		ret = zio_sysfs_write("/sys/bus/pci/drivers_probe", net);
	zio_bound_driver(net, drv, sizeof(drv));
	lc_result(!ret && !strcmp(drv, ISM_VFIO),
		  "ism_vfio_pci_binds_the_function_its_override_names",
		  drv[0] ? drv : "unbound");
	zio_bound_driver(rng, drv, sizeof(drv));
	lc_result(!strcmp(drv, ZIO_DRIVER),
		  "zpci_io_keeps_the_function_its_override_names", drv);
	ret = zio_open(rng, &d);
	if (!ret) {
		ret = zio_request(&d, VFIO_ZPCI_IO_OP_PCILG, 4, 0x12, &nq, 2,
				  &resp);
		if (!ret && (resp.cc || resp.flags || le16toh(nq) != 1))
			ret = -EPROTO;
		zio_close(&d);
	}
	lc_result(!ret, "zpci_io_region_works_beside_ism_vfio_pci",
		  strerror(-ret));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 net);
	ret = zio_sysfs_write(path, net);
	if (!ret)
		ret = zio_set_driver_override(net, "\n");
	if (!ret)
		ret = zio_module_unload("ism_vfio_pci");
	lc_result(!ret, "ism_vfio_pci_unbinds_and_unloads", strerror(-ret));
}

/*
 * The emulated ISM functions: ism0 and ism1 bound to Linux's ism driver
 * (on a kernel with dibs), which the KUnit oracle, a dibs client, then
 * drives; ism2 bound to zpci-io-vfio-pci for the kselftests, before the
 * ism driver loads, so that the ism driver cannot take it.
 */
/* lifecycle results: ism_find, the KUnit hand-over, ism_setup's first */
#define ISM_STEPS	3
#define ISM_DIBS_STEPS	5

/* The first @num emulated ISM functions into @ism; how many there are */
static int ism_find_n(char ism[][256], int num)
{
	int i, n = 0;

	for (i = 0; i < num; i++)
		n += !zio_find_nth_function(ISM_VENDOR, ISM_DEVICE, i, ism[i],
					    256);
	return n;
}

/* Whether each of the first @num functions of @ism is bound to @name */
static int ism_all_bound_to(char ism[][256], int num, const char *name)
{
	char drv[128];
	int i;

	for (i = 0; i < num; i++) {
		zio_bound_driver(ism[i], drv, sizeof(drv));
		if (strcmp(drv, name))
			return 0;
	}
	return 1;
}

static void ism_find(char ism[][256])
{
	int n = ism_find_n(ism, ISM_NUM);

	emit("init", "emulated ISM functions: %s %s %s", ism[0], ism[1],
	     ism[2]);
	lc_result(n == ISM_NUM, "three_emulated_ism_functions_present",
		  "fewer s390-ism functions than the harness plugs");
}

static void ism_setup(char ism[][256], int dibs)
{
	char drv[128];
	int i, ret, n;

	ret = zio_bind(ism[ISM_OURS]);
	lc_result(!ret, "ism_function_binds_to_ours", strerror(-ret));
	if (!dibs)
		return;
	ret = zio_module_load(DIBS_KO, "");
	if (!ret)
		ret = zio_module_load(ISM_KO, "");
	lc_result(!ret, "dibs_and_ism_modules_load", strerror(-ret));
	for (i = 0, n = 0; i < ISM_OURS; i++) {
		zio_bound_driver(ism[i], drv, sizeof(drv));
		n += !strcmp(drv, ISM_DRIVER);
	}
	zio_bound_driver(ism[ISM_OURS], drv, sizeof(drv));
	lc_result(n == ISM_OURS && !strcmp(drv, ZIO_DRIVER),
		  "ism_driver_binds_two_functions_and_leaves_ours",
		  "a function is not bound as the harness meant");
	/* the KUnit suite zpci_io_ism_oracle runs while the module loads */
	ret = zio_module_load(ORACLE_KO, "");
	lc_result(!ret, "ism_oracle_module_loads", strerror(-ret));
	ret = zio_module_unload("zpci_io_ism_oracle");
	lc_result(!ret, "ism_oracle_module_unloads", strerror(-ret));
	ret = zio_module_load(PEER_KO, "");
	lc_result(!ret, "ism_peer_module_loads", strerror(-ret));
}

/* After the tests: ism2 back from our driver, the dibs modules out */
#define ISM_END_STEPS		1
#define ISM_DIBS_END_STEPS	1

static void ism_teardown(char ism[][256], int dibs)
{
	int ret;

	ret = zio_unbind(ism[ISM_OURS]);
	if (!ret)
		ret = zio_set_driver_override(ism[ISM_OURS], "\n");
	lc_result(!ret, "ism_function_unbinds_from_ours", strerror(-ret));
	if (!dibs)
		return;
	ret = zio_module_unload("zpci_io_ism_peer");
	if (!ret)
		ret = zio_module_unload("ism");
	if (!ret)
		ret = zio_module_unload("dibs");
	lc_result(!ret, "ism_peer_ism_and_dibs_unload", strerror(-ret));
}

static void mode_check(const char *rng, const char *net, int debug,
		       int ism_vfio)
{
	int dibs = !access(DIBS_KO, R_OK);
	char drv[128], ism[ISM_NUM][256] = { "", "", "" };
	int ret;

	emit(LIFECYCLE, "TAP version 13");
	emit(LIFECYCLE, "1..%d", 14 + (debug ? 3 : 0) + (ism_vfio ? 5 : 0) +
	     ISM_STEPS + ISM_END_STEPS +
	     (dibs ? ISM_DIBS_STEPS + ISM_DIBS_END_STEPS : 0));
	if (debug) {
		lc_result(debug_tools_present(), "debug_kernel_tools_present",
			  LOCKDEP_STATS " or " KMEMLEAK " missing");
		/* only what happens from here on is ours to answer for */
		zio_sysfs_write(KMEMLEAK, "clear");
	}
	lc_result(rng[0] && net[0], "two_zpci_functions_present",
		  "virtio-rng or virtio-net function missing");
	lc_result(!ccw_devices(), "no_channel_subsystem_devices_to_scan",
		  "a CCW device exists: the boot-time subchannel scan has work");
	ret = zio_module_load(DRIVER_KO, "");
	lc_result(!ret, "driver_module_loads", strerror(-ret));
	/*
	 * The real-instruction suites (zpci_io_kunit_hw) touch only the
	 * functions handed to them explicitly: the unbound virtio-net one and
	 * ism2.  The KUnit suites run while their module loads; both KUnit
	 * modules load and unload as one lifecycle step each.
	 */
	ism_find(ism);
	ret = zio_set_driver_override(net, KUNIT_HW_OVERRIDE);
	lc_result(!ret, "kunit_hw_function_handed_over", strerror(-ret));
	ret = zio_set_driver_override(ism[ISM_OURS], KUNIT_HW_OVERRIDE);
	lc_result(!ret, "kunit_hw_ism_function_handed_over", strerror(-ret));
	ret = zio_module_load(KUNIT_KO, "");
	if (!ret)
		ret = zio_module_load(KUNIT_HW_KO, "");
	lc_result(!ret, "kunit_module_loads", strerror(-ret));
	ret = zio_module_unload("zpci_io_kunit");
	if (!ret)
		ret = zio_module_unload("zpci_io_kunit_hw");
	lc_result(!ret, "kunit_module_unloads", strerror(-ret));
	ret = zio_set_driver_override(net, "\n");
	if (!ret)
		ret = zio_set_driver_override(ism[ISM_OURS], "\n");
	lc_result(!ret, "kunit_hw_functions_taken_back", strerror(-ret));
	lc_result(!zio_bind(rng), "bind_through_driver_override",
		  "driver link is not " ZIO_DRIVER);
	zio_bound_driver(net, drv, sizeof(drv));
	lc_result(strcmp(drv, ZIO_DRIVER) != 0, "binding_is_per_function",
		  "the other function got bound too");
	/* before the tests: the teardown suite unplugs the net function */
	if (ism_vfio)
		check_ism_vfio_coexistence(rng, net);
	ism_setup(ism, dibs);
	/* the kselftests of the emulated ISM function */
	setenv("ZPCI_IO_ISM_BDF", ism[ISM_OURS], 1);

	setenv("ZPCI_IO_MODULE", DRIVER_KO, 1);
	/* the host's QMP agent may device_del the virtio-net function */
	if (getenv("zpci_io_unplug_id") && net[0]) {
		setenv("ZPCI_IO_UNPLUG_ID", getenv("zpci_io_unplug_id"), 1);
		setenv("ZPCI_IO_UNPLUG_BDF", net, 1);
	}
	run_tests(rng);
	ism_teardown(ism, dibs);

	zio_bound_driver(rng, drv, sizeof(drv));
	lc_result(!strcmp(drv, ZIO_DRIVER), "function_bound_after_tests",
		  "the tests left the function unbound");
	lc_result(!zio_unbind(rng), "unbind_clean", "still bound");
	ret = zio_module_unload("zpci_io_vfio_pci");
	lc_result(!ret, "rmmod_clean", strerror(-ret));
	ret = zio_module_load(DRIVER_KO, "");
	lc_result(!ret && !zio_bind(rng) && !zio_unbind(rng),
		  "reload_rebind_unbind_clean", "reload cycle failed");
	ret = zio_module_unload("zpci_io_vfio_pci");
	lc_result(!ret, "final_rmmod_clean", strerror(-ret));
	if (debug) {
		check_lockdep_armed();
		check_kmemleak();
	}
}

static void mode_demo(const char *rng)
{
	char drv[128];
	int ret;

	ret = zio_module_load(DRIVER_KO, "");
	emit("demo", "# insmod zpci-io-vfio-pci.ko: %s",
	     ret ? strerror(-ret) : "ok");
	if (zio_bind(rng)) {
		emit("demo", "# binding %s failed", rng);
		return;
	}
	zio_bound_driver(rng, drv, sizeof(drv));
	emit("demo", "# %s (virtio-rng) is bound to %s", rng, drv);
	tool("info", rng, NULL, NULL, NULL, NULL);
	tool("bar-read", rng, "4", "0x12", "2", NULL);
	tool("load", rng, "4", "0x12", "2", NULL);
	tool("store", rng, "4", "0x20", "11223344443322115566778888776655",
	     NULL);
	tool("load", rng, "4", "0x20", "8", NULL);
	tool("bar-read", rng, "4", "0x20", "16", NULL);
	tool("counters", rng, NULL, NULL, NULL, NULL);
	tool("load", "-f", rng, "4", "0x12", "2");
	tool("store", "-f", rng, "1", "0xc80", "0000000000000000000000000000000000000000000000000000000000000000");
	zio_unbind(rng);
	zio_module_unload("zpci_io_vfio_pci");
}

/*
 * The virtio function's benchmark; on a kernel with dibs the ISM one too:
 * ism2 bound to ours, ism0 and ism1 to Linux's ism driver, the dibs peer
 * module owning the DMB the moves go to.
 */
static void mode_bench(const char *rng)
{
	char *argv[] = { "/bin/zpci-io", "bench", (char *)rng, NULL };
	char ism[ISM_NUM][256] = { "", "", "" };
	char *ism_argv[] = { "/bin/zpci-io-ism-bench", ism[ISM_OURS], NULL };
	int dibs = !access(DIBS_KO, R_OK);

	zio_module_load(DRIVER_KO, "");
	if (zio_bind(rng)) {
		emit("bench", "# binding %s failed", rng);
		return;
	}
	run_program("bench", argv, TEST_TIMEOUT);
	zio_unbind(rng);
	if (dibs) {
		ism_find(ism);
		ism_setup(ism, dibs);
		run_program("bench", ism_argv, TEST_TIMEOUT);
		ism_teardown(ism, dibs);
	}
	zio_module_unload("zpci_io_vfio_pci");
}

/* ---- nested: the patched QEMU in this guest, a guest inside it ------- */

/*
 * mode "nested" (outer guest): both functions are bound to zpci-io-vfio-pci
 * and passed through to an inner guest by the patched QEMU, the virtio-rng
 * one with zpci-io=on (each intercepted instruction becomes one region
 * request), the virtio-net one with zpci-io=off (QEMU's own path: a PCISTB
 * is cut into 8-byte BAR writes).  The inner guest boots this kernel with
 * this /init in mode "inner" and runs, in three phases:
 *
 * 1. the same store/load workload on both functions, through its own copy
 *    of the driver;
 * 2. the kselftest zpci_io_test on the zpci-io=on function, its driver
 *    bound (reported as the inner guest's zpci_io_test suite);
 * 3. the real-instruction KUnit suite zpci_io_hw on the zpci-io=on
 *    function, unbound (reported in the inner kernel's log): valid
 *    requests, and the ones QEMU must refuse itself (a 12-byte PCISTB, a
 *    disabled handle).
 *
 * Around phases 1 and 3 it stops at a pair of sync points
 * ("@@zpci_io_sync: <what>") and waits for a line on its console: the
 * outer /init takes the function measurement block of both functions at
 * each, so the counters of the outer functions (the external oracle: what
 * this kernel really issued) are compared with what the inner guest
 * issued.
 *
 * The inner guest's lines reach this console as "@@inner_kernel: " (its
 * kernel log, judged for splats like this kernel's) and "@@inner_init: ";
 * its own suite (zpci_io_inner) passes through unchanged.
 */
#define NESTED		"zpci_io_nested"
#define INNER		"zpci_io_inner"
#define SYNC		"zpci_io_sync"
/*
 * The ISM run: the outer guest's ism0 and ism1, bound to zpci-io-vfio-pci,
 * passed through with zpci-io=on to a second inner guest, where Linux's
 * ism driver binds them and the KUnit oracle zpci_io_ism_oracle (a dibs
 * client) moves data between them.  The inner guest reports what its
 * own measurement blocks counted as "@@zpci_io_ism_counts: <function>
 * <PCILG> <PCISTG> <PCISTB>".
 */
#define NESTED_ISM	"zpci_io_nested_ism"
#define INNER_ISM	"zpci_io_inner_ism"
#define ISM_COUNTS	"zpci_io_ism_counts"
/* QEMU's refusal of a function without MSI-X in intercept mode */
#define ISM_FENCE	"MSI-X support is mandatory"
#define INNER_QEMU	"/bin/qemu-system-s390x"
/*
 * A hang detector for the inner QEMU (and the kselftest in it), not a
 * timed assertion: whole nested runs take 33-38 s on an idle 2-core host
 * and about 70 s on one core; before the boot and measurement-block fixes
 * they took up to 24 minutes on another machine of the same kind.
 */
#define INNER_TIMEOUT	1500
/* what the inner workload issues per function between the sync points */
#define NESTED_BAR	4
#define NESTED_OFFSET	0x20	/* virtio common config: queue_desc */
#define NESTED_PCISTB	4	/* 16, 32, 64, 128 bytes */
#define NESTED_BYTES	(16 + 32 + 64 + 128)
#define NESTED_PCILG	(2 * NESTED_PCISTB)	/* 8 bytes at +0, +8 each */
#define PAST_PBA_BAR	1
#define PAST_PBA	0xd00	/* in BAR1, past the MSI-X PBA: nothing there */
/*
 * What zpci_io_hw, run in the inner guest on the zpci-io=on function, may
 * cost the outer function: each valid request once (PCISTG + PCILG of the
 * feature word; PCISTG of the queue select, one 16-byte PCISTB, two PCILG
 * back).  Its PCISTB past the PBA is issued here but raises the operand
 * exception, which the outer emulator's measurement block does not count;
 * its 12-byte PCISTB (specification exception) and its load through a
 * disabled handle (cc 3) are the inner QEMU's to refuse: nothing here.
 */
#define KUNIT_HW_PCILG	3
#define KUNIT_HW_PCISTG	2
#define KUNIT_HW_PCISTB	1
/*
 * The kselftests phase 2 runs: those whose requests leave the inner kernel
 * in a way phases 1 and 3 do not, so that they prove something about the
 * patched QEMU (every one of them also runs single-level).  Sub-doubleword
 * loads from both inner paths (the region and vfio-pci's split BAR access)
 * agree byte for byte; a 4-byte PCISTG and a 24-byte PCISTB read back
 * through both; a PCISTB onto the PBA stays in QEMU's own MSI-X emulation;
 * the inner guest's measurement block counts what QEMU forwarded.  Left
 * out: what the inner kernel decides alone (header, refused requests,
 * errno table, memory disabled, IRQ info, zPCI capabilities: QEMU's CLP),
 * what phase 1 already proves (PCISTB of 16 bytes, past the PBA) and the
 * 8000-request stress test.
 */
#define INNER_SELFTEST	"/tests/zpci_io_test"
#define INNER_SELFTESTS(t) \
	t(bar4_pread_shows_virtio_version_1_and_one_queue) \
	t(pcilg_equals_standard_bar_pread) \
	t(pcistg_then_pcilg_round_trip) \
	t(pcistb_24_bytes_lands_on_queue_registers) \
	t(pcistb_onto_pba_succeeds) \
	t(fmb_counts_one_insn_per_issued_request_none_per_refused)
/* sync points: a pair around the workload, a pair around the KUnit suite */
enum { PHASE_WORKLOAD, PHASE_KUNIT, PHASE_NUM };

enum { FN_ON, FN_OFF, FN_NUM };
static const char *const fn_mode[FN_NUM] = { "on", "off" };

struct nested {
	const char *bdf[FN_NUM];
	/* at each sync point: a phase's start and end */
	struct zio_fmb fmb[2 * PHASE_NUM][FN_NUM];
	int synced;
	int fmb_err;
	time_t start;
	struct timespec t0;
	long at[2 * PHASE_NUM];
	/* ISM run: what the inner guest's own measurement blocks counted */
	struct zio_fmb inner[FN_NUM];
	int inner_seen;
};

/* Milliseconds since @t0 (CLOCK_MONOTONIC) */
static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void nested_line(struct follow *f, char *text)
{
	struct nested *n = f->ctx;
	char *colon = strstr(text, ": ");
	int i, k;
	long ms;

	if (strncmp(text, "@@", 2) || !colon) {
		/*
		 * The inner kernel has no printk timestamps of its own: each
		 * line carries the time since the inner QEMU was started, as
		 * the outer guest saw it arrive (the report strips it like a
		 * printk timestamp), so the log shows where the time goes:
		 * QEMU start-up, decompression, boot, each phase.
		 */
		ms = ms_since(&n->t0);
		emit("inner_kernel", "[%5ld.%03ld] %s", ms / 1000, ms % 1000,
		     text);
		return;
	}
	if (!strncmp(text, "@@init: ", 8)) {
		emit("inner_init", "%s", text + 8);
		return;
	}
	if (!strncmp(text, "@@" ISM_COUNTS ": ", strlen("@@" ISM_COUNTS ": "))) {
		unsigned long long ld, st, stb;

		if (sscanf(colon + 2, "%d %llu %llu %llu", &i, &ld, &st,
			   &stb) == 4 && i >= 0 && i < FN_NUM) {
			n->inner[i].loads = ld;
			n->inner[i].stores = st;
			n->inner[i].store_blocks = stb;
			n->inner_seen |= 1 << i;
		}
		emit(f->tag, "# inner guest counted (function, PCILG, PCISTG, PCISTB): %s",
		     colon + 2);
		return;
	}
	if (strncmp(text, "@@" SYNC ": ", strlen("@@" SYNC ": "))) {
		/* the inner suite's KTAP, as it is */
		size_t len = strlen(text);

		text[len] = '\n';
		if (write(console_fd, text, len + 1) < 0)
			return;
		return;
	}
	/*
	 * QEMU's measurement block stops when a function is re-enabled, as
	 * opening or releasing it does: restart it at each phase's start,
	 * after the inner guest opened or released both (the baseline is
	 * there at once); at a phase's end take both blocks' next samples,
	 * waited for side by side.
	 */
	k = n->synced;
	if (k < 2 * PHASE_NUM) {
		if (k % 2) {
			if (zio_fmb_fresh_n(n->bdf, n->fmb[k], FN_NUM, 15))
				n->fmb_err++;
		} else {
			for (i = 0; i < FN_NUM; i++)
				if (zio_fmb_start(n->bdf[i], &n->fmb[k][i]))
					n->fmb_err++;
		}
		n->at[k] = (long)(time(NULL) - n->start);
		n->synced++;
	}
	emit(f->tag, "# inner guest at sync point %d (%s) after %ld s", k + 1,
	     colon + 2, (long)(time(NULL) - n->start));
	if (f->in_fd < 0 || write(f->in_fd, "go\n", 3) != 3)
		emit(f->tag, "# cannot answer the inner guest");
}

/* What a measurement block counted from @a to @b: 0 PCILG, 1 PCISTG, 2 PCISTB */
static unsigned long long fmb_diff(const struct zio_fmb *a,
				   const struct zio_fmb *b, int what)
{
	switch (what) {
	case 0:
		return b->loads - a->loads;
	case 1:
		return b->stores - a->stores;
	}
	return b->store_blocks - a->store_blocks;
}

/* fmb_diff() of function @fn of @n over phase @phase's sync points */
static unsigned long long fmb_delta(struct nested *n, int phase, int fn,
				     int what)
{
	return fmb_diff(&n->fmb[2 * phase][fn], &n->fmb[2 * phase + 1][fn],
			what);
}

/*
 * Boot an inner guest under the patched QEMU with both functions of @n
 * passed through, function i with zpci-io=@mode[i], and follow its
 * console (@f, whose context is @n); @params go to the inner kernel's
 * command line.  Returns the inner QEMU's exit status.
 */
static int inner_qemu_boot(struct follow *f, struct nested *n,
			   const char *params, const char *const mode[FN_NUM])
{
	char append[256], dev[FN_NUM][160], host[FN_NUM][160];
	char *argv[] = {
		INNER_QEMU, "-M", "s390-ccw-virtio", "-accel", "tcg",
		"-cpu", "max", "-smp", "1", "-m", "256", "-nographic",
		"-no-reboot", "-L", "/share/qemu", "-nic", "none",
		/* what QEMU found: one line per function */
		"-trace", "s390_pci_zpci_io*",
		"-kernel", "/inner/bzImage", "-initrd", "/inner/initramfs.cpio",
		"-append", append,
		"-device", dev[0], "-device", host[0],
		"-device", dev[1], "-device", host[1], NULL
	};
	int i, status;

	snprintf(append, sizeof(append),
		 "console=ttysclp0 panic=-1 cio_ignore=all %s", params);
	for (i = 0; i < FN_NUM; i++) {
		snprintf(dev[i], sizeof(dev[i]),
			 "zpci,uid=%d,fid=%d,target=hostdev%d,zpci-io=%s",
			 i + 1, i + 1, i, mode[i]);
		snprintf(host[i], sizeof(host[i]),
			 "vfio-pci,host=%.64s,id=hostdev%d", n->bdf[i], i);
		emit(f->tag, "# -device %s -device %s", dev[i], host[i]);
	}
	n->start = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &n->t0);
	status = spawn_follow(f, argv, INNER_TIMEOUT);
	emit(f->tag, "# inner QEMU ran %ld s (exit status 0x%x)",
	     (long)(time(NULL) - n->start), status);
	return status;
}

/* What an inner QEMU said while it plugged one ISM function */
struct plug_probe {
	char msg[512];
};

static void plug_line(struct follow *f, char *text)
{
	struct plug_probe *p = f->ctx;

	if (!p->msg[0] && strstr(text, "qemu-system-s390x: "))
		snprintf(p->msg, sizeof(p->msg), "%s", text);
	emit(f->tag, "# %s", text);
}

/*
 * Start the inner QEMU paused, with @bdf passed through as zpci-io=@mode,
 * and quit it from its monitor: its exit status (0: the function
 * plugged), its first error line in @p.
 */
static int ism_plug(const char *bdf, const char *mode, struct plug_probe *p)
{
	char dev[160], host[160];
	char *argv[] = {
		INNER_QEMU, "-M", "s390-ccw-virtio", "-accel", "tcg",
		"-cpu", "max", "-m", "256", "-display", "none", "-nodefaults",
		"-L", "/share/qemu", "-S", "-monitor", "stdio",
		"-device", dev, "-device", host, NULL
	};
	struct follow f = { .tag = NESTED_ISM, .line = plug_line,
			    .want_stdin = 1, .in_fd = -1, .input = "quit\n",
			    .ctx = p };

	memset(p, 0, sizeof(*p));
	snprintf(dev, sizeof(dev), "zpci,uid=1,fid=1,target=ism,zpci-io=%s",
		 mode);
	snprintf(host, sizeof(host), "vfio-pci,host=%.64s,id=ism", bdf);
	emit(NESTED_ISM, "# plug only: -device %s -device %s", dev, host);
	return spawn_follow(&f, argv, 120);
}

/*
 * Where an intercepted ISM function cannot work, the inner QEMU refuses
 * its plug with the fence's message: zpci-io=off on our driver, and
 * vfio-pci (no region) with zpci-io=auto; zpci-io=on on vfio-pci is the
 * property's own refusal.  ism-vfio-pci offers no region either: what
 * QEMU does with it is reported and must be the fence.
 */
/*
 * The test @name: with @bdf bound as it should be (@bound: 0, or why not),
 * the inner QEMU refuses its plug as zpci-io=@mode with a message
 * containing @want.  Returns whether the plug was refused; its first
 * error line in @p.
 */
static int ism_plug_refused(struct suite *t, const char *name, int bound,
			    const char *bdf, const char *mode, const char *want,
			    struct plug_probe *p)
{
	int refused = !bound && ism_plug(bdf, mode, p);

	result(t, refused && strstr(p->msg, want), name,
	       bound ? strerror(-bound) :
	       p->msg[0] ? p->msg : "the plug did not fail");
	return refused;
}

static void nested_ism_fence(struct suite *t, const char *bdf)
{
	struct plug_probe p;
	char drv[128];
	int ret, refused;

	ism_plug_refused(t, "zpci_io_off_ism_is_not_plugged_with_the_fence_message",
			 0, bdf, "off", ISM_FENCE, &p);

	zio_unbind(bdf);
	ret = zio_bind_driver(bdf, "vfio-pci");
	ism_plug_refused(t, "vfio_pci_ism_is_not_plugged_with_the_fence_message",
			 ret, bdf, "auto", ISM_FENCE, &p);
	ism_plug_refused(t, "vfio_pci_ism_with_zpci_io_on_is_refused_for_want_of_the_region",
			 ret, bdf, "on", "offers no zPCI I/O region", &p);
	zio_unbind_driver(bdf);

	ret = zio_module_load(ISM_VFIO_KO, "");
	if (!ret)
		ret = zio_bind_driver(bdf, ISM_VFIO);
	refused = ism_plug_refused(t, "ism_vfio_pci_ism_is_not_plugged_with_the_fence_message",
				   ret, bdf, "auto", ISM_FENCE, &p);
	emit(t->name, "# bound to %s, zpci-io=auto: QEMU %s%s", ISM_VFIO,
	     ret ? "not run: " : refused ? "refuses the plug: " : "plugs it",
	     ret ? strerror(-ret) : refused ? p.msg : "");
	zio_unbind_driver(bdf);
	zio_set_driver_override(bdf, "\n");
	zio_module_unload(ISM_VFIO);
	ret = zio_bind(bdf);
	zio_bound_driver(bdf, drv, sizeof(drv));
	result(t, !ret, "ism_function_back_on_ours", drv[0] ? drv : "unbound");
}

/*
 * Both ISM functions through the region: the inner guest's measurement
 * blocks (what QEMU completed for it) against the outer functions' (what
 * this kernel completed for QEMU) over the oracle's run.
 */
static void nested_ism_run(struct suite *t, char ism[][256],
			   const char *kernel)
{
	static const char *const on[FN_NUM] = { "on", "on" };
	struct nested n = { .bdf = { ism[0], ism[1] } };
	struct follow f = { .tag = NESTED_ISM, .line = nested_line,
			    .want_stdin = 1, .in_fd = -1, .ctx = &n };
	const struct zio_fmb *in;
	int i, status, all, same = 1;
	char params[128];

	snprintf(params, sizeof(params),
		 "kunit.filter_glob=zpci_io_*ism* zpci_io_inner=ism zpci_io_kernel=%s-inner",
		 kernel ? kernel : "?");
	status = inner_qemu_boot(&f, &n, params, on);
	result(t, status == 0, "inner_qemu_with_two_ism_functions_exits_cleanly",
	       "QEMU failed or was killed (see the lines above)");
	all = n.synced == 2 && !n.fmb_err && n.inner_seen == (1 << FN_NUM) - 1;
	result(t, all, "oracle_run_measured_inside_and_outside",
	       "the inner guest did not reach both sync points or report its counts, or a measurement block could not be read");
	if (n.synced == 2)
		emit(NESTED_ISM, "# inner boot to oracle %ld s, oracle %ld s",
		     n.at[0], n.at[1] - n.at[0]);
	/* the ISM run has one phase, the oracle's, at sync points 1 and 2 */
	for (i = 0; i < FN_NUM; i++) {
		in = &n.inner[i];
		emit(NESTED_ISM, "# table: %s | inner issued %llu PCISTB, %llu PCISTG, %llu PCILG | outer counted %llu PCISTB, %llu PCISTG, %llu PCILG",
		     ism[i], (unsigned long long)in->store_blocks,
		     (unsigned long long)in->stores,
		     (unsigned long long)in->loads, fmb_delta(&n, 0, i, 2),
		     fmb_delta(&n, 0, i, 1), fmb_delta(&n, 0, i, 0));
		same = same && in->store_blocks &&
		       in->store_blocks == fmb_delta(&n, 0, i, 2) &&
		       in->stores == fmb_delta(&n, 0, i, 1) &&
		       in->loads == fmb_delta(&n, 0, i, 0);
	}
	result(t, all && same,
	       "each_inner_ism_instruction_is_exactly_one_outer_instruction",
	       "the outer functions did not count exactly what the inner guest issued");
}

static void nested_ism(const char *kernel)
{
	struct suite t = { .name = NESTED_ISM };
	char ism[FN_NUM][256] = { "", "" };
	int i, ret = 0;

	emit(NESTED_ISM, "TAP version 13");
	emit(NESTED_ISM, "1..10");
	result(&t, ism_find_n(ism, FN_NUM) == FN_NUM, "two_emulated_ism_functions_present",
	       "fewer s390-ism functions than the harness plugs");
	for (i = 0; i < FN_NUM && !ret; i++)
		ret = zio_bind(ism[i]);
	result(&t, !ret, "both_ism_functions_bound_to_ours", strerror(-ret));
	nested_ism_fence(&t, ism[0]);
	nested_ism_run(&t, ism, kernel);
	for (i = 0; i < FN_NUM; i++)
		zio_unbind(ism[i]);
	for (i = 0; i < FN_NUM; i++)
		zio_set_driver_override(ism[i], "\n");
	lifecycle.failed += t.failed;
}

static void mode_nested(const char *rng, const char *net, const char *kernel)
{
	struct suite t = { .name = NESTED };
	struct nested n = { .bdf = { rng, net } };
	struct follow f = { .tag = NESTED, .line = nested_line,
			    .want_stdin = 1, .in_fd = -1, .ctx = &n };
	unsigned long long ld, st, stb;
	int i, ret, status, all;
	char params[128];

	emit(NESTED, "TAP version 13");
	emit(NESTED, "1..10");
	result(&t, rng[0] && net[0], "two_zpci_functions_present",
	       "virtio-rng or virtio-net function missing");
	ret = zio_module_load(DRIVER_KO, "");
	result(&t, !ret, "driver_module_loads", strerror(-ret));
	result(&t, !zio_bind(rng) && !zio_bind(net), "both_functions_bound",
	       "a function did not bind to " ZIO_DRIVER);

	snprintf(params, sizeof(params),
		 "kunit.filter_glob=zpci_io_hw zpci_io_kernel=%s-inner",
		 kernel ? kernel : "?");
	status = inner_qemu_boot(&f, &n, params, fn_mode);
	result(&t, status == 0, "inner_qemu_exits_cleanly",
	       "QEMU failed or was killed (see the lines above)");
	all = n.synced == 2 * PHASE_NUM && !n.fmb_err;
	result(&t, all, "inner_phases_measured_between_sync_points",
	       "the inner guest did not reach every sync point, or a measurement block could not be started or read");
	if (n.synced >= 2) {
		emit(NESTED, "# inner boot to workload %ld s, workload %ld s",
		     n.at[0], n.at[1] - n.at[0]);
		for (i = 0; i < FN_NUM; i++)
			emit(NESTED, "# zpci-io=%s %s: inner issued %d PCISTB (%d bytes) + %d PCILG; outer counted %llu PCISTB, %llu PCISTG, %llu PCILG",
			     fn_mode[i], n.bdf[i], NESTED_PCISTB, NESTED_BYTES,
			     NESTED_PCILG,
			     fmb_delta(&n, PHASE_WORKLOAD, i, 2),
			     fmb_delta(&n, PHASE_WORKLOAD, i, 1),
			     fmb_delta(&n, PHASE_WORKLOAD, i, 0));
	}
	ld = fmb_delta(&n, PHASE_WORKLOAD, FN_ON, 0);
	st = fmb_delta(&n, PHASE_WORKLOAD, FN_ON, 1);
	stb = fmb_delta(&n, PHASE_WORKLOAD, FN_ON, 2);
	result(&t, all && stb == NESTED_PCISTB && st == 0,
	       "region_inner_pcistb_is_exactly_one_outer_pcistb",
	       "the outer function did not count one store block per inner PCISTB");
	result(&t, all && ld == NESTED_PCILG,
	       "region_inner_pcilg_is_exactly_one_outer_pcilg",
	       "the outer function did not count one load per inner PCILG");
	st = fmb_delta(&n, PHASE_WORKLOAD, FN_OFF, 1);
	stb = fmb_delta(&n, PHASE_WORKLOAD, FN_OFF, 2);
	result(&t, all && stb == 0 && st >= NESTED_BYTES / 8,
	       "without_region_qemu_splits_every_inner_pcistb",
	       "zpci-io=off: expected no store block and at least one store per 8 bytes");
	if (all) {
		emit(NESTED, "# inner KUnit zpci_io_hw took %ld s", n.at[3] - n.at[2]);
		for (i = 0; i < FN_NUM; i++)
			emit(NESTED, "# zpci-io=%s %s: inner KUnit zpci_io_hw; outer counted %llu PCISTB, %llu PCISTG, %llu PCILG",
			     fn_mode[i], n.bdf[i],
			     fmb_delta(&n, PHASE_KUNIT, i, 2),
			     fmb_delta(&n, PHASE_KUNIT, i, 1),
			     fmb_delta(&n, PHASE_KUNIT, i, 0));
	}
	result(&t, all &&
	       fmb_delta(&n, PHASE_KUNIT, FN_ON, 0) == KUNIT_HW_PCILG &&
	       fmb_delta(&n, PHASE_KUNIT, FN_ON, 1) == KUNIT_HW_PCISTG &&
	       fmb_delta(&n, PHASE_KUNIT, FN_ON, 2) == KUNIT_HW_PCISTB,
	       "inner_kunit_hw_reaches_host_only_with_valid_requests",
	       "expected 3 PCILG, 2 PCISTG, 1 PCISTB: the requests QEMU must refuse reached the host, or a valid one did not");
	result(&t, all &&
	       !fmb_delta(&n, PHASE_KUNIT, FN_OFF, 0) &&
	       !fmb_delta(&n, PHASE_KUNIT, FN_OFF, 1) &&
	       !fmb_delta(&n, PHASE_KUNIT, FN_OFF, 2),
	       "inner_kunit_hw_leaves_the_other_function_alone",
	       "the function not handed to the suite counted instructions");
	zio_unbind(rng);
	zio_unbind(net);
	lifecycle.failed += t.failed;
	nested_ism(kernel);
	zio_module_unload("zpci_io_vfio_pci");
}

/* Block until the outer /init answers a sync point */
static void inner_sync(const char *what)
{
	char c = 0;
	int fd = open("/dev/console", O_RDONLY | O_NOCTTY);

	emit(SYNC, "%s", what);
	while (fd >= 0 && read(fd, &c, 1) == 1 && c != '\n')
		;
	if (fd >= 0)
		close(fd);
}

/* One PCISTB of @len at the nested offset, read back with two PCILG */
static int inner_store_readback(struct zio_dev *d, uint16_t len)
{
	struct vfio_zpci_io_resp resp;
	uint8_t data[128] = { 0 }, back[16];
	int i, ret;

	for (i = 0; i < 16; i++)
		data[i] = (uint8_t)(len + i * 17);
	ret = zio_request(d, VFIO_ZPCI_IO_OP_PCISTB, NESTED_BAR, NESTED_OFFSET,
			  data, len, &resp);
	if (ret)
		return ret;
	if (resp.cc || resp.flags)
		return -EPROTO;
	for (i = 0; i < 2; i++) {
		ret = zio_request(d, VFIO_ZPCI_IO_OP_PCILG, NESTED_BAR,
				  NESTED_OFFSET + 8 * i, back + 8 * i, 8, &resp);
		if (ret)
			return ret;
		if (resp.cc || resp.flags)
			return -EPROTO;
	}
	if (!memcmp(back, data, 16))
		return 0;
	emit(INNER, "# stored %016llx%016llx, read back %016llx%016llx",
	     (unsigned long long)be64toh(*(uint64_t *)data),
	     (unsigned long long)be64toh(*(uint64_t *)(data + 8)),
	     (unsigned long long)be64toh(*(uint64_t *)back),
	     (unsigned long long)be64toh(*(uint64_t *)(back + 8)));
	return -EBADMSG;
}

static int inner_past_pba(struct zio_dev *d)
{
	struct vfio_zpci_io_resp resp;
	uint8_t data[16] = { 0 };
	int ret;

	ret = zio_request(d, VFIO_ZPCI_IO_OP_PCISTB, PAST_PBA_BAR, PAST_PBA,
			  data, sizeof(data), &resp);
	if (ret)
		return ret;
	return resp.flags == VFIO_ZPCI_IO_RESP_EXCEPTION &&
	       resp.pic == VFIO_ZPCI_IO_PIC_OPERAND ? 0 : -EPROTO;
}

static void mode_inner(const char *rng, const char *net)
{
	const char *bdf[FN_NUM] = { rng, net };
	struct suite t = { .name = INNER };
	struct zio_dev d[FN_NUM];
	char name[96];
	int i, ret, len, opened[FN_NUM] = { 0 };

	emit(INNER, "TAP version 13");
	emit(INNER, "1..%d", 9 + FN_NUM * 5);
	result(&t, rng[0] && net[0], "two_passed_through_functions_present",
	       "virtio-rng or virtio-net function missing");
	ret = zio_module_load(DRIVER_KO, "");
	result(&t, !ret, "driver_module_loads", strerror(-ret));
	for (i = 0; i < FN_NUM; i++) {
		ret = bdf[i][0] ? zio_bind(bdf[i]) : -ENODEV;
		if (!ret)
			ret = zio_open(bdf[i], &d[i]);
		opened[i] = !ret;
		snprintf(name, sizeof(name), "zpci_io_%s_region_found_non_mio",
			 fn_mode[i]);
		result(&t, !ret && (d[i].hdr.flags & VFIO_ZPCI_IO_HDR_NON_MIO),
		       name, ret ? strerror(-ret) : "header lacks NON_MIO");
	}
	inner_sync("ready");
	for (i = 0; i < FN_NUM; i++) {
		for (len = 16; len <= 128; len *= 2) {
			ret = opened[i] ? inner_store_readback(&d[i], len) : -ENODEV;
			snprintf(name, sizeof(name),
				 "zpci_io_%s_pcistb_%d_lands_and_reads_back",
				 fn_mode[i], len);
			result(&t, !ret, name, strerror(-ret));
		}
	}
	inner_sync("done");
	/*
	 * Through the region the host's own exception arrives; QEMU's path
	 * turns the same store into BAR writes whose outcome is its own
	 * business: reported, not judged.
	 */
	ret = opened[FN_ON] ? inner_past_pba(&d[FN_ON]) : -ENODEV;
	result(&t, !ret, "zpci_io_on_pcistb_past_pba_is_operand_exception",
	       strerror(-ret));
	if (opened[FN_OFF]) {
		ret = inner_past_pba(&d[FN_OFF]);
		emit(INNER, "# zpci-io=off: a PCISTB past the PBA %s",
		     ret ? "is not an operand exception" :
		     "is an operand exception");
	}
	for (i = 0; i < FN_NUM; i++)
		if (opened[i])
			zio_close(&d[i]);

	/* phase 2: the kselftests through this kernel's copy of the driver */
	if (opened[FN_ON]) {
#define SELECT(name) "-t", #name,
		char *argv[] = { INNER_SELFTEST, INNER_SELFTESTS(SELECT) NULL };
#undef SELECT
		time_t start = time(NULL);

		setenv("ZPCI_IO_BDF", rng, 1);
		run_program("zpci_io_test", argv, INNER_TIMEOUT);
		emit("init", "zpci_io_test took %ld s", (long)(time(NULL) - start));
	}
	ret = zio_unbind(rng);
	if (!ret)
		ret = zio_unbind(net);
	result(&t, !ret, "both_functions_unbind", strerror(-ret));

	/*
	 * phase 3: the real-instruction KUnit suite on the zpci-io=on
	 * function (the kernel command line filters zpci_io_kunit_hw's
	 * suites to zpci_io_hw), between a pair of sync points
	 */
	ret = zio_set_driver_override(rng, KUNIT_HW_OVERRIDE);
	result(&t, !ret, "kunit_hw_function_handed_over", strerror(-ret));
	inner_sync("kunit");
	ret = zio_module_load(KUNIT_HW_KO, "");
	inner_sync("kunit done");
	result(&t, !ret, "kunit_module_loads", strerror(-ret));
	ret = zio_module_unload("zpci_io_kunit_hw");
	result(&t, !ret, "kunit_module_unloads", strerror(-ret));
	ret = zio_set_driver_override(rng, "\n");
	result(&t, !ret, "kunit_hw_function_taken_back", strerror(-ret));

	ret = zio_module_unload("zpci_io_vfio_pci");
	result(&t, !ret, "rmmod_clean", strerror(-ret));
	lifecycle.failed += t.failed;
}

/* Interrupts /proc/interrupts counts for the vector named @bdf */
static unsigned long long irq_count(const char *bdf)
{
	char line[1024], *p, *end;
	unsigned long long sum = 0;
	FILE *fp = fopen("/proc/interrupts", "r");

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		if (!strstr(line, bdf) || !(p = strchr(line, ':')))
			continue;
		/* "<irq>: <count per CPU>... <chip> <name>" */
		for (p++;; p = end) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
	}
	fclose(fp);
	return sum;
}

/*
 * The inner guest of the ISM run: Linux's ism driver binds both
 * passed-through ISM functions (query info, SBA, IEQ, GID), lets them go
 * and binds them again; then the KUnit oracle runs between a pair of
 * sync points, counted by this guest's own measurement blocks.
 */
static void mode_inner_ism(void)
{
	struct suite t = { .name = INNER_ISM };
	char ism[FN_NUM][256] = { "", "" };
	const char *bdf[FN_NUM] = { ism[0], ism[1] };
	struct zio_fmb start[FN_NUM], end[FN_NUM];
	unsigned long long irqs[FN_NUM];
	int i, ret, ok, fmb;

	emit(INNER_ISM, "TAP version 13");
	emit(INNER_ISM, "1..9");
	result(&t, ism_find_n(ism, FN_NUM) == FN_NUM, "two_passed_through_ism_functions_present",
	       "fewer ISM functions than the outer guest passed through");
	/*
	 * the real-instruction KUnit suite zpci_io_hw_ism (the kernel
	 * command line filters zpci_io_kunit_hw's suites to it) on the
	 * first function, before any driver has it: relaxed PCISTB of the
	 * inner QEMU, refusals included
	 */
	ret = zio_set_driver_override(ism[0], KUNIT_HW_OVERRIDE);
	if (!ret)
		ret = zio_module_load(KUNIT_HW_KO, "");
	if (!ret)
		ret = zio_module_unload("zpci_io_kunit_hw");
	if (!ret)
		ret = zio_set_driver_override(ism[0], "\n");
	result(&t, !ret, "kunit_hw_ism_runs_on_the_first_function",
	       strerror(-ret));
	ret = zio_module_load(DIBS_KO, "");
	if (!ret)
		ret = zio_module_load(ISM_KO, "");
	result(&t, !ret, "dibs_and_ism_modules_load", strerror(-ret));
	result(&t, ism_all_bound_to(ism, FN_NUM, ISM_DRIVER),
	       "ism_driver_binds_both_functions",
	       "a function is not bound to ism");
	for (i = 0, ret = 0; i < FN_NUM && !ret; i++)
		ret = zio_unbind_driver(ism[i]);
	for (i = 0; i < FN_NUM && !ret; i++)
		ret = zio_sysfs_write("/sys/bus/pci/drivers/" ISM_DRIVER "/bind",
				      ism[i]);
	result(&t, !ret && ism_all_bound_to(ism, FN_NUM, ISM_DRIVER),
	       "ism_driver_unbinds_and_binds_both_again",
	       ret ? strerror(-ret) : "a function is not bound to ism again");

	for (i = 0, fmb = 0; i < FN_NUM; i++) {
		irqs[i] = irq_count(ism[i]);
		fmb = fmb || zio_fmb_start(ism[i], &start[i]);
	}
	result(&t, !fmb, "measurement_blocks_start",
	       "a measurement block could not be started");
	inner_sync("ism oracle");
	/* the suite zpci_io_ism_oracle runs while the module loads */
	ret = zio_module_load(ORACLE_KO, "");
	fmb = fmb || zio_fmb_fresh_n(bdf, end, FN_NUM, 15);
	inner_sync("ism oracle done");
	result(&t, !ret, "ism_oracle_module_loads", strerror(-ret));
	for (i = 0; i < FN_NUM && !fmb; i++)
		emit(ISM_COUNTS, "%d %llu %llu %llu", i,
		     fmb_diff(&start[i], &end[i], 0),
		     fmb_diff(&start[i], &end[i], 1),
		     fmb_diff(&start[i], &end[i], 2));
	for (i = 0, ok = 1; i < FN_NUM; i++) {
		irqs[i] = irq_count(ism[i]) - irqs[i];
		emit(INNER_ISM, "# %s: %llu interrupts during the oracle",
		     ism[i], irqs[i]);
		ok = ok && irqs[i];
	}
	result(&t, ok, "ism_interrupts_reach_both_functions",
	       "a function took no interrupt (MSI) during the oracle");
	ret = zio_module_unload("zpci_io_ism_oracle");
	if (!ret)
		ret = zio_module_unload("ism");
	if (!ret)
		ret = zio_module_unload("dibs");
	result(&t, !ret, "oracle_ism_and_dibs_unload", strerror(-ret));
	lifecycle.failed += t.failed;
}

int main(void)
{
	char mode[32] = "check", rng[256] = "", net[256] = "";
	/* unknown kernel parameters reach init's environment */
	const char *kernel = getenv("zpci_io_kernel");
	size_t klen = kernel ? strlen(kernel) : 0;
	/* LINE-debug (or 6.1's alias "debug"): the checkers are built in */
	int debug = klen >= 5 && !strcmp(kernel + klen - 5, "debug");

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	console_fd = open("/dev/console", O_WRONLY);
	if (console_fd < 0)
		console_fd = 1;

	zio_sysfs_read("/mode", mode, sizeof(mode));
	zio_find_function(0x1af4, 0x1044, rng, sizeof(rng));
	zio_find_function(0x1af4, 0x1041, net, sizeof(net));
	emit("init", "mode %s, kernel %s%s, virtio-rng %s, virtio-net %s", mode,
	     kernel ? kernel : "?", debug ? " (debug)" : "", rng[0] ? rng : "-",
	     net[0] ? net : "-");

	if (!strcmp(mode, "demo"))
		mode_demo(rng);
	else if (!strcmp(mode, "nested"))
		mode_nested(rng, net, kernel);
	else if (!strcmp(mode, "inner") && getenv("zpci_io_inner"))
		mode_inner_ism();
	else if (!strcmp(mode, "inner"))
		mode_inner(rng, net);
	else if (!strcmp(mode, "bench"))
		mode_bench(rng);
	else
		mode_check(rng, net, debug,
			   getenv("zpci_io_ism_vfio") != NULL);

	emit("init", "done (%d lifecycle failures)", lifecycle.failed);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
