// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-run: compile a validated scenario into the line-based step file
 * that `sysdmactl run` executes in the guest.  Every line carries L=<line of
 * its group in the .scn file> so that guest failures point at the source.
 * rand(A..B) values and default data seeds come from a GRand seeded by the
 * caller: the same seed gives the same steps.
 */
#include <string.h>
#include "scenario.h"
#include "scn-kinds.h"

static void put_quoted(GString *o, const char *v)
{
	g_string_append_c(o, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			g_string_append_c(o, '\\');
		g_string_append_c(o, *v);
	}
	g_string_append_c(o, '"');
}

static gint64 parse_num(const char *v)
{
	char *end;
	gboolean neg = *v == '-';
	gint64 n = (gint64)g_ascii_strtoull(v + neg, &end, 0);

	if (!g_ascii_strcasecmp(end, "K") || !g_ascii_strcasecmp(end, "KiB"))
		n <<= 10;
	else if (!g_ascii_strcasecmp(end, "M") || !g_ascii_strcasecmp(end, "MiB"))
		n <<= 20;
	return neg ? -n : n;
}

static void put_value(GString *o, VType t, const char *v, GRand *rng)
{
	if ((t == V_NUM || t == V_INT) && g_str_has_prefix(v, "rand(")) {
		g_autofree char *in = g_strndup(v + 5, strlen(v) - 6);
		char *dots = strstr(in, "..");
		gint64 a, b;

		*dots = 0;
		a = parse_num(in);
		b = parse_num(dots + 2);
		if (b < a) {
			gint64 t2 = a;

			a = b;
			b = t2;
		}
		g_string_append_printf(o, "%" G_GINT64_FORMAT,
				       a + (gint64)(g_rand_double(rng) * (double)(b - a + 1)));
		return;
	}
	if (t == V_STR || t == V_ACTION || strchr(v, ' ') || strchr(v, '"')) {
		put_quoted(o, v);
		return;
	}
	if (t == V_FSTICKY && !strcmp(v, "no")) {
		g_string_append(o, "none");
		return;
	}
	g_string_append(o, v);
}

static const KeyDef *keydef(const KindDef *kd, const char *key)
{
	for (const KeyDef *d = kd->keys; d->key; d++)
		if (!strcmp(d->key, key))
			return d;
	return NULL;
}

static const char *group_req(const ScnGroup *g)
{
	for (guint i = 0; i < g->keys->len; i++) {
		const ScnKey *k = g_ptr_array_index(g->keys, i);

		if (!strcmp(k->key, "req"))
			return k->value;
	}
	return g->arg;
}

static const char *group_val(const ScnGroup *g, const char *key)
{
	for (guint i = 0; i < g->keys->len; i++) {
		const ScnKey *k = g_ptr_array_index(g->keys, i);

		if (!strcmp(k->key, key))
			return k->value;
	}
	return NULL;
}

static void compile_step(GString *o, const ScnGroup *g, GRand *rng)
{
	const KindDef *kd = scn_kind(g->kind);
	const char *req = kd->req != REQ_NONE ? group_req(g) : NULL;
	const char *ee;
	gboolean second = FALSE;

	if ((!strcmp(g->kind, "cancel") || !strcmp(g->kind, "release")) && group_val(g, "id"))
		req = NULL;
	g_string_append_printf(o, "%s L=%d", kd->op, g->line);
	if (req)
		g_string_append_printf(o, " req=%s", req);
	for (guint i = 0; i < g->keys->len; i++) {
		const ScnKey *k = g_ptr_array_index(g->keys, i);
		const KeyDef *d = keydef(kd, k->key);

		if (!strcmp(k->key, "req"))
			continue;
		if (!d) {	/* free keys: counters */
			g_string_append_printf(o, " %s=", k->key);
			put_value(o, kd->free_keys, k->value, rng);
			continue;
		}
		if (d->second) {
			second = TRUE;
			continue;
		}
		g_string_append_printf(o, " %s=", d->gkey);
		put_value(o, d->type, k->value, rng);
	}
	if (!strcmp(g->kind, "submit") && !group_val(g, "seed"))
		g_string_append_printf(o, " seed=%u", g_rand_int(rng));
	g_string_append_c(o, '\n');

	if (!kd->op2)
		return;
	/* wait: check the result unless the WAIT itself is expected to fail */
	ee = group_val(g, "expect_errno");
	if (ee && strcmp(ee, "0") && strcmp(ee, "OK")) {
		(void)second;
		return;
	}
	g_string_append_printf(o, "%s L=%d req=%s", kd->op2, g->line, req);
	for (guint i = 0; i < g->keys->len; i++) {
		const ScnKey *k = g_ptr_array_index(g->keys, i);
		const KeyDef *d = keydef(kd, k->key);

		if (!d || !d->second)
			continue;
		g_string_append_printf(o, " %s=", d->gkey);
		put_value(o, d->type, k->value, rng);
	}
	g_string_append_c(o, '\n');
}

/*
 * Whether the scenario sets its own expectation on the driver's
 * caller_errors counter ([expect-stats] caller_errors = ...).  If not, the
 * guest's post-scenario checks require the counter unchanged (V4, H2 and
 * K3 misuse the adapter repairs is still a caller error).
 */
static gboolean expects_caller_errors(const Scenario *s)
{
	for (guint i = 0; i < s->steps->len; i++) {
		const ScnGroup *g = g_ptr_array_index(s->steps, i);

		if (strcmp(g->kind, "expect-stats"))
			continue;
		for (guint j = 0; j < g->keys->len; j++) {
			const ScnKey *k = g_ptr_array_index(g->keys, j);

			if (!strcmp(k->key, "caller_errors"))
				return TRUE;
		}
	}
	return FALSE;
}

char *scn_compile(const Scenario *s, const char *instance, guint32 seed, GError **err)
{
	GString *o = g_string_new("");
	g_autoptr(GRand) rng = g_rand_new_with_seed(seed);

	(void)err;
	g_string_append_printf(o, "# %s (%s) seed %u\n", s->name, s->path, seed);
	g_string_append(o, "scenario name=");
	put_quoted(o, instance);
	g_string_append_printf(o, " timeout_ms=%d verifier=%s leak_check=%s caller_errors=%s\n",
			       s->timeout_s * 1000, s->verifier_any ? "any" : "clean",
			       s->leak_check ? "yes" : "no",
			       expects_caller_errors(s) ? "any" : "unchanged");
	for (guint i = 0; i < s->steps->len; i++)
		compile_step(o, g_ptr_array_index(s->steps, i), rng);
	g_string_append(o, "end\n");
	return g_string_free(o, FALSE);
}
