// SPDX-License-Identifier: GPL-2.0
/* sysdmactl: names <-> numbers for errnos, paths, flags, counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "sysdmactl.h"
#include "sysdma-regs.h"

static const struct { const char *n; int v; } errnos[] = {
	{ "0", 0 }, { "OK", 0 }, { "ECANCELED", ECANCELED },
	{ "ETIMEDOUT", ETIMEDOUT }, { "EIO", EIO }, { "ENODEV", ENODEV },
	{ "EINVAL", EINVAL }, { "EFAULT", EFAULT }, { "ENOENT", ENOENT },
	{ "EBUSY", EBUSY }, { "ENOTTY", ENOTTY }, { "EAGAIN", EAGAIN },
	{ "EPERM", EPERM }, { "EBADF", EBADF }, { "ENOMEM", ENOMEM },
	{ "EALREADY", EALREADY }, { "ENXIO", ENXIO }, { "EINTR", EINTR },
	{ "ESRCH", ESRCH },
};

const char *errno_name(int e)
{
	static char buf[16];
	size_t i;

	if (e == 0)
		return "0";
	for (i = 2; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].v == e)
			return errnos[i].n;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

int parse_errno(const char *s, int *e)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcasecmp(s, errnos[i].n)) {
			*e = errnos[i].v;
			return 0;
		}
	v = strtol(s, &end, 0);
	if (*s && !*end && v >= 0 && v < 4096) {
		*e = (int)v;
		return 0;
	}
	return -1;
}

static const char *const paths[] = {
	[0] = "none", [SYSDMA_PATH_DMA] = "dma",
	[SYSDMA_PATH_CANCEL_K2] = "cancel-k2",
	[SYSDMA_PATH_CANCEL_STOP] = "cancel-stop",
	[SYSDMA_PATH_TIMEOUT] = "timeout", [SYSDMA_PATH_ABORT] = "abort",
	[SYSDMA_PATH_CANCEL_K4] = "cancel-k4",
};

const char *path_name(unsigned int p)
{
	static char buf[16];

	if (p < sizeof(paths) / sizeof(paths[0]))
		return paths[p];
	snprintf(buf, sizeof(buf), "path%u", p);
	return buf;
}

/* "dma, cancel-k2, ...": every path name, for error messages */
const char *path_names(void)
{
	static char buf[128];
	size_t i, n = 0;

	for (i = 1; i < sizeof(paths) / sizeof(paths[0]) && n < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i > 1 ? ", " : "",
			      paths[i]);
	return buf;
}

int parse_path(const char *s, unsigned int *p)
{
	unsigned int i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!strcasecmp(s, paths[i])) {
			*p = i;
			return 0;
		}
	return -1;
}

int parse_dir(const char *s, unsigned int *d)
{
	if (!strcasecmp(s, "m2m") || !strcmp(s, "0"))
		*d = SYSDMA_DEV_DIR_M2M;
	else if (!strcasecmp(s, "m2p") || !strcmp(s, "1"))
		*d = SYSDMA_DEV_DIR_M2P;
	else if (!strcasecmp(s, "p2m") || !strcmp(s, "2"))
		*d = SYSDMA_DEV_DIR_P2M;
	else
		return -1;
	return 0;
}

struct bitname { const char *n; unsigned int v; };

static int parse_bits(const char *s, const struct bitname *t, size_t nt,
		      unsigned int *out)
{
	char buf[256], *tok, *save = NULL;
	unsigned int v = 0;
	size_t i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, "|,+ ", &save); tok;
	     tok = strtok_r(NULL, "|,+ ", &save)) {
		char *end;
		unsigned long n = strtoul(tok, &end, 0);

		if (*tok >= '0' && *tok <= '9' && !*end) {
			v |= (unsigned int)n;
			continue;
		}
		for (i = 0; i < nt; i++)
			if (!strcasecmp(tok, t[i].n))
				break;
		if (i == nt)
			return -1;
		v |= t[i].v;
	}
	*out = v;
	return 0;
}

static const struct bitname flag_names[] = {
	{ "none", 0 }, { "nowait_channel", SYSDMA_F_NOWAIT_CHANNEL },
	{ "nowait", SYSDMA_F_NOWAIT_CHANNEL },
	{ "no_callback", SYSDMA_F_NO_CALLBACK }, { "sg", SYSDMA_F_SG },
	{ "hold_channel", SYSDMA_F_HOLD_CHANNEL },
	{ "hold_program", SYSDMA_F_HOLD_PROGRAM },
	{ "hold_between", SYSDMA_F_HOLD_BETWEEN },
	{ "hold_granted", SYSDMA_F_HOLD_GRANTED },
	{ "hold_programmed", SYSDMA_F_HOLD_PROGRAMMED },
};

int parse_flags(const char *s, unsigned int *f)
{
	return parse_bits(s, flag_names, sizeof(flag_names) / sizeof(flag_names[0]), f);
}

static const struct bitname fault_names[] = {
	{ "none", 0 }, { "error", SYSDMA_FAULT_ERROR },
	{ "stall", SYSDMA_FAULT_STALL }, { "drop_irq", SYSDMA_FAULT_DROP_IRQ },
	{ "delay_irq", SYSDMA_FAULT_DELAY_IRQ },
	{ "spurious", SYSDMA_FAULT_SPURIOUS }, { "slow", SYSDMA_FAULT_SLOW },
	{ "all", SYSDMA_FAULT_ALL },
};

int parse_fault_mode(const char *s, unsigned int *m)
{
	return parse_bits(s, fault_names, sizeof(fault_names) / sizeof(fault_names[0]), m);
}

int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (!strcasecmp(end, "K") || !strcasecmp(end, "KiB"))
		n <<= 10;
	else if (!strcasecmp(end, "M") || !strcasecmp(end, "MiB"))
		n <<= 20;
	else if (*end)
		return -1;
	*v = n;
	return 0;
}

static const char *const stat_names[] = {
	"submitted", "completed", "ok", "cancelled", "timedout", "error",
	"aborted", "cancel_k2", "cancel_stop", "timeout_stop", "in_flight",
	"transfers", "flushes", "irqs", "spurious_irqs", "channel_waits",
	"caller_errors",
};

int stat_index(const char *name)
{
	int i;

	for (i = 0; i < (int)(sizeof(stat_names) / sizeof(stat_names[0])); i++)
		if (!strcasecmp(name, stat_names[i]))
			return i;
	return -1;
}

const char *stat_name(int i)
{
	static char buf[16];

	if (i >= 0 && i < (int)(sizeof(stat_names) / sizeof(stat_names[0])))
		return stat_names[i];
	snprintf(buf, sizeof(buf), "stat%d", i);
	return buf;
}

static const char *const verify_names[SYSDMA_V_COUNT] = {
	[SYSDMA_V_REPROGRAM_NO_FLUSH] = "reprogram_no_flush",
	[SYSDMA_V_RELEASE_NO_FLUSH] = "release_no_flush",
	[SYSDMA_V_START_BUSY] = "start_busy",
	[SYSDMA_V_ZERO_LENGTH] = "zero_length",
	[SYSDMA_V_OVERLAP] = "overlap",
	[SYSDMA_V_BAD_ADDRESS] = "bad_address",
	[SYSDMA_V_ACK_NOT_PENDING] = "ack_not_pending",
	[SYSDMA_V_CANCEL_IDLE] = "cancel_idle",
	[SYSDMA_V_FLUSH_IDLE] = "flush_idle",
	[SYSDMA_V_LEAK] = "leak",
	[SYSDMA_V_DOUBLE_RELEASE] = "double_release",
	[SYSDMA_V_NOT_CLAIMED] = "not_claimed",
	[SYSDMA_V_BAD_REGISTER] = "bad_register",
};

int verify_index(const char *name)
{
	int i;

	if (!strcasecmp(name, "total"))
		return VERIFY_TOTAL_INDEX;
	for (i = 0; i < SYSDMA_V_COUNT; i++)
		if (!strcasecmp(name, verify_names[i]))
			return i;
	return -1;
}

const char *verify_name(int k)
{
	if (k == VERIFY_TOTAL_INDEX)
		return "total";
	return k >= 0 && k < SYSDMA_V_COUNT ? verify_names[k] : "?";
}
