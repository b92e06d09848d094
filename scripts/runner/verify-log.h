/* SPDX-License-Identifier: GPL-2.0 */
/* The device's verifier log (verify-log.c). */
#ifndef SYSDMA_VERIFY_LOG_H
#define SYSDMA_VERIFY_LOG_H

#include <stdio.h>
#include "qmp.h"

typedef struct {
	gint64 seq;
	gint64 time_ns;		/* QEMU virtual clock */
	char rule[8];		/* "V1".."V4" or "" */
	char kind[32];
	int channel;		/* -1: the device */
	gboolean has_write;
	guint32 write_off;
	guint32 write_val;
	char detail[128];
} VerifyEntry;

typedef struct {
	gint64 total;		/* every violation since the device started */
	gint64 dropped;		/* not kept in the log */
	gint64 counter_total;	/* VERIFY_TOTAL (cleared by VERIFY_CLEAR) */
	GPtrArray *counters;	/* char*: "kind=N" */
	GPtrArray *entries;	/* VerifyEntry*, oldest first */
	char *json;		/* the property as read */
} VerifyLog;

VerifyLog *verify_log_parse(const char *json, GError **err);
VerifyLog *verify_log_read(Qmp *q, const char *dev_path, GError **err);
void verify_log_print(FILE *f, const VerifyLog *vl);
void verify_log_free(VerifyLog *vl);
char *verify_reg_name(guint32 off);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VerifyLog, verify_log_free)

#endif
