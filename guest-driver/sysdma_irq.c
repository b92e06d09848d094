// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: interrupt handling.  One vector (MSI, INTx fallback) for all
 * channels; the global IRQ_STATUS register says which channels have
 * IRQ.DONE set.  The hard handler acknowledges (write 1 to clear, only
 * the bits that are pending, V3) and schedules the DPC, a tasklet that
 * runs the adapter's completion routines -> the framework -> the driver's
 * transfer-complete callback.
 */
#include <linux/interrupt.h>
#include "sysdma_core.h"
#include "sysdma_hw.h"
#include "sysdma_trace.h"

irqreturn_t sdma_isr(int irq, void *data)
{
	struct sdma_dev *sd = data;
	unsigned int ch;
	u32 pending;

	pending = sdma_rd(sd->regs, SYSDMA_REG_IRQ_STATUS);
	if (pending == ~0u)
		return IRQ_NONE;	/* device gone */
	pending &= GENMASK(sd->adapter.nr_channels - 1, 0);
	trace_sysdma_interrupt(sd, -1, pending);
	sdma_stat_inc(sd, SYSDMA_STAT_IRQS);
	if (!pending) {
		/* nothing behind it: counted and ignored */
		sdma_stat_inc(sd, SYSDMA_STAT_SPURIOUS_IRQS);
		dev_dbg_ratelimited(sd->dev, "spurious interrupt\n");
		return sd->msi ? IRQ_HANDLED : IRQ_NONE;
	}
	for (ch = 0; ch < sd->adapter.nr_channels; ch++)
		if (pending & BIT(ch))
			sdma_ch_wr(sd->regs, ch, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);
	tasklet_schedule(&sd->dpc);
	return IRQ_HANDLED;
}

/* The DPC: find the channels whose transfer ended and complete them. */
void sdma_dpc(struct tasklet_struct *t)
{
	struct sdma_dev *sd = from_tasklet(sd, t, dpc);

	trace_sysdma_dpc(sd, -1, 0);
	sdma_adapter_service(&sd->adapter);
}
