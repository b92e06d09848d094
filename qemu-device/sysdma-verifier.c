/*
 * sysdma: the protocol verifier (CONTRACT V1-V4).
 *
 * Every violation is counted per kind (SYSDMA_V_*), traced and logged as a
 * guest error; it never aborts QEMU.  The counters survive every kind of
 * reset (only VERIFY_CLEAR clears them), so that V4's leak count, taken at
 * reset, stays readable.  With the "x-strict" property the caller also ends
 * the channel in STATE_ERROR / ERR_VERIFIER (see sysdma_ch_strict_fail()).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
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
