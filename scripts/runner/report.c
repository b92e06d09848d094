// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-run: reading the guest's results and reporting (human summary,
 * failures with expected/actual + logs + trace, TAP, JUnit, rule coverage).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run.h"

const char *status_name(Status s)
{
	switch (s) {
	case ST_PASS: return "PASS";
	case ST_FAIL: return "FAIL";
	case ST_TIMEOUT: return "TIMEOUT";
	case ST_CRASH: return "CRASH";
	default: return "NOTRUN";
	}
}

/* Lines of a kernel log that mean the kernel is unhappy. */
gboolean report_kernel_problem(const char *l)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "BUG ", "Oops", "general protection fault",
		"Call Trace:", "kernel BUG", "UBSAN:", "KASAN:", "refcount_t:",
		"list_add corruption", "list_del corruption", "INFO: task",
		"rcu: INFO", "watchdog: BUG", "possible circular locking",
		"DEBUG_LOCKS_WARN", "Kernel panic", "scheduling while atomic",
		"sleeping function called from invalid context", "Unable to handle",
		"double fault", "stack-protector", "page allocation failure",
		/* the debug kernels' checkers (most also print BUG: or WARNING:) */
		"KCSAN:", "KFENCE:", "ODEBUG:", "UBSAN", "DMA-API:",
		"INFO: trying to register non-static key",
		"turning off the locking correctness validator",
		"inconsistent lock state", "possible recursive locking",
		"lock held when returning to user space", NULL,
	};

	/*
	 * What the debug kernels say at every boot (seen in their dmesg),
	 * and the one report of the kernel core itself they print before
	 * any module loads: 6.1's APIC timer calibration races with its
	 * interrupt handler (KCSAN lane, once per boot, no sysdma code).
	 */
	static const char *const boot[] = {
		"DMA-API: preallocated ", "DMA-API: debugging enabled by kernel config",
		"BUG: KCSAN: data-race in lapic_cal_handler / setup_boot_APIC_clock",
		NULL,
	};

	for (int i = 0; boot[i]; i++)
		if (strstr(l, boot[i]))
			return FALSE;
	for (int i = 0; bad[i]; i++)
		if (strstr(l, bad[i]))
			return TRUE;
	return FALSE;
}

static Instance *find(GPtrArray *v, const char *name)
{
	for (guint i = 0; i < v->len; i++) {
		Instance *in = g_ptr_array_index(v, i);

		if (!strcmp(in->name, name))
			return in;
	}
	return NULL;
}

static void add_fail(Instance *in, const char *rest)
{
	/* rest: "L<n> OP: message" */
	int line = 0;
	const char *msg = rest;

	if (rest[0] == 'L') {
		line = atoi(rest + 1);
		msg = strchr(rest, ' ');
		msg = msg ? msg + 1 : rest;
	}
	if (line > 0) {
		const ScnGroup *g = scn_group_at(in->scn, line);

		g_ptr_array_add(in->fails, g_strdup_printf("%s:%d: [%s] %s", in->scn->path, line,
							   g ? g->header : "?", msg));
	} else {
		g_ptr_array_add(in->fails, g_strdup_printf("%s: %s", in->scn->path, msg));
	}
}

void report_parse_results(GPtrArray *instances, const char *results, int vm)
{
	g_auto(GStrv) lines = g_strsplit(results, "\n", -1);
	Instance *cur = NULL, *kcur = NULL;
	gboolean dmesg = FALSE;
	GPtrArray *orphans = g_ptr_array_new_with_free_func(g_free);

	for (int i = 0; lines[i]; i++) {
		char *l = lines[i];

		g_strdelimit(l, "\r", ' ');
		if (!dmesg && !strcmp(g_strstrip(l), "@@sysdma-dmesg")) {
			dmesg = TRUE;
			continue;
		}
		if (dmesg) {
			char *m = strstr(l, "sysdma-run: begin ");

			if (m) {
				kcur = find(instances, g_strstrip(m + 18));
				continue;
			}
			m = strstr(l, "sysdma-run: end ");
			if (m) {
				kcur = NULL;
				continue;
			}
			if (kcur) {
				g_ptr_array_add(kcur->kernel, g_strdup(l));
				if (report_kernel_problem(l))
					g_ptr_array_add(kcur->kproblems, g_strdup(l));
			} else if (report_kernel_problem(l)) {
				g_ptr_array_add(orphans, g_strdup(l));
			}
			continue;
		}
		if (g_str_has_prefix(l, "@@begin ")) {
			cur = find(instances, g_strstrip(l + 8));
			if (cur) {
				cur->vm = vm;
				cur->status = ST_CRASH;	/* until its @@end */
				g_ptr_array_set_size(cur->fails, 0);
				g_ptr_array_set_size(cur->log, 0);
			}
			continue;
		}
		if (!cur)
			continue;
		g_ptr_array_add(cur->log, g_strdup(l));
		if (g_str_has_prefix(l, "@@fail ")) {
			add_fail(cur, l + 7);
		} else if (g_str_has_prefix(l, "@@end ")) {
			g_auto(GStrv) w = g_strsplit(l + 6, " ", -1);
			int n = (int)g_strv_length(w);

			if (n >= 3) {
				cur->status = !strcmp(w[n - 2], "pass") ? ST_PASS :
					      !strcmp(w[n - 2], "timeout") ? ST_TIMEOUT : ST_FAIL;
				if (g_str_has_prefix(w[n - 1], "ms="))
					cur->ms = atol(w[n - 1] + 3);
			}
			cur = NULL;
		} else if (g_str_has_prefix(l, "@@submit ") || g_str_has_prefix(l, "@@result ")) {
			const char *c = strstr(l, " channel=");

			if (c && atoi(c + 9) >= 0)
				cur->channel = atoi(c + 9);
		}
	}
	/* kernel problems outside any scenario go to the first one of the VM */
	if (orphans->len && instances->len) {
		Instance *in = g_ptr_array_index(instances, 0);

		for (guint i = 0; i < orphans->len; i++)
			g_ptr_array_add(in->kproblems,
					g_strdup_printf("(outside any scenario) %s",
							(char *)g_ptr_array_index(orphans, i)));
	}
	g_ptr_array_free(orphans, TRUE);
	for (guint i = 0; i < instances->len; i++) {
		Instance *in = g_ptr_array_index(instances, i);

		if (in->kproblems->len && !in->scn->kernel_log_any &&
		    (in->status == ST_PASS || in->status == ST_FAIL)) {
			in->status = ST_FAIL;
			g_ptr_array_add(in->fails,
					g_strdup_printf("%s: kernel log: %s", in->scn->path,
							(char *)g_ptr_array_index(in->kproblems, 0)));
		}
	}
}

static void print_tail(FILE *f, const char *title, GPtrArray *lines, guint max,
		       const char *prefix)
{
	guint first = lines->len > max ? lines->len - max : 0;

	if (!lines->len)
		return;
	fprintf(f, "%s  %s%s:\n", prefix, title,
		first ? " (last lines)" : "");
	for (guint i = first; i < lines->len; i++)
		fprintf(f, "%s    | %s\n", prefix, (char *)g_ptr_array_index(lines, i));
}

static void print_trace(FILE *f, const char *console, int channel, const char *prefix)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GPtrArray) t = g_ptr_array_new();
	g_autofree char *pat1 = g_strdup_printf("ch %d ", channel);
	g_autofree char *pat2 = g_strdup_printf("ch=%d", channel);
	g_autofree char *pat3 = g_strdup_printf("channel %d", channel);
	g_autofree char *pat4 = g_strdup_printf(" ch%d ", channel);
	g_autofree char *pat5 = g_strdup_printf(" ch%d:", channel);

	if (!console || !g_file_get_contents(console, &text, NULL, NULL))
		return;
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		const char *l = lines[i];

		if (!strstr(l, "sysdma"))
			continue;
		if (strstr(l, "sysdma_") && (channel < 0 || strstr(l, pat1) ||
					     strstr(l, pat2) || strstr(l, pat3) ||
					     strstr(l, pat4) || strstr(l, pat5)))
			g_ptr_array_add(t, lines[i]);
	}
	if (t->len) {
		char hdr[64];

		snprintf(hdr, sizeof(hdr), "device trace (channel %d)", channel);
		print_tail(f, hdr, t, 40, prefix);
	}
}

void report_failure(FILE *f, RunConfig *cfg, Instance *in, const char *console,
		    const char *replay)
{
	const char *p = "# ";

	(void)cfg;
	fprintf(f, "%s%s %s (%s), seed %u, %ld ms\n", p, status_name(in->status), in->name,
		in->scn->path, in->run_seed, in->ms);
	for (guint i = 0; i < in->fails->len; i++)
		fprintf(f, "%s  %s\n", p, (char *)g_ptr_array_index(in->fails, i));
	for (guint i = 0; i < in->log->len; i++) {
		const char *l = g_ptr_array_index(in->log, i);

		if (g_str_has_prefix(l, "@@result "))
			fprintf(f, "%s  actual: %s\n", p, l + 9);
	}
	print_tail(f, "guest output", in->log, 25, p);
	print_tail(f, "kernel log during the scenario", in->kernel, 25, p);
	if (in->kproblems->len)
		print_tail(f, "kernel problems", in->kproblems, 10, p);
	if (in->crash) {
		g_auto(GStrv) cl = g_strsplit(in->crash, "\n", -1);

		for (int i = 0; cl[i]; i++)
			if (*cl[i])
				fprintf(f, "%s  %s\n", p, cl[i]);
	}
	print_trace(f, console, in->channel, p);
	fprintf(f, "%s  replay: %s\n", p, replay);
}

static void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', f);
			else
				fputc(*s, f);
		}
	}
}

void report_junit(const char *path, GPtrArray *instances, double seconds)
{
	FILE *f = fopen(path, "w");
	guint failures = 0;

	if (!f) {
		g_printerr("sysdma-run: --junit %s: %s\n", path, g_strerror(errno));
		return;
	}
	for (guint i = 0; i < instances->len; i++)
		if (((Instance *)g_ptr_array_index(instances, i))->status != ST_PASS)
			failures++;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites><testsuite name=\"sysdma-scenarios\" tests=\"%u\" failures=\"%u\" time=\"%.3f\">\n",
		instances->len, failures, seconds);
	for (guint i = 0; i < instances->len; i++) {
		Instance *in = g_ptr_array_index(instances, i);

		fprintf(f, "  <testcase classname=\"sysdma\" name=\"");
		xml_escape(f, in->name);
		fprintf(f, "\" file=\"");
		xml_escape(f, in->scn->path);
		fprintf(f, "\" time=\"%.3f\">", in->ms / 1000.0);
		if (in->status != ST_PASS) {
			fprintf(f, "\n    <failure message=\"%s\">", status_name(in->status));
			for (guint j = 0; j < in->fails->len; j++) {
				xml_escape(f, g_ptr_array_index(in->fails, j));
				fputc('\n', f);
			}
			for (guint j = 0; j < in->log->len; j++) {
				xml_escape(f, g_ptr_array_index(in->log, j));
				fputc('\n', f);
			}
			if (in->crash)
				xml_escape(f, in->crash);
			fprintf(f, "</failure>\n  ");
		}
		fprintf(f, "</testcase>\n");
	}
	fprintf(f, "</testsuite></testsuites>\n");
	fclose(f);
}

void report_summary(FILE *f, GPtrArray *instances, GPtrArray *scenarios,
		    double seconds, int vms, double vm_seconds)
{
	guint pass = 0, total = instances->len;

	fprintf(f, "\n%-8s %-36s %8s  %s\n", "result", "scenario", "time", "rules");
	for (guint i = 0; i < instances->len; i++) {
		Instance *in = g_ptr_array_index(instances, i);
		g_autofree char *rules = g_strjoinv(";", in->scn->rules);

		if (in->status == ST_PASS)
			pass++;
		fprintf(f, "%-8s %-36s %6ld ms  %s\n", status_name(in->status), in->name,
			in->ms, rules);
	}
	fprintf(f, "\nrule coverage (scenarios naming the rule; * = failed or not run):\n");
	for (int r = 0; scn_all_rules[r]; r++) {
		GString *line = g_string_new("");
		int n = 0;

		for (guint i = 0; i < scenarios->len; i++) {
			Scenario *s = g_ptr_array_index(scenarios, i);
			gboolean names = FALSE, bad = FALSE;

			for (int k = 0; s->rules[k]; k++)
				if (!strcmp(s->rules[k], scn_all_rules[r]))
					names = TRUE;
			if (!names)
				continue;
			for (guint j = 0; j < instances->len; j++) {
				Instance *in = g_ptr_array_index(instances, j);

				if (in->scn == s && in->status != ST_PASS)
					bad = TRUE;
			}
			g_string_append_printf(line, "%s%s%s", n++ ? ", " : "", s->name,
					       bad ? "*" : "");
		}
		fprintf(f, "  %-4s %s\n", scn_all_rules[r], n ? line->str : "-- NOT COVERED --");
		g_string_free(line, TRUE);
	}
	fprintf(f, "\n%u/%u passed in %.1f s wall (%d VM%s, %.1f s VM time)\n", pass, total,
		seconds, vms, vms == 1 ? "" : "s", vm_seconds);
}
