// SPDX-License-Identifier: GPL-2.0
/*
 * The device's verifier log (QOM "verify-log", qemu-device/REGISTERS.md):
 * read it over QMP and print it as the end-of-boot verifier report.
 */
#include <stdio.h>
#include <string.h>
#include "sysdma-regs.h"
#include "verify-log.h"

static const struct {
	guint32 off;
	const char *name;
} ch_regs[] = {
	{ SYSDMA_CH_SRC_LO, "SRC_LO" }, { SYSDMA_CH_SRC_HI, "SRC_HI" },
	{ SYSDMA_CH_DST_LO, "DST_LO" }, { SYSDMA_CH_DST_HI, "DST_HI" },
	{ SYSDMA_CH_LEN, "LEN" }, { SYSDMA_CH_CFG, "CFG" },
	{ SYSDMA_CH_START, "START" }, { SYSDMA_CH_CANCEL, "CANCEL" },
	{ SYSDMA_CH_FLUSH, "FLUSH" }, { SYSDMA_CH_CLAIM, "CLAIM" },
	{ SYSDMA_CH_STATUS, "STATUS" }, { SYSDMA_CH_BYTES, "BYTES" },
	{ SYSDMA_CH_RESIDUE, "RESIDUE" }, { SYSDMA_CH_IRQ, "IRQ" },
	{ SYSDMA_CH_SINK_CRC, "SINK_CRC" }, { SYSDMA_CH_SEED, "SEED" },
	{ SYSDMA_CH_FIFO_LEVEL, "FIFO_LEVEL" }, { SYSDMA_CH_DESC_DONE, "DESC_DONE" },
	{ SYSDMA_CH_TOTAL, "TOTAL" }, { SYSDMA_CH_FAULT_MODE, "FAULT_MODE" },
	{ SYSDMA_CH_FAULT_STICKY, "FAULT_STICKY" },
	{ SYSDMA_CH_FAULT_ERROR_AFTER, "FAULT_ERROR_AFTER" },
	{ SYSDMA_CH_FAULT_DELAY_US, "FAULT_DELAY_US" },
	{ SYSDMA_CH_FAULT_SLOW_RATE, "FAULT_SLOW_RATE" },
	{ SYSDMA_CH_FAULT_FIRED, "FAULT_FIRED" },
};

char *verify_reg_name(guint32 off)
{
	if (off >= SYSDMA_CH_BASE(0) && off < SYSDMA_CH_BASE(SYSDMA_MAX_CHANNELS)) {
		guint32 ch = off / SYSDMA_CH_SIZE - 1, r = off % SYSDMA_CH_SIZE;

		for (guint i = 0; i < G_N_ELEMENTS(ch_regs); i++)
			if (ch_regs[i].off == r)
				return g_strdup_printf("CH%u.%s", ch, ch_regs[i].name);
		return g_strdup_printf("CH%u+0x%02x", ch, r);
	}
	switch (off) {
	case SYSDMA_REG_CTRL: return g_strdup("CTRL");
	case SYSDMA_REG_VERIFY_CLEAR: return g_strdup("VERIFY_CLEAR");
	case SYSDMA_REG_IRQ_STATUS: return g_strdup("IRQ_STATUS");
	default: return g_strdup_printf("0x%03x", off);
	}
}

static gboolean get_int(JsonObject *o, const char *name, gint64 *v, const char *what,
			GError **err)
{
	if (obj_int(o, name, v))
		return TRUE;
	g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
		    "verify-log: %s has no integer \"%s\"", what, name);
	return FALSE;
}

VerifyLog *verify_log_parse(const char *json, GError **err)
{
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) perr = NULL;
	VerifyLog *vl;
	JsonObject *o, *counters;
	JsonNode *root, *viols;
	GList *members;

	if (!json_parser_load_from_data(p, json, -1, &perr)) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
			    "verify-log is not JSON: %s", perr->message);
		return NULL;
	}
	root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL, "verify-log is not an object");
		return NULL;
	}
	o = json_node_get_object(root);
	vl = g_new0(VerifyLog, 1);
	vl->entries = g_ptr_array_new_with_free_func(g_free);
	vl->counters = g_ptr_array_new_with_free_func(g_free);
	counters = obj_obj(o, "counters");
	viols = json_object_get_member(o, "violations");
	if (!get_int(o, "total", &vl->total, "the log", err) ||
	    !get_int(o, "dropped", &vl->dropped, "the log", err))
		goto fail;
	if (!counters || !viols || !JSON_NODE_HOLDS_ARRAY(viols)) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
			    "verify-log: no \"counters\" object or \"violations\" array");
		goto fail;
	}
	members = json_object_get_members(counters);
	for (GList *m = members; m; m = m->next) {
		gint64 v;

		if (!get_int(counters, m->data, &v, "counters", err)) {
			g_list_free(members);
			goto fail;
		}
		if (!strcmp(m->data, "total"))
			vl->counter_total = v;
		else
			g_ptr_array_add(vl->counters,
					g_strdup_printf("%s=%" G_GINT64_FORMAT, (char *)m->data, v));
	}
	g_list_free(members);
	for (guint i = 0; i < json_array_get_length(json_node_get_array(viols)); i++) {
		JsonNode *n = json_array_get_element(json_node_get_array(viols), i);
		JsonObject *e = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		VerifyEntry *ve = g_new0(VerifyEntry, 1);
		JsonObject *w;
		gint64 v;

		g_ptr_array_add(vl->entries, ve);
		if (!e || !get_int(e, "seq", &ve->seq, "a violation", err) ||
		    !get_int(e, "time-ns", &ve->time_ns, "a violation", err) ||
		    !get_int(e, "channel", &v, "a violation", err) || !obj_str(e, "kind")) {
			if (err && !*err)
				g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
					    "verify-log: violation %u is malformed", i);
			goto fail;
		}
		ve->channel = (int)v;
		g_strlcpy(ve->kind, obj_str(e, "kind"), sizeof(ve->kind));
		g_strlcpy(ve->rule, obj_str(e, "rule") ? obj_str(e, "rule") : "", sizeof(ve->rule));
		g_strlcpy(ve->detail, obj_str(e, "detail") ? obj_str(e, "detail") : "",
			  sizeof(ve->detail));
		w = obj_obj(e, "write");
		if (w) {
			gint64 off, val;

			if (!get_int(w, "offset", &off, "a write", err) ||
			    !get_int(w, "value", &val, "a write", err))
				goto fail;
			ve->has_write = TRUE;
			ve->write_off = (guint32)off;
			ve->write_val = (guint32)val;
		}
	}
	return vl;
fail:
	verify_log_free(vl);
	return NULL;
}

VerifyLog *verify_log_read(Qmp *q, const char *dev_path, GError **err)
{
	g_autoptr(JsonNode) r = qmp_qom_get(q, dev_path, "verify-log", err);
	VerifyLog *vl;

	if (!r)
		return NULL;
	if (!JSON_NODE_HOLDS_VALUE(r) || json_node_get_value_type(r) != G_TYPE_STRING) {
		g_set_error(err, QMP_ERROR, QMP_ERROR_PROTOCOL,
			    "qom-get %s verify-log: not a string", dev_path);
		return NULL;
	}
	vl = verify_log_parse(json_node_get_string(r), err);
	if (vl)
		vl->json = g_strdup(json_node_get_string(r));
	return vl;
}

void verify_log_print(FILE *f, const VerifyLog *vl)
{
	fprintf(f, "sysdma verifier: %s: %" G_GINT64_FORMAT " violation(s)",
		vl->total ? "VIOLATIONS" : "clean", vl->total);
	if (vl->dropped)
		fprintf(f, " (the oldest %" G_GINT64_FORMAT " not kept)", vl->dropped);
	fprintf(f, "\n");
	for (guint i = 0; i < vl->entries->len; i++) {
		VerifyEntry *e = g_ptr_array_index(vl->entries, i);
		g_autofree char *reg = e->has_write ? verify_reg_name(e->write_off) : NULL;
		g_autofree char *ch = e->channel >= 0 ? g_strdup_printf("ch%d", e->channel) :
			g_strdup("device");

		fprintf(f, "  #%" G_GINT64_FORMAT " %s %-18s %-6s at %" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT " ms: ",
			e->seq, *e->rule ? e->rule : "--", e->kind, ch, e->time_ns / 1000000,
			e->time_ns % 1000000);
		if (e->has_write)
			fprintf(f, "write %s (0x%03x) = 0x%x: ", reg, e->write_off, e->write_val);
		else
			fprintf(f, "found by the engine (no register write): ");
		fprintf(f, "%s\n", e->detail);
	}
	fprintf(f, "  counters: total=%" G_GINT64_FORMAT, vl->counter_total);
	for (guint i = 0; i < vl->counters->len; i++)
		fprintf(f, " %s", (char *)g_ptr_array_index(vl->counters, i));
	fprintf(f, "\n");
}

void verify_log_free(VerifyLog *vl)
{
	if (!vl)
		return;
	g_ptr_array_free(vl->entries, TRUE);
	g_ptr_array_free(vl->counters, TRUE);
	g_free(vl->json);
	g_free(vl);
}
