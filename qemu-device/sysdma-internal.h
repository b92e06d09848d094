/*
 * sysdma: state shared by the device's source files (not a guest ABI;
 * the guest ABI is sysdma-regs.h).
 *
 *   sysdma.c          QOM type, properties, MMIO decoding, interrupts,
 *                     reset, vmstate
 *   sysdma-engine.c   the transfer engine: START/CANCEL/FLUSH, chunks on
 *                     the virtual clock, scatter-gather, FIFO, faults
 *   sysdma-verifier.c the protocol verifier (CONTRACT V1-V4)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_DMA_SYSDMA_INTERNAL_H
#define HW_DMA_SYSDMA_INTERNAL_H

#include "hw/pci/pci_device.h"
#include "qemu/timer.h"
#include "qapi/qapi-types-common.h"
#include "hw/dma/sysdma-regs.h"

#define TYPE_SYSDMA "sysdma"
OBJECT_DECLARE_SIMPLE_TYPE(SysDMAState, SYSDMA)

/* Bytes moved through the bounce buffer at a time (fixed, never guest-sized) */
#define SYSDMA_BOUNCE_SIZE      (64 * 1024)
/*
 * Bytes per engine step at RATE 0 (or CHUNK if larger): the unthrottled
 * fast path, and the bound of the work done per main-loop iteration
 * (REGISTERS.md, "Cancel latency").
 */
#define SYSDMA_FAST_STEP        (256 * 1024)   /* "fast-step" default */
#define SYSDMA_FAST_STEP_MAX    (16 * 1024 * 1024)
/* Limits of the properties */
#define SYSDMA_FIFO_SIZE_MAX    4096
#define SYSDMA_CHUNK_MAX        (1024 * 1024)
/* Contiguous runs the FIFO can hold (see REGISTERS.md, FIFO) */
#define SYSDMA_FIFO_RUNS        16
/* Engine steps one bottom-half run may take before it yields (bounded work) */
#define SYSDMA_BH_MAX_STEPS     1024

/* PMCSR PowerState values the device supports (PMC: no D1, no D2) */
#define SYSDMA_PM_D0            0
#define SYSDMA_PM_D3HOT         3

typedef struct SysDMAState SysDMAState;

/*
 * Data held in the P2M FIFO: a run of pattern bytes owed to memory.  The
 * bytes were taken from the source already, so the run keeps the seed it
 * was taken with (a SEED write does not change data in the FIFO).
 */
typedef struct SysDMAFifoRun {
    uint64_t dst;   /* guest address of the run's first byte */
    uint64_t off;   /* stream offset of the run's first byte */
    uint32_t seed;  /* stream seed of the run */
    uint32_t len;
    uint32_t pos;   /* transfer position (BYTES) of the run's first byte */
} SysDMAFifoRun;

typedef struct SysDMAFaults {
    uint32_t mode;
    uint32_t sticky;
    uint32_t error_after;
    uint32_t delay_us;
    uint32_t slow_rate;
} SysDMAFaults;

/*
 * One entry of the verifier's log (sysdma-verifier.c, QOM "verify-log"):
 * diagnostic only, not migrated.
 */
#define SYSDMA_VLOG_SIZE        64
#define SYSDMA_VLOG_DETAIL      96

typedef struct SysDMAViolation {
    int64_t time_ns;        /* QEMU_CLOCK_VIRTUAL */
    uint32_t seq;           /* 1, 2, ... since realize */
    uint32_t kind;
    int32_t ch;
    bool has_write;         /* raised by this guest register write */
    uint32_t write_off;
    uint32_t write_val;
    char detail[SYSDMA_VLOG_DETAIL];
} SysDMAViolation;

typedef struct SysDMAChannel {
    SysDMAState *s;
    uint32_t idx;

    /* programming registers */
    uint64_t src;
    uint64_t dst;
    uint32_t len;
    uint32_t cfg;
    uint32_t seed;
    bool claimed;

    /* status registers */
    uint32_t state;
    uint32_t errcode;
    bool flush_owed;
    bool stalled;
    uint32_t bytes;
    uint32_t total;
    uint32_t irq;
    uint32_t desc_done;

    /*
     * The peripheral ends: one continuous stream per channel, across
     * STARTs.  A SEED write or a reset restarts both.
     */
    uint64_t src_pos;       /* bytes taken from the source (P2M) */
    uint32_t sink_crc;      /* CRC32 of the bytes the sink got (M2P) */

    /* engine, latched at START */
    uint32_t xdir;
    bool xsg;
    bool xirq;
    uint32_t xrate;
    uint64_t cur_src;
    uint64_t cur_dst;
    uint32_t seg_left;
    bool seg_last;
    uint64_t next_desc;
    uint32_t ndesc;
    uint32_t step_len;
    int64_t deadline;       /* virtual time the next step is due (rate > 0) */

    /* FAULT_DELAY_IRQ: the completion interrupt owed at irq_at */
    bool irq_owed;
    int64_t irq_at;

    /*
     * Features (REGISTERS.md: PAUSE, cyclic mode, interrupt causes and
     * mask, fault address); migrated in the "sysdma/channel-features"
     * subsection.
     */
    bool pause_req;         /* PAUSE register */
    bool paused;            /* STATUS.PAUSED: the engine has stopped */
    uint32_t irq_mask;      /* IRQ_MASK */
    uint32_t irq_delayed;   /* causes FAULT_DELAY_IRQ holds back */
    uint64_t fault_addr;    /* FAULT_ADDR, valid when fault_valid */
    bool fault_valid;
    bool xcyclic;           /* latched CFG.CYCLIC */
    bool seg_irq;           /* the current descriptor has DESC_IRQ */
    uint64_t xhead;         /* latched SRC: the first descriptor */
    uint32_t lap;           /* bytes into the lap (= BYTES if not cyclic) */
    uint64_t xpos;          /* bytes moved since START (64 bits) */
    int64_t t0;             /* schedule origin: steps end at t0 + xpos/rate */

    /* FIFO (P2M): runs[0] is the oldest */
    SysDMAFifoRun fifo[SYSDMA_FIFO_RUNS];
    uint32_t fifo_runs;
    uint32_t fifo_level;

    /* fault injection window */
    SysDMAFaults fault;
    uint32_t fault_fired;

    /*
     * All DMA and interrupts of the engine run in the bottom half, which
     * is guarded by the device's memory re-entrancy guard; the timers only
     * schedule it (they wake it up at deadline and irq_at).
     */
    QEMUTimer *timer;       /* wakes the bottom half for the next step */
    QEMUTimer *irq_timer;   /* wakes it for the delayed interrupt */
    QEMUBH *bh;
    bool in_bh;             /* the bottom half is running (not migrated) */
    bool inline_pass;       /* it runs inside a register write (ditto) */
    int64_t now;            /* virtual time of the event being processed */
} SysDMAChannel;

struct SysDMAState {
    PCIDevice parent_obj;
    MemoryRegion mmio;

    /* properties */
    uint32_t channels;
    uint32_t max_xfer;
    uint32_t fifo_size;
    uint32_t rate;
    uint32_t chunk;
    uint32_t fast_step;         /* rate-0 step if > chunk (0: chunk) */
    bool strict;
    OnOffAuto msi;
    int32_t fault_channel;      /* -1: all channels */
    SysDMAFaults fault_prop;

    bool spurious;              /* FAULT_SPURIOUS holds INTx up */
    uint32_t verify[SYSDMA_V_COUNT];
    /* verifier log: the last SYSDMA_VLOG_SIZE violations, a ring */
    SysDMAViolation vlog[SYSDMA_VLOG_SIZE];
    uint32_t vlog_total;        /* since realize; VERIFY_CLEAR keeps it */
    bool in_write;              /* a guest MMIO write is being handled */
    uint32_t write_off;
    uint32_t write_val;
    /*
     * Bottom-half runs that found nothing to do (no step, no interrupt)
     * since realize: QOM x-idle-wakeups, read only, not migrated.  A
     * device that spins the main loop makes it climb; one that merely has
     * a timer due later, or a rate-0 transfer in progress, does not.
     */
    uint64_t idle_wakeups;
    SysDMAChannel ch[SYSDMA_MAX_CHANNELS];
    uint8_t bounce[SYSDMA_BOUNCE_SIZE];
};

/* sysdma.c */
void sysdma_ch_raise(SysDMAChannel *c, uint32_t causes);
void sysdma_raise_spurious(SysDMAState *s);
void sysdma_update_irq(SysDMAState *s, bool edge);
uint32_t sysdma_irq_status(SysDMAState *s);
bool sysdma_in_d0(SysDMAState *s);

/* sysdma-engine.c */
void sysdma_ch_init(SysDMAState *s, SysDMAChannel *c, uint32_t idx);
void sysdma_ch_reset(SysDMAChannel *c);
void sysdma_ch_start(SysDMAChannel *c);
void sysdma_ch_cancel(SysDMAChannel *c);
void sysdma_ch_flush(SysDMAChannel *c);
void sysdma_ch_claim(SysDMAChannel *c, uint32_t val);
void sysdma_ch_ack(SysDMAChannel *c, uint32_t val);
void sysdma_ch_seed(SysDMAChannel *c, uint32_t val);
void sysdma_ch_pause(SysDMAChannel *c, uint32_t val);
void sysdma_ch_irq_mask(SysDMAChannel *c, uint32_t val);
uint32_t sysdma_fast_step(SysDMAState *s);
uint32_t sysdma_ch_residue(SysDMAChannel *c);
void sysdma_ch_strict_fail(SysDMAChannel *c);
bool sysdma_ch_post_load_ok(SysDMAChannel *c, bool active, Error **errp);
void sysdma_ch_post_load(SysDMAChannel *c);
void sysdma_ch_fini(SysDMAChannel *c);

/* sysdma-verifier.c */
extern const char *const sysdma_v_names[SYSDMA_V_COUNT];
bool sysdma_violation(SysDMAState *s, int ch, unsigned kind,
                      const char *fmt, ...) G_GNUC_PRINTF(4, 5);
uint32_t sysdma_verify_total(SysDMAState *s);
void sysdma_verify_clear(SysDMAState *s);
void sysdma_verifier_class_init(ObjectClass *klass);

#endif /* HW_DMA_SYSDMA_INTERNAL_H */
