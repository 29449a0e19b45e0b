// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the zpci-io s390x test guest (no busybox for s390x in Debian).
 *
 * Reads /mode (check, demo, bench), loads the modules, binds the
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
#define KUNIT_KO	MODDIR "zpci_io_kunit.ko"
/* Linux 7.1+: the in-tree ISM variant driver, when the kernel built it */
#define ISM_VFIO_KO	MODDIR "ism-vfio-pci.ko"
#define ISM_VFIO	"ism_vfio_pci"	/* its driver name (KBUILD_MODNAME) */
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define LOCKDEP_STATS	"/proc/lockdep_stats"
#define LIFECYCLE	"zpci_io_lifecycle"
#define TEST_TIMEOUT	600
/* ZPCI_IO_KUNIT_HW_OVERRIDE of the driver: hands a function to KUnit */
#define KUNIT_HW_OVERRIDE	"zpci_io_kunit_hw"

static int console_fd = 1;
static int lc_num;
static int lc_failed;

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

static void lc_result(int ok, const char *name, const char *why)
{
	lc_num++;
	if (!ok)
		lc_failed++;
	if (!ok && why)
		emit(LIFECYCLE, "# %s: %s", name, why);
	emit(LIFECYCLE, "%sok %d %s", ok ? "" : "not ", lc_num, name);
}

/*
 * Run @argv with stdout and stderr piped back and re-emitted line by line
 * under @tag; kill it after @timeout seconds.  Returns the exit status.
 */
static int run_program(const char *tag, char *const argv[], int timeout)
{
	char buf[4096], line[1024];
	size_t used = 0;
	time_t start = time(NULL);
	int pfd[2], status = -1;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
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
				emit(tag, "# harness: timeout after %ds, killed",
				     timeout);
				kill(pid, SIGKILL);
				break;
			}
			usleep(20000);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' || used == sizeof(line) - 1) {
				line[used] = 0;
				emit(tag, "%s", line);
				used = 0;
				if (buf[i] == '\n')
					continue;
			}
			line[used++] = buf[i];
		}
	}
	if (used) {
		line[used] = 0;
		emit(tag, "%s", line);
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		emit(tag, "# harness: killed by signal %d", WTERMSIG(status));
	return status;
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

static void mode_check(const char *rng, const char *net, int debug,
		       int ism_vfio)
{
	char drv[128];
	int ret;

	emit(LIFECYCLE, "TAP version 13");
	emit(LIFECYCLE, "1..%d", 14 + (debug ? 3 : 0) + (ism_vfio ? 5 : 0));
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
	 * The real-instruction suite touches only the function handed to it
	 * explicitly: the unbound virtio-net one.  The KUnit suites run
	 * while the module loads.
	 */
	ret = zio_set_driver_override(net, KUNIT_HW_OVERRIDE);
	lc_result(!ret, "kunit_hw_function_handed_over", strerror(-ret));
	ret = zio_module_load(KUNIT_KO, "");
	lc_result(!ret, "kunit_module_loads", strerror(-ret));
	ret = zio_module_unload("zpci_io_kunit");
	lc_result(!ret, "kunit_module_unloads", strerror(-ret));
	ret = zio_set_driver_override(net, "\n");
	lc_result(!ret, "kunit_hw_function_taken_back", strerror(-ret));
	lc_result(!zio_bind(rng), "bind_through_driver_override",
		  "driver link is not " ZIO_DRIVER);
	zio_bound_driver(net, drv, sizeof(drv));
	lc_result(strcmp(drv, ZIO_DRIVER) != 0, "binding_is_per_function",
		  "the other function got bound too");
	/* before the tests: the teardown suite unplugs the net function */
	if (ism_vfio)
		check_ism_vfio_coexistence(rng, net);

	setenv("ZPCI_IO_MODULE", DRIVER_KO, 1);
	/* the host's QMP agent may device_del the virtio-net function */
	if (getenv("zpci_io_unplug_id") && net[0]) {
		setenv("ZPCI_IO_UNPLUG_ID", getenv("zpci_io_unplug_id"), 1);
		setenv("ZPCI_IO_UNPLUG_BDF", net, 1);
	}
	run_tests(rng);

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

static void mode_bench(const char *rng)
{
	char *argv[] = { "/bin/zpci-io", "bench", (char *)rng, NULL };

	zio_module_load(DRIVER_KO, "");
	if (zio_bind(rng)) {
		emit("bench", "# binding %s failed", rng);
		return;
	}
	run_program("bench", argv, TEST_TIMEOUT);
	zio_unbind(rng);
	zio_module_unload("zpci_io_vfio_pci");
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
	else if (!strcmp(mode, "bench"))
		mode_bench(rng);
	else
		mode_check(rng, net, debug,
			   getenv("zpci_io_ism_vfio") != NULL);

	emit("init", "done (%d lifecycle failures)", lc_failed);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
