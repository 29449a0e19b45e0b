// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the zpci-io s390x test guest (no busybox for s390x in Debian).
 *
 * Reads /mode (check, demo, bench), loads the modules, binds the
 * virtio-rng zPCI function to zpci-io-vfio-pci through driver_override and
 * runs the userspace programs.  Every line a program prints reaches the
 * console as "@@<program>: <line>", so the host can tell userspace KTAP
 * from the kernel log.  The guest's own lifecycle checks are reported as
 * KTAP under "@@zpci_io_lifecycle: ".  Then the guest powers off.
 */
#include <dirent.h>
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DRIVER		"zpci-io-vfio-pci"
#define MODDIR		"/lib/modules/"
#define LIFECYCLE	"zpci_io_lifecycle"
#define TEST_TIMEOUT	600

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

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

static int load_module(const char *name, const char *params)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), MODDIR "%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

static int unload_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* First PCI function with vendor:device, as DDDD:BB:DD.F in @bdf */
static int find_function(unsigned int vendor, unsigned int device,
			 char *bdf, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char path[512], val[32];
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 e->d_name);
		if (read_file(path, val, sizeof(val)) ||
		    strtoul(val, NULL, 16) != vendor)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 e->d_name);
		if (read_file(path, val, sizeof(val)) ||
		    strtoul(val, NULL, 16) != device)
			continue;
		snprintf(bdf, len, "%s", e->d_name);
		found = 1;
	}
	closedir(d);
	return found;
}

/* Name of the driver bound to @bdf, "" if none */
static void bound_driver(const char *bdf, char *drv, size_t len)
{
	char path[512], target[512];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	drv[0] = 0;
	if (n <= 0)
		return;
	target[n] = 0;
	snprintf(drv, len, "%s", strrchr(target, '/') + 1);
}

static int bind_function(const char *bdf)
{
	char path[512], drv[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	if (write_file(path, DRIVER))
		return -1;
	write_file("/sys/bus/pci/drivers_probe", bdf);
	bound_driver(bdf, drv, sizeof(drv));
	return strcmp(drv, DRIVER) ? -1 : 0;
}

static int unbind_function(const char *bdf)
{
	char drv[128];

	if (write_file("/sys/bus/pci/drivers/" DRIVER "/unbind", bdf))
		return -1;
	bound_driver(bdf, drv, sizeof(drv));
	return drv[0] ? -1 : 0;
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
			snprintf(path, sizeof(path), "/tests/%s",
				 names[i]->d_name);
			run_program(names[i]->d_name, argv, TEST_TIMEOUT);
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

static void mode_check(const char *rng, const char *net)
{
	char drv[128];
	int ret;

	emit(LIFECYCLE, "TAP version 13");
	emit(LIFECYCLE, "1..9");
	lc_result(rng[0] && net[0], "two_zpci_functions_present",
		  "virtio-rng or virtio-net function missing");
	ret = load_module("zpci-io-vfio-pci", "");
	lc_result(!ret, "driver_module_loads", strerror(-ret));
	ret = load_module("zpci_io_kunit", "");
	lc_result(!ret, "kunit_module_loads", strerror(-ret));
	lc_result(!bind_function(rng), "bind_through_driver_override",
		  "driver link is not " DRIVER);
	bound_driver(net, drv, sizeof(drv));
	lc_result(strcmp(drv, DRIVER) != 0, "binding_is_per_function",
		  "the other function got bound too");

	run_tests(rng);

	lc_result(!unbind_function(rng), "unbind_clean", "still bound");
	ret = unload_module("zpci_io_kunit");
	if (!ret)
		ret = unload_module("zpci_io_vfio_pci");
	lc_result(!ret, "rmmod_clean", strerror(-ret));
	ret = load_module("zpci-io-vfio-pci", "");
	lc_result(!ret && !bind_function(rng) && !unbind_function(rng),
		  "reload_rebind_unbind_clean", "reload cycle failed");
	ret = unload_module("zpci_io_vfio_pci");
	lc_result(!ret, "final_rmmod_clean", strerror(-ret));
}

static void mode_demo(const char *rng)
{
	char drv[128];
	int ret;

	ret = load_module("zpci-io-vfio-pci", "");
	emit("demo", "# insmod zpci-io-vfio-pci.ko: %s",
	     ret ? strerror(-ret) : "ok");
	if (bind_function(rng)) {
		emit("demo", "# binding %s failed", rng);
		return;
	}
	bound_driver(rng, drv, sizeof(drv));
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
	unbind_function(rng);
	unload_module("zpci_io_vfio_pci");
}

static void mode_bench(const char *rng)
{
	char *argv[] = { "/bin/zpci-io", "bench", (char *)rng, NULL };

	load_module("zpci-io-vfio-pci", "");
	if (bind_function(rng)) {
		emit("bench", "# binding %s failed", rng);
		return;
	}
	run_program("bench", argv, TEST_TIMEOUT);
	unbind_function(rng);
	unload_module("zpci_io_vfio_pci");
}

int main(void)
{
	char mode[32] = "check", rng[256] = "", net[256] = "";

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	console_fd = open("/dev/console", O_WRONLY);
	if (console_fd < 0)
		console_fd = 1;

	read_file("/mode", mode, sizeof(mode));
	find_function(0x1af4, 0x1044, rng, sizeof(rng));
	find_function(0x1af4, 0x1041, net, sizeof(net));
	emit("init", "mode %s, virtio-rng %s, virtio-net %s", mode,
	     rng[0] ? rng : "-", net[0] ? net : "-");

	if (!strcmp(mode, "demo"))
		mode_demo(rng);
	else if (!strcmp(mode, "bench"))
		mode_bench(rng);
	else
		mode_check(rng, net);

	emit("init", "done (%d lifecycle failures)", lc_failed);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
