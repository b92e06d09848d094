/*
 * sysdma: the transfer engine.
 *
 * A transfer moves STEP bytes (min(CHUNK, what is left, the next fault
 * threshold); at rate 0 max(CHUNK, SYSDMA_FAST_STEP), the fast path) per
 * step; a step is due when its time has passed on QEMU_CLOCK_VIRTUAL
 * (rate > 0: the step that brings the transfer to B bytes is due at
 * t0 + B / rate, so rounding never adds up) or at once (rate == 0, one
 * step per main-loop turn), so a guest length never stalls the main loop.
 *
 * Safety (REGISTERS.md, "Safety"): every DMA access and every interrupt
 * of the engine is issued from the channel's bottom half, which runs with
 * the device's memory re-entrancy guard engaged, or from an MMIO write
 * (START, FLUSH), which the memory core guards the same way; the timers
 * only schedule the bottom half.  Each access goes through the memory
 * core with MemTxAttrs.memory set, so only RAM is reached, decided at the
 * moment of the access, and its MemTxResult decides the channel's fate.
 * A bottom-half run does a bounded amount of work.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/host-utils.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "system/dma.h"
#include "sysdma-internal.h"
#include "trace.h"
#include <zlib.h>

static void sysdma_ch_kick(SysDMAChannel *c);
static void sysdma_ch_bh(void *opaque);

static const char *sysdma_state_name(uint32_t st)
{
    static const char *const names[] = {
        [SYSDMA_STATE_IDLE] = "idle",
        [SYSDMA_STATE_BUSY] = "busy",
        [SYSDMA_STATE_COMPLETE] = "complete",
        [SYSDMA_STATE_ERROR] = "error",
        [SYSDMA_STATE_CANCELLED] = "cancelled",
    };
    return st < ARRAY_SIZE(names) ? names[st] : "?";
}

static void sysdma_ch_set_state(SysDMAChannel *c, uint32_t st, uint32_t err)
{
    trace_sysdma_state(c->idx, sysdma_state_name(c->state),
                       sysdma_state_name(st), err, c->bytes);
    c->state = st;
    c->errcode = err;
}

/* Latch FAULT_ADDR: where the (first) error of this transfer happened */
static void sysdma_ch_fault_at(SysDMAChannel *c, uint64_t addr)
{
    if (!c->fault_valid) {
        c->fault_addr = addr;
        c->fault_valid = true;
        trace_sysdma_fault_addr(c->idx, addr);
    }
}

/* Bytes per step at rate 0: the fast path (REGISTERS.md, Cancel latency) */
uint32_t sysdma_fast_step(SysDMAState *s)
{
    return MAX(s->chunk, s->fast_step);
}

/* @len bytes of the pattern stream @seed from offset @off, a word at a time */
/* Four stream words at a time (GCC/clang vector extension, any host) */
typedef uint32_t SysDMAWords __attribute__((vector_size(16)));

/*
 * sysdma_pattern_word() of every word of [off, off + len), computed four
 * words at a time: its high term, (off >> 34) * 0x9e3779b9, only changes
 * every 16 GiB of stream, so it is taken out of the loop.  This is the
 * P2M fast path's cost per byte; the result is the same function (the
 * vector loop stores host-order words: little-endian hosts only).
 */
static void sysdma_pattern_fill(uint8_t *buf, uint32_t seed, uint64_t off,
                                uint32_t len)
{
    const SysDMAWords lane = { 0, 1, 2, 3 };

    while (len && (off & 3)) {
        *buf++ = sysdma_pattern_byte(seed, off++);
        len--;
    }
    while (len >= 4) {
        uint64_t room = (((off >> 34) + 1) << 34) - off;
        uint32_t n = MIN(len, room) / 4, i = 0;
        uint32_t base = seed ^ (uint32_t)(off >> 34) * 0x9e3779b9u;
        uint32_t idx = off >> 2;

        for (; !HOST_BIG_ENDIAN && i + 4 <= n; i += 4) {
            SysDMAWords x = (idx + i + lane) ^ base;

            x ^= x >> 16;
            x *= 0x7feb352du;
            x ^= x >> 15;
            x *= 0x846ca68bu;
            x ^= x >> 16;
            memcpy(buf + 4 * i, &x, sizeof(x));
        }
        for (; i < n; i++) {
            stl_le_p(buf + 4 * i, sysdma_pattern_word(seed, off + 4 * i));
        }
        buf += 4 * n;
        off += 4 * n;
        len -= 4 * n;
    }
    while (len--) {
        *buf++ = sysdma_pattern_byte(seed, off++);
    }
}

/* A fault fired: count it; one-shot faults disarm (FAULT_STICKY keeps) */
static void sysdma_fault_fire(SysDMAChannel *c, uint32_t bit)
{
    c->fault_fired++;
    trace_sysdma_fault(c->idx, bit, c->bytes);
    if (!(c->fault.sticky & bit)) {
        c->fault.mode &= ~bit;
    }
}

/* Virtual time of the event being processed (a step's due time) */
static int64_t sysdma_ch_now(SysDMAChannel *c)
{
    return c->in_bh ? c->now : qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* [addr, addr + len) does not wrap past 2^64 - 1 (it may end at 2^64) */
static bool sysdma_range_ok(uint64_t addr, uint64_t len)
{
    return !len || addr <= UINT64_MAX - (len - 1);
}

/*
 * One DMA access of at most @len bytes at @addr.  It is split where the
 * memory map changes region, so that the bytes that reached memory are
 * known exactly; each piece is one pci_dma_rw() with MemTxAttrs.memory,
 * which the memory core refuses unless it is RAM (MMIO, the device's own
 * BAR included, holes, and ROM for writes fail).  Returns the bytes moved;
 * fewer than @len means the access failed there.
 */
static uint32_t sysdma_dma(SysDMAChannel *c, uint64_t addr, void *buf,
                           uint32_t len, bool is_write)
{
    PCIDevice *pdev = PCI_DEVICE(c->s);
    AddressSpace *as = pci_get_address_space(pdev);
    MemTxAttrs attrs = { .memory = 1 };
    uint32_t done = 0;

    if (!sysdma_range_ok(addr, len)) {
        len = -addr;                    /* stop at the top of the space */
    }
    while (done < len) {
        hwaddr xlat, l = len - done;
        MemTxResult r;

        WITH_RCU_READ_LOCK_GUARD() {
            address_space_translate(as, addr + done, &xlat, &l, is_write,
                                    attrs);
        }
        l = MIN(MAX(l, 1), len - done);
        r = pci_dma_rw(pdev, addr + done, (uint8_t *)buf + done, l,
                       is_write ? DMA_DIRECTION_FROM_DEVICE :
                       DMA_DIRECTION_TO_DEVICE, attrs);
        if (r != MEMTX_OK) {
            trace_sysdma_dma_refused(c->idx, addr + done, l, is_write, r);
            break;
        }
        done += l;
    }
    return done;
}

/*
 * The fast path of an access: [addr, addr + len) mapped for the host CPU
 * when all of it is one piece of RAM that the access may reach directly
 * (for a write: not read-only), so the engine copies, fills or checksums
 * it in place: one memcpy instead of two through the bounce buffer.
 * Decided under the BQL, as the memory map only changes under it, and by
 * the same rule as sysdma_dma() (MemTxAttrs.memory: RAM only).  NULL for
 * anything else; the caller then takes sysdma_dma(), which knows exactly
 * where an access fails.  Undo with sysdma_unmap_ram(), which marks the
 * pages dirty (migration, TCG's translated code).
 */
static void *sysdma_map_ram(SysDMAChannel *c, uint64_t addr, uint32_t len,
                            bool is_write)
{
    AddressSpace *as = pci_get_address_space(PCI_DEVICE(c->s));
    MemTxAttrs attrs = { .memory = 1 };
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE :
                       DMA_DIRECTION_TO_DEVICE;
    dma_addr_t l = len;
    bool direct = false;
    void *p;

    if (!len || !sysdma_range_ok(addr, len)) {
        return NULL;
    }
    WITH_RCU_READ_LOCK_GUARD() {
        hwaddr xlat, tl = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &tl,
                                                   is_write, attrs);

        direct = tl >= len && memory_region_is_ram(mr) &&
                 memory_access_is_direct(mr, is_write, attrs);
    }
    if (!direct) {
        return NULL;
    }
    p = dma_memory_map(as, addr, &l, dir, attrs);
    if (p && l < len) {
        dma_memory_unmap(as, p, l, dir, 0);
        return NULL;
    }
    return p;
}

static void sysdma_unmap_ram(SysDMAChannel *c, void *p, uint32_t len,
                             bool is_write)
{
    dma_memory_unmap(pci_get_address_space(PCI_DEVICE(c->s)), p, len,
                     is_write ? DMA_DIRECTION_FROM_DEVICE :
                     DMA_DIRECTION_TO_DEVICE, is_write ? len : 0);
}

/*
 * Write the oldest @n bytes of the FIFO (n <= the first run's length) to
 * memory.  They leave the FIFO before any DMA is issued.  Returns false
 * when not all of them reached memory; *bad_pos is then the transfer
 * position of the first byte that did not.
 */
static bool sysdma_fifo_drain_run(SysDMAChannel *c, uint32_t n,
                                  uint32_t *bad_pos)
{
    SysDMAState *s = c->s;
    SysDMAFifoRun r;
    uint32_t done = 0;

    if (!c->fifo_runs || !n) {
        return true;
    }
    r = c->fifo[0];
    n = MIN(n, r.len);
    if (n == r.len) {
        c->fifo_runs--;
        memmove(&c->fifo[0], &c->fifo[1], c->fifo_runs * sizeof(c->fifo[0]));
    } else {
        c->fifo[0].dst += n;
        c->fifo[0].off += n;
        c->fifo[0].pos += n;
        c->fifo[0].len -= n;
    }
    c->fifo_level -= MIN(n, c->fifo_level);
    while (done < n) {
        uint32_t k = MIN(n - done, SYSDMA_BOUNCE_SIZE), got;
        void *p = sysdma_map_ram(c, r.dst + done, k, true);

        if (p) {
            sysdma_pattern_fill(p, r.seed, r.off + done, k);
            sysdma_unmap_ram(c, p, k, true);
            trace_sysdma_fifo_drain(c->idx, r.dst + done, k);
            done += k;
            continue;
        }
        sysdma_pattern_fill(s->bounce, r.seed, r.off + done, k);
        got = sysdma_dma(c, r.dst + done, s->bounce, k, true);
        trace_sysdma_fifo_drain(c->idx, r.dst + done, got);
        done += got;
        if (got < k) {
            sysdma_violation(s, c->idx, SYSDMA_V_BAD_ADDRESS,
                             "FIFO drain to 0x%" PRIx64 " failed",
                             r.dst + done);
            sysdma_ch_fault_at(c, r.dst + done);
            *bad_pos = r.pos + done;
            return false;
        }
    }
    return true;
}

static void sysdma_fifo_discard(SysDMAChannel *c)
{
    if (c->fifo_level) {
        trace_sysdma_fifo_discard(c->idx, c->fifo_level);
    }
    c->fifo_runs = 0;
    c->fifo_level = 0;
}

/*
 * Drain the FIFO until it holds at most @keep bytes.  On a failed write
 * the rest of the FIFO is dropped (nothing after a hole is delivered).
 */
static bool sysdma_fifo_drain(SysDMAChannel *c, uint32_t keep,
                              uint32_t *bad_pos)
{
    while (c->fifo_level > keep && c->fifo_runs) {
        if (!sysdma_fifo_drain_run(c, MIN(c->fifo[0].len,
                                          c->fifo_level - keep), bad_pos)) {
            sysdma_fifo_discard(c);
            return false;
        }
    }
    return true;
}

/*
 * P2M: take @len bytes from the source (its stream position advances at
 * once); they are owed to @dst (H2).  Returns false when an older run
 * pushed out of the FIFO could not be written (see sysdma_fifo_drain()).
 */
static bool sysdma_fifo_push(SysDMAChannel *c, uint64_t dst, uint32_t len,
                             uint32_t *bad_pos)
{
    SysDMAFifoRun *last = c->fifo_runs ? &c->fifo[c->fifo_runs - 1] : NULL;
    uint64_t off = c->src_pos;

    c->src_pos += len;
    if (last && last->dst + last->len == dst && last->off + last->len == off &&
        last->pos + last->len == c->bytes && last->seed == c->seed) {
        last->len += len;
    } else {
        if (c->fifo_runs == SYSDMA_FIFO_RUNS &&
            !sysdma_fifo_drain(c, c->fifo_level - c->fifo[0].len, bad_pos)) {
            return false;
        }
        c->fifo[c->fifo_runs++] = (SysDMAFifoRun) {
            .dst = dst, .off = off, .seed = c->seed, .len = len,
            .pos = c->bytes,
        };
    }
    c->fifo_level += len;
    return sysdma_fifo_drain(c, c->s->fifo_size, bad_pos);
}

/* The transfer leaves BUSY: every end owes a FLUSH (H2) */
static void sysdma_ch_end(SysDMAChannel *c, uint32_t st, uint32_t err)
{
    uint32_t causes = SYSDMA_IRQ_DONE |
        (st == SYSDMA_STATE_COMPLETE ? SYSDMA_IRQ_COMPLETE :
         st == SYSDMA_STATE_ERROR ? SYSDMA_IRQ_ERROR : SYSDMA_IRQ_ABORT);

    timer_del(c->timer);
    c->stalled = false;
    c->pause_req = c->paused = false;
    c->flush_owed = true;
    sysdma_ch_set_state(c, st, err);
    if (!c->xirq) {
        return;
    }
    if (c->fault.mode & SYSDMA_FAULT_DROP_IRQ) {
        sysdma_fault_fire(c, SYSDMA_FAULT_DROP_IRQ);
        trace_sysdma_irq_dropped(c->idx);
        return;
    }
    if (c->fault.mode & SYSDMA_FAULT_DELAY_IRQ) {
        sysdma_fault_fire(c, SYSDMA_FAULT_DELAY_IRQ);
        /* raised by the bottom half, never from here */
        c->irq_owed = true;
        c->irq_delayed |= causes;
        c->irq_at = sysdma_ch_now(c) + (int64_t)c->fault.delay_us * SCALE_US;
        sysdma_ch_kick(c);
        return;
    }
    sysdma_ch_raise(c, causes);
}

/*
 * Strict mode: a violation on this channel ends a running transfer in
 * ERROR/ERR_VERIFIER and marks an idle channel.  A transfer that already
 * ended keeps its outcome (COMPLETE stays COMPLETE until the driver has
 * read it and flushed); the violation is still counted.
 */
void sysdma_ch_strict_fail(SysDMAChannel *c)
{
    if (c->state == SYSDMA_STATE_BUSY) {
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_VERIFIER);
    } else if (c->state == SYSDMA_STATE_IDLE) {
        sysdma_ch_set_state(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_VERIFIER);
    }
}

static bool sysdma_fault_armed(SysDMAChannel *c, uint32_t bit)
{
    return c->fault.mode & bit;
}

/* Bytes at which FAULT_ERROR / FAULT_STALL act */
static uint32_t sysdma_fault_point(SysDMAChannel *c)
{
    /* a ring has no end: the fault point is FAULT_ERROR_AFTER itself */
    return c->xcyclic ? c->fault.error_after :
        MIN(c->fault.error_after, c->total);
}

/*
 * Length and due time of the next step.  The due time is computed from
 * the schedule's origin t0 and the bytes moved so far, never from the
 * previous step, so per-step rounding does not add up: the transfer holds
 * RATE to 1 ns whatever CHUNK (REGISTERS.md, The engine and timing).
 */
static void sysdma_ch_schedule(SysDMAChannel *c)
{
    SysDMAState *s = c->s;
    uint32_t n = c->xrate ? s->chunk : sysdma_fast_step(s);

    if (!c->xcyclic) {
        n = MIN(n, c->total - c->bytes);
    }
    if (sysdma_fault_armed(c, SYSDMA_FAULT_ERROR | SYSDMA_FAULT_STALL) &&
        sysdma_fault_point(c) > c->bytes) {
        n = MIN(n, sysdma_fault_point(c) - c->bytes);
    }
    c->step_len = n;
    if (c->xrate) {
        c->deadline = c->t0 + muldiv64(c->xpos + n, NANOSECONDS_PER_SECOND,
                                       c->xrate);
    }
    sysdma_ch_kick(c);
}

/*
 * Wake-ups: the bottom half when something is due now, else the timer of
 * the next step and of the delayed interrupt.  The running bottom half
 * kicks once when it is done.
 */
static void sysdma_ch_kick(SysDMAChannel *c)
{
    int64_t now;
    bool due = false;

    if (c->in_bh) {
        return;
    }
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    if (c->state == SYSDMA_STATE_BUSY && !c->stalled && !c->paused) {
        if (!c->xrate || c->deadline <= now) {
            due = true;
        } else {
            timer_mod(c->timer, c->deadline);
        }
    } else {
        timer_del(c->timer);
    }
    if (c->irq_owed) {
        if (c->irq_at <= now) {
            due = true;
        } else {
            timer_mod(c->irq_timer, c->irq_at);
        }
    } else {
        timer_del(c->irq_timer);
    }
    if (due && !c->xrate && c->s->in_write && !c->inline_pass) {
        /*
         * RATE 0, inside the guest's register write (START, RESUME, an
         * ACK with an interrupt due): run one bottom-half pass now.  The
         * memory core guards this write exactly as it guards the bottom
         * half.  Deferring it means a hop to the main-loop thread and
         * back, which a busy host schedules milliseconds late; after this
         * pass the remaining steps go to the bottom half as usual.
         */
        c->inline_pass = true;
        sysdma_ch_bh(c);
        c->inline_pass = false;
        return;
    }
    if (due) {
        qemu_bh_schedule(c->bh);
    }
}

/*
 * After a step (or at START): fire the faults that are due, complete, or
 * schedule the next step.  FAULT_ERROR fires when BYTES reaches
 * FAULT_ERROR_AFTER (<= TOTAL); FAULT_STALL holds the channel once BYTES
 * reaches min(FAULT_ERROR_AFTER, TOTAL).
 */
static void sysdma_ch_advance(SysDMAChannel *c)
{
    if (sysdma_fault_armed(c, SYSDMA_FAULT_ERROR) &&
        (c->xcyclic || c->fault.error_after <= c->total) &&
        c->bytes >= c->fault.error_after) {
        sysdma_fault_fire(c, SYSDMA_FAULT_ERROR);
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_INJECTED);
        return;
    }
    if (sysdma_fault_armed(c, SYSDMA_FAULT_STALL) &&
        c->bytes >= sysdma_fault_point(c)) {
        sysdma_fault_fire(c, SYSDMA_FAULT_STALL);
        c->stalled = true;
        timer_del(c->timer);
        trace_sysdma_stalled(c->idx, c->bytes);
        c->paused = c->pause_req;   /* nothing in flight: paused at once */
        return;
    }
    if (!c->xcyclic && c->bytes >= c->total) {
        sysdma_ch_end(c, SYSDMA_STATE_COMPLETE, SYSDMA_ERR_NONE);
        return;
    }
    if (c->pause_req) {
        /* PAUSE: the engine stops at this step boundary */
        c->paused = true;
        timer_del(c->timer);
        trace_sysdma_paused(c->idx, c->bytes);
        return;
    }
    sysdma_ch_schedule(c);
}

/* The memory range(s) of one piece of a transfer must not wrap (V2) */
static bool sysdma_ranges_ok(SysDMAChannel *c, uint32_t dir, uint64_t src,
                             uint64_t dst, uint32_t len, const char *what)
{
    if ((dir == SYSDMA_DIR_P2M || sysdma_range_ok(src, len)) &&
        (dir == SYSDMA_DIR_M2P || sysdma_range_ok(dst, len))) {
        return true;
    }
    sysdma_violation(c->s, c->idx, SYSDMA_V_BAD_ADDRESS,
                     "%s: 0x%" PRIx64 " -> 0x%" PRIx64 " + %u wraps past "
                     "2^64", what, src, dst, len);
    return false;
}

/* Read and check the SG descriptor at @addr; returns an ERR_ code */
static uint32_t sysdma_desc_read(SysDMAChannel *c, uint64_t addr,
                                 uint64_t *src, uint64_t *dst, uint32_t *len,
                                 uint32_t *flags, uint64_t *next)
{
    SysDMAState *s = c->s;
    uint8_t d[SYSDMA_DESC_SIZE];
    uint32_t got;

    if (addr & (SYSDMA_DESC_ALIGN - 1)) {
        qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: descriptor 0x%" PRIx64
                      " misaligned\n", c->idx, addr);
        sysdma_ch_fault_at(c, addr);
        return SYSDMA_ERR_DESCRIPTOR;
    }
    got = sysdma_dma(c, addr, d, sizeof(d), false);
    if (got != sizeof(d)) {
        sysdma_violation(s, c->idx, SYSDMA_V_BAD_ADDRESS,
                         "descriptor at 0x%" PRIx64 " not in RAM", addr);
        sysdma_ch_fault_at(c, addr + got);
        return SYSDMA_ERR_ADDRESS;
    }
    *src = ldq_le_p(d + SYSDMA_DESC_SRC);
    *dst = ldq_le_p(d + SYSDMA_DESC_DST);
    *len = ldl_le_p(d + SYSDMA_DESC_LEN);
    *flags = ldl_le_p(d + SYSDMA_DESC_FLAGS);
    *next = ldq_le_p(d + SYSDMA_DESC_NEXT);
    trace_sysdma_desc(c->idx, addr, *src, *dst, *len, *flags, *next);
    if (!*len) {
        qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: descriptor 0x%" PRIx64
                      " has length 0\n", c->idx, addr);
        sysdma_ch_fault_at(c, addr);
        return SYSDMA_ERR_DESCRIPTOR;
    }
    if (!sysdma_ranges_ok(c, c->xdir, *src, *dst, *len, "descriptor")) {
        sysdma_ch_fault_at(c, addr);
        return SYSDMA_ERR_ADDRESS;
    }
    return SYSDMA_ERR_NONE;
}

/* Two ranges of @len bytes that do not wrap (sysdma_range_ok()) overlap */
static bool sysdma_overlap(uint64_t a, uint64_t b, uint32_t len)
{
    return (a >= b ? a - b : b - a) < len;
}

/*
 * START in SG mode: walk the whole chain once to validate it and compute
 * TOTAL (bounded by SYSDMA_SG_MAX_DESC, which also catches loops).
 * Returns an ERR_ code; *verr is set when a strict violation was counted.
 */
static uint32_t sysdma_sg_walk(SysDMAChannel *c, bool *verr)
{
    uint64_t addr = c->src, total = 0, src, dst, next;
    uint32_t len, flags, n, err;

    for (n = 0; n < SYSDMA_SG_MAX_DESC; n++) {
        err = sysdma_desc_read(c, addr, &src, &dst, &len, &flags, &next);
        if (err) {
            return err;
        }
        if (c->xdir == SYSDMA_DIR_M2M && sysdma_overlap(src, dst, len)) {
            *verr |= sysdma_violation(c->s, c->idx, SYSDMA_V_OVERLAP,
                                      "descriptor %u: 0x%" PRIx64 " and 0x%"
                                      PRIx64 " overlap (len %u)", n, src,
                                      dst, len);
        }
        total += len;
        if (total > UINT32_MAX) {
            return SYSDMA_ERR_CONFIG;
        }
        /* cyclic: END is ignored, the ring closes back at its head */
        if (c->xcyclic ? next == c->xhead : (flags & SYSDMA_DESC_END)) {
            c->total = total;
            return SYSDMA_ERR_NONE;
        }
        addr = next;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: %s %d descriptors\n",
                  c->idx, c->xcyclic ? "ring does not close at its head "
                  "within" : "chain (loop?) longer than", SYSDMA_SG_MAX_DESC);
    sysdma_ch_fault_at(c, addr);
    return SYSDMA_ERR_DESCRIPTOR;
}

/* Engine: load the next descriptor of the chain (run time) */
static uint32_t sysdma_sg_next(SysDMAChannel *c)
{
    uint64_t src, dst, next;
    uint32_t len, flags, err;

    if (c->xcyclic && c->ndesc && c->next_desc == c->xhead) {
        /* back at the head of the ring: a new lap */
        if (c->lap != c->total) {
            qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: ring changed while "
                          "running (lap of %u bytes, TOTAL %u)\n", c->idx,
                          c->lap, c->total);
            sysdma_ch_fault_at(c, c->next_desc);
            return SYSDMA_ERR_DESCRIPTOR;
        }
        trace_sysdma_cyclic_wrap(c->idx, c->bytes, c->desc_done);
        c->lap = 0;
        c->ndesc = 0;
    }
    if (c->ndesc >= SYSDMA_SG_MAX_DESC) {
        sysdma_ch_fault_at(c, c->next_desc);
        return SYSDMA_ERR_DESCRIPTOR;
    }
    err = sysdma_desc_read(c, c->next_desc, &src, &dst, &len, &flags, &next);
    if (err) {
        return err;
    }
    if ((uint64_t)c->lap + len > c->total) {
        /* the guest changed the chain under the running transfer */
        qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: chain changed while "
                      "running\n", c->idx);
        sysdma_ch_fault_at(c, c->next_desc);
        return SYSDMA_ERR_DESCRIPTOR;
    }
    c->ndesc++;
    c->cur_src = src;
    c->cur_dst = dst;
    c->seg_left = len;
    c->seg_last = flags & SYSDMA_DESC_END;
    c->seg_irq = flags & SYSDMA_DESC_IRQ;
    c->next_desc = next;
    return SYSDMA_ERR_NONE;
}

/*
 * Move up to @n bytes (n <= SYSDMA_BOUNCE_SIZE, within the segment).
 * Returns the bytes moved (for P2M: taken into the FIFO and still there
 * or delivered); *err is set when the transfer must end in error.  A P2M
 * drain that failed also moved BYTES back to what reached memory.
 */
static uint32_t sysdma_move(SysDMAChannel *c, uint32_t n, uint32_t *err)
{
    SysDMAState *s = c->s;
    uint32_t v = n, r, bad_pos;

    switch (c->xdir) {
    case SYSDMA_DIR_M2M:
        if (!sysdma_overlap(c->cur_src, c->cur_dst, n)) {
            void *from = sysdma_map_ram(c, c->cur_src, n, false);
            void *to = from ? sysdma_map_ram(c, c->cur_dst, n, true) : NULL;

            if (to) {
                memcpy(to, from, n);
                sysdma_unmap_ram(c, to, n, true);
            }
            if (from) {
                sysdma_unmap_ram(c, from, n, false);
            }
            if (to) {
                break;
            }
        }
        r = sysdma_dma(c, c->cur_src, s->bounce, n, false);
        v = sysdma_dma(c, c->cur_dst, s->bounce, r, true);
        if (v < r) {
            sysdma_ch_fault_at(c, c->cur_dst + v);
        } else if (r < n) {
            sysdma_ch_fault_at(c, c->cur_src + r);
        }
        break;
    case SYSDMA_DIR_M2P: {
        void *from = sysdma_map_ram(c, c->cur_src, n, false);

        if (from) {
            c->sink_crc = crc32(c->sink_crc, from, n);
            sysdma_unmap_ram(c, from, n, false);
            break;
        }
        v = sysdma_dma(c, c->cur_src, s->bounce, n, false);
        c->sink_crc = crc32(c->sink_crc, s->bounce, v);
        if (v < n) {
            sysdma_ch_fault_at(c, c->cur_src + v);
        }
        break;
    }
    default:
        if (!sysdma_fifo_push(c, c->cur_dst, n, &bad_pos)) {
            trace_sysdma_chunk(c->idx, c->cur_src, c->cur_dst, n, bad_pos);
            c->bytes = bad_pos;
            *err = SYSDMA_ERR_ADDRESS;
            return 0;
        }
        break;
    }
    trace_sysdma_chunk(c->idx, c->cur_src, c->cur_dst, v, c->bytes + v);
    if (v < n) {
        sysdma_violation(s, c->idx, SYSDMA_V_BAD_ADDRESS,
                         "%s 0x%" PRIx64 " -> 0x%" PRIx64 " + %u: not RAM",
                         c->xdir == SYSDMA_DIR_M2M ? "m2m" : "m2p",
                         c->cur_src, c->cur_dst, v);
        *err = SYSDMA_ERR_ADDRESS;
    }
    return v;
}

/* One step of the engine: move c->step_len bytes */
static void sysdma_ch_step(SysDMAChannel *c)
{
    uint32_t want = c->step_len, err = SYSDMA_ERR_NONE, moved_all = 0;
    uint32_t loads = 0, before = c->bytes;
    bool desc_irq = false;
    int32_t delta;

    while (want) {
        uint32_t n, moved;

        if (!c->seg_left) {
            if (!c->xsg || (c->seg_last && !c->xcyclic)) {
                break;
            }
            if (loads++ == SYSDMA_SG_MAX_DESC) {
                /* a ring of tiny descriptors: bound the work per step */
                break;
            }
            err = sysdma_sg_next(c);
            if (err) {
                break;
            }
        }
        n = MIN(MIN(want, c->seg_left), SYSDMA_BOUNCE_SIZE);
        moved = sysdma_move(c, n, &err);
        c->bytes += moved;
        c->lap += moved;
        c->xpos += moved;
        c->seg_left -= moved;
        c->cur_src += moved;
        c->cur_dst += moved;
        want -= moved;
        moved_all += moved;
        if (err) {
            break;
        }
        if (!c->seg_left && c->xsg) {
            c->desc_done++;
            desc_irq |= c->seg_irq;
        }
    }
    /* a failed P2M drain moved BYTES back to what reached memory */
    delta = (int32_t)(c->bytes - (before + moved_all));
    if (delta < 0) {
        c->xpos += delta;
        c->lap = (uint32_t)-delta > c->lap ? 0 : c->lap + delta;
    }
    if (desc_irq) {
        /* one IRQ_DESC per step, however many DESC_IRQ descriptors ended */
        sysdma_ch_raise(c, SYSDMA_IRQ_DESC);
    }
    if (err) {
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, err);
        return;
    }
    if (!moved_all && (c->xcyclic || c->bytes < c->total)) {
        /* BUSY with nothing left to move: never spin, end it */
        qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: nothing left to move "
                      "at %u of %u bytes (chain changed while running?)\n",
                      c->idx, c->bytes, c->total);
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_DESCRIPTOR);
        return;
    }
    sysdma_ch_advance(c);
}

/*
 * The bottom half, guarded by the device's memory re-entrancy guard:
 * the delayed interrupt and the steps that are due, at most
 * SYSDMA_BH_MAX_STEPS of them (rate 0: one) before it yields to the main
 * loop.  Outside D0 it does nothing: a function in D3hot masters nothing;
 * the channel keeps its state and the only way back is D0, which resets
 * it (or a device reset).
 */
static void sysdma_ch_bh(void *opaque)
{
    SysDMAChannel *c = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    bool worked = false;
    int n;

    if (!sysdma_in_d0(c->s)) {
        trace_sysdma_pm_hold(c->idx, "transfer and interrupt");
        c->s->idle_wakeups++;
        return;
    }
    c->in_bh = true;
    for (n = 0; n < SYSDMA_BH_MAX_STEPS; n++) {
        if (c->irq_owed && c->irq_at <= now) {
            uint32_t causes = c->irq_delayed;

            c->irq_owed = false;
            c->irq_delayed = 0;
            c->now = c->irq_at;
            sysdma_ch_raise(c, causes);
            worked = true;
            continue;
        }
        if (c->state != SYSDMA_STATE_BUSY || c->stalled || c->paused ||
            (c->xrate && c->deadline > now)) {
            break;
        }
        c->now = c->xrate ? c->deadline : now;
        sysdma_ch_step(c);
        worked = true;
        if (!c->xrate) {
            break;
        }
    }
    c->in_bh = false;
    if (!worked) {
        c->s->idle_wakeups++;
    }
    sysdma_ch_kick(c);
}

/* Both timers only wake the bottom half up */
static void sysdma_ch_timer_cb(void *opaque)
{
    SysDMAChannel *c = opaque;

    qemu_bh_schedule(c->bh);
}

void sysdma_ch_init(SysDMAState *s, SysDMAChannel *c, uint32_t idx)
{
    c->s = s;
    c->idx = idx;
    c->irq_mask = SYSDMA_IRQ_MASK_RESET;    /* also beyond `channels` */
    c->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, sysdma_ch_timer_cb, c);
    c->irq_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, sysdma_ch_timer_cb, c);
    c->bh = qemu_bh_new_guarded(sysdma_ch_bh, c,
                                &DEVICE(s)->mem_reentrancy_guard);
}

void sysdma_ch_fini(SysDMAChannel *c)
{
    timer_free(c->timer);
    timer_free(c->irq_timer);
    qemu_bh_delete(c->bh);
}

/*
 * Reset one channel (device reset, CTRL_RESET, bus mastering off): stop
 * it at once, drop the FIFO (no DMA after reset), release it.  A channel
 * still claimed is a leak (V4).
 */
void sysdma_ch_reset(SysDMAChannel *c)
{
    SysDMAState *s = c->s;

    if (c->claimed) {
        sysdma_violation(s, -1, SYSDMA_V_LEAK,
                         "channel %u still claimed at reset", c->idx);
    }
    timer_del(c->timer);
    timer_del(c->irq_timer);
    qemu_bh_cancel(c->bh);
    sysdma_fifo_discard(c);
    if (c->state != SYSDMA_STATE_IDLE) {
        sysdma_ch_set_state(c, SYSDMA_STATE_IDLE, SYSDMA_ERR_NONE);
    }
    c->src = c->dst = 0;
    c->len = c->cfg = c->seed = 0;
    c->claimed = false;
    c->errcode = SYSDMA_ERR_NONE;
    c->flush_owed = c->stalled = false;
    c->bytes = c->total = c->irq = c->desc_done = 0;
    c->src_pos = 0;
    c->sink_crc = 0;            /* CRC32 of nothing */
    c->xdir = 0;
    c->xsg = c->xirq = false;
    c->xrate = 0;
    c->cur_src = c->cur_dst = c->next_desc = 0;
    c->seg_left = c->ndesc = c->step_len = 0;
    c->seg_last = false;
    c->deadline = 0;
    c->irq_owed = false;
    c->irq_at = 0;
    c->pause_req = c->paused = false;
    c->irq_mask = SYSDMA_IRQ_MASK_RESET;
    c->irq_delayed = 0;
    c->fault_addr = 0;
    c->fault_valid = false;
    c->xcyclic = c->seg_irq = false;
    c->xhead = c->xpos = 0;
    c->lap = 0;
    c->t0 = 0;
    c->fault_fired = 0;
    if (s->fault_channel < 0 || s->fault_channel == c->idx) {
        c->fault = s->fault_prop;
    } else {
        memset(&c->fault, 0, sizeof(c->fault));
    }
}

/* START (V1, V2, V4 checks; SG validation; MAX_XFER, K10) */
void sysdma_ch_start(SysDMAChannel *c)
{
    SysDMAState *s = c->s;
    bool verr = false;

    if (c->state == SYSDMA_STATE_BUSY) {
        /* V2: the running transfer goes on, the START is ignored */
        if (sysdma_violation(s, c->idx, SYSDMA_V_START_BUSY,
                             "START while busy (%u/%u bytes)",
                             c->bytes, c->total)) {
            sysdma_ch_strict_fail(c);
        }
        return;
    }
    if (!c->claimed) {
        verr |= sysdma_violation(s, c->idx, SYSDMA_V_NOT_CLAIMED,
                                 "START on an unclaimed channel");
    }
    if (c->flush_owed) {
        /* V1: the data still in the FIFO is lost */
        verr |= sysdma_violation(s, c->idx, SYSDMA_V_REPROGRAM_NO_FLUSH,
                                 "START without FLUSH (%u bytes in FIFO lost)",
                                 c->fifo_level);
    }
    sysdma_fifo_discard(c);
    c->flush_owed = false;
    c->stalled = false;
    c->xdir = c->cfg & SYSDMA_CFG_DIR_MASK;
    c->xsg = c->cfg & SYSDMA_CFG_SG;
    c->xirq = c->cfg & SYSDMA_CFG_IRQ_EN;
    c->xcyclic = c->cfg & SYSDMA_CFG_CYCLIC;
    c->xrate = s->rate;
    /* the peripheral stream goes on: SRC_POS and SINK_CRC are kept */
    c->bytes = c->total = c->desc_done = c->ndesc = 0;
    c->lap = 0;
    c->xpos = 0;
    c->cur_src = c->src;
    c->cur_dst = c->dst;
    c->seg_left = 0;
    c->seg_last = c->seg_irq = false;
    c->next_desc = c->xhead = c->src;
    c->pause_req = c->paused = false;
    c->fault_addr = 0;
    c->fault_valid = false;
    c->t0 = c->deadline = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    trace_sysdma_start(c->idx, c->src, c->dst, c->len, c->cfg);
    trace_sysdma_stream(c->idx, c->seed, c->src_pos, c->sink_crc);
    sysdma_ch_set_state(c, SYSDMA_STATE_BUSY, SYSDMA_ERR_NONE);

    if (verr) {
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_VERIFIER);
        return;
    }
    if (c->xdir > SYSDMA_DIR_P2M) {
        qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: bad direction %u\n",
                      c->idx, c->xdir);
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_CONFIG);
        return;
    }
    if (c->xcyclic && !c->xsg) {
        qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: CYCLIC without SG\n",
                      c->idx);
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_CONFIG);
        return;
    }
    if (c->xsg) {
        uint32_t err = sysdma_sg_walk(c, &verr);

        if (err) {
            sysdma_ch_end(c, SYSDMA_STATE_ERROR, err);
            return;
        }
    } else {
        c->total = c->len;
        c->seg_left = c->len;
        c->seg_last = true;
        if (!c->len) {
            verr |= sysdma_violation(s, c->idx, SYSDMA_V_ZERO_LENGTH,
                                     "START with LEN 0");
        } else if (!sysdma_ranges_ok(c, c->xdir, c->src, c->dst, c->len,
                                     "START")) {
            sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_ADDRESS);
            return;
        } else if (c->xdir == SYSDMA_DIR_M2M &&
                   sysdma_overlap(c->src, c->dst, c->len)) {
            verr |= sysdma_violation(s, c->idx, SYSDMA_V_OVERLAP,
                                     "0x%" PRIx64 " and 0x%" PRIx64
                                     " overlap (len %u)", c->src, c->dst,
                                     c->len);
        }
    }
    if (c->total > s->max_xfer) {
        /* K10: the driver splits transactions into MAX_XFER transfers */
        qemu_log_mask(LOG_GUEST_ERROR, "sysdma: ch%u: %u bytes > MAX_XFER "
                      "%u\n", c->idx, c->total, s->max_xfer);
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_CONFIG);
        return;
    }
    if (verr) {
        sysdma_ch_end(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_VERIFIER);
        return;
    }
    if (sysdma_fault_armed(c, SYSDMA_FAULT_SLOW)) {
        sysdma_fault_fire(c, SYSDMA_FAULT_SLOW);
        c->xrate = c->fault.slow_rate;
    }
    if (c->xcyclic) {
        trace_sysdma_cyclic_start(c->idx, c->xhead, c->total);
    }
    if (sysdma_fault_armed(c, SYSDMA_FAULT_SPURIOUS)) {
        sysdma_fault_fire(c, SYSDMA_FAULT_SPURIOUS);
        sysdma_raise_spurious(s);
    }
    sysdma_ch_advance(c);
}

/* CANCEL (H1, K6): stop at once; BYTES stays exact */
void sysdma_ch_cancel(SysDMAChannel *c)
{
    if (c->state == SYSDMA_STATE_BUSY &&
        sysdma_fault_armed(c, SYSDMA_FAULT_IGNORE_CANCEL)) {
        /* a channel that does not answer CANCEL: only a reset stops it */
        sysdma_fault_fire(c, SYSDMA_FAULT_IGNORE_CANCEL);
        trace_sysdma_cancel_ignored(c->idx, c->bytes, c->total);
        return;
    }
    if (c->state == SYSDMA_STATE_BUSY) {
        trace_sysdma_cancel(c->idx, c->bytes, c->total);
        sysdma_ch_end(c, SYSDMA_STATE_CANCELLED, SYSDMA_ERR_NONE);
        return;
    }
    if (c->flush_owed) {
        /* lost the race against the end of the transfer: harmless */
        trace_sysdma_cancel_late(c->idx, c->state);
        return;
    }
    if (sysdma_violation(c->s, c->idx, SYSDMA_V_CANCEL_IDLE,
                         "CANCEL with nothing mapped")) {
        sysdma_ch_strict_fail(c);
    }
}

/*
 * FLUSH (H2): drain the FIFO, clear FLUSH_OWED, back to IDLE; a drain
 * the memory core refuses ends in ERROR/ERR_ADDRESS instead
 */
void sysdma_ch_flush(SysDMAChannel *c)
{
    uint32_t bad_pos;

    if (c->state == SYSDMA_STATE_BUSY) {
        if (sysdma_violation(c->s, c->idx, SYSDMA_V_BAD_REGISTER,
                             "FLUSH while busy (ignored)")) {
            sysdma_ch_strict_fail(c);
        }
        return;
    }
    if (!c->flush_owed) {
        if (sysdma_violation(c->s, c->idx, SYSDMA_V_FLUSH_IDLE,
                             "FLUSH with nothing mapped")) {
            sysdma_ch_strict_fail(c);
        }
        return;
    }
    trace_sysdma_flush(c->idx, c->fifo_level);
    c->flush_owed = false;
    if (!sysdma_fifo_drain(c, 0, &bad_pos)) {
        /* what did not reach memory is not reported as delivered */
        c->bytes = bad_pos;
        sysdma_ch_set_state(c, SYSDMA_STATE_ERROR, SYSDMA_ERR_ADDRESS);
        return;
    }
    sysdma_ch_set_state(c, SYSDMA_STATE_IDLE, SYSDMA_ERR_NONE);
}

/* CLAIM register: 1 claims, 0 releases (V1, V4) */
void sysdma_ch_claim(SysDMAChannel *c, uint32_t val)
{
    SysDMAState *s = c->s;

    if (val > 1) {
        if (sysdma_violation(s, c->idx, SYSDMA_V_BAD_REGISTER,
                             "CLAIM value 0x%x", val)) {
            sysdma_ch_strict_fail(c);
        }
        return;
    }
    if (val) {
        c->claimed = true;      /* claiming twice is harmless */
        trace_sysdma_claim(c->idx, 1);
        return;
    }
    if (!c->claimed) {
        if (sysdma_violation(s, c->idx, SYSDMA_V_DOUBLE_RELEASE,
                             "release of an unclaimed channel")) {
            sysdma_ch_strict_fail(c);
        }
        return;
    }
    c->claimed = false;
    trace_sysdma_claim(c->idx, 0);
    if (c->flush_owed || c->state == SYSDMA_STATE_BUSY) {
        if (sysdma_violation(s, c->idx, SYSDMA_V_RELEASE_NO_FLUSH,
                             "release while %s",
                             c->flush_owed ? "a FLUSH is owed" : "busy")) {
            sysdma_ch_strict_fail(c);
        }
    }
}

/* IRQ register, write 1 to clear (V3) */
void sysdma_ch_ack(SysDMAChannel *c, uint32_t val)
{
    SysDMAState *s = c->s;
    bool strict = false;

    uint32_t ack = val & SYSDMA_IRQ_ALL;

    if (val & ~SYSDMA_IRQ_ALL) {
        strict |= sysdma_violation(s, c->idx, SYSDMA_V_BAD_REGISTER,
                                   "IRQ write 0x%x", val);
    }
    if (ack & ~c->irq) {
        strict |= sysdma_violation(s, c->idx, SYSDMA_V_ACK_NOT_PENDING,
                                   "IRQ 0x%x acknowledged, not pending",
                                   ack & ~c->irq);
    }
    if (ack & c->irq) {
        c->irq &= ~ack;
        trace_sysdma_irq_ack(c->idx, ack);
        sysdma_update_irq(s, false);
    }
    if (strict) {
        sysdma_ch_strict_fail(c);
    }
}

/*
 * SEED register: restart the peripheral stream, at once (also while
 * BUSY: the next chunk takes source byte 0 of the new seed).  The source
 * goes back to position 0, the sink CRC to the CRC of nothing.  Data
 * already in the FIFO keeps the seed it was taken with.
 */
void sysdma_ch_seed(SysDMAChannel *c, uint32_t val)
{
    trace_sysdma_seed(c->idx, val, c->src_pos, c->sink_crc);
    c->seed = val;
    c->src_pos = 0;
    c->sink_crc = 0;
}

/*
 * Migration: the stream is untrusted input.  Check every field that
 * indexes, sizes or points before anything runs; a channel beyond
 * `channels` (@active false) must be inert.
 */
bool sysdma_ch_post_load_ok(SysDMAChannel *c, bool active, Error **errp)
{
    SysDMAState *s = c->s;
    bool busy = c->state == SYSDMA_STATE_BUSY;
    uint64_t level = 0;
    uint32_t i;

    if (!c->xcyclic) {
        /* not in the stream (only a ring needs them): derived */
        c->lap = c->bytes;
        c->xpos = c->bytes;
    }
    if (busy && c->xrate && !c->paused) {
        /* the schedule's origin, from the next step's due time */
        c->t0 = c->deadline - muldiv64(c->xpos + c->step_len,
                                       NANOSECONDS_PER_SECOND, c->xrate);
    }

#define SYSDMA_CHECK(cond) do {                                         \
        if (!(cond)) {                                                  \
            error_setg(errp, "sysdma: channel %u: invalid state in the " \
                       "migration stream: %s", c->idx, #cond);          \
            return false;                                               \
        }                                                               \
    } while (0)

    if (!active) {
        SYSDMA_CHECK(c->state == SYSDMA_STATE_IDLE && !c->claimed &&
                     !c->flush_owed && !c->stalled && !c->irq &&
                     !c->irq_owed && !c->fifo_runs && !c->fifo_level &&
                     !c->pause_req && !c->paused);
    }
    SYSDMA_CHECK(c->state <= SYSDMA_STATE_CANCELLED);
    SYSDMA_CHECK(c->errcode <= SYSDMA_ERR_CONFIG);
    SYSDMA_CHECK(c->errcode == SYSDMA_ERR_NONE ||
                 c->state == SYSDMA_STATE_ERROR);
    SYSDMA_CHECK(!(c->irq & ~SYSDMA_IRQ_ALL));
    SYSDMA_CHECK(!(c->cfg & ~(SYSDMA_CFG_DIR_MASK | SYSDMA_CFG_SG |
                              SYSDMA_CFG_IRQ_EN | SYSDMA_CFG_CYCLIC)));
    /* PAUSE, cyclic, interrupt causes and mask, fault address */
    SYSDMA_CHECK(!c->pause_req || busy);
    SYSDMA_CHECK(!c->paused || c->pause_req);
    SYSDMA_CHECK(!(c->irq_mask & ~SYSDMA_IRQ_ALL));
    SYSDMA_CHECK(!(c->irq_delayed & ~SYSDMA_IRQ_ALL));
    SYSDMA_CHECK(!c->irq_delayed || c->irq_owed);
    SYSDMA_CHECK(!c->xcyclic || c->xsg);
    SYSDMA_CHECK(c->lap <= c->total);
    SYSDMA_CHECK((uint32_t)c->xpos == c->bytes);
    SYSDMA_CHECK(c->xcyclic || (c->lap == c->bytes && c->xpos == c->bytes));
    SYSDMA_CHECK(!(c->fault.mode & ~SYSDMA_FAULT_ALL));
    SYSDMA_CHECK(!(c->fault.sticky & ~SYSDMA_FAULT_ALL));
    SYSDMA_CHECK(c->xdir <= SYSDMA_DIR_P2M);
    SYSDMA_CHECK(c->xcyclic || c->bytes <= c->total);
    SYSDMA_CHECK(c->ndesc <= SYSDMA_SG_MAX_DESC);
    SYSDMA_CHECK(c->xcyclic || c->desc_done <= c->ndesc);
    SYSDMA_CHECK(!c->flush_owed || (!busy && c->state != SYSDMA_STATE_IDLE));
    SYSDMA_CHECK(busy || !c->stalled);
    if (busy) {
        SYSDMA_CHECK(c->total <= s->max_xfer);
        SYSDMA_CHECK(c->step_len <= sysdma_fast_step(s));
        SYSDMA_CHECK(c->seg_left <= c->total - c->lap);
        SYSDMA_CHECK(c->xsg || c->seg_last);
        SYSDMA_CHECK(c->xsg || c->seg_left == c->total - c->bytes);
        SYSDMA_CHECK(sysdma_range_ok(c->cur_src, c->seg_left) &&
                     sysdma_range_ok(c->cur_dst, c->seg_left));
    }
    SYSDMA_CHECK(c->fifo_runs <= SYSDMA_FIFO_RUNS);
    SYSDMA_CHECK(!c->fifo_runs || busy || c->flush_owed);
    SYSDMA_CHECK(!c->fifo_runs || c->xdir == SYSDMA_DIR_P2M);
    for (i = 0; i < c->fifo_runs; i++) {
        SysDMAFifoRun *r = &c->fifo[i];

        SYSDMA_CHECK(r->len && sysdma_range_ok(r->dst, r->len));
        SYSDMA_CHECK(c->xcyclic || (uint64_t)r->pos + r->len <= c->bytes);
        SYSDMA_CHECK(!i || r->pos >= c->fifo[i - 1].pos + c->fifo[i - 1].len);
        level += r->len;
    }
    SYSDMA_CHECK(level == c->fifo_level);
    SYSDMA_CHECK(c->fifo_level <= s->fifo_size);
#undef SYSDMA_CHECK
    return true;
}

/* After a valid load: wake the bottom half up (it re-arms the timers) */
void sysdma_ch_post_load(SysDMAChannel *c)
{
    c->in_bh = false;
    if (c->state == SYSDMA_STATE_BUSY || c->irq_owed) {
        qemu_bh_schedule(c->bh);
    }
}

/* RESIDUE: bytes not moved; for a ring, what is left of the current lap */
uint32_t sysdma_ch_residue(SysDMAChannel *c)
{
    return c->total - c->lap;
}

/*
 * PAUSE register (REGISTERS.md, Pause and resume).  1 on a BUSY channel
 * requests a pause: the step in flight completes, then the engine stops
 * (STATUS.PAUSED).  0 resumes exactly where it stopped; the time spent
 * paused does not count against the rate.  Not BUSY: a harmless no-op.
 */
void sysdma_ch_pause(SysDMAChannel *c, uint32_t val)
{
    if (val > 1) {
        if (sysdma_violation(c->s, c->idx, SYSDMA_V_BAD_REGISTER,
                             "PAUSE value 0x%x", val)) {
            sysdma_ch_strict_fail(c);
        }
        return;
    }
    if (c->state != SYSDMA_STATE_BUSY) {
        trace_sysdma_pause(c->idx, val, "not busy: ignored");
        return;
    }
    if (val) {
        if (!c->pause_req) {
            trace_sysdma_pause(c->idx, val, "requested");
            c->pause_req = true;
            /* a stalled engine has nothing in flight: it stops at once */
            c->paused = c->stalled;
        }
        return;
    }
    if (!c->pause_req) {
        return;
    }
    c->pause_req = false;
    if (!c->paused) {
        /* resumed before it stopped: the step in flight goes on */
        trace_sysdma_pause(c->idx, val, "request withdrawn");
        return;
    }
    c->paused = false;
    trace_sysdma_resume(c->idx, c->bytes);
    if (c->stalled) {
        return;
    }
    if (c->xrate) {
        /* the paused time does not count: move the origin of the schedule */
        c->t0 = sysdma_ch_now(c) -
            muldiv64(c->xpos, NANOSECONDS_PER_SECOND, c->xrate);
    }
    sysdma_ch_schedule(c);
}

/* IRQ_MASK register: masked causes are neither latched nor signalled */
void sysdma_ch_irq_mask(SysDMAChannel *c, uint32_t val)
{
    if (val & ~SYSDMA_IRQ_ALL) {
        if (sysdma_violation(c->s, c->idx, SYSDMA_V_BAD_REGISTER,
                             "IRQ_MASK value 0x%x", val)) {
            sysdma_ch_strict_fail(c);
        }
    }
    c->irq_mask = val & SYSDMA_IRQ_ALL;
}
