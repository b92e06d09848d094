/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysdma driver tracepoints: one per step of the KMDF/HAL DMA protocol
 * (DRIVER.md, "Tracepoints").  Enable them in tracefs:
 *   echo 1 > /sys/kernel/tracing/events/sysdma/enable
 * (scripts/boot --trace-driver does that in the guest).
 *
 * Requests are named by their id (req=); transaction-level and
 * adapter-level events by the transaction (txn=) or its transfer context
 * (ctx=) pointer, which sysdma_submit ties to the request id.  Channels
 * are ch= (-1: not known yet).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM sysdma

#if !defined(_SYSDMA_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SYSDMA_TRACE_H

#include <linux/tracepoint.h>
#include "sysdma.h"

/* A request's completion path (uapi SYSDMA_PATH_*) by name */
#define sysdma_show_path(path)						\
	__print_symbolic(path, { 0, "none" },				\
			 { SYSDMA_PATH_DMA, "dma" },			\
			 { SYSDMA_PATH_CANCEL_K2, "cancel-k2" },	\
			 { SYSDMA_PATH_CANCEL_STOP, "cancel-stop" },	\
			 { SYSDMA_PATH_TIMEOUT, "timeout" },		\
			 { SYSDMA_PATH_ABORT, "abort" },		\
			 { SYSDMA_PATH_CANCEL_K4, "cancel-k4" })

/* A request enters the driver (ioctl SUBMIT): its txn and context */
TRACE_EVENT(sysdma_submit,
	TP_PROTO(u64 req, const void *txn, const void *ctx, int ch, u64 len,
		 u32 dir),
	TP_ARGS(req, txn, ctx, ch, len, dir),
	TP_STRUCT__entry(
		__field(u64, req)
		__field(unsigned long, txn)
		__field(unsigned long, ctx)
		__field(int, ch)
		__field(u64, len)
		__field(u32, dir)
	),
	TP_fast_assign(
		__entry->req = req;
		__entry->txn = (unsigned long)txn;
		__entry->ctx = (unsigned long)ctx;
		__entry->ch = ch;
		__entry->len = len;
		__entry->dir = dir;
	),
	TP_printk("req=%llu txn=%lx ctx=%lx ch=%d len=%llu dir=%u",
		  __entry->req, __entry->txn, __entry->ctx, __entry->ch,
		  __entry->len, __entry->dir)
);

/* Request-level steps: req= and ch= */
DECLARE_EVENT_CLASS(sysdma_req_class,
	TP_PROTO(u64 req, int ch),
	TP_ARGS(req, ch),
	TP_STRUCT__entry(
		__field(u64, req)
		__field(int, ch)
	),
	TP_fast_assign(
		__entry->req = req;
		__entry->ch = ch;
	),
	TP_printk("req=%llu ch=%d", __entry->req, __entry->ch)
);

/* K4: EvtProgramDma called (before UnmarkCancelable) */
DEFINE_EVENT(sysdma_req_class, sysdma_evt_program_dma,
	TP_PROTO(u64 req, int ch), TP_ARGS(req, ch));
/* R6: the cancel routine runs */
DEFINE_EVENT(sysdma_req_class, sysdma_cancel_routine,
	TP_PROTO(u64 req, int ch), TP_ARGS(req, ch));
/* R5: the request's timer fired */
DEFINE_EVENT(sysdma_req_class, sysdma_timer,
	TP_PROTO(u64 req, int ch), TP_ARGS(req, ch));
/* K7: the request's EvtInterruptDpc (no transfer-complete callback) */
DEFINE_EVENT(sysdma_req_class, sysdma_req_dpc,
	TP_PROTO(u64 req, int ch), TP_ARGS(req, ch));
/* R3: the transfer-complete callback */
DEFINE_EVENT(sysdma_req_class, sysdma_transfer_complete,
	TP_PROTO(u64 req, int ch), TP_ARGS(req, ch));

/* R2: BeginCompletion; first=1 is the winner, path says who it was */
TRACE_EVENT(sysdma_begin_completion,
	TP_PROTO(u64 req, const char *status, bool first, u32 path),
	TP_ARGS(req, status, first, path),
	TP_STRUCT__entry(
		__field(u64, req)
		__string(status, status)
		__field(bool, first)
		__field(u32, path)
	),
	TP_fast_assign(
		__entry->req = req;
		__assign_str(status, status);
		__entry->first = first;
		__entry->path = path;
	),
	TP_printk("req=%llu status=%s first=%d path=%s", __entry->req,
		  __get_str(status), __entry->first,
		  sysdma_show_path(__entry->path))
);

/* The request is completed (WdfRequestComplete) */
TRACE_EVENT(sysdma_complete,
	TP_PROTO(u64 req, const char *status, u64 bytes, u32 path),
	TP_ARGS(req, status, bytes, path),
	TP_STRUCT__entry(
		__field(u64, req)
		__string(status, status)
		__field(u64, bytes)
		__field(u32, path)
	),
	TP_fast_assign(
		__entry->req = req;
		__assign_str(status, status);
		__entry->bytes = bytes;
		__entry->path = path;
	),
	TP_printk("req=%llu status=%s bytes=%llu path=%s", __entry->req,
		  __get_str(status), __entry->bytes,
		  sysdma_show_path(__entry->path))
);

/* Transaction / adapter steps: obj= is a txn or ctx pointer */
DECLARE_EVENT_CLASS(sysdma_obj_class,
	TP_PROTO(const void *obj, int ch, u64 val),
	TP_ARGS(obj, ch, val),
	TP_STRUCT__entry(
		__field(unsigned long, obj)
		__field(int, ch)
		__field(u64, val)
	),
	TP_fast_assign(
		__entry->obj = (unsigned long)obj;
		__entry->ch = ch;
		__entry->val = val;
	),
	TP_printk("obj=%lx ch=%d val=%llu", __entry->obj, __entry->ch,
		  __entry->val)
);

/* H4: a context waits for a channel (ch: the one it wants, -1 any) */
DEFINE_EVENT(sysdma_obj_class, sysdma_channel_queued,
	TP_PROTO(const void *obj, int ch, u64 val), TP_ARGS(obj, ch, val));
/* H4: a channel is granted to a context */
DEFINE_EVENT(sysdma_obj_class, sysdma_channel_granted,
	TP_PROTO(const void *obj, int ch, u64 val), TP_ARGS(obj, ch, val));
/* H3: MapTransfer programs the controller (val: bytes mapped) */
DEFINE_EVENT(sysdma_obj_class, sysdma_program,
	TP_PROTO(const void *obj, int ch, u64 val), TP_ARGS(obj, ch, val));
/* H2: FlushAdapterBuffers (val: bytes the controller moved) */
DEFINE_EVENT(sysdma_obj_class, sysdma_flush,
	TP_PROTO(const void *obj, int ch, u64 val), TP_ARGS(obj, ch, val));
/* K6: StopSystemTransfer (CANCEL written) */
DEFINE_EVENT(sysdma_obj_class, sysdma_stop,
	TP_PROTO(const void *obj, int ch, u64 val), TP_ARGS(obj, ch, val));
/* DmaCompleted / DmaCompletedWithLength / DmaCompletedFinal (val: TRUE) */
DEFINE_EVENT(sysdma_obj_class, sysdma_dma_completed,
	TP_PROTO(const void *obj, int ch, u64 val), TP_ARGS(obj, ch, val));
/* The interrupt (obj: the device, val: IRQ_STATUS channel bits) */
DEFINE_EVENT(sysdma_obj_class, sysdma_interrupt,
	TP_PROTO(const void *obj, int ch, u64 val), TP_ARGS(obj, ch, val));
/* The DPC (tasklet) services the channels */
DEFINE_EVENT(sysdma_obj_class, sysdma_dpc,
	TP_PROTO(const void *obj, int ch, u64 val), TP_ARGS(obj, ch, val));

#endif /* _SYSDMA_TRACE_H */

/* This part must be outside the include guard */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE sysdma_trace
#include <trace/define_trace.h>
