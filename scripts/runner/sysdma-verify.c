// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-verify: the end-of-boot verifier report (used by scripts/boot).
 *
 *   sysdma-verify watch QMP_SOCKET DEVICE_PATH OUT.json TIMEOUT_S
 *     Waits for QEMU (started with -action shutdown=pause) to report the
 *     guest's shutdown over QMP, reads the device's "verify-log" with
 *     qom-get, writes it to OUT.json and lets QEMU end (quit: QEMU exits
 *     with the guest's isa-debug-exit status).  Exit 0 when the log was
 *     read, 3 when QEMU ended first (timeout, crash) or QMP failed.
 *   sysdma-verify report FILE.json
 *     Prints the report: each violation with its rule, channel, register
 *     write and virtual time, then the counters.  Exit 0 when the verifier
 *     stayed clean, 1 when it saw violations, 2 when FILE is unreadable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "verify-log.h"

static int watch(const char *sock, const char *dev, const char *out, int timeout_s)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonNode) st = NULL, ev = NULL, bye = NULL;
	g_autoptr(VerifyLog) vl = NULL;
	g_autoptr(Qmp) q = qmp_connect(sock, timeout_s * 1000, &err);
	JsonObject *o;

	if (!q) {
		g_printerr("sysdma-verify: %s\n", err->message);
		return 3;
	}
	/* the guest may have shut down before we connected */
	st = qmp_execute(q, "query-status", NULL, 10000, &err);
	o = st && JSON_NODE_HOLDS_OBJECT(st) ? json_node_get_object(st) : NULL;
	if (!o) {
		g_printerr("sysdma-verify: %s\n", err ? err->message : "query-status: not an object");
		return 3;
	}
	if (g_strcmp0(obj_str(o, "status"), "shutdown")) {
		ev = qmp_wait_event(q, "SHUTDOWN", timeout_s * 1000, &err);
		if (!ev) {
			if (!g_error_matches(err, QMP_ERROR, QMP_ERROR_CLOSED))
				g_printerr("sysdma-verify: %s\n", err->message);
			return 3;
		}
	}
	vl = verify_log_read(q, dev, &err);
	if (!vl) {
		g_printerr("sysdma-verify: %s\n", err->message);
	} else if (!g_file_set_contents(out, vl->json, -1, &err)) {
		g_printerr("sysdma-verify: %s\n", err->message);
		g_clear_pointer(&vl, verify_log_free);
	}
	g_clear_error(&err);
	/* QEMU may close the connection before it answers */
	bye = qmp_execute(q, "quit", NULL, 5000, &err);
	return vl ? 0 : 3;
}

static int report(const char *file)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;
	g_autoptr(VerifyLog) vl = NULL;

	if (!g_file_get_contents(file, &text, NULL, &err)) {
		g_printerr("sysdma-verify: %s\n", err->message);
		return 2;
	}
	vl = verify_log_parse(text, &err);
	if (!vl) {
		g_printerr("sysdma-verify: %s: %s\n", file, err->message);
		return 2;
	}
	verify_log_print(stdout, vl);
	return vl->total ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "watch")) {
		char *end;
		long t = strtol(argv[5], &end, 10);

		if (*end || t <= 0) {
			g_printerr("sysdma-verify: bad timeout '%s'\n", argv[5]);
			return 2;
		}
		return watch(argv[2], argv[3], argv[4], (int)t);
	}
	if (argc == 3 && !strcmp(argv[1], "report"))
		return report(argv[2]);
	g_printerr("usage: sysdma-verify watch QMP_SOCKET DEVICE_PATH OUT.json TIMEOUT_S\n"
		   "       sysdma-verify report FILE.json\n");
	return 2;
}
