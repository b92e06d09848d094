// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-stress: seeded random submit/cancel/timeout/fault mix against
 * /dev/sysdma0, several requests in flight at once (more than the device
 * has channels, so some queue: K2).  Checks that every request completes
 * exactly once with a result consistent with what was done to it, that
 * its data is exact (M2M: the copy; P2M: the pattern from stream offset
 * 0; M2P: the sink CRC of every byte moved; nothing beyond the bytes
 * reported), that the driver's counters balance afterwards and that the
 * device's protocol verifier counted nothing.
 *
 *   sysdma-stress [-n COUNT] [-s SEED] [-j INFLIGHT] [-v]
 *   sysdma-stress --check-idle      (after rmmod: no claimed channel,
 *                                    verifier counters all zero)
 *   sysdma-stress --threads T [-F FILES] [-n COUNT] [-s SEED]
 *                 [-a close,signal,poll|none] [-v]
 *                                   (many threads on shared and private
 *                                    files: stress-threads.c)
 *
 * Device registers are read through /sys/bus/pci/devices/<bdf>/resource0;
 * while the driver is bound that needs the kernel parameter iomem=relaxed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
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

#define BUF_SIZE	(264 * 1024)	/* 256 KiB + room for offsets */
#define GUARD		64
#define MAX_SLOTS	64
#define STUCK_NS	(30ull * 1000000000ull)

enum { PLAN_NONE, PLAN_CANCEL, PLAN_TIMEOUT, PLAN_BOTH };
enum { FS_NONE, FS_ARMING, FS_RUNNING, FS_UNARMED };

struct slot {
	int busy;
	struct sysdma_submit s;
	unsigned char *src, *dst;	/* BUF_SIZE each */
	size_t soff, doff;
	unsigned char canary;
	int plan;
	uint64_t t_submit, t_cancel, t_release;	/* ns, 0 = not planned */
	int cancelled, released;
	/* fault request */
	int fstate;
	struct sysdma_fault flt;
	uint32_t fired_before;
};

static int fd = -1;
static volatile uint32_t *bar;
static unsigned int nch = 4, max_xfer = 65536, rate = 33554432;
static uint64_t rng;
static int verbose;
static unsigned int fault_pct = 3;
static unsigned long failures;

static struct {
	unsigned long ok, cancelled, timedout, eio, other;
	unsigned long busy, faults, unarmed, holds, cancels, immediate, races;
	unsigned long path[SYSDMA_PATH_CANCEL_K4 + 1];
	unsigned long long bytes;
} tally;

static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	fprintf(stdout, "FAIL: ");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "FATAL: ");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	exit(2);
}

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* uniform in [lo, hi] */
static uint64_t urand(uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + rnd() % (hi - lo + 1);
}

static int chance(unsigned int pct)
{
	return rnd() % 100 < pct;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- BAR0 ------------------------------------------------------------------ */

static unsigned long read_ulong(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 0);
}

/* Map BAR0; @enable: write 1 to the device's sysfs "enable" first. */
static int bar_map(int enable, char *err, size_t errlen)
{
	bar = sysdma_map_bar0(enable, err, errlen);
	return bar ? 0 : -1;
}

static uint32_t reg(uint32_t off)
{
	return bar[off / 4];
}

static uint32_t chreg(unsigned int ch, uint32_t off)
{
	return bar[(SYSDMA_CH_BASE(ch) + off) / 4];
}

static const char * const vnames[SYSDMA_V_COUNT] = {
	"reprogram-no-flush", "release-no-flush", "start-busy", "zero-length",
	"overlap", "bad-address", "ack-not-pending", "cancel-idle",
	"flush-idle", "leak", "double-release", "not-claimed", "bad-register",
};

/* Print nonzero verifier counters; returns VERIFY_TOTAL. */
static uint32_t verifier_report(const char *when)
{
	uint32_t total = reg(SYSDMA_REG_VERIFY_TOTAL);
	int k;

	if (total) {
		printf("verifier %s: total %u:", when, total);
		for (k = 0; k < SYSDMA_V_COUNT; k++)
			if (reg(SYSDMA_REG_VERIFY_COUNT(k)))
				printf(" %s=%u", vnames[k],
				       reg(SYSDMA_REG_VERIFY_COUNT(k)));
		printf("\n");
	}
	return total;
}

/* --check-idle: the device after rmmod. */
static int check_idle(void)
{
	char err[600];
	unsigned int ch, n;
	uint32_t st, claim;
	int bad = 0;

	if (bar_map(1, err, sizeof(err)))
		die("%s", err);
	n = reg(SYSDMA_REG_CAPS) & SYSDMA_CAPS_CHANNELS_MASK;
	for (ch = 0; ch < n && ch < SYSDMA_MAX_CHANNELS; ch++) {
		st = chreg(ch, SYSDMA_CH_STATUS);
		claim = chreg(ch, SYSDMA_CH_CLAIM);
		printf("ch%u: CLAIM %u STATUS %#x (state %u%s%s)\n", ch, claim,
		       st, st & SYSDMA_STATUS_STATE_MASK,
		       st & SYSDMA_STATUS_CLAIMED ? ", CLAIMED" : "",
		       st & SYSDMA_STATUS_FLUSH_OWED ? ", FLUSH_OWED" : "");
		if (claim || (st & SYSDMA_STATUS_CLAIMED)) {
			printf("FAIL: channel %u still claimed after rmmod\n", ch);
			bad = 1;
		}
		if ((st & SYSDMA_STATUS_STATE_MASK) == SYSDMA_STATE_BUSY) {
			printf("FAIL: channel %u still busy after rmmod\n", ch);
			bad = 1;
		}
	}
	if (reg(SYSDMA_REG_VERIFY_COUNT(SYSDMA_V_LEAK))) {
		printf("FAIL: V_LEAK %u\n",
		       reg(SYSDMA_REG_VERIFY_COUNT(SYSDMA_V_LEAK)));
		bad = 1;
	}
	if (verifier_report("after rmmod")) {
		printf("FAIL: verifier counted violations\n");
		bad = 1;
	}
	printf("check-idle: %s\n", bad ? "FAILED" : "ok (no claimed channel, verifier 0)");
	return bad;
}

/* ---- data checks ------------------------------------------------------------ */

static void fill_random(unsigned char *p, size_t n)
{
	uint64_t v;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		v = rnd();
		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = (unsigned char)rnd();
}

static const char *dir_name(unsigned int d)
{
	return d == 0 ? "m2m" : d == 1 ? "m2p" : d == 2 ? "p2m" : "?";
}

static void describe(const struct slot *sl, char *b, size_t n)
{
	snprintf(b, n, "id %" PRIu64 " %s len %" PRIu64 " flags %#x ch %d max_transfer %u timeout %u%s%s%s",
		 (uint64_t)sl->s.id, dir_name(sl->s.dir), (uint64_t)sl->s.len,
		 sl->s.flags, sl->s.channel, sl->s.max_transfer,
		 sl->s.timeout_ms, sl->cancelled ? " cancelled" : "",
		 sl->released ? " released" : "",
		 sl->fstate ? " fault" : "");
}

/*
 * The checks compare 8 (or 4) bytes at a time and fall back to bytes only
 * to name the first bad one: byte loops cost most of the mix's guest CPU
 * under TCG.  Each returns the offset of the first byte that differs, or
 * n when none does.
 */
static uint64_t first_not(const unsigned char *p, uint64_t n, unsigned char c)
{
	uint64_t i = 0, w, want = 0x0101010101010101ull * c;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (w != want)
			break;
	}
	for (; i < n && p[i] == c; i++)
		;
	return i;
}

static int all_bytes(const unsigned char *p, uint64_t n, unsigned char c)
{
	return first_not(p, n, c) == n;
}

static uint64_t first_diff(const unsigned char *a, const unsigned char *b,
			   uint64_t n)
{
	uint64_t i = 0, x, y;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	for (; i < n && a[i] == b[i]; i++)
		;
	return i;
}

/* P2M: the stream starts at offset 0 (one SEED write per request) */
static uint64_t first_not_pattern(const unsigned char *d, uint32_t seed,
				  uint64_t n)
{
	uint64_t i = 0;
	uint32_t w, want;

	for (; i + 4 <= n; i += 4) {
		want = sysdma_pattern_word(seed, i);	/* little endian */
		memcpy(&w, d + i, 4);
		if (w != want)
			break;
	}
	for (; i < n && d[i] == sysdma_pattern_byte(seed, i); i++)
		;
	return i;
}

/*
 * Destination contents: @bytes moved, nothing beyond (guards intact).
 * The request is one peripheral stream however it was split (the driver
 * writes SEED once per request), so every check is exact:
 *   M2P: sink_crc == crc32(src[0..bytes))
 *   P2M: dst[i] == sysdma_pattern_byte(seed, i) for i < bytes
 */
static void check_data(struct slot *sl, const struct sysdma_result *r, const char *what)
{
	const struct sysdma_submit *s = &sl->s;
	unsigned char *d = sl->dst + sl->doff, *src = sl->src + sl->soff;
	uint64_t i, bytes = r->bytes;
	unsigned char want;
	uint32_t crc;

	if (bytes > s->len) {
		fail("%s: bytes %" PRIu64 " > len %" PRIu64, what, bytes,
		     (uint64_t)s->len);
		return;
	}
	if (s->dir == SYSDMA_DEV_DIR_M2P) {
		crc = sysdma_crc32(0, src, bytes);
		if (crc != r->sink_crc)
			fail("%s: sink CRC %#x, expected %#x (crc32 of %" PRIu64 " bytes, %u transfers)",
			     what, r->sink_crc, crc, bytes, r->transfers);
		return;
	}
	if (!all_bytes(d - GUARD, GUARD, sl->canary)) {
		fail("%s: byte before the destination overwritten", what);
		return;
	}
	i = bytes + first_not(d + bytes, s->len + GUARD - bytes, sl->canary);
	if (i < s->len + GUARD) {
		fail("%s: destination byte %" PRIu64 " written beyond bytes=%" PRIu64 " (%#x, canary %#x)",
		     what, i, bytes, d[i], sl->canary);
		return;
	}
	i = s->dir == SYSDMA_DEV_DIR_M2M ? first_diff(d, src, bytes) :
					   first_not_pattern(d, s->seed, bytes);
	if (i < bytes) {
		want = s->dir == SYSDMA_DEV_DIR_M2M ? src[i] :
		       sysdma_pattern_byte(s->seed, i);
		fail("%s: %s dst[%" PRIu64 "] = %#x, expected %#x (bytes %" PRIu64 ", %u transfers)",
		     what, dir_name(s->dir), i, d[i], want, bytes,
		     r->transfers);
	}
}

/* ---- requests ---------------------------------------------------------------- */

static struct slot slots[MAX_SLOTS];
static int nslots = 8;
static int fault_slot = -1;
static unsigned long submitted, collected, target = 1000;

/* expected duration of a request in microseconds */
static uint64_t dur_us(uint64_t len, uint32_t r)
{
	uint64_t xfers = (len + max_xfer - 1) / max_xfer;

	return (r ? len * 1000000ull / r : 0) + 150 * xfers;
}

static void prepare_buffers(struct slot *sl)
{
	struct sysdma_submit *s = &sl->s;

	sl->canary = (unsigned char)(0x5a ^ (rnd() & 0xff));
	if (!sl->canary)
		sl->canary = 0x5a;
	if (s->dir != SYSDMA_DEV_DIR_P2M) {
		fill_random(sl->src + sl->soff, s->len);
		s->src = (uintptr_t)(sl->src + sl->soff);
	}
	if (s->dir != SYSDMA_DEV_DIR_M2P) {
		memset(sl->dst + sl->doff - GUARD, sl->canary, s->len + 2 * GUARD);
		s->dst = (uintptr_t)(sl->dst + sl->doff);
	}
}

static void random_request(struct slot *sl, uint64_t t)
{
	struct sysdma_submit *s = &sl->s;
	uint64_t d, dms;
	unsigned int k = rnd() % 100;

	s->dir = rnd() % 3;
	if (k < 30)
		s->len = urand(1, 512);
	else if (k < 60)
		s->len = urand(513, 16384);
	else if (k < 85)
		s->len = urand(16385, 65536);
	else
		s->len = urand(65537, 256 * 1024);
	sl->soff = chance(30) ? GUARD * 64 : urand(GUARD, 4095 + GUARD);
	sl->doff = chance(30) ? GUARD * 64 : urand(GUARD, 4095 + GUARD);
	if (chance(50))
		s->flags |= SYSDMA_F_SG;
	if (chance(20))
		s->flags |= SYSDMA_F_NO_CALLBACK;
	if (chance(30)) {
		static const uint32_t mt[] = { 512, 4096, 8192, 16384, 65536, 1 << 20 };

		s->max_transfer = chance(25) ? urand(1, 65536) : mt[rnd() % 6];
		/* at most ~128 transfers per request */
		while (s->max_transfer && s->len / s->max_transfer > 128)
			s->max_transfer *= 4;
	}
	s->channel = chance(25) ? (int)(rnd() % nch) : SYSDMA_ANY_CHANNEL;
	s->seed = (uint32_t)rnd();
	k = rnd() % 100;
	if (k < 4)
		s->flags |= SYSDMA_F_HOLD_CHANNEL;
	else if (k < 7)
		s->flags |= SYSDMA_F_HOLD_PROGRAM;
	else if (k < 10)
		s->flags |= SYSDMA_F_HOLD_BETWEEN;
	else if (k < 15)
		s->flags |= SYSDMA_F_NOWAIT_CHANNEL;	/* EBUSY possible */

	d = dur_us(s->len, rate);
	dms = d / 1000 + 1;
	k = rnd() % 100;
	if (k < 35) {
		sl->plan = PLAN_NONE;
		if (chance(40))
			s->timeout_ms = (uint32_t)(dms * 20 + 200);	/* long */
	} else if (k < 60) {
		sl->plan = PLAN_CANCEL;
		sl->t_cancel = chance(20) ? t : t + urand(0, d * 3 / 2) * 1000;
	} else if (k < 80) {
		sl->plan = PLAN_TIMEOUT;
		s->timeout_ms = chance(50) ? (uint32_t)urand(1, dms) :
					     (uint32_t)urand(dms, dms * 4 + 10);
	} else {
		/* cancel racing timeout racing completion */
		sl->plan = PLAN_BOTH;
		s->timeout_ms = (uint32_t)urand(dms > 2 ? dms - 2 : 1, dms + 2);
		sl->t_cancel = t + (uint64_t)s->timeout_ms * 1000000ull +
			       urand(0, 2000000) - 1000000;
		tally.races++;
	}
	if (s->flags & (SYSDMA_F_HOLD_CHANNEL | SYSDMA_F_HOLD_PROGRAM |
			SYSDMA_F_HOLD_BETWEEN)) {
		tally.holds++;
		/* every hold ends: released, cancelled or both */
		if (sl->plan != PLAN_CANCEL || chance(50))
			sl->t_release = t + urand(0, 2000) * 1000;
	}
}

static void fault_request(struct slot *sl)
{
	struct sysdma_submit *s = &sl->s;
	struct sysdma_fault *f = &sl->flt;
	static const uint32_t modes[] = {
		SYSDMA_FAULT_ERROR, SYSDMA_FAULT_STALL, SYSDMA_FAULT_SLOW,
		SYSDMA_FAULT_DROP_IRQ, SYSDMA_FAULT_DELAY_IRQ,
		SYSDMA_FAULT_SPURIOUS,
	};
	uint64_t d;

	/* one transfer (SG, len <= MAX_XFER), so the one-shot fault fires */
	s->dir = rnd() % 3;
	s->len = urand(1024, max_xfer < 65536 ? max_xfer : 65536);
	sl->soff = urand(GUARD, 4095 + GUARD);
	sl->doff = urand(GUARD, 4095 + GUARD);
	s->flags = SYSDMA_F_SG | SYSDMA_F_HOLD_PROGRAM;
	if (chance(30))
		s->flags |= SYSDMA_F_NO_CALLBACK;
	s->channel = (int)(rnd() % nch);
	s->seed = (uint32_t)rnd();
	memset(f, 0, sizeof(*f));
	f->channel = s->channel;
	f->mode = modes[rnd() % 6];
	switch (f->mode) {
	case SYSDMA_FAULT_ERROR:
		f->error_after = (uint32_t)urand(0, s->len - 1);
		s->timeout_ms = chance(50) ? 0 : 5000;
		break;
	case SYSDMA_FAULT_STALL:
		f->error_after = (uint32_t)urand(0, s->len - 1);
		s->timeout_ms = (uint32_t)urand(200, 400);
		break;
	case SYSDMA_FAULT_SLOW:
		f->slow_rate = (uint32_t)urand(256 * 1024, 1024 * 1024);
		d = s->len * 1000ull / f->slow_rate;
		s->timeout_ms = chance(30) ? 0 : (uint32_t)urand(200, 200 + 2 * d);
		break;
	case SYSDMA_FAULT_DROP_IRQ:
		s->timeout_ms = (uint32_t)urand(200, 400);
		break;
	case SYSDMA_FAULT_DELAY_IRQ:
		f->delay_us = (uint32_t)urand(100, 20000);
		s->timeout_ms = chance(50) ? 0 : (uint32_t)urand(200, 400);
		break;
	default:
		break;
	}
	sl->plan = s->timeout_ms ? PLAN_TIMEOUT : PLAN_NONE;
	sl->fstate = FS_ARMING;
	tally.faults++;
}

static int do_submit(void)
{
	struct slot *sl = NULL;
	uint64_t t = now_ns();
	int i;

	for (i = 0; i < nslots; i++)
		if (!slots[i].busy) {
			sl = &slots[i];
			break;
		}
	if (!sl)
		return 0;
	memset(&sl->s, 0, sizeof(sl->s));
	sl->plan = PLAN_NONE;
	sl->t_cancel = 0;
	sl->t_release = 0;
	sl->cancelled = 0;
	sl->released = 0;
	sl->fstate = FS_NONE;
	if (fault_slot < 0 && bar && submitted > 10 && chance(fault_pct))
		fault_request(sl);
	else
		random_request(sl, t);
	prepare_buffers(sl);
	sl->t_submit = now_ns();
	if (ioctl(fd, SYSDMA_IOC_SUBMIT, &sl->s)) {
		if (errno == EBUSY && (sl->s.flags & SYSDMA_F_NOWAIT_CHANNEL)) {
			tally.busy++;
			return 1;
		}
		die("SUBMIT %s len %llu flags %#x ch %d: %s",
		    dir_name(sl->s.dir), (unsigned long long)sl->s.len,
		    sl->s.flags, sl->s.channel, strerror(errno));
	}
	if (!sl->s.id)
		fail("SUBMIT returned id 0");
	sl->busy = 1;
	submitted++;
	if (sl->fstate) {
		fault_slot = (int)(sl - slots);
		sl->fired_before = chreg(sl->flt.channel, SYSDMA_CH_FAULT_FIRED);
	}
	if (sl->plan == PLAN_CANCEL && sl->t_cancel == t) {
		/* cancel immediately */
		tally.immediate++;
		tally.cancels++;
		sl->cancelled = 1;
		if (ioctl(fd, SYSDMA_IOC_CANCEL, &sl->s.id))
			fail("CANCEL id %llu right after SUBMIT: %s",
			     (unsigned long long)sl->s.id, strerror(errno));
	}
	return 1;
}

static void check_result(struct slot *sl, const struct sysdma_result *r)
{
	const struct sysdma_submit *s = &sl->s;
	int timed = s->timeout_ms != 0;
	char what[256];

	unsigned long failures0 = failures;

	describe(sl, what, sizeof(what));
	if (r->id != s->id)
		fail("%s: result id %llu", what, (unsigned long long)r->id);
	if (r->bytes > s->len)
		fail("%s: bytes %llu > len", what, (unsigned long long)r->bytes);
	if (r->path < SYSDMA_PATH_DMA || r->path > SYSDMA_PATH_CANCEL_K4)
		fail("%s: path %u", what, r->path);
	else
		tally.path[r->path]++;
	if (r->channel < -1 || r->channel >= (int)nch ||
	    (s->channel >= 0 && r->channel >= 0 && r->channel != s->channel))
		fail("%s: channel %d", what, r->channel);
	if (r->transfers && r->channel < 0)
		fail("%s: %u transfers on channel -1", what, r->transfers);
	if (!r->transfers && r->bytes)
		fail("%s: %llu bytes in 0 transfers", what,
		     (unsigned long long)r->bytes);
	if (r->reserved[0] || r->reserved[1])
		fail("%s: reserved fields not zero", what);
	if ((r->path == SYSDMA_PATH_CANCEL_K2 ||
	     r->path == SYSDMA_PATH_CANCEL_STOP ||
	     r->path == SYSDMA_PATH_CANCEL_K4) && !sl->cancelled)
		fail("%s: path %u (cancel) but never cancelled", what, r->path);
	if (r->path == SYSDMA_PATH_TIMEOUT && !timed)
		fail("%s: path timeout without a timeout", what);
	if (r->path == SYSDMA_PATH_ABORT)
		fail("%s: path abort", what);

	switch (r->error) {
	case 0:
		tally.ok++;
		if (r->bytes != s->len)
			fail("%s: error 0 with bytes %llu", what,
			     (unsigned long long)r->bytes);
		break;
	case ECANCELED:
		tally.cancelled++;
		if (!sl->cancelled)
			fail("%s: ECANCELED but never cancelled", what);
		if (r->path != SYSDMA_PATH_CANCEL_K2 &&
		    r->path != SYSDMA_PATH_CANCEL_STOP &&
		    r->path != SYSDMA_PATH_CANCEL_K4)
			fail("%s: ECANCELED with path %u", what, r->path);
		break;
	case ETIMEDOUT:
		tally.timedout++;
		if (!timed)
			fail("%s: ETIMEDOUT without a timeout", what);
		if (r->path != SYSDMA_PATH_TIMEOUT)
			fail("%s: ETIMEDOUT with path %u", what, r->path);
		break;
	case EIO:
		tally.eio++;
		if (sl->fstate != FS_RUNNING || sl->flt.mode != SYSDMA_FAULT_ERROR)
			fail("%s: EIO without an injected error (dev_status %#x)",
			     what, r->dev_status);
		break;
	default:
		tally.other++;
		fail("%s: error %u (%s)", what, r->error, strerror(r->error));
		break;
	}
	tally.bytes += r->bytes;

	if (sl->fstate == FS_RUNNING) {
		const struct sysdma_fault *f = &sl->flt;

		switch (f->mode) {
		case SYSDMA_FAULT_ERROR:
			if (r->error != EIO || r->bytes != f->error_after)
				fail("%s: ERROR fault after %u: error %u bytes %llu",
				     what, f->error_after, r->error,
				     (unsigned long long)r->bytes);
			break;
		case SYSDMA_FAULT_STALL:
			if (r->error != ETIMEDOUT || r->bytes != f->error_after)
				fail("%s: STALL at %u: error %u bytes %llu (want ETIMEDOUT)",
				     what, f->error_after, r->error,
				     (unsigned long long)r->bytes);
			break;
		case SYSDMA_FAULT_SLOW:
			if (r->error && r->error != ETIMEDOUT)
				fail("%s: SLOW: error %u", what, r->error);
			break;
		case SYSDMA_FAULT_DROP_IRQ:
			/*
			 * The timer recovers the lost interrupt: R3 forces
			 * SUCCESS (DRIVER.md); without a callback the K7 DPC
			 * sees FALSE + CANCELLED after the stop (DRIVER.md
			 * deviation K7) and the timeout's status stays.
			 */
			if ((r->error && !(r->error == ETIMEDOUT &&
					   (s->flags & SYSDMA_F_NO_CALLBACK))) ||
			    r->bytes != s->len)
				fail("%s: DROP_IRQ: error %u bytes %llu (want all bytes, error 0%s)",
				     what, r->error, (unsigned long long)r->bytes,
				     s->flags & SYSDMA_F_NO_CALLBACK ?
				     " or ETIMEDOUT" : "");
			break;
		default:	/* DELAY_IRQ, SPURIOUS: data complete */
			if (r->error || r->bytes != s->len)
				fail("%s: fault %#x: error %u bytes %llu (want 0, all)",
				     what, f->mode, r->error,
				     (unsigned long long)r->bytes);
			break;
		}
	}
	check_data(sl, r, what);
	if (failures != failures0)
		printf("  result: error %u bytes %llu path %u transfers %u channel %d dev_status %#x dev_bytes %u sink_crc %#x; fault mode %#x after %u; %.3f ms after submit\n",
		       r->error, (unsigned long long)r->bytes, r->path,
		       r->transfers, r->channel, r->dev_status, r->dev_bytes,
		       r->sink_crc, sl->fstate ? sl->flt.mode : 0,
		       sl->flt.error_after, (now_ns() - sl->t_submit) / 1e6);
}

static void collect(struct slot *sl)
{
	struct sysdma_result r;
	struct sysdma_query q;
	uint64_t id = sl->s.id;
	unsigned int transfers;
	char what[256];

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.timeout_ms = 10000;
	if (ioctl(fd, SYSDMA_IOC_WAIT, &r)) {
		describe(sl, what, sizeof(what));
		die("WAIT %s (QUERY said done): %s", what, strerror(errno));
	}
	if (verbose)
		printf("done id %llu %s len %llu: error %u bytes %llu path %u transfers %u ch %d\n",
		       (unsigned long long)id, dir_name(sl->s.dir),
		       (unsigned long long)sl->s.len, r.error,
		       (unsigned long long)r.bytes, r.path, r.transfers,
		       r.channel);
	check_result(sl, &r);
	transfers = r.transfers;
	/* exactly once: the id is gone */
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.timeout_ms = 1;
	if (!ioctl(fd, SYSDMA_IOC_WAIT, &r) || errno != ENOENT)
		fail("second WAIT of id %llu: %s (want ENOENT)",
		     (unsigned long long)id, strerror(errno));
	memset(&q, 0, sizeof(q));
	q.id = id;
	if (!ioctl(fd, SYSDMA_IOC_QUERY, &q) || errno != ENOENT)
		fail("QUERY of collected id %llu: %s (want ENOENT)",
		     (unsigned long long)id, strerror(errno));
	if (sl->fstate) {
		struct sysdma_fault off;
		uint32_t fired = chreg(sl->flt.channel, SYSDMA_CH_FAULT_FIRED);

		memset(&off, 0, sizeof(off));
		off.channel = sl->flt.channel;
		if (ioctl(fd, SYSDMA_IOC_FAULT, &off))
			fail("FAULT clear ch%u: %s", off.channel, strerror(errno));
		if (fired - sl->fired_before != 1 && sl->fstate == FS_RUNNING)
			fail("fault %#x on ch%u fired %u times (want 1)%s",
			     sl->flt.mode, sl->flt.channel,
			     fired - sl->fired_before, transfers ? "" :
			     ": the request ended before its transfer started (timer between RELEASE and START: host overloaded?)");
		if (chreg(sl->flt.channel, SYSDMA_CH_FAULT_MODE))
			fail("ch%u FAULT_MODE %#x after clearing", sl->flt.channel,
			     chreg(sl->flt.channel, SYSDMA_CH_FAULT_MODE));
		fault_slot = -1;
	}
	sl->busy = 0;
	collected++;
}

static void dump_inflight(void)
{
	struct sysdma_query q;
	char what[256];
	int i;

	for (i = 0; i < nslots; i++) {
		if (!slots[i].busy)
			continue;
		memset(&q, 0, sizeof(q));
		q.id = slots[i].s.id;
		describe(&slots[i], what, sizeof(what));
		if (ioctl(fd, SYSDMA_IOC_QUERY, &q))
			printf("  %s: QUERY %s\n", what, strerror(errno));
		else
			printf("  %s: done %u held %#x state %u transfers %u bytes %llu ch %d\n",
			       what, q.done, q.held, q.state, q.transfers,
			       (unsigned long long)q.bytes, q.channel);
	}
}

static void get_stats(struct sysdma_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(fd, SYSDMA_IOC_STATS, st))
		die("STATS: %s", strerror(errno));
	if (st->count < SYSDMA_STAT_COUNT_V1)
		die("STATS count %u", st->count);
}

static void run(void)
{
	uint64_t last_progress = now_ns(), t, next, wait_ns;
	struct sysdma_query q;
	struct timespec ts;
	struct pollfd pfd;
	struct slot *sl;
	int i, any;

	while (collected < target || submitted < target) {
		while (submitted < target && do_submit())
			;
		t = now_ns();
		next = t + 20000000ull;		/* at most 20 ms asleep */
		for (i = 0; i < nslots; i++) {
			sl = &slots[i];
			if (!sl->busy)
				continue;
			if (sl->t_cancel && !sl->cancelled) {
				if (t >= sl->t_cancel) {
					sl->cancelled = 1;
					tally.cancels++;
					if (ioctl(fd, SYSDMA_IOC_CANCEL, &sl->s.id))
						fail("CANCEL id %llu: %s",
						     (unsigned long long)sl->s.id,
						     strerror(errno));
				} else if (sl->t_cancel < next) {
					next = sl->t_cancel;
				}
			}
			if (sl->t_release && !sl->released) {
				if (t >= sl->t_release) {
					sl->released = 1;
					if (ioctl(fd, SYSDMA_IOC_RELEASE, &sl->s.id))
						fail("RELEASE id %llu: %s",
						     (unsigned long long)sl->s.id,
						     strerror(errno));
				} else if (sl->t_release < next) {
					next = sl->t_release;
				}
			}
			if (sl->fstate == FS_ARMING) {
				memset(&q, 0, sizeof(q));
				q.id = sl->s.id;
				if (ioctl(fd, SYSDMA_IOC_QUERY, &q))
					die("QUERY fault request: %s", strerror(errno));
				if (q.held == SYSDMA_F_HOLD_PROGRAM && sl->s.timeout_ms &&
				    t - sl->t_submit > sl->s.timeout_ms * 500000ull) {
					/*
					 * Half the timeout gone already (a loaded
					 * host): arming now could lose the race with
					 * the timer and leave the fault armed for the
					 * next request on the channel.  Run it plain.
					 */
					sl->fstate = FS_UNARMED;
					tally.unarmed++;
					if (ioctl(fd, SYSDMA_IOC_RELEASE, &sl->s.id))
						fail("RELEASE fault request: %s",
						     strerror(errno));
				} else if (q.held == SYSDMA_F_HOLD_PROGRAM) {
					/* the channel is ours: arm, then go */
					if (ioctl(fd, SYSDMA_IOC_FAULT, &sl->flt))
						fail("FAULT arm ch%u mode %#x: %s",
						     sl->flt.channel, sl->flt.mode,
						     strerror(errno));
					sl->fstate = FS_RUNNING;
					if (ioctl(fd, SYSDMA_IOC_RELEASE, &sl->s.id))
						fail("RELEASE fault request: %s",
						     strerror(errno));
				} else if (q.done) {
					/* its timer took it back while queued */
					sl->fstate = FS_UNARMED;
					tally.unarmed++;
				} else if (t + 500000 < next) {
					next = t + 500000;
				}
			}
		}
		wait_ns = next > t ? next - t : 0;
		ts.tv_sec = wait_ns / 1000000000ull;
		ts.tv_nsec = wait_ns % 1000000000ull;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR)
			die("ppoll: %s", strerror(errno));
		any = 0;
		for (i = 0; i < nslots; i++) {
			sl = &slots[i];
			if (!sl->busy)
				continue;
			memset(&q, 0, sizeof(q));
			q.id = sl->s.id;
			if (ioctl(fd, SYSDMA_IOC_QUERY, &q))
				die("QUERY id %llu: %s",
				    (unsigned long long)sl->s.id, strerror(errno));
			if (q.done) {
				collect(sl);
				any = 1;
			}
		}
		t = now_ns();
		if (any) {
			last_progress = t;
		} else if (t - last_progress > STUCK_NS) {
			printf("FAIL: no request finished for 30 s; in flight:\n");
			dump_inflight();
			die("stuck after %lu of %lu requests", collected, target);
		}
		if ((pfd.revents & POLLIN) && !any) {
			/* EPOLLIN only for uncollected finished requests */
			fail("poll says a request finished, QUERY finds none");
			usleep(1000);
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sysdma-stress [-n COUNT] [-s SEED] [-j INFLIGHT] [-f FAULT%%] [-v]\n"
		   "       sysdma-stress --check-idle\n"
		   "       sysdma-stress --threads T [-F FILES] [-n COUNT] [-s SEED] [-a close,signal,poll|none] [-v]\n");
}

int main(int argc, char **argv)
{
	struct sysdma_stats st0, st1;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	uint64_t t0, t1;
	uint32_t vt0 = 0, vt1 = 0;
	const char *dev = getenv("SYSDMA_DEV");
	unsigned long param;
	char err[600];
	int i, opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--check-idle"))
		return check_idle();
	if (argc >= 2 && !strcmp(argv[1], "--threads"))
		return stress_threads(argc - 1, argv + 1);
	while ((opt = getopt(argc, argv, "n:s:j:f:vh")) != -1) {
		switch (opt) {
		case 'n':
			target = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'j':
			nslots = atoi(optarg);
			break;
		case 'f':
			fault_pct = atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (nslots < 1 || nslots > MAX_SLOTS || !target) {
		usage(stderr);
		return 2;
	}
	rng = seed * 2654435761u + 0x9e3779b97f4a7c15ull;
	if (!rng)
		rng = 1;
	fd = open(dev ? dev : "/dev/sysdma0", O_RDWR);
	if (fd < 0)
		die("open %s: %s", dev ? dev : "/dev/sysdma0", strerror(errno));
	if (bar_map(0, err, sizeof(err))) {
		printf("FAIL: device registers: %s\n", err);
		failures++;
		bar = NULL;
	} else {
		nch = reg(SYSDMA_REG_CAPS) & SYSDMA_CAPS_CHANNELS_MASK;
		max_xfer = reg(SYSDMA_REG_MAX_XFER);
		/* the driver's cap (module parameter max_xfer, 0 = none) */
		param = read_ulong("/sys/module/sysdma/parameters/max_xfer");
		if (param && param < max_xfer)
			max_xfer = (unsigned int)param;
		rate = reg(SYSDMA_REG_RATE);
		vt0 = verifier_report("before");
	}
	for (i = 0; i < nslots; i++) {
		slots[i].src = malloc(BUF_SIZE);
		slots[i].dst = malloc(BUF_SIZE);
		if (!slots[i].src || !slots[i].dst)
			die("out of memory");
	}
	printf("sysdma-stress: seed %llu, %lu requests, %d in flight, %u channels, MAX_XFER %u, RATE %u\n",
	       (unsigned long long)seed, target, nslots, nch, max_xfer, rate);
	get_stats(&st0);
	t0 = now_ns();
	run();
	t1 = now_ns();
	get_stats(&st1);

#define D(k) (st1.v[k] - st0.v[k])
	if (D(SYSDMA_STAT_SUBMITTED) != submitted)
		fail("stats: submitted +%llu, we submitted %lu",
		     (unsigned long long)D(SYSDMA_STAT_SUBMITTED), submitted);
	if (D(SYSDMA_STAT_COMPLETED) != collected)
		fail("stats: completed +%llu, we collected %lu",
		     (unsigned long long)D(SYSDMA_STAT_COMPLETED), collected);
	if (st1.v[SYSDMA_STAT_SUBMITTED] != st1.v[SYSDMA_STAT_COMPLETED])
		fail("stats: submitted %llu != completed %llu",
		     (unsigned long long)st1.v[SYSDMA_STAT_SUBMITTED],
		     (unsigned long long)st1.v[SYSDMA_STAT_COMPLETED]);
	if (st1.v[SYSDMA_STAT_OK] + st1.v[SYSDMA_STAT_CANCELLED] +
	    st1.v[SYSDMA_STAT_TIMEDOUT] + st1.v[SYSDMA_STAT_ERROR] +
	    st1.v[SYSDMA_STAT_ABORTED] != st1.v[SYSDMA_STAT_COMPLETED])
		fail("stats: ok+cancelled+timedout+error+aborted != completed");
	if (D(SYSDMA_STAT_OK) != tally.ok ||
	    D(SYSDMA_STAT_CANCELLED) != tally.cancelled ||
	    D(SYSDMA_STAT_TIMEDOUT) != tally.timedout ||
	    D(SYSDMA_STAT_ERROR) != tally.eio + tally.other ||
	    D(SYSDMA_STAT_ABORTED))
		fail("stats: outcome counters +%llu/+%llu/+%llu/+%llu/+%llu, results %lu/%lu/%lu/%lu/0",
		     (unsigned long long)D(SYSDMA_STAT_OK),
		     (unsigned long long)D(SYSDMA_STAT_CANCELLED),
		     (unsigned long long)D(SYSDMA_STAT_TIMEDOUT),
		     (unsigned long long)D(SYSDMA_STAT_ERROR),
		     (unsigned long long)D(SYSDMA_STAT_ABORTED),
		     tally.ok, tally.cancelled, tally.timedout,
		     tally.eio + tally.other);
	if (D(SYSDMA_STAT_CANCEL_K2) + D(SYSDMA_STAT_CANCEL_STOP) +
	    D(SYSDMA_STAT_TIMEOUT_STOP) !=
	    tally.path[SYSDMA_PATH_CANCEL_K2] +
	    tally.path[SYSDMA_PATH_CANCEL_STOP] + tally.path[SYSDMA_PATH_TIMEOUT])
		fail("stats: cancel_k2+cancel_stop+timeout_stop +%llu, results with a cancel/timeout path %lu",
		     (unsigned long long)(D(SYSDMA_STAT_CANCEL_K2) +
					  D(SYSDMA_STAT_CANCEL_STOP) +
					  D(SYSDMA_STAT_TIMEOUT_STOP)),
		     tally.path[SYSDMA_PATH_CANCEL_K2] +
		     tally.path[SYSDMA_PATH_CANCEL_STOP] +
		     tally.path[SYSDMA_PATH_TIMEOUT]);
	if (st1.v[SYSDMA_STAT_IN_FLIGHT])
		fail("stats: in_flight %llu after all were collected",
		     (unsigned long long)st1.v[SYSDMA_STAT_IN_FLIGHT]);
	if (st1.v[SYSDMA_STAT_TRANSFERS] != st1.v[SYSDMA_STAT_FLUSHES])
		fail("stats: transfers %llu != flushes %llu (H2)",
		     (unsigned long long)st1.v[SYSDMA_STAT_TRANSFERS],
		     (unsigned long long)st1.v[SYSDMA_STAT_FLUSHES]);
	if (D(SYSDMA_STAT_CALLER_ERRORS))
		fail("stats: caller_errors +%llu",
		     (unsigned long long)D(SYSDMA_STAT_CALLER_ERRORS));
	if (bar) {
		vt1 = verifier_report("after");
		if (vt1 != vt0)
			fail("device verifier: VERIFY_TOTAL %u -> %u", vt0, vt1);
		else if (vt1)
			fail("device verifier: VERIFY_TOTAL %u (before the run)", vt1);
	}
	printf("sysdma-stress: seed %llu: %lu requests in %.2f s: ok %lu, cancelled %lu, timedout %lu, eio %lu, other %lu; "
	       "paths dma %lu, cancel-k2 %lu, cancel-stop %lu, cancel-k4 %lu, timeout %lu; "
	       "%lu cancels (%lu immediate), %lu races, %lu holds, %lu faults (%lu not armed), %lu EBUSY; "
	       "%llu transfers, %llu channel waits, %llu irqs (%llu spurious), %llu bytes; verifier %u; %s\n",
	       (unsigned long long)seed, collected, (t1 - t0) / 1e9,
	       tally.ok, tally.cancelled, tally.timedout, tally.eio, tally.other,
	       tally.path[SYSDMA_PATH_DMA], tally.path[SYSDMA_PATH_CANCEL_K2],
	       tally.path[SYSDMA_PATH_CANCEL_STOP], tally.path[SYSDMA_PATH_CANCEL_K4],
	       tally.path[SYSDMA_PATH_TIMEOUT],
	       tally.cancels, tally.immediate, tally.races, tally.holds,
	       tally.faults, tally.unarmed, tally.busy,
	       (unsigned long long)D(SYSDMA_STAT_TRANSFERS),
	       (unsigned long long)D(SYSDMA_STAT_CHANNEL_WAITS),
	       (unsigned long long)D(SYSDMA_STAT_IRQS),
	       (unsigned long long)D(SYSDMA_STAT_SPURIOUS_IRQS), tally.bytes,
	       vt1, failures ? "FAILED" : "ok");
	close(fd);
	return failures ? 1 : 0;
}
