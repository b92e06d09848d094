// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: the HAL system-DMA adapter (CONTRACT H1-H5).
 *
 * The adapter owns the controller's channels.  A channel is allocated to a
 * DMA transfer context (H4), a transfer is mapped on it (the controller is
 * programmed and started, H3), the completion routine runs from the DPC
 * when the controller stopped, and the adapter buffers are flushed exactly
 * once per mapped transfer before the channel is mapped again or freed
 * (H2).  CancelMappedTransfer marks the context cancelled and stops the
 * controller (H1).
 *
 * Locking: ad->lock (irqsave) protects the channels, the waiter list and
 * every sdma_xfer_ctx field the adapter owns.  Execution and completion
 * routines are always called without ad->lock held.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/minmax.h>
#include "sysdma_core.h"
#include "sysdma_hw.h"
#include "sysdma_trace.h"

static struct sdma_dev *ad_to_sd(struct sdma_adapter *ad)
{
	return container_of(ad, struct sdma_dev, adapter);
}

const char *sdma_dma_status_name(enum sdma_dma_status st)
{
	switch (st) {
	case SDMA_DMA_COMPLETE:
		return "DmaComplete";
	case SDMA_DMA_ABORTED:
		return "DmaAborted";
	case SDMA_DMA_ERROR:
		return "DmaError";
	case SDMA_DMA_CANCELLED:
		return "DmaCancelled";
	}
	return "?";
}

static void sdma_chan_poll(struct timer_list *t)
{
	struct sdma_chan *ch = from_timer(ch, t, poll);

	ch->ad->kick(ch->ad);
}

int sdma_adapter_init(struct sdma_adapter *ad, struct device *dev,
		      void __iomem *regs, unsigned int nr_channels,
		      u32 max_xfer, bool has_sg,
		      void (*kick)(struct sdma_adapter *ad))
{
	unsigned int i;

	spin_lock_init(&ad->lock);
	INIT_LIST_HEAD(&ad->waiters);
	ad->dev = dev;
	ad->regs = regs;
	ad->nr_channels = nr_channels;
	ad->max_xfer = max_xfer;
	ad->has_sg = has_sg;
	ad->kick = kick;
	ad->dead = false;
	for (i = 0; i < nr_channels; i++) {
		struct sdma_chan *ch = &ad->ch[i];

		ch->ad = ad;
		ch->id = i;
		timer_setup(&ch->poll, sdma_chan_poll, 0);
		if (!has_sg)
			continue;
		ch->desc = dmam_alloc_coherent(dev, SYSDMA_SG_MAX_DESC *
					       sizeof(*ch->desc),
					       &ch->desc_dma, GFP_KERNEL);
		if (!ch->desc)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Called once every user of the channels is finished (teardown waits for
 * that, forcing a stuck transfer to end first: sdma_adapter_force_stop()).
 * A channel still owned here is a bug of a layer above: it is reported
 * and left alone (taking it away would let a live transaction touch a
 * channel it no longer owns).
 */
void sdma_adapter_shutdown(struct sdma_adapter *ad)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&ad->lock, flags);
	ad->dead = true;
	for (i = 0; i < ad->nr_channels; i++)
		WARN(ad->ch[i].owner, "sysdma: ch%u still allocated at shutdown\n",
		     i);
	spin_unlock_irqrestore(&ad->lock, flags);
	for (i = 0; i < ad->nr_channels; i++)
		del_timer_sync(&ad->ch[i].poll);
}

/*
 * Removal or reset begins: grant no channel any more (H4), so that a
 * context still queued stays queued and its request ends through Cancel()
 * returning TRUE (K2) instead of being programmed while everything is
 * being aborted.  New allocations fail with NO_SUCH_DEVICE.
 */
void sdma_adapter_stop(struct sdma_adapter *ad)
{
	unsigned long flags;

	spin_lock_irqsave(&ad->lock, flags);
	ad->dead = true;
	spin_unlock_irqrestore(&ad->lock, flags);
}

/* After a device reset: accept allocations again. */
void sdma_adapter_restart(struct sdma_adapter *ad)
{
	unsigned long flags;

	spin_lock_irqsave(&ad->lock, flags);
	ad->dead = false;
	ad->hw_reset = false;
	spin_unlock_irqrestore(&ad->lock, flags);
}

static struct sdma_chan *sdma_find_free(struct sdma_adapter *ad, int want)
{
	unsigned int i;

	if (want >= 0)
		return ad->ch[want].owner ? NULL : &ad->ch[want];
	for (i = 0; i < ad->nr_channels; i++)
		if (!ad->ch[i].owner)
			return &ad->ch[i];
	return NULL;
}

/* Called with ad->lock held. */
static void sdma_grant(struct sdma_adapter *ad, struct sdma_chan *ch,
		       struct sdma_xfer_ctx *ctx)
{
	ch->owner = ctx;
	ch->mapped = false;
	ch->flush_owed = false;
	ch->cancel_written = false;
	ch->forced = false;
	trace_sysdma_channel_granted(ctx, ch->id, 0);
	ctx->channel = ch->id;
	ctx->state = SDMA_CTX_ALLOCATED;
	sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_CLAIM, 1);
	dev_dbg(ad->dev, "H4: ch%u granted to ctx %p\n", ch->id, ctx);
}

/*
 * Hand free channels to queued contexts in FIFO order (held contexts are
 * skipped).  Called with ad->lock held; the granted contexts are moved to
 * @granted and their execution routines are run by the caller once the
 * lock is dropped.
 */
static void sdma_dispatch(struct sdma_adapter *ad, struct list_head *granted)
{
	struct sdma_xfer_ctx *ctx, *tmp;
	struct sdma_chan *ch;

	if (ad->dead)
		return;
	list_for_each_entry_safe(ctx, tmp, &ad->waiters, node) {
		if (ctx->held)
			continue;
		ch = sdma_find_free(ad, ctx->want);
		if (!ch)
			continue;
		list_del(&ctx->node);
		sdma_grant(ad, ch, ctx);
		list_add_tail(&ctx->node, granted);
	}
}

static void sdma_run_granted(struct sdma_adapter *ad, struct list_head *granted)
{
	struct sdma_xfer_ctx *ctx, *tmp;

	list_for_each_entry_safe(ctx, tmp, granted, node) {
		list_del_init(&ctx->node);
		ctx->exec(ad, ctx->channel, ctx->exec_ctx);
	}
}

/*
 * AllocateAdapterChannelEx.  H4: @ctx is the request's own transfer
 * context; it must not be in use.  When a suitable channel is free it is
 * granted at once and this returns SUCCESS: the caller continues inline
 * and @exec is not called.  Otherwise the
 * waiting variant queues the context (PENDING; @exec runs when a channel
 * is granted, CancelAdapterChannel can take it back) and the non-waiting variant (SDMA_ALLOC_NOWAIT) fails at
 * once with INSUFFICIENT_RESOURCES.
 */
enum sdma_status
sdma_allocate_adapter_channel(struct sdma_adapter *ad,
			      struct sdma_xfer_ctx *ctx, int channel,
			      unsigned int flags, sdma_execution_routine exec,
			      void *exec_ctx)
{
	struct sdma_dev *sd = ad_to_sd(ad);
	struct sdma_chan *ch = NULL;
	unsigned long irqf;

	if (channel >= (int)ad->nr_channels || channel < -1)
		return SDMA_STATUS_INVALID_PARAMETER;

	spin_lock_irqsave(&ad->lock, irqf);
	if (ad->dead) {
		spin_unlock_irqrestore(&ad->lock, irqf);
		return SDMA_STATUS_NO_SUCH_DEVICE;
	}
	if (ctx->state != SDMA_CTX_IDLE) {
		spin_unlock_irqrestore(&ad->lock, irqf);
		sdma_caller_error(sd, "H4: transfer context %p already in use\n",
				  ctx);
		return SDMA_STATUS_INVALID_PARAMETER;
	}
	ctx->want = channel;
	ctx->held = !!(flags & SDMA_ALLOC_HOLD);
	ctx->cancelled = false;
	ctx->exec = exec;
	ctx->exec_ctx = exec_ctx;
	ctx->done = NULL;
	ctx->mapped_len = 0;
	if (!ctx->held)
		ch = sdma_find_free(ad, channel);
	if (ch) {
		sdma_grant(ad, ch, ctx);
		spin_unlock_irqrestore(&ad->lock, irqf);
		return SDMA_STATUS_SUCCESS;
	}
	if (flags & SDMA_ALLOC_NOWAIT) {
		spin_unlock_irqrestore(&ad->lock, irqf);
		dev_dbg(ad->dev, "H4: no free channel, non-waiting allocation fails\n");
		return SDMA_STATUS_INSUFFICIENT_RESOURCES;
	}
	ctx->state = SDMA_CTX_WAITING;
	list_add_tail(&ctx->node, &ad->waiters);
	trace_sysdma_channel_queued(ctx, channel, 0);
	spin_unlock_irqrestore(&ad->lock, irqf);
	sdma_stat_inc(sd, SYSDMA_STAT_CHANNEL_WAITS);
	dev_dbg(ad->dev, "H4: ctx %p queued for a channel%s\n", ctx,
		ctx->held ? " (held)" : "");
	return SDMA_STATUS_PENDING;
}

/* CancelAdapterChannel: take back a pending allocation (H4). */
bool sdma_cancel_adapter_channel(struct sdma_adapter *ad,
				 struct sdma_xfer_ctx *ctx)
{
	unsigned long flags;
	bool cancelled = false;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state == SDMA_CTX_WAITING) {
		list_del_init(&ctx->node);
		ctx->state = SDMA_CTX_IDLE;
		cancelled = true;
	}
	spin_unlock_irqrestore(&ad->lock, flags);
	dev_dbg(ad->dev, "H4: cancel pending allocation of ctx %p: %s\n", ctx,
		cancelled ? "cancelled" : "not pending");
	return cancelled;
}

/* Test hook SYSDMA_F_HOLD_CHANNEL: let a held context take a channel. */
void sdma_adapter_release_hold(struct sdma_adapter *ad,
			       struct sdma_xfer_ctx *ctx)
{
	LIST_HEAD(granted);
	unsigned long flags;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state == SDMA_CTX_WAITING && ctx->held) {
		ctx->held = false;
		sdma_dispatch(ad, &granted);
	}
	spin_unlock_irqrestore(&ad->lock, flags);
	sdma_run_granted(ad, &granted);
}

unsigned int sdma_adapter_free_channels(struct sdma_adapter *ad)
{
	unsigned long flags;
	unsigned int i, n = 0;

	spin_lock_irqsave(&ad->lock, flags);
	for (i = 0; i < ad->nr_channels; i++)
		n += !ad->ch[i].owner;
	spin_unlock_irqrestore(&ad->lock, flags);
	return n;
}

/*
 * MapTransferEx: program the channel with @segs (one contiguous piece, or
 * a descriptor chain when @use_sg) and start it.  The transfer is bounded
 * by the controller's MAX_XFER and SYSDMA_SG_MAX_DESC; the mapped length
 * is written to *length before START, so before the completion routine
 * can possibly run (H3).  A cancelled context fails with CANCELLED and
 * maps nothing (H3, H1).
 */
enum sdma_status sdma_map_transfer(struct sdma_adapter *ad,
				   struct sdma_xfer_ctx *ctx,
				   const struct sdma_seg *segs,
				   unsigned int nsegs, bool use_sg,
				   u32 *length,
				   sdma_dma_completion_routine done,
				   void *done_ctx)
{
	struct sdma_dev *sd = ad_to_sd(ad);
	struct sdma_chan *ch;
	unsigned long flags;
	u32 cfg, total = 0;
	unsigned int i, n;

	*length = 0;
	if (!nsegs || !segs[0].len)
		return SDMA_STATUS_INVALID_PARAMETER;
	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state != SDMA_CTX_ALLOCATED) {
		spin_unlock_irqrestore(&ad->lock, flags);
		sdma_caller_error(sd, "MapTransfer on ctx %p without a channel\n",
				  ctx);
		return SDMA_STATUS_INVALID_PARAMETER;
	}
	if (ctx->cancelled) {
		/* H3: no transfer runs under a cancelled context */
		spin_unlock_irqrestore(&ad->lock, flags);
		dev_dbg(ad->dev, "H3: MapTransfer on cancelled ctx %p fails\n",
			ctx);
		return SDMA_STATUS_CANCELLED;
	}
	ch = &ad->ch[ctx->channel];
	if (ch->mapped || ch->flush_owed) {
		/* H2: FlushAdapterBuffers is owed before mapping again */
		spin_unlock_irqrestore(&ad->lock, flags);
		sdma_caller_error(sd, "H2: MapTransfer on ch%u: %s\n", ch->id,
				  ch->mapped ? "transfer running" :
				  "flush owed");
		return SDMA_STATUS_INVALID_DEVICE_REQUEST;
	}

	cfg = (ctx->dir & SYSDMA_CFG_DIR_MASK) | SYSDMA_CFG_IRQ_EN;
	if (!use_sg || !ad->has_sg || nsegs == 1) {
		total = min(segs[0].len, ad->max_xfer);
		sdma_ch_wr64(ad->regs, ch->id, SYSDMA_CH_SRC_LO,
			     SYSDMA_CH_SRC_HI, segs[0].src);
		sdma_ch_wr64(ad->regs, ch->id, SYSDMA_CH_DST_LO,
			     SYSDMA_CH_DST_HI, segs[0].dst);
		n = 1;
	} else {
		n = min_t(unsigned int, nsegs, SYSDMA_SG_MAX_DESC);
		for (i = 0; i < n; i++) {
			struct sdma_hw_desc *d = &ch->desc[i];
			u32 len = min(segs[i].len, ad->max_xfer - total);

			d->src = cpu_to_le64(segs[i].src);
			d->dst = cpu_to_le64(segs[i].dst);
			d->len = cpu_to_le32(len);
			d->next = cpu_to_le64(ch->desc_dma +
					      (i + 1) * sizeof(*d));
			d->flags = 0;
			total += len;
			if (total == ad->max_xfer)
				break;
		}
		n = min(i + 1, n);
		ch->desc[n - 1].flags = cpu_to_le32(SYSDMA_DESC_END);
		ch->desc[n - 1].next = 0;
		cfg |= SYSDMA_CFG_SG;
		sdma_ch_wr64(ad->regs, ch->id, SYSDMA_CH_SRC_LO,
			     SYSDMA_CH_SRC_HI, ch->desc_dma);
		sdma_ch_wr64(ad->regs, ch->id, SYSDMA_CH_DST_LO,
			     SYSDMA_CH_DST_HI, 0);
		/* descriptors visible before the device can fetch them */
		dma_wmb();
	}
	sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_LEN, total);
	sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_CFG, cfg);

	/* H3: the mapped length is known before the completion can run */
	*length = total;
	ctx->mapped_len = total;
	ctx->done = done;
	ctx->done_ctx = done_ctx;
	ch->mapped = true;
	ch->cancel_written = false;
	ch->pause_written = false;
	sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_START, 1);
	trace_sysdma_program(ctx, ch->id, total);
	spin_unlock_irqrestore(&ad->lock, flags);
	sdma_stat_inc(sd, SYSDMA_STAT_TRANSFERS);
	dev_dbg(ad->dev, "H3: ch%u mapped %u bytes in %u piece(s)%s, started\n",
		ch->id, total, n, cfg & SYSDMA_CFG_SG ? " (sg)" : "");
	return SDMA_STATUS_SUCCESS;
}

/*
 * FlushAdapterBuffersEx (H2): drains the controller's FIFO to memory.
 * Exactly one per successful MapTransfer, after the transfer ended
 * (completed, failed or cancelled), before the next map or the release.
 */
enum sdma_status sdma_flush_adapter_buffers(struct sdma_adapter *ad,
					    struct sdma_xfer_ctx *ctx)
{
	struct sdma_dev *sd = ad_to_sd(ad);
	struct sdma_chan *ch;
	unsigned long flags;
	u32 st;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state != SDMA_CTX_ALLOCATED ||
	    !ad->ch[ctx->channel].flush_owed) {
		spin_unlock_irqrestore(&ad->lock, flags);
		sdma_caller_error(sd, "H2: flush with nothing mapped (ctx %p)\n",
				  ctx);
		return SDMA_STATUS_INVALID_DEVICE_REQUEST;
	}
	ch = &ad->ch[ctx->channel];
	ch->flush_owed = false;
	if (ad->hw_reset) {
		/* the controller was reset under it: its FIFO is gone */
		spin_unlock_irqrestore(&ad->lock, flags);
		sdma_stat_inc(sd, SYSDMA_STAT_FLUSHES);
		return SDMA_STATUS_SUCCESS;
	}
	sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_FLUSH, 1);
	st = sdma_ch_rd(ad->regs, ch->id, SYSDMA_CH_STATUS);
	trace_sysdma_flush(ctx, ch->id, st);
	spin_unlock_irqrestore(&ad->lock, flags);
	sdma_stat_inc(sd, SYSDMA_STAT_FLUSHES);
	if (st & SYSDMA_STATUS_FLUSH_OWED)
		dev_warn_ratelimited(ad->dev, "H2: ch%u still owes a flush (status %#x)\n",
				     ch->id, st);
	dev_dbg(ad->dev, "H2: ch%u flushed\n", ch->id);
	return SDMA_STATUS_SUCCESS;
}

/*
 * CancelMappedTransfer (H1): mark the context cancelled so that no further
 * transfer runs under it (MapTransfer fails, H3) and stop the running one
 * within a chunk.  The completion routine is still called, with
 * DmaCancelled, or DmaComplete when the transfer finished first.  Never
 * sleeps.  An unknown, queued or released context is an error.
 */
enum sdma_status sdma_cancel_mapped_transfer(struct sdma_adapter *ad,
					     struct sdma_xfer_ctx *ctx)
{
	struct sdma_chan *ch;
	unsigned long flags;
	bool kick = false;
	u32 st;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state != SDMA_CTX_ALLOCATED) {
		spin_unlock_irqrestore(&ad->lock, flags);
		dev_dbg(ad->dev, "H1: cancel of unknown/finished ctx %p\n", ctx);
		return SDMA_STATUS_INVALID_PARAMETER;
	}
	ctx->cancelled = true;
	ch = &ad->ch[ctx->channel];
	if (ch->mapped && !ad->hw_reset) {
		st = sdma_ch_rd(ad->regs, ch->id, SYSDMA_CH_STATUS);
		if (sdma_status_state(st) == SYSDMA_STATE_BUSY) {
			if (!ch->cancel_written)
				sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_CANCEL, 1);
			ch->cancel_written = true;
			mod_timer(&ch->poll, jiffies +
				  msecs_to_jiffies(sdma_param_cancel_poll_ms));
		} else {
			/*
			 * Finished first (H1: DmaComplete).  Its interrupt may
			 * have been lost: let the DPC look at the channel.
			 */
			kick = true;
		}
	}
	spin_unlock_irqrestore(&ad->lock, flags);
	dev_dbg(ad->dev, "H1: ctx %p on ch%u cancelled%s\n", ctx, ch->id,
		ch->cancel_written ? ", CANCEL written" : "");
	if (kick)
		ad->kick(ad);
	return SDMA_STATUS_SUCCESS;
}

/* FreeAdapterChannel: release the channel (CLAIM=0) and serve waiters. */
enum sdma_status sdma_free_adapter_channel(struct sdma_adapter *ad,
					   struct sdma_xfer_ctx *ctx)
{
	struct sdma_dev *sd = ad_to_sd(ad);
	struct sdma_chan *ch;
	LIST_HEAD(granted);
	unsigned long flags;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state != SDMA_CTX_ALLOCATED) {
		spin_unlock_irqrestore(&ad->lock, flags);
		sdma_caller_error(sd, "V4: free of a channel not held by ctx %p\n",
				  ctx);
		return SDMA_STATUS_INVALID_PARAMETER;
	}
	ch = &ad->ch[ctx->channel];
	if (ch->mapped) {
		spin_unlock_irqrestore(&ad->lock, flags);
		sdma_caller_error(sd, "free of ch%u with a transfer running\n",
				  ch->id);
		return SDMA_STATUS_INVALID_DEVICE_REQUEST;
	}
	if (ch->flush_owed) {
		/* H2 broken by the caller: flush anyway, keep the device sane */
		sdma_caller_error(sd, "H2: ch%u released without flush\n",
				  ch->id);
		if (!ad->hw_reset)
			sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_FLUSH, 1);
		ch->flush_owed = false;
	}
	if (!ad->hw_reset)
		sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_CLAIM, 0);
	ch->owner = NULL;
	ch->cancel_written = false;
	ctx->state = SDMA_CTX_IDLE;
	sdma_dispatch(ad, &granted);
	spin_unlock_irqrestore(&ad->lock, flags);
	del_timer(&ch->poll);
	dev_dbg(ad->dev, "ch%u released\n", ch->id);
	sdma_run_granted(ad, &granted);
	return SDMA_STATUS_SUCCESS;
}

/*
 * DPC work: find channels whose mapped transfer ended and run their
 * completion routines.  Driven by the interrupt, by the cancel poll timer
 * and by CancelMappedTransfer, so a lost interrupt is recovered as soon as
 * anybody (R5's timer) cancels the transfer.
 */
void sdma_adapter_service(struct sdma_adapter *ad)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < ad->nr_channels; i++) {
		struct sdma_chan *ch = &ad->ch[i];
		sdma_dma_completion_routine done;
		enum sdma_dma_status dst;
		struct sdma_xfer_ctx *ctx;
		void *arg;
		u32 st;

		spin_lock_irqsave(&ad->lock, flags);
		if (!ch->mapped) {
			spin_unlock_irqrestore(&ad->lock, flags);
			continue;
		}
		st = sdma_ch_rd(ad->regs, i, SYSDMA_CH_STATUS);
		if (sdma_status_state(st) == SYSDMA_STATE_BUSY) {
			if (ch->cancel_written)
				mod_timer(&ch->poll, jiffies +
					  msecs_to_jiffies(sdma_param_cancel_poll_ms));
			spin_unlock_irqrestore(&ad->lock, flags);
			continue;
		}
		ctx = ch->owner;
		ctx->last_status = st;
		ctx->last_bytes = sdma_ch_rd(ad->regs, i, SYSDMA_CH_BYTES);
		ctx->last_crc = sdma_ch_rd(ad->regs, i, SYSDMA_CH_SINK_CRC);
		ch->mapped = false;
		ch->flush_owed = true;
		done = ctx->done;
		arg = ctx->done_ctx;
		spin_unlock_irqrestore(&ad->lock, flags);

		switch (sdma_status_state(st)) {
		case SYSDMA_STATE_COMPLETE:
			dst = SDMA_DMA_COMPLETE;
			break;
		case SYSDMA_STATE_CANCELLED:
			dst = SDMA_DMA_CANCELLED;
			break;
		default:	/* ERROR, or IDLE/garbage after a reset */
			dst = SDMA_DMA_ERROR;
			break;
		}
		dev_dbg(ad->dev, "H5: ch%u ended %s, %u of %u bytes (status %#x)\n",
			i, sdma_dma_status_name(dst), ctx->last_bytes,
			ctx->mapped_len, st);
		done(ad, arg, dst);
	}
}

/*
 * Bytes of the current (or last) mapped transfer of @ctx that reached
 * memory: BYTES, less what a P2M transfer still holds in the FIFO until
 * its flush (H2).  Exact and live.
 */
u32 sdma_adapter_bytes_moved(struct sdma_adapter *ad,
			     struct sdma_xfer_ctx *ctx)
{
	struct sdma_chan *ch;
	unsigned long flags;
	u32 bytes, fifo = 0;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state != SDMA_CTX_ALLOCATED) {
		spin_unlock_irqrestore(&ad->lock, flags);
		return ctx->last_bytes;
	}
	ch = &ad->ch[ctx->channel];
	if ((!ch->mapped && !ch->flush_owed) || ad->hw_reset) {
		/* flushed (all of it is in memory), or no MMIO after a reset */
		spin_unlock_irqrestore(&ad->lock, flags);
		return ctx->last_bytes;
	}
	bytes = sdma_ch_rd(ad->regs, ch->id, SYSDMA_CH_BYTES);
	if (ctx->dir == SYSDMA_DIR_P2M)
		fifo = sdma_ch_rd(ad->regs, ch->id, SYSDMA_CH_FIFO_LEVEL);
	spin_unlock_irqrestore(&ad->lock, flags);
	return bytes - min(fifo, bytes);
}

/*
 * Pause (PAUSE = 1) or resume (PAUSE = 0) the mapped transfer of @ctx.
 * Written only to a BUSY channel (elsewhere it would be a no-op); the
 * engine stops at its next step boundary and sets STATUS.PAUSED
 * (sdma_adapter_paused()).  While paused the channel stays BUSY, so the
 * DPC leaves it alone, and CANCEL still stops it (H1), clearing the pause.
 * Nothing mapped: nothing to do (the caller holds back its next transfer).
 */
int sdma_adapter_pause(struct sdma_adapter *ad, struct sdma_xfer_ctx *ctx,
		       bool pause)
{
	struct sdma_chan *ch;
	unsigned long flags;
	u32 st;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state != SDMA_CTX_ALLOCATED) {
		spin_unlock_irqrestore(&ad->lock, flags);
		return -EINVAL;
	}
	ch = &ad->ch[ctx->channel];
	st = ch->mapped && !ad->hw_reset ?
		sdma_ch_rd(ad->regs, ch->id, SYSDMA_CH_STATUS) : 0;
	if (sdma_status_state(st) == SYSDMA_STATE_BUSY &&
	    pause != ch->pause_written) {
		sdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_PAUSE, pause);
		ch->pause_written = pause;
		dev_dbg(ad->dev, "ch%u: PAUSE %d\n", ch->id, pause);
	}
	spin_unlock_irqrestore(&ad->lock, flags);
	return 0;
}

/* The engine stopped for a pause, or the transfer is no longer running. */
bool sdma_adapter_paused(struct sdma_adapter *ad, struct sdma_xfer_ctx *ctx)
{
	unsigned long flags;
	bool ret = true;
	u32 st;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state == SDMA_CTX_ALLOCATED && ad->ch[ctx->channel].mapped &&
	    !ad->hw_reset) {
		st = sdma_ch_rd(ad->regs, ctx->channel, SYSDMA_CH_STATUS);
		ret = (st & SYSDMA_STATUS_PAUSED) ||
			sdma_status_state(st) != SYSDMA_STATE_BUSY;
	}
	spin_unlock_irqrestore(&ad->lock, flags);
	return ret;
}

/*
 * The peripheral end of the context's channel (M2P sink, P2M source):
 * restart its stream with @seed (SEED register).  The context must own
 * its channel.
 */
enum sdma_status sdma_adapter_seed_peripheral(struct sdma_adapter *ad,
					      struct sdma_xfer_ctx *ctx,
					      u32 seed)
{
	enum sdma_status st = SDMA_STATUS_SUCCESS;
	unsigned long flags;

	spin_lock_irqsave(&ad->lock, flags);
	if (ctx->state == SDMA_CTX_ALLOCATED && !ad->hw_reset)
		sdma_ch_wr(ad->regs, ctx->channel, SYSDMA_CH_SEED, seed);
	else
		st = SDMA_STATUS_INVALID_PARAMETER;
	spin_unlock_irqrestore(&ad->lock, flags);
	return st;
}

/*
 * The device's fault-injection window of @channel (SYSDMA_CH_FAULT_*):
 * parameters first, the mode (which arms) last.  -EINVAL: no such
 * channel; -ENODEV: the adapter is stopped.
 */
int sdma_adapter_set_fault(struct sdma_adapter *ad, unsigned int channel,
			   u32 mode, u32 sticky, u32 error_after,
			   u32 delay_us, u32 slow_rate)
{
	unsigned long flags;

	if (channel >= ad->nr_channels)
		return -EINVAL;
	spin_lock_irqsave(&ad->lock, flags);
	if (ad->dead) {
		spin_unlock_irqrestore(&ad->lock, flags);
		return -ENODEV;
	}
	sdma_ch_wr(ad->regs, channel, SYSDMA_CH_FAULT_ERROR_AFTER, error_after);
	sdma_ch_wr(ad->regs, channel, SYSDMA_CH_FAULT_DELAY_US, delay_us);
	sdma_ch_wr(ad->regs, channel, SYSDMA_CH_FAULT_SLOW_RATE, slow_rate);
	sdma_ch_wr(ad->regs, channel, SYSDMA_CH_FAULT_STICKY, sticky);
	sdma_ch_wr(ad->regs, channel, SYSDMA_CH_FAULT_MODE, mode);
	spin_unlock_irqrestore(&ad->lock, flags);
	dev_dbg(ad->dev, "ch%u faults: mode %#x sticky %#x\n", channel, mode,
		sticky);
	return 0;
}

/*
 * Teardown of a device that does not let its transfers end: every mapped
 * transfer is ended now, whatever the controller says.  CANCEL is written
 * (again) to every busy channel and whatever stopped is completed as
 * usual (also a transfer whose interrupt was lost); a channel still busy
 * after that ignores CANCEL: the controller is reset (CTRL_RESET stops
 * every channel, so nothing can touch memory any more), no register is
 * written after that until sdma_adapter_restart(), and the completion
 * routines of those transfers run with DmaCancelled and the BYTES read
 * before the reset.  Only called once the adapter is stopped.  Returns
 * the number of transfers ended by the reset.
 */
unsigned int sdma_adapter_force_stop(struct sdma_adapter *ad)
{
	struct sdma_xfer_ctx *stuck[SYSDMA_MAX_CHANNELS];
	unsigned int i, n = 0;
	unsigned long flags;

	spin_lock_irqsave(&ad->lock, flags);
	for (i = 0; i < ad->nr_channels; i++) {
		struct sdma_chan *ch = &ad->ch[i];

		if (!ch->mapped || ad->hw_reset)
			continue;
		if (sdma_status_state(sdma_ch_rd(ad->regs, i, SYSDMA_CH_STATUS)) ==
		    SYSDMA_STATE_BUSY) {
			sdma_ch_wr(ad->regs, i, SYSDMA_CH_CANCEL, 1);
			ch->cancel_written = true;
		}
	}
	spin_unlock_irqrestore(&ad->lock, flags);
	/* what stopped (or ended with its interrupt lost) completes now */
	sdma_adapter_service(ad);

	spin_lock_irqsave(&ad->lock, flags);
	for (i = 0; i < ad->nr_channels; i++) {
		struct sdma_chan *ch = &ad->ch[i];
		struct sdma_xfer_ctx *ctx = ch->owner;

		if (!ch->mapped || !ctx ||
		    sdma_status_state(sdma_ch_rd(ad->regs, i, SYSDMA_CH_STATUS)) !=
		    SYSDMA_STATE_BUSY)
			continue;	/* ended meanwhile: serviced below */
		ctx->last_bytes = sdma_ch_rd(ad->regs, i, SYSDMA_CH_BYTES);
		ctx->last_crc = sdma_ch_rd(ad->regs, i, SYSDMA_CH_SINK_CRC);
		ctx->last_status = SYSDMA_STATE_CANCELLED;
		ch->mapped = false;
		ch->flush_owed = true;
		ch->forced = true;
		stuck[n++] = ctx;
	}
	if (n) {
		sdma_wr(ad->regs, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
		ad->hw_reset = true;
	}
	spin_unlock_irqrestore(&ad->lock, flags);
	if (n)
		dev_err(ad->dev, "%u transfer(s) ignored CANCEL: controller reset\n",
			n);
	for (i = 0; i < n; i++)
		stuck[i]->done(ad, stuck[i]->done_ctx, SDMA_DMA_CANCELLED);
	sdma_adapter_service(ad);
	return n;
}
