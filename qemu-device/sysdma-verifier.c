/*
 * sysdma: the protocol verifier (CONTRACT V1-V4).
 *
 * Every violation is counted per kind (SYSDMA_V_*), traced and logged as a
 * guest error; it never aborts QEMU.  The counters survive every kind of
 * reset (only VERIFY_CLEAR clears them), so that V4's leak count, taken at
 * reset, stays readable.  With the "strict" property the caller also ends
 * the channel in STATE_ERROR / ERR_VERIFIER (see sysdma_ch_strict_fail()).
 *
 * The last SYSDMA_VLOG_SIZE violations are also kept in a log, read as the
 * JSON string property "verify-log" (QMP qom-get): kind, contract rule,
 * channel, the guest register write that raised it (offset and value; none
 * for a violation found by the engine between writes) and the virtual time.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/visitor.h"
#include "qobject/json-writer.h"
#include "sysdma-internal.h"
#include "trace.h"

/* Also the suffixes of the read-only QOM properties "verify-<name>" */
const char *const sysdma_v_names[SYSDMA_V_COUNT] = {
    [SYSDMA_V_REPROGRAM_NO_FLUSH] = "reprogram-no-flush",   /* V1 */
    [SYSDMA_V_RELEASE_NO_FLUSH] = "release-no-flush",       /* V1 */
    [SYSDMA_V_START_BUSY] = "start-busy",                   /* V2 */
    [SYSDMA_V_ZERO_LENGTH] = "zero-length",                 /* V2 */
    [SYSDMA_V_OVERLAP] = "overlap",                         /* V2 */
    [SYSDMA_V_BAD_ADDRESS] = "bad-address",                 /* V2 */
    [SYSDMA_V_ACK_NOT_PENDING] = "ack-not-pending",         /* V3 */
    [SYSDMA_V_CANCEL_IDLE] = "cancel-idle",                 /* V3 */
    [SYSDMA_V_FLUSH_IDLE] = "flush-idle",                   /* V3 */
    [SYSDMA_V_LEAK] = "leak",                               /* V4 */
    [SYSDMA_V_DOUBLE_RELEASE] = "double-release",           /* V4 */
    [SYSDMA_V_NOT_CLAIMED] = "not-claimed",
    [SYSDMA_V_BAD_REGISTER] = "bad-register",
};

/* The contract rule of each kind (NULL: a plain programming error) */
static const char *const sysdma_v_rules[SYSDMA_V_COUNT] = {
    [SYSDMA_V_REPROGRAM_NO_FLUSH] = "V1",
    [SYSDMA_V_RELEASE_NO_FLUSH] = "V1",
    [SYSDMA_V_START_BUSY] = "V2",
    [SYSDMA_V_ZERO_LENGTH] = "V2",
    [SYSDMA_V_OVERLAP] = "V2",
    [SYSDMA_V_BAD_ADDRESS] = "V2",
    [SYSDMA_V_ACK_NOT_PENDING] = "V3",
    [SYSDMA_V_CANCEL_IDLE] = "V3",
    [SYSDMA_V_FLUSH_IDLE] = "V3",
    [SYSDMA_V_LEAK] = "V4",
    [SYSDMA_V_DOUBLE_RELEASE] = "V4",
};

static void sysdma_vlog_add(SysDMAState *s, int ch, unsigned kind,
                            const char *detail)
{
    SysDMAViolation *v = &s->vlog[s->vlog_total % SYSDMA_VLOG_SIZE];

    v->seq = ++s->vlog_total;
    v->time_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    v->kind = kind;
    v->ch = ch;
    v->has_write = s->in_write;
    v->write_off = s->write_off;
    v->write_val = s->write_val;
    g_strlcpy(v->detail, detail, sizeof(v->detail));
}

/*
 * Count a violation of @kind on channel @ch (-1: not tied to a channel).
 * Returns true when the strict property asks the caller to end the channel
 * in ERROR / ERR_VERIFIER.
 */
bool sysdma_violation(SysDMAState *s, int ch, unsigned kind,
                      const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    va_list ap;

    assert(kind < SYSDMA_V_COUNT);
    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    if (s->verify[kind] < UINT32_MAX) {
        s->verify[kind]++;
    }
    sysdma_vlog_add(s, ch, kind, detail);
    trace_sysdma_violation(ch, kind, sysdma_v_names[kind], detail);
    qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%d: verifier: %s: %s\n",
                  ch, sysdma_v_names[kind], detail);
    return s->strict && ch >= 0;
}

uint32_t sysdma_verify_total(SysDMAState *s)
{
    uint64_t sum = 0;
    int k;

    for (k = 0; k < SYSDMA_V_COUNT; k++) {
        sum += s->verify[k];
    }
    return MIN(sum, UINT32_MAX);
}

void sysdma_verify_clear(SysDMAState *s)
{
    memset(s->verify, 0, sizeof(s->verify));
    trace_sysdma_verify_clear();
}

/*
 * "verify-log": {"total": N, "dropped": D, "counters": {KIND: n, ...,
 * "total": n}, "violations": [{"seq", "time-ns", "rule", "kind", "channel",
 * "write": {"offset", "value"} or null, "detail"}, ...]}, oldest first.
 * "total" counts every violation since realize (VERIFY_CLEAR clears only
 * the counters); "dropped" the ones that fell out of the log.
 */
static void sysdma_get_verify_log(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    SysDMAState *s = SYSDMA(obj);
    g_autoptr(JSONWriter) w = json_writer_new(false);
    uint32_t n = MIN(s->vlog_total, SYSDMA_VLOG_SIZE);
    g_autofree char *text = NULL;
    uint32_t i;
    int k;

    json_writer_start_object(w, NULL);
    json_writer_uint64(w, "total", s->vlog_total);
    json_writer_uint64(w, "dropped", s->vlog_total - n);
    json_writer_start_object(w, "counters");
    for (k = 0; k < SYSDMA_V_COUNT; k++) {
        json_writer_uint64(w, sysdma_v_names[k], s->verify[k]);
    }
    json_writer_uint64(w, "total", sysdma_verify_total(s));
    json_writer_end_object(w);
    json_writer_start_array(w, "violations");
    for (i = s->vlog_total - n; i < s->vlog_total; i++) {
        SysDMAViolation *e = &s->vlog[i % SYSDMA_VLOG_SIZE];

        json_writer_start_object(w, NULL);
        json_writer_uint64(w, "seq", e->seq);
        json_writer_int64(w, "time-ns", e->time_ns);
        if (sysdma_v_rules[e->kind]) {
            json_writer_str(w, "rule", sysdma_v_rules[e->kind]);
        } else {
            json_writer_null(w, "rule");
        }
        json_writer_str(w, "kind", sysdma_v_names[e->kind]);
        json_writer_int64(w, "channel", e->ch);
        if (e->has_write) {
            json_writer_start_object(w, "write");
            json_writer_uint64(w, "offset", e->write_off);
            json_writer_uint64(w, "value", e->write_val);
            json_writer_end_object(w);
        } else {
            json_writer_null(w, "write");
        }
        json_writer_str(w, "detail", e->detail);
        json_writer_end_object(w);
    }
    json_writer_end_array(w);
    json_writer_end_object(w);
    text = g_strdup(json_writer_get(w));
    visit_type_str(v, name, &text, errp);
}

void sysdma_verifier_class_init(ObjectClass *klass)
{
    object_class_property_add(klass, "verify-log", "str",
                              sysdma_get_verify_log, NULL, NULL, NULL);
    object_class_property_set_description(klass, "verify-log",
        "the last violations and the counters, JSON (read-only)");
}
