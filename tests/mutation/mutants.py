# Mutants of the guest driver for tests/MUTATIONS.md: id -> (rule, what it breaks,
# [(file, exact old text, new text, None)]).  Applied by tests/mutation/mutate.py.
# id: (rule, description, [(file, old, new, occurrence(0-based) or None=unique)])
R='guest-driver/sysdma_request.c'; T='guest-driver/sysdma_txn.c'; A='guest-driver/sysdma_adapter.c'
M = {}
def m(i, rule, desc, *edits): M[i]=(rule, desc, list(edits))

# ---- K ----
m('K1a','K1','Cancel never supported: sdma_txn_cancel always FALSE',
  (T,"\tspin_lock_irqsave(&txn->lock, flags);\n\tswitch (txn->state) {\n\tcase SDMA_TXN_CREATED:\n\t\tspin_unlock_irqrestore(&txn->lock, flags);\n\t\tsdma_caller_error(sd, \"K3:",
     "\tif (txn->state != SDMA_TXN_CREATED) return 0;\n\tspin_lock_irqsave(&txn->lock, flags);\n\tswitch (txn->state) {\n\tcase SDMA_TXN_CREATED:\n\t\tspin_unlock_irqrestore(&txn->lock, flags);\n\t\tsdma_caller_error(sd, \"K3:",None))
m('K2a','K2','Cancel returns TRUE after programming began (TRANSFER state)',
  (T,"\t\ttxn->cancel_requested = true;\n\t\tbreak;","\t\ttxn->cancel_requested = true;\n\t\tret = 1;\n\t\tbreak;",None))
m('K2b','K2','Cancel returns FALSE while waiting for a channel (never TRUE)',
  (T,"\t\t\ttxn->state = SDMA_TXN_CANCELLED;\n\t\t\tret = 1;\n\t\t}","\t\t\ttxn->state = SDMA_TXN_CANCELLED;\n\t\t\tret = 0;\n\t\t}",None))
m('K2c','K2','Cancel returns TRUE while waiting even when the adapter already granted the channel',
  (T,"\t\tif (sdma_cancel_adapter_channel(&sd->adapter, &txn->xctx)) {\n\t\t\ttxn->state = SDMA_TXN_CANCELLED;\n\t\t\tret = 1;\n\t\t}",
     "\t\tsdma_cancel_adapter_channel(&sd->adapter, &txn->xctx);\n\t\t{\n\t\t\ttxn->state = SDMA_TXN_CANCELLED;\n\t\t\tret = 1;\n\t\t}",None))
m('K3a','K3','Cancel on a CREATED (not initialized / released) transaction not detected',
  (T,"\t\tsdma_caller_error(sd, \"K3: Cancel outside initialize..release (txn %p)\\n\",\n\t\t\t\t  txn);\n\t\treturn -EPERM;","\t\treturn 0;",None))
m('K4a','K4','EvtProgramDma ignores a failed UnmarkCancelable and programs a cancelled request',
  (R,"if (sdma_req_unmark_cancelable(req) != SDMA_STATUS_SUCCESS) {","if (sdma_req_unmark_cancelable(req) != SDMA_STATUS_SUCCESS && 0) {",None))
m('K4b','K4','cancelled request in EvtProgramDma: no DmaCompletedFinal',
  (R,"\t\tsdma_txn_dma_completed_final(txn, 0, &status);\n","",None))
m('K4c','K4','cancel landing between UnmarkCancelable and MarkCancelable is dropped (cancel routine not run)',
  (R,"\tif (sdma_req_mark_cancelable(req) != SDMA_STATUS_SUCCESS)\n\t\tsdma_req_evt_cancel(req);","\tsdma_req_mark_cancelable(req);",None))
m('K5a','K5','Cancel between transfers ignored (FALSE; caller falls back to StopSystemTransfer)',
  (T,"\t\ttxn->state = SDMA_TXN_CANCELLED;\n\t\ttxn->held = false;\n\t\tfree_chan = true;\n\t\tret = 1;","\t\tbreak;",None))
m('K5b','K5','Cancel landing during a transfer does not end the transaction at the next DmaCompleted',
  (T,"if (txn->transferred == txn->length || txn->cancel_requested) {","if (txn->transferred == txn->length) {",None))
m('K5c','K5','Cancel between transfers does not stop the next transfer (state not CANCELLED, work continues)',
  (T,"\t\ttxn->state = SDMA_TXN_CANCELLED;\n\t\ttxn->held = false;\n\t\tfree_chan = true;\n\t\tret = 1;","\t\ttxn->held = false;\n\t\tqueue_work(sd->wq, &txn->work);\n\t\tret = 1;",None))
m('K6a','K6','StopSystemTransfer does nothing',
  (T,"\t\ttxn->stop_requested = true;\n\t\tsdma_cancel_mapped_transfer(&sd->adapter, &txn->xctx);\n","\t\ttxn->stop_requested = true;\n",None))
m('K6b','K6','StopSystemTransfer sleeps (msleep)',
  (T,"\tbool unpark = false;\n\tint ret = 0;\n\n\tspin_lock_irqsave(&txn->lock, flags);\n\tswitch (txn->state) {\n\tcase SDMA_TXN_WAIT_CHANNEL:","\tbool unpark = false;\n\tint ret = 0;\n\n\tmsleep(2);\n\tspin_lock_irqsave(&txn->lock, flags);\n\tswitch (txn->state) {\n\tcase SDMA_TXN_WAIT_CHANNEL:",None),
  (T,"#include <linux/slab.h>\n","#include <linux/slab.h>\n#include <linux/delay.h>\n",None))
m('K6c','K6','StopSystemTransfer before EvtProgramDma accepted silently',
  (T,"\tdefault:\n\t\tret = -EPERM;\n\t\tbreak;\n\t}\n\tif (unpark)","\tdefault:\n\t\tbreak;\n\t}\n\tif (unpark)",None))
m('K7a','K7','no callback: DmaCompleted after StopSystemTransfer returns TRUE (MS page behaviour)',
  (T,"(txn->stop_requested && !txn->complete_cb)) {","(0 && txn->stop_requested && !txn->complete_cb)) {",None))
m('K8a','K8','release does not clear the transfer-complete callback',
  (T,"\ttxn->complete_cb = NULL;\t/* K8 */\n","",None))
m('K8b','K8','callback may be set after Execute',
  (T,'ret = sdma_txn_config_check(txn, "K8: SetTransferCompleteCallback");','ret = txn->state == SDMA_TXN_CREATED ? -EPERM : 0;',None))
m('K8c','K8','callback called twice per completed transfer',
  (T,"\tif (cb)\n\t\tcb(txn, cb_ctx, txn->dir, status);","\tif (cb) {\n\t\tcb(txn, cb_ctx, txn->dir, status);\n\t\tif (status == SDMA_DMA_COMPLETE)\n\t\t\tcb(txn, cb_ctx, txn->dir, status);\n\t}",None))
m('K9a','K9','buffers unmapped/unpinned when DmaCompleted returns FALSE (before TRUE)',
  (R,"\t\tif (!sdma_txn_dma_completed(txn, &status))\n\t\t\treturn;\t/* more transfers; may complete elsewhere */",
     "\t\tif (!sdma_txn_dma_completed(txn, &status)) {\n\t\t\tsdma_ubuf_release(req->sd, &req->src);\n\t\t\tsdma_ubuf_release(req->sd, &req->dst);\n\t\t\treturn;\n\t\t}",None))
m('K9b','K9','buffers released before the transaction (DmaCompletedFinal) on the error/cancel path',
  (R,"\t\tsdma_txn_dma_completed_final(txn,\n\t\t\t\t\t     sdma_txn_get_current_transfer_bytes(txn),\n\t\t\t\t\t     &status);\n\t\tif (dma_status == SDMA_DMA_ERROR) {",
     "\t\tsdma_ubuf_release(req->sd, &req->dst);\n\t\tsdma_txn_dma_completed_final(txn,\n\t\t\t\t\t     sdma_txn_get_current_transfer_bytes(txn),\n\t\t\t\t\t     &status);\n\t\tif (dma_status == SDMA_DMA_ERROR) {",None))
m('K10a','K10','request reports the bytes of the last transfer only',
  (R,"\treq->information = sdma_txn_get_bytes_transferred(req->txn);\n\tsdma_req_attempt_completion(req, true);","\treq->information = sdma_txn_get_current_transfer_bytes(req->txn);\n\tsdma_req_attempt_completion(req, true);",None))
m('K10b','K10','DmaCompletedFinal ignores the final length (seed passes 0)',
  (T,"\t\ttxn->transferred += min_t(u64, final_length, txn->cur_len);\n","",None))
m('K10c','K10','transfers not split at the maximum length',
  (T,"u64 budget = min(txn->length - txn->transferred, txn->max_len);","u64 budget = min(txn->length - txn->transferred, (u64)txn->sd->max_xfer);",None))
# ---- R ----
m('R1a','R1','no timer reference taken',
  (R,"\t\tatomic_inc(&req->completion_refcount);\n\t\treq->timer_started = true;","\t\treq->timer_started = true;",None))
m('R1b','R1','no cancel reference: refcount starts at 1',
  (R,"atomic_set(&req->completion_refcount, 2);","atomic_set(&req->completion_refcount, 1);",None))
m('R2a','R2','a later caller overrides the status without force',
  (R,"\tif (!started || force)\n","\tif (1)\n",None))
m('R2b','R2','force ignored: first caller always keeps its status',
  (R,"\tif (!started || force)\n","\tif (!started)\n",None))
m('R2c','R2','BeginCompletion always says "first"',
  (R,"\treturn !started;\n}","\treturn true;\n}",None))
m('R3a','R3','DmaCancelled overrides the status (forces CANCELLED)',
  (R,"\t\tif (dma_status == SDMA_DMA_ERROR) {\n\t\t\tstatus = SDMA_STATUS_DEVICE_DATA_ERROR;\n\t\t} else {\n\t\t\tstatus = SDMA_STATUS_PENDING;\n\t\t\tforce = false;\n\t\t}",
     "\t\tif (dma_status == SDMA_DMA_ERROR) {\n\t\t\tstatus = SDMA_STATUS_DEVICE_DATA_ERROR;\n\t\t} else {\n\t\t\tstatus = SDMA_STATUS_CANCELLED;\n\t\t}",None))
m('R3b','R3','DmaError does not force DEVICE_DATA_ERROR',
  (R,"\t\tif (dma_status == SDMA_DMA_ERROR) {\n\t\t\tstatus = SDMA_STATUS_DEVICE_DATA_ERROR;\n\t\t} else {","\t\tif (dma_status == SDMA_DMA_ERROR) {\n\t\t\tstatus = SDMA_STATUS_DEVICE_DATA_ERROR;\n\t\t\tforce = false;\n\t\t} else {",None))
m('R3c','R3','DmaCompleted TRUE does not force SUCCESS',
  (R,"\t\tif (status != SDMA_STATUS_SUCCESS) {\n\t\t\tstatus = SDMA_STATUS_PENDING;\n\t\t\tforce = false;\n\t\t}\n\t} else {\n\t\t/*\n\t\t * The seed",
     "\t\tforce = false;\n\t\tif (status != SDMA_STATUS_SUCCESS) {\n\t\t\tstatus = SDMA_STATUS_PENDING;\n\t\t\tforce = false;\n\t\t}\n\t} else {\n\t\t/*\n\t\t * The seed",None))
m('R3d','R3','FALSE from DmaCompleted does not return: request completed after the first transfer',
  (R,"\t\tif (!sdma_txn_dma_completed(txn, &status))\n\t\t\treturn;\t/* more transfers; may complete elsewhere */","\t\tsdma_txn_dma_completed(txn, &status);",None))
m('R3e','R3','error/cancel path uses DmaCompleted instead of DmaCompletedFinal (transaction never ends)',
  (R,"\t\tsdma_txn_dma_completed_final(txn,\n\t\t\t\t\t     sdma_txn_get_current_transfer_bytes(txn),\n\t\t\t\t\t     &status);\n\t\tif (dma_status == SDMA_DMA_ERROR) {","\t\tsdma_txn_dma_completed(txn, &status);\n\t\tif (dma_status == SDMA_DMA_ERROR) {",None))
m('R4a','R4','transfer complete: cancel reference not dropped after successful unmark',
  (R,"\t\tif (sdma_req_unmark_cancelable(req) == SDMA_STATUS_SUCCESS) {\n\t\t\tref = atomic_dec_return(&req->completion_refcount);","\t\tif (sdma_req_unmark_cancelable(req) == SDMA_STATUS_SUCCESS) {\n\t\t\tref = 1;",None))
m('R4b','R4','timer reference dropped twice (even when del_timer failed: the timer runs)',
  (R,"if (req->timer_started && del_timer(&req->timer)) {","if (req->timer_started && (del_timer(&req->timer) || 1)) {",None))
m('R4c','R4','last reference does not complete the request',
  (R,"\tdel_timer(&req->timer);\n\tsdma_req_complete(req);\n}","\tdel_timer(&req->timer);\n}",None))
m('R4d','R4','completes when one reference is still held (off by one)',
  (R,"\t\tid, transfer_complete, ref);\n\tif (ref)\n\t\treturn;","\t\tid, transfer_complete, ref);\n\tif (ref > 1)\n\t\treturn;",None))
m('R4e','R4','last reference does not assert the status is no longer PENDING',
  (R,"\tif (WARN_ON_ONCE(req->completion_status == SDMA_STATUS_PENDING))\n\t\treq->completion_status = SDMA_STATUS_CANCELLED;\n","",None))
m('R4f','R4','timer reference not dropped on a successful timer stop',
  (R,"\t\tif (req->timer_started && del_timer(&req->timer)) {\n\t\t\tref = atomic_dec_return(&req->completion_refcount);\n\t\t\tWARN_ON_ONCE(ref <= 0);","\t\tif (req->timer_started && del_timer(&req->timer)) {\n\t\t\tref = 1;",None))
m('R5a','R5','timer does not call StopSystemTransfer',
  (R,"\t\t\tsdma_stat_inc(sd, SYSDMA_STAT_TIMEOUT_STOP);\n\t\t\tsdma_txn_stop_system_transfer(req->txn);","\t\t\tsdma_stat_inc(sd, SYSDMA_STAT_TIMEOUT_STOP);",None))
m('R5b','R5','timer does not drop its reference (no AttemptRequestCompletion)',
  (R,"\t\t}\n\t}\n\tsdma_req_attempt_completion(req, transfer_complete);\n}\n\n/* ---- R3","\t\t}\n\t}\n}\n\n/* ---- R3",None))
m('R5c','R5','timer stops the transfer even when it was not first',
  (R,"\tif (sdma_req_begin_completion(req, SDMA_STATUS_IO_TIMEOUT, false,\n\t\t\t\t      SYSDMA_PATH_TIMEOUT)) {","\tsdma_req_begin_completion(req, SDMA_STATUS_IO_TIMEOUT, false,\n\t\t\t\t      SYSDMA_PATH_TIMEOUT);\n\t{",None))
m('R5d','R5','timer Cancel TRUE: I/O reference not dropped',
  (R,"\t\t\tref = atomic_dec_return(&req->completion_refcount);\n\t\t\tWARN_ON_ONCE(ref <= 0);\n\t\t\tsdma_stat_inc(sd, SYSDMA_STAT_CANCEL_K2);\n\t\t\treq->information = sdma_txn_get_bytes_transferred(req->txn);\n\t\t\ttransfer_complete = true;",
     "\t\t\tsdma_stat_inc(sd, SYSDMA_STAT_CANCEL_K2);\n\t\t\treq->information = sdma_txn_get_bytes_transferred(req->txn);\n\t\t\ttransfer_complete = true;",None))
m('R6a','R6','Cancel TRUE: I/O reference not dropped',
  (R,"\t\t\tref = atomic_dec_return(&req->completion_refcount);\n\t\t\tWARN_ON_ONCE(ref <= 0);\n\t\t\tsdma_stat_inc(sd, SYSDMA_STAT_CANCEL_K2);\n\t\t\t/* K10","\t\t\tsdma_stat_inc(sd, SYSDMA_STAT_CANCEL_K2);\n\t\t\t/* K10",None))
m('R6b','R6','Cancel TRUE path calls StopSystemTransfer too',
  (R,"\t\t\ttransfer_complete = true;\n\t\t} else {\n\t\t\t/* K6: stop","\t\t\ttransfer_complete = true;\n\t\t\tsdma_txn_stop_system_transfer(req->txn);\n\t\t} else {\n\t\t\t/* K6: stop",None))
m('R6c','R6','Cancel FALSE: no StopSystemTransfer',
  (R,"\t\t\tsdma_stat_inc(sd, SYSDMA_STAT_CANCEL_STOP);\n\t\t\tsdma_txn_stop_system_transfer(req->txn);","\t\t\tsdma_stat_inc(sd, SYSDMA_STAT_CANCEL_STOP);",None))
m('R6d','R6','cancel routine forces its status (overrides a timeout/error already recorded)',
  (R,"\tif (sdma_req_begin_completion(req, req->cancel_status, false,","\tif (sdma_req_begin_completion(req, req->cancel_status, true,",None))
m('R6e','R6','cancel routine does not drop its own reference',
  (R,"\tdev_dbg(sd->dev, \"R6: req %llu cancel routine done\\n\", req->id);\n\tsdma_req_attempt_completion(req, transfer_complete);","\tdev_dbg(sd->dev, \"R6: req %llu cancel routine done\\n\", req->id);\n\tif (transfer_complete)\n\t\tsdma_req_attempt_completion(req, transfer_complete);",None))
# ---- H ----
m('H1a','H1','CancelMappedTransfer does not mark the context cancelled',
  (A,"\tctx->cancelled = true;\n\tch = &ad->ch[ctx->channel];","\tch = &ad->ch[ctx->channel];",None))
m('H1b','H1','CancelMappedTransfer does not stop the running transfer (no CANCEL write)',
  (A,"\t\t\tif (!ch->cancel_written)\n\t\t\t\tsdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_CANCEL, 1);","",None))
m('H1c','H1','CancelMappedTransfer of an unknown/finished context succeeds',
  (A,"\t\tdev_dbg(ad->dev, \"H1: cancel of unknown/finished ctx %p\\n\", ctx);\n\t\treturn SDMA_STATUS_INVALID_PARAMETER;","\t\treturn SDMA_STATUS_SUCCESS;",None))
m('H1d','H1','cancelled context still runs the next transfer (H1 marks, but Stop in BETWEEN/PROGRAMMING ignored by map)',
  (A,"\tif (ctx->cancelled) {\n\t\t/* H3","\tif (ctx->cancelled && ctx->mapped_len == 0) {\n\t\t/* H3",None))
m('H2a','H2','flush skipped after a cancelled transfer',
  (T,"\tif (mapped)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */","\tif (mapped && status != SDMA_DMA_CANCELLED)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */",None))
m('H2b','H2','flush skipped after a failed (DmaError) transfer',
  (T,"\tif (mapped)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */","\tif (mapped && status != SDMA_DMA_ERROR)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */",None))
m('H2c','H2','flush after the transfer-complete callback instead of before',
  (T,"\tif (mapped)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */\n\tspin_lock","\tspin_lock",None),
  (T,"\tif (cb)\n\t\tcb(txn, cb_ctx, txn->dir, status);\n\telse\n\t\ttxn->dpc(txn, txn->context);","\tif (cb)\n\t\tcb(txn, cb_ctx, txn->dir, status);\n\telse\n\t\ttxn->dpc(txn, txn->context);\n\tif (mapped)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);",None))
m('H3a','H3','MapTransfer on a cancelled context succeeds',
  (A,"\tif (ctx->cancelled) {\n\t\t/* H3","\tif (0) {\n\t\t/* H3",None))
m('H3b','H3','MapTransfer does not write the mapped length (0)',
  (A,"\t*length = total;\n\tctx->mapped_len = total;","\tctx->mapped_len = total;",None))
m('H4a','H4','non-waiting allocation waits (queued)',
  (A,"\tif (flags & SDMA_ALLOC_NOWAIT) {","\tif (0) {",None))
m('H4b','H4','a pending allocation cannot be cancelled',
  (A,"\tif (ctx->state == SDMA_CTX_WAITING) {\n\t\tlist_del_init","\tif (0) {\n\t\tlist_del_init",None))
m('H4c','H4','transfer context in use not refused',
  (A,"\tif (ctx->state != SDMA_CTX_IDLE) {\n\t\tspin_unlock_irqrestore(&ad->lock, irqf);\n\t\tsdma_caller_error(sd, \"H4:","\tif (0) {\n\t\tspin_unlock_irqrestore(&ad->lock, irqf);\n\t\tsdma_caller_error(sd, \"H4:",None))
m('H4d','H4','waiting allocation is not FIFO / never served when a channel frees (no dispatch on free)',
  (A,"\tctx->state = SDMA_CTX_IDLE;\n\tsdma_dispatch(ad, &granted);","\tctx->state = SDMA_CTX_IDLE;",None))
m('H5a','H5','controller CANCELLED state mapped to DmaError',
  (A,"\t\tcase SYSDMA_STATE_CANCELLED:\n\t\t\tdst = SDMA_DMA_CANCELLED;","\t\tcase SYSDMA_STATE_CANCELLED:\n\t\t\tdst = SDMA_DMA_ERROR;",None))
m('H5b','H5','controller ERROR state mapped to DmaCancelled',
  (A,"\t\tdefault:\t/* ERROR, or IDLE/garbage after a reset */\n\t\t\tdst = SDMA_DMA_ERROR;","\t\tdefault:\t/* ERROR, or IDLE/garbage after a reset */\n\t\t\tdst = SDMA_DMA_CANCELLED;",None))
m('H5c','H5','STATUS_IO_TIMEOUT mapped to ECANCELED',
  (R,"\tcase SDMA_STATUS_IO_TIMEOUT:\n\t\treturn -ETIMEDOUT;","\tcase SDMA_STATUS_IO_TIMEOUT:\n\t\treturn -ECANCELED;",None))
m('H5d','H5','STATUS_DEVICE_DATA_ERROR mapped to ETIMEDOUT',
  (R,"\tcase SDMA_STATUS_DEVICE_DATA_ERROR:\n\t\treturn -EIO;","\tcase SDMA_STATUS_DEVICE_DATA_ERROR:\n\t\treturn -ETIMEDOUT;",None))
# ---- V (driver side) ----
m('V1a','V1','no flush before re-programming (flush skipped, MapTransfer guard removed)',
  (T,"\tif (mapped)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */","\tif (mapped && txn->transferred + txn->xctx.mapped_len >= txn->length)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */",None),
  (A,"\tif (ch->mapped || ch->flush_owed) {","\tif (ch->mapped) {",None))
m('V1b','V1','no flush before release (flush skipped, FreeAdapterChannel repair removed)',
  (T,"\tif (mapped)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */","\tif (mapped && status == SDMA_DMA_COMPLETE)\n\t\tsdma_flush_adapter_buffers(&sd->adapter, &txn->xctx);\t/* H2 */",None),
  (A,"\t\tsdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_FLUSH, 1);\n\t\tch->flush_owed = false;\n\t}\n\tsdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_CLAIM, 0);","\t\tch->flush_owed = false;\n\t}\n\tsdma_ch_wr(ad->regs, ch->id, SYSDMA_CH_CLAIM, 0);",None))
m('V4a','V4','channel released twice (DmaCompletedFinal frees again; adapter guard removed)',
  (T,"\tspin_unlock_irqrestore(&txn->lock, flags);\n\tsdma_txn_free_channel(txn);\n\tdev_dbg(sd->dev, \"K10:","\tspin_unlock_irqrestore(&txn->lock, flags);\n\tsdma_txn_free_channel(txn);\n\tsdma_txn_free_channel(txn);\n\tdev_dbg(sd->dev, \"K10:",None))
m('V4b','V4','channel leaked after a K5 cancel between transfers',
  (T,"\t\tfree_chan = true;\n\t\tret = 1;","\t\tret = 1;",None))
m('V4c','V4','double free of a channel reaches the device (adapter V4 guard removed + double free)',
  (T,"\tspin_unlock_irqrestore(&txn->lock, flags);\n\tsdma_txn_free_channel(txn);\n\tdev_dbg(sd->dev, \"K10:","\tspin_unlock_irqrestore(&txn->lock, flags);\n\tsdma_txn_free_channel(txn);\n\tsdma_ch_wr(sd->adapter.regs, txn->channel, SYSDMA_CH_CLAIM, 0);\n\tdev_dbg(sd->dev, \"K10:",None),
  (T,'#include "sysdma_txn.h"\n','#include "sysdma_txn.h"\n#include "sysdma_hw.h"\n',None))
m('K9c','K9','destination DMA-unmapped (not unpinned) when DmaCompleted returns FALSE',
  (R,"\t\tif (!sdma_txn_dma_completed(txn, &status))\n\t\t\treturn;\t/* more transfers; may complete elsewhere */",
     "\t\tif (!sdma_txn_dma_completed(txn, &status)) {\n\t\t\tif (req->dst.mapped)\n\t\t\t\tdma_unmap_sgtable(req->sd->dev, &req->dst.sgt, req->dst.dir, 0);\n\t\t\treq->dst.mapped = false;\n\t\t\treturn;\n\t\t}",None))
