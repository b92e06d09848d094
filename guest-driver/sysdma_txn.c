// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: the KMDF DMA transaction framework for system-mode DMA
 * (CONTRACT K1-K10), built on the HAL adapter (sysdma_adapter.c).
 *
 * Life of a transaction:
 *   create -> initialize -> [set transfer-complete callback] -> execute
 *   -> (wait for a channel) -> per transfer: EvtProgramDma, MapTransfer,
 *   controller runs, completion routine: FlushAdapterBuffers (H2), then
 *   the transfer-complete callback (or the driver's DPC, K7) -> the driver
 *   calls DmaCompleted* -> next transfer or done (channel freed) -> release.
 *
 * K1: cancellation is always supported (no DMA-version-3 enabler needed).
 *
 * Locking: txn->lock (irqsave) protects the state and the progress fields.
 * Lock order: request lock -> txn->lock -> adapter lock.  Driver callbacks
 * and FreeAdapterChannel are always called without txn->lock.
 */
#include <linux/slab.h>
#include "sysdma_core.h"
#include "sysdma_txn.h"

static void sdma_txn_work(struct work_struct *work);

const char *sdma_txn_state_name(enum sdma_txn_state st)
{
	static const char * const names[] = {
		[SDMA_TXN_CREATED] = "created",
		[SDMA_TXN_INITIALIZED] = "initialized",
		[SDMA_TXN_WAIT_CHANNEL] = "wait-channel",
		[SDMA_TXN_PROGRAMMING] = "programming",
		[SDMA_TXN_TRANSFER] = "transfer",
		[SDMA_TXN_TRANSFER_DONE] = "transfer-done",
		[SDMA_TXN_BETWEEN] = "between",
		[SDMA_TXN_DONE] = "done",
		[SDMA_TXN_CANCELLED] = "cancelled",
	};

	return st < ARRAY_SIZE(names) ? names[st] : "?";
}

/* WdfDmaTransactionCreate */
struct sdma_txn *sdma_txn_create(struct sdma_dev *sd, sdma_evt_dpc dpc)
{
	struct sdma_txn *txn = kzalloc(sizeof(*txn), GFP_KERNEL);

	if (!txn)
		return NULL;
	txn->segs = kcalloc(SYSDMA_SG_MAX_DESC, sizeof(*txn->segs),
			    GFP_KERNEL);
	if (!txn->segs) {
		kfree(txn);
		return NULL;
	}
	txn->sd = sd;
	txn->dpc = dpc;
	txn->channel = -1;
	txn->state = SDMA_TXN_CREATED;
	spin_lock_init(&txn->lock);
	INIT_LIST_HEAD(&txn->xctx.node);
	INIT_WORK(&txn->work, sdma_txn_work);
	return txn;
}

/* WdfObjectDelete: process context; waits for the framework worker. */
void sdma_txn_delete(struct sdma_txn *txn)
{
	if (!txn)
		return;
	cancel_work_sync(&txn->work);
	kfree(txn->segs);
	kfree(txn);
}

static void sdma_cursor_init(struct sdma_cursor *c, struct sg_table *sgt)
{
	c->sg = sgt ? sgt->sgl : NULL;
	c->idx = 0;
	c->off = 0;
}

static u32 sdma_cursor_room(struct sdma_cursor *c)
{
	return sg_dma_len(c->sg) - c->off;
}

static void sdma_cursor_advance(struct sdma_cursor *c, struct sg_table *sgt,
				u32 len)
{
	c->off += len;
	if (c->off == sg_dma_len(c->sg) && c->idx + 1 < sgt->nents) {
		c->sg = sg_next(c->sg);
		c->idx++;
		c->off = 0;
	}
}

static void sdma_cursor_seek(struct sdma_cursor *c, struct sg_table *sgt,
			     u64 pos)
{
	sdma_cursor_init(c, sgt);
	while (pos) {
		u32 step = min_t(u64, pos, sdma_cursor_room(c));

		sdma_cursor_advance(c, sgt, step);
		pos -= step;
	}
}

/* WdfDmaTransactionInitialize (from mapped scatter-gather tables) */
int sdma_txn_initialize(struct sdma_txn *txn, sdma_evt_program_dma program,
			u32 direction, struct sg_table *src,
			struct sg_table *dst, u64 length)
{
	struct sdma_dev *sd = txn->sd;
	bool need_src = direction != SYSDMA_DIR_P2M;
	bool need_dst = direction != SYSDMA_DIR_M2P;
	unsigned long flags;

	if (direction > SYSDMA_DIR_P2M || !length || !program ||
	    need_src != !!src || need_dst != !!dst)
		return -EINVAL;
	spin_lock_irqsave(&txn->lock, flags);
	if (txn->state != SDMA_TXN_CREATED) {
		spin_unlock_irqrestore(&txn->lock, flags);
		sdma_caller_error(sd, "initialize of a %s transaction\n",
				  sdma_txn_state_name(txn->state));
		return -EBUSY;
	}
	txn->program = program;
	txn->complete_cb = NULL;
	txn->complete_ctx = NULL;
	txn->dir = direction;
	txn->xctx.dir = direction;
	txn->src = src;
	txn->dst = dst;
	txn->length = length;
	txn->max_len = sd->max_xfer;
	txn->want_channel = -1;
	txn->cfg = 0;
	txn->transferred = 0;
	txn->cur_len = 0;
	txn->cur_bytes = 0;
	txn->cur_mapped = false;
	txn->transfers = 0;
	txn->stop_requested = false;
	txn->cancel_requested = false;
	txn->held = false;
	txn->granted_held = false;
	txn->channel = -1;
	txn->hw_status = 0;
	txn->hw_bytes = 0;
	txn->hw_crc = 0;
	sdma_cursor_init(&txn->cs, src);
	sdma_cursor_init(&txn->cd, dst);
	txn->state = SDMA_TXN_INITIALIZED;
	spin_unlock_irqrestore(&txn->lock, flags);
	dev_dbg(sd->dev, "txn %p initialized: dir %u, %llu bytes\n", txn,
		direction, length);
	return 0;
}

static int sdma_txn_config_check(struct sdma_txn *txn, const char *what)
{
	if (txn->state == SDMA_TXN_INITIALIZED)
		return 0;
	sdma_caller_error(txn->sd, "%s on a %s transaction\n", what,
			  sdma_txn_state_name(txn->state));
	return -EPERM;
}

/* WdfDmaTransactionSetMaximumLength (K10) */
int sdma_txn_set_maximum_length(struct sdma_txn *txn, u64 max_len)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&txn->lock, flags);
	ret = sdma_txn_config_check(txn, "SetMaximumLength");
	if (!ret && max_len)
		txn->max_len = min_t(u64, max_len, txn->sd->max_xfer);
	spin_unlock_irqrestore(&txn->lock, flags);
	return ret;
}

/* WdfDmaTransactionSetChannelConfiguration (+ our test hooks) */
int sdma_txn_set_channel_configuration(struct sdma_txn *txn, int channel,
				       unsigned int cfg)
{
	unsigned long flags;
	int ret;

	if (channel < -1 || channel >= (int)txn->sd->adapter.nr_channels)
		return -EINVAL;
	spin_lock_irqsave(&txn->lock, flags);
	ret = sdma_txn_config_check(txn, "SetChannelConfiguration");
	if (!ret) {
		txn->want_channel = channel;
		txn->cfg = cfg;
	}
	spin_unlock_irqrestore(&txn->lock, flags);
	return ret;
}

/*
 * WdfDmaTransactionSetTransferCompleteCallback.  K8: only between
 * initialize and execute; release clears it.
 */
int sdma_txn_set_transfer_complete_callback(struct sdma_txn *txn,
					    sdma_evt_transfer_complete cb,
					    void *context)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&txn->lock, flags);
	ret = sdma_txn_config_check(txn, "K8: SetTransferCompleteCallback");
	if (!ret) {
		txn->complete_cb = cb;
		txn->complete_ctx = context;
	}
	spin_unlock_irqrestore(&txn->lock, flags);
	return ret;
}

sdma_evt_transfer_complete
sdma_txn_get_transfer_complete_callback(struct sdma_txn *txn)
{
	return READ_ONCE(txn->complete_cb);
}

/*
 * The channel is ours: EvtProgramDma for the first transfer is due.
 * Called with txn->lock held.  Test hook SYSDMA_F_HOLD_GRANTED parks the
 * transaction here instead (no sleeping: this may run in the DPC that
 * freed the channel): it stays WAIT_CHANNEL with its channel granted, so
 * Cancel returns FALSE (K2), until sdma_txn_release_holds() starts it.
 */
static void sdma_txn_start_granted(struct sdma_txn *txn)
{
	if (txn->cfg & SDMA_TXN_HOLD_GRANTED) {
		txn->cfg &= ~SDMA_TXN_HOLD_GRANTED;
		txn->granted_held = true;
		return;
	}
	txn->state = SDMA_TXN_PROGRAMMING;
	queue_work(txn->sd->wq, &txn->work);
}

/* Adapter ExecutionRoutine for a queued allocation: a channel is ours. */
static void sdma_txn_channel_granted(struct sdma_adapter *ad,
				     unsigned int channel, void *context)
{
	struct sdma_txn *txn = context;
	unsigned long flags;

	spin_lock_irqsave(&txn->lock, flags);
	if (txn->state == SDMA_TXN_WAIT_CHANNEL) {
		txn->channel = channel;
		sdma_txn_start_granted(txn);
	}
	spin_unlock_irqrestore(&txn->lock, flags);
	dev_dbg(txn->sd->dev, "txn %p: channel %u granted\n", txn, channel);
}

/*
 * WdfDmaTransactionExecute.  Allocates a channel (queueing unless the
 * transaction asked for the non-waiting variant, H4); EvtProgramDma for
 * the first transfer runs from the framework worker.  Returns SUCCESS
 * when the transaction is under way (possibly still waiting for a
 * channel), INSUFFICIENT_RESOURCES for a failed non-waiting allocation.
 * K2: a later Cancel that returns TRUE makes this asynchronous
 * continuation fail: EvtProgramDma is never called.
 */
enum sdma_status sdma_txn_execute(struct sdma_txn *txn, void *context)
{
	struct sdma_dev *sd = txn->sd;
	unsigned int aflags = 0;
	enum sdma_status st;
	unsigned long flags;

	spin_lock_irqsave(&txn->lock, flags);
	if (txn->state != SDMA_TXN_INITIALIZED) {
		spin_unlock_irqrestore(&txn->lock, flags);
		sdma_caller_error(sd, "K8: execute of a %s transaction\n",
				  sdma_txn_state_name(txn->state));
		return SDMA_STATUS_INVALID_DEVICE_REQUEST;
	}
	if (txn->cfg & SDMA_TXN_NOWAIT)
		aflags |= SDMA_ALLOC_NOWAIT;
	if (txn->cfg & SDMA_TXN_HOLD_CHANNEL)
		aflags |= SDMA_ALLOC_HOLD;
	txn->context = context;
	txn->state = SDMA_TXN_WAIT_CHANNEL;
	/*
	 * Lock order txn -> adapter.  A queued context is granted later by
	 * sdma_txn_channel_granted(), which takes txn->lock itself.
	 */
	st = sdma_allocate_adapter_channel(&sd->adapter, &txn->xctx,
					   txn->want_channel, aflags,
					   sdma_txn_channel_granted, txn);
	if (st == SDMA_STATUS_SUCCESS) {
		txn->channel = txn->xctx.channel;
		sdma_txn_start_granted(txn);
	} else if (st == SDMA_STATUS_PENDING) {
		st = SDMA_STATUS_SUCCESS;
	} else {
		txn->state = SDMA_TXN_INITIALIZED;
	}
	spin_unlock_irqrestore(&txn->lock, flags);
	dev_dbg(sd->dev, "txn %p executed: %s\n", txn,
		st == SDMA_STATUS_SUCCESS ? "under way" : "failed");
	return st;
}

static void sdma_txn_free_channel(struct sdma_txn *txn)
{
	sdma_free_adapter_channel(&txn->sd->adapter, &txn->xctx);
}

/*
 * WdfDmaTransactionCancel.  Returns 1 (TRUE) only when the transaction
 * was executed and no transfer is being programmed: it is still queued
 * for a channel (K2) or between two transfers (K5); then nothing more is
 * programmed, no callback will be called, and the caller completes the
 * request.  Returns 0 (FALSE) before Execute and from the moment a
 * channel was granted for EvtProgramDma (about to run, running, has run).
 * Cancel during a running transfer also makes the following DmaCompleted
 * return TRUE (K5).  K3: calling it on a transaction that is not between
 * initialize and release is a caller error: counted, reported, -EPERM.
 * Never sleeps.
 */
int sdma_txn_cancel(struct sdma_txn *txn)
{
	struct sdma_dev *sd = txn->sd;
	unsigned long flags;
	bool free_chan = false;
	int ret = 0;

	spin_lock_irqsave(&txn->lock, flags);
	switch (txn->state) {
	case SDMA_TXN_CREATED:
		spin_unlock_irqrestore(&txn->lock, flags);
		sdma_caller_error(sd, "K3: Cancel outside initialize..release (txn %p)\n",
				  txn);
		return -EPERM;
	case SDMA_TXN_WAIT_CHANNEL:
		/* K2: still waiting for a channel: take the allocation back */
		if (sdma_cancel_adapter_channel(&sd->adapter, &txn->xctx)) {
			txn->state = SDMA_TXN_CANCELLED;
			ret = 1;
		}
		/*
		 * Else the adapter granted the channel and the execution
		 * routine has not run yet: EvtProgramDma is about to run
		 * (FALSE); StopSystemTransfer is valid from now on (K6).
		 */
		break;
	case SDMA_TXN_BETWEEN:
		/* K5: between transfers: program nothing more */
		txn->state = SDMA_TXN_CANCELLED;
		txn->held = false;
		free_chan = true;
		ret = 1;
		break;
	case SDMA_TXN_TRANSFER:
	case SDMA_TXN_TRANSFER_DONE:
		/* K5: lands just before DmaCompleted, which returns TRUE */
		txn->cancel_requested = true;
		break;
	default:
		break;
	}
	spin_unlock_irqrestore(&txn->lock, flags);
	if (free_chan)
		sdma_txn_free_channel(txn);
	dev_dbg(sd->dev, "K2: Cancel(txn %p) = %s\n", txn,
		ret ? "TRUE" : "FALSE");
	return ret;
}

/*
 * WdfDmaTransactionStopSystemTransfer (K6): valid only once EvtProgramDma
 * was called (a channel was granted).  Tells the HAL to cancel the mapped
 * transfer (H1) and returns at once: never sleeps, callable from atomic
 * context and under the request lock.  The transfer-complete callback
 * then sees DmaCancelled (or DmaComplete when the transfer won the race);
 * a transfer not yet mapped fails to map (H3) and is reported as
 * DmaCancelled.  Returns 0, -ENOENT when the transaction already finished
 * (a harmless race), -EPERM for a caller error.
 */
int sdma_txn_stop_system_transfer(struct sdma_txn *txn)
{
	struct sdma_dev *sd = txn->sd;
	unsigned long flags;
	bool unpark = false;
	int ret = 0;

	spin_lock_irqsave(&txn->lock, flags);
	switch (txn->state) {
	case SDMA_TXN_WAIT_CHANNEL:
		/*
		 * A channel granted whose execution routine has not run yet
		 * (Cancel returned FALSE for it, K2): EvtProgramDma is about
		 * to run, so the stop is valid.  Marking the context
		 * cancelled (H1) makes its MapTransfer fail (H3): the
		 * callback sees DmaCancelled.  The execution routine stays
		 * the only way on, so the transaction cannot finish (and be
		 * freed) before it ran.  Still queued: a caller error.
		 */
		if (sdma_cancel_mapped_transfer(&sd->adapter, &txn->xctx) ==
		    SDMA_STATUS_SUCCESS)
			txn->stop_requested = true;
		else
			ret = -EPERM;
		break;
	case SDMA_TXN_PROGRAMMING:
	case SDMA_TXN_TRANSFER:
	case SDMA_TXN_TRANSFER_DONE:
	case SDMA_TXN_BETWEEN:
		txn->stop_requested = true;
		sdma_cancel_mapped_transfer(&sd->adapter, &txn->xctx);
		if (txn->state == SDMA_TXN_BETWEEN && txn->held) {
			txn->held = false;
			unpark = true;
		}
		break;
	case SDMA_TXN_DONE:
	case SDMA_TXN_CANCELLED:
		ret = -ENOENT;
		break;
	default:
		ret = -EPERM;
		break;
	}
	if (unpark)
		queue_work(sd->wq, &txn->work);
	spin_unlock_irqrestore(&txn->lock, flags);
	if (ret == -EPERM)
		sdma_caller_error(sd, "K6: StopSystemTransfer before EvtProgramDma (txn %p, %s)\n",
				  txn, sdma_txn_state_name(txn->state));
	dev_dbg(sd->dev, "K6: StopSystemTransfer(txn %p) = %d\n", txn, ret);
	return ret;
}

/* Build the next transfer from the cursors: K10 splitting. */
static void sdma_txn_build(struct sdma_txn *txn)
{
	bool use_src = txn->dir != SYSDMA_DIR_P2M;
	bool use_dst = txn->dir != SYSDMA_DIR_M2P;
	unsigned int max_segs = (txn->cfg & SDMA_TXN_SG) &&
				txn->sd->adapter.has_sg ?
				SYSDMA_SG_MAX_DESC : 1;
	u64 budget = min(txn->length - txn->transferred, txn->max_len);
	struct sdma_cursor s = txn->cs, d = txn->cd;
	unsigned int n = 0;

	while (budget && n < max_segs) {
		u32 len = min_t(u64, budget, U32_MAX);
		struct sdma_seg *seg = &txn->segs[n++];

		if (use_src)
			len = min(len, sdma_cursor_room(&s));
		if (use_dst)
			len = min(len, sdma_cursor_room(&d));
		if (!len) {
			n--;
			break;
		}
		seg->src = use_src ? sg_dma_address(s.sg) + s.off : 0;
		seg->dst = use_dst ? sg_dma_address(d.sg) + d.off : 0;
		seg->len = len;
		if (use_src)
			sdma_cursor_advance(&s, txn->src, len);
		if (use_dst)
			sdma_cursor_advance(&d, txn->dst, len);
		budget -= len;
	}
	txn->nsegs = n;
	txn->ns = s;
	txn->nd = d;
}

/*
 * The end of one transfer: H2 flush first (the data reaches memory), then
 * the transfer-complete callback (K8: once per transfer) or, without one,
 * the driver's DPC routine (K7).  @mapped is false when MapTransfer
 * refused the transfer (H3): nothing ran, nothing to flush.
 */
static void sdma_txn_transfer_ended(struct sdma_txn *txn, bool mapped,
				    enum sdma_dma_status status)
{
	struct sdma_dev *sd = txn->sd;
	sdma_evt_transfer_complete cb;
	unsigned long flags;
	void *cb_ctx;

	if (mapped)
		sdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);	/* H2 */
	spin_lock_irqsave(&txn->lock, flags);
	txn->state = SDMA_TXN_TRANSFER_DONE;
	txn->last_dma = status;
	txn->cur_mapped = mapped;
	if (mapped) {
		txn->cur_len = txn->xctx.mapped_len;
		txn->cur_bytes = min(txn->xctx.last_bytes, txn->cur_len);
		txn->hw_status = txn->xctx.last_status;
		txn->hw_bytes = txn->xctx.last_bytes;
		txn->hw_crc = txn->xctx.last_crc;
	} else {
		txn->cur_len = 0;
		txn->cur_bytes = 0;
	}
	cb = txn->complete_cb;
	cb_ctx = txn->complete_ctx;
	spin_unlock_irqrestore(&txn->lock, flags);

	dev_dbg(sd->dev, "txn %p: transfer %u ended %s, %u bytes\n", txn,
		txn->transfers, sdma_dma_status_name(status), txn->cur_bytes);
	if (cb)
		cb(txn, cb_ctx, txn->dir, status);
	else
		txn->dpc(txn, txn->context);
}

/* DmaCompletionRoutine given to MapTransfer; runs in the DPC. */
static void sdma_txn_dma_done(struct sdma_adapter *ad, void *context,
			      enum sdma_dma_status status)
{
	sdma_txn_transfer_ended(context, true, status);
}

/* The framework worker: EvtProgramDma, then MapTransfer (one transfer). */
static void sdma_txn_work(struct work_struct *work)
{
	struct sdma_txn *txn = container_of(work, struct sdma_txn, work);
	struct sdma_dev *sd = txn->sd;
	enum sdma_status st;
	unsigned long flags;
	u32 len;

	spin_lock_irqsave(&txn->lock, flags);
	if (txn->state == SDMA_TXN_BETWEEN && !txn->held)
		txn->state = SDMA_TXN_PROGRAMMING;
	if (txn->state != SDMA_TXN_PROGRAMMING) {
		spin_unlock_irqrestore(&txn->lock, flags);
		return;
	}
	sdma_txn_build(txn);
	spin_unlock_irqrestore(&txn->lock, flags);

	dev_dbg(sd->dev, "txn %p: EvtProgramDma, transfer %u, %u piece(s)\n",
		txn, txn->transfers + 1, txn->nsegs);
	if (!txn->program(txn, txn->context, txn->dir, txn->segs,
			  txn->nsegs)) {
		/*
		 * K4: the driver programmed nothing and called Final.  The
		 * request may already be completed and the transaction
		 * released (CREATED): only PROGRAMMING means no Final.
		 */
		spin_lock_irqsave(&txn->lock, flags);
		st = txn->state != SDMA_TXN_PROGRAMMING ? SDMA_STATUS_SUCCESS :
			SDMA_STATUS_INVALID_DEVICE_REQUEST;
		spin_unlock_irqrestore(&txn->lock, flags);
		if (st != SDMA_STATUS_SUCCESS)
			sdma_caller_error(sd, "K4: EvtProgramDma failed without DmaCompletedFinal\n");
		return;
	}

	spin_lock_irqsave(&txn->lock, flags);
	txn->state = SDMA_TXN_TRANSFER;
	txn->transfers++;
	spin_unlock_irqrestore(&txn->lock, flags);
	st = sdma_map_transfer(&sd->adapter, &txn->xctx, txn->segs, txn->nsegs,
			       txn->cfg & SDMA_TXN_SG, &len, sdma_txn_dma_done,
			       txn);
	if (st != SDMA_STATUS_SUCCESS) {
		/* H3: refused (cancelled context): report it as DmaCancelled */
		spin_lock_irqsave(&txn->lock, flags);
		txn->transfers--;
		spin_unlock_irqrestore(&txn->lock, flags);
		sdma_txn_transfer_ended(txn, false,
					st == SDMA_STATUS_CANCELLED ?
					SDMA_DMA_CANCELLED : SDMA_DMA_ERROR);
	}
}

/*
 * WdfDmaTransactionDmaCompletedWithLength.  @length: bytes of the current
 * transfer that were transferred.  Returns TRUE when the transaction is
 * finished (the channel is released; the caller may touch the buffers,
 * K9), with SUCCESS, or CANCELLED when a Cancel that landed during the
 * transfer ended it before all bytes were moved (K5).  Returns FALSE with MORE_PROCESSING_REQUIRED when another transfer
 * follows: the caller must not touch the transaction again (K9).
 * Returns FALSE with CANCELLED after StopSystemTransfer when no
 * transfer-complete callback is registered (K7, following seed 000), or
 * for a transfer that ended DmaCancelled; FALSE with DEVICE_DATA_ERROR
 * for a transfer that ended DmaError: the driver then calls
 * DmaCompletedFinal.
 */
bool sdma_txn_dma_completed_with_length(struct sdma_txn *txn, u64 length,
					enum sdma_status *status)
{
	struct sdma_dev *sd = txn->sd;
	u64 transferred, total;
	unsigned long flags;
	bool finished = false;

	spin_lock_irqsave(&txn->lock, flags);
	if (txn->state != SDMA_TXN_TRANSFER_DONE) {
		spin_unlock_irqrestore(&txn->lock, flags);
		sdma_caller_error(sd, "DmaCompleted on a %s transaction\n",
				  sdma_txn_state_name(txn->state));
		*status = SDMA_STATUS_INVALID_DEVICE_REQUEST;
		return false;
	}
	if (txn->last_dma == SDMA_DMA_ERROR) {
		*status = SDMA_STATUS_DEVICE_DATA_ERROR;
		goto out_final_owed;
	}
	if (txn->last_dma == SDMA_DMA_CANCELLED ||
	    (txn->stop_requested && !txn->complete_cb)) {
		/* K7: after StopSystemTransfer, FALSE + STATUS_CANCELLED */
		*status = SDMA_STATUS_CANCELLED;
		goto out_final_owed;
	}
	length = min_t(u64, length, txn->cur_len);
	txn->transferred += length;
	if (length == txn->cur_len) {
		txn->cs = txn->ns;
		txn->cd = txn->nd;
	} else {
		/*
		 * K10 partial length: restart the cursors at the new position.
		 * M2P has no destination table and P2M no source table: their
		 * cursor has no scatterlist and stays where it is.
		 */
		if (txn->src)
			sdma_cursor_seek(&txn->cs, txn->src, txn->transferred);
		if (txn->dst)
			sdma_cursor_seek(&txn->cd, txn->dst, txn->transferred);
	}
	if (txn->transferred == txn->length || txn->cancel_requested) {
		txn->state = SDMA_TXN_DONE;
		finished = true;
		/* K5: a cancel ended it early: say so, bytes stay exact */
		*status = txn->transferred == txn->length ?
			SDMA_STATUS_SUCCESS : SDMA_STATUS_CANCELLED;
	} else {
		/* K5 window opens: Cancel now returns TRUE */
		txn->state = SDMA_TXN_BETWEEN;
		if (txn->cfg & SDMA_TXN_HOLD_BETWEEN) {
			txn->cfg &= ~SDMA_TXN_HOLD_BETWEEN;
			txn->held = true;
		} else {
			queue_work(sd->wq, &txn->work);
		}
		*status = SDMA_STATUS_MORE_PROCESSING_REQUIRED;
	}
	/* K9: after FALSE txn may already be completing (and freed) elsewhere */
	transferred = txn->transferred;
	total = txn->length;
	spin_unlock_irqrestore(&txn->lock, flags);
	if (finished)
		sdma_txn_free_channel(txn);
	dev_dbg(sd->dev, "K9: DmaCompleted(txn %p) = %s, %llu of %llu bytes\n",
		txn, finished ? "TRUE" : "FALSE", transferred, total);
	return finished;

out_final_owed:
	spin_unlock_irqrestore(&txn->lock, flags);
	dev_dbg(sd->dev, "K7: DmaCompleted(txn %p) = FALSE, %s\n", txn,
		sdma_status_name(*status));
	return false;
}

/* WdfDmaTransactionDmaCompleted: the whole mapped length was moved. */
bool sdma_txn_dma_completed(struct sdma_txn *txn, enum sdma_status *status)
{
	return sdma_txn_dma_completed_with_length(txn, READ_ONCE(txn->cur_len),
						  status);
}

/*
 * WdfDmaTransactionDmaCompletedFinal: the transaction ends now, with
 * @final_length bytes of the current transfer transferred (K10).  Valid
 * after a transfer ended, and from EvtProgramDma for a cancelled request
 * (K4: nothing mapped).  Always returns TRUE; releases the channel.
 */
bool sdma_txn_dma_completed_final(struct sdma_txn *txn, u64 final_length,
				  enum sdma_status *status)
{
	struct sdma_dev *sd = txn->sd;
	unsigned long flags;

	spin_lock_irqsave(&txn->lock, flags);
	if (txn->state != SDMA_TXN_TRANSFER_DONE &&
	    txn->state != SDMA_TXN_PROGRAMMING) {
		spin_unlock_irqrestore(&txn->lock, flags);
		sdma_caller_error(sd, "DmaCompletedFinal on a %s transaction\n",
				  sdma_txn_state_name(txn->state));
		*status = SDMA_STATUS_INVALID_DEVICE_REQUEST;
		return false;
	}
	if (txn->state == SDMA_TXN_PROGRAMMING) {
		*status = SDMA_STATUS_CANCELLED;
	} else {
		txn->transferred += min_t(u64, final_length, txn->cur_len);
		switch (txn->last_dma) {
		case SDMA_DMA_COMPLETE:
			*status = SDMA_STATUS_SUCCESS;
			break;
		case SDMA_DMA_CANCELLED:
			*status = SDMA_STATUS_CANCELLED;
			break;
		default:
			*status = SDMA_STATUS_DEVICE_DATA_ERROR;
			break;
		}
	}
	txn->state = SDMA_TXN_DONE;
	spin_unlock_irqrestore(&txn->lock, flags);
	sdma_txn_free_channel(txn);
	dev_dbg(sd->dev, "K10: DmaCompletedFinal(txn %p, %llu) = TRUE, %llu bytes\n",
		txn, final_length, txn->transferred);
	return true;
}

/* WdfDmaTransactionGetBytesTransferred (K10: exact) */
u64 sdma_txn_get_bytes_transferred(struct sdma_txn *txn)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&txn->lock, flags);
	n = txn->transferred;
	spin_unlock_irqrestore(&txn->lock, flags);
	return n;
}

/*
 * What the controller reported for the transfer that just ended (its
 * BYTES register), for DmaCompletedFinal.  KMDF has no such call (seed
 * 001 passes 0); the HAL's ReadDmaCounter plays this role, and without it
 * a cancelled request could not report its exact byte count.
 */
u32 sdma_txn_get_current_transfer_bytes(struct sdma_txn *txn)
{
	return READ_ONCE(txn->cur_bytes);
}

/*
 * WdfDmaTransactionRelease: back to "created"; clears the transfer
 * complete callback (K8).  Refused while the transaction runs.  Never
 * sleeps (sdma_txn_delete waits for the worker).
 */
int sdma_txn_release(struct sdma_txn *txn)
{
	unsigned long flags;

	spin_lock_irqsave(&txn->lock, flags);
	switch (txn->state) {
	case SDMA_TXN_WAIT_CHANNEL:
	case SDMA_TXN_PROGRAMMING:
	case SDMA_TXN_TRANSFER:
	case SDMA_TXN_TRANSFER_DONE:
	case SDMA_TXN_BETWEEN:
		spin_unlock_irqrestore(&txn->lock, flags);
		sdma_caller_error(txn->sd, "release of a running transaction (%s)\n",
				  sdma_txn_state_name(txn->state));
		return -EBUSY;
	default:
		break;
	}
	txn->state = SDMA_TXN_CREATED;
	txn->complete_cb = NULL;	/* K8 */
	txn->complete_ctx = NULL;
	txn->program = NULL;
	spin_unlock_irqrestore(&txn->lock, flags);
	dev_dbg(txn->sd->dev, "K8: txn %p released, callback cleared\n", txn);
	return 0;
}

/* Test hooks: resume a transaction held for a channel, granted or between. */
void sdma_txn_release_holds(struct sdma_txn *txn)
{
	unsigned long flags;

	spin_lock_irqsave(&txn->lock, flags);
	txn->cfg &= ~(SDMA_TXN_HOLD_CHANNEL | SDMA_TXN_HOLD_BETWEEN |
		      SDMA_TXN_HOLD_GRANTED);
	if (txn->state == SDMA_TXN_BETWEEN && txn->held) {
		txn->held = false;
		queue_work(txn->sd->wq, &txn->work);
	}
	if (txn->state == SDMA_TXN_WAIT_CHANNEL && txn->granted_held) {
		txn->granted_held = false;
		sdma_txn_start_granted(txn);
	}
	spin_unlock_irqrestore(&txn->lock, flags);
	sdma_adapter_release_hold(&txn->sd->adapter, &txn->xctx);
}

u32 sdma_txn_held_at(struct sdma_txn *txn)
{
	unsigned long flags;
	u32 held = 0;

	spin_lock_irqsave(&txn->lock, flags);
	if (txn->state == SDMA_TXN_BETWEEN && txn->held)
		held = SYSDMA_F_HOLD_BETWEEN;
	else if (txn->state == SDMA_TXN_WAIT_CHANNEL && txn->granted_held)
		held = SYSDMA_F_HOLD_GRANTED;
	else if (txn->state == SDMA_TXN_WAIT_CHANNEL && txn->xctx.held)
		held = SYSDMA_F_HOLD_CHANNEL;
	spin_unlock_irqrestore(&txn->lock, flags);
	return held;
}

int sdma_txn_get_channel(struct sdma_txn *txn)
{
	return READ_ONCE(txn->channel);
}

enum sdma_txn_state sdma_txn_get_state(struct sdma_txn *txn)
{
	return READ_ONCE(txn->state);
}

int sdma_txn_seed_peripheral(struct sdma_txn *txn, u32 seed)
{
	return sdma_adapter_seed_peripheral(&txn->sd->adapter, &txn->xctx,
					    seed) == SDMA_STATUS_SUCCESS ?
		0 : -EINVAL;
}
