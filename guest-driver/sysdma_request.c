// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: requests and the completion protocol of the seeds' examples
 * (CONTRACT R1-R6): BeginCompletion, AttemptRequestCompletion, the cancel
 * routine, the timer routine, the transfer-complete callback, and the
 * driver's EvtProgramDma (K4).
 *
 * R1: every request holds a completion reference count with one reference
 * per party that may still complete it:
 *   - the I/O path, taken at execute (dropped by the transfer-complete
 *     callback / DPC through R4, or by whoever got Cancel() == TRUE, K2),
 *   - the cancel routine, taken when the request is marked cancelable,
 *   - the timer, taken when it is armed.
 * Whoever drops the last reference completes the request, exactly once,
 * with the status recorded by R2 and the bytes transferred (K10).
 *
 * WDFREQUEST cancelation is emulated: sdma_req_mark_cancelable() is
 * WdfRequestMarkCancelableEx (fails with CANCELLED, without calling the
 * cancel routine, when the request was already cancelled),
 * sdma_req_unmark_cancelable() is WdfRequestUnmarkCancelable, and
 * sdma_req_request_cancel() plays the I/O manager cancelling the request.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "sysdma_core.h"
#include "sysdma_request.h"
#include "sysdma_txn.h"
#include "sysdma_trace.h"

static atomic64_t sdma_next_id = ATOMIC64_INIT(0);

int sdma_status_to_errno(enum sdma_status st)
{
	switch (st) {
	case SDMA_STATUS_SUCCESS:
		return 0;
	case SDMA_STATUS_CANCELLED:
		return -ECANCELED;
	case SDMA_STATUS_IO_TIMEOUT:
		return -ETIMEDOUT;
	case SDMA_STATUS_DEVICE_DATA_ERROR:
		return -EIO;
	case SDMA_STATUS_NO_SUCH_DEVICE:
		return -ENODEV;
	case SDMA_STATUS_INSUFFICIENT_RESOURCES:
		return -EBUSY;
	default:
		return -EIO;
	}
}

const char *sdma_status_name(enum sdma_status st)
{
	static const char * const names[] = {
		[SDMA_STATUS_SUCCESS] = "STATUS_SUCCESS",
		[SDMA_STATUS_PENDING] = "STATUS_PENDING",
		[SDMA_STATUS_CANCELLED] = "STATUS_CANCELLED",
		[SDMA_STATUS_IO_TIMEOUT] = "STATUS_IO_TIMEOUT",
		[SDMA_STATUS_DEVICE_DATA_ERROR] = "STATUS_DEVICE_DATA_ERROR",
		[SDMA_STATUS_INSUFFICIENT_RESOURCES] =
			"STATUS_INSUFFICIENT_RESOURCES",
		[SDMA_STATUS_MORE_PROCESSING_REQUIRED] =
			"STATUS_MORE_PROCESSING_REQUIRED",
		[SDMA_STATUS_INVALID_DEVICE_REQUEST] =
			"STATUS_INVALID_DEVICE_REQUEST",
		[SDMA_STATUS_INVALID_PARAMETER] = "STATUS_INVALID_PARAMETER",
		[SDMA_STATUS_NO_SUCH_DEVICE] = "STATUS_NO_SUCH_DEVICE",
	};

	return st < ARRAY_SIZE(names) ? names[st] : "?";
}

/* ---- user buffers ------------------------------------------------------ */

/*
 * U11: memory the device writes (M2M/P2M destinations) is mapped by at
 * most one request at a time, to the cache line.  The DMA API forbids
 * overlapping device-written mappings: on a machine without coherent DMA
 * the cache maintenance of one (invalidate at unmap) destroys what the
 * other received, and CONFIG_DMA_API_DEBUG reports it as a driver bug.
 * The check is on physical cache lines, so it holds across files,
 * processes, aliases of one page and devices; it runs before the mapping.
 */
static LIST_HEAD(sdma_wbufs);
static DEFINE_SPINLOCK(sdma_wbufs_lock);

static bool sdma_lines_overlap(struct sg_table *a, struct sg_table *b)
{
	struct scatterlist *x, *y;
	unsigned int i, j;

	for_each_sgtable_sg(a, x, i) {
		phys_addr_t xs = sg_phys(x) / L1_CACHE_BYTES;
		phys_addr_t xe = (sg_phys(x) + x->length - 1) / L1_CACHE_BYTES;

		for_each_sgtable_sg(b, y, j) {
			phys_addr_t ys = sg_phys(y) / L1_CACHE_BYTES;
			phys_addr_t ye = (sg_phys(y) + y->length - 1) /
					 L1_CACHE_BYTES;

			if (xs <= ye && ys <= xe)
				return true;
		}
	}
	return false;
}

static int sdma_wbuf_claim(struct sdma_ubuf *b)
{
	struct sdma_ubuf *o;
	int ret = 0;

	spin_lock(&sdma_wbufs_lock);
	list_for_each_entry(o, &sdma_wbufs, wnode) {
		if (sdma_lines_overlap(&b->sgt, &o->sgt)) {
			ret = -EBUSY;
			break;
		}
	}
	if (!ret)
		list_add_tail(&b->wnode, &sdma_wbufs);
	spin_unlock(&sdma_wbufs_lock);
	return ret;
}

static void sdma_wbuf_drop(struct sdma_ubuf *b)
{
	if (list_empty(&b->wnode))
		return;
	spin_lock(&sdma_wbufs_lock);
	list_del_init(&b->wnode);
	spin_unlock(&sdma_wbufs_lock);
}

static int sdma_ubuf_pin(struct sdma_dev *sd, struct sdma_ubuf *b, u64 uaddr,
			 u64 len, enum dma_data_direction dir)
{
	unsigned long start = uaddr & PAGE_MASK;
	unsigned int gup = FOLL_LONGTERM |
			   (dir == DMA_FROM_DEVICE ? FOLL_WRITE : 0);
	int ret;

	b->dir = dir;
	INIT_LIST_HEAD(&b->wnode);
	b->npages = ((uaddr + len - 1) >> PAGE_SHIFT) - (uaddr >> PAGE_SHIFT) + 1;
	/*
	 * The pages stay pinned for as long as the request lives (FOLL_LONGTERM:
	 * not in ZONE_MOVABLE/CMA) and count against the caller's
	 * RLIMIT_MEMLOCK like mlock()ed memory (ENOMEM beyond, unless
	 * CAP_IPC_LOCK).  The mm stays charged until the pages are unpinned,
	 * which may be after the caller exited: keep the mm_struct.
	 */
	ret = account_locked_vm(current->mm, b->npages, true);
	if (ret)
		return ret;
	b->mm = current->mm;
	mmgrab(b->mm);
	b->locked = b->npages;
	b->pages = kvmalloc_array(b->npages, sizeof(*b->pages), GFP_KERNEL);
	if (!b->pages)
		return -ENOMEM;
	while (b->pinned < b->npages) {
		ret = pin_user_pages_fast(start + (u64)b->pinned * PAGE_SIZE,
					  b->npages - b->pinned, gup,
					  b->pages + b->pinned);
		if (ret <= 0)
			return ret ? ret : -EFAULT;
		b->pinned += ret;
	}
	ret = sg_alloc_table_from_pages(&b->sgt, b->pages, b->npages,
					offset_in_page(uaddr), len, GFP_KERNEL);
	if (ret)
		return ret;
	b->has_sgt = true;
	if (dir != DMA_TO_DEVICE) {
		ret = sdma_wbuf_claim(b);
		if (ret)
			return ret;
	}
	ret = dma_map_sgtable(sd->dev, &b->sgt, dir, 0);
	if (ret)
		return ret;
	b->mapped = true;
	return 0;
}

/* K9: called only once a DmaCompleted* returned TRUE (or nothing ran). */
static void sdma_ubuf_release(struct sdma_dev *sd, struct sdma_ubuf *b)
{
	if (b->mapped)
		dma_unmap_sgtable(sd->dev, &b->sgt, b->dir, 0);
	if (b->has_sgt) {
		sdma_wbuf_drop(b);	/* after the unmap: U11 */
		sg_free_table(&b->sgt);
	}
	if (b->pinned)
		unpin_user_pages_dirty_lock(b->pages, b->pinned,
					    b->dir == DMA_FROM_DEVICE);
	kvfree(b->pages);
	if (b->mm) {
		account_locked_vm(b->mm, b->locked, false);
		mmdrop(b->mm);
	}
	memset(b, 0, sizeof(*b));
}

/* ---- request memory ---------------------------------------------------- */

static void sdma_req_free(struct kref *kref)
{
	struct sdma_req *req = container_of(kref, struct sdma_req, kref);

	sdma_txn_delete(req->txn);
	kfree(req);
}

void sdma_req_get(struct sdma_req *req)
{
	kref_get(&req->kref);
}

void sdma_req_put(struct sdma_req *req)
{
	kref_put(&req->kref, sdma_req_free);
}

bool sdma_req_is_done(struct sdma_req *req)
{
	/* pairs with the release in sdma_req_complete_work(): res is set */
	return smp_load_acquire(&req->collected_done);
}

/* ---- WDFREQUEST cancelation emulation ---------------------------------- */

static enum sdma_status sdma_req_mark_cancelable(struct sdma_req *req)
{
	enum sdma_status st = SDMA_STATUS_SUCCESS;
	unsigned long flags;

	spin_lock_irqsave(&req->lock, flags);
	if (req->cancelled)
		st = SDMA_STATUS_CANCELLED;
	else
		req->cancelable = true;
	spin_unlock_irqrestore(&req->lock, flags);
	return st;
}

static enum sdma_status sdma_req_unmark_cancelable(struct sdma_req *req)
{
	enum sdma_status st;
	unsigned long flags;

	spin_lock_irqsave(&req->lock, flags);
	if (req->cancelable) {
		req->cancelable = false;
		st = SDMA_STATUS_SUCCESS;
	} else {
		st = req->cancelled ? SDMA_STATUS_CANCELLED :
			SDMA_STATUS_INVALID_DEVICE_REQUEST;
	}
	spin_unlock_irqrestore(&req->lock, flags);
	return st;
}

/* ---- R2, R4 ------------------------------------------------------------ */

/*
 * R2: BeginCompletion.  Under the request lock the first caller wins and
 * records its status (and, for SYSDMA_PATH_*, who it was); a later caller
 * changes the status only when @force.  Returns whether this caller was
 * first.
 */
static bool sdma_req_begin_completion(struct sdma_req *req,
				      enum sdma_status status, bool force,
				      u32 path)
{
	unsigned long flags;
	bool started;

	spin_lock_irqsave(&req->lock, flags);
	started = req->completion_started;
	req->completion_started = true;
	if (!started || force)
		req->completion_status = status;
	if (!started)
		req->path = path;
	spin_unlock_irqrestore(&req->lock, flags);
	trace_sysdma_begin_completion(req->id, sdma_status_name(status),
				      !started, path);
	dev_dbg(req->sd->dev, "R2: req %llu BeginCompletion(%s%s): %s\n",
		req->id, sdma_status_name(status), force ? ", force" : "",
		started ? "not first" : "first");
	return !started;
}

static void sdma_req_set_path(struct sdma_req *req, u32 path)
{
	unsigned long flags;

	spin_lock_irqsave(&req->lock, flags);
	req->path = path;
	spin_unlock_irqrestore(&req->lock, flags);
}

static void sdma_req_complete(struct sdma_req *req);

/*
 * R4: AttemptRequestCompletion.  When the transfer is complete, a
 * successful unmark-cancelable drops the cancel reference (the cancel
 * routine will never run) and a successful timer stop drops the timer's
 * (the timer will never run).  Every caller drops its own reference; the
 * last one checks the status is no longer PENDING, deletes the timer and
 * completes the request.
 */
static void sdma_req_attempt_completion(struct sdma_req *req,
					bool transfer_complete)
{
	struct device *dev = req->sd->dev;
	u64 id = req->id;
	int ref;

	WARN_ON_ONCE(!req->completion_started);
	if (transfer_complete) {
		if (sdma_req_unmark_cancelable(req) == SDMA_STATUS_SUCCESS) {
			ref = atomic_dec_return(&req->completion_refcount);
			WARN_ON_ONCE(ref == 0);
		}
		if (req->timer_started && del_timer(&req->timer)) {
			ref = atomic_dec_return(&req->completion_refcount);
			WARN_ON_ONCE(ref <= 0);
		}
	}
	ref = atomic_dec_return(&req->completion_refcount);
	/* not the last: req may be completed and freed on another CPU now */
	dev_dbg(dev, "R4: req %llu AttemptRequestCompletion(%d): %d refs left\n",
		id, transfer_complete, ref);
	/*
	 * R1/R4: each of the (at most three) references is dropped exactly
	 * once, so the count never goes below zero.  A negative count means
	 * a reference was dropped twice (e.g. the cancel routine ran twice,
	 * K4) and the request was completed while the transaction still ran.
	 */
	if (WARN_ON_ONCE(ref < 0))
		return;
	if (ref)
		return;
	if (WARN_ON_ONCE(req->completion_status == SDMA_STATUS_PENDING))
		req->completion_status = SDMA_STATUS_CANCELLED;
	/* the timer expired or was stopped: no race with its routine */
	del_timer(&req->timer);
	sdma_req_complete(req);
}

/* ---- R6: the cancel routine (EvtRequestCancel) -------------------------- */

static void sdma_req_evt_cancel(struct sdma_req *req)
{
	struct sdma_dev *sd = req->sd;
	bool abort = req->cancel_status == SDMA_STATUS_NO_SUCH_DEVICE;
	bool transfer_complete = false;
	int ref;

	trace_sysdma_cancel_routine(req->id, sdma_txn_get_channel(req->txn));
	/* R6/K4: the cancel routine runs at most once per request */
	WARN_ON_ONCE(test_and_set_bit(0, &req->cancel_ran));
	if (sdma_req_begin_completion(req, req->cancel_status, false,
				      abort ? SYSDMA_PATH_ABORT :
				      SYSDMA_PATH_CANCEL_STOP)) {
		if (sdma_txn_cancel(req->txn) > 0) {
			/*
			 * K2: stopped before EvtProgramDma could be called (or
			 * between transfers, K5).  Drop the I/O reference.
			 */
			ref = atomic_dec_return(&req->completion_refcount);
			WARN_ON_ONCE(ref <= 0);
			sdma_stat_inc(sd, SYSDMA_STAT_CANCEL_K2);
			/* K10: bytes of the transfers done before K5 */
			req->information = sdma_txn_get_bytes_transferred(req->txn);
			if (!abort)
				sdma_req_set_path(req, SYSDMA_PATH_CANCEL_K2);
			/*
			 * Deviation from seed 000 (documented in DRIVER.md):
			 * nothing runs any more, so the transfer is complete;
			 * stop the timer now instead of waiting for it to fire.
			 */
			transfer_complete = true;
		} else {
			/* K6: stop the running system DMA transfer */
			sdma_stat_inc(sd, SYSDMA_STAT_CANCEL_STOP);
			sdma_txn_stop_system_transfer(req->txn);
		}
	}
	dev_dbg(sd->dev, "R6: req %llu cancel routine done\n", req->id);
	sdma_req_attempt_completion(req, transfer_complete);
}

/*
 * The I/O manager side of cancellation (IoCancelIrp): if the request is
 * cancelable its cancel routine runs now, else the cancellation is
 * remembered and the next MarkCancelable fails.  Test hooks are released
 * after the cancel routine ran, so a request held in EvtProgramDma finds
 * UnmarkCancelable failing (K4).
 */
void sdma_req_request_cancel(struct sdma_req *req, enum sdma_status why)
{
	unsigned long flags;
	bool call = false;

	spin_lock_irqsave(&req->lock, flags);
	if (!req->cancelled) {
		req->cancelled = true;
		req->cancel_status = why;
		call = req->cancelable;
		req->cancelable = false;
	}
	spin_unlock_irqrestore(&req->lock, flags);
	dev_dbg(req->sd->dev, "req %llu cancel requested (%s)%s\n", req->id,
		sdma_status_name(why), call ? ", calling cancel routine" : "");
	if (call)
		sdma_req_evt_cancel(req);
	sdma_req_release_holds(req);
}

/* ---- R5: the timer routine (softirq: never sleeps) ---------------------- */

static void sdma_req_timer_fn(struct timer_list *t)
{
	struct sdma_req *req = from_timer(req, t, timer);
	struct sdma_dev *sd = req->sd;
	bool transfer_complete = false;
	int ref;

	trace_sysdma_timer(req->id, sdma_txn_get_channel(req->txn));
	dev_dbg(sd->dev, "R5: req %llu timed out\n", req->id);
	if (sdma_req_begin_completion(req, SDMA_STATUS_IO_TIMEOUT, false,
				      SYSDMA_PATH_TIMEOUT)) {
		/*
		 * K6 makes StopSystemTransfer valid only once EvtProgramDma
		 * was called: a request still queued for a channel (or held
		 * between transfers) is taken back with Cancel like R6 does.
		 */
		if (sdma_txn_cancel(req->txn) > 0) {
			ref = atomic_dec_return(&req->completion_refcount);
			WARN_ON_ONCE(ref <= 0);
			sdma_stat_inc(sd, SYSDMA_STAT_CANCEL_K2);
			req->information = sdma_txn_get_bytes_transferred(req->txn);
			transfer_complete = true;
		} else {
			/* R5: stop; the completion path runs down the rest */
			sdma_stat_inc(sd, SYSDMA_STAT_TIMEOUT_STOP);
			sdma_txn_stop_system_transfer(req->txn);
		}
	}
	sdma_req_attempt_completion(req, transfer_complete);
}

/* ---- R3: the transfer-complete callback --------------------------------- */

static void sdma_req_finish_transfer(struct sdma_req *req,
				     enum sdma_status status, bool force,
				     u32 path)
{
	/* R2: nothing special to do if cancel or timeout got there first */
	sdma_req_begin_completion(req, status, force, path);
	/* K10: record the exact number of bytes transferred */
	req->information = sdma_txn_get_bytes_transferred(req->txn);
	sdma_req_attempt_completion(req, true);
}

/*
 * R3 (EvtDmaTransactionDmaTransferComplete): DmaComplete -> DmaCompleted;
 * FALSE -> return at once without touching the request (K9); TRUE ->
 * SUCCESS.  Any other status -> DmaCompletedFinal; DmaError forces
 * DEVICE_DATA_ERROR; DmaCancelled does not override (cancel or timeout
 * set the status first).  Then record the bytes and R4(true).
 */
static void sdma_req_evt_transfer_complete(struct sdma_txn *txn,
					   void *context, u32 direction,
					   enum sdma_dma_status dma_status)
{
	struct sdma_req *req = context;
	enum sdma_status status;
	bool force = true;

	trace_sysdma_transfer_complete(req->id, sdma_txn_get_channel(txn));
	if (dma_status == SDMA_DMA_COMPLETE) {
		if (!sdma_txn_dma_completed(txn, &status))
			return;	/* more transfers; may complete elsewhere */
		/*
		 * TRUE -> SUCCESS.  Deviation: when a cancel ended the
		 * transaction early (K5) the framework says CANCELLED and,
		 * like DmaCancelled, that does not override the status the
		 * cancel recorded (the seed would report success with a
		 * partial byte count).
		 */
		if (status != SDMA_STATUS_SUCCESS) {
			status = SDMA_STATUS_PENDING;
			force = false;
		}
	} else {
		/*
		 * The seed passes 0 as the final length; we pass what the
		 * controller moved so that the byte count stays exact (K10).
		 */
		sdma_txn_dma_completed_final(txn,
					     sdma_txn_get_current_transfer_bytes(txn),
					     &status);
		if (dma_status == SDMA_DMA_ERROR) {
			status = SDMA_STATUS_DEVICE_DATA_ERROR;
		} else {
			status = SDMA_STATUS_PENDING;
			force = false;
		}
	}
	sdma_req_finish_transfer(req, status, force, SYSDMA_PATH_DMA);
}

/*
 * K7: the request runs without a transfer-complete callback; the
 * framework calls this (our EvtInterruptDpc) when a transfer ended and we
 * poll DmaCompleted.  After StopSystemTransfer it returns FALSE with
 * STATUS_CANCELLED and the transaction ends with DmaCompletedFinal.
 */
static void sdma_req_evt_dpc(struct sdma_txn *txn, void *context)
{
	struct sdma_req *req = context;
	enum sdma_status status, final_status;
	bool force = true;

	trace_sysdma_req_dpc(req->id, sdma_txn_get_channel(txn));
	if (sdma_txn_dma_completed(txn, &status)) {
		if (status != SDMA_STATUS_SUCCESS) {
			/* ended early by a cancel (K5): keep its status */
			status = SDMA_STATUS_PENDING;
			force = false;
		}
	} else {
		/* K9: more transfers: do not touch the transaction again */
		if (status == SDMA_STATUS_MORE_PROCESSING_REQUIRED)
			return;
		sdma_txn_dma_completed_final(txn,
					     sdma_txn_get_current_transfer_bytes(txn),
					     &final_status);
		if (status != SDMA_STATUS_DEVICE_DATA_ERROR) {
			status = SDMA_STATUS_PENDING;
			force = false;
		}
	}
	sdma_req_finish_transfer(req, status, force, SYSDMA_PATH_DMA);
}

/* ---- K4: EvtProgramDma --------------------------------------------------- */

/*
 * A K4 test hook: sleeps until released.  req->holds has hook bits only
 * for requests whose EvtProgramDma runs in the framework worker
 * (SDMA_TXN_PASSIVE_PROGRAM); in the DPC this returns at once.
 */
static void sdma_req_hold_point(struct sdma_req *req, u32 hook)
{
	unsigned long flags;

	spin_lock_irqsave(&req->lock, flags);
	if (!(req->holds & hook)) {
		spin_unlock_irqrestore(&req->lock, flags);
		return;
	}
	req->held_at = hook;
	spin_unlock_irqrestore(&req->lock, flags);
	dev_dbg(req->sd->dev, "req %llu held at hook %#x\n", req->id, hook);
	/* TASK_IDLE: a long hold is not a hung task */
	wait_event_idle(req->hold_wq, !(READ_ONCE(req->holds) & hook));
	spin_lock_irqsave(&req->lock, flags);
	req->held_at = 0;
	spin_unlock_irqrestore(&req->lock, flags);
}

static bool sdma_req_evt_program_dma(struct sdma_txn *txn, void *context,
				     u32 direction,
				     const struct sdma_seg *segs,
				     unsigned int nsegs)
{
	struct sdma_req *req = context;
	struct sdma_dev *sd = req->sd;
	enum sdma_status status;
	int ch;

	trace_sysdma_evt_program_dma(req->id, sdma_txn_get_channel(txn));
	/* test hook: stop inside EvtProgramDma, before UnmarkCancelable */
	sdma_req_hold_point(req, SYSDMA_F_HOLD_PROGRAM);

	/* K4: end the request's cancelability before programming */
	if (sdma_req_unmark_cancelable(req) != SDMA_STATUS_SUCCESS) {
		/* K4: already cancelled: program nothing, complete final */
		dev_dbg(sd->dev, "K4: req %llu cancelled before programming\n",
			req->id);
		sdma_txn_dma_completed_final(txn, 0, &status);
		/*
		 * The cancel routine may not have begun completion yet: the
		 * status is the cancel's (CANCELLED, or NO_SUCH_DEVICE for an
		 * abort), set with the cancelled flag UnmarkCancelable saw.
		 * When this side is R2's first, the path says so: cancel-k4
		 * (the cancel routine then neither cancels nor stops).
		 */
		sdma_req_finish_transfer(req, READ_ONCE(req->cancel_status),
					 false,
					 READ_ONCE(req->cancel_status) ==
					 SDMA_STATUS_NO_SUCH_DEVICE ?
					 SYSDMA_PATH_ABORT :
					 SYSDMA_PATH_CANCEL_K4);
		return false;
	}

	/*
	 * Program the device: the peripheral end of M2P / P2M.  The device's
	 * peripheral is one continuous stream per channel, restarted only by
	 * a SEED write; the channel is ours for every transfer of the
	 * request, so SEED is written once, before the first transfer only:
	 * the request is one stream (P2M delivers pattern(seed, 0..len), the
	 * SINK_CRC read after the last transfer covers the whole request).
	 */
	ch = sdma_txn_get_channel(txn);
	if (direction != SYSDMA_DIR_M2M && ch >= 0 && !txn->transfers)
		sdma_txn_seed_peripheral(txn, req->seed);
	dev_dbg(sd->dev, "K4: req %llu programmed on ch%d (%u piece(s))\n",
		req->id, ch, nsegs);

	/*
	 * test hook: stop between UnmarkCancelable and MarkCancelable (set
	 * only with SDMA_TXN_PASSIVE_PROGRAM: the framework worker, where
	 * sleeping is fine); a cancel landing here must
	 * still run the cancel routine once MarkCancelable fails (K4, R6)
	 */
	sdma_req_hold_point(req, SYSDMA_F_HOLD_PROGRAMMED);

	/*
	 * Keep the request cancelable while the controller runs, so that the
	 * cancel routine can stop it (R6 -> K6).  The cancel reference stays
	 * with us between unmark and mark; if the request was cancelled in
	 * that window the cancel routine was not called: run it ourselves.
	 */
	if (sdma_req_mark_cancelable(req) != SDMA_STATUS_SUCCESS)
		sdma_req_evt_cancel(req);
	return true;
}

/* ---- completion ------------------------------------------------------------ */

/* WdfRequestComplete: may run in softirq context; the rest is deferred. */
static void sdma_req_complete(struct sdma_req *req)
{
	trace_sysdma_complete(req->id, sdma_status_name(req->completion_status),
			      req->information, req->path);
	dev_dbg(req->sd->dev, "req %llu completed: %s, %llu bytes\n", req->id,
		sdma_status_name(req->completion_status), req->information);
	queue_work(req->sd->wq, &req->complete_work);
}

static void sdma_req_complete_work(struct work_struct *work)
{
	struct sdma_req *req = container_of(work, struct sdma_req,
					    complete_work);
	struct sdma_dev *sd = req->sd;
	struct sdma_txn *txn = req->txn;
	struct sysdma_result *res = &req->res;
	enum sysdma_stat kind;
	unsigned long flags;
	bool idle;

	del_timer_sync(&req->timer);
	res->id = req->id;
	res->error = -sdma_status_to_errno(req->completion_status);
	res->bytes = req->information;
	res->path = req->path;
	res->transfers = txn->transfers;
	res->channel = txn->channel;
	res->dev_status = txn->hw_status;
	res->dev_bytes = txn->hw_bytes;
	res->sink_crc = txn->hw_crc;
	req->final_state = sdma_txn_get_state(txn);
	sdma_txn_release(txn);		/* K8: clears the callback */
	/* K9: the buffers are ours again only now */
	sdma_ubuf_release(sd, &req->src);
	sdma_ubuf_release(sd, &req->dst);

	switch (req->completion_status) {
	case SDMA_STATUS_SUCCESS:
		kind = SYSDMA_STAT_OK;
		break;
	case SDMA_STATUS_CANCELLED:
		kind = SYSDMA_STAT_CANCELLED;
		break;
	case SDMA_STATUS_IO_TIMEOUT:
		kind = SYSDMA_STAT_TIMEDOUT;
		break;
	case SDMA_STATUS_NO_SUCH_DEVICE:
		kind = SYSDMA_STAT_ABORTED;
		break;
	default:
		kind = SYSDMA_STAT_ERROR;
		break;
	}
	if (req->completion_status != SDMA_STATUS_INSUFFICIENT_RESOURCES) {
		sdma_stat_inc(sd, SYSDMA_STAT_COMPLETED);
		sdma_stat_inc(sd, kind);
	}
	sdma_stat_dec(sd, SYSDMA_STAT_IN_FLIGHT);
	dev_dbg(sd->dev, "req %llu done: error %u, %llu bytes, path %u, %u transfers\n",
		req->id, res->error, res->bytes, res->path, res->transfers);

	spin_lock_irqsave(&sd->lock, flags);
	list_del_init(&req->dev_node);
	idle = list_empty(&sd->inflight);
	spin_unlock_irqrestore(&sd->lock, flags);

	/* res is complete before anybody sees done (sdma_req_is_done) */
	smp_store_release(&req->collected_done, true);
	complete_all(&req->done);
	if (req->notify)
		req->notify(req->notify_ctx);
	if (idle)
		wake_up_all(&sd->idle_wq);
	sdma_req_put(req);	/* the in-flight reference */
}

/* ---- test hooks ------------------------------------------------------------ */

void sdma_req_release_holds(struct sdma_req *req)
{
	unsigned long flags;

	spin_lock_irqsave(&req->lock, flags);
	req->holds = 0;
	spin_unlock_irqrestore(&req->lock, flags);
	wake_up_all(&req->hold_wq);
	sdma_txn_release_holds(req->txn);
}

u32 sdma_req_held_at(struct sdma_req *req)
{
	return READ_ONCE(req->held_at) ?: sdma_txn_held_at(req->txn);
}

/* ---- submit ------------------------------------------------------------------ */

static int sdma_req_check(struct sdma_dev *sd, const struct sdma_req_params *p)
{
	bool need_src = p->dir != SYSDMA_DEV_DIR_P2M;
	bool need_dst = p->dir != SYSDMA_DEV_DIR_M2P;

	if (p->dir > SYSDMA_DEV_DIR_P2M || !p->len ||
	    p->len > sdma_param_max_request || (p->flags & ~SYSDMA_F_ALL))
		return -EINVAL;
	if (need_src != !!p->src || need_dst != !!p->dst)
		return -EINVAL;
	if (p->channel < SYSDMA_ANY_CHANNEL ||
	    p->channel >= (int)sd->adapter.nr_channels)
		return -EINVAL;
	if ((p->flags & SYSDMA_F_NOWAIT_CHANNEL) &&
	    (p->flags & SYSDMA_F_HOLD_CHANNEL))
		return -EINVAL;
	if ((p->flags & SYSDMA_F_SG) && !sd->adapter.has_sg)
		return -EINVAL;
	if (p->src && p->src + p->len < p->src)
		return -EINVAL;
	if (p->dst && p->dst + p->len < p->dst)
		return -EINVAL;
	if (p->src && p->dst && p->src < p->dst + p->len &&
	    p->dst < p->src + p->len)
		return -EINVAL;		/* V2: overlapping M2M */
	return 0;
}

/*
 * R1/R5: arm the request's timer, whose reference the caller took before
 * Execute.  If completion has already begun (the transfer finished, or
 * Execute failed) the timer would only lose BeginCompletion and drop its
 * reference: do that here instead of arming it.
 */
static void sdma_req_arm_timer(struct sdma_req *req, unsigned int ms)
{
	unsigned long flags;
	bool armed;

	spin_lock_irqsave(&req->lock, flags);
	armed = !req->completion_started;
	if (armed)
		mod_timer(&req->timer, jiffies + msecs_to_jiffies(ms));
	spin_unlock_irqrestore(&req->lock, flags);
	if (!armed && atomic_dec_and_test(&req->completion_refcount))
		sdma_req_complete(req);	/* R4: the status is set */
}

/*
 * Create, pin, map and execute one request.  Called with sd->gate held
 * for reading (the device cannot go away meanwhile).  On success *out
 * holds a reference for the caller.  EBUSY: non-waiting allocation with
 * no free channel (H4).
 */
int sdma_req_submit(struct sdma_dev *sd, const struct sdma_req_params *p,
		    struct sdma_req **out)
{
	struct sdma_req *req;
	unsigned int cfg = 0;
	enum sdma_status st;
	unsigned long flags;
	int ret;

	ret = sdma_req_check(sd, p);
	if (ret)
		return ret;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->sd = sd;
	req->notify = p->notify;
	req->notify_ctx = p->notify_ctx;
	kref_init(&req->kref);
	INIT_LIST_HEAD(&req->dev_node);
	spin_lock_init(&req->lock);
	timer_setup(&req->timer, sdma_req_timer_fn, 0);
	init_waitqueue_head(&req->hold_wq);
	INIT_WORK(&req->complete_work, sdma_req_complete_work);
	init_completion(&req->done);
	req->completion_status = SDMA_STATUS_PENDING;
	req->id = atomic64_inc_return(&sdma_next_id);
	req->dir = p->dir;
	req->flags = p->flags;
	req->seed = p->seed;
	req->timeout_ms = p->timeout_ms;
	req->channel = p->channel;
	req->len = p->len;
	req->holds = p->flags & (SYSDMA_F_HOLD_PROGRAM |
				 SYSDMA_F_HOLD_PROGRAMMED);

	if (p->src) {
		ret = sdma_ubuf_pin(sd, &req->src, p->src, p->len,
				    DMA_TO_DEVICE);
		if (ret)
			goto err;
	}
	if (p->dst) {
		ret = sdma_ubuf_pin(sd, &req->dst, p->dst, p->len,
				    DMA_FROM_DEVICE);
		if (ret)
			goto err;
	}

	/* K8 order: initialize -> set transfer-complete callback -> execute */
	ret = -ENOMEM;
	req->txn = sdma_txn_create(sd, sdma_req_evt_dpc);
	if (!req->txn)
		goto err;
	ret = sdma_txn_initialize(req->txn, sdma_req_evt_program_dma, p->dir,
				  p->src ? &req->src.sgt : NULL,
				  p->dst ? &req->dst.sgt : NULL, p->len);
	if (ret)
		goto err;
	sdma_txn_set_maximum_length(req->txn, p->max_transfer);
	if (p->flags & SYSDMA_F_SG)
		cfg |= SDMA_TXN_SG;
	if (p->flags & SYSDMA_F_NOWAIT_CHANNEL)
		cfg |= SDMA_TXN_NOWAIT;
	if (p->flags & SYSDMA_F_HOLD_CHANNEL)
		cfg |= SDMA_TXN_HOLD_CHANNEL;
	if (p->flags & SYSDMA_F_HOLD_BETWEEN)
		cfg |= SDMA_TXN_HOLD_BETWEEN;
	if (p->flags & SYSDMA_F_HOLD_GRANTED)
		cfg |= SDMA_TXN_HOLD_GRANTED;
	/*
	 * EvtProgramDma runs in the DPC (atomic) unless it must be able to
	 * stop at a K4 test hook: those requests have it called from the
	 * framework worker, where the hook sleeps.
	 */
	if (req->holds)
		cfg |= SDMA_TXN_PASSIVE_PROGRAM;
	ret = sdma_txn_set_channel_configuration(req->txn, p->channel, cfg);
	if (ret)
		goto err;
	if (!(p->flags & SYSDMA_F_NO_CALLBACK)) {
		ret = sdma_txn_set_transfer_complete_callback(req->txn,
							      sdma_req_evt_transfer_complete,
							      req);
		if (ret)
			goto err;
	}

	/* R1: the I/O reference (execute) and the cancel reference (mark) */
	atomic_set(&req->completion_refcount, 2);
	req->cancelable = true;
	spin_lock_irqsave(&sd->lock, flags);
	list_add_tail(&req->dev_node, &sd->inflight);
	spin_unlock_irqrestore(&sd->lock, flags);
	sdma_req_get(req);	/* the in-flight reference */
	sdma_stat_inc(sd, SYSDMA_STAT_IN_FLIGHT);
	if (p->timeout_ms) {
		/*
		 * R1: the timer reference.  The timer itself is armed only
		 * after Execute: fired before it, its Cancel would return
		 * FALSE (K2: not executed) and its StopSystemTransfer would be
		 * refused (K6), and the timeout would be lost.
		 */
		atomic_inc(&req->completion_refcount);
		req->timer_started = true;
	}

	trace_sysdma_submit(req->id, req->txn, &req->txn->xctx, p->channel,
			    p->len, p->dir);
	st = sdma_txn_execute(req->txn, req);
	if (st != SDMA_STATUS_SUCCESS)
		sdma_req_begin_completion(req, st, false, SYSDMA_PATH_DMA);
	if (p->timeout_ms)
		sdma_req_arm_timer(req, p->timeout_ms);
	if (st != SDMA_STATUS_SUCCESS) {
		/*
		 * Execute failed (H4 non-waiting allocation, or the device is
		 * going away): as for K2, the caller completes the request
		 * itself and drops the I/O reference, through R2/R4.
		 */
		sdma_req_attempt_completion(req, true);
		wait_for_completion(&req->done);
		sdma_req_put(req);
		return st == SDMA_STATUS_INSUFFICIENT_RESOURCES ? -EBUSY :
			-ENODEV;
	}
	sdma_stat_inc(sd, SYSDMA_STAT_SUBMITTED);
	dev_dbg(sd->dev, "req %llu submitted: dir %u, %llu bytes, ch %d, flags %#x, timeout %u ms\n",
		req->id, p->dir, p->len, p->channel, p->flags, p->timeout_ms);
	*out = req;
	return 0;

err:
	sdma_ubuf_release(sd, &req->src);
	sdma_ubuf_release(sd, &req->dst);
	sdma_req_put(req);
	return ret;
}

/* ---- teardown ---------------------------------------------------------------- */

/*
 * How long removal/reset lets the cancels work before it forces the
 * transfers that are still running to end (sdma_adapter_force_stop).
 */
static unsigned int sdma_param_abort_timeout_ms = 2000;
module_param_named(abort_timeout_ms, sdma_param_abort_timeout_ms, uint, 0644);
MODULE_PARM_DESC(abort_timeout_ms,
		 "removal/reset: ms before stuck transfers are forced to end");

bool sdma_req_none_in_flight(struct sdma_dev *sd)
{
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&sd->lock, flags);
	idle = list_empty(&sd->inflight);
	spin_unlock_irqrestore(&sd->lock, flags);
	return idle;
}

/*
 * Device removal / reset (A-teardown): complete every request in flight
 * with ENODEV (SYSDMA_PATH_ABORT) through the cancel routine, then wait
 * for all of them (channels released, pages unpinned, timers gone).
 * Requests whose completion had already begun keep their status.  Called
 * with sd->dead set and the adapter stopped, so nothing new starts.
 * Never gives up: when the cancels have not ended everything within
 * abort_timeout_ms (a controller that ignores CANCEL, a lost interrupt
 * with nobody polling), the adapter forces the transfers to end, and the
 * requests complete through their normal paths.  The caller tears the
 * device down only after this returned: no request can touch it then.
 */
void sdma_abort_all(struct sdma_dev *sd, enum sdma_status why)
{
	struct sdma_req *req, *found;
	unsigned long flags;
	unsigned int n;

	for (;;) {
		found = NULL;
		spin_lock_irqsave(&sd->lock, flags);
		list_for_each_entry(req, &sd->inflight, dev_node) {
			if (!req->abort_sent) {
				req->abort_sent = true;
				sdma_req_get(req);
				found = req;
				break;
			}
		}
		spin_unlock_irqrestore(&sd->lock, flags);
		if (!found)
			break;
		sdma_req_request_cancel(found, why);
		sdma_req_put(found);
	}
	if (wait_event_timeout(sd->idle_wq, sdma_req_none_in_flight(sd),
			       msecs_to_jiffies(sdma_param_abort_timeout_ms)))
		return;
	n = sdma_adapter_force_stop(&sd->adapter);
	dev_warn(sd->dev, "abort: requests still in flight after %u ms: transfers forced to end (%u by a controller reset)\n",
		 sdma_param_abort_timeout_ms, n);
	while (!wait_event_timeout(sd->idle_wq, sdma_req_none_in_flight(sd),
				   10 * HZ)) {
		dev_warn(sd->dev, "abort: still waiting for requests\n");
		sdma_adapter_force_stop(&sd->adapter);
	}
}
