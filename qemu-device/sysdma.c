/*
 * sysdma: a PCI system DMA controller for exercising the KMDF/HAL DMA
 * transaction, cancel and timeout protocol (CONTRACT.md rules K, H, V).
 *
 * This file: QOM type, properties, MMIO decoding, interrupts (MSI with
 * INTx fallback), PCI power management (D3hot -> D0 function reset),
 * reset and vmstate.  The datasheet is REGISTERS.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/units.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qapi/visitor.h"
#include "hw/pci/msi.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "sysdma-internal.h"
#include "trace.h"

#define SYSDMA_CFG_VALID (SYSDMA_CFG_DIR_MASK | SYSDMA_CFG_SG | \
                          SYSDMA_CFG_IRQ_EN | SYSDMA_CFG_CYCLIC)

/* Interrupts ------------------------------------------------------------ */

uint32_t sysdma_irq_status(SysDMAState *s)
{
    uint32_t st = 0, i;

    for (i = 0; i < s->channels; i++) {
        if (s->ch[i].irq) {
            st |= 1u << i;
        }
    }
    return st;
}

/*
 * One MSI vector, sent on every new event (@edge); without MSI the INTx
 * level is "any channel has an IRQ bit set" (or a spurious fault holds it).
 */
void sysdma_update_irq(SysDMAState *s, bool edge)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool pending = sysdma_irq_status(s) || s->spurious;

    if (msi_enabled(pdev)) {
        pci_set_irq(pdev, 0);
        if (edge) {
            uint64_t addr = msi_get_message(pdev, 0).address;
            pcibus_t bar = pci_get_bar_addr(pdev, 0);

            if (bar != PCI_BAR_UNMAPPED && addr >= bar &&
                addr - bar < SYSDMA_BAR_SIZE) {
                /* the memory core's re-entrancy guard would drop it too */
                sysdma_violation(s, -1, SYSDMA_V_BAD_ADDRESS,
                                 "MSI address 0x%" PRIx64 " is the device's "
                                 "own BAR0: not sent", addr);
                return;
            }
            trace_sysdma_irq_msi();
            msi_notify(pdev, 0);
        }
        return;
    }
    trace_sysdma_irq_intx(pending);
    pci_set_irq(pdev, pending);
}

/* Latch the unmasked @causes in IRQ and signal them (IRQ_MASK: neither) */
void sysdma_ch_raise(SysDMAChannel *c, uint32_t causes)
{
    causes &= ~c->irq_mask;
    if (!causes) {
        return;
    }
    c->irq |= causes;
    trace_sysdma_irq_raise(c->idx, causes);
    sysdma_update_irq(c->s, true);
}

/* FAULT_SPURIOUS: an interrupt with no status bit behind it */
void sysdma_raise_spurious(SysDMAState *s)
{
    trace_sysdma_irq_spurious();
    s->spurious = !msi_enabled(PCI_DEVICE(s));
    sysdma_update_irq(s, true);
}

/* Drop the spurious INTx level once the guest looked at the status */
static void sysdma_clear_spurious(SysDMAState *s)
{
    if (s->spurious) {
        s->spurious = false;
        sysdma_update_irq(s, false);
    }
}

static void sysdma_reset_channels(SysDMAState *s, const char *why)
{
    uint32_t i;

    trace_sysdma_reset(why);
    for (i = 0; i < s->channels; i++) {
        sysdma_ch_reset(&s->ch[i]);
    }
    s->spurious = false;
    sysdma_update_irq(s, false);
}

/* MMIO ------------------------------------------------------------------ */

static void sysdma_bad_access(SysDMAState *s, hwaddr addr, unsigned size,
                              bool write)
{
    int ch = addr >= SYSDMA_CH_BASE(0) ?
        (int)(addr / SYSDMA_CH_SIZE) - 1 : -1;

    if (ch >= (int)s->channels) {
        ch = -1;
    }
    if (sysdma_violation(s, ch, SYSDMA_V_BAD_REGISTER, "%s of %u bytes at 0x%"
                         HWADDR_PRIx, write ? "write" : "read", size, addr)) {
        sysdma_ch_strict_fail(&s->ch[ch]);
    }
}

static bool sysdma_ch_read(SysDMAChannel *c, hwaddr off, uint32_t *val)
{
    switch (off) {
    case SYSDMA_CH_SRC_LO:
        *val = c->src;
        break;
    case SYSDMA_CH_SRC_HI:
        *val = c->src >> 32;
        break;
    case SYSDMA_CH_DST_LO:
        *val = c->dst;
        break;
    case SYSDMA_CH_DST_HI:
        *val = c->dst >> 32;
        break;
    case SYSDMA_CH_LEN:
        *val = c->len;
        break;
    case SYSDMA_CH_CFG:
        *val = c->cfg;
        break;
    case SYSDMA_CH_CLAIM:
        *val = c->claimed;
        break;
    case SYSDMA_CH_STATUS:
        *val = c->state | (c->errcode << SYSDMA_STATUS_ERRCODE_SHIFT) |
            (c->flush_owed ? SYSDMA_STATUS_FLUSH_OWED : 0) |
            (c->claimed ? SYSDMA_STATUS_CLAIMED : 0) |
            (c->stalled ? SYSDMA_STATUS_STALLED : 0) |
            (c->paused ? SYSDMA_STATUS_PAUSED : 0);
        break;
    case SYSDMA_CH_BYTES:
        *val = c->bytes;
        break;
    case SYSDMA_CH_RESIDUE:
        *val = sysdma_ch_residue(c);
        break;
    case SYSDMA_CH_IRQ:
        *val = c->irq;
        sysdma_clear_spurious(c->s);
        break;
    case SYSDMA_CH_SINK_CRC:
        *val = c->sink_crc;
        break;
    case SYSDMA_CH_SEED:
        *val = c->seed;
        break;
    case SYSDMA_CH_FIFO_LEVEL:
        *val = c->fifo_level;
        break;
    case SYSDMA_CH_DESC_DONE:
        *val = c->desc_done;
        break;
    case SYSDMA_CH_TOTAL:
        *val = c->total;
        break;
    case SYSDMA_CH_PAUSE:
        *val = c->pause_req;
        break;
    case SYSDMA_CH_IRQ_MASK:
        *val = c->irq_mask;
        break;
    case SYSDMA_CH_FAULT_ADDR_LO:
        *val = c->fault_addr;
        break;
    case SYSDMA_CH_FAULT_ADDR_HI:
        *val = c->fault_addr >> 32;
        break;
    case SYSDMA_CH_FAULT_MODE:
        *val = c->fault.mode;
        break;
    case SYSDMA_CH_FAULT_STICKY:
        *val = c->fault.sticky;
        break;
    case SYSDMA_CH_FAULT_ERROR_AFTER:
        *val = c->fault.error_after;
        break;
    case SYSDMA_CH_FAULT_DELAY_US:
        *val = c->fault.delay_us;
        break;
    case SYSDMA_CH_FAULT_SLOW_RATE:
        *val = c->fault.slow_rate;
        break;
    case SYSDMA_CH_FAULT_FIRED:
        *val = c->fault_fired;
        break;
    default:
        return false;
    }
    return true;
}

static uint64_t sysdma_read(void *opaque, hwaddr addr, unsigned size)
{
    SysDMAState *s = opaque;
    uint32_t val = 0;
    bool ok = true;

    if (addr >= SYSDMA_CH_BASE(0)) {
        uint32_t n = addr / SYSDMA_CH_SIZE - 1;

        ok = n < s->channels &&
            sysdma_ch_read(&s->ch[n], addr % SYSDMA_CH_SIZE, &val);
    } else if (addr >= SYSDMA_REG_VERIFY_COUNT(0) &&
               addr < SYSDMA_REG_VERIFY_COUNT(SYSDMA_V_COUNT)) {
        val = s->verify[(addr - SYSDMA_REG_VERIFY_COUNT(0)) / 4];
    } else {
        switch (addr) {
        case SYSDMA_REG_ID:
            val = SYSDMA_ID_VALUE;
            break;
        case SYSDMA_REG_VERSION:
            val = SYSDMA_VERSION_VALUE;
            break;
        case SYSDMA_REG_CAPS:
            val = s->channels | SYSDMA_CAPS_SG | SYSDMA_CAPS_FIFO |
                SYSDMA_CAPS_FAULTS | SYSDMA_CAPS_VERIFIER |
                SYSDMA_CAPS_PERIPHERAL;
            break;
        case SYSDMA_REG_MAX_XFER:
            val = s->max_xfer;
            break;
        case SYSDMA_REG_FIFO_SIZE:
            val = s->fifo_size;
            break;
        case SYSDMA_REG_RATE:
            val = s->rate;
            break;
        case SYSDMA_REG_CHUNK:
            val = s->chunk;
            break;
        case SYSDMA_REG_FAST_STEP:
            val = sysdma_fast_step(s);
            break;
        case SYSDMA_REG_IRQ_STATUS:
            val = sysdma_irq_status(s);
            sysdma_clear_spurious(s);
            break;
        case SYSDMA_REG_VERIFY_TOTAL:
            val = sysdma_verify_total(s);
            break;
        default:
            ok = false;
        }
    }
    if (!ok) {
        sysdma_bad_access(s, addr, size, false);
    }
    trace_sysdma_mmio_read(addr, size, val);
    return val;
}

static bool sysdma_ch_write(SysDMAChannel *c, hwaddr off, uint32_t val)
{
    SysDMAState *s = c->s;

    switch (off) {
    case SYSDMA_CH_SRC_LO:
        c->src = deposit64(c->src, 0, 32, val);
        break;
    case SYSDMA_CH_SRC_HI:
        c->src = deposit64(c->src, 32, 32, val);
        break;
    case SYSDMA_CH_DST_LO:
        c->dst = deposit64(c->dst, 0, 32, val);
        break;
    case SYSDMA_CH_DST_HI:
        c->dst = deposit64(c->dst, 32, 32, val);
        break;
    case SYSDMA_CH_LEN:
        c->len = val;
        break;
    case SYSDMA_CH_CFG:
        if ((val & ~SYSDMA_CFG_VALID) ||
            (val & SYSDMA_CFG_DIR_MASK) > SYSDMA_DIR_P2M) {
            /* kept (masked): a START with DIR 3 ends in ERR_CONFIG */
            if (sysdma_violation(s, c->idx, SYSDMA_V_BAD_REGISTER,
                                 "CFG value 0x%x", val)) {
                sysdma_ch_strict_fail(c);
            }
        }
        c->cfg = val & SYSDMA_CFG_VALID;
        break;
    case SYSDMA_CH_START:
        sysdma_ch_start(c);
        break;
    case SYSDMA_CH_CANCEL:
        sysdma_ch_cancel(c);
        break;
    case SYSDMA_CH_FLUSH:
        sysdma_ch_flush(c);
        break;
    case SYSDMA_CH_CLAIM:
        sysdma_ch_claim(c, val);
        break;
    case SYSDMA_CH_IRQ:
        sysdma_ch_ack(c, val);
        break;
    case SYSDMA_CH_SEED:
        sysdma_ch_seed(c, val);
        break;
    case SYSDMA_CH_PAUSE:
        sysdma_ch_pause(c, val);
        break;
    case SYSDMA_CH_IRQ_MASK:
        sysdma_ch_irq_mask(c, val);
        break;
    case SYSDMA_CH_FAULT_MODE:
        if (val & ~SYSDMA_FAULT_ALL) {
            sysdma_violation(s, c->idx, SYSDMA_V_BAD_REGISTER,
                             "FAULT_MODE value 0x%x", val);
        }
        c->fault.mode = val & SYSDMA_FAULT_ALL;
        trace_sysdma_fault_arm(c->idx, c->fault.mode);
        break;
    case SYSDMA_CH_FAULT_STICKY:
        if (val & ~SYSDMA_FAULT_ALL) {
            sysdma_violation(s, c->idx, SYSDMA_V_BAD_REGISTER,
                             "FAULT_STICKY value 0x%x", val);
        }
        c->fault.sticky = val & SYSDMA_FAULT_ALL;
        break;
    case SYSDMA_CH_FAULT_ERROR_AFTER:
        c->fault.error_after = val;
        break;
    case SYSDMA_CH_FAULT_DELAY_US:
        c->fault.delay_us = val;
        break;
    case SYSDMA_CH_FAULT_SLOW_RATE:
        c->fault.slow_rate = val;
        break;
    default:
        return false;
    }
    return true;
}

static void sysdma_write(void *opaque, hwaddr addr, uint64_t val64,
                         unsigned size)
{
    SysDMAState *s = opaque;
    uint32_t val = val64;
    bool ok = true;

    trace_sysdma_mmio_write(addr, size, val64);
    s->in_write = true;     /* the verifier log names this write */
    s->write_off = addr;
    s->write_val = val;
    if (addr >= SYSDMA_CH_BASE(0)) {
        uint32_t n = addr / SYSDMA_CH_SIZE - 1;

        ok = n < s->channels &&
            sysdma_ch_write(&s->ch[n], addr % SYSDMA_CH_SIZE, val);
    } else if (addr == SYSDMA_REG_CTRL) {
        if (val & ~SYSDMA_CTRL_RESET) {
            sysdma_violation(s, -1, SYSDMA_V_BAD_REGISTER,
                             "CTRL value 0x%x", val);
        }
        if (val & SYSDMA_CTRL_RESET) {
            sysdma_reset_channels(s, "CTRL_RESET");
        }
    } else if (addr == SYSDMA_REG_VERIFY_CLEAR) {
        sysdma_verify_clear(s);
    } else {
        ok = false;
    }
    if (!ok) {
        sysdma_bad_access(s, addr, size, true);
    }
    s->in_write = false;
}

/*
 * The accesses a real controller decodes: aligned 32-bit ones, and aligned
 * 64-bit ones of the SRC and DST address pairs (split into two 32-bit
 * accesses by the memory core, low half first).  The memory core asks
 * before it dispatches; a refused access reads as 0, writes nothing and
 * counts V_BAD_REGISTER.
 */
static bool sysdma_accepts(void *opaque, hwaddr addr, unsigned size,
                           bool is_write, MemTxAttrs attrs)
{
    SysDMAState *s = opaque;
    hwaddr off = addr % SYSDMA_CH_SIZE;

    if ((size == 4 && !(addr & 3)) ||
        (size == 8 && !(addr & 7) && addr >= SYSDMA_CH_BASE(0) &&
         (off == SYSDMA_CH_SRC_LO || off == SYSDMA_CH_DST_LO))) {
        return true;
    }
    sysdma_bad_access(s, addr, size, is_write);
    return false;
}

static const MemoryRegionOps sysdma_ops = {
    .read = sysdma_read,
    .write = sysdma_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
        .accepts = sysdma_accepts,
    },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

/* Power management ------------------------------------------------------ */

/* PMCSR PowerState (D1 and D2 are not supported: D0 or D3hot) */
static uint8_t sysdma_pm_state(PCIDevice *pdev)
{
    return pci_get_word(pdev->config + pdev->pm_cap + PCI_PM_CTRL) &
        PCI_PM_CTRL_STATE_MASK;
}

/* Outside D0 the function masters nothing: no DMA, no interrupt */
bool sysdma_in_d0(SysDMAState *s)
{
    return sysdma_pm_state(PCI_DEVICE(s)) == SYSDMA_PM_D0;
}

/*
 * PM capability 1.2 with No_Soft_Reset 0: D3hot -> D0 resets the function
 * (see REGISTERS.md, "Power management and function reset").  PME is not
 * supported.
 */
static bool sysdma_pm_init(PCIDevice *pdev, Error **errp)
{
    int pos = pci_pm_init(pdev, 0, errp);

    if (pos < 0) {
        return false;
    }
    pci_set_word(pdev->config + pos + PCI_PM_PMC, PCI_PM_CAP_VER_1_2);
    pci_set_word(pdev->config + pos + PCI_PM_CTRL, SYSDMA_PM_D0);
    pci_set_word(pdev->wmask + pos + PCI_PM_CTRL, PCI_PM_CTRL_STATE_MASK);
    return true;
}

/*
 * PCI config: the D3hot -> D0 transition is an internal function reset,
 * bus mastering turned off resets the channels too (both count V4 leaks).
 * Config space itself (BARs, COMMAND, MSI) is the OS's to restore.
 */
static void sysdma_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                                int len)
{
    SysDMAState *s = SYSDMA(pdev);
    bool was_master = pdev->config[PCI_COMMAND] & PCI_COMMAND_MASTER;
    uint8_t old_pm = sysdma_pm_state(pdev), new_pm;

    pci_default_write_config(pdev, addr, val, len);
    new_pm = sysdma_pm_state(pdev);
    if (new_pm != old_pm) {
        trace_sysdma_pm_state(old_pm, new_pm);
    }
    if (old_pm == SYSDMA_PM_D3HOT && new_pm == SYSDMA_PM_D0) {
        sysdma_reset_channels(s, "D3hot -> D0 (function reset)");
    } else if (was_master &&
               !(pdev->config[PCI_COMMAND] & PCI_COMMAND_MASTER)) {
        sysdma_reset_channels(s, "bus mastering off");
    } else {
        sysdma_update_irq(s, false);
    }
}

/* Properties ------------------------------------------------------------ */

/*
 * Fault properties (x-fault-mode, x-fault-sticky, x-fault-error-after,
 * x-fault-delay-us, x-fault-slow-rate): the value loaded into the fault
 * window of the channel(s) selected by x-fault-channel (-1: all) at every
 * reset, and, when set on a realized device (QMP qom-set), at once.
 */
static void sysdma_get_fault(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    SysDMAState *s = SYSDMA(obj);
    uint32_t *field = (uint32_t *)((char *)&s->fault_prop +
                                   (uintptr_t)opaque);

    visit_type_uint32(v, name, field, errp);
}

static void sysdma_set_fault(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    SysDMAState *s = SYSDMA(obj);
    uintptr_t off = (uintptr_t)opaque;
    uint32_t val, i;

    if (!visit_type_uint32(v, name, &val, errp)) {
        return;
    }
    if ((off == offsetof(SysDMAFaults, mode) ||
         off == offsetof(SysDMAFaults, sticky)) && (val & ~SYSDMA_FAULT_ALL)) {
        error_setg(errp, "%s: 0x%x has bits outside 0x%x", name, val,
                   SYSDMA_FAULT_ALL);
        return;
    }
    *(uint32_t *)((char *)&s->fault_prop + off) = val;
    if (!DEVICE(s)->realized) {
        return;
    }
    for (i = 0; i < s->channels; i++) {
        if (s->fault_channel < 0 || s->fault_channel == i) {
            *(uint32_t *)((char *)&s->ch[i].fault + off) = val;
            trace_sysdma_fault_set(i, name, val);
        }
    }
}

static void sysdma_get_fault_channel(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    visit_type_int32(v, name, &SYSDMA(obj)->fault_channel, errp);
}

static void sysdma_set_fault_channel(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    int32_t val;

    if (!visit_type_int32(v, name, &val, errp)) {
        return;
    }
    if (val < -1 || val >= SYSDMA_MAX_CHANNELS) {
        error_setg(errp, "x-fault-channel must be -1 (all) or 0..%d",
                   SYSDMA_MAX_CHANNELS - 1);
        return;
    }
    if (DEVICE(obj)->realized && val >= (int32_t)SYSDMA(obj)->channels) {
        error_setg(errp, "x-fault-channel %d: the device has %u channels", val,
                   SYSDMA(obj)->channels);
        return;
    }
    SYSDMA(obj)->fault_channel = val;
}

/* Read-only verifier counters: verify-<kind> and verify-total */
static void sysdma_get_verify(Object *obj, Visitor *v, const char *name,
                              void *opaque, Error **errp)
{
    SysDMAState *s = SYSDMA(obj);
    uintptr_t kind = (uintptr_t)opaque;
    uint32_t val = kind < SYSDMA_V_COUNT ? s->verify[kind] :
        sysdma_verify_total(s);

    visit_type_uint32(v, name, &val, errp);
}

static const Property sysdma_properties[] = {
    DEFINE_PROP_UINT32("channels", SysDMAState, channels, 4),
    DEFINE_PROP_UINT32("max-transfer", SysDMAState, max_xfer, 64 * KiB),
    DEFINE_PROP_UINT32("fifo-size", SysDMAState, fifo_size, 64),
    DEFINE_PROP_UINT32("rate", SysDMAState, rate, 32 * MiB),
    DEFINE_PROP_UINT32("chunk", SysDMAState, chunk, 4096),
    DEFINE_PROP_UINT32("fast-step", SysDMAState, fast_step, SYSDMA_FAST_STEP),
    DEFINE_PROP_BOOL("x-strict", SysDMAState, strict, false),
    DEFINE_PROP_ON_OFF_AUTO("msi", SysDMAState, msi, ON_OFF_AUTO_AUTO),
};

/*
 * vmstate ----------------------------------------------------------------
 * Version 1.  The stream is untrusted: sysdma_post_load() checks every
 * field that indexes, sizes or points, on every channel (a channel beyond
 * `channels` must be inert), and `channels` itself must match.  The
 * verifier counters and the fault-injection state (test and debug state)
 * travel in the "sysdma/debug" subsection.
 */

static const VMStateDescription vmstate_sysdma_fifo_run = {
    .name = "sysdma/fifo-run",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(dst, SysDMAFifoRun),
        VMSTATE_UINT64(off, SysDMAFifoRun),
        VMSTATE_UINT32(seed, SysDMAFifoRun),
        VMSTATE_UINT32(len, SysDMAFifoRun),
        VMSTATE_UINT32(pos, SysDMAFifoRun),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_sysdma_faults = {
    .name = "sysdma/faults",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(mode, SysDMAFaults),
        VMSTATE_UINT32(sticky, SysDMAFaults),
        VMSTATE_UINT32(error_after, SysDMAFaults),
        VMSTATE_UINT32(delay_us, SysDMAFaults),
        VMSTATE_UINT32(slow_rate, SysDMAFaults),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * PAUSE, cyclic mode, interrupt causes and mask, fault address (and a
 * ring's position): sent whenever one of them is not at its reset value;
 * validated in sysdma_post_load.  Without it the lap and 64-bit count are
 * BYTES; the schedule's origin is always derived from the deadline.
 */
static bool sysdma_ch_features_needed(void *opaque)
{
    SysDMAChannel *c = opaque;

    return c->pause_req || c->paused || c->irq_mask != SYSDMA_IRQ_MASK_RESET ||
        c->irq_delayed || c->fault_valid || c->fault_addr || c->xcyclic ||
        c->seg_irq;
}

static const VMStateDescription vmstate_sysdma_channel_features = {
    .name = "sysdma/channel-features",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = sysdma_ch_features_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(pause_req, SysDMAChannel),
        VMSTATE_BOOL(paused, SysDMAChannel),
        VMSTATE_UINT32(irq_mask, SysDMAChannel),
        VMSTATE_UINT32(irq_delayed, SysDMAChannel),
        VMSTATE_UINT64(fault_addr, SysDMAChannel),
        VMSTATE_BOOL(fault_valid, SysDMAChannel),
        VMSTATE_BOOL(xcyclic, SysDMAChannel),
        VMSTATE_BOOL(seg_irq, SysDMAChannel),
        VMSTATE_UINT64(xhead, SysDMAChannel),
        VMSTATE_UINT32(lap, SysDMAChannel),
        VMSTATE_UINT64(xpos, SysDMAChannel),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_sysdma_channel = {
    .name = "sysdma/channel",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(src, SysDMAChannel),
        VMSTATE_UINT64(dst, SysDMAChannel),
        VMSTATE_UINT32(len, SysDMAChannel),
        VMSTATE_UINT32(cfg, SysDMAChannel),
        VMSTATE_UINT32(seed, SysDMAChannel),
        VMSTATE_BOOL(claimed, SysDMAChannel),
        VMSTATE_UINT32(state, SysDMAChannel),
        VMSTATE_UINT32(errcode, SysDMAChannel),
        VMSTATE_BOOL(flush_owed, SysDMAChannel),
        VMSTATE_BOOL(stalled, SysDMAChannel),
        VMSTATE_UINT32(bytes, SysDMAChannel),
        VMSTATE_UINT32(total, SysDMAChannel),
        VMSTATE_UINT32(irq, SysDMAChannel),
        VMSTATE_UINT32(desc_done, SysDMAChannel),
        VMSTATE_UINT64(src_pos, SysDMAChannel),
        VMSTATE_UINT32(sink_crc, SysDMAChannel),
        VMSTATE_UINT32(xdir, SysDMAChannel),
        VMSTATE_BOOL(xsg, SysDMAChannel),
        VMSTATE_BOOL(xirq, SysDMAChannel),
        VMSTATE_UINT32(xrate, SysDMAChannel),
        VMSTATE_UINT64(cur_src, SysDMAChannel),
        VMSTATE_UINT64(cur_dst, SysDMAChannel),
        VMSTATE_UINT32(seg_left, SysDMAChannel),
        VMSTATE_BOOL(seg_last, SysDMAChannel),
        VMSTATE_UINT64(next_desc, SysDMAChannel),
        VMSTATE_UINT32(ndesc, SysDMAChannel),
        VMSTATE_UINT32(step_len, SysDMAChannel),
        VMSTATE_INT64(deadline, SysDMAChannel),
        VMSTATE_BOOL(irq_owed, SysDMAChannel),
        VMSTATE_INT64(irq_at, SysDMAChannel),
        VMSTATE_STRUCT_ARRAY(fifo, SysDMAChannel, SYSDMA_FIFO_RUNS, 1,
                             vmstate_sysdma_fifo_run, SysDMAFifoRun),
        VMSTATE_UINT32(fifo_runs, SysDMAChannel),
        VMSTATE_UINT32(fifo_level, SysDMAChannel),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_sysdma_channel_features,
        NULL
    },
};

static const VMStateDescription vmstate_sysdma_channel_debug = {
    .name = "sysdma/channel-debug",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(fault, SysDMAChannel, 1, vmstate_sysdma_faults,
                       SysDMAFaults),
        VMSTATE_UINT32(fault_fired, SysDMAChannel),
        VMSTATE_END_OF_LIST()
    },
};

/* The debug subsection is sent when it holds anything but reset values */
static bool sysdma_debug_needed(void *opaque)
{
    SysDMAState *s = opaque;
    uint32_t i;

    if (sysdma_verify_total(s) || s->spurious || s->fault_channel != -1 ||
        s->fault_prop.mode || s->fault_prop.sticky) {
        return true;
    }
    for (i = 0; i < s->channels; i++) {
        SysDMAChannel *c = &s->ch[i];

        if (c->fault_fired || c->fault.mode || c->fault.sticky ||
            memcmp(&c->fault, &s->fault_prop, sizeof(c->fault))) {
            return true;
        }
    }
    return false;
}

static const VMStateDescription vmstate_sysdma_debug = {
    .name = "sysdma/debug",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = sysdma_debug_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(spurious, SysDMAState),
        VMSTATE_UINT32_ARRAY(verify, SysDMAState, SYSDMA_V_COUNT),
        VMSTATE_INT32(fault_channel, SysDMAState),
        VMSTATE_STRUCT(fault_prop, SysDMAState, 1, vmstate_sysdma_faults,
                       SysDMAFaults),
        VMSTATE_STRUCT_ARRAY(ch, SysDMAState, SYSDMA_MAX_CHANNELS, 1,
                             vmstate_sysdma_channel_debug, SysDMAChannel),
        VMSTATE_END_OF_LIST()
    },
};

static int sysdma_post_load(void *opaque, int version_id)
{
    SysDMAState *s = opaque;
    Error *err = NULL;
    uint32_t i;

    if (s->fault_channel < -1 || s->fault_channel >= (int32_t)s->channels) {
        error_report("sysdma: x-fault-channel %d in the migration stream is "
                     "not a channel", s->fault_channel);
        goto fail;
    }
    for (i = 0; i < SYSDMA_MAX_CHANNELS; i++) {
        if (!sysdma_ch_post_load_ok(&s->ch[i], i < s->channels, &err)) {
            error_report_err(err);
            goto fail;
        }
    }
    for (i = 0; i < s->channels; i++) {
        sysdma_ch_post_load(&s->ch[i]);
    }
    return 0;

fail:
    /* refused: leave nothing of the stream able to run */
    for (i = 0; i < SYSDMA_MAX_CHANNELS; i++) {
        s->ch[i].claimed = false;
        sysdma_ch_reset(&s->ch[i]);
    }
    return -EINVAL;
}

static const VMStateDescription vmstate_sysdma = {
    .name = "sysdma",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = sysdma_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, SysDMAState),
        VMSTATE_UINT32_EQUAL(channels, SysDMAState, NULL),
        VMSTATE_STRUCT_ARRAY(ch, SysDMAState, SYSDMA_MAX_CHANNELS, 1,
                             vmstate_sysdma_channel, SysDMAChannel),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_sysdma_debug,
        NULL
    },
};

/* Life cycle ------------------------------------------------------------- */

static void sysdma_realize(PCIDevice *pdev, Error **errp)
{
    SysDMAState *s = SYSDMA(pdev);
    Error *err = NULL;
    uint32_t i;

    if (s->channels < 1 || s->channels > SYSDMA_MAX_CHANNELS) {
        error_setg(errp, "channels must be 1..%d", SYSDMA_MAX_CHANNELS);
        return;
    }
    if (s->chunk < 1 || s->chunk > SYSDMA_CHUNK_MAX) {
        error_setg(errp, "chunk must be 1..%d", SYSDMA_CHUNK_MAX);
        return;
    }
    if (s->fast_step > SYSDMA_FAST_STEP_MAX) {
        error_setg(errp, "fast-step must be 0..%d", SYSDMA_FAST_STEP_MAX);
        return;
    }
    if (s->fifo_size > SYSDMA_FIFO_SIZE_MAX) {
        error_setg(errp, "fifo-size must be 0..%d", SYSDMA_FIFO_SIZE_MAX);
        return;
    }
    if (s->max_xfer < 1) {
        error_setg(errp, "max-transfer must be at least 1");
        return;
    }

    if (s->fault_channel >= (int32_t)s->channels) {
        error_setg(errp, "x-fault-channel %d: the device has %u channels",
                   s->fault_channel, s->channels);
        return;
    }

    pdev->config[PCI_INTERRUPT_PIN] = 1;
    if (s->msi != ON_OFF_AUTO_OFF &&
        msi_init(pdev, 0, 1, true, false, &err) < 0) {
        if (s->msi == ON_OFF_AUTO_ON) {
            /* msi=on: an error when the machine has no MSI */
            error_propagate(errp, err);
            return;
        }
        /* msi=auto: INTx only */
        if (err) {
            warn_report_err(err);
        }
    }
    if (!sysdma_pm_init(pdev, errp)) {
        msi_uninit(pdev);
        return;
    }
    memory_region_init_io(&s->mmio, OBJECT(s), &sysdma_ops, s, "sysdma-mmio",
                          SYSDMA_BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
    for (i = 0; i < SYSDMA_MAX_CHANNELS; i++) {
        sysdma_ch_init(s, &s->ch[i], i);
    }
}

static void sysdma_exit(PCIDevice *pdev)
{
    SysDMAState *s = SYSDMA(pdev);
    uint32_t i;

    for (i = 0; i < SYSDMA_MAX_CHANNELS; i++) {
        sysdma_ch_fini(&s->ch[i]);
    }
    msi_uninit(pdev);
}

static void sysdma_reset_hold(Object *obj, ResetType type)
{
    sysdma_reset_channels(SYSDMA(obj), "device reset");
}

static void sysdma_instance_init(Object *obj)
{
    SysDMAState *s = SYSDMA(obj);

    s->fault_channel = -1;
    s->fault_prop.slow_rate = 64 * KiB;
    s->fault_prop.delay_us = 1000;
    object_property_add_uint64_ptr(obj, "x-idle-wakeups", &s->idle_wakeups,
                                   OBJ_PROP_FLAG_READ);
    object_property_set_description(obj, "x-idle-wakeups", "bottom-half runs "
                                    "that found nothing to do (tests)");
}

static void sysdma_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    static const struct {
        const char *name;
        size_t off;
        const char *desc;
    } faults[] = {
        { "x-fault-mode", offsetof(SysDMAFaults, mode),
          "FAULT_MODE bits of the x-fault-channel channel(s)" },
        { "x-fault-sticky", offsetof(SysDMAFaults, sticky),
          "FAULT_STICKY bits (armed after firing)" },
        { "x-fault-error-after", offsetof(SysDMAFaults, error_after),
          "bytes after which FAULT_ERROR/FAULT_STALL act" },
        { "x-fault-delay-us", offsetof(SysDMAFaults, delay_us),
          "FAULT_DELAY_IRQ delay in microseconds" },
        { "x-fault-slow-rate", offsetof(SysDMAFaults, slow_rate),
          "bytes/s while FAULT_SLOW is armed" },
    };
    static const struct {
        const char *name;
        const char *desc;
    } descs[] = {
        { "channels", "number of channels (1-8)" },
        { "max-transfer", "largest transfer of one START, bytes" },
        { "fifo-size", "bytes held back in the P2M FIFO until FLUSH" },
        { "rate", "bytes per second of virtual time (0: unthrottled)" },
        { "chunk", "bytes moved per engine step" },
        { "fast-step", "bytes per engine step at rate 0 if more than chunk "
          "(0: chunk)" },
        { "x-strict", "protocol violations end the channel in ERROR" },
        { "msi", "MSI capability: on, off or auto (on when the machine "
          "supports it)" },
    };
    int i;

    k->realize = sysdma_realize;
    k->exit = sysdma_exit;
    k->config_write = sysdma_config_write;
    k->vendor_id = SYSDMA_PCI_VENDOR_ID;
    k->device_id = SYSDMA_PCI_DEVICE_ID;
    k->revision = SYSDMA_PCI_REVISION;
    k->class_id = SYSDMA_PCI_CLASS;
    dc->desc = "sysdma system DMA controller (KMDF/HAL DMA protocol model)";
    dc->vmsd = &vmstate_sysdma;
    rc->phases.hold = sysdma_reset_hold;
    device_class_set_props(dc, sysdma_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);

    for (i = 0; i < ARRAY_SIZE(faults); i++) {
        object_class_property_add(klass, faults[i].name, "uint32",
                                  sysdma_get_fault, sysdma_set_fault, NULL,
                                  (void *)(uintptr_t)faults[i].off);
        object_class_property_set_description(klass, faults[i].name,
                                              faults[i].desc);
    }
    for (i = 0; i < ARRAY_SIZE(descs); i++) {
        object_class_property_set_description(klass, descs[i].name,
                                              descs[i].desc);
    }
    object_class_property_add(klass, "x-fault-channel", "int32",
                              sysdma_get_fault_channel,
                              sysdma_set_fault_channel, NULL, NULL);
    object_class_property_set_description(klass, "x-fault-channel",
        "channel the x-fault-* properties address (-1: all)");
    for (i = 0; i <= SYSDMA_V_COUNT; i++) {
        g_autofree char *name = g_strdup_printf("verify-%s",
            i < SYSDMA_V_COUNT ? sysdma_v_names[i] : "total");

        object_class_property_add(klass, name, "uint32", sysdma_get_verify,
                                  NULL, NULL, (void *)(uintptr_t)i);
        object_class_property_set_description(klass, name,
            "protocol verifier counter (read-only)");
    }
    sysdma_verifier_class_init(klass);
}

static const TypeInfo sysdma_types[] = {
    {
        .name = TYPE_SYSDMA,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(SysDMAState),
        .instance_init = sysdma_instance_init,
        .class_init = sysdma_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(sysdma_types)
