/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysdma guest driver: the device object shared by every layer.
 *
 * Layers (one file per role):
 *   sysdma_main.c     PCI probe/remove, misc device, sysfs/debugfs, params
 *   sysdma_irq.c      hard IRQ + DPC (tasklet)
 *   sysdma_adapter.c  the HAL system-DMA adapter (H1-H5)
 *   sysdma_txn.c      the KMDF DMA transaction framework (K1-K10)
 *   sysdma_request.c  the request completion protocol (R1-R6)
 *   sysdma_cdev.c     /dev/sysdma0 (uapi/sysdma.h)
 *   sysdma_selftest.c in-kernel checks of the framework/adapter semantics
 *   sysdma_dmaengine.c the Linux dmaengine provider (sibling of sysdma_txn.c)
 */
#ifndef SYSDMA_CORE_H
#define SYSDMA_CORE_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "sysdma.h"
#include "sysdma_adapter.h"

int sdma_status_to_errno(enum sdma_status st);
const char *sdma_status_name(enum sdma_status st);

struct sdma_de;

struct sdma_dev {
	struct pci_dev *pdev;
	struct device *dev;
	void __iomem *regs;
	struct kref kref;		/* probe + every open file */

	struct sdma_adapter adapter;
	struct workqueue_struct *wq;	/* framework workers, completions */
	struct tasklet_struct dpc;	/* sysdma_irq.c */
	int irq;
	bool msi;

	u32 caps;
	u32 max_xfer;			/* effective: MAX_XFER and param */
	u32 fifo_size;
	u32 chunk;
	u32 rate;

	struct miscdevice misc;
	int index;			/* N of /dev/sysdmaN */
	struct dentry *debugfs;

	struct rw_semaphore gate;	/* read: MMIO users; write: set dead */
	spinlock_t lock;		/* inflight */
	bool dead;			/* removed / resetting: no MMIO */
	struct list_head inflight;	/* struct sdma_req, until cleaned up */
	wait_queue_head_t idle_wq;	/* inflight became empty */

	atomic64_t stats[SYSDMA_STAT_MAX];
	struct sdma_de *dmaengine;	/* sysdma_dmaengine.c, or NULL */
};

/*
 * A caller broke an API rule of the framework or the adapter (K3, K6, K8,
 * H2, H4...): counted in SYSDMA_STAT_CALLER_ERRORS and reported, rate
 * limited, never WARN (user space can provoke these through SELFTEST).
 */
#define sdma_caller_error(sd, fmt, ...) do {				\
	atomic64_inc(&(sd)->stats[SYSDMA_STAT_CALLER_ERRORS]);		\
	dev_err_ratelimited((sd)->dev, "caller error: " fmt, ##__VA_ARGS__); \
} while (0)

static inline void sdma_stat_inc(struct sdma_dev *sd, enum sysdma_stat s)
{
	atomic64_inc(&sd->stats[s]);
}

static inline void sdma_stat_dec(struct sdma_dev *sd, enum sysdma_stat s)
{
	atomic64_dec(&sd->stats[s]);
}

void sdma_dev_put(struct sdma_dev *sd);
void sdma_dev_get(struct sdma_dev *sd);

/* sysdma_irq.c */
irqreturn_t sdma_isr(int irq, void *data);
void sdma_dpc(struct tasklet_struct *t);

/* sysdma_cdev.c */
extern const struct file_operations sdma_fops;

/* sysdma_request.c: teardown of every request in flight */
void sdma_abort_all(struct sdma_dev *sd, enum sdma_status why);

/* sysdma_selftest.c */
struct sysdma_selftest;
void sdma_selftest_run(struct sdma_dev *sd, struct sysdma_selftest *st);

/* module parameters (sysdma_main.c) */
extern unsigned int sdma_param_rw_timeout_ms;
extern unsigned int sdma_param_max_request;
extern unsigned int sdma_param_cancel_poll_ms;

#endif /* SYSDMA_CORE_H */
