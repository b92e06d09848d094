// SPDX-License-Identifier: GPL-2.0
/*
 * One timeline per scenario instance: the device's trace events (QEMU's
 * log backend, -msg timestamp=on: host time in microseconds at the moment
 * QEMU traced them) and the driver's tracepoints (the guest's tracefs,
 * trace_clock "global", seconds since the guest booted) on one time axis.
 *
 * Alignment: the driver's sysdma_program fires right after its START write
 * and the device traces sysdma_start while handling that very write (TCG
 * runs the MMIO handler synchronously in the vCPU thread), so the k-th
 * program and the k-th device START of each channel are the same moment
 * up to a few microseconds.  Each program is paired with the nearest START
 * of its channel (after a rough median offset) and guest times are
 * interpolated between the pairs, so a drift between the clocks does not
 * add up.  Origin (t = 0): the instance's
 * "sysdma-run: begin" kernel log line, taken from the trace itself (the
 * printk:console event; the dmesg's own timestamps are on another clock).
 *
 * Output, per instance: NAME.json (Chrome / Perfetto trace-event format,
 * built with json-glib) and NAME.html (a self-contained SVG rendering, no
 * script), and DIR/index.html linking them (timeline_write_index()).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include "run.h"

enum { P_DEVICE = 1, P_REQUESTS = 2, P_DRIVER = 3 };
enum { T_IO = 1, T_CANCEL = 2, T_TIMER = 3, T_IRQ = 4 };

typedef struct {
	double t;		/* seconds: device clock (host), guest clock (guest) */
	gboolean guest;
	char *name;		/* event name without the sysdma_ prefix */
	char *args;
} Raw;

typedef struct {
	double ts;		/* microseconds from the origin */
	double dur;		/* 'X' only */
	char ph;		/* X, B, E, i */
	int pid, tid;
	char *name;
	char *cat;
	GPtrArray *kv;		/* char*: "key", "value", ... */
} Ev;

static void raw_free(gpointer p)
{
	Raw *r = p;

	g_free(r->name);
	g_free(r->args);
	g_free(r);
}

static void ev_free(gpointer p)
{
	Ev *e = p;

	g_free(e->name);
	g_free(e->cat);
	g_ptr_array_free(e->kv, TRUE);
	g_free(e);
}

/* "key=value" out of a trace line's arguments (NULL if absent) */
static char *arg(const char *args, const char *key)
{
	g_autofree char *k = g_strconcat(key, "=", NULL);
	const char *p = args;

	while ((p = strstr(p, k))) {
		if (p == args || p[-1] == ' ')
			return g_strndup(p + strlen(k), strcspn(p + strlen(k), " "));
		p++;
	}
	return NULL;
}

static long arg_long(const char *args, const char *key, long dflt)
{
	g_autofree char *v = arg(args, key);

	return v ? strtol(v, NULL, 0) : dflt;
}

/* The channel of a device trace line: "ch3 ..." */
static int dev_channel(const char *args)
{
	return g_str_has_prefix(args, "ch") ? atoi(args + 2) : -1;
}

/* QEMU: "PID@SEC.USEC:sysdma_NAME ARGS" */
static void parse_device(const char *console, GPtrArray *raw)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(console, &text, NULL, NULL))
		return;
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		char *at = strchr(lines[i], '@'), *colon, *sp;
		Raw *r;

		if (!at || !(colon = strstr(at, ":sysdma_")))
			continue;
		r = g_new0(Raw, 1);
		r->t = g_ascii_strtod(at + 1, NULL);
		sp = strchr(colon + 1, ' ');
		r->name = sp ? g_strndup(colon + 8, sp - colon - 8) : g_strdup(colon + 8);
		r->args = g_strdup(sp ? g_strstrip(sp + 1) : "");
		g_strdelimit(r->args, "\r", ' ');
		g_ptr_array_add(raw, r);
	}
}

/* tracefs: "   TASK-PID  [CPU] FLAGS  SEC.USEC: sysdma_NAME: ARGS" */
static void parse_guest(const char *results, GPtrArray *raw, GHashTable *marks)
{
	g_auto(GStrv) lines = g_strsplit(results, "\n", -1);
	int section = 0;	/* 1: trace, 2: dmesg */
	gboolean trace_marks = FALSE;	/* markers in the trace: ignore the dmesg's */

	for (int i = 0; lines[i]; i++) {
		char *l = lines[i], *ev;

		g_strdelimit(l, "\r", ' ');
		if (!strcmp(g_strstrip(l), "@@sysdma-trace")) {
			section = 1;
			continue;
		}
		if (!strcmp(l, "@@sysdma-dmesg")) {
			section = 2;
			continue;
		}
		if (section == 1 && (ev = strstr(l, ": console: sysdma-run: "))) {
			/* the kernel log's markers, on the trace's own clock */
			char *p = ev, *m = ev + 23;
			double t;

			while (p > l && p[-1] != ' ')
				p--;
			t = g_ascii_strtod(p, NULL);
			if (g_str_has_prefix(m, "begin "))
				g_hash_table_insert(marks, g_strconcat("b:", g_strstrip(m + 6), NULL),
						    g_memdup2(&t, sizeof(t)));
			else if (g_str_has_prefix(m, "end "))
				g_hash_table_insert(marks, g_strconcat("e:", g_strstrip(m + 4), NULL),
						    g_memdup2(&t, sizeof(t)));
			trace_marks = TRUE;
			continue;
		}
		if (section == 1 && (ev = strstr(l, ": sysdma_"))) {
			char *p = ev, *name_end = strchr(ev + 2, ':');
			Raw *r;

			while (p > l && p[-1] != ' ')
				p--;
			if (!name_end)
				continue;
			r = g_new0(Raw, 1);
			r->guest = TRUE;
			r->t = g_ascii_strtod(p, NULL);
			r->name = g_strndup(ev + 9, name_end - ev - 9);
			r->args = g_strdup(g_strstrip(name_end + 1));
			g_ptr_array_add(raw, r);
		} else if (section == 2 && l[0] == '[' && !trace_marks) {
			char *m = strstr(l, "sysdma-run: begin "), *e = strstr(l, "sysdma-run: end ");
			double t = g_ascii_strtod(l + 1, NULL);

			if (m)
				g_hash_table_insert(marks, g_strconcat("b:", g_strstrip(m + 18), NULL),
						    g_memdup2(&t, sizeof(t)));
			else if (e)
				g_hash_table_insert(marks, g_strconcat("e:", g_strstrip(e + 16), NULL),
						    g_memdup2(&t, sizeof(t)));
		}
	}
}

static gint cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Alignment pairs: guest time of a driver program, device time of its START */
typedef struct {
	double g, d;
} Pair;

static gint cmp_pair(gconstpointer a, gconstpointer b)
{
	return cmp_double(&((const Pair *)a)->g, &((const Pair *)b)->g);
}

/*
 * A rough offset from the k-th program / START of each channel (median),
 * then each program is paired with the device START on its channel nearest
 * to it under that offset (within 200 ms): a START the driver did not
 * write (a raw register poke) cannot shift the pairing.
 */
static GArray *align(GPtrArray *raw, double *rough)
{
	g_autoptr(GArray) d = g_array_new(FALSE, FALSE, sizeof(double));
	GArray *pairs = g_array_new(FALSE, FALSE, sizeof(Pair));

	for (int ch = 0; ch < 8; ch++) {
		g_autoptr(GArray) dev = g_array_new(FALSE, FALSE, sizeof(double));
		g_autoptr(GArray) gst = g_array_new(FALSE, FALSE, sizeof(double));

		for (guint i = 0; i < raw->len; i++) {
			Raw *r = g_ptr_array_index(raw, i);

			if (!r->guest && !strcmp(r->name, "start") && dev_channel(r->args) == ch)
				g_array_append_val(dev, r->t);
			else if (r->guest && !strcmp(r->name, "program") &&
				 arg_long(r->args, "ch", -1) == ch)
				g_array_append_val(gst, r->t);
		}
		for (guint k = 0; k < MIN(dev->len, gst->len); k++) {
			double v = g_array_index(dev, double, k) - g_array_index(gst, double, k);

			g_array_append_val(d, v);
		}
	}
	if (!d->len)
		return pairs;
	g_array_sort(d, cmp_double);
	*rough = g_array_index(d, double, d->len / 2);
	for (guint i = 0; i < raw->len; i++) {
		Raw *r = g_ptr_array_index(raw, i);
		long ch;
		double best = 0.2;
		Pair p = { 0, 0 };

		if (!r->guest || strcmp(r->name, "program"))
			continue;
		ch = arg_long(r->args, "ch", -1);
		for (guint j = 0; j < raw->len; j++) {
			Raw *q = g_ptr_array_index(raw, j);
			double dist;

			if (q->guest || strcmp(q->name, "start") || dev_channel(q->args) != ch)
				continue;
			dist = fabs(q->t - (r->t + *rough));
			if (dist < best) {
				best = dist;
				p.g = r->t;
				p.d = q->t;
			}
		}
		if (best < 0.2)
			g_array_append_val(pairs, p);
	}
	g_array_sort(pairs, cmp_pair);
	return pairs;
}

/* A guest time on the device clock: interpolated between the pairs around
 * it (the two clocks may run at slightly different rates), the nearest
 * pair's offset outside them, @rough without pairs. */
static double to_device(GArray *pairs, double rough, double g)
{
	guint lo = 0, hi;

	if (!pairs->len)
		return g + rough;
	hi = pairs->len - 1;
	if (g <= g_array_index(pairs, Pair, 0).g)
		return g + g_array_index(pairs, Pair, 0).d - g_array_index(pairs, Pair, 0).g;
	if (g >= g_array_index(pairs, Pair, hi).g)
		return g + g_array_index(pairs, Pair, hi).d - g_array_index(pairs, Pair, hi).g;
	while (hi - lo > 1) {
		guint mid = (lo + hi) / 2;

		if (g_array_index(pairs, Pair, mid).g <= g)
			lo = mid;
		else
			hi = mid;
	}
	{
		Pair a = g_array_index(pairs, Pair, lo), b = g_array_index(pairs, Pair, hi);
		double f = b.g > a.g ? (g - a.g) / (b.g - a.g) : 0;

		return a.d + f * (b.d - a.d);
	}
}

static Ev *ev_add(GPtrArray *evs, double ts, char ph, int pid, int tid, const char *cat,
		  const char *name)
{
	Ev *e = g_new0(Ev, 1);

	e->ts = ts;
	e->ph = ph;
	e->pid = pid;
	e->tid = tid;
	e->cat = g_strdup(cat);
	e->name = g_strdup(name);
	e->kv = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(evs, e);
	return e;
}

static void kv(Ev *e, const char *k, const char *v)
{
	g_ptr_array_add(e->kv, g_strdup(k));
	g_ptr_array_add(e->kv, g_strdup(v ? v : ""));
}

/* The driver party a tracepoint belongs to */
static int party(const char *name, const char *args)
{
	if (!strcmp(name, "cancel_routine"))
		return T_CANCEL;
	if (!strcmp(name, "timer"))
		return T_TIMER;
	if (!strcmp(name, "interrupt") || !strcmp(name, "dpc"))
		return T_IRQ;
	if (!strcmp(name, "begin_completion")) {
		g_autofree char *p = arg(args, "path");

		if (p && g_str_has_prefix(p, "cancel"))
			return T_CANCEL;
		if (p && !strcmp(p, "timeout"))
			return T_TIMER;
	}
	if (!strcmp(name, "stop")) /* StopSystemTransfer: cancel or timer; see args */
		return T_CANCEL;
	return T_IO;
}

static gint cmp_ev(gconstpointer a, gconstpointer b)
{
	const Ev *x = *(Ev *const *)a, *y = *(Ev *const *)b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	/* at the same time: ends before begins keeps B/E nesting simple */
	return (x->ph == 'E' ? 0 : 1) - (y->ph == 'E' ? 0 : 1);
}

static void build_events(GPtrArray *raw, GArray *pairs, double rough, double t0,
			 double t1, GPtrArray *evs, GHashTable *tracks)
{
	g_autoptr(GHashTable) obj_req = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GHashTable) open_req = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	double busy[8];
	g_autofree char *busy_args[8] = { 0 };

	for (int i = 0; i < 8; i++)
		busy[i] = -1;
	for (guint i = 0; i < raw->len; i++) {
		Raw *r = g_ptr_array_index(raw, i);
		double t = r->guest ? to_device(pairs, rough, r->t) : r->t;
		double ts = (t - t0) * 1e6;
		Ev *e;

		if (t < t0 - 1e-4 || t > t1 + 1e-4)
			continue;
		if (!r->guest) {
			int ch = dev_channel(r->args);
			int tid = ch >= 0 ? ch + 1 : 100;

			if (!strcmp(r->name, "mmio_read") || !strcmp(r->name, "mmio_write") ||
			    !strcmp(r->name, "chunk") || !strcmp(r->name, "desc") ||
			    !strcmp(r->name, "stream"))
				continue;	/* too many: the spans and the driver say it */
			g_hash_table_insert(tracks, g_strdup_printf("%d/%d", P_DEVICE, tid),
					    ch >= 0 ? g_strdup_printf("channel %d", ch) : g_strdup("device"));
			if (!strcmp(r->name, "state") && ch >= 0 && ch < 8) {
				/* "chN FROM -> TO err E bytes B" */
				g_auto(GStrv) w = g_strsplit(r->args, " ", -1);

				if (g_strv_length(w) >= 8 && !strcmp(w[3], "busy")) {
					busy[ch] = ts;
					g_free(busy_args[ch]);
					busy_args[ch] = NULL;
				} else if (g_strv_length(w) >= 8 && !strcmp(w[1], "busy") &&
					   busy[ch] >= 0) {
					g_autofree char *n = g_strdup_printf("transfer -> %s", w[3]);

					e = ev_add(evs, busy[ch], 'X', P_DEVICE, tid, "device", n);
					e->dur = ts - busy[ch];
					kv(e, "bytes", w[7]);
					kv(e, "err", w[5]);
					if (busy_args[ch])
						kv(e, "start", busy_args[ch]);
					busy[ch] = -1;
				}
				continue;
			}
			e = ev_add(evs, ts, 'i', P_DEVICE, tid, "device", r->name);
			if (!strcmp(r->name, "violation")) {
				/* "chN violation K NAME: DETAIL" */
				g_auto(GStrv) w = g_strsplit(r->args, " ", 4);

				g_free(e->name);
				e->name = g_strdup_printf("VIOLATION %s",
							  g_strv_length(w) >= 4 ? w[3] : r->args);
				g_free(e->cat);
				e->cat = g_strdup("verifier");
			}
			if (!strcmp(r->name, "start") && ch >= 0 && ch < 8) {
				g_free(busy_args[ch]);
				busy_args[ch] = g_strdup(r->args);
			}
			kv(e, "trace", r->args);
			continue;
		}
		/* the driver */
		if (!strcmp(r->name, "submit")) {
			g_autofree char *req = arg(r->args, "req");
			char *txn = arg(r->args, "txn"), *ctx = arg(r->args, "ctx");

			if (txn)
				g_hash_table_insert(obj_req, txn, g_strdup(req));
			if (ctx)
				g_hash_table_insert(obj_req, ctx, g_strdup(req));
			if (req) {
				int id = atoi(req);

				g_autofree char *n = g_strdup_printf("request %s", req);

				e = ev_add(evs, ts, 'B', P_REQUESTS, id, "request", n);
				kv(e, "submit", r->args);
				g_hash_table_insert(open_req, g_strdup(req), GINT_TO_POINTER(1));
				g_hash_table_insert(tracks, g_strdup_printf("%d/%d", P_REQUESTS, id),
						    g_strdup_printf("request %s", req));
			}
			continue;
		}
		if (!strcmp(r->name, "complete")) {
			g_autofree char *req = arg(r->args, "req");

			if (req && g_hash_table_remove(open_req, req)) {
				e = ev_add(evs, ts, 'E', P_REQUESTS, atoi(req), "request",
					   "request");
				g_free(e->name);
				e->name = g_strdup_printf("request %s", req);
				kv(e, "complete", r->args);
			}
		}
		{
			int tid = party(r->name, r->args);
			g_autofree char *req = arg(r->args, "req");
			g_autofree char *obj = arg(r->args, "obj");
			const char *rq = req ? req : obj ? g_hash_table_lookup(obj_req, obj) : NULL;
			static const char *const names[] = {
				[T_IO] = "I/O path", [T_CANCEL] = "cancel routine",
				[T_TIMER] = "timer", [T_IRQ] = "interrupt / DPC",
			};

			g_hash_table_insert(tracks, g_strdup_printf("%d/%d", P_DRIVER, tid),
					    g_strdup(names[tid]));
			e = ev_add(evs, ts, 'i', P_DRIVER, tid, "driver", r->name);
			if (rq) {
				g_free(e->name);
				e->name = g_strdup_printf("%s (req %s)", r->name, rq);
				kv(e, "req", rq);
			}
			if (!strcmp(r->name, "begin_completion")) {
				g_autofree char *first = arg(r->args, "first");
				g_autofree char *path = arg(r->args, "path");

				g_free(e->name);
				e->name = g_strdup_printf("BeginCompletion %s (req %s, %s)",
							  first && !strcmp(first, "1") ? "WON" : "lost",
							  req ? req : "?", path ? path : "?");
				kv(e, "winner", first && !strcmp(first, "1") ? "yes" : "no");
			}
			kv(e, "trace", r->args);
		}
	}
	/* spans still open at the end of the scenario */
	for (int ch = 0; ch < 8; ch++)
		if (busy[ch] >= 0) {
			Ev *e = ev_add(evs, busy[ch], 'X', P_DEVICE, ch + 1, "device",
				       "transfer (still busy)");

			e->dur = (t1 - t0) * 1e6 - busy[ch];
		}
	{
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, open_req);
		while (g_hash_table_iter_next(&it, &k, NULL)) {
			Ev *e = ev_add(evs, (t1 - t0) * 1e6, 'E', P_REQUESTS, atoi(k), "request",
				       "request");

			g_free(e->name);
			e->name = g_strdup_printf("request %s", (char *)k);
			kv(e, "complete", "not completed within the scenario");
		}
	}
	g_ptr_array_sort(evs, cmp_ev);
}

static void write_json(const char *path, Instance *in, GPtrArray *evs, GHashTable *tracks,
		       const char *align_note)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) g = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	static const char *const pnames[] = {
		[P_DEVICE] = "device (QEMU)", [P_REQUESTS] = "requests",
		[P_DRIVER] = "driver parties",
	};
	GHashTableIter it;
	gpointer k, v;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "displayTimeUnit");
	json_builder_add_string_value(b, "ns");
	json_builder_set_member_name(b, "otherData");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "scenario");
	json_builder_add_string_value(b, in->name);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, status_name(in->status));
	json_builder_set_member_name(b, "alignment");
	json_builder_add_string_value(b, align_note);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "traceEvents");
	json_builder_begin_array(b);
	for (int p = P_DEVICE; p <= P_DRIVER; p++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "ph");
		json_builder_add_string_value(b, "M");
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, "process_name");
		json_builder_set_member_name(b, "pid");
		json_builder_add_int_value(b, p);
		json_builder_set_member_name(b, "tid");
		json_builder_add_int_value(b, 0);
		json_builder_set_member_name(b, "ts");
		json_builder_add_double_value(b, 0);
		json_builder_set_member_name(b, "args");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, pnames[p]);
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	g_hash_table_iter_init(&it, tracks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		int pid = 0, tid = 0;

		sscanf(k, "%d/%d", &pid, &tid);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "ph");
		json_builder_add_string_value(b, "M");
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, "thread_name");
		json_builder_set_member_name(b, "pid");
		json_builder_add_int_value(b, pid);
		json_builder_set_member_name(b, "tid");
		json_builder_add_int_value(b, tid);
		json_builder_set_member_name(b, "ts");
		json_builder_add_double_value(b, 0);
		json_builder_set_member_name(b, "args");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, v);
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	for (guint i = 0; i < evs->len; i++) {
		Ev *e = g_ptr_array_index(evs, i);
		char ph[2] = { e->ph, 0 };

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, e->name);
		json_builder_set_member_name(b, "cat");
		json_builder_add_string_value(b, e->cat);
		json_builder_set_member_name(b, "ph");
		json_builder_add_string_value(b, ph);
		json_builder_set_member_name(b, "ts");
		json_builder_add_double_value(b, round(e->ts * 1000) / 1000);
		if (e->ph == 'X') {
			json_builder_set_member_name(b, "dur");
			json_builder_add_double_value(b, round(e->dur * 1000) / 1000);
		}
		if (e->ph == 'i') {
			json_builder_set_member_name(b, "s");
			json_builder_add_string_value(b, "t");
		}
		json_builder_set_member_name(b, "pid");
		json_builder_add_int_value(b, e->pid);
		json_builder_set_member_name(b, "tid");
		json_builder_add_int_value(b, e->tid);
		json_builder_set_member_name(b, "args");
		json_builder_begin_object(b);
		for (guint j = 0; j + 1 < e->kv->len; j += 2) {
			json_builder_set_member_name(b, g_ptr_array_index(e->kv, j));
			json_builder_add_string_value(b, g_ptr_array_index(e->kv, j + 1));
		}
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	json_generator_set_pretty(g, TRUE);
	json_generator_to_file(g, path, NULL);
}

static void html_escape(GString *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': g_string_append(o, "&lt;"); break;
		case '>': g_string_append(o, "&gt;"); break;
		case '&': g_string_append(o, "&amp;"); break;
		case '"': g_string_append(o, "&quot;"); break;
		default: g_string_append_c(o, *s);
		}
	}
}

static gint cmp_track(gconstpointer a, gconstpointer b)
{
	int pa, ta, pb, tb;

	sscanf(*(char *const *)a, "%d/%d", &pa, &ta);
	sscanf(*(char *const *)b, "%d/%d", &pb, &tb);
	return pa != pb ? pa - pb : ta - tb;
}

static const char *ev_color(const Ev *e)
{
	if (!strcmp(e->cat, "verifier"))
		return "#d62728";
	if (e->pid == P_DEVICE)
		return e->ph == 'X' ? "#1f77b4" : "#17becf";
	if (e->pid == P_REQUESTS)
		return "#2ca02c";
	if (g_str_has_prefix(e->name, "BeginCompletion WON"))
		return "#ff7f0e";
	if (e->tid == T_CANCEL)
		return "#9467bd";
	if (e->tid == T_TIMER)
		return "#8c564b";
	return "#7f7f7f";
}

static void write_html(const char *path, const char *json_name, Instance *in, GPtrArray *evs,
		       GHashTable *tracks, double span_us, const char *align_note)
{
	g_autoptr(GString) o = g_string_new("");
	g_autoptr(GPtrArray) keys = g_ptr_array_new();
	const int left = 200, width = 1200, lane = 34, top = 40;
	double scale = span_us > 0 ? width / span_us : 1;
	int height;

	{
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, tracks);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(keys, k);
	}
	g_ptr_array_sort(keys, cmp_track);
	height = top + (int)keys->len * lane + 30;
	g_string_append(o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
	html_escape(o, in->name);
	g_string_append(o, " timeline</title>\n<style>body{font:13px sans-serif;margin:16px;background:#fff;color:#222}"
			"svg text{font:11px sans-serif} .lbl{font-weight:bold}</style></head><body>\n<h1>");
	html_escape(o, in->name);
	g_string_append_printf(o, ": %s</h1>\n<p>One row per device channel, per request and per driver "
			       "party; time in microseconds from the scenario's start. Hover a mark for "
			       "its trace line. Data: <a href=\"%s\">%s</a> (open it in Perfetto UI or "
			       "chrome://tracing). Clock alignment: ", status_name(in->status),
			       json_name, json_name);
	html_escape(o, align_note);
	g_string_append_printf(o, "</p>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">\n",
			       left + width + 20, height);
	g_string_append_printf(o, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fafafa\"/>\n",
			       left + width + 20, height);
	/* axis */
	for (int i = 0; i <= 10; i++) {
		double x = left + width * i / 10.0;

		g_string_append_printf(o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
				       "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f us</text>\n",
				       x, top - 10, x, height - 25, x, height - 10, span_us * i / 10.0);
	}
	for (guint i = 0; i < keys->len; i++) {
		const char *k = g_ptr_array_index(keys, i);
		int y = top + (int)i * lane;

		g_string_append_printf(o, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
				       y, left + width + 20, lane, i % 2 ? "#f0f0f0" : "#ffffff");
		g_string_append_printf(o, "<text class=\"lbl\" x=\"8\" y=\"%d\">", y + lane / 2 + 4);
		html_escape(o, g_hash_table_lookup(tracks, k));
		g_string_append(o, "</text>\n");
	}
	{
		g_autoptr(GHashTable) begins = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

		for (guint i = 0; i < evs->len; i++) {
			Ev *e = g_ptr_array_index(evs, i);
			g_autofree char *k = g_strdup_printf("%d/%d", e->pid, e->tid);
			guint row;
			int y;
			double x = left + e->ts * scale;

			if (!g_ptr_array_find_with_equal_func(keys, k, g_str_equal, &row))
				continue;
			y = top + (int)row * lane;
			if (e->ph == 'B') {
				g_hash_table_insert(begins, g_strdup(k), e);
				continue;
			}
			if (e->ph == 'X' || e->ph == 'E') {
				Ev *bg = e->ph == 'E' ? g_hash_table_lookup(begins, k) : e;
				double x0 = left + bg->ts * scale;
				double x1 = e->ph == 'E' ? x : left + (e->ts + e->dur) * scale;

				if (!bg)
					continue;
				g_string_append_printf(o, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
						       "rx=\"3\" fill=\"%s\" opacity=\"0.8\"><title>",
						       x0, y + 6, MAX(x1 - x0, 2.0), lane - 12, ev_color(e));
				html_escape(o, e->name);
				for (guint j = 0; j + 1 < bg->kv->len; j += 2) {
					g_string_append_printf(o, "\n%s: ", (char *)g_ptr_array_index(bg->kv, j));
					html_escape(o, g_ptr_array_index(bg->kv, j + 1));
				}
				for (guint j = 0; e != bg && j + 1 < e->kv->len; j += 2) {
					g_string_append_printf(o, "\n%s: ", (char *)g_ptr_array_index(e->kv, j));
					html_escape(o, g_ptr_array_index(e->kv, j + 1));
				}
				g_string_append(o, "</title></rect>\n<text x=\"");
				g_string_append_printf(o, "%.1f\" y=\"%d\" fill=\"#fff\">", x0 + 3, y + lane / 2 + 4);
				html_escape(o, e->name);
				g_string_append(o, "</text>\n");
				continue;
			}
			g_string_append_printf(o, "<g><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
					       "stroke-width=\"3\"/><circle cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"%s\"/><title>",
					       x, y + 4, x, y + lane - 4, ev_color(e), x, y + lane / 2,
					       ev_color(e));
			g_string_append_printf(o, "%.1f us: ", e->ts);
			html_escape(o, e->name);
			for (guint j = 0; j + 1 < e->kv->len; j += 2) {
				g_string_append_printf(o, "\n%s: ", (char *)g_ptr_array_index(e->kv, j));
				html_escape(o, g_ptr_array_index(e->kv, j + 1));
			}
			g_string_append(o, "</title></g>\n");
			if (!strcmp(e->cat, "verifier") || g_str_has_prefix(e->name, "BeginCompletion")) {
				g_string_append_printf(o, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">", x + 7,
						       y + 12, ev_color(e));
				html_escape(o, e->name);
				g_string_append(o, "</text>\n");
			}
		}
	}
	g_string_append(o, "</svg>\n<h2>Events</h2>\n<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\">"
			"<tr><th>time (us)</th><th>track</th><th>event</th></tr>\n");
	for (guint i = 0; i < evs->len; i++) {
		Ev *e = g_ptr_array_index(evs, i);
		g_autofree char *k = g_strdup_printf("%d/%d", e->pid, e->tid);
		const char *t = g_hash_table_lookup(tracks, k);

		g_string_append_printf(o, "<tr><td>%.1f</td><td>", e->ts);
		html_escape(o, t ? t : k);
		g_string_append(o, "</td><td>");
		html_escape(o, e->name);
		if (e->ph == 'B' || e->ph == 'E')
			g_string_append(o, e->ph == 'B' ? " begins" : " ends");
		g_string_append(o, "</td></tr>\n");
	}
	g_string_append(o, "</table>\n</body></html>\n");
	g_file_set_contents(path, o->str, -1, NULL);
}

char *timeline_file_stem(const char *name)
{
	char *s = g_strdup(name);

	g_strcanon(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", '_');
	return s;
}

void timeline_write_vm(const char *dir, GPtrArray *instances, const char *results,
		       const char *trace_file, gboolean failed_only)
{
	g_autoptr(GPtrArray) raw = g_ptr_array_new_with_free_func(raw_free);
	g_autoptr(GHashTable) marks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	double offset = 0;
	g_autoptr(GArray) pairs = NULL;
	g_autofree char *note = NULL;

	parse_device(trace_file, raw);
	parse_guest(results, raw, marks);
	pairs = align(raw, &offset);
	if (pairs->len) {
		note = g_strdup_printf("guest clock mapped onto the device clock through %u "
				       "program/START pairs (interpolated between them; offset "
				       "about %.6f s)", pairs->len, offset);
	} else {
		double dev0 = -1, g0 = -1;

		for (guint i = 0; i < raw->len; i++) {
			Raw *r = g_ptr_array_index(raw, i);

			if (r->guest && g0 < 0)
				g0 = r->t;
			if (!r->guest && dev0 < 0)
				dev0 = r->t;
		}
		offset = dev0 >= 0 && g0 >= 0 ? dev0 - g0 : 0;
		note = g_strdup("no program/START pair: first events aligned (rough)");
	}
	g_mkdir_with_parents(dir, 0755);
	for (guint i = 0; i < instances->len; i++) {
		Instance *in = g_ptr_array_index(instances, i);
		g_autofree char *bk = g_strconcat("b:", in->name, NULL);
		g_autofree char *ek = g_strconcat("e:", in->name, NULL);
		double *b = g_hash_table_lookup(marks, bk), *e = g_hash_table_lookup(marks, ek);
		g_autoptr(GPtrArray) evs = NULL;
		g_autoptr(GHashTable) tracks = NULL;
		g_autofree char *stem = NULL, *jname = NULL, *jpath = NULL, *hpath = NULL;
		double t0, t1;

		if (failed_only && in->status == ST_PASS)
			continue;
		if (!b)
			continue;	/* never began: nothing to show */
		t0 = to_device(pairs, offset, *b);
		t1 = to_device(pairs, offset, e ? *e : *b + in->scn->timeout_s);
		evs = g_ptr_array_new_with_free_func(ev_free);
		tracks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		build_events(raw, pairs, offset, t0, t1, evs, tracks);
		stem = timeline_file_stem(in->name);
		jname = g_strconcat(stem, ".json", NULL);
		jpath = g_build_filename(dir, jname, NULL);
		hpath = g_strconcat(dir, "/", stem, ".html", NULL);
		write_json(jpath, in, evs, tracks, note);
		write_html(hpath, jname, in, evs, tracks, (t1 - t0) * 1e6, note);
		g_free(in->timeline);
		in->timeline = g_strdup(hpath);
	}
}

void timeline_write_index(const char *dir, GPtrArray *instances, double seconds)
{
	g_autoptr(GString) o = g_string_new("");
	g_autofree char *path = g_build_filename(dir, "index.html", NULL);
	guint failed = 0;

	for (guint i = 0; i < instances->len; i++)
		if (((Instance *)g_ptr_array_index(instances, i))->status != ST_PASS)
			failed++;
	g_mkdir_with_parents(dir, 0755);
	g_string_append_printf(o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sysdma-run report"
			       "</title><style>body{font:14px sans-serif;margin:16px} .pass{color:#2ca02c}"
			       " .fail{color:#d62728;font-weight:bold}</style></head><body>\n"
			       "<h1>sysdma-run: %u instance(s), %u failed, %.1f s</h1>\n"
			       "<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\"><tr><th>scenario</th>"
			       "<th>status</th><th>ms</th><th>rules</th><th>timeline</th></tr>\n",
			       instances->len, failed, seconds);
	for (guint i = 0; i < instances->len; i++) {
		Instance *in = g_ptr_array_index(instances, i);
		g_autofree char *rules = g_strjoinv(" ", in->scn->rules);

		g_string_append(o, "<tr><td>");
		html_escape(o, in->name);
		g_string_append_printf(o, "</td><td class=\"%s\">%s</td><td>%ld</td><td>",
				       in->status == ST_PASS ? "pass" : "fail",
				       status_name(in->status), in->ms);
		html_escape(o, rules);
		g_string_append(o, "</td><td>");
		if (in->timeline) {
			g_autofree char *base = g_path_get_basename(in->timeline);
			g_autofree char *stem = timeline_file_stem(in->name);

			g_string_append_printf(o, "<a href=\"%s\">timeline</a> (<a href=\"%s.json\">json</a>)",
					       base, stem);
		}
		g_string_append(o, "</td></tr>\n");
	}
	g_string_append(o, "</table>\n</body></html>\n");
	g_file_set_contents(path, o->str, -1, NULL);
}
