// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-fuzz: a seeded fuzzer of every /dev/sysdma0 entry point (issue
 * 10, U-fuzz).  It makes N hostile or malformed calls: every ioctl
 * command and unknown ones (other numbers, sizes, directions, magics),
 * argument pointers that are NULL, unmapped, read-only, half mapped,
 * kernel addresses or good, structures with random field values (dirs,
 * lengths, buffers, flags incl. unknown bits and the test hooks,
 * channels, timeouts, ids: random, stale or live), read()/write() with
 * random pointers and sizes, and files closed and reopened with requests
 * in flight.  Every call must return (no hang: WAITs are bounded) with
 * success or an errno of the documented set; afterwards, with every file
 * closed, the driver must be balanced: in_flight 0, submitted ==
 * completed, transfers == flushes, caller_errors moved only by the
 * successful SELFTESTs (8 each), no channel claimed, the device's
 * verifier unchanged, nothing left charged to RLIMIT_MEMLOCK (VmLck 0).
 *
 *   sysdma-fuzz [-n CALLS] [-s SEED] [-v] [-S]     (-S: no SELFTEST calls)
 *
 * Output: one summary line per 10,000 calls, the errno histogram, then
 * "PASS" or "FAIL: ..." lines; exit status 1 on a failure.  Needs root
 * (the hooks, FAULT and SELFTEST need CAP_SYS_ADMIN) and iomem=relaxed
 * for the CLAIMED/verifier checks (skipped, with a note, without BAR0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/sysdma.h>
#include "devlib.h"
#include "sysdma-regs.h"

#define PAGE		4096
#define NFDS		3
#define NIDS		64
#define BUF		(64 * 1024)

static uint64_t rng;
static const char *devpath = "/dev/sysdma0";
static int fds[NFDS];
static uint64_t ids[NIDS];
static unsigned int nids;
static unsigned long calls, ok_calls, selftests_ok, bad_errno;
static unsigned long errs[160];
static int verbose, no_selftest;

/* pointers handed to the driver */
static unsigned char *good, *ro, *hole, *half;

static uint64_t rnd(void)
{
	/* xorshift64*: the whole run follows from the seed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void die(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned char *map(size_t n, int prot)
{
	unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	memset(p, 0x5a, n);
	if (prot != (PROT_READ | PROT_WRITE) && mprotect(p, n, prot))
		die("mprotect");
	return p;
}

/* an argument pointer: mostly good, else hostile */
static void *ptr(size_t need)
{
	switch (below(10)) {
	case 0:
		return NULL;
	case 1:
		return hole;
	case 2:
		return ro;
	case 3:
		return half + PAGE - (need ? below(need) + 1 : 1);
	case 4:
		return (void *)(uintptr_t)(0xffff888000000000ull + below(1 << 20));
	case 5:
		return (void *)(uintptr_t)below(1 << 16);
	default:
		return good + below(BUF - (need < BUF ? need : 0) + 1);
	}
}

/* a user buffer address for SUBMIT src/dst */
static uint64_t buf_addr(void)
{
	switch (below(12)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)hole;
	case 2:
		return (uintptr_t)ro;
	case 3:
		return (uintptr_t)half + below(PAGE);
	case 4:
		return 0xffff888000000000ull + below(1 << 20);
	case 5:
		return rnd();
	case 6:
		return ~0ull - below(PAGE);
	default:
		return (uintptr_t)good + below(BUF / 2);
	}
}

static uint64_t length(void)
{
	switch (below(10)) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return (64ull << 20) + below(2);
	case 3:
		return ~0ull - below(3);
	default:
		return 1 + below(BUF / 4);
	}
}

static uint32_t flags(void)
{
	switch (below(6)) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return 0;
	default:
		return (uint32_t)rnd() & SYSDMA_F_ALL;
	}
}

static uint64_t some_id(void)
{
	switch (below(5)) {
	case 0:
		return rnd();
	case 1:
		return below(4);
	default:
		return nids ? ids[below(nids)] : rnd();
	}
}

static void remember(uint64_t id)
{
	if (!id)
		return;
	if (nids < NIDS)
		ids[nids++] = id;
	else
		ids[below(NIDS)] = id;
}

/* errnos the uapi documents for these entry points */
static int allowed(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case ENOENT: case EBUSY: case ENOTTY:
	case EAGAIN: case ENODEV: case ENOMEM: case EPERM: case ETIMEDOUT:
	case EIO: case EINTR: case ECANCELED:
		return 1;
	}
	return 0;
}

static void account(const char *what, long ret)
{
	int e = errno;

	calls++;
	if (ret >= 0) {
		ok_calls++;
		return;
	}
	errs[e < 160 ? e : 0]++;
	if (!allowed(e)) {
		bad_errno++;
		printf("FAIL: call %lu (%s): errno %d (%s) is not documented\n",
		       calls, what, e, strerror(e));
	}
}

static int pick_fd(void)
{
	return fds[below(NFDS)];
}

static void do_submit(void)
{
	struct sysdma_submit s, *u;
	long ret;

	memset(&s, 0, sizeof(s));
	s.dir = below(8) ? below(3) : (uint32_t)rnd();
	s.src = s.dir == SYSDMA_DEV_DIR_P2M && below(4) ? 0 : buf_addr();
	s.dst = s.dir == SYSDMA_DEV_DIR_M2P && below(4) ? 0 : buf_addr();
	if (s.dir == SYSDMA_DEV_DIR_M2M && below(2))
		s.dst = s.src + (below(2) ? below(PAGE) : BUF / 2);
	s.len = length();
	s.timeout_ms = below(3) ? 0 : (uint32_t)below(50);
	s.channel = below(4) ? -1 : (int32_t)(below(20) - 5);
	s.flags = flags();
	s.seed = (uint32_t)rnd();
	s.max_transfer = below(3) ? 0 : (uint32_t)rnd() >> below(32);
	s.id = rnd();
	u = below(6) ? (struct sysdma_submit *)(good + BUF - sizeof(s)) :
		ptr(sizeof(s));
	if ((uintptr_t)u >= (uintptr_t)good &&
	    (uintptr_t)u < (uintptr_t)good + BUF - sizeof(s))
		memcpy(u, &s, sizeof(s));
	ret = ioctl(pick_fd(), SYSDMA_IOC_SUBMIT, u);
	account("SUBMIT", ret);
	if (!ret && (uintptr_t)u >= (uintptr_t)good &&
	    (uintptr_t)u < (uintptr_t)good + BUF)
		remember(u->id);
}

static void do_by_id(unsigned long cmd, const char *what)
{
	uint64_t id = some_id(), *p = below(5) ? (uint64_t *)good : ptr(8);

	if (p == (uint64_t *)good)
		*p = id;
	account(what, ioctl(pick_fd(), cmd, p));
}

static void do_wait(void)
{
	struct sysdma_result *r = below(5) ? (void *)good : ptr(sizeof(*r));

	if ((void *)r == (void *)good) {
		memset(r, 0xee, sizeof(*r));
		r->id = some_id();
		r->timeout_ms = 1 + below(5);	/* bounded: never forever */
	}
	account("WAIT", ioctl(pick_fd(), SYSDMA_IOC_WAIT, r));
}

static void do_query(void)
{
	struct sysdma_query *q = below(5) ? (void *)good : ptr(sizeof(*q));

	if ((void *)q == (void *)good) {
		memset(q, 0xee, sizeof(*q));
		q->id = some_id();
	}
	account("QUERY", ioctl(pick_fd(), SYSDMA_IOC_QUERY, q));
}

static void do_fault(void)
{
	struct sysdma_fault *f = below(4) ? (void *)good : ptr(sizeof(*f));

	if ((void *)f == (void *)good) {
		f->channel = below(4) ? below(8) : (uint32_t)rnd();
		/*
		 * valid faults that end by themselves (no stall, slow or long
		 * interrupt delay: a read() on such a channel would block until
		 * rw_timeout_ms), or random bits (refused)
		 */
		f->mode = below(3) ? (uint32_t)rnd() :
			(uint32_t)rnd() & (SYSDMA_FAULT_ERROR |
					   SYSDMA_FAULT_DROP_IRQ |
					   SYSDMA_FAULT_DELAY_IRQ |
					   SYSDMA_FAULT_SPURIOUS);
		f->sticky = below(2) ? 0 : f->mode;
		f->error_after = (uint32_t)below(BUF);
		f->delay_us = (uint32_t)below(2000);
		f->slow_rate = 1 << 20;
	}
	if ((unsigned char *)f >= good && (unsigned char *)f < good + BUF) {
		/*
		 * Random bytes may arm FAULT_IGNORE_CANCEL: with FAULT_STALL
		 * that channel never ends a transfer again (only removal or a
		 * reset does, tested by sysdma-ioctl-test --stuck-removal), and
		 * a read()/write() on it would wait for ever.
		 */
		struct sysdma_fault tmp;

		memcpy(&tmp, f, sizeof(tmp));
		tmp.mode &= ~SYSDMA_FAULT_IGNORE_CANCEL;
		tmp.sticky &= ~SYSDMA_FAULT_IGNORE_CANCEL;
		memcpy(f, &tmp, sizeof(tmp));
	}
	account("FAULT", ioctl(pick_fd(), SYSDMA_IOC_FAULT, f));
}

static void clear_faults(int f)
{
	struct sysdma_fault clr;
	unsigned int i;

	for (i = 0; i < SYSDMA_MAX_CHANNELS; i++) {
		memset(&clr, 0, sizeof(clr));
		clr.channel = i;
		if (ioctl(f, SYSDMA_IOC_FAULT, &clr))
			break;
	}
}

static void do_selftest(void)
{
	static struct sysdma_selftest st;
	void *p = below(3) ? (void *)&st : ptr(sizeof(st));
	int f = pick_fd();
	long ret;

	struct sysdma_stats a, b;

	/* the self-tests move data: they must pass on a device without faults */
	clear_faults(f);
	ioctl(f, SYSDMA_IOC_STATS, &a);
	ret = ioctl(f, SYSDMA_IOC_SELFTEST, p);
	ioctl(f, SYSDMA_IOC_STATS, &b);
	if (!ret && b.v[SYSDMA_STAT_CALLER_ERRORS] - a.v[SYSDMA_STAT_CALLER_ERRORS] != 8)
		printf("note: call %lu: SELFTEST moved caller_errors by %llu\n", calls,
		       (unsigned long long)(b.v[SYSDMA_STAT_CALLER_ERRORS] -
					    a.v[SYSDMA_STAT_CALLER_ERRORS]));

	account("SELFTEST", ret);
	if (!ret) {
		selftests_ok++;
		if (st.failed && p == &st)
			printf("FAIL: SELFTEST reported %u failed checks\n%s",
			       st.failed, st.log);
		if (st.failed && p == &st)
			bad_errno++;
	}
}

static void do_stats(void)
{
	account("STATS", ioctl(pick_fd(), SYSDMA_IOC_STATS,
			       below(3) ? (void *)good : ptr(sizeof(struct sysdma_stats))));
}

/* commands that are not ours: wrong numbers, sizes, directions, magics */
static void do_unknown(void)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned long cmd;

	switch (below(3)) {
	case 0:
		cmd = _IOC(dirs[below(4)], SYSDMA_IOC_MAGIC, below(16),
			   below(1 << 14));
		break;
	case 1:
		cmd = _IOC(dirs[below(4)], below(256), below(256), below(64));
		break;
	default:
		cmd = (uint32_t)rnd();
		break;
	}
	account("unknown ioctl", ioctl(pick_fd(), cmd, ptr(64)));
}

static void do_rw(void)
{
	size_t n = below(4) ? below(3 * PAGE) : (size_t)rnd();
	void *p = ptr(n < BUF ? n : 0);
	long ret;

	if (below(2))
		ret = read(pick_fd(), p, n);
	else
		ret = write(pick_fd(), p, n);
	account(below(2) ? "read" : "write", ret);
}

static void reopen(int i)
{
	close(fds[i]);
	fds[i] = open(devpath, O_RDWR);
	if (fds[i] < 0)
		die("reopen");
}

static void one_call(void)
{
	unsigned int k = below(100);

	if (k < 30)
		do_submit();
	else if (k < 42)
		do_by_id(SYSDMA_IOC_CANCEL, "CANCEL");
	else if (k < 52)
		do_by_id(SYSDMA_IOC_RELEASE, "RELEASE");
	else if (k < 64)
		do_wait();
	else if (k < 74)
		do_query();
	else if (k < 79)
		do_stats();
	else if (k < 83)
		do_fault();
	else if (k < 93)
		do_unknown();
	else if (k < 99)
		do_rw();
	else if (!below(20) && !no_selftest)
		do_selftest();
	else
		reopen(below(NFDS));
}

static void set_param(const char *name, long v)
{
	if (sysdma_param_write(name, v))
		die(name);
}

static long vmlck_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int stats(struct sysdma_stats *st)
{
	int f = open(devpath, O_RDWR), ret;

	if (f < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	ret = ioctl(f, SYSDMA_IOC_STATS, st);
	close(f);
	return ret;
}

/* everything closed: the driver must be back where it was */
static int balanced(const struct sysdma_stats *st0, uint32_t verify0,
		    volatile uint32_t *bar)
{
	struct sysdma_stats st;
	const __u64 *v = st.v;
	unsigned int ch, nch;
	int bad = 0, i;

	/* completion work may still be finishing the last close's requests */
	for (i = 0; i < 200; i++) {
		if (stats(&st))
			die("STATS");
		if (!v[SYSDMA_STAT_IN_FLIGHT] &&
		    v[SYSDMA_STAT_SUBMITTED] == v[SYSDMA_STAT_COMPLETED])
			break;
		usleep(10000);
	}
	if (v[SYSDMA_STAT_IN_FLIGHT] || v[SYSDMA_STAT_SUBMITTED] !=
	    v[SYSDMA_STAT_COMPLETED]) {
		printf("FAIL: in_flight %llu, submitted %llu, completed %llu\n",
		       (unsigned long long)v[SYSDMA_STAT_IN_FLIGHT],
		       (unsigned long long)v[SYSDMA_STAT_SUBMITTED],
		       (unsigned long long)v[SYSDMA_STAT_COMPLETED]);
		bad++;
	}
	if (v[SYSDMA_STAT_TRANSFERS] != v[SYSDMA_STAT_FLUSHES]) {
		printf("FAIL: transfers %llu != flushes %llu (H2)\n",
		       (unsigned long long)v[SYSDMA_STAT_TRANSFERS],
		       (unsigned long long)v[SYSDMA_STAT_FLUSHES]);
		bad++;
	}
	if (v[SYSDMA_STAT_CALLER_ERRORS] - st0->v[SYSDMA_STAT_CALLER_ERRORS] !=
	    8 * selftests_ok) {
		printf("FAIL: caller_errors moved by %llu, the %lu SELFTESTs account for %lu\n",
		       (unsigned long long)(v[SYSDMA_STAT_CALLER_ERRORS] -
					    st0->v[SYSDMA_STAT_CALLER_ERRORS]),
		       selftests_ok, 8 * selftests_ok);
		bad++;
	}
	if (vmlck_kb() != 0) {
		printf("FAIL: VmLck %ld kB: pinned pages still charged\n",
		       vmlck_kb());
		bad++;
	}
	if (bar) {
		nch = bar[SYSDMA_REG_CAPS / 4] & SYSDMA_CAPS_CHANNELS_MASK;
		for (ch = 0; ch < nch; ch++)
			if (bar[(SYSDMA_CH_BASE(ch) + SYSDMA_CH_STATUS) / 4] &
			    SYSDMA_STATUS_CLAIMED) {
				printf("FAIL: channel %u still claimed\n", ch);
				bad++;
			}
		if (bar[SYSDMA_REG_VERIFY_TOTAL / 4] != verify0) {
			printf("FAIL: verifier total %u -> %u\n", verify0,
			       bar[SYSDMA_REG_VERIFY_TOTAL / 4]);
			bad++;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned long n = 100000, i;
	uint64_t seed = 0;
	struct sysdma_stats st0;
	volatile uint32_t *bar;
	uint32_t verify0 = 0;
	char err[600];
	int opt, bad, e;
	long rw_timeout;

	while ((opt = getopt(argc, argv, "n:s:vS")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'S':
			no_selftest = 1;
			break;
		default:
			fprintf(stderr, "usage: sysdma-fuzz [-n CALLS] [-s SEED] [-v] [-S]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("SYSDMA_DEV"))
		devpath = getenv("SYSDMA_DEV");
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	printf("sysdma-fuzz: %lu calls, seed %llu\n", n,
	       (unsigned long long)seed);

	/*
	 * BAR0 first, and the holes stay reserved (PROT_NONE): a hole that
	 * was unmapped could be reused by a later mapping (BAR0 itself once
	 * was, and the driver's copies then read device registers)
	 */
	bar = sysdma_map_bar0(0, err, sizeof(err));
	good = map(BUF, PROT_READ | PROT_WRITE);
	ro = map(PAGE, PROT_READ);
	hole = map(PAGE, PROT_NONE);
	half = map(2 * PAGE, PROT_READ | PROT_WRITE);
	if (mprotect(half + PAGE, PAGE, PROT_NONE))
		die("mprotect");

	if (!bar)
		printf("note: no BAR0 (%s): CLAIMED/verifier checks skipped\n",
		       err);
	else
		verify0 = bar[SYSDMA_REG_VERIFY_TOTAL / 4];
	if (stats(&st0))
		die("STATS");
	/*
	 * read()/write() queue behind requests parked at hooks: bound them
	 * (the timeout's own path, ETIMEDOUT, is fine)
	 */
	rw_timeout = sysdma_param_read("rw_timeout_ms");
	set_param("rw_timeout_ms", 20);
	for (i = 0; i < NFDS; i++) {
		fds[i] = open(devpath, O_RDWR);
		if (fds[i] < 0)
			die("open");
	}
	for (i = 1; i <= n; i++) {
		one_call();
		if (verbose || i % 10000 == 0)
			printf("%lu calls, %lu succeeded, %lu undocumented errnos\n",
			       i, ok_calls, bad_errno);
	}
	for (i = 0; i < NFDS; i++)
		close(fds[i]);
	/* clear the faults the run armed */
	fds[0] = open(devpath, O_RDWR);
	if (fds[0] >= 0) {
		clear_faults(fds[0]);
		close(fds[0]);
	}
	set_param("rw_timeout_ms", rw_timeout);
	printf("errnos (number=calls):");
	for (e = 0; e < 160; e++)
		if (errs[e])
			printf(" %d=%lu", e, errs[e]);
	printf("\nselftests run: %lu\n", selftests_ok);
	bad = balanced(&st0, verify0, bar) + (bad_errno ? 1 : 0);
	if (bad)
		return 1;
	printf("PASS: %lu calls (seed %llu), errnos only, counters balanced, nothing claimed or charged\n",
	       calls, (unsigned long long)seed);
	return 0;
}
