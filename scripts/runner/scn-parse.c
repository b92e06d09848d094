// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma-run: scenario file parser and validator.
 *
 * The syntax is GKeyFile's (groups, key = value, # comments), read by our
 * own small lexer so that every error can name its file and line, and so
 * that a repeated group (which GKeyFile would silently merge) is an error.
 */
#include <string.h>
#include "scenario.h"
#include "scn-kinds.h"

G_DEFINE_QUARK(sysdma-scenario-error-quark, scn_error)

const char *const scn_all_rules[] = {
	"K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9", "K10",
	"R1", "R2", "R3", "R4", "R5", "R6",
	"H1", "H2", "H3", "H4", "H5",
	"V1", "V2", "V3", "V4", NULL,
};

gboolean scn_rule_valid(const char *id)
{
	for (int i = 0; scn_all_rules[i]; i++)
		if (!strcmp(scn_all_rules[i], id))
			return TRUE;
	return FALSE;
}

const char *const scn_stat_names[] = {
	"submitted", "completed", "ok", "cancelled", "timedout", "error",
	"aborted", "cancel_k2", "cancel_stop", "timeout_stop", "in_flight",
	"transfers", "flushes", "irqs", "spurious_irqs", "channel_waits",
	"caller_errors", NULL,
};

const char *const scn_verifier_names[] = {
	"total", "reprogram_no_flush", "release_no_flush", "start_busy",
	"zero_length", "overlap", "bad_address", "ack_not_pending",
	"cancel_idle", "flush_idle", "leak", "double_release", "not_claimed",
	"bad_register", NULL,
};

const char *const scn_host_actions[] = {
	"qom-set", "qom-get", "qmp", "pause", "snapshot", NULL,
};

#define EXPECT_KEYS(sec) \
	{ "error", "error", V_ERRSET, sec, FALSE }, \
	{ "bytes", "bytes", V_SPEC, sec, FALSE }, \
	{ "dev_bytes", "dev_bytes", V_DEVBYTES, sec, FALSE }, \
	{ "path", "path", V_PATHSET, sec, FALSE }, \
	{ "transfers", "transfers", V_SPEC, sec, FALSE }, \
	{ "result_channel", "channel", V_INT, sec, FALSE }, \
	{ "data", "data", V_YESNO, sec, FALSE }

static const KeyDef k_fault[] = {
	{ "channel", "ch", V_INT, 0, FALSE },
	{ "mode", "mode", V_FMODE, 0, TRUE },
	{ "sticky", "sticky", V_FSTICKY, 0, FALSE },
	{ "error_after", "error_after", V_NUM, 0, FALSE },
	{ "delay_us", "delay_us", V_NUM, 0, FALSE },
	{ "slow_rate", "slow_rate", V_NUM, 0, FALSE },
	{ "fd", "fd", V_INT, 0, FALSE },
	{ "expect_errno", "expect", V_ERRNO, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_submit[] = {
	{ "dir", "dir", V_DIR, 0, FALSE },
	{ "size", "len", V_NUM, 0, TRUE },
	{ "channel", "channel", V_INT, 0, FALSE },
	{ "timeout_ms", "timeout", V_NUM, 0, FALSE },
	{ "flags", "flags", V_FLAGS, 0, FALSE },
	{ "max_transfer", "max_transfer", V_NUM, 0, FALSE },
	{ "seed", "seed", V_NUM, 0, FALSE },
	{ "fd", "fd", V_INT, 0, FALSE },
	{ "expect_errno", "expect", V_ERRNO, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_cancel[] = {
	{ "id", "id", V_NUM, 0, FALSE },
	{ "fd", "fd", V_INT, 0, FALSE },
	{ "expect_errno", "expect", V_ERRSET, 0, FALSE },
	{ "max_ms", "max_ms", V_NUM, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_wait[] = {
	{ "timeout_ms", "timeout", V_NUM, 0, FALSE },
	{ "expect_errno", "expect", V_ERRNO, 0, FALSE },
	{ "max_ms", "max_ms", V_NUM, 0, FALSE },
	{ "min_ms", "min_ms", V_NUM, 0, FALSE },
	EXPECT_KEYS(1),
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_expect[] = {
	EXPECT_KEYS(0),
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_sleep[] = {
	{ "ms", "ms", V_NUM, 0, FALSE },
	{ "us", "us", V_NUM, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_wait_bytes[] = {
	{ "min", "min", V_NUM, 0, TRUE },
	{ "channel", "ch", V_INT, 0, FALSE },
	{ "timeout_ms", "timeout", V_NUM, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_wait_reg[] = {
	{ "register", "reg", V_REG, 0, TRUE },
	{ "channel", "ch", V_INT, 0, FALSE },
	{ "mask", "mask", V_NUM, 0, FALSE },
	{ "value", "value", V_VAL, 0, TRUE },
	{ "timeout_ms", "timeout", V_NUM, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_wait_state[] = {
	{ "held", "held", V_FLAGS, 0, FALSE },
	{ "state", "state", V_QSTATE, 0, FALSE },
	{ "bytes", "bytes", V_SPEC, 0, FALSE },
	{ "transfers", "transfers", V_SPEC, 0, FALSE },
	{ "timeout_ms", "timeout", V_NUM, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_none[] = {
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_selftest[] = {
	{ "failed", "failed", V_SPEC, 0, FALSE },
	{ "passed", "passed", V_SPEC, 0, FALSE },
	{ "contains", "contains", V_STR, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_poke[] = {
	{ "register", "reg", V_REG, 0, TRUE },
	{ "channel", "ch", V_INT, 0, FALSE },
	{ "value", "val", V_VAL, 0, TRUE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_peek[] = {
	{ "register", "reg", V_REG, 0, TRUE },
	{ "channel", "ch", V_INT, 0, FALSE },
	{ "mask", "mask", V_NUM, 0, FALSE },
	{ "expect", "expect", V_NUM, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_fd[] = {
	{ "fd", "fd", V_INT, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_shell[] = {
	{ "cmd", "cmd", V_STR, 0, TRUE },
	{ "expect_status", "expect", V_INT, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_log[] = {
	{ "msg", "msg", V_STR, 0, TRUE },
	{ NULL, NULL, 0, 0, FALSE },
};
static const KeyDef k_host[] = {
	{ "action", "action", V_ACTION, 0, TRUE },
	{ "path", "path", V_STR, 0, FALSE },
	{ "property", "property", V_STR, 0, FALSE },
	{ "value", "value", V_STR, 0, FALSE },
	{ "expect", "expect", V_STR, 0, FALSE },
	{ "command", "command", V_STR, 0, FALSE },
	{ "ms", "ms", V_NUM, 0, FALSE },
	{ NULL, NULL, 0, 0, FALSE },
};

static const KindDef kinds[] = {
	{ "fault", "fault", NULL, REQ_NONE, k_fault, 0, NULL,
	  "arm faults on a channel (debug window)" },
	{ "submit", "submit", NULL, REQ_NEEDED, k_submit, 0, NULL,
	  "submit a request (returns at once)" },
	{ "cancel", "cancel", NULL, REQ_OPTIONAL, k_cancel, 0, NULL,
	  "cancel a request (SYSDMA_IOC_CANCEL)" },
	{ "release", "release", NULL, REQ_OPTIONAL, k_cancel, 0, NULL,
	  "release a request held by a test hook" },
	{ "wait", "wait", "expect", REQ_NEEDED, k_wait, 0, NULL,
	  "wait for a request's result and check it" },
	{ "expect", "expect", NULL, REQ_NEEDED, k_expect, 0, NULL,
	  "check the last result of a request again" },
	{ "sleep", "sleep", NULL, REQ_NONE, k_sleep, 0, NULL, "sleep in the guest" },
	{ "wait-bytes", "wait-bytes", NULL, REQ_OPTIONAL, k_wait_bytes, 0, NULL,
	  "wait until a channel's BYTES register reaches min" },
	{ "wait-reg", "wait-reg", NULL, REQ_NONE, k_wait_reg, 0, NULL,
	  "wait until (register & mask) == value" },
	{ "wait-state", "wait-state", NULL, REQ_NEEDED, k_wait_state, 0, NULL,
	  "wait until a request reaches a state or hold point (QUERY)" },
	{ "expect-stats", "expect-stats", NULL, REQ_NONE, k_none, V_SPEC,
	  scn_stat_names, "driver counters (changes during the scenario)" },
	{ "expect-verifier", "expect-verifier", NULL, REQ_NONE, k_none, V_SPEC,
	  scn_verifier_names, "device verifier counters (changes)" },
	{ "stats", "stats", NULL, REQ_NONE, k_none, 0, NULL, "print the driver counters" },
	{ "verifier", "verifier", NULL, REQ_NONE, k_none, 0, NULL,
	  "print the verifier counters" },
	{ "selftest", "selftest", NULL, REQ_NONE, k_selftest, 0, NULL,
	  "run the driver's in-kernel self-tests" },
	{ "poke", "poke", NULL, REQ_NONE, k_poke, 0, NULL, "write a device register" },
	{ "peek", "peek", NULL, REQ_NONE, k_peek, 0, NULL, "read (and check) a register" },
	{ "open", "open", NULL, REQ_NONE, k_fd, 0, NULL, "open /dev/sysdma0 as fd N" },
	{ "close", "close", NULL, REQ_NONE, k_fd, 0, NULL,
	  "close fd N (its requests are aborted)" },
	{ "shell", "shell", NULL, REQ_NONE, k_shell, 0, NULL, "run a guest shell command" },
	{ "log", "log", NULL, REQ_NONE, k_log, 0, NULL, "write a marker to the logs" },
	{ "host", "host", NULL, REQ_NONE, k_host, 0, NULL,
	  "ask the runner to act on the VM over QMP" },
};

const KindDef *scn_kind(const char *kind)
{
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (!strcmp(kinds[i].kind, kind))
			return &kinds[i];
	return NULL;
}

const KindDef *scn_kinds(int *n)
{
	*n = G_N_ELEMENTS(kinds);
	return kinds;
}

static gboolean in_list(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (!g_ascii_strcasecmp(*list, w))
			return TRUE;
	return FALSE;
}

static gboolean num_valid(const char *v)
{
	char *end;

	if (!*v || *v == '-')
		return FALSE;
	g_ascii_strtoull(v, &end, 0);
	if (end == v)
		return FALSE;
	return !*end || !g_ascii_strcasecmp(end, "K") || !g_ascii_strcasecmp(end, "M") ||
	       !g_ascii_strcasecmp(end, "KiB") || !g_ascii_strcasecmp(end, "MiB");
}

static gboolean rand_valid(const char *v, gboolean sign)
{
	g_autofree char *in = NULL;
	char *dots;

	if (!g_str_has_prefix(v, "rand(") || !g_str_has_suffix(v, ")"))
		return FALSE;
	in = g_strndup(v + 5, strlen(v) - 6);
	dots = strstr(in, "..");
	if (!dots)
		return FALSE;
	*dots = 0;
	if (sign)
		return (num_valid(in) || (in[0] == '-' && num_valid(in + 1))) &&
		       (num_valid(dots + 2) || (dots[2] == '-' && num_valid(dots + 3)));
	return num_valid(in) && num_valid(dots + 2);
}

static gboolean words_valid(const char *v, const char *const *names, const char *sep)
{
	g_auto(GStrv) w = g_strsplit_set(v, sep, -1);

	if (!*v)
		return FALSE;
	for (int i = 0; w[i]; i++) {
		char *t = g_strstrip(w[i]);

		if (!*t || (!in_list(names, t) && !num_valid(t)))
			return FALSE;
	}
	return TRUE;
}

static gboolean spec_valid(const char *v)
{
	const char *dots;

	if (!strcmp(v, "all") || !strcmp(v, "partial") || !strcmp(v, "none") ||
	    !strcmp(v, "any"))
		return TRUE;
	if (g_str_has_prefix(v, ">=") || g_str_has_prefix(v, "<="))
		return num_valid(v + 2);
	if (*v == '<' || *v == '>')
		return num_valid(v + 1);
	dots = strstr(v, "..");
	if (dots) {
		g_autofree char *a = g_strndup(v, dots - v);

		return num_valid(a) && num_valid(dots + 2);
	}
	return num_valid(v);
}

static const char *const errno_names[] = {
	"0", "OK", "ECANCELED", "ETIMEDOUT", "EIO", "ENODEV", "EINVAL", "EFAULT",
	"ENOENT", "EBUSY", "ENOTTY", "EAGAIN", "EPERM", "EBADF", "ENOMEM",
	"EALREADY", "ENXIO", "EINTR", "ESRCH", NULL,
};
static const char *const path_names[] = {
	"none", "dma", "cancel-k2", "cancel-stop", "timeout", "abort", "cancel-k4", NULL,
};
static const char *const flag_names[] = {
	"none", "nowait_channel", "nowait", "no_callback", "sg", "hold_channel",
	"hold_program", "hold_between", "hold_granted", "hold_programmed", NULL,
};
static const char *const fault_names[] = {
	"none", "error", "stall", "drop_irq", "delay_irq", "spurious", "slow", "all", NULL,
};
static const char *const qstate_names[] = {
	"created", "initialized", "wait_channel", "programming", "transfer",
	"transfer_done", "between", "done", "cancelled", NULL,
};
static const char *const reg_names[] = {
	"id", "version", "caps", "max_xfer", "fifo_size", "rate", "chunk",
	"irq_status", "ctrl", "verify_total", "verify_clear", "src_lo", "src",
	"src_hi", "dst_lo", "dst", "dst_hi", "len", "cfg", "start", "cancel",
	"flush", "claim", "status", "bytes", "residue", "irq", "sink_crc", "seed",
	"fifo_level", "desc_done", "total", "fault_mode", "fault_sticky",
	"fault_error_after", "fault_delay_us", "fault_slow_rate", "fault_fired", NULL,
};

gboolean scn_value_valid(VType t, const char *v, const char **expected)
{
	switch (t) {
	case V_NUM:
		*expected = "a number (4096, 0x1000, 64K, 1M) or rand(A..B)";
		return num_valid(v) || rand_valid(v, FALSE);
	case V_INT:
		*expected = "an integer or rand(A..B)";
		return num_valid(v) || (v[0] == '-' && num_valid(v + 1)) || rand_valid(v, TRUE);
	case V_ERRNO:
		*expected = "an errno name (0, ECANCELED, ETIMEDOUT, EIO, ENODEV, EBUSY, ENOENT, EINVAL, EAGAIN, ...)";
		return in_list(errno_names, v);
	case V_ERRSET:
		*expected = "errno names joined by '|' (e.g. 0|ETIMEDOUT)";
		return words_valid(v, errno_names, "|");
	case V_PATHSET:
		*expected = "dma, cancel-k2, cancel-stop, timeout, abort or cancel-k4, joined by '|'";
		return words_valid(v, path_names, "|");
	case V_DIR:
		*expected = "m2m, m2p or p2m";
		return !strcmp(v, "m2m") || !strcmp(v, "m2p") || !strcmp(v, "p2m");
	case V_FLAGS:
		*expected = "flags joined by '|': nowait_channel, no_callback, sg, hold_channel, hold_program, hold_between, hold_granted, hold_programmed";
		return words_valid(v, flag_names, "|");
	case V_FMODE:
		*expected = "faults joined by '|': none, error, stall, drop_irq, delay_irq, spurious, slow";
		return words_valid(v, fault_names, "|");
	case V_FSTICKY:
		*expected = "yes, no, or faults joined by '|'";
		return !strcmp(v, "yes") || !strcmp(v, "no") || words_valid(v, fault_names, "|");
	case V_SPEC:
		*expected = "N, A..B, <N, >N, <=N, >=N, all, partial, none or any";
		return spec_valid(v);
	case V_DEVBYTES:
		*expected = "'bytes' (equal to the result's bytes) or a number expectation";
		return !strcmp(v, "bytes") || spec_valid(v);
	case V_YESNO:
		*expected = "yes or no";
		return !strcmp(v, "yes") || !strcmp(v, "no");
	case V_STR:
		*expected = "a string";
		return TRUE;
	case V_REG:
		*expected = "a register name from sysdma-regs.h in lower case (status, bytes, claim, ...), verify_count(K) or a 4-aligned offset";
		return in_list(reg_names, v) || g_str_has_prefix(v, "verify_count(") ||
		       (num_valid(v) && g_ascii_strtoull(v, NULL, 0) % 4 == 0);
	case V_VAL:
		*expected = "a number, scratch, scratch+N or scratch_hi";
		return num_valid(v) || !strcmp(v, "scratch") || !strcmp(v, "scratch_hi") ||
		       (g_str_has_prefix(v, "scratch+") && num_valid(v + 8));
	case V_QSTATE:
		*expected = "states joined by '|': created, initialized, wait_channel, programming, transfer, transfer_done, between, done, cancelled";
		return words_valid(v, qstate_names, "|");
	case V_ACTION:
		*expected = "qom-set, qom-get, qmp, pause or snapshot";
		return in_list(scn_host_actions, v);
	}
	return FALSE;
}

/* ---- lexer ------------------------------------------------------------- */

static void group_free(gpointer p)
{
	ScnGroup *g = p;

	for (guint i = 0; i < g->keys->len; i++) {
		ScnKey *k = g_ptr_array_index(g->keys, i);

		g_free(k->key);
		g_free(k->value);
		g_free(k);
	}
	g_ptr_array_free(g->keys, TRUE);
	g_free(g->header);
	g_free(g->kind);
	g_free(g->arg);
	g_free(g);
}

void scn_free(Scenario *s)
{
	if (!s)
		return;
	g_free(s->path);
	g_free(s->name);
	g_free(s->description);
	g_strfreev(s->rules);
	g_free(s->device);
	g_free(s->append);
	if (s->steps)
		g_ptr_array_free(s->steps, TRUE);
	g_free(s);
}

#define ERR(line, ...) do { \
	g_autofree char *m_ = g_strdup_printf(__VA_ARGS__); \
	g_set_error(err, SCN_ERROR, 1, "%s:%d: %s", path, (line), m_); \
	goto fail; \
} while (0)

static ScnKey *gkey(ScnGroup *g, const char *key)
{
	for (guint i = 0; i < g->keys->len; i++) {
		ScnKey *k = g_ptr_array_index(g->keys, i);

		if (!strcmp(k->key, key))
			return k;
	}
	return NULL;
}

static GPtrArray *lex(const char *path, const char *data, GError **err)
{
	GPtrArray *groups = g_ptr_array_new_with_free_func(group_free);
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
	ScnGroup *cur = NULL;
	ScnKey *last = NULL;

	for (int n = 0; lines[n]; n++) {
		int line = n + 1;
		gboolean indented = lines[n][0] == ' ' || lines[n][0] == '\t';
		char *l = g_strstrip(lines[n]);
		char *eq;

		if (!*l) {
			last = NULL;
			continue;
		}
		if (*l == '#' || *l == ';')
			continue;
		if (indented && last) {
			/* continuation of the previous value */
			char *v = g_strconcat(last->value, " ", l, NULL);

			g_free(last->value);
			last->value = v;
			continue;
		}
		if (indented)
			ERR(line, "unexpected indented line: keys and groups start in column 1 (an indented line continues the value above it)");
		last = NULL;
		if (*l == '[') {
			char *end = strchr(l, ']');
			g_auto(GStrv) words = NULL;
			int nw;

			if (!end)
				ERR(line, "expected ']' closing the group header '%s'", l);
			if (end[1] && !g_ascii_isspace(end[1]) && end[1] != '#')
				ERR(line, "unexpected text after ']': '%s'", end + 1);
			*end = 0;
			l = g_strstrip(l + 1);
			if (!*l)
				ERR(line, "empty group header: expected [KIND] or [KIND LABEL]");
			for (guint i = 0; i < groups->len; i++) {
				ScnGroup *o = g_ptr_array_index(groups, i);

				if (!strcmp(o->header, l))
					ERR(line, "group [%s] repeats the one at line %d: give it a distinct suffix, e.g. [%s 2]",
					    l, o->line, l);
			}
			cur = g_new0(ScnGroup, 1);
			cur->header = g_strdup(l);
			cur->line = line;
			cur->keys = g_ptr_array_new();
			words = g_strsplit_set(l, " \t", -1);
			nw = 0;
			for (int i = 0; words[i]; i++)
				if (*words[i]) {
					if (nw == 0)
						cur->kind = g_strdup(words[i]);
					else if (nw == 1)
						cur->arg = g_strdup(words[i]);
					nw++;
				}
			g_ptr_array_add(groups, cur);
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			ERR(line, "expected '[group]' or 'key = value', got '%s'", l);
		if (!cur)
			ERR(line, "'key = value' before the first [group]: expected [scenario] first");
		*eq = 0;
		{
			char *k = g_strstrip(l), *v = g_strstrip(eq + 1);
			ScnKey *o, *nk;

			if (!*k)
				ERR(line, "expected a key name before '='");
			for (const char *p = k; *p; p++)
				if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
					ERR(line, "bad key name '%s': expected letters, digits, '_' or '-'", k);
			if ((o = gkey(cur, k)))
				ERR(line, "key '%s' repeats the one at line %d in [%s]", k, o->line,
				    cur->header);
			nk = g_new0(ScnKey, 1);
			nk->key = g_strdup(k);
			nk->value = g_strdup(v);
			nk->line = line;
			g_ptr_array_add(cur->keys, nk);
			last = nk;
		}
	}
	return groups;
fail:
	g_ptr_array_free(groups, TRUE);
	return NULL;
}

/* ---- validation -------------------------------------------------------- */

static gboolean parse_int_key(const char *path, ScnKey *k, int min, int max, int *out,
			      GError **err)
{
	char *end;
	gint64 v = g_ascii_strtoll(k->value, &end, 10);

	if (!*k->value || *end || v < min || v > max) {
		g_set_error(err, SCN_ERROR, 1, "%s:%d: %s = '%s': expected an integer in %d..%d",
			    path, k->line, k->key, k->value, min, max);
		return FALSE;
	}
	*out = (int)v;
	return TRUE;
}

static gboolean yesno(const char *path, ScnKey *k, const char *yes, const char *no,
		      gboolean *out, GError **err)
{
	if (!strcmp(k->value, yes))
		*out = TRUE;
	else if (!strcmp(k->value, no))
		*out = FALSE;
	else {
		g_set_error(err, SCN_ERROR, 1, "%s:%d: %s = '%s': expected %s or %s", path,
			    k->line, k->key, k->value, yes, no);
		return FALSE;
	}
	return TRUE;
}

static gboolean header(Scenario *s, const char *path, ScnGroup *g, GError **err)
{
	gboolean have_rules = FALSE;

	for (guint i = 0; i < g->keys->len; i++) {
		ScnKey *k = g_ptr_array_index(g->keys, i);

		if (!strcmp(k->key, "name")) {
			for (const char *p = k->value; *p; p++)
				if (!g_ascii_isalnum(*p) && !strchr("-_.", *p)) {
					g_set_error(err, SCN_ERROR, 1,
						    "%s:%d: name = '%s': expected letters, digits, '-', '_' or '.'",
						    path, k->line, k->value);
					return FALSE;
				}
			if (!*k->value) {
				g_set_error(err, SCN_ERROR, 1, "%s:%d: name is empty", path, k->line);
				return FALSE;
			}
			g_free(s->name);
			s->name = g_strdup(k->value);
		} else if (!strcmp(k->key, "description")) {
			s->description = g_strdup(k->value);
		} else if (!strcmp(k->key, "rules")) {
			g_auto(GStrv) w = g_strsplit_set(k->value, ";, ", -1);
			GPtrArray *r = g_ptr_array_new();

			for (int j = 0; w[j]; j++) {
				if (!*w[j])
					continue;
				if (!scn_rule_valid(w[j])) {
					g_ptr_array_free(r, TRUE);
					g_set_error(err, SCN_ERROR, 1,
						    "%s:%d: rules: '%s' is not a contract rule (expected K1..K10, R1..R6, H1..H5, V1..V4 separated by ';')",
						    path, k->line, w[j]);
					return FALSE;
				}
				g_ptr_array_add(r, g_strdup(w[j]));
			}
			if (!r->len) {
				g_ptr_array_free(r, TRUE);
				g_set_error(err, SCN_ERROR, 1,
					    "%s:%d: rules is empty: expected the contract rules the scenario proves, e.g. rules = K6;R6",
					    path, k->line);
				return FALSE;
			}
			g_ptr_array_add(r, NULL);
			g_strfreev(s->rules);
			s->rules = (char **)g_ptr_array_free(r, FALSE);
			have_rules = TRUE;
		} else if (!strcmp(k->key, "timeout")) {
			if (!parse_int_key(path, k, 1, 600, &s->timeout_s, err))
				return FALSE;
		} else if (!strcmp(k->key, "iterations")) {
			if (!parse_int_key(path, k, 1, 1000, &s->iterations, err))
				return FALSE;
		} else if (!strcmp(k->key, "device")) {
			s->device = g_strdup(k->value);
		} else if (!strcmp(k->key, "append")) {
			s->append = g_strdup(k->value);
		} else if (!strcmp(k->key, "verifier")) {
			if (!yesno(path, k, "any", "clean", &s->verifier_any, err))
				return FALSE;
		} else if (!strcmp(k->key, "kernel_log")) {
			if (!yesno(path, k, "any", "clean", &s->kernel_log_any, err))
				return FALSE;
		} else if (!strcmp(k->key, "leak_check")) {
			if (!yesno(path, k, "yes", "no", &s->leak_check, err))
				return FALSE;
		} else {
			g_set_error(err, SCN_ERROR, 1,
				    "%s:%d: unknown key '%s' in [scenario] (expected name, description, rules, timeout, iterations, device, append, verifier, kernel_log, leak_check)",
				    path, k->line, k->key);
			return FALSE;
		}
	}
	if (!have_rules) {
		g_set_error(err, SCN_ERROR, 1,
			    "%s:%d: [scenario] has no 'rules' key: expected e.g. rules = K6;R6",
			    path, g->line);
		return FALSE;
	}
	return TRUE;
}

static gboolean validate_step(Scenario *s, const char *path, ScnGroup *g,
			      GHashTable *reqs, GError **err)
{
	const KindDef *kd = scn_kind(g->kind);
	ScnKey *rk;
	const char *req;

	if (!kd) {
		GString *all = g_string_new("");
		int n;
		const KindDef *k = scn_kinds(&n);

		for (int i = 0; i < n; i++)
			g_string_append_printf(all, "%s%s", i ? ", " : "", k[i].kind);
		g_set_error(err, SCN_ERROR, 1, "%s:%d: unknown step [%s]: expected one of %s",
			    path, g->line, g->header, all->str);
		g_string_free(all, TRUE);
		return FALSE;
	}
	rk = gkey(g, "req");
	req = rk ? rk->value : g->arg;
	if (kd->req == REQ_NEEDED && !req) {
		g_set_error(err, SCN_ERROR, 1,
			    "%s:%d: [%s] needs a request label: expected [%s LABEL] (e.g. [%s a])",
			    path, g->line, g->header, g->kind, g->kind);
		return FALSE;
	}
	if (kd->req == REQ_NONE)
		req = NULL;
	if (!strcmp(g->kind, "cancel") || !strcmp(g->kind, "release")) {
		if (gkey(g, "id"))
			req = NULL;
		else if (!req) {
			g_set_error(err, SCN_ERROR, 1,
				    "%s:%d: [%s] needs a request label or id = N", path,
				    g->line, g->header);
			return FALSE;
		}
	}
	if (req) {
		for (const char *p = req; *p; p++)
			if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-') {
				g_set_error(err, SCN_ERROR, 1,
					    "%s:%d: bad request label '%s': expected letters, digits, '_' or '-'",
					    path, g->line, req);
				return FALSE;
			}
		if (!strcmp(g->kind, "submit")) {
			g_hash_table_add(reqs, g_strdup(req));
		} else if (!g_hash_table_contains(reqs, req)) {
			g_set_error(err, SCN_ERROR, 1,
				    "%s:%d: [%s]: request '%s' is not submitted before this step (expected a [submit %s] group above)",
				    path, g->line, g->header, req, req);
			return FALSE;
		}
	}
	for (guint i = 0; i < g->keys->len; i++) {
		ScnKey *k = g_ptr_array_index(g->keys, i);
		const KeyDef *d;
		const char *exp;

		if (!strcmp(k->key, "req") && kd->req != REQ_NONE)
			continue;
		for (d = kd->keys; d->key; d++)
			if (!strcmp(d->key, k->key))
				break;
		if (d->key) {
			if (!scn_value_valid(d->type, k->value, &exp)) {
				g_set_error(err, SCN_ERROR, 1, "%s:%d: %s = '%s': expected %s", path,
					    k->line, k->key, k->value, exp);
				return FALSE;
			}
			continue;
		}
		if (kd->free_names && in_list(kd->free_names, k->key)) {
			gboolean ok = scn_value_valid(kd->free_keys, k->value, &exp);

			if (!ok && kd->free_names == scn_stat_names &&
			    in_list(scn_stat_names, k->value))
				ok = TRUE;	/* flushes = transfers */
			if (!ok) {
				g_set_error(err, SCN_ERROR, 1, "%s:%d: %s = '%s': expected %s%s",
					    path, k->line, k->key, k->value, exp,
					    kd->free_names == scn_stat_names ?
					    " or another counter's name" : "");
				return FALSE;
			}
			continue;
		}
		{
			GString *all = g_string_new("");

			for (d = kd->keys; d->key; d++)
				g_string_append_printf(all, "%s%s", all->len ? ", " : "", d->key);
			if (kd->free_names)
				for (const char *const *p = kd->free_names; *p; p++)
					g_string_append_printf(all, "%s%s", all->len ? ", " : "", *p);
			if (kd->req != REQ_NONE)
				g_string_append_printf(all, "%sreq", all->len ? ", " : "");
			g_set_error(err, SCN_ERROR, 1, "%s:%d: unknown key '%s' in [%s] (expected %s)",
				    path, k->line, k->key, g->header,
				    all->len ? all->str : "no keys");
			g_string_free(all, TRUE);
			return FALSE;
		}
	}
	for (const KeyDef *d = kd->keys; d->key; d++)
		if (d->required && !gkey(g, d->key)) {
			g_set_error(err, SCN_ERROR, 1, "%s:%d: [%s] has no '%s' key (required)",
				    path, g->line, g->header, d->key);
			return FALSE;
		}
	if (!strcmp(g->kind, "host")) {
		ScnKey *a = gkey(g, "action");
		const char *need = NULL;

		s->needs_host = TRUE;
		if (!strcmp(a->value, "qom-set") && !(gkey(g, "property") && gkey(g, "value")))
			need = "property and value";
		else if (!strcmp(a->value, "qom-get") && !(gkey(g, "property") && gkey(g, "expect")))
			need = "property and expect";
		else if (!strcmp(a->value, "qmp") && !gkey(g, "command"))
			need = "command (a QMP command in JSON)";
		else if (!strcmp(a->value, "pause") && !gkey(g, "ms"))
			need = "ms";
		if (!strcmp(a->value, "snapshot"))
			s->needs_snapshot = TRUE;
		if (need) {
			g_set_error(err, SCN_ERROR, 1, "%s:%d: [%s] action = %s needs %s", path,
				    g->line, g->header, a->value, need);
			return FALSE;
		}
	}
	if (!strcmp(g->kind, "sleep") && !gkey(g, "ms") && !gkey(g, "us")) {
		g_set_error(err, SCN_ERROR, 1, "%s:%d: [%s] needs ms = N or us = N", path,
			    g->line, g->header);
		return FALSE;
	}
	return TRUE;
}

Scenario *scn_load_data(const char *path, const char *data, GError **err)
{
	GPtrArray *groups;
	Scenario *s;
	g_autoptr(GHashTable) reqs = NULL;
	g_autofree char *base = NULL;
	guint i;

	groups = lex(path, data, err);
	if (!groups)
		return NULL;
	s = g_new0(Scenario, 1);
	s->path = g_strdup(path);
	base = g_path_get_basename(path);
	if (g_str_has_suffix(base, ".scn"))
		base[strlen(base) - 4] = 0;
	s->name = g_strdup(base);
	s->timeout_s = 10;
	s->iterations = 1;
	s->leak_check = TRUE;
	s->steps = g_ptr_array_new_with_free_func(group_free);
	reqs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!groups->len || strcmp(((ScnGroup *)g_ptr_array_index(groups, 0))->header,
				   "scenario")) {
		g_set_error(err, SCN_ERROR, 1, "%s:%d: expected a [scenario] group first", path,
			    groups->len ? ((ScnGroup *)g_ptr_array_index(groups, 0))->line : 1);
		goto fail;
	}
	if (!header(s, path, g_ptr_array_index(groups, 0), err))
		goto fail;
	for (i = 1; i < groups->len; i++) {
		ScnGroup *g = g_ptr_array_index(groups, i);

		if (!strcmp(g->kind, "scenario")) {
			g_set_error(err, SCN_ERROR, 1, "%s:%d: a second [scenario] group", path, g->line);
			goto fail;
		}
		if (!validate_step(s, path, g, reqs, err))
			goto fail;
	}
	if (groups->len < 2) {
		g_set_error(err, SCN_ERROR, 1, "%s:%d: the scenario has no steps", path,
			    ((ScnGroup *)g_ptr_array_index(groups, 0))->line);
		goto fail;
	}
	/* Move the steps over (the array owns them). */
	g_ptr_array_set_free_func(groups, NULL);
	group_free(g_ptr_array_index(groups, 0));
	for (i = 1; i < groups->len; i++)
		g_ptr_array_add(s->steps, g_ptr_array_index(groups, i));
	g_ptr_array_free(groups, TRUE);
	if (!s->device)
		s->device = g_strdup("");
	if (!s->append)
		s->append = g_strdup("");
	return s;
fail:
	g_ptr_array_free(groups, TRUE);
	scn_free(s);
	return NULL;
}

Scenario *scn_load_file(const char *path, GError **err)
{
	g_autofree char *data = NULL;

	if (!g_file_get_contents(path, &data, NULL, err))
		return NULL;
	return scn_load_data(path, data, err);
}

const ScnGroup *scn_group_at(const Scenario *s, int line)
{
	const ScnGroup *best = NULL;

	for (guint i = 0; i < s->steps->len; i++) {
		const ScnGroup *g = g_ptr_array_index(s->steps, i);

		if (g->line <= line)
			best = g;
	}
	return best;
}
