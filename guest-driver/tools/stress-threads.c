// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-stress --threads: many threads on shared and private files at
 * once (issue 10, promises U1-U5 of DRIVER.md under concurrency).
 *
 *   sysdma-stress --threads T [-F FILES] [-n COUNT] [-s SEED]
 *                 [-a ACTIONS] [-v]
 *
 * T worker threads (1..64) share FILES open files (1..16; thread i uses
 * file i % FILES) and make COUNT requests in all.  Each request is a random
 * M2M, M2P or P2M of 1 byte..32 KiB (SG or not, sometimes a timeout,
 * sometimes cancelled at once); its own thread WAITs for it and checks
 * that WAIT returned *its* result (the id, bytes <= len, error 0 /
 * ECANCELED / ETIMEDOUT, all bytes on success) and the data (M2M copy,
 * P2M pattern, M2P sink CRC of the bytes moved).  ACTIONS (comma
 * separated, default all) mix in, each for about 5 % of the requests:
 *   close   a private file with 1-4 requests in flight is closed: close()
 *           must return within 2 s (U1)
 *   signal  a signaller thread sends SIGUSR1 (no SA_RESTART) to random
 *           workers every 2 ms; a worker's blocking read()/write()
 *           must come back with a count <= asked (data checked) or EINTR
 *           (U2), an interrupted WAIT is retried (the request runs on)
 *   poll    a private file: poll() until POLLIN, then QUERY says done and
 *           a 1 ms WAIT returns the result (U5)
 * At the end: every id seen is unique (U4), the counters balance
 * (submitted = completed, in_flight 0, transfers = flushes, no caller
 * error) and the device's verifier did not move.  Output: one summary
 * line, "FAIL: ..." lines; exit status 1 on a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/sysdma.h>
#include "devlib.h"
#include "sysdma-regs.h"
#include "stress-threads.h"

#define T_MAX		64
#define F_MAX		16
#define T_BUF		(40 * 1024)
#define CLOSE_MAX	4		/* requests in flight at a close() */
#define T_LEN		(32 * 1024)

enum { ACT_CLOSE = 1, ACT_SIGNAL = 2, ACT_POLL = 4 };

struct worker {
	pthread_t th;
	int idx;
	uint64_t rng;
	unsigned char *src, *dst;
	unsigned char *close_dst;	/* CLOSE_MAX destinations, one per request */
	unsigned long done, rw, eintr, closes, polls;
};

static const char *devpath = "/dev/sysdma0";
static int files[F_MAX], nfiles = 1, nthreads, actions = 7, tverbose;
static unsigned long target = 10000;
static unsigned long next_req;		/* atomic: requests handed out */
static unsigned long tfailures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *seen;			/* ids of collected requests */
static unsigned long nseen;
static volatile int stop_signaller;
static int workers_done;		/* atomic: workers that returned */
static struct worker workers[T_MAX];

static void tfail(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&lock);
	tfailures++;
	if (tfailures <= 50) {
		printf("FAIL: ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	pthread_mutex_unlock(&lock);
}

static uint64_t trnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 2685821657736338717ull;
}

static uint64_t tbelow(struct worker *w, uint64_t n)
{
	return trnd(w) % n;
}

static long long tnow_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ll + t.tv_nsec / 1000000;
}

static int take_request(void)
{
	return __atomic_fetch_add(&next_req, 1, __ATOMIC_RELAXED) < target;
}

static void record_id(uint64_t id)
{
	pthread_mutex_lock(&lock);
	if (nseen < target)
		seen[nseen++] = id;
	pthread_mutex_unlock(&lock);
}

/* WAIT for @id, retrying after a signal; 0 on success */
static int wait_for(int f, uint64_t id, struct sysdma_result *r)
{
	int i;

	for (i = 0; i < 10000; i++) {
		memset(r, 0, sizeof(*r));
		r->id = id;
		r->timeout_ms = 20000;
		if (!ioctl(f, SYSDMA_IOC_WAIT, r))
			return 0;
		if (errno != EINTR)
			return -1;
	}
	return -1;
}

static void check(struct worker *w, const struct sysdma_submit *s,
		  const struct sysdma_result *r)
{
	uint64_t i;

	if (r->id != s->id)
		tfail("thread %d: WAIT for id %llu returned the result of id %llu",
		      w->idx, (unsigned long long)s->id,
		      (unsigned long long)r->id);
	if (r->bytes > s->len || (r->error == 0 && r->bytes != s->len) ||
	    (r->error && r->error != ECANCELED && r->error != ETIMEDOUT))
		tfail("thread %d: id %llu: error %u bytes %llu of %llu",
		      w->idx, (unsigned long long)s->id, r->error,
		      (unsigned long long)r->bytes, (unsigned long long)s->len);
	switch (s->dir) {
	case SYSDMA_DEV_DIR_M2M:
		if (memcmp(w->dst, w->src, r->bytes))
			tfail("thread %d: id %llu: M2M data differs", w->idx,
			      (unsigned long long)s->id);
		for (i = r->bytes; i < s->len + 8 && i < T_BUF; i++)
			if (w->dst[i] != (unsigned char)~w->src[i]) {
				tfail("thread %d: id %llu: M2M wrote beyond %llu bytes",
				      w->idx, (unsigned long long)s->id,
				      (unsigned long long)r->bytes);
				break;
			}
		break;
	case SYSDMA_DEV_DIR_P2M:
		for (i = 0; i < r->bytes; i++)
			if (w->dst[i] != sysdma_pattern_byte(s->seed, i)) {
				tfail("thread %d: id %llu: P2M byte %llu wrong",
				      w->idx, (unsigned long long)s->id,
				      (unsigned long long)i);
				break;
			}
		break;
	default:
		if (r->sink_crc != sysdma_crc32(0, w->src, r->bytes))
			tfail("thread %d: id %llu: M2P sink CRC %#x, want %#x",
			      w->idx, (unsigned long long)s->id, r->sink_crc,
			      sysdma_crc32(0, w->src, r->bytes));
		break;
	}
}

static void fill(struct worker *w, struct sysdma_submit *s)
{
	uint64_t i;

	memset(s, 0, sizeof(*s));
	s->dir = tbelow(w, 3);
	s->len = 1 + tbelow(w, tbelow(w, 4) ? 4096 : T_LEN);
	s->channel = SYSDMA_ANY_CHANNEL;
	s->flags = tbelow(w, 2) ? SYSDMA_F_SG : 0;
	s->seed = (uint32_t)trnd(w);
	s->timeout_ms = tbelow(w, 10) ? 0 : 5 + tbelow(w, 30);
	for (i = 0; i < T_BUF; i++) {
		w->src[i] = (unsigned char)(trnd(w) | 1);
		w->dst[i] = (unsigned char)~w->src[i];
	}
	if (s->dir != SYSDMA_DEV_DIR_P2M)
		s->src = (uintptr_t)w->src;
	if (s->dir != SYSDMA_DEV_DIR_M2P)
		s->dst = (uintptr_t)w->dst;
}

static void one_request(struct worker *w, int f)
{
	struct sysdma_submit s;
	struct sysdma_result r;

	fill(w, &s);
	if (ioctl(f, SYSDMA_IOC_SUBMIT, &s)) {
		if (errno != EINTR)
			tfail("thread %d: SUBMIT: %s", w->idx, strerror(errno));
		return;
	}
	if (!tbelow(w, 4))
		ioctl(f, SYSDMA_IOC_CANCEL, &s.id);
	if (wait_for(f, s.id, &r)) {
		tfail("thread %d: WAIT id %llu: %s", w->idx,
		      (unsigned long long)s.id, strerror(errno));
		return;
	}
	record_id(s.id);
	check(w, &s, &r);
	w->done++;
}

/* U2: a blocking read()/write() that a signal may interrupt */
static void one_rw(struct worker *w, int f)
{
	size_t n = 1 + tbelow(w, T_LEN);
	ssize_t got;
	size_t i;

	memset(w->dst, 0, T_BUF);
	if (tbelow(w, 2)) {
		got = read(f, w->dst, n);
		for (i = 0; got > 0 && i < (size_t)got; i++)
			if (w->dst[i] != sysdma_pattern_byte(0, i)) {
				tfail("thread %d: read() byte %zu wrong", w->idx, i);
				break;
			}
	} else {
		got = write(f, w->src, n);
	}
	if (got < 0 && errno == EINTR)
		w->eintr++;
	else if (got < 0 || (size_t)got > n)
		tfail("thread %d: %zu-byte read/write: %zd (%s)", w->idx, n, got,
		      got < 0 ? strerror(errno) : "too many");
	w->rw++;
}

/* U1: close a private file with requests in flight: promptly */
static void one_close(struct worker *w)
{
	struct sysdma_submit s;
	int f = open(devpath, O_RDWR), k, n = 1 + tbelow(w, CLOSE_MAX);
	long long t0;

	if (f < 0) {
		tfail("thread %d: open: %s", w->idx, strerror(errno));
		return;
	}
	for (k = 0; k < n; k++) {
		fill(w, &s);
		s.timeout_ms = 0;
		/* U11: requests in flight together never share a destination */
		if (s.dst)
			s.dst = (uintptr_t)(w->close_dst + (size_t)k * T_BUF);
		if (ioctl(f, SYSDMA_IOC_SUBMIT, &s) && errno != EINTR)
			tfail("thread %d: SUBMIT: %s", w->idx, strerror(errno));
	}
	t0 = tnow_ms();
	close(f);
	if (tnow_ms() - t0 > 2000)
		tfail("thread %d: close() with %d requests took %lld ms", w->idx,
		      n, tnow_ms() - t0);
	w->closes++;
}

/* U5: POLLIN only when the result is final */
static void one_poll(struct worker *w)
{
	struct sysdma_submit s;
	struct sysdma_result r;
	struct sysdma_query q;
	struct pollfd p;
	int f = open(devpath, O_RDWR), n;

	if (f < 0) {
		tfail("thread %d: open: %s", w->idx, strerror(errno));
		return;
	}
	fill(w, &s);
	if (ioctl(f, SYSDMA_IOC_SUBMIT, &s)) {
		close(f);
		return;
	}
	p.fd = f;
	p.events = POLLIN;
	do
		n = poll(&p, 1, 20000);
	while (n < 0 && errno == EINTR);
	memset(&q, 0, sizeof(q));
	q.id = s.id;
	if (n != 1 || ioctl(f, SYSDMA_IOC_QUERY, &q) || !q.done) {
		tfail("thread %d: poll() %d but the request is not done", w->idx, n);
	} else {
		memset(&r, 0, sizeof(r));
		r.id = s.id;
		r.timeout_ms = 1;
		while (ioctl(f, SYSDMA_IOC_WAIT, &r) && errno == EINTR)
			;
		if (r.id != s.id || r.bytes > s.len)
			tfail("thread %d: WAIT after POLLIN: %s", w->idx,
			      strerror(errno));
		else
			check(w, &s, &r);
	}
	close(f);
	w->polls++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int f = files[w->idx % nfiles];
	unsigned int k;

	while (take_request()) {
		k = tbelow(w, 100);
		if ((actions & ACT_CLOSE) && k < 5)
			one_close(w);
		else if ((actions & ACT_SIGNAL) && k < 12)
			one_rw(w, f);
		else if ((actions & ACT_POLL) && k < 17)
			one_poll(w);
		else
			one_request(w, f);
	}
	__atomic_fetch_add(&workers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *signaller(void *arg)
{
	uint64_t r = (uintptr_t)arg | 1;

	while (!stop_signaller) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		pthread_kill(workers[r % nthreads].th, SIGUSR1);
		usleep(2000);
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int tstats(struct sysdma_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(files[0], SYSDMA_IOC_STATS, st);
}

int stress_threads(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL);
	struct sysdma_stats st0, st1;
	volatile uint32_t *bar;
	pthread_t sig_th;
	uint32_t v0 = 0;
	struct sigaction sa;
	char err[600], *a, *save = NULL;
	long long t0;
	unsigned long i, dups = 0, totals[5] = { 0 };
	int opt, k;

	if (getenv("SYSDMA_DEV"))
		devpath = getenv("SYSDMA_DEV");
	nthreads = argc > 1 ? atoi(argv[1]) : 0;
	optind = 2;
	while ((opt = getopt(argc, argv, "F:n:s:a:v")) != -1) {
		switch (opt) {
		case 'F':
			nfiles = atoi(optarg);
			break;
		case 'n':
			target = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			actions = 0;
			for (a = strtok_r(optarg, ",", &save); a;
			     a = strtok_r(NULL, ",", &save)) {
				if (!strcmp(a, "close"))
					actions |= ACT_CLOSE;
				else if (!strcmp(a, "signal"))
					actions |= ACT_SIGNAL;
				else if (!strcmp(a, "poll"))
					actions |= ACT_POLL;
				else if (strcmp(a, "none"))
					goto usage;
			}
			break;
		case 'v':
			tverbose = 1;
			break;
		default:
			goto usage;
		}
	}
	if (nthreads < 1 || nthreads > T_MAX || nfiles < 1 || nfiles > F_MAX ||
	    !target || optind != argc)
		goto usage;
	seen = calloc(target, sizeof(*seen));
	if (!seen)
		return 2;
	for (k = 0; k < nfiles; k++) {
		files[k] = open(devpath, O_RDWR);
		if (files[k] < 0) {
			printf("FAIL: open %s: %s\n", devpath, strerror(errno));
			return 1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART: EINTR is seen */
	sigaction(SIGUSR1, &sa, NULL);
	bar = sysdma_map_bar0(0, err, sizeof(err));
	if (bar)
		v0 = bar[SYSDMA_REG_VERIFY_TOTAL / 4];
	else
		printf("note: no BAR0 (%s): verifier check skipped\n", err);
	tstats(&st0);
	printf("sysdma-stress --threads %d: %d files, %lu requests, seed %llu, actions%s%s%s\n",
	       nthreads, nfiles, target, (unsigned long long)seed,
	       actions & ACT_CLOSE ? " close" : "",
	       actions & ACT_SIGNAL ? " signal" : "",
	       actions & ACT_POLL ? " poll" : "");
	t0 = tnow_ms();
	for (k = 0; k < nthreads; k++) {
		struct worker *w = &workers[k];

		w->idx = k;
		w->rng = (seed + 1) * 0x9e3779b97f4a7c15ull + k * 0x100000001b3ull;
		/* page-aligned: no cache line shared with another buffer (U11) */
		w->src = aligned_alloc(4096, T_BUF);
		w->dst = aligned_alloc(4096, T_BUF);
		w->close_dst = aligned_alloc(4096, CLOSE_MAX * T_BUF);
		if (!w->src || !w->dst || !w->close_dst ||
		    pthread_create(&w->th, NULL, worker_main, w)) {
			printf("FAIL: thread %d: cannot start\n", k);
			return 1;
		}
	}
	if ((actions & ACT_SIGNAL) &&
	    pthread_create(&sig_th, NULL, signaller, (void *)(uintptr_t)seed))
		actions &= ~ACT_SIGNAL;
	/*
	 * stop the signaller before any worker is joined: a joined thread's
	 * handle must not be signalled any more
	 */
	while (__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE) < nthreads)
		usleep(10000);
	stop_signaller = 1;
	if (actions & ACT_SIGNAL)
		pthread_join(sig_th, NULL);
	for (k = 0; k < nthreads; k++)
		pthread_join(workers[k].th, NULL);
	for (k = 0; k < nthreads; k++) {
		totals[0] += workers[k].done;
		totals[1] += workers[k].rw;
		totals[2] += workers[k].eintr;
		totals[3] += workers[k].closes;
		totals[4] += workers[k].polls;
	}

	/* U4: ids are unique */
	qsort(seen, nseen, sizeof(*seen), cmp_u64);
	for (i = 1; i < nseen; i++)
		if (seen[i] == seen[i - 1])
			dups++;
	if (dups)
		tfail("%lu duplicate ids among %lu requests", dups, nseen);
	for (k = 0; k < nfiles; k++)
		if (k)
			close(files[k]);
	for (i = 0; i < 200; i++) {
		tstats(&st1);
		if (!st1.v[SYSDMA_STAT_IN_FLIGHT])
			break;
		usleep(10000);
	}
	if (st1.v[SYSDMA_STAT_IN_FLIGHT] ||
	    st1.v[SYSDMA_STAT_SUBMITTED] != st1.v[SYSDMA_STAT_COMPLETED])
		tfail("stats: in_flight %llu, submitted %llu, completed %llu",
		      (unsigned long long)st1.v[SYSDMA_STAT_IN_FLIGHT],
		      (unsigned long long)st1.v[SYSDMA_STAT_SUBMITTED],
		      (unsigned long long)st1.v[SYSDMA_STAT_COMPLETED]);
	if (st1.v[SYSDMA_STAT_TRANSFERS] != st1.v[SYSDMA_STAT_FLUSHES])
		tfail("stats: transfers %llu != flushes %llu",
		      (unsigned long long)st1.v[SYSDMA_STAT_TRANSFERS],
		      (unsigned long long)st1.v[SYSDMA_STAT_FLUSHES]);
	if (st1.v[SYSDMA_STAT_CALLER_ERRORS] != st0.v[SYSDMA_STAT_CALLER_ERRORS])
		tfail("stats: caller_errors +%llu",
		      (unsigned long long)(st1.v[SYSDMA_STAT_CALLER_ERRORS] -
					   st0.v[SYSDMA_STAT_CALLER_ERRORS]));
	if (bar && bar[SYSDMA_REG_VERIFY_TOTAL / 4] != v0)
		tfail("device verifier: VERIFY_TOTAL %u -> %u", v0,
		      bar[SYSDMA_REG_VERIFY_TOTAL / 4]);
	close(files[0]);
	printf("sysdma-stress --threads: seed %llu: %lu requests waited (%lu unique ids), %lu read/write (%lu EINTR), %lu closes, %lu polls in %.2f s; %s\n",
	       (unsigned long long)seed, totals[0], nseen - dups, totals[1],
	       totals[2], totals[3], totals[4], (tnow_ms() - t0) / 1000.0,
	       tfailures ? "FAILED" : "ok");
	return tfailures ? 1 : 0;

usage:
	fprintf(stderr, "usage: sysdma-stress --threads T [-F FILES] [-n COUNT] [-s SEED] [-a close,signal,poll|none] [-v]\n");
	return 2;
}
