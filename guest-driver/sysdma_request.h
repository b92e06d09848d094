/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysdma: the request completion protocol of the seeds' code examples
 * (CONTRACT R1-R6), on top of the transaction framework.
 */
#ifndef SYSDMA_REQUEST_H
#define SYSDMA_REQUEST_H

#include <linux/completion.h>
#include <linux/dma-direction.h>
#include <linux/kref.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "sysdma.h"
#include "sysdma_adapter.h"

struct sdma_dev;
struct sdma_txn;

/* A pinned, DMA-mapped user buffer. */
struct sdma_ubuf {
	struct page **pages;
	unsigned int npages;
	unsigned int pinned;
	struct sg_table sgt;
	bool has_sgt;
	bool mapped;
	enum dma_data_direction dir;
	struct mm_struct *mm;		/* charged for @locked pages */
	unsigned long locked;		/* RLIMIT_MEMLOCK accounting */
	struct list_head wnode;		/* in the device-written buffers (U11) */
};

/*
 * The request and its context (the seeds' REQUEST_CONTEXT).  Two counts:
 * @completion_refcount is R1's (who may still complete it), @kref is the
 * memory (file table, in-flight list, waiters).
 */
struct sdma_req {
	struct sdma_dev *sd;
	/* called (process context) once the result is final: the owner's wake-up */
	void (*notify)(void *ctx);
	void *notify_ctx;
	struct kref kref;
	struct list_head dev_node;	/* sd->inflight until cleaned up */
	u64 id;

	/* REQUEST_CONTEXT */
	spinlock_t lock;
	bool completion_started;	/* R2 */
	enum sdma_status completion_status;
	atomic_t completion_refcount;	/* R1 */
	bool timer_started;
	struct timer_list timer;	/* R5 */
	struct sdma_txn *txn;

	/* WDFREQUEST state we emulate: cancelable / cancelled */
	bool cancelable;
	bool cancelled;
	enum sdma_status cancel_status;	/* CANCELLED, or NO_SUCH_DEVICE */
	bool abort_sent;
	unsigned long cancel_ran;	/* bit 0: the cancel routine ran */
	u64 information;		/* bytes transferred */
	u32 path;			/* SYSDMA_PATH_* of R2's winner */

	/* test hooks (SYSDMA_F_HOLD_PROGRAM/_PROGRAMMED are held here) */
	u32 holds;
	u32 held_at;
	wait_queue_head_t hold_wq;

	/* what was asked */
	u32 dir;
	u32 flags;
	u32 seed;
	u32 timeout_ms;
	int channel;
	u64 len;
	struct sdma_ubuf src, dst;

	/* completion */
	struct work_struct complete_work;
	struct completion done;
	bool collected_done;		/* done flag for poll/WAIT */
	u32 final_state;		/* framework state at completion */
	struct sysdma_result res;
};

struct sdma_req_params {
	u64 src, dst, len;
	u32 dir, timeout_ms, flags, seed, max_transfer;
	int channel;
	/* optional: told when the request is done (after req->done) */
	void (*notify)(void *ctx);
	void *notify_ctx;
};

int sdma_req_submit(struct sdma_dev *sd, const struct sdma_req_params *p,
		    struct sdma_req **out);
bool sdma_req_none_in_flight(struct sdma_dev *sd);
void sdma_req_request_cancel(struct sdma_req *req, enum sdma_status why);
void sdma_req_release_holds(struct sdma_req *req);
u32 sdma_req_held_at(struct sdma_req *req);
void sdma_req_put(struct sdma_req *req);
void sdma_req_get(struct sdma_req *req);
bool sdma_req_is_done(struct sdma_req *req);

#endif /* SYSDMA_REQUEST_H */
