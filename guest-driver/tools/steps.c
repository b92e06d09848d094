// SPDX-License-Identifier: GPL-2.0
/*
 * sysdmactl: the step executor.
 *
 * A step is one line: OP key=value ...  (values may be "double quoted").
 * The same operations are the CLI's subcommands.  In a step file compiled by
 * the runner (scripts/runner), a line "scenario name=... timeout_ms=..."
 * opens a scenario and "end" closes it; each scenario runs in a child
 * process (a fresh file descriptor, killed at its timeout) and reports on
 * stdout with lines starting with "@@" (see tests/scenarios/README.md):
 *   @@begin NAME
 *   @@result L<line> req=a error=ECANCELED bytes=... path=... ...
 *   @@fail L<line> OP: what was expected, what happened
 *   @@end NAME pass|fail|timeout ms=N
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "sysdmactl.h"
#include "sysdma-regs.h"

#define DEFAULT_DEV	"/dev/sysdma0"
#define HOST_PORT	"/dev/ttyS2"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- parsing --------------------------------------------------------- */

int parse_cmd(char *line, struct cmd *c, char *err, size_t errlen)
{
	char *p = line;

	memset(c, 0, sizeof(*c));
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	c->op = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	if (*p)
		*p++ = 0;
	for (;;) {
		char *k, *v, *o;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (c->nargs == MAX_ARGS) {
			snprintf(err, errlen, "too many arguments (max %d)", MAX_ARGS);
			return -1;
		}
		k = p;
		while (*p && *p != '=' && !isspace((unsigned char)*p))
			p++;
		if (*p != '=') {
			snprintf(err, errlen, "'%.*s': expected key=value",
				 (int)(p - k), k);
			return -1;
		}
		*p++ = 0;
		v = o = p;
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				*o++ = *p++;
			}
			if (*p != '"') {
				snprintf(err, errlen, "%s: unterminated quoted value", k);
				return -1;
			}
			p++;
		} else {
			while (*p && !isspace((unsigned char)*p))
				*o++ = *p++;
		}
		if (*p)
			p++;
		*o = 0;
		if (!strcmp(k, "L")) {
			c->line = atoi(v);
			continue;
		}
		c->args[c->nargs].key = k;
		c->args[c->nargs].val = v;
		c->nargs++;
	}
	return 1;
}

static struct arg *find_arg(struct cmd *c, const char *key)
{
	int i;

	for (i = 0; i < c->nargs; i++)
		if (!strcmp(c->args[i].key, key)) {
			c->args[i].used = 1;
			return &c->args[i];
		}
	return NULL;
}

static const char *get_str(struct cmd *c, const char *key, const char *def)
{
	struct arg *a = find_arg(c, key);

	return a ? a->val : def;
}

/* ---- reporting --------------------------------------------------------- */

static int usage_error;		/* set by cmd_error: a bad command */

static void vreport(struct ctx *x, const struct cmd *c, const char *kind,
		    const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (x->scenario)
		printf("@@fail L%d %s: %s%s\n", c ? c->line : 0,
		       c && c->op ? c->op : "-", kind, msg);
	else
		fprintf(stderr, "sysdmactl: %s%s%s%s\n", c && c->op ? c->op : "",
			c && c->op ? ": " : "", kind, msg);
	fflush(stdout);
}

void fail(struct ctx *x, const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(x, c, "", fmt, ap);
	va_end(ap);
	x->failed++;
}

static int cmd_error(struct ctx *x, const struct cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cmd_error(struct ctx *x, const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(x, c, "bad step: ", fmt, ap);
	va_end(ap);
	x->failed++;
	usage_error = 1;
	return -1;
}

static int get_u64(struct ctx *x, struct cmd *c, const char *key,
		   uint64_t def, uint64_t *out)
{
	const char *s = get_str(c, key, NULL);

	if (!s) {
		*out = def;
		return 0;
	}
	if (parse_u64(s, out))
		return cmd_error(x, c, "%s='%s': expected a number (e.g. 4096, 0x1000, 64K, 1M)",
				 key, s);
	return 0;
}

static int get_int(struct ctx *x, struct cmd *c, const char *key, long def,
		   long *out)
{
	const char *s = get_str(c, key, NULL);
	char *end;

	if (!s) {
		*out = def;
		return 0;
	}
	*out = strtol(s, &end, 0);
	if (!*s || *end)
		return cmd_error(x, c, "%s='%s': expected an integer", key, s);
	return 0;
}

static int check_unused(struct ctx *x, struct cmd *c, const char *keys)
{
	int i;

	for (i = 0; i < c->nargs; i++)
		if (!c->args[i].used && strcmp(c->args[i].key, "fd"))
			return cmd_error(x, c, "unknown key '%s' (keys: %s)",
					 c->args[i].key, keys);
	return 0;
}

/*
 * A number expectation: N, A..B, >N, >=N, <N, <=N, any.  @len gives the
 * meaning of the words all (== len), partial (0 < v < len), none (0).
 */
static int match_num(const char *spec, uint64_t v, uint64_t len, int *ok)
{
	uint64_t a, b;
	const char *dots;
	char buf[64];

	if (!strcmp(spec, "any")) {
		*ok = 1;
		return 0;
	}
	if (!strcmp(spec, "all")) {
		*ok = v == len;
		return 0;
	}
	if (!strcmp(spec, "none")) {
		*ok = v == 0;
		return 0;
	}
	if (!strcmp(spec, "partial")) {
		*ok = v > 0 && v < len;
		return 0;
	}
	if (!strncmp(spec, ">=", 2) && !parse_u64(spec + 2, &a)) {
		*ok = v >= a;
		return 0;
	}
	if (!strncmp(spec, "<=", 2) && !parse_u64(spec + 2, &a)) {
		*ok = v <= a;
		return 0;
	}
	if (*spec == '>' && !parse_u64(spec + 1, &a)) {
		*ok = v > a;
		return 0;
	}
	if (*spec == '<' && !parse_u64(spec + 1, &a)) {
		*ok = v < a;
		return 0;
	}
	dots = strstr(spec, "..");
	if (dots && (size_t)(dots - spec) < sizeof(buf)) {
		memcpy(buf, spec, dots - spec);
		buf[dots - spec] = 0;
		if (parse_u64(buf, &a) || parse_u64(dots + 2, &b))
			return -1;
		*ok = v >= a && v <= b;
		return 0;
	}
	if (parse_u64(spec, &a))
		return -1;
	*ok = v == a;
	return 0;
}

/* ---- requests ---------------------------------------------------------- */

static struct req *find_req(struct ctx *x, const char *name)
{
	int i;

	for (i = 0; i < x->nreqs; i++)
		if (!strcmp(x->reqs[i].name, name))
			return &x->reqs[i];
	return NULL;
}

static void free_bufs(struct req *r)
{
	if (r->src)
		munmap(r->src, r->sub.len);
	if (r->dst)
		munmap(r->dst, r->sub.len);
	r->src = r->dst = NULL;
}

static void *map_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int get_fd(struct ctx *x, struct cmd *c, int *idx)
{
	long n;

	if (get_int(x, c, "fd", 0, &n))
		return -1;
	if (n < 0 || n >= MAX_FDS)
		return cmd_error(x, c, "fd=%ld: expected 0..%d", n, MAX_FDS - 1);
	*idx = (int)n;
	if (x->fds[n] < 0) {
		x->fds[n] = open(x->dev_path, O_RDWR);
		if (x->fds[n] < 0) {
			fail(x, c, "open %s: %s", x->dev_path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int in_set(const char *set, const char *word, int (*parse)(const char *, int *),
		  int v, int *bad);

static int expect_errno(struct ctx *x, struct cmd *c, int got, const char *what)
{
	const char *want_s = get_str(c, "expect", "0");
	int want;

	if (strchr(want_s, '|')) {
		int bad = 0, ok = in_set(want_s, "expect", parse_errno, got, &bad);

		if (bad)
			return cmd_error(x, c, "expect='%s': expected errno names joined by '|'", want_s);
		if (!ok) {
			fail(x, c, "%s: expected %s, got %s%s%s", what, want_s, errno_name(got),
			     got ? " " : "", got ? strerror(got) : "");
			return -1;
		}
		return 0;
	}
	if (parse_errno(want_s, &want))
		return cmd_error(x, c, "expect='%s': expected an errno name (0, EBUSY, ENOENT, ...)", want_s);
	if (got != want) {
		fail(x, c, "%s: expected %s, got %s%s%s", what, errno_name(want),
		     errno_name(got), got ? " " : "", got ? strerror(got) : "");
		return -1;
	}
	return 0;
}

static int op_submit(struct ctx *x, struct cmd *c)
{
	const char *name = get_str(c, "req", "r");
	const char *dir_s = get_str(c, "dir", "m2m");
	const char *flags_s = get_str(c, "flags", "0");
	uint64_t len, timeout, max, seed;
	long ch;
	unsigned int dir, flags;
	struct req *r;
	int fdi, err = 0;

	if (get_u64(x, c, "len", 4096, &len) || get_u64(x, c, "timeout", 0, &timeout) ||
	    get_u64(x, c, "max_transfer", 0, &max) || get_u64(x, c, "seed", 1, &seed) ||
	    get_int(x, c, "channel", SYSDMA_ANY_CHANNEL, &ch))
		return -1;
	if (parse_dir(dir_s, &dir))
		return cmd_error(x, c, "dir='%s': expected m2m, m2p or p2m", dir_s);
	if (parse_flags(flags_s, &flags))
		return cmd_error(x, c, "flags='%s': expected names joined by '|': nowait_channel, no_callback, sg, hold_channel, hold_program, hold_between, hold_granted, hold_programmed", flags_s);
	get_str(c, "expect", NULL);
	if (check_unused(x, c, "req fd dir len channel timeout flags max_transfer seed expect"))
		return -1;
	if (strlen(name) >= NAME_LEN)
		return cmd_error(x, c, "req='%s': name too long", name);
	r = find_req(x, name);
	if (r) {
		if (r->submitted && !r->have_res)
			return cmd_error(x, c, "req '%s' is still pending (wait for it first)", name);
		free_bufs(r);
	} else {
		if (x->nreqs == MAX_REQS)
			return cmd_error(x, c, "too many requests (max %d)", MAX_REQS);
		r = &x->reqs[x->nreqs++];
	}
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	if (get_fd(x, c, &fdi))
		return -1;
	r->fd_index = fdi;
	r->sub.len = len;
	r->sub.dir = dir;
	r->sub.timeout_ms = (uint32_t)timeout;
	r->sub.channel = (int32_t)ch;
	r->sub.flags = flags;
	r->sub.seed = (uint32_t)seed;
	r->sub.max_transfer = (uint32_t)max;
	if (len && dir != SYSDMA_DEV_DIR_P2M) {
		r->src = map_buf(len);
		if (!r->src)
			return cmd_error(x, c, "cannot allocate %llu bytes", (unsigned long long)len);
	}
	if (len && dir != SYSDMA_DEV_DIR_M2P) {
		r->dst = map_buf(len);
		if (!r->dst)
			return cmd_error(x, c, "cannot allocate %llu bytes", (unsigned long long)len);
	}
	fill_buffers(r);
	r->sub.src = (uintptr_t)r->src;
	r->sub.dst = (uintptr_t)r->dst;
	if (ioctl(x->fds[fdi], SYSDMA_IOC_SUBMIT, &r->sub))
		err = errno;
	else
		r->submitted = 1;
	if (x->verbose || !x->scenario)
		printf("%ssubmit L%d req=%s id=%llu err=%s\n", x->scenario ? "@@" : "",
		       c->line, name, (unsigned long long)r->sub.id, errno_name(err));
	return expect_errno(x, c, err, "SUBMIT");
}

static struct req *need_req(struct ctx *x, struct cmd *c)
{
	const char *name = get_str(c, "req", "r");
	struct req *r = find_req(x, name);

	if (!r)
		cmd_error(x, c, "no request named '%s' was submitted", name);
	return r;
}

static int op_cancel_release(struct ctx *x, struct cmd *c, int release)
{
	struct req *r;
	uint64_t id;
	int err = 0;
	const char *ids = get_str(c, "id", NULL);
	long max_ms;

	get_str(c, "expect", NULL);
	if (get_int(x, c, "max_ms", -1, &max_ms))
		return -1;
	if (ids) {
		if (parse_u64(ids, &id))
			return cmd_error(x, c, "id='%s': expected a number", ids);
		if (check_unused(x, c, "id expect fd max_ms"))
			return -1;
		r = NULL;
	} else {
		r = need_req(x, c);
		if (!r || check_unused(x, c, "req id expect max_ms"))
			return -1;
		id = r->sub.id;
	}
	{
		int fdi = r ? r->fd_index : 0;

		if (!r && get_fd(x, c, &fdi))
			return -1;
		if (x->fds[fdi] < 0) {
			fail(x, c, "fd %d is closed", fdi);
			return -1;
		}
		long t0 = now_ms(), dt;

		if (ioctl(x->fds[fdi], release ? SYSDMA_IOC_RELEASE : SYSDMA_IOC_CANCEL, &id))
			err = errno;
		dt = now_ms() - t0;
		if (max_ms >= 0 && dt > max_ms) {
			fail(x, c, "%s took %ld ms, expected at most %ld ms (K6: it must not wait)",
			     release ? "RELEASE" : "CANCEL", dt, max_ms);
			return -1;
		}
	}
	if (x->verbose || !x->scenario)
		printf("%s%s L%d id=%llu err=%s\n", x->scenario ? "@@" : "",
		       release ? "release" : "cancel", c->line,
		       (unsigned long long)id, errno_name(err));
	return expect_errno(x, c, err, release ? "RELEASE" : "CANCEL");
}

static void print_result(struct ctx *x, struct cmd *c, struct req *r)
{
	const struct sysdma_result *s = &r->res;

	printf("%sresult L%d req=%s id=%llu error=%s bytes=%llu len=%llu dev_bytes=%u path=%s transfers=%u channel=%d dev_status=0x%x sink_crc=0x%08x wait_ms=%ld\n",
	       x->scenario ? "@@" : "", c->line, r->name,
	       (unsigned long long)s->id, errno_name((int)s->error),
	       (unsigned long long)s->bytes, (unsigned long long)r->sub.len,
	       s->dev_bytes, path_name(s->path), s->transfers, s->channel,
	       s->dev_status, s->sink_crc, r->wait_ms);
	fflush(stdout);
}

static int op_wait(struct ctx *x, struct cmd *c)
{
	struct req *r;
	uint64_t tmo;
	long max_ms, min_ms, t0;
	struct sysdma_result res;
	int err = 0;

	get_str(c, "expect", NULL);
	r = need_req(x, c);
	if (!r || get_u64(x, c, "timeout", 0, &tmo) ||
	    get_int(x, c, "max_ms", -1, &max_ms) || get_int(x, c, "min_ms", -1, &min_ms) ||
	    check_unused(x, c, "req timeout expect max_ms min_ms"))
		return -1;
	if (x->fds[r->fd_index] < 0) {
		fail(x, c, "fd %d of req %s is closed", r->fd_index, r->name);
		return -1;
	}
	memset(&res, 0, sizeof(res));
	res.id = r->sub.id;
	res.timeout_ms = (uint32_t)tmo;
	t0 = now_ms();
	if (ioctl(x->fds[r->fd_index], SYSDMA_IOC_WAIT, &res))
		err = errno;
	r->wait_ms = now_ms() - t0;
	if (!err) {
		r->res = res;
		r->have_res = 1;
		print_result(x, c, r);
	} else if (x->verbose || !x->scenario) {
		printf("%swait L%d req=%s err=%s wait_ms=%ld\n", x->scenario ? "@@" : "",
		       c->line, r->name, errno_name(err), r->wait_ms);
	}
	if (expect_errno(x, c, err, "WAIT"))
		return -1;
	if (max_ms >= 0 && r->wait_ms > max_ms) {
		fail(x, c, "WAIT took %ld ms, expected at most %ld ms", r->wait_ms, max_ms);
		return -1;
	}
	if (min_ms >= 0 && r->wait_ms < min_ms) {
		fail(x, c, "WAIT took %ld ms, expected at least %ld ms", r->wait_ms, min_ms);
		return -1;
	}
	return 0;
}

static int in_set(const char *set, const char *word, int (*parse)(const char *, int *),
		  int v, int *bad)
{
	char buf[256], *tok, *save = NULL;
	int e;

	(void)word;
	snprintf(buf, sizeof(buf), "%s", set);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		if (parse(tok, &e)) {
			*bad = 1;
			return 0;
		}
		if (e == v)
			return 1;
	}
	return 0;
}

static int parse_path_int(const char *s, int *v)
{
	unsigned int p;

	if (parse_path(s, &p))
		return -1;
	*v = (int)p;
	return 0;
}

static int op_expect(struct ctx *x, struct cmd *c)
{
	struct req *r;
	const char *s;
	int ok, bad = 0;
	char msg[512];

	r = need_req(x, c);
	if (!r)
		return -1;
	if (!r->have_res) {
		get_str(c, "error", NULL); get_str(c, "bytes", NULL);
		fail(x, c, "req %s has no result (its WAIT failed or was not done)", r->name);
		return -1;
	}
	s = get_str(c, "error", NULL);
	if (s) {
		ok = in_set(s, "error", parse_errno, (int)r->res.error, &bad);
		if (bad)
			return cmd_error(x, c, "error='%s': expected errno names joined by '|'", s);
		if (!ok) {
			fail(x, c, "req %s: error: expected %s, got %s (bytes=%llu path=%s)",
			     r->name, s, errno_name((int)r->res.error),
			     (unsigned long long)r->res.bytes, path_name(r->res.path));
			return -1;
		}
	}
	s = get_str(c, "path", NULL);
	if (s) {
		ok = in_set(s, "path", parse_path_int, (int)r->res.path, &bad);
		if (bad)
			return cmd_error(x, c, "path='%s': expected %s joined by '|'",
					 s, path_names());
		if (!ok) {
			fail(x, c, "req %s: path: expected %s, got %s", r->name, s,
			     path_name(r->res.path));
			return -1;
		}
	}
	s = get_str(c, "bytes", NULL);
	if (s) {
		if (match_num(s, r->res.bytes, r->sub.len, &ok))
			return cmd_error(x, c, "bytes='%s': expected N, A..B, <N, >N, all, partial, none or any", s);
		if (!ok) {
			fail(x, c, "req %s: bytes: expected %s (len %llu), got %llu", r->name, s,
			     (unsigned long long)r->sub.len, (unsigned long long)r->res.bytes);
			return -1;
		}
	}
	s = get_str(c, "dev_bytes", NULL);
	if (s) {
		if (!strcmp(s, "bytes"))
			ok = r->res.dev_bytes == r->res.bytes;
		else if (match_num(s, r->res.dev_bytes, r->sub.len, &ok))
			return cmd_error(x, c, "dev_bytes='%s': expected 'bytes' or a number expectation", s);
		if (!ok) {
			fail(x, c, "req %s: dev_bytes: expected %s, got %u (bytes=%llu)",
			     r->name, s, r->res.dev_bytes, (unsigned long long)r->res.bytes);
			return -1;
		}
	}
	s = get_str(c, "transfers", NULL);
	if (s) {
		if (match_num(s, r->res.transfers, 0, &ok))
			return cmd_error(x, c, "transfers='%s': expected a number expectation", s);
		if (!ok) {
			fail(x, c, "req %s: transfers: expected %s, got %u", r->name, s,
			     r->res.transfers);
			return -1;
		}
	}
	s = get_str(c, "channel", NULL);
	if (s) {
		char *end;
		long ch = strtol(s, &end, 0);

		if (!*s || *end)
			return cmd_error(x, c, "channel='%s': expected a number", s);
		if (r->res.channel != ch) {
			fail(x, c, "req %s: channel: expected %ld, got %d", r->name, ch,
			     r->res.channel);
			return -1;
		}
	}
	s = get_str(c, "data", "yes");
	if (check_unused(x, c, "req error bytes dev_bytes path transfers channel data"))
		return -1;
	/* always: the status, the path and the byte count agree */
	{
		const struct sysdma_result *q = &r->res;
		const char *why = NULL;

		if (q->bytes > r->sub.len)
			why = "more bytes than requested";
		else if (q->error == 0 && q->bytes != r->sub.len)
			why = "status 0 with fewer bytes than requested";
		else if (q->error == ETIMEDOUT && q->path != SYSDMA_PATH_TIMEOUT)
			why = "ETIMEDOUT not completed by the timer path (R2: the first to begin completion sets the status)";
		else if (q->error == ECANCELED && q->path != SYSDMA_PATH_CANCEL_K2 &&
			 q->path != SYSDMA_PATH_CANCEL_STOP &&
			 q->path != SYSDMA_PATH_CANCEL_K4 && q->path != SYSDMA_PATH_ABORT)
			why = "ECANCELED not completed by a cancel path";
		else if (q->path == SYSDMA_PATH_CANCEL_K2 && q->transfers == 0 && q->bytes)
			why = "cancelled before any transfer (K2) but bytes moved";
		if (why) {
			fail(x, c, "req %s: inconsistent result: %s (error=%s bytes=%llu len=%llu path=%s transfers=%u)",
			     r->name, why, errno_name((int)q->error), (unsigned long long)q->bytes,
			     (unsigned long long)r->sub.len, path_name(q->path), q->transfers);
			return -1;
		}
	}
	if (strcmp(s, "no") && strcmp(s, "yes"))
		return cmd_error(x, c, "data='%s': expected yes or no", s);
	if (!strcmp(s, "yes") && check_data(r, msg, sizeof(msg))) {
		fail(x, c, "req %s: %s", r->name, msg);
		return -1;
	}
	return 0;
}

static int op_sleep(struct ctx *x, struct cmd *c)
{
	uint64_t ms, us;

	if (get_u64(x, c, "ms", 0, &ms) || get_u64(x, c, "us", 0, &us) ||
	    check_unused(x, c, "ms us"))
		return -1;
	us += ms * 1000;
	while (us >= 1000000) {
		usleep(999999);
		us -= 999999;
	}
	if (us)
		usleep((useconds_t)us);
	return 0;
}

static int need_bar(struct ctx *x, struct cmd *c)
{
	char err[256];

	if (bar_open(err, sizeof(err))) {
		fail(x, c, "register access: %s", err);
		return -1;
	}
	return 0;
}

/*
 * wait-bytes req=a|ch=N min=N [timeout=ms]: poll a channel's live BYTES
 * register.  With req=, only while that request's transfer is running
 * (QUERY: state transfer, its channel), so a value left over from an
 * earlier transfer on the channel never counts.
 */
static int op_wait_bytes(struct ctx *x, struct cmd *c)
{
	const char *name = get_str(c, "req", NULL);
	struct req *r = NULL;
	long ch = -1;
	uint64_t min, tmo;
	long t0;
	uint32_t b = 0;
	struct sysdma_query q;

	memset(&q, 0, sizeof(q));
	if (get_int(x, c, "ch", -1, &ch) || get_u64(x, c, "min", 1, &min) ||
	    get_u64(x, c, "timeout", 5000, &tmo) ||
	    check_unused(x, c, "req ch min timeout") || need_bar(x, c))
		return -1;
	if (name) {
		r = find_req(x, name);
		if (!r)
			return cmd_error(x, c, "no request named '%s'", name);
	}
	if (!r && (ch < 0 || ch >= SYSDMA_MAX_CHANNELS))
		return cmd_error(x, c, "needs req=NAME or ch=0..%d", SYSDMA_MAX_CHANNELS - 1);
	t0 = now_ms();
	while (now_ms() - t0 < (long)tmo) {
		if (r) {
			memset(&q, 0, sizeof(q));
			q.id = r->sub.id;
			if (ioctl(x->fds[r->fd_index], SYSDMA_IOC_QUERY, &q)) {
				fail(x, c, "QUERY req %s: %s", r->name, strerror(errno));
				return -1;
			}
			if (q.done) {
				fail(x, c, "req %s finished (%llu bytes) before its channel's BYTES reached %llu",
				     r->name, (unsigned long long)q.bytes, (unsigned long long)min);
				return -1;
			}
			if (q.state != SYSDMA_QSTATE_TRANSFER || q.channel < 0) {
				usleep(100);
				continue;
			}
			ch = q.channel;
		}
		{
			uint32_t base = SYSDMA_CH_BASE(ch), s1, s2;

			/*
			 * BUSY before and after: BYTES is this transfer's,
			 * not a value left by the previous one
			 */
			s1 = bar_read(base + SYSDMA_CH_STATUS) & SYSDMA_STATUS_STATE_MASK;
			b = bar_read(base + SYSDMA_CH_BYTES);
			s2 = bar_read(base + SYSDMA_CH_STATUS) & SYSDMA_STATUS_STATE_MASK;
			if (b >= min && (!r || (s1 == SYSDMA_STATE_BUSY && s2 == SYSDMA_STATE_BUSY)))
				return 0;
		}
		usleep(100);
	}
	fail(x, c, "channel %ld BYTES: expected >= %llu within %llu ms, still %u (status 0x%x)",
	     ch, (unsigned long long)min, (unsigned long long)tmo, b,
	     ch >= 0 ? bar_read(SYSDMA_CH_BASE(ch) + SYSDMA_CH_STATUS) : 0);
	return -1;
}

static const char *const qstate_names[] = {
	"created", "initialized", "wait_channel", "programming", "transfer",
	"transfer_done", "between", "done", "cancelled",
};

/*
 * wait-state req=a [held=HOOK] [state=S|S] [bytes=SPEC] [transfers=SPEC]
 * [timeout=ms]: poll SYSDMA_IOC_QUERY until every condition holds.
 */
static int op_wait_state(struct ctx *x, struct cmd *c)
{
	struct req *r;
	const char *held_s = get_str(c, "held", NULL), *state_s = get_str(c, "state", NULL);
	const char *bytes_s = get_str(c, "bytes", NULL), *tr_s = get_str(c, "transfers", NULL);
	unsigned int held = 0;
	uint64_t tmo;
	struct sysdma_query q;
	long t0;
	int ok = 0, dummy;

	r = need_req(x, c);
	if (!r || get_u64(x, c, "timeout", 5000, &tmo) ||
	    check_unused(x, c, "req held state bytes transfers timeout"))
		return -1;
	if (held_s && parse_flags(held_s, &held))
		return cmd_error(x, c, "held='%s': expected hold_channel, hold_program, hold_between, hold_granted, hold_programmed or none", held_s);
	if (bytes_s && match_num(bytes_s, 0, r->sub.len, &dummy))
		return cmd_error(x, c, "bytes='%s': expected a number expectation", bytes_s);
	if (tr_s && match_num(tr_s, 0, 0, &dummy))
		return cmd_error(x, c, "transfers='%s': expected a number expectation", tr_s);
	if (state_s) {
		char buf[256], *tok, *save = NULL;
		size_t i;

		snprintf(buf, sizeof(buf), "%s", state_s);
		for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
			for (i = 0; i < sizeof(qstate_names) / sizeof(qstate_names[0]); i++)
				if (!strcmp(tok, qstate_names[i]))
					break;
			if (i == sizeof(qstate_names) / sizeof(qstate_names[0]))
				return cmd_error(x, c, "state='%s': expected created, initialized, wait_channel, programming, transfer, transfer_done, between, done or cancelled joined by '|'", tok);
		}
	}
	t0 = now_ms();
	memset(&q, 0, sizeof(q));
	do {
		memset(&q, 0, sizeof(q));
		q.id = r->sub.id;
		if (ioctl(x->fds[r->fd_index], SYSDMA_IOC_QUERY, &q)) {
			fail(x, c, "QUERY req %s: %s", r->name, strerror(errno));
			return -1;
		}
		ok = 1;
		if (held_s && q.held != held)
			ok = 0;
		if (ok && state_s) {
			char buf[256], *tok, *save = NULL;
			const char *name = q.state < sizeof(qstate_names) / sizeof(qstate_names[0]) ?
					   qstate_names[q.state] : "?";

			snprintf(buf, sizeof(buf), "%s", state_s);
			ok = 0;
			for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
				if (!strcmp(tok, name))
					ok = 1;
		}
		if (ok && bytes_s)
			match_num(bytes_s, q.bytes, r->sub.len, &ok);
		if (ok && tr_s)
			match_num(tr_s, q.transfers, 0, &ok);
		if (ok)
			return 0;
		usleep(200);
	} while (now_ms() - t0 < (long)tmo);
	fail(x, c, "req %s: expected%s%s%s%s%s%s%s%s within %llu ms; now held=0x%x state=%s bytes=%llu transfers=%u done=%u",
	     r->name, held_s ? " held=" : "", held_s ? held_s : "",
	     state_s ? " state=" : "", state_s ? state_s : "",
	     bytes_s ? " bytes=" : "", bytes_s ? bytes_s : "",
	     tr_s ? " transfers=" : "", tr_s ? tr_s : "", (unsigned long long)tmo, q.held,
	     q.state < sizeof(qstate_names) / sizeof(qstate_names[0]) ? qstate_names[q.state] : "?",
	     (unsigned long long)q.bytes, q.transfers, q.done);
	return -1;
}

static int resolve_reg(struct ctx *x, struct cmd *c, uint32_t *off)
{
	const char *reg = get_str(c, "reg", NULL);
	long ch;
	int rc;

	if (get_int(x, c, "ch", -1, &ch))
		return -1;
	if (!reg)
		return cmd_error(x, c, "needs reg=NAME|OFFSET");
	rc = reg_offset(reg, (int)ch, off);
	if (rc == -2)
		return cmd_error(x, c, "reg=%s is a channel register: needs ch=N", reg);
	if (rc)
		return cmd_error(x, c, "reg='%s': unknown register (a name from sysdma-regs.h in lower case, e.g. status, bytes, claim, verify_total, or a 4-aligned offset)", reg);
	return 0;
}

static uint64_t scratch_phys;
static unsigned char *scratch;

static int get_scratch(struct ctx *x, struct cmd *c)
{
	uint64_t ent;
	int fd;

	if (scratch)
		return 0;
	scratch = map_buf(4096);
	if (!scratch || mlock(scratch, 4096)) {
		fail(x, c, "scratch page: %s", strerror(errno));
		return -1;
	}
	memset(scratch, 0x5a, 4096);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, 8, (off_t)((uintptr_t)scratch / 4096 * 8)) != 8 ||
	    !(ent & (1ULL << 63))) {
		fail(x, c, "scratch page: cannot read its physical address");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	scratch_phys = (ent & ((1ULL << 55) - 1)) * 4096;
	return 0;
}

/* A value: a number, or scratch[+N] (physical address of a locked page) */
static int get_val(struct ctx *x, struct cmd *c, const char *key, uint64_t *v)
{
	const char *s = get_str(c, key, NULL);

	if (!s)
		return cmd_error(x, c, "needs %s=VALUE", key);
	if (!strcmp(s, "scratch_hi")) {
		if (get_scratch(x, c))
			return -1;
		*v = scratch_phys >> 32;
		return 0;
	}
	if (!strncmp(s, "scratch", 7)) {
		uint64_t add = 0;

		if (s[7] == '+' ? parse_u64(s + 8, &add) : s[7] != 0)
			return cmd_error(x, c, "%s='%s': expected scratch or scratch+N", key, s);
		if (get_scratch(x, c))
			return -1;
		*v = scratch_phys + add;
		return 0;
	}
	if (!strcmp(s, "scratch_hi")) {
		if (get_scratch(x, c))
			return -1;
		*v = scratch_phys >> 32;
		return 0;
	}
	if (parse_u64(s, v))
		return cmd_error(x, c, "%s='%s': expected a number", key, s);
	return 0;
}

static int op_poke(struct ctx *x, struct cmd *c)
{
	uint32_t off;
	uint64_t v;

	if (resolve_reg(x, c, &off) || get_val(x, c, "val", &v) ||
	    check_unused(x, c, "reg ch val") || need_bar(x, c))
		return -1;
	bar_write(off, (uint32_t)v);
	if (x->verbose || !x->scenario)
		printf("%spoke L%d 0x%03x <- 0x%x\n", x->scenario ? "@@" : "", c->line,
		       off, (uint32_t)v);
	return 0;
}

static int op_peek(struct ctx *x, struct cmd *c)
{
	uint32_t off, v;
	uint64_t mask, want;
	const char *exp;

	if (resolve_reg(x, c, &off) || get_u64(x, c, "mask", 0xffffffffu, &mask))
		return -1;
	exp = get_str(c, "expect", NULL);
	if (check_unused(x, c, "reg ch mask expect") || need_bar(x, c))
		return -1;
	v = bar_read(off);
	if (!exp || x->verbose || !x->scenario)
		printf("%speek L%d 0x%03x = 0x%x\n", x->scenario ? "@@" : "", c->line, off, v);
	if (exp) {
		if (parse_u64(exp, &want))
			return cmd_error(x, c, "expect='%s': expected a number", exp);
		if ((v & mask) != want) {
			fail(x, c, "register 0x%03x & 0x%llx: expected 0x%llx, got 0x%x", off,
			     (unsigned long long)mask, (unsigned long long)want, v & (uint32_t)mask);
			return -1;
		}
	}
	return 0;
}

/* wait-reg reg=R [ch=N] [mask=M] value=V [timeout=ms] */
static int op_wait_reg(struct ctx *x, struct cmd *c)
{
	uint32_t off, v = 0;
	uint64_t mask, want, tmo;
	long t0;

	if (resolve_reg(x, c, &off) || get_u64(x, c, "mask", 0xffffffffu, &mask) ||
	    get_val(x, c, "value", &want) || get_u64(x, c, "timeout", 5000, &tmo) ||
	    check_unused(x, c, "reg ch mask value timeout") || need_bar(x, c))
		return -1;
	t0 = now_ms();
	do {
		v = bar_read(off);
		if ((v & mask) == want)
			return 0;
		usleep(100);
	} while (now_ms() - t0 < (long)tmo);
	fail(x, c, "register 0x%03x & 0x%llx: expected 0x%llx within %llu ms, got 0x%x",
	     off, (unsigned long long)mask, (unsigned long long)want,
	     (unsigned long long)tmo, v);
	return -1;
}

static int op_fault(struct ctx *x, struct cmd *c)
{
	struct sysdma_fault f;
	const char *mode = get_str(c, "mode", "none");
	const char *sticky = get_str(c, "sticky", "none");
	long ch;
	uint64_t ea, dus, rate;
	unsigned int m, s;
	int fdi;

	memset(&f, 0, sizeof(f));
	if (get_int(x, c, "ch", 0, &ch) || get_u64(x, c, "error_after", 0, &ea) ||
	    get_u64(x, c, "delay_us", 0, &dus) || get_u64(x, c, "slow_rate", 0, &rate))
		return -1;
	if (parse_fault_mode(mode, &m))
		return cmd_error(x, c, "mode='%s': expected none or error, stall, drop_irq, delay_irq, spurious, slow joined by '|'", mode);
	if (!strcmp(sticky, "yes"))
		s = m;
	else if (parse_fault_mode(sticky, &s))
		return cmd_error(x, c, "sticky='%s': expected yes, none or fault names joined by '|'", sticky);
	get_str(c, "expect", NULL);
	if (check_unused(x, c, "ch mode sticky error_after delay_us slow_rate fd expect") ||
	    get_fd(x, c, &fdi))
		return -1;
	f.channel = (uint32_t)ch;
	f.mode = m;
	f.sticky = s;
	f.error_after = (uint32_t)ea;
	f.delay_us = (uint32_t)dus;
	f.slow_rate = (uint32_t)rate;
	return expect_errno(x, c, ioctl(x->fds[fdi], SYSDMA_IOC_FAULT, &f) ? errno : 0,
			    "FAULT");
}

static int read_stats(struct ctx *x, struct cmd *c, struct sysdma_stats *st)
{
	int fdi;

	if (get_fd(x, c, &fdi))
		return -1;
	memset(st, 0, sizeof(*st));
	if (ioctl(x->fds[fdi], SYSDMA_IOC_STATS, st)) {
		fail(x, c, "STATS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int op_stats(struct ctx *x, struct cmd *c)
{
	struct sysdma_stats st;
	unsigned int i;

	if (check_unused(x, c, "fd") || read_stats(x, c, &st))
		return -1;
	for (i = 0; i < st.count && i < SYSDMA_STAT_MAX; i++)
		printf("%s%s %llu\n", x->scenario ? "@@stat " : "", stat_name((int)i),
		       (unsigned long long)st.v[i]);
	return 0;
}

/* expect-stats NAME=SPEC ...: deltas since the scenario began (CLI: totals) */
static int op_expect_stats(struct ctx *x, struct cmd *c)
{
	struct sysdma_stats st;
	uint64_t d[SYSDMA_STAT_MAX];
	int i, k, ok;

	if (read_stats(x, c, &st))
		return -1;
	for (i = 0; i < SYSDMA_STAT_MAX; i++)
		d[i] = st.v[i] - x->stats0.v[i];
	for (i = 0; i < c->nargs; i++) {
		const char *key = c->args[i].key, *spec = c->args[i].val;
		int ref;

		if (c->args[i].used)
			continue;
		c->args[i].used = 1;
		k = stat_index(key);
		if (k < 0)
			return cmd_error(x, c, "unknown counter '%s' (submitted completed ok cancelled timedout error aborted cancel_k2 cancel_stop timeout_stop in_flight transfers flushes irqs spurious_irqs channel_waits caller_errors)", key);
		if ((unsigned int)k >= st.count) {
			fail(x, c, "counter %s not reported by the driver (count %u)", key, st.count);
			return -1;
		}
		ref = stat_index(spec);
		if (ref >= 0) {
			ok = d[k] == d[ref];
			if (!ok) {
				fail(x, c, "stats: %s (%llu) == %s (%llu) expected", key,
				     (unsigned long long)d[k], spec, (unsigned long long)d[ref]);
				return -1;
			}
			continue;
		}
		if (match_num(spec, d[k], 0, &ok))
			return cmd_error(x, c, "%s='%s': expected a number expectation or a counter name", key, spec);
		if (!ok) {
			fail(x, c, "stats: %s: expected %s, got %llu (change during the scenario)",
			     key, spec, (unsigned long long)d[k]);
			return -1;
		}
	}
	return 0;
}

static int op_expect_verifier(struct ctx *x, struct cmd *c)
{
	int i, k, ok;

	if (need_bar(x, c))
		return -1;
	for (i = 0; i < c->nargs; i++) {
		const char *key = c->args[i].key, *spec = c->args[i].val;
		uint32_t v;

		c->args[i].used = 1;
		k = verify_index(key);
		if (k < 0)
			return cmd_error(x, c, "unknown verifier counter '%s' (total, reprogram_no_flush, release_no_flush, start_busy, zero_length, overlap, bad_address, ack_not_pending, cancel_idle, flush_idle, leak, double_release, not_claimed, bad_register)", key);
		if (k == VERIFY_TOTAL_INDEX)
			v = bar_read(SYSDMA_REG_VERIFY_TOTAL) - x->verify0[31];
		else
			v = bar_read(SYSDMA_REG_VERIFY_COUNT(k)) - x->verify0[k];
		if (match_num(spec, v, 0, &ok))
			return cmd_error(x, c, "%s='%s': expected a number expectation", key, spec);
		if (!ok) {
			fail(x, c, "verifier: %s: expected %s, got %u (change during the scenario)",
			     key, spec, v);
			return -1;
		}
	}
	return 0;
}

static void snap_verifier(uint32_t *v)
{
	int k;

	for (k = 0; k < SYSDMA_V_COUNT; k++)
		v[k] = bar_read(SYSDMA_REG_VERIFY_COUNT(k));
	v[31] = bar_read(SYSDMA_REG_VERIFY_TOTAL);
}

static int op_verifier(struct ctx *x, struct cmd *c)
{
	int k;

	if (check_unused(x, c, "") || need_bar(x, c))
		return -1;
	printf("%stotal %u\n", x->scenario ? "@@verifier " : "",
	       bar_read(SYSDMA_REG_VERIFY_TOTAL));
	for (k = 0; k < SYSDMA_V_COUNT; k++)
		printf("%s%s %u\n", x->scenario ? "@@verifier " : "", verify_name(k),
		       bar_read(SYSDMA_REG_VERIFY_COUNT(k)));
	return 0;
}

static int op_selftest(struct ctx *x, struct cmd *c)
{
	static struct sysdma_selftest st;
	const char *fs = get_str(c, "failed", "0"), *ps = get_str(c, "passed", ">=1");
	const char *contains = get_str(c, "contains", NULL);
	int fdi, ok;
	char *line, *save = NULL, buf[4096];

	if (check_unused(x, c, "failed passed contains fd") || get_fd(x, c, &fdi))
		return -1;
	memset(&st, 0, sizeof(st));
	if (ioctl(x->fds[fdi], SYSDMA_IOC_SELFTEST, &st)) {
		fail(x, c, "SELFTEST: %s", strerror(errno));
		return -1;
	}
	st.log[sizeof(st.log) - 1] = 0;
	snprintf(buf, sizeof(buf), "%s", st.log);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("%s%s\n", x->scenario ? "@@selftest " : "", line);
	printf("%sselftest passed=%u failed=%u\n", x->scenario ? "@@" : "", st.passed, st.failed);
	if (match_num(fs, st.failed, 0, &ok))
		return cmd_error(x, c, "failed='%s': expected a number expectation", fs);
	if (!ok) {
		fail(x, c, "SELFTEST failed checks: expected %s, got %u", fs, st.failed);
		return -1;
	}
	if (match_num(ps, st.passed, 0, &ok))
		return cmd_error(x, c, "passed='%s': expected a number expectation", ps);
	if (!ok) {
		fail(x, c, "SELFTEST passed checks: expected %s, got %u", ps, st.passed);
		return -1;
	}
	if (contains) {
		char words[512], *w, *s2 = NULL;

		snprintf(words, sizeof(words), "%s", contains);
		for (w = strtok_r(words, ";,", &s2); w; w = strtok_r(NULL, ";,", &s2))
			if (!strstr(st.log, w)) {
				fail(x, c, "SELFTEST log has no check naming '%s'", w);
				return -1;
			}
	}
	return 0;
}

static int op_open_close(struct ctx *x, struct cmd *c, int open_)
{
	long n;
	int i;

	if (get_int(x, c, "fd", 0, &n) || check_unused(x, c, "fd"))
		return -1;
	if (n < 0 || n >= MAX_FDS)
		return cmd_error(x, c, "fd=%ld: expected 0..%d", n, MAX_FDS - 1);
	if (open_) {
		if (x->fds[n] >= 0)
			close(x->fds[n]);
		x->fds[n] = open(x->dev_path, O_RDWR);
		if (x->fds[n] < 0) {
			fail(x, c, "open %s: %s", x->dev_path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (x->fds[n] < 0)
		return cmd_error(x, c, "fd %ld is not open", n);
	close(x->fds[n]);
	x->fds[n] = -1;
	for (i = 0; i < x->nreqs; i++)
		if (x->reqs[i].fd_index == n && !x->reqs[i].have_res)
			x->reqs[i].submitted = 0;	/* gone with the fd */
	return 0;
}

static int op_shell(struct ctx *x, struct cmd *c)
{
	const char *cmd = get_str(c, "cmd", NULL);
	long want;
	int st;

	if (!cmd)
		return cmd_error(x, c, "needs cmd=\"shell command\"");
	if (get_int(x, c, "expect", 0, &want) || check_unused(x, c, "cmd expect"))
		return -1;
	fflush(stdout);
	st = system(cmd);
	st = st == -1 ? 127 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (want >= 0 && st != want) {
		fail(x, c, "'%s' exited %d, expected %ld", cmd, st, want);
		return -1;
	}
	return 0;
}

static int op_log(struct ctx *x, struct cmd *c)
{
	const char *msg = get_str(c, "msg", "");
	int fd;

	if (check_unused(x, c, "msg"))
		return -1;
	printf("%s%s\n", x->scenario ? "@@log " : "", msg);
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd >= 0) {
		dprintf(fd, "sysdma-run: %s\n", msg);
		close(fd);
	}
	return 0;
}

/*
 * host k=v ...: ask the runner on the host to do something (QMP) and wait
 * for its answer on the host port (ttyS2): we send "@@host ARGS", the
 * runner answers "@@ack ok [text]" or "@@ack fail reason".
 */
static int op_host(struct ctx *x, struct cmd *c)
{
	char out[1024], in[1024];
	size_t n = 0;
	int i, pos = 0;
	long t0;

	if (x->ctl_fd < 0) {
		struct termios t;

		x->ctl_fd = open(HOST_PORT, O_RDWR | O_NOCTTY);
		if (x->ctl_fd < 0) {
			fail(x, c, "host port %s: %s", HOST_PORT, strerror(errno));
			return -1;
		}
		if (!tcgetattr(x->ctl_fd, &t)) {
			cfmakeraw(&t);
			t.c_cc[VMIN] = 1;
			t.c_cc[VTIME] = 0;
			tcsetattr(x->ctl_fd, TCSANOW, &t);
		}
		tcflush(x->ctl_fd, TCIOFLUSH);
	}
	pos = snprintf(out, sizeof(out), "@@host L=%d", c->line);
	for (i = 0; i < c->nargs && pos < (int)sizeof(out) - 8; i++) {
		const char *v = c->args[i].val;

		c->args[i].used = 1;
		pos += snprintf(out + pos, sizeof(out) - pos, " %s=\"", c->args[i].key);
		for (; *v && pos < (int)sizeof(out) - 8; v++) {
			if (*v == '"' || *v == '\\')
				out[pos++] = '\\';
			out[pos++] = *v;
		}
		out[pos++] = '"';
	}
	if (pos > (int)sizeof(out) - 2)
		return cmd_error(x, c, "host request too long");
	out[pos++] = '\n';
	printf("%s", out);
	fflush(stdout);
	if (write(x->ctl_fd, out, pos) != pos) {
		fail(x, c, "host port: write: %s", strerror(errno));
		return -1;
	}
	t0 = now_ms();
	for (;;) {
		char ch;
		ssize_t r = read(x->ctl_fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fail(x, c, "host port: no answer (%s)", r ? strerror(errno) : "EOF");
			return -1;
		}
		if (ch == '\r')
			continue;
		if (ch != '\n') {
			if (n < sizeof(in) - 1)
				in[n++] = ch;
			continue;
		}
		in[n] = 0;
		if (!strncmp(in, "@@ack ", 6))
			break;
		n = 0;	/* noise: keep reading */
	}
	printf("@@ack L%d %s (%ld ms)\n", c->line, in + 6, now_ms() - t0);
	if (strncmp(in + 6, "ok", 2)) {
		fail(x, c, "host action failed: %s", in + 6);
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct ctx *, struct cmd *);
	int (*fn2)(struct ctx *, struct cmd *, int);
	int arg;
	const char *help;
} ops[] = {
	{ "submit", op_submit, NULL, 0,
	  "req=NAME dir=m2m|m2p|p2m len=N [channel=N] [timeout=MS] [flags=F|F] [max_transfer=N] [seed=N] [fd=N] [expect=ERRNO]" },
	{ "wait", op_wait, NULL, 0, "req=NAME [timeout=MS] [expect=ERRNO] [max_ms=N] [min_ms=N]" },
	{ "expect", op_expect, NULL, 0,
	  "req=NAME [error=E|E] [bytes=N|A..B|all|partial|none|<N|>N] [dev_bytes=bytes|N] [path=P|P] [transfers=N] [channel=N] [data=yes|no]" },
	{ "cancel", NULL, op_cancel_release, 0, "req=NAME|id=N [expect=ERRNO|ERRNO] [max_ms=N]" },
	{ "release", NULL, op_cancel_release, 1, "req=NAME|id=N [expect=ERRNO|ERRNO] [max_ms=N]" },
	{ "sleep", op_sleep, NULL, 0, "ms=N | us=N" },
	{ "wait-bytes", op_wait_bytes, NULL, 0, "req=NAME|ch=N min=N [timeout=MS]" },
	{ "wait-reg", op_wait_reg, NULL, 0, "reg=R [ch=N] [mask=M] value=V [timeout=MS]" },
	{ "wait-state", op_wait_state, NULL, 0,
	  "req=NAME [held=HOOK] [state=S|S] [bytes=SPEC] [transfers=SPEC] [timeout=MS] (SYSDMA_IOC_QUERY)" },
	{ "fault", op_fault, NULL, 0,
	  "ch=N mode=none|error|stall|drop_irq|delay_irq|spurious|slow[|...] [sticky=yes|F] [error_after=N] [delay_us=N] [slow_rate=BPS]" },
	{ "stats", op_stats, NULL, 0, "" },
	{ "expect-stats", op_expect_stats, NULL, 0, "COUNTER=N|A..B|>=N|COUNTER ..." },
	{ "verifier", op_verifier, NULL, 0, "" },
	{ "expect-verifier", op_expect_verifier, NULL, 0, "KIND=N|A..B ... (total, ack_not_pending, ...)" },
	{ "selftest", op_selftest, NULL, 0, "[failed=0] [passed=>=1] [contains=K2;K3]" },
	{ "peek", op_peek, NULL, 0, "reg=R [ch=N] [mask=M] [expect=V]" },
	{ "poke", op_poke, NULL, 0, "reg=R [ch=N] val=V|scratch[+N]" },
	{ "open", NULL, op_open_close, 1, "fd=N" },
	{ "close", NULL, op_open_close, 0, "fd=N" },
	{ "shell", op_shell, NULL, 0, "cmd=\"...\" [expect=STATUS]" },
	{ "log", op_log, NULL, 0, "msg=\"...\"" },
	{ "host", op_host, NULL, 0, "action=NAME ... (done by the runner over QMP)" },
};

void print_ops(FILE *f)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		fprintf(f, "  %-16s %s\n", ops[i].name, ops[i].help);
}

int exec_cmd(struct ctx *x, struct cmd *c)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, c->op)) {
			rc = ops[i].fn ? ops[i].fn(x, c) : ops[i].fn2(x, c, ops[i].arg);
			fflush(stdout);
			return rc;
		}
	return cmd_error(x, c, "unknown operation '%s' (see sysdmactl --help)", c->op);
}

int exec_usage_error(void)
{
	return usage_error;
}

void ctx_init(struct ctx *x)
{
	int i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < MAX_FDS; i++)
		x->fds[i] = -1;
	x->ctl_fd = -1;
	x->dev_path = getenv("SYSDMA_DEV") ? getenv("SYSDMA_DEV") : DEFAULT_DEV;
}

void ctx_fini(struct ctx *x)
{
	int i;

	for (i = 0; i < MAX_FDS; i++)
		if (x->fds[i] >= 0)
			close(x->fds[i]);
	for (i = 0; i < x->nreqs; i++)
		free_bufs(&x->reqs[i]);
	if (x->ctl_fd >= 0)
		close(x->ctl_fd);
}

/* ---- run FILE...: scenarios ------------------------------------------- */

static void kmsg(const char *fmt, const char *name)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd >= 0) {
		dprintf(fd, fmt, name);
		close(fd);
	}
}

struct block {
	char name[128];
	long timeout_ms;
	int verifier_clean, leak_check;
	int caller_errors_same;	/* caller_errors must not change (V4) */
	char **lines;
	int *linenos;
	int n;
};

static int open_dev(void)
{
	const char *p = getenv("SYSDMA_DEV") ? getenv("SYSDMA_DEV") : DEFAULT_DEV;

	return open(p, O_RDWR);
}

/* The driver's caller_errors counter, or -1 when it cannot be read. */
static long long read_caller_errors(void)
{
	struct sysdma_stats st;
	long long v = -1;
	int fd = open_dev();

	if (fd < 0)
		return -1;
	memset(&st, 0, sizeof(st));
	if (!ioctl(fd, SYSDMA_IOC_STATS, &st) &&
	    st.count > SYSDMA_STAT_CALLER_ERRORS)
		v = (long long)st.v[SYSDMA_STAT_CALLER_ERRORS];
	close(fd);
	return v;
}

/*
 * After a scenario: no request left in flight, no channel left claimed,
 * faults cleared, (unless allowed) no verifier violation and (unless the
 * scenario expects some) no caller error counted by the driver: the
 * adapter refuses a double channel free (V4) or a misplaced flush (H2)
 * and counts it, nothing else shows it.
 */
static int post_checks(struct block *b, const uint32_t *v0, long long ce0)
{
	long long ce1;
	struct sysdma_stats st;
	int fd, ch, bad = 0, n;
	long t0 = now_ms();
	struct sysdma_fault f;

	fd = open_dev();
	if (fd < 0) {
		printf("@@note post: %s not present (%s): driver checks skipped\n",
		       DEFAULT_DEV, strerror(errno));
	} else {
		for (;;) {
			memset(&st, 0, sizeof(st));
			if (ioctl(fd, SYSDMA_IOC_STATS, &st) ||
			    st.count <= SYSDMA_STAT_IN_FLIGHT || !st.v[SYSDMA_STAT_IN_FLIGHT])
				break;
			if (now_ms() - t0 > 2000) {
				printf("@@fail L0 post: %llu requests still in flight 2 s after the scenario ended\n",
				       (unsigned long long)st.v[SYSDMA_STAT_IN_FLIGHT]);
				bad = 1;
				break;
			}
			usleep(2000);
		}
		ce1 = read_caller_errors();
		/* the module was reloaded (rmmod scenarios): counted anew */
		if (ce1 >= 0 && ce1 < ce0)
			ce0 = 0;
		if (b->caller_errors_same && ce0 >= 0 && ce1 >= 0 && ce1 != ce0) {
			printf("@@fail L0 post: the driver counted %lld caller error(s) during the scenario (caller_errors %lld -> %lld; see the kernel log; a scenario that provokes them sets [expect-stats] caller_errors)\n",
			       ce1 - ce0, ce0, ce1);
			bad = 1;
		}
		for (ch = 0; ch < SYSDMA_MAX_CHANNELS; ch++) {
			memset(&f, 0, sizeof(f));
			f.channel = (uint32_t)ch;
			if (ioctl(fd, SYSDMA_IOC_FAULT, &f))
				break;
		}
		close(fd);
	}
	if (bar_ok()) {
		n = bar_channels();
		for (ch = 0; b->leak_check && ch < n; ch++) {
			uint32_t s;

			t0 = now_ms();
			while ((s = bar_read(SYSDMA_CH_BASE(ch) + SYSDMA_CH_STATUS)) &
			       SYSDMA_STATUS_CLAIMED && now_ms() - t0 < 1000)
				usleep(2000);
			if (s & SYSDMA_STATUS_CLAIMED) {
				printf("@@fail L0 post: channel %d still claimed after the scenario (status 0x%x): leaked (V4); released it so later scenarios start clean\n",
				       ch, s);
				bad = 1;
				if (s & SYSDMA_STATUS_FLUSH_OWED)
					bar_write(SYSDMA_CH_BASE(ch) + SYSDMA_CH_FLUSH, 1);
				bar_write(SYSDMA_CH_BASE(ch) + SYSDMA_CH_CLAIM, 0);
			}
		}
		if (b->verifier_clean) {
			uint32_t v1[32];
			int k;

			snap_verifier(v1);
			if (v1[31] != v0[31]) {
				for (k = 0; k < SYSDMA_V_COUNT; k++)
					if (v1[k] != v0[k])
						printf("@@fail L0 post: device verifier counted %u %s violation(s) during the scenario\n",
						       v1[k] - v0[k], verify_name(k));
				if (!bad)
					printf("@@fail L0 post: device verifier total went %u -> %u\n",
					       v0[31], v1[31]);
				bad = 1;
			}
		}
	}
	return bad;
}

static int run_block(struct block *b, int verbose)
{
	uint32_t v0[32] = { 0 };
	char err[256];
	long t0 = now_ms(), ms;
	pid_t pid;
	int st = 0, result, i, timed_out = 0;
	long long ce0;

	printf("@@begin %s\n", b->name);
	fflush(stdout);
	kmsg("sysdma-run: begin %s\n", b->name);
	ce0 = read_caller_errors();
	if (!bar_open(err, sizeof(err)))
		snap_verifier(v0);
	else
		printf("@@note no register access (%s): verifier and leak checks skipped\n", err);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("@@fail L0 fork: %s\n", strerror(errno));
		result = 1;
		goto out;
	}
	if (pid == 0) {
		struct ctx x;
		struct cmd c;

		ctx_init(&x);
		x.scenario = b->name;
		x.verbose = verbose;
		if (bar_ok()) {
			memcpy(x.verify0, v0, sizeof(v0));
			x.have_verify0 = 1;
		}
		x.fds[0] = open(x.dev_path, O_RDWR);
		if (x.fds[0] >= 0)
			ioctl(x.fds[0], SYSDMA_IOC_STATS, &x.stats0);
		for (i = 0; i < b->n && !x.failed; i++) {
			char line[2048];

			snprintf(line, sizeof(line), "%s", b->lines[i]);
			if (parse_cmd(line, &c, err, sizeof(err)) < 0) {
				printf("@@fail L%d bad step: %s\n", b->linenos[i], err);
				x.failed++;
				break;
			}
			if (!c.op)
				continue;
			if (!c.line)
				c.line = b->linenos[i];
			exec_cmd(&x, &c);
		}
		fflush(stdout);
		_exit(x.failed ? 1 : 0);
	}
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (now_ms() - t0 > b->timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			timed_out = 1;
			printf("@@fail L0 timeout: the scenario ran longer than %ld ms (killed; its requests are aborted by close)\n",
			       b->timeout_ms);
			break;
		}
		usleep(1000);
	}
	result = timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	if (!timed_out && WIFSIGNALED(st))
		printf("@@fail L0 crash: sysdmactl died with signal %d\n", WTERMSIG(st));
	if (post_checks(b, v0, ce0))
		result = 1;
out:
	ms = now_ms() - t0;
	printf("@@end %s %s ms=%ld\n", b->name,
	       timed_out ? "timeout" : result ? "fail" : "pass", ms);
	fflush(stdout);
	kmsg("sysdma-run: end %s\n", b->name);
	return result;
}

static int read_file(const char *path, struct block **blocks, int *nblocks)
{
	FILE *f = fopen(path, "r");
	char buf[2048];
	int lineno = 0;
	struct block *cur = NULL;

	if (!f) {
		fprintf(stderr, "sysdmactl run: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		struct cmd c;
		char tmp[2048], err[256];
		size_t l = strlen(buf);

		lineno++;
		while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
			buf[--l] = 0;
		strcpy(tmp, buf);
		if (parse_cmd(tmp, &c, err, sizeof(err)) < 0) {
			fprintf(stderr, "sysdmactl run: %s:%d: %s\n", path, lineno, err);
			fclose(f);
			return -1;
		}
		if (!c.op)
			continue;
		if (!strcmp(c.op, "scenario")) {
			const char *name = get_str(&c, "name", NULL);

			if (cur) {
				fprintf(stderr, "sysdmactl run: %s:%d: 'scenario' inside a scenario (missing 'end')\n",
					path, lineno);
				fclose(f);
				return -1;
			}
			*blocks = realloc(*blocks, sizeof(**blocks) * (*nblocks + 1));
			cur = &(*blocks)[(*nblocks)++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%s", name ? name : "unnamed");
			cur->timeout_ms = atol(get_str(&c, "timeout_ms", "10000"));
			cur->verifier_clean = strcmp(get_str(&c, "verifier", "clean"), "any") != 0;
			cur->leak_check = strcmp(get_str(&c, "leak_check", "yes"), "no") != 0;
			cur->caller_errors_same =
				strcmp(get_str(&c, "caller_errors", "unchanged"), "any") != 0;
			continue;
		}
		if (!strcmp(c.op, "end")) {
			if (!cur) {
				fprintf(stderr, "sysdmactl run: %s:%d: 'end' without 'scenario'\n",
					path, lineno);
				fclose(f);
				return -1;
			}
			cur = NULL;
			continue;
		}
		if (!cur) {
			/* A bare step file: one scenario named after the file. */
			*blocks = realloc(*blocks, sizeof(**blocks) * (*nblocks + 1));
			cur = &(*blocks)[(*nblocks)++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%s", path);
			cur->timeout_ms = 10000;
			cur->verifier_clean = 1;
			cur->leak_check = 1;
			cur->caller_errors_same = 1;
		}
		cur->lines = realloc(cur->lines, sizeof(char *) * (cur->n + 1));
		cur->linenos = realloc(cur->linenos, sizeof(int) * (cur->n + 1));
		cur->lines[cur->n] = strdup(buf);
		cur->linenos[cur->n] = c.line ? c.line : lineno;
		cur->n++;
	}
	fclose(f);
	return 0;
}

int run_files(int argc, char **argv)
{
	struct block *blocks = NULL;
	int nblocks = 0, i, failed = 0, verbose = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
			continue;
		}
		if (read_file(argv[i], &blocks, &nblocks))
			return 2;
	}
	if (!nblocks) {
		fprintf(stderr, "sysdmactl run: no scenarios in the given files\n");
		return 2;
	}
	for (i = 0; i < nblocks; i++)
		failed += run_block(&blocks[i], verbose);
	printf("@@summary scenarios=%d failed=%d\n", nblocks, failed);
	return failed ? 1 : 0;
}
