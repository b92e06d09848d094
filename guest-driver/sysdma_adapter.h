/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HAL system-DMA adapter (DMA version 3 operations, CONTRACT H1-H5).
 *
 *   AllocateAdapterChannelEx  sdma_allocate_adapter_channel()
 *   CancelAdapterChannel      sdma_cancel_adapter_channel()
 *   MapTransferEx             sdma_map_transfer()
 *   FlushAdapterBuffersEx     sdma_flush_adapter_buffers()
 *   CancelMappedTransfer      sdma_cancel_mapped_transfer()
 *   FreeAdapterChannel        sdma_free_adapter_channel()
 */
#ifndef SYSDMA_ADAPTER_H
#define SYSDMA_ADAPTER_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include "sysdma-regs.h"

/* NTSTATUS-like statuses shared by the adapter, framework and requests */
enum sdma_status {
	SDMA_STATUS_SUCCESS = 0,
	SDMA_STATUS_PENDING,
	SDMA_STATUS_CANCELLED,
	SDMA_STATUS_IO_TIMEOUT,
	SDMA_STATUS_DEVICE_DATA_ERROR,
	SDMA_STATUS_INSUFFICIENT_RESOURCES,
	SDMA_STATUS_MORE_PROCESSING_REQUIRED,
	SDMA_STATUS_INVALID_DEVICE_REQUEST,
	SDMA_STATUS_INVALID_PARAMETER,
	SDMA_STATUS_NO_SUCH_DEVICE,
};

/* H5: DMA_COMPLETION_STATUS */
enum sdma_dma_status {
	SDMA_DMA_COMPLETE,
	SDMA_DMA_ABORTED,	/* H5: defined, never produced */
	SDMA_DMA_ERROR,
	SDMA_DMA_CANCELLED,
};

const char *sdma_dma_status_name(enum sdma_dma_status st);

/* One piece of a transfer: contiguous in source and destination. */
struct sdma_seg {
	u64 src;		/* bus address, 0 for P2M */
	u64 dst;		/* bus address, 0 for M2P */
	u32 len;
};

struct sdma_adapter;

/* ExecutionRoutine of AllocateAdapterChannelEx: a channel was granted. */
typedef void (*sdma_execution_routine)(struct sdma_adapter *ad,
					unsigned int channel, void *context);
/* DmaCompletionRoutine of MapTransferEx: the mapped transfer ended. */
typedef void (*sdma_dma_completion_routine)(struct sdma_adapter *ad,
					     void *context,
					     enum sdma_dma_status status);

enum sdma_ctx_state {
	SDMA_CTX_IDLE,		/* unknown to the adapter */
	SDMA_CTX_WAITING,	/* queued for a channel (cancellable, H4) */
	SDMA_CTX_ALLOCATED,	/* owns a channel */
};

/*
 * H4: the DMA transfer context.  One per request (embedded in the
 * transaction), never shared: allocating with a context already in use is
 * refused.
 */
struct sdma_xfer_ctx {
	struct list_head node;		/* adapter waiters / grant list */
	enum sdma_ctx_state state;
	int want;			/* channel number or -1 */
	unsigned int channel;		/* valid when ALLOCATED */
	bool held;			/* test hook: stay queued (K2) */
	bool cancelled;			/* H1 */
	u32 dir;			/* SYSDMA_DIR_* */
	sdma_execution_routine exec;
	void *exec_ctx;
	sdma_dma_completion_routine done;
	void *done_ctx;
	/* what the controller said when the last mapped transfer ended */
	u32 mapped_len;
	u32 last_status;
	u32 last_bytes;
	u32 last_crc;
};

struct sdma_hw_desc {
	__le64 src;
	__le64 dst;
	__le32 len;
	__le32 flags;
	__le64 next;
};

struct sdma_chan {
	struct sdma_adapter *ad;
	unsigned int id;
	struct sdma_xfer_ctx *owner;	/* NULL: free */
	bool mapped;		/* started, completion not yet delivered */
	bool flush_owed;	/* H2: completion delivered, not flushed */
	bool cancel_written;	/* CANCEL written for the current transfer */
	bool pause_written;	/* PAUSE = 1 written for the current transfer */
	bool forced;		/* ended by sdma_adapter_force_stop() */
	struct sdma_hw_desc *desc;
	dma_addr_t desc_dma;
	struct timer_list poll;	/* while a CANCEL is in progress */
};

struct sdma_adapter {
	struct device *dev;
	void __iomem *regs;
	spinlock_t lock;
	unsigned int nr_channels;
	u32 max_xfer;
	bool has_sg;
	bool dead;
	bool hw_reset;		/* force stop reset the controller: no MMIO */
	struct list_head waiters;
	struct sdma_chan ch[SYSDMA_MAX_CHANNELS];
	void (*kick)(struct sdma_adapter *ad);	/* schedule the DPC */
};

#define SDMA_ALLOC_NOWAIT	BIT(0)	/* H4: non-waiting variant */
#define SDMA_ALLOC_HOLD		BIT(1)	/* test hook: stay queued */

int sdma_adapter_init(struct sdma_adapter *ad, struct device *dev,
		      void __iomem *regs, unsigned int nr_channels,
		      u32 max_xfer, bool has_sg,
		      void (*kick)(struct sdma_adapter *ad));
void sdma_adapter_stop(struct sdma_adapter *ad);
void sdma_adapter_shutdown(struct sdma_adapter *ad);
void sdma_adapter_restart(struct sdma_adapter *ad);

enum sdma_status
sdma_allocate_adapter_channel(struct sdma_adapter *ad,
			      struct sdma_xfer_ctx *ctx, int channel,
			      unsigned int flags, sdma_execution_routine exec,
			      void *exec_ctx);
bool sdma_cancel_adapter_channel(struct sdma_adapter *ad,
				 struct sdma_xfer_ctx *ctx);
void sdma_adapter_release_hold(struct sdma_adapter *ad,
			       struct sdma_xfer_ctx *ctx);
enum sdma_status sdma_map_transfer(struct sdma_adapter *ad,
				   struct sdma_xfer_ctx *ctx,
				   const struct sdma_seg *segs,
				   unsigned int nsegs, bool use_sg,
				   u32 *length,
				   sdma_dma_completion_routine done,
				   void *done_ctx);
enum sdma_status sdma_flush_adapter_buffers(struct sdma_adapter *ad,
					    struct sdma_xfer_ctx *ctx);
enum sdma_status sdma_cancel_mapped_transfer(struct sdma_adapter *ad,
					     struct sdma_xfer_ctx *ctx);
enum sdma_status sdma_free_adapter_channel(struct sdma_adapter *ad,
					   struct sdma_xfer_ctx *ctx);
void sdma_adapter_service(struct sdma_adapter *ad);
unsigned int sdma_adapter_free_channels(struct sdma_adapter *ad);
/* for the dmaengine provider (sysdma_dmaengine.c) */
u32 sdma_adapter_bytes_moved(struct sdma_adapter *ad,
			     struct sdma_xfer_ctx *ctx);
int sdma_adapter_pause(struct sdma_adapter *ad, struct sdma_xfer_ctx *ctx,
		       bool pause);
bool sdma_adapter_paused(struct sdma_adapter *ad, struct sdma_xfer_ctx *ctx);

/* added: the rest of the driver reaches the registers through these */
enum sdma_status sdma_adapter_seed_peripheral(struct sdma_adapter *ad,
					      struct sdma_xfer_ctx *ctx,
					      u32 seed);
int sdma_adapter_set_fault(struct sdma_adapter *ad, unsigned int channel,
			   u32 mode, u32 sticky, u32 error_after,
			   u32 delay_us, u32 slow_rate);
unsigned int sdma_adapter_force_stop(struct sdma_adapter *ad);

#endif /* SYSDMA_ADAPTER_H */
