// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-bench: the guest half of scripts/bench.  Measures and prints
 * numbers, one "@bench KEY VALUE" line per figure; nothing is asserted.
 *
 *   sysdma-bench memcpy SIZE...         guest CPU memcpy (bytes/s)
 *   sysdma-bench irqcpu                 print the CPU the device's
 *                                       interrupt is routed to (for
 *                                       taskset in scripts/bench)
 *   sysdma-bench xfer DIR SIZE...       one request of SIZE, submit ->
 *                                       WAIT returned (bytes/s), repeated
 *   sysdma-bench rate RATE LEN          a request of LEN on channel 0 with
 *                                       FAULT_SLOW at RATE bytes/s:
 *                                       achieved bytes/s, submit -> result
 *                                       and, from BYTES on the PM timer,
 *                                       the device's own (iomem=relaxed)
 *   sysdma-bench rtt N                  N 4 KiB M2M requests one at a time:
 *                                       submit -> result p50/p99 (us)
 *   sysdma-bench cancel N RATE          N M2P requests on channel 0 at RATE
 *                                       (FAULT_SLOW), cancelled while BUSY:
 *                                       CANCEL -> STATUS CANCELLED p50/p99,
 *                                       wall (us) and virtual (us, ACPI PM
 *                                       timer: QEMU_CLOCK_VIRTUAL), bytes
 *                                       moved after the cancel, and
 *                                       CANCEL -> WAIT returned
 *
 * --cpu WHERE (before the benchmark): the CPU it runs on, "irq" (the
 * default: the CPU the device's interrupt is routed to, where the driver
 * completes requests, DRIVER.md U12), "other" (another CPU: every request
 * then crosses CPUs twice, and its keys get the prefix "othercpu.") or
 * "any" (wherever the scheduler puts it).
 *
 * DIR is m2m, m2p or p2m; sizes take K and M suffixes.  xfer uses
 * SYSDMA_F_SG and buffers backed by transparent huge pages where the
 * kernel gives them.  "cancel" reads the channel registers through BAR0
 * (kernel parameter iomem=relaxed) and the PM timer port (root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/sysdma.h>
#include "devlib.h"
#include "sysdma-regs.h"

#define PM_TIMER_HZ	3579545ull
#define MAX_SAMPLES	100000

static int fd = -1;
static const char *key_prefix = "";

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "sysdma-bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (end == s)
		die("bad number '%s'", s);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end)
		die("bad number '%s'", s);
	return v;
}

static int parse_dir(const char *s)
{
	if (!strcmp(s, "m2m"))
		return SYSDMA_DEV_DIR_M2M;
	if (!strcmp(s, "m2p"))
		return SYSDMA_DEV_DIR_M2P;
	if (!strcmp(s, "p2m"))
		return SYSDMA_DEV_DIR_P2M;
	die("unknown direction '%s' (m2m, m2p, p2m)", s);
	return -1;
}

static void emit(const char *key, double v)
{
	printf("@bench %s%s %.6g\n", key_prefix, key, v);
	fflush(stdout);
}

/* Buffers: huge pages where possible (fewer pieces per transfer), touched */
static unsigned char *buf_alloc(size_t len)
{
	size_t sz = (len + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
	unsigned char *p = mmap(NULL, sz + (2u << 20), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	a = ((uintptr_t)p + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1);
	if (!getenv("SYSDMA_BENCH_NO_THP"))
		madvise((void *)a, sz, MADV_HUGEPAGE);
	/* fault every page in (a memset of 64 MiB is slow under TCG) */
	for (size_t off = 0; off < sz; off += 4096)
		((volatile unsigned char *)a)[off] = (unsigned char)off;
	return (unsigned char *)a;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, unsigned int n, unsigned int p)
{
	unsigned int i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	i = (unsigned int)(((uint64_t)n * p + 99) / 100);
	return (double)v[i ? i - 1 : 0];
}

static void open_dev(void)
{
	const char *p = getenv("SYSDMA_DEV") ? getenv("SYSDMA_DEV") :
			"/dev/sysdma0";

	if (fd < 0)
		fd = open(p, O_RDWR);
	if (fd < 0)
		die("open: %s", strerror(errno));
}

/* Submit and wait for one request: 0 or the errno of the result */
static int one_request(struct sysdma_submit *s, struct sysdma_result *r)
{
	if (ioctl(fd, SYSDMA_IOC_SUBMIT, s))
		die("SUBMIT: %s", strerror(errno));
	memset(r, 0, sizeof(*r));
	r->id = s->id;
	if (ioctl(fd, SYSDMA_IOC_WAIT, r))
		die("WAIT: %s", strerror(errno));
	return r->error;
}

static void bench_memcpy(int argc, char **argv)
{
	uint64_t max = 0;
	unsigned char *a, *b;
	char key[64];
	int i;

	for (i = 0; i < argc; i++)
		if (parse_size(argv[i]) > max)
			max = parse_size(argv[i]);
	if (!max)
		die("%s", "memcpy: no size (or 0)");
	a = buf_alloc(max);
	b = buf_alloc(max);
	for (i = 0; i < argc; i++) {
		uint64_t len = parse_size(argv[i]), done = 0, t0, t;

		memcpy(b, a, len);	/* warm */
		t0 = now_ns();
		do {
			memcpy(b, a, len);
			done += len;
			t = now_ns() - t0;
		} while (t < 200000000ull && done < (1ull << 31));
		snprintf(key, sizeof(key), "guest_memcpy.%llu",
			 (unsigned long long)len);
		emit(key, done * 1e9 / t);
	}
}

static void bench_xfer(int argc, char **argv)
{
	uint64_t max = 0;
	unsigned char *src = NULL, *dst = NULL;
	int dir, i;
	char key[64];

	if (argc < 2)
		die("%s", "xfer DIR SIZE...");
	dir = parse_dir(argv[0]);
	open_dev();
	for (i = 1; i < argc; i++)
		if (parse_size(argv[i]) > max)
			max = parse_size(argv[i]);
	if (!max)
		die("%s", "xfer: a size is 0");
	/* one pair of buffers for every size */
	if (dir != SYSDMA_DEV_DIR_P2M)
		src = buf_alloc(max);
	if (dir != SYSDMA_DEV_DIR_M2P)
		dst = buf_alloc(max);
	for (i = 1; i < argc; i++) {
		uint64_t len = parse_size(argv[i]), done = 0, t0, t;
		struct sysdma_submit s = {
			.src = (uintptr_t)src, .dst = (uintptr_t)dst,
			.len = len, .dir = dir, .channel = SYSDMA_ANY_CHANNEL,
			.flags = SYSDMA_F_SG,
		};
		struct sysdma_result r;
		unsigned int n = 0, transfers = 0;

		one_request(&s, &r);	/* warm */
		t0 = now_ns();
		do {
			if (one_request(&s, &r) || r.bytes != len)
				die("%s", "a transfer failed");
			transfers = r.transfers;
			done += len;
			n++;
			t = now_ns() - t0;
		} while (t < 300000000ull && n < 100000);
		snprintf(key, sizeof(key), "%s.%llu", argv[0],
			 (unsigned long long)len);
		emit(key, done * 1e9 / t);
		snprintf(key, sizeof(key), "%s.%llu.transfers", argv[0],
			 (unsigned long long)len);
		emit(key, transfers);
	}
}

static void set_slow(unsigned int ch, uint32_t rate)
{
	struct sysdma_fault f = {
		.channel = ch, .mode = rate ? SYSDMA_FAULT_SLOW : 0,
		.sticky = rate ? SYSDMA_FAULT_SLOW : 0, .slow_rate = rate,
	};

	if (ioctl(fd, SYSDMA_IOC_FAULT, &f))
		die("FAULT: %s", strerror(errno));
}

static void bench_rtt(int argc, char **argv)
{
	unsigned int n, i;
	uint64_t *v;
	unsigned char *src, *dst;
	struct sysdma_submit s = { 0 };
	struct sysdma_result r;

	if (argc != 1)
		die("%s", "rtt N");
	n = parse_size(argv[0]);
	if (!n || n > MAX_SAMPLES)
		die("N '%s' out of range", argv[0]);
	open_dev();
	v = calloc(n, sizeof(*v));
	src = buf_alloc(4096);
	dst = buf_alloc(4096);
	s.src = (uintptr_t)src;
	s.dst = (uintptr_t)dst;
	s.len = 4096;
	s.dir = SYSDMA_DEV_DIR_M2M;
	s.channel = SYSDMA_ANY_CHANNEL;
	one_request(&s, &r);
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		if (one_request(&s, &r))
			die("%s", "a 4 KiB transfer failed");
		v[i] = now_ns() - t0;
	}
	emit("rtt4k.p50_us", pct(v, n, 50) / 1e3);
	emit("rtt4k.p99_us", pct(v, n, 99) / 1e3);
	free(v);
}

/* The ACPI PM timer (QEMU_CLOCK_VIRTUAL, 3.58 MHz): its port, or 0 */
static unsigned int pm_timer_port(void)
{
	FILE *f = fopen("/proc/ioports", "r");
	char line[256];
	unsigned int port = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "ACPI PM_TMR") &&
		    sscanf(line, " %x", &port) == 1)
			break;
	fclose(f);
	if (port && ioperm(port, 4, 1))
		port = 0;
	return port;
}

static uint32_t pm_read(unsigned int port)
{
	return port ? inl(port) & 0xffffff : 0;
}

/*
 * The device's own rate, from BYTES as it runs: the first moment BYTES is
 * seen past 1/8 of LEN and the first moment it is seen past 7/8, on the
 * ACPI PM timer (QEMU_CLOCK_VIRTUAL).  Each moment is late by at most one
 * poll, and BYTES moves a CHUNK at a time, so only a transfer of 8
 * chunks or more gives a figure.  BYTES counts one START: LEN is capped
 * at MAX_XFER.  At a high rate BYTES changes between any two reads, so
 * each sample is exact and the figure is the device's.
 * Returns 0 when it could not tell.
 */
static double device_rate(volatile uint32_t *bar, unsigned int port,
			  uint64_t len, uint64_t rate)
{
	const unsigned int base = SYSDMA_CH_BASE(0) / 4;
	uint32_t b, b1 = 0, p1 = 0;
	uint64_t spin, ticks = 0;
	uint32_t last = 0;

	/*
	 * Above ~64 MiB/s a step (CHUNK) is due every few microseconds, and
	 * a vCPU sampling BYTES and the PM timer one after the other under TCG
	 * no longer measures the device (it read 20-40% of 1 GiB/s while the
	 * whole request took 7-11% longer than ideal); the qtests check the
	 * schedule exactly in virtual time at every rate.
	 */
	if (!bar || !port || rate > 64ull << 20)
		return 0;
	if (len > bar[SYSDMA_REG_MAX_XFER / 4])
		len = bar[SYSDMA_REG_MAX_XFER / 4];
	if (len < 8 * 4096)
		return 0;
	/* the first START may not have happened yet: watch for 2x its time */
	spin = now_ns() + len * 2000000000ull / rate + 1000000000ull;
	do {
		b = bar[base + SYSDMA_CH_BYTES / 4];
		if (b != last) {
			uint32_t p = pm_read(port);

			last = b;
			if (!b1 && b >= len / 8) {
				b1 = b;
				p1 = p;
			} else if (b1 && b >= len * 7 / 8) {
				/* 24-bit timer: wraps every 4.7 s */
				ticks = (p - p1) & 0xffffff;
				return ticks ? (b - b1) * (double)PM_TIMER_HZ / ticks : 0;
			}
		}
		usleep(100);	/* a busy MMIO poll would starve the device */
	} while (now_ns() < spin);
	return 0;
}

static void bench_rate(int argc, char **argv)
{
	uint64_t rate, len, t0, t;
	struct sysdma_submit s = { 0 };
	struct sysdma_result r;
	volatile uint32_t *bar;
	unsigned char *src;
	unsigned int port;
	char key[64], err[256];
	double dev;

	if (argc != 2)
		die("%s", "rate RATE LEN");
	rate = parse_size(argv[0]);
	len = parse_size(argv[1]);
	if (!rate || rate > UINT32_MAX)
		die("rate '%s' out of range (1..4G-1)", argv[0]);
	open_dev();
	bar = sysdma_map_bar0(0, err, sizeof(err));
	port = pm_timer_port();
	src = buf_alloc(len);
	set_slow(0, rate);
	s.src = (uintptr_t)src;
	s.len = len;
	s.dir = SYSDMA_DEV_DIR_M2P;
	s.channel = 0;
	s.flags = SYSDMA_F_SG;
	t0 = now_ns();
	if (ioctl(fd, SYSDMA_IOC_SUBMIT, &s))
		die("SUBMIT: %s", strerror(errno));
	dev = device_rate(bar, port, len, rate);
	memset(&r, 0, sizeof(r));
	r.id = s.id;
	if (ioctl(fd, SYSDMA_IOC_WAIT, &r))
		die("WAIT: %s", strerror(errno));
	if (r.error || r.bytes != len)
		die("%s", "the throttled transfer failed");
	t = now_ns() - t0;
	set_slow(0, 0);
	/* submit -> result: the rate plus the software round trips */
	snprintf(key, sizeof(key), "rate.%llu.achieved",
		 (unsigned long long)rate);
	emit(key, len * 1e9 / t);
	snprintf(key, sizeof(key), "rate.%llu.error_pct",
		 (unsigned long long)rate);
	emit(key, (len * 1e9 / t - rate) * 100.0 / rate);
	if (dev) {
		snprintf(key, sizeof(key), "rate.%llu.device",
			 (unsigned long long)rate);
		emit(key, dev);
		snprintf(key, sizeof(key), "rate.%llu.device_error_pct",
			 (unsigned long long)rate);
		emit(key, (dev - rate) * 100.0 / rate);
	}
}

static void bench_cancel(int argc, char **argv)
{
	unsigned int n, i, got = 0, port;
	uint64_t *wall, *virt, *moved, *user, rate;
	volatile uint32_t *bar;
	unsigned char *src;
	char err[256];
	uint32_t len = 64 * 1024;

	if (argc != 2)
		die("%s", "cancel N RATE");
	n = parse_size(argv[0]);
	rate = parse_size(argv[1]);
	if (!n || n > MAX_SAMPLES || !rate || rate > UINT32_MAX)
		die("%s", "cancel: N or RATE out of range");
	open_dev();
	bar = sysdma_map_bar0(0, err, sizeof(err));
	if (!bar)
		die("%s", err);
	port = pm_timer_port();
	wall = calloc(n, sizeof(*wall));
	virt = calloc(n, sizeof(*virt));
	moved = calloc(n, sizeof(*moved));
	user = calloc(n, sizeof(*user));
	src = buf_alloc(len);
	set_slow(0, rate);
	srand(1);
	for (i = 0; i < n; i++) {
		const unsigned int base = SYSDMA_CH_BASE(0) / 4;
		struct sysdma_submit s = {
			.src = (uintptr_t)src, .len = len,
			.dir = SYSDMA_DEV_DIR_M2P, .channel = 0,
		};
		struct sysdma_result r = { 0 };
		uint64_t t0, t1, t2, spin;
		uint32_t b0, p0, p1, st = 0;

		if (ioctl(fd, SYSDMA_IOC_SUBMIT, &s))
			die("SUBMIT: %s", strerror(errno));
		/* running, and some random way into a chunk */
		spin = now_ns() + 100000000ull;
		while ((bar[base + SYSDMA_CH_BYTES / 4] == 0 ||
			(bar[base + SYSDMA_CH_STATUS / 4] &
			 SYSDMA_STATUS_STATE_MASK) != SYSDMA_STATE_BUSY) &&
		       now_ns() < spin)
			;
		t0 = now_ns() + (uint64_t)(rand() % 4096) * 1000000000ull / rate;
		while (now_ns() < t0)
			;
		b0 = bar[base + SYSDMA_CH_BYTES / 4];
		p0 = pm_read(port);
		t0 = now_ns();
		if (ioctl(fd, SYSDMA_IOC_CANCEL, &s.id))
			die("CANCEL: %s", strerror(errno));
		do {
			st = bar[base + SYSDMA_CH_STATUS / 4] &
			     SYSDMA_STATUS_STATE_MASK;
		} while (st == SYSDMA_STATE_BUSY);
		p1 = pm_read(port);
		t1 = now_ns();
		r.id = s.id;
		if (ioctl(fd, SYSDMA_IOC_WAIT, &r))
			die("WAIT: %s", strerror(errno));
		t2 = now_ns();
		/*
		 * Finished first: not a sample.  The channel is seen leaving
		 * BUSY, not necessarily in CANCELLED: the driver's interrupt
		 * may have acknowledged and released it before this loop read
		 * STATUS again.  The bytes come from the result (exact), not
		 * from the register, which the release may already have reset.
		 */
		if (r.error != ECANCELED || r.bytes < b0)
			continue;
		wall[got] = t1 - t0;
		virt[got] = ((p1 - p0) & 0xffffff) * 1000000000ull / PM_TIMER_HZ;
		moved[got] = r.bytes - b0;
		user[got] = t2 - t0;
		got++;
	}
	set_slow(0, 0);
	emit("cancel.samples", got);
	emit("cancel.wall.p50_us", pct(wall, got, 50) / 1e3);
	emit("cancel.wall.p99_us", pct(wall, got, 99) / 1e3);
	if (port) {
		emit("cancel.virtual.p50_us", pct(virt, got, 50) / 1e3);
		emit("cancel.virtual.p99_us", pct(virt, got, 99) / 1e3);
	}
	emit("cancel.bytes_after.p50", pct(moved, got, 50));
	emit("cancel.bytes_after.p99", pct(moved, got, 99));
	emit("cancel.to_result.p50_us", pct(user, got, 50) / 1e3);
	emit("cancel.to_result.p99_us", pct(user, got, 99) / 1e3);
}

/* Run on the CPU --cpu names; exits when that is not possible */
static void pin(const char *where)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int irq = sysdma_irq_cpu(), cpu;
	cpu_set_t set;

	if (!strcmp(where, "any"))
		return;
	if (strcmp(where, "irq") && strcmp(where, "other"))
		die("--cpu: '%s' is not irq, other or any", where);
	if (irq < 0)
		die("%s", "--cpu: no sysdma interrupt in /proc/interrupts");
	cpu = irq;
	if (!strcmp(where, "other")) {
		if (ncpu < 2)
			die("%s", "--cpu other: only one CPU online");
		cpu = irq ? 0 : 1;
		key_prefix = "othercpu.";
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *where = "irq";

	if (argc > 2 && !strcmp(argv[1], "--cpu")) {
		where = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: sysdma-bench [--cpu irq|other|any] memcpy|xfer|rate|rtt|cancel ARGS, or irqcpu (see the source's header)\n");
		return 2;
	}
	if (!strcmp(argv[1], "irqcpu")) {
		if (sysdma_irq_cpu() < 0)
			die("%s", "no sysdma interrupt in /proc/interrupts");
		printf("%d\n", sysdma_irq_cpu());
		return 0;
	}
	if (strcmp(argv[1], "memcpy"))
		pin(where);
	if (!strcmp(argv[1], "memcpy"))
		bench_memcpy(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "xfer"))
		bench_xfer(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "rate"))
		bench_rate(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "rtt"))
		bench_rtt(argc - 2, argv + 2);
	else if (!strcmp(argv[1], "cancel"))
		bench_cancel(argc - 2, argv + 2);
	else
		die("unknown benchmark '%s'", argv[1]);
	return 0;
}
