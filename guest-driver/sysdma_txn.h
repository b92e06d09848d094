/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KMDF DMA transaction framework, system-mode DMA (CONTRACT K1-K10).
 * See DRIVER.md for the KMDF name of every function.
 */
#ifndef SYSDMA_TXN_H
#define SYSDMA_TXN_H

#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "sysdma_adapter.h"

struct sdma_dev;
struct sdma_txn;

/*
 * EvtProgramDma.  Called once per transfer, in process context (a
 * framework worker), before the transfer is mapped: in sysdma the
 * controller moves data as soon as it is started, so "programming the
 * hardware" (the peripheral end) comes first and the framework maps and
 * starts the transfer when this returns true.  Returning false means the
 * driver did not program anything and has called DmaCompletedFinal (K4).
 */
typedef bool (*sdma_evt_program_dma)(struct sdma_txn *txn, void *context,
				     u32 direction,
				     const struct sdma_seg *segs,
				     unsigned int nsegs);
/* EvtDmaTransactionDmaTransferComplete: once per transfer (K8). */
typedef void (*sdma_evt_transfer_complete)(struct sdma_txn *txn,
					   void *context, u32 direction,
					   enum sdma_dma_status status);
/*
 * With no transfer-complete callback the framework tells the driver that a
 * transfer ended through this routine (the role EvtInterruptDpc plays for
 * a KMDF driver); the driver then calls DmaCompleted (K7).
 */
typedef void (*sdma_evt_dpc)(struct sdma_txn *txn, void *context);

enum sdma_txn_state {
	SDMA_TXN_CREATED,	/* created or released: not initialized */
	SDMA_TXN_INITIALIZED,
	SDMA_TXN_WAIT_CHANNEL,	/* executed, queued for a channel (K2) */
	SDMA_TXN_PROGRAMMING,	/* channel granted, EvtProgramDma due/running */
	SDMA_TXN_TRANSFER,	/* a transfer is mapped on the controller */
	SDMA_TXN_TRANSFER_DONE,	/* it ended, DmaCompleted* is expected */
	SDMA_TXN_BETWEEN,	/* DmaCompleted returned FALSE (K5 window) */
	SDMA_TXN_DONE,		/* a DmaCompleted* returned TRUE */
	SDMA_TXN_CANCELLED,	/* Cancel returned TRUE */
};

/* sdma_txn_set_channel_configuration() flags */
#define SDMA_TXN_SG		BIT(0)	/* descriptor chain per transfer */
#define SDMA_TXN_NOWAIT		BIT(1)	/* H4 non-waiting allocation */
#define SDMA_TXN_HOLD_CHANNEL	BIT(2)	/* test hook (K2 window) */
#define SDMA_TXN_HOLD_BETWEEN	BIT(3)	/* test hook (K5 window) */
#define SDMA_TXN_HOLD_GRANTED	BIT(4)	/* test hook (K2: granted, not run) */

struct sdma_cursor {
	struct scatterlist *sg;
	unsigned int idx;
	u32 off;
};

struct sdma_txn {
	struct sdma_dev *sd;
	spinlock_t lock;
	enum sdma_txn_state state;
	struct sdma_xfer_ctx xctx;	/* H4: unique per transaction */

	sdma_evt_program_dma program;
	sdma_evt_transfer_complete complete_cb;
	void *complete_ctx;
	sdma_evt_dpc dpc;
	void *context;			/* Execute's context */

	u32 dir;
	struct sg_table *src, *dst;
	u64 length;
	u64 max_len;			/* SetMaximumLength (K10) */
	int want_channel;
	unsigned int cfg;		/* SDMA_TXN_* */

	u64 transferred;		/* K10: bytes done, exact */
	u32 cur_len;			/* mapped length, current transfer */
	u32 cur_bytes;			/* controller's BYTES when it ended */
	bool cur_mapped;
	unsigned int transfers;		/* transfers mapped */
	struct sdma_cursor cs, cd;	/* at @transferred */
	struct sdma_cursor ns, nd;	/* after the current transfer */
	struct sdma_seg *segs;
	unsigned int nsegs;
	enum sdma_dma_status last_dma;
	bool stop_requested;		/* StopSystemTransfer was called */
	bool cancel_requested;		/* Cancel during a transfer (K5) */
	bool held;			/* parked at the K5 hook */
	bool granted_held;		/* parked at the HOLD_GRANTED hook */
	int channel;			/* last channel, -1: none */
	u32 hw_status, hw_bytes, hw_crc;
	struct work_struct work;	/* runs EvtProgramDma + MapTransfer */
};

struct sdma_txn *sdma_txn_create(struct sdma_dev *sd, sdma_evt_dpc dpc);
void sdma_txn_delete(struct sdma_txn *txn);
int sdma_txn_initialize(struct sdma_txn *txn, sdma_evt_program_dma program,
			u32 direction, struct sg_table *src,
			struct sg_table *dst, u64 length);
int sdma_txn_set_maximum_length(struct sdma_txn *txn, u64 max_len);
int sdma_txn_set_channel_configuration(struct sdma_txn *txn, int channel,
				       unsigned int cfg);
int sdma_txn_set_transfer_complete_callback(struct sdma_txn *txn,
					    sdma_evt_transfer_complete cb,
					    void *context);
sdma_evt_transfer_complete
sdma_txn_get_transfer_complete_callback(struct sdma_txn *txn);
enum sdma_status sdma_txn_execute(struct sdma_txn *txn, void *context);
int sdma_txn_cancel(struct sdma_txn *txn);
int sdma_txn_stop_system_transfer(struct sdma_txn *txn);
bool sdma_txn_dma_completed(struct sdma_txn *txn, enum sdma_status *status);
bool sdma_txn_dma_completed_with_length(struct sdma_txn *txn, u64 length,
					enum sdma_status *status);
bool sdma_txn_dma_completed_final(struct sdma_txn *txn, u64 final_length,
				  enum sdma_status *status);
u64 sdma_txn_get_bytes_transferred(struct sdma_txn *txn);
u32 sdma_txn_get_current_transfer_bytes(struct sdma_txn *txn);
int sdma_txn_release(struct sdma_txn *txn);

/*
 * added: from EvtProgramDma, program the peripheral end of the channel
 * the transaction owns (restart its stream with @seed, M2P/P2M)
 */
int sdma_txn_seed_peripheral(struct sdma_txn *txn, u32 seed);

/* test hooks and introspection */
void sdma_txn_release_holds(struct sdma_txn *txn);
u32 sdma_txn_held_at(struct sdma_txn *txn);
int sdma_txn_get_channel(struct sdma_txn *txn);
enum sdma_txn_state sdma_txn_get_state(struct sdma_txn *txn);
const char *sdma_txn_state_name(enum sdma_txn_state st);

#endif /* SYSDMA_TXN_H */
