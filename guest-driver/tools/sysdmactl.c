// SPDX-License-Identifier: GPL-2.0
/*
 * sysdmactl: drive /dev/sysdma0 by hand or run compiled scenario steps.
 *
 *   sysdmactl OP key=value ... [+ OP key=value ...]
 *   sysdmactl run [-v] FILE...
 *
 * Several operations joined with '+' run in one process on one open file,
 * e.g.  sysdmactl submit len=64K flags=hold_channel + cancel + wait + expect
 * error=ECANCELED path=cancel-k2   (req defaults to "r").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sysdmactl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sysdmactl OP [key=value ...] [+ OP [key=value ...]] ...\n"
		"       sysdmactl run [-v] STEPFILE...   (scenario steps compiled by sysdma-run)\n"
		"       sysdmactl --help\n"
		"Operations (numbers take 0x.., K and M suffixes; errnos by name):\n");
	print_ops(f);
	fprintf(f,
		"Examples:\n"
		"  sysdmactl submit len=1M + wait + expect error=0 bytes=all\n"
		"  sysdmactl fault ch=0 mode=slow sticky=yes slow_rate=1000000\n"
		"  sysdmactl submit len=64K channel=0 + sleep ms=20 + cancel + wait + expect error=ECANCELED\n"
		"  sysdmactl stats ; sysdmactl verifier ; sysdmactl selftest\n"
		"Environment: SYSDMA_DEV (default /dev/sysdma0).\n");
}

int main(int argc, char **argv)
{
	struct ctx x;
	int i, start, rc = 0;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "run")) {
		if (argc < 3) {
			fprintf(stderr, "sysdmactl run: no step file given\n");
			usage(stderr);
			return 2;
		}
		return run_files(argc - 2, argv + 2);
	}
	ctx_init(&x);
	x.verbose = 1;
	for (start = 1; start < argc && !x.failed; start = i + 1) {
		char line[4096] = "", err[256];
		struct cmd c;
		size_t pos = 0;

		for (i = start; i < argc && strcmp(argv[i], "+"); i++) {
			int quote = strchr(argv[i], ' ') != NULL && strchr(argv[i], '=');
			const char *eq = strchr(argv[i], '=');

			if (quote)
				pos += snprintf(line + pos, sizeof(line) - pos, "%.*s\"%s\" ",
						(int)(eq - argv[i] + 1), argv[i], eq + 1);
			else
				pos += snprintf(line + pos, sizeof(line) - pos, "%s ", argv[i]);
			if (pos >= sizeof(line)) {
				fprintf(stderr, "sysdmactl: command line too long\n");
				return 2;
			}
		}
		if (parse_cmd(line, &c, err, sizeof(err)) <= 0) {
			fprintf(stderr, "sysdmactl: %s\n", *err ? err : "empty operation");
			usage(stderr);
			return 2;
		}
		if (exec_cmd(&x, &c)) {
			rc = exec_usage_error() ? 2 : 1;
			if (rc == 2)
				fprintf(stderr, "usage: sysdmactl %s ... (see sysdmactl --help)\n", c.op);
		}
	}
	ctx_fini(&x);
	return rc;
}
