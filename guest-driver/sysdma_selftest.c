// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: in-kernel checks of the framework and adapter API semantics
 * that user space cannot provoke through the request interface (caller
 * errors, return values of Cancel, the HAL's refusals).  SYSDMA_IOC_SELFTEST
 * runs them; each check logs one line "ok|FAIL <rule> <what>".  Run it on
 * an idle device: the H4 checks need every channel free.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "sysdma_core.h"
#include "sysdma_txn.h"

#define ST_LEN		(16 * 1024)
#define ST_PIECE	(4 * 1024)

struct st_ctx {
	struct sdma_dev *sd;
	struct sysdma_selftest *st;
	size_t pos;

	/* one real M2M transaction at a time */
	void *src, *dst;
	dma_addr_t src_dma, dst_dma;
	struct sg_table src_sgt, dst_sgt;
	atomic_t programs;
	atomic_t callbacks;
	int cancel_in_cb;		/* K5: Cancel() before DmaCompleted */
	int cancel_ret;
	bool last_completed;
	enum sdma_status last_status;
	enum sdma_status k7_status;
	struct completion done;
};

static void st_check(struct st_ctx *c, bool ok, const char *rule,
		     const char *what)
{
	struct sysdma_selftest *st = c->st;

	if (ok)
		st->passed++;
	else
		st->failed++;
	c->pos += scnprintf(st->log + c->pos, sizeof(st->log) - c->pos,
			    "%s %s %s\n", ok ? "ok" : "FAIL", rule, what);
	dev_info(c->sd->dev, "selftest: %s %s %s\n", ok ? "ok" : "FAIL", rule,
		 what);
}

static u64 st_caller_errors(struct st_ctx *c)
{
	return atomic64_read(&c->sd->stats[SYSDMA_STAT_CALLER_ERRORS]);
}

static bool st_program(struct sdma_txn *txn, void *context, u32 direction,
		       const struct sdma_seg *segs, unsigned int nsegs)
{
	struct st_ctx *c = context;

	atomic_inc(&c->programs);
	return true;
}

static void st_finish(struct st_ctx *c, bool completed, enum sdma_status st)
{
	c->last_completed = completed;
	c->last_status = st;
	complete(&c->done);
}

/* transfer-complete callback, R3-like */
static void st_transfer_complete(struct sdma_txn *txn, void *context,
				 u32 direction, enum sdma_dma_status status)
{
	struct st_ctx *c = context;
	enum sdma_status st;

	atomic_inc(&c->callbacks);
	if (status != SDMA_DMA_COMPLETE) {
		sdma_txn_dma_completed_final(txn,
					     sdma_txn_get_current_transfer_bytes(txn),
					     &st);
		st_finish(c, true, st);
		return;
	}
	if (c->cancel_in_cb) {
		c->cancel_in_cb = 0;
		c->cancel_ret = sdma_txn_cancel(txn);
	}
	if (sdma_txn_dma_completed(txn, &st))
		st_finish(c, true, st);
}

/* no callback (K7): the framework's DPC notification */
static void st_dpc(struct sdma_txn *txn, void *context)
{
	struct st_ctx *c = context;
	enum sdma_status st, fst;

	atomic_inc(&c->callbacks);
	if (sdma_txn_dma_completed(txn, &st)) {
		st_finish(c, true, st);
		return;
	}
	if (st == SDMA_STATUS_MORE_PROCESSING_REQUIRED)
		return;
	c->k7_status = st;
	sdma_txn_dma_completed_final(txn,
				     sdma_txn_get_current_transfer_bytes(txn),
				     &fst);
	st_finish(c, true, st);
}

static int st_buffers(struct st_ctx *c)
{
	struct device *dev = c->sd->dev;

	c->src = dma_alloc_coherent(dev, ST_LEN, &c->src_dma, GFP_KERNEL);
	c->dst = dma_alloc_coherent(dev, ST_LEN, &c->dst_dma, GFP_KERNEL);
	if (!c->src || !c->dst)
		return -ENOMEM;
	if (sg_alloc_table(&c->src_sgt, 1, GFP_KERNEL))
		return -ENOMEM;
	if (sg_alloc_table(&c->dst_sgt, 1, GFP_KERNEL)) {
		sg_free_table(&c->src_sgt);
		return -ENOMEM;
	}
	sg_dma_address(c->src_sgt.sgl) = c->src_dma;
	sg_dma_len(c->src_sgt.sgl) = ST_LEN;
	c->src_sgt.sgl->length = ST_LEN;
	sg_dma_address(c->dst_sgt.sgl) = c->dst_dma;
	sg_dma_len(c->dst_sgt.sgl) = ST_LEN;
	c->dst_sgt.sgl->length = ST_LEN;
	c->src_sgt.nents = 1;
	c->dst_sgt.nents = 1;
	return 0;
}

static void st_free_buffers(struct st_ctx *c)
{
	struct device *dev = c->sd->dev;

	if (c->src_sgt.sgl)
		sg_free_table(&c->src_sgt);
	if (c->dst_sgt.sgl)
		sg_free_table(&c->dst_sgt);
	if (c->src)
		dma_free_coherent(dev, ST_LEN, c->src, c->src_dma);
	if (c->dst)
		dma_free_coherent(dev, ST_LEN, c->dst, c->dst_dma);
}

/* initialize an M2M transaction over the test buffers in ST_PIECE pieces */
static int st_init(struct st_ctx *c, struct sdma_txn *txn, unsigned int cfg,
		   bool callback)
{
	int ret;

	atomic_set(&c->programs, 0);
	atomic_set(&c->callbacks, 0);
	reinit_completion(&c->done);
	c->k7_status = SDMA_STATUS_PENDING;
	ret = sdma_txn_initialize(txn, st_program, SYSDMA_DIR_M2M,
				  &c->src_sgt, &c->dst_sgt, ST_LEN);
	if (!ret)
		ret = sdma_txn_set_maximum_length(txn, ST_PIECE);
	if (!ret)
		ret = sdma_txn_set_channel_configuration(txn, -1, cfg);
	if (!ret && callback)
		ret = sdma_txn_set_transfer_complete_callback(txn,
							      st_transfer_complete,
							      c);
	return ret;
}

static bool st_wait(struct st_ctx *c)
{
	return wait_for_completion_timeout(&c->done, 5 * HZ);
}

static void st_framework(struct st_ctx *c)
{
	struct sdma_txn *txn;
	u64 errs;
	int ret;

	txn = sdma_txn_create(c->sd, st_dpc);
	if (!txn) {
		st_check(c, false, "K3", "transaction create");
		return;
	}

	/* K3: Cancel before initialize: a caller error, detected */
	errs = st_caller_errors(c);
	ret = sdma_txn_cancel(txn);
	st_check(c, ret == -EPERM && st_caller_errors(c) == errs + 1, "K3",
		 "Cancel before initialize is a caller error (-EPERM, counted)");

	/* K8: callback only between initialize and execute */
	ret = sdma_txn_set_transfer_complete_callback(txn, st_transfer_complete,
						      c);
	st_check(c, ret == -EPERM, "K8",
		 "SetTransferCompleteCallback before initialize refused");

	/* K2: Cancel after initialize, before Execute: FALSE */
	st_init(c, txn, 0, true);
	st_check(c, sdma_txn_cancel(txn) == 0, "K2",
		 "Cancel before Execute returns FALSE");
	/* K6: StopSystemTransfer before EvtProgramDma: caller error */
	errs = st_caller_errors(c);
	st_check(c, sdma_txn_stop_system_transfer(txn) == -EPERM &&
		 st_caller_errors(c) == errs + 1, "K6",
		 "StopSystemTransfer before EvtProgramDma is a caller error");
	/* K8: release clears the callback */
	sdma_txn_release(txn);
	st_check(c, !sdma_txn_get_transfer_complete_callback(txn), "K8",
		 "release clears the transfer-complete callback");
	/* K3: Cancel after release */
	errs = st_caller_errors(c);
	st_check(c, sdma_txn_cancel(txn) == -EPERM &&
		 st_caller_errors(c) == errs + 1, "K3",
		 "Cancel after release is a caller error (-EPERM, counted)");

	/* K2: Cancel while waiting for a channel: TRUE, nothing programmed */
	st_init(c, txn, SDMA_TXN_HOLD_CHANNEL, true);
	ret = sdma_txn_execute(txn, c) == SDMA_STATUS_SUCCESS;
	st_check(c, ret && sdma_txn_get_state(txn) == SDMA_TXN_WAIT_CHANNEL,
		 "K2", "Execute queues the transaction for a channel (held)");
	ret = sdma_txn_set_transfer_complete_callback(txn, st_transfer_complete,
						      c);
	st_check(c, ret == -EPERM, "K8",
		 "SetTransferCompleteCallback after Execute refused");
	st_check(c, sdma_txn_cancel(txn) == 1, "K2",
		 "Cancel while waiting for a channel returns TRUE");
	sdma_txn_release_holds(txn);
	msleep(20);
	st_check(c, !atomic_read(&c->programs) && !atomic_read(&c->callbacks) &&
		 sdma_txn_get_bytes_transferred(txn) == 0, "K2",
		 "after Cancel TRUE no EvtProgramDma and no callback run");
	st_check(c, sdma_txn_cancel(txn) == 0, "K2",
		 "a second Cancel returns FALSE");
	sdma_txn_release(txn);

	/* K8/K10: a real multi-transfer transaction */
	memset(c->src, 0x5a, ST_LEN);
	memset(c->dst, 0, ST_LEN);
	st_init(c, txn, 0, true);
	ret = sdma_txn_execute(txn, c) == SDMA_STATUS_SUCCESS && st_wait(c);
	st_check(c, ret && c->last_status == SDMA_STATUS_SUCCESS &&
		 sdma_txn_get_bytes_transferred(txn) == ST_LEN &&
		 !memcmp(c->src, c->dst, ST_LEN), "K10",
		 "16 KiB in 4 KiB transfers: all bytes, data equal");
	st_check(c, atomic_read(&c->programs) == ST_LEN / ST_PIECE &&
		 atomic_read(&c->callbacks) == ST_LEN / ST_PIECE, "K8",
		 "callback and EvtProgramDma called once per transfer");
	st_check(c, sdma_txn_cancel(txn) == 0, "K2",
		 "Cancel after the transaction finished returns FALSE");
	st_check(c, sdma_txn_stop_system_transfer(txn) == -ENOENT, "K6",
		 "StopSystemTransfer after the end is a harmless no-op");
	sdma_txn_release(txn);

	/* K5: Cancel just before DmaCompleted: DmaCompleted returns TRUE */
	st_init(c, txn, 0, true);
	c->cancel_in_cb = 1;
	ret = sdma_txn_execute(txn, c) == SDMA_STATUS_SUCCESS && st_wait(c);
	st_check(c, ret && c->cancel_ret == 0 && c->last_completed &&
		 c->last_status == SDMA_STATUS_CANCELLED &&
		 sdma_txn_get_bytes_transferred(txn) == ST_PIECE &&
		 atomic_read(&c->callbacks) == 1, "K5",
		 "Cancel just before DmaCompleted: FALSE, then DmaCompleted TRUE (CANCELLED) after 1 transfer");
	sdma_txn_release(txn);

	/* K5: Cancel between transfers: TRUE, nothing more programmed */
	st_init(c, txn, SDMA_TXN_HOLD_BETWEEN, true);
	ret = sdma_txn_execute(txn, c) == SDMA_STATUS_SUCCESS;
	msleep(50);
	ret = ret && sdma_txn_get_state(txn) == SDMA_TXN_BETWEEN;
	st_check(c, ret && sdma_txn_cancel(txn) == 1, "K5",
		 "Cancel between transfers returns TRUE");
	msleep(20);
	st_check(c, atomic_read(&c->programs) == 1 &&
		 sdma_txn_get_bytes_transferred(txn) == ST_PIECE, "K5",
		 "no transfer programmed after it; bytes exact (K10)");
	sdma_txn_release(txn);

	/* K7: no callback, StopSystemTransfer, DmaCompleted FALSE+CANCELLED */
	st_init(c, txn, SDMA_TXN_HOLD_BETWEEN, false);
	ret = sdma_txn_execute(txn, c) == SDMA_STATUS_SUCCESS;
	msleep(50);
	ret = ret && sdma_txn_stop_system_transfer(txn) == 0 && st_wait(c);
	st_check(c, ret && c->k7_status == SDMA_STATUS_CANCELLED, "K7",
		 "without callback DmaCompleted after StopSystemTransfer returns FALSE, STATUS_CANCELLED");
	st_check(c, sdma_txn_get_state(txn) == SDMA_TXN_DONE &&
		 sdma_txn_get_bytes_transferred(txn) == ST_PIECE, "K7",
		 "DmaCompletedFinal ends it with the exact byte count");
	sdma_txn_release(txn);

	/* K1: always enabled; K4 is exercised by SYSDMA_F_HOLD_PROGRAM */
	sdma_txn_delete(txn);
}

/*
 * K10 partial length: the first transfer is reported with
 * DmaCompletedWithLength(ST_PARTIAL) although the controller moved a whole
 * piece; the framework must go on from byte ST_PARTIAL.  M2P has no
 * destination table and P2M no source table (their cursors have no
 * scatterlist): the restart must not touch them.
 */
#define ST_PARTIAL	1024

static void st_partial_cb(struct sdma_txn *txn, void *context, u32 direction,
			  enum sdma_dma_status status)
{
	struct st_ctx *c = context;
	enum sdma_status st;
	bool done;

	if (status != SDMA_DMA_COMPLETE) {
		sdma_txn_dma_completed_final(txn,
					     sdma_txn_get_current_transfer_bytes(txn),
					     &st);
		st_finish(c, true, st);
		return;
	}
	if (atomic_inc_return(&c->callbacks) == 1)
		done = sdma_txn_dma_completed_with_length(txn, ST_PARTIAL, &st);
	else
		done = sdma_txn_dma_completed(txn, &st);
	if (done)
		st_finish(c, true, st);
}

static void st_partial(struct st_ctx *c, struct sdma_txn *txn, u32 dir,
		       const char *what)
{
	bool m2m = dir == SYSDMA_DIR_M2M;
	unsigned int i;
	int ret;

	for (i = 0; i < ST_LEN; i++)
		((u8 *)c->src)[i] = i * 7 + 3;
	memset(c->dst, 0, ST_LEN);
	atomic_set(&c->programs, 0);
	atomic_set(&c->callbacks, 0);
	reinit_completion(&c->done);
	c->last_status = SDMA_STATUS_PENDING;
	ret = sdma_txn_initialize(txn, st_program, dir,
				  dir != SYSDMA_DIR_P2M ? &c->src_sgt : NULL,
				  dir != SYSDMA_DIR_M2P ? &c->dst_sgt : NULL,
				  ST_LEN);
	if (!ret)
		ret = sdma_txn_set_maximum_length(txn, ST_PIECE);
	if (!ret)
		ret = sdma_txn_set_transfer_complete_callback(txn,
							      st_partial_cb,
							      c);
	ret = !ret && sdma_txn_execute(txn, c) == SDMA_STATUS_SUCCESS &&
		st_wait(c);
	/* 1 KiB of the first piece counted, then 4 + 4 + 4 + 3 KiB */
	st_check(c, ret && c->last_status == SDMA_STATUS_SUCCESS &&
		 sdma_txn_get_bytes_transferred(txn) == ST_LEN &&
		 READ_ONCE(txn->transfers) == ST_LEN / ST_PIECE + 1 &&
		 (!m2m || !memcmp(c->src, c->dst, ST_LEN)), "K10", what);
	sdma_txn_release(txn);
}

static void st_partial_lengths(struct st_ctx *c)
{
	struct sdma_txn *txn = sdma_txn_create(c->sd, st_dpc);

	if (!txn) {
		st_check(c, false, "K10", "transaction create");
		return;
	}
	st_partial(c, txn, SYSDMA_DIR_M2M,
		   "M2M DmaCompletedWithLength(1 KiB) of a 4 KiB transfer: goes on from 1 KiB, 16 KiB in 5 transfers, data equal");
	st_partial(c, txn, SYSDMA_DIR_M2P,
		   "M2P DmaCompletedWithLength(1 KiB) of a 4 KiB transfer: goes on from 1 KiB, 16 KiB in 5 transfers");
	st_partial(c, txn, SYSDMA_DIR_P2M,
		   "P2M DmaCompletedWithLength(1 KiB) of a 4 KiB transfer: goes on from 1 KiB, 16 KiB in 5 transfers");
	sdma_txn_delete(txn);
}

static void st_nop_exec(struct sdma_adapter *ad, unsigned int channel,
			void *context)
{
}

static void st_nop_done(struct sdma_adapter *ad, void *context,
			enum sdma_dma_status status)
{
}

struct st_map_wait {
	struct completion done;
	enum sdma_dma_status status;
};

static void st_map_done(struct sdma_adapter *ad, void *context,
			enum sdma_dma_status status)
{
	struct st_map_wait *w = context;

	w->status = status;
	complete(&w->done);
}

/*
 * H3: a successful MapTransfer reports exactly the mapped length in
 * *length (the framework uses its own copy, so only this checks it).
 * Runs one real transfer on @x, waits for it and flushes (H2).
 */
static void st_map_length(struct st_ctx *c, struct sdma_xfer_ctx *x,
			  const struct sdma_seg *seg)
{
	struct sdma_adapter *ad = &c->sd->adapter;
	struct st_map_wait w;
	enum sdma_status st;
	u32 len = 0;

	init_completion(&w.done);
	st = sdma_map_transfer(ad, x, seg, 1, false, &len, st_map_done, &w);
	st_check(c, st == SDMA_STATUS_SUCCESS &&
		 len == min(seg->len, ad->max_xfer) && len == x->mapped_len,
		 "H3", "MapTransfer returns the mapped length");
	if (st != SDMA_STATUS_SUCCESS)
		return;
	if (!wait_for_completion_timeout(&w.done, 5 * HZ)) {
		/* w is on our stack: the completion must run before we return */
		sdma_cancel_mapped_transfer(ad, x);
		wait_for_completion(&w.done);
	}
	st_check(c, w.status == SDMA_DMA_COMPLETE, "H3",
		 "the mapped transfer completes");
	sdma_flush_adapter_buffers(ad, x);	/* H2 */
}

static void st_adapter(struct st_ctx *c)
{
	struct sdma_adapter *ad = &c->sd->adapter;
	struct sdma_xfer_ctx *x;
	struct sdma_seg seg = {
		.src = c->src_dma, .dst = c->dst_dma, .len = ST_PIECE,
	};
	unsigned int i, got = 0, n = ad->nr_channels + 2;
	enum sdma_status st;
	u64 errs;
	u32 len = 1;

	x = kcalloc(n, sizeof(*x), GFP_KERNEL);
	if (!x) {
		st_check(c, false, "H4", "allocation");
		return;
	}
	for (i = 0; i < n; i++)
		INIT_LIST_HEAD(&x[i].node);

	/* H1: cancelling an unknown context is an error */
	st = sdma_cancel_mapped_transfer(ad, &x[0]);
	st_check(c, st == SDMA_STATUS_INVALID_PARAMETER, "H1",
		 "CancelMappedTransfer of an unknown context fails");

	/* H4: the non-waiting variant fails at once when all are busy */
	for (i = 0; i < ad->nr_channels; i++) {
		x[i].dir = SYSDMA_DIR_M2M;
		st = sdma_allocate_adapter_channel(ad, &x[i], -1,
						   SDMA_ALLOC_NOWAIT,
						   st_nop_exec, c);
		got += st == SDMA_STATUS_SUCCESS;
	}
	st_check(c, got == ad->nr_channels, "H4",
		 "every channel allocated (device idle)");
	st = sdma_allocate_adapter_channel(ad, &x[n - 1], -1,
					   SDMA_ALLOC_NOWAIT, st_nop_exec, c);
	st_check(c, st == SDMA_STATUS_INSUFFICIENT_RESOURCES, "H4",
		 "non-waiting allocation fails with INSUFFICIENT_RESOURCES");
	st = sdma_allocate_adapter_channel(ad, &x[n - 1], -1, 0,
					   st_nop_exec, c);
	st_check(c, st == SDMA_STATUS_PENDING, "H4",
		 "waiting allocation queues");
	errs = st_caller_errors(c);
	st = sdma_allocate_adapter_channel(ad, &x[n - 1], -1, 0,
					   st_nop_exec, c);
	st_check(c, st == SDMA_STATUS_INVALID_PARAMETER &&
		 st_caller_errors(c) == errs + 1, "H4",
		 "a transfer context already in use is refused");
	st_check(c, sdma_cancel_adapter_channel(ad, &x[n - 1]), "H4",
		 "a pending allocation can be cancelled");
	st_check(c, !sdma_cancel_adapter_channel(ad, &x[n - 1]), "H4",
		 "cancelling it again finds nothing pending");

	/* H2: flush with nothing mapped is refused (no FLUSH written) */
	if (got) {
		errs = st_caller_errors(c);
		st = sdma_flush_adapter_buffers(ad, &x[0]);
		st_check(c, st == SDMA_STATUS_INVALID_DEVICE_REQUEST &&
			 st_caller_errors(c) == errs + 1, "H2",
			 "FlushAdapterBuffers with nothing mapped is refused");
	}

	if (got > 1)
		st_map_length(c, &x[1], &seg);

	/* H3/H1: a cancelled context cannot map */
	if (got) {
		st = sdma_cancel_mapped_transfer(ad, &x[0]);
		st_check(c, st == SDMA_STATUS_SUCCESS, "H1",
			 "CancelMappedTransfer of an allocated context succeeds");
		st = sdma_map_transfer(ad, &x[0], &seg, 1, false, &len,
				       st_nop_done, c);
		st_check(c, st == SDMA_STATUS_CANCELLED && len == 0, "H3",
			 "MapTransfer on a cancelled context fails CANCELLED, length 0");
	}

	for (i = 0; i < ad->nr_channels; i++)
		if (x[i].state == SDMA_CTX_ALLOCATED)
			sdma_free_adapter_channel(ad, &x[i]);
	/* H1: after the release the context is finished */
	if (got)
		st_check(c, sdma_cancel_mapped_transfer(ad, &x[0]) ==
			 SDMA_STATUS_INVALID_PARAMETER, "H1",
			 "CancelMappedTransfer of a released context fails");
	errs = st_caller_errors(c);
	st = sdma_free_adapter_channel(ad, &x[0]);
	st_check(c, st == SDMA_STATUS_INVALID_PARAMETER &&
		 st_caller_errors(c) == errs + 1, "V4",
		 "freeing a channel twice is refused");
	st_check(c, sdma_adapter_free_channels(ad) == ad->nr_channels, "V4",
		 "every channel free again");
	kfree(x);
}

void sdma_selftest_run(struct sdma_dev *sd, struct sysdma_selftest *st)
{
	struct st_ctx *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c) {
		st->failed = 1;
		strscpy(st->log, "FAIL - out of memory\n", sizeof(st->log));
		return;
	}
	c->sd = sd;
	c->st = st;
	init_completion(&c->done);
	if (st_buffers(c)) {
		st_check(c, false, "-", "test buffers");
	} else {
		st_adapter(c);
		st_framework(c);
		st_partial_lengths(c);
	}
	st_free_buffers(c);
	kfree(c);
}
