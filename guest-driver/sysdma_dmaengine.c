// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: a Linux dmaengine provider on the HAL adapter (H1-H5), the
 * sibling of the KMDF framework (sysdma_txn.c).
 *
 * One dmaengine channel per controller channel (dma<N>chan<i> drives
 * channel i), each a virt-dma channel (drivers/dma/virt-dma.h) with its own
 * DMA transfer context.  The adapter stays the one owner of the channels:
 * a descriptor asks AllocateAdapterChannel for its channel when it reaches
 * the head of the queue (waiting behind KMDF transactions that hold it, in
 * the adapter's FIFO order), maps its transfers one after the other
 * (MapTransfer, each at most MAX_XFER bytes and SYSDMA_SG_MAX_DESC pieces),
 * flushes after every transfer (FlushAdapterBuffers, H2) and frees the
 * channel (FreeAdapterChannel) when it ends, so KMDF requests and dmaengine
 * descriptors share every channel, one transfer context at a time.
 *
 * terminate_all is CancelMappedTransfer (H1: CANCEL, never sleeps) for the
 * descriptor on the hardware and CancelAdapterChannel for one still queued
 * for its channel; that descriptor completes once, from the DPC, with
 * DMA_TRANS_ABORTED and its exact residue.  Descriptors queued behind it
 * are dropped without a callback.  device_synchronize waits until the
 * aborted descriptor's completion routine ran (the controller stopped and
 * was flushed) and then for virt-dma's callbacks (vchan_synchronize).
 *
 * Locking: vc.lock (irqsave) protects the channel's descriptors and state;
 * it is taken before the adapter's lock, never after.  The adapter calls
 * the execution and completion routines below without its lock held.
 */
#include <linux/delay.h>
#include <linux/dmaengine.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include "virt-dma.h"
#include "sysdma_core.h"
#include "sysdma_dmaengine.h"
#include "sysdma_hw.h"

#define SDMA_DE_FAILED_COOKIES	16
#define SDMA_DE_BUSWIDTHS	(BIT(DMA_SLAVE_BUSWIDTH_1_BYTE) |	\
				 BIT(DMA_SLAVE_BUSWIDTH_2_BYTES) |	\
				 BIT(DMA_SLAVE_BUSWIDTH_4_BYTES) |	\
				 BIT(DMA_SLAVE_BUSWIDTH_8_BYTES))
#define SDMA_DE_PAUSE_POLL_US	2000

/* One START: segs[first .. first + n), len bytes in all (<= MAX_XFER). */
struct sdma_de_xfer {
	unsigned int first;
	unsigned int n;
	u32 len;
};

struct sdma_de_desc {
	struct virt_dma_desc vd;
	u32 dir;			/* SYSDMA_DIR_* */
	bool slave;			/* M2P/P2M: SEED before the first START */
	u32 seed;
	size_t total;
	size_t done;			/* bytes of finished transfers */
	unsigned int nxfers;
	unsigned int cur;		/* transfer being run */
	bool aborted;			/* terminate_all */
	struct sdma_de_xfer *xfers;
	struct sdma_seg *segs;
};

struct sdma_de;

struct sdma_de_chan {
	struct virt_dma_chan vc;
	struct sdma_de *de;
	unsigned int id;
	struct sdma_xfer_ctx ctx;	/* H4: this channel's transfer context */
	struct sdma_de_desc *cur;	/* taken from desc_issued */
	bool busy;			/* ctx queued for or holding the channel */
	bool xfer_active;		/* a transfer of cur is mapped */
	bool paused;
	bool deferred;			/* paused before the next START */
	bool aborting;			/* an aborted descriptor has not ended */
	u32 seed;
	enum dma_slave_buswidth width;
	dma_cookie_t failed[SDMA_DE_FAILED_COOKIES];
	unsigned int nfailed;
	atomic_t live;
	wait_queue_head_t wq;
};

struct sdma_de {
	struct dma_device ddev;
	struct sdma_dev *sd;
	atomic64_t freed;
	struct sdma_de_chan chan[SYSDMA_MAX_CHANNELS];
};

static struct sdma_de_chan *to_de_chan(struct dma_chan *c)
{
	return container_of(to_virt_chan(c), struct sdma_de_chan, vc);
}

static struct sdma_de_desc *to_de_desc(struct virt_dma_desc *vd)
{
	return container_of(vd, struct sdma_de_desc, vd);
}

static struct sdma_adapter *de_ad(struct sdma_de_chan *chan)
{
	return &chan->de->sd->adapter;
}

static struct device *de_dev(struct sdma_de_chan *chan)
{
	return chan->de->sd->dev;
}

/* ---- descriptors --------------------------------------------------------- */

/*
 * Splitting (K10's rule, applied by the provider): pieces are cut so that
 * one transfer (one START) has at most MAX_XFER bytes and, with the SG
 * capability, at most SYSDMA_SG_MAX_DESC pieces (without it: one).  Run
 * once with d == NULL to count, once to fill.
 */
struct sdma_de_split {
	struct sdma_de_desc *d;
	u32 max_xfer;
	unsigned int max_pieces;
	unsigned int nsegs;
	unsigned int nxfers;
	u32 xfer_len;			/* bytes in the open transfer */
	unsigned int xfer_pieces;
};

static void sdma_de_split_add(struct sdma_de_split *s, u64 src, u64 dst,
			      size_t len, u32 dir)
{
	while (len) {
		u32 take;

		if (!s->nxfers || s->xfer_len == s->max_xfer ||
		    s->xfer_pieces == s->max_pieces) {
			if (s->d) {
				s->d->xfers[s->nxfers].first = s->nsegs;
				s->d->xfers[s->nxfers].n = 0;
				s->d->xfers[s->nxfers].len = 0;
			}
			s->nxfers++;
			s->xfer_len = 0;
			s->xfer_pieces = 0;
		}
		take = min_t(size_t, len, s->max_xfer - s->xfer_len);
		if (s->d) {
			struct sdma_seg *seg = &s->d->segs[s->nsegs];
			struct sdma_de_xfer *x = &s->d->xfers[s->nxfers - 1];

			seg->src = dir == SYSDMA_DIR_P2M ? 0 : src;
			seg->dst = dir == SYSDMA_DIR_M2P ? 0 : dst;
			seg->len = take;
			x->n++;
			x->len += take;
		}
		s->nsegs++;
		s->xfer_len += take;
		s->xfer_pieces++;
		len -= take;
		src += take;
		dst += take;
	}
}

static struct sdma_de_desc *sdma_de_desc_alloc(struct sdma_de_chan *chan,
					       struct sdma_de_split *s)
{
	struct sdma_de_desc *d;
	size_t sz;

	sz = sizeof(*d);
	sz = size_add(sz, array_size(s->nxfers, sizeof(*d->xfers)));
	sz = size_add(sz, array_size(s->nsegs, sizeof(*d->segs)));
	d = kzalloc(sz, GFP_NOWAIT);
	if (!d)
		return NULL;
	d->xfers = (struct sdma_de_xfer *)(d + 1);
	d->segs = (struct sdma_seg *)(d->xfers + s->nxfers);
	atomic_inc(&chan->live);
	return d;
}

static void sdma_de_split_init(struct sdma_de_chan *chan,
			       struct sdma_de_split *s)
{
	struct sdma_adapter *ad = de_ad(chan);

	memset(s, 0, sizeof(*s));
	s->max_xfer = ad->max_xfer;
	s->max_pieces = ad->has_sg ? SYSDMA_SG_MAX_DESC : 1;
}

static void sdma_de_desc_free(struct virt_dma_desc *vd)
{
	struct sdma_de_chan *chan = to_de_chan(vd->tx.chan);

	atomic_dec(&chan->live);
	atomic64_inc(&chan->de->freed);
	kfree(to_de_desc(vd));
}

/* ---- running descriptors (vc.lock held) ----------------------------------- */

static void sdma_de_done(struct sdma_adapter *ad, void *arg,
			 enum sdma_dma_status status);

/* MapTransfer of the current transfer of chan->cur; false on failure. */
static bool sdma_de_start_xfer(struct sdma_de_chan *chan)
{
	struct sdma_de_desc *d = chan->cur;
	struct sdma_de_xfer *x = &d->xfers[d->cur];
	enum sdma_status st;
	u32 len;

	/* one stream per slave descriptor, however it is split */
	if (d->slave && d->cur == 0 &&
	    sdma_adapter_seed_peripheral(de_ad(chan), &chan->ctx, d->seed))
		return false;
	st = sdma_map_transfer(de_ad(chan), &chan->ctx, &d->segs[x->first],
			       x->n, x->n > 1, &len, sdma_de_done, chan);
	if (st != SDMA_STATUS_SUCCESS) {
		dev_err_ratelimited(de_dev(chan), "dmaengine ch%u: MapTransfer failed: %s\n",
				    chan->id, sdma_status_name(st));
		return false;
	}
	if (len != x->len)	/* the split above matches the adapter's */
		dev_warn_ratelimited(de_dev(chan), "dmaengine ch%u: mapped %u of %u bytes\n",
				     chan->id, len, x->len);
	chan->xfer_active = true;
	return true;
}

static void sdma_de_note_failed(struct sdma_de_chan *chan, dma_cookie_t c)
{
	chan->failed[chan->nfailed++ % SDMA_DE_FAILED_COOKIES] = c;
}

/*
 * The current descriptor ended: its result and residue, then virt-dma runs
 * the callback from its tasklet and frees it.  The adapter channel is
 * still held: the caller releases it (sdma_de_release).
 */
static void sdma_de_finish(struct sdma_de_chan *chan,
			   enum dmaengine_tx_result result)
{
	struct sdma_de_desc *d = chan->cur;

	chan->cur = NULL;
	chan->deferred = false;
	if (d->aborted)
		chan->aborting = false;
	d->vd.tx_result.result = result;
	d->vd.tx_result.residue = d->total - d->done;
	if (result != DMA_TRANS_NOERROR)
		sdma_de_note_failed(chan, d->vd.tx.cookie);
	dev_dbg(de_dev(chan), "dmaengine ch%u: cookie %d ends %d, %zu of %zu bytes\n",
		chan->id, d->vd.tx.cookie, result, d->done, d->total);
	vchan_cookie_complete(&d->vd);
	wake_up_all(&chan->wq);
}

static void sdma_de_start_next(struct sdma_de_chan *chan);

/* FreeAdapterChannel, then the next descriptor may take it. */
static void sdma_de_release(struct sdma_de_chan *chan)
{
	sdma_free_adapter_channel(de_ad(chan), &chan->ctx);
	chan->busy = false;
	sdma_de_start_next(chan);
}

/* The channel is ours: start the first transfer (or park when paused). */
static void sdma_de_begin(struct sdma_de_chan *chan)
{
	if (chan->cur->aborted) {
		sdma_de_finish(chan, DMA_TRANS_ABORTED);
		sdma_de_release(chan);
	} else if (chan->paused) {
		chan->deferred = true;
	} else if (!sdma_de_start_xfer(chan)) {
		sdma_de_finish(chan, DMA_TRANS_READ_FAILED);
		sdma_de_release(chan);
	}
}

/* ExecutionRoutine: a queued allocation was granted (from any context). */
static void sdma_de_granted(struct sdma_adapter *ad, unsigned int channel,
			    void *arg)
{
	struct sdma_de_chan *chan = arg;
	unsigned long flags;

	spin_lock_irqsave(&chan->vc.lock, flags);
	sdma_de_begin(chan);
	spin_unlock_irqrestore(&chan->vc.lock, flags);
}

static void sdma_de_start_next(struct sdma_de_chan *chan)
{
	struct virt_dma_desc *vd;
	enum sdma_status st;

	while (!chan->busy && !chan->paused) {
		vd = vchan_next_desc(&chan->vc);
		if (!vd)
			return;
		list_del(&vd->node);
		chan->cur = to_de_desc(vd);
		chan->ctx.dir = chan->cur->dir;
		chan->busy = true;
		st = sdma_allocate_adapter_channel(de_ad(chan), &chan->ctx,
						   chan->id, 0, sdma_de_granted,
						   chan);
		if (st == SDMA_STATUS_PENDING)
			return;		/* sdma_de_granted follows */
		if (st == SDMA_STATUS_SUCCESS) {
			sdma_de_begin(chan);
			continue;
		}
		/* removal or reset in progress: nothing runs */
		chan->busy = false;
		sdma_de_finish(chan, DMA_TRANS_ABORTED);
	}
}

/* Device error codes -> dmaengine results: the memory side that failed. */
static enum dmaengine_tx_result sdma_de_error_result(u32 dir, u32 status)
{
	switch (sdma_status_errcode(status)) {
	case SYSDMA_ERR_ADDRESS:
	case SYSDMA_ERR_INJECTED:
		/* P2M only writes memory; M2M/M2P fail reading first */
		return dir == SYSDMA_DIR_P2M ? DMA_TRANS_WRITE_FAILED :
			DMA_TRANS_READ_FAILED;
	default:	/* DESCRIPTOR (a read), CONFIG, VERIFIER, reset */
		return DMA_TRANS_READ_FAILED;
	}
}

/* DmaCompletionRoutine (DPC): a mapped transfer ended. */
static void sdma_de_done(struct sdma_adapter *ad, void *arg,
			 enum sdma_dma_status status)
{
	struct sdma_de_chan *chan = arg;
	enum dmaengine_tx_result result;
	struct sdma_de_desc *d;
	unsigned long flags;

	spin_lock_irqsave(&chan->vc.lock, flags);
	d = chan->cur;
	/* H2: flushed before anything else looks at the data */
	sdma_flush_adapter_buffers(ad, &chan->ctx);
	chan->xfer_active = false;
	d->done += chan->ctx.last_bytes;
	if (status == SDMA_DMA_COMPLETE) {
		if (++d->cur == d->nxfers) {
			result = DMA_TRANS_NOERROR;	/* also if aborted late */
		} else if (d->aborted) {
			result = DMA_TRANS_ABORTED;
		} else if (chan->paused) {
			chan->deferred = true;
			goto out;
		} else if (sdma_de_start_xfer(chan)) {
			goto out;
		} else {
			result = DMA_TRANS_READ_FAILED;
		}
	} else if (status == SDMA_DMA_CANCELLED) {
		result = DMA_TRANS_ABORTED;
	} else {
		result = sdma_de_error_result(d->dir, chan->ctx.last_status);
	}
	sdma_de_finish(chan, result);
	sdma_de_release(chan);
out:
	spin_unlock_irqrestore(&chan->vc.lock, flags);
}

/* ---- dma_device operations -------------------------------------------------- */

static int sdma_de_alloc_chan_resources(struct dma_chan *c)
{
	struct sdma_de_chan *chan = to_de_chan(c);

	chan->seed = 0;
	chan->width = DMA_SLAVE_BUSWIDTH_UNDEFINED;
	return 0;
}

static int sdma_de_terminate_all(struct dma_chan *c);
static void sdma_de_synchronize(struct dma_chan *c);

static void sdma_de_free_chan_resources(struct dma_chan *c)
{
	struct sdma_de_chan *chan = to_de_chan(c);

	sdma_de_terminate_all(c);
	sdma_de_synchronize(c);
	vchan_free_chan_resources(&chan->vc);
}

static bool sdma_de_overlap(dma_addr_t a, dma_addr_t b, size_t len)
{
	return a < b + len && b < a + len;
}

static struct dma_async_tx_descriptor *
sdma_de_prep_memcpy(struct dma_chan *c, dma_addr_t dst, dma_addr_t src,
		    size_t len, unsigned long flags)
{
	struct sdma_de_chan *chan = to_de_chan(c);
	struct sdma_de_split s;
	struct sdma_de_desc *d;

	/* V2: the device counts zero-length and overlapping copies */
	if (!len || sdma_de_overlap(dst, src, len))
		return NULL;
	sdma_de_split_init(chan, &s);
	sdma_de_split_add(&s, src, dst, len, SYSDMA_DIR_M2M);
	d = sdma_de_desc_alloc(chan, &s);
	if (!d)
		return NULL;
	sdma_de_split_init(chan, &s);
	s.d = d;
	sdma_de_split_add(&s, src, dst, len, SYSDMA_DIR_M2M);
	d->dir = SYSDMA_DIR_M2M;
	d->total = len;
	d->nxfers = s.nxfers;
	return vchan_tx_prep(&chan->vc, &d->vd, flags);
}

static struct dma_async_tx_descriptor *
sdma_de_prep_slave_sg(struct dma_chan *c, struct scatterlist *sgl,
		      unsigned int sg_len, enum dma_transfer_direction dir,
		      unsigned long flags, void *context)
{
	struct sdma_de_chan *chan = to_de_chan(c);
	unsigned int i, width, pass;
	struct sdma_de_desc *d = NULL;
	struct scatterlist *sg;
	struct sdma_de_split s;
	size_t total = 0;
	u32 hwdir;

	if (dir == DMA_DEV_TO_MEM)
		hwdir = SYSDMA_DIR_P2M;
	else if (dir == DMA_MEM_TO_DEV)
		hwdir = SYSDMA_DIR_M2P;
	else
		return NULL;
	if (!sg_len)
		return NULL;
	width = chan->width == DMA_SLAVE_BUSWIDTH_UNDEFINED ? 1 : chan->width;
	for (pass = 0; pass < 2; pass++) {
		sdma_de_split_init(chan, &s);
		s.d = d;
		for_each_sg(sgl, sg, sg_len, i) {
			size_t len = sg_dma_len(sg);

			/* the peripheral moves whole words of its bus width */
			if (!len || len % width) {
				dev_dbg(de_dev(chan), "dmaengine ch%u: sg %u: length %zu (width %u)\n",
					chan->id, i, len, width);
				if (d) {
					atomic_dec(&chan->live);
					kfree(d);
				}
				return NULL;
			}
			if (!pass)
				total += len;
			sdma_de_split_add(&s, sg_dma_address(sg),
					  sg_dma_address(sg), len, hwdir);
		}
		if (!pass) {
			d = sdma_de_desc_alloc(chan, &s);
			if (!d)
				return NULL;
		}
	}
	d->dir = hwdir;
	d->slave = true;
	d->seed = chan->seed;
	d->total = total;
	d->nxfers = s.nxfers;
	return vchan_tx_prep(&chan->vc, &d->vd, flags);
}

/*
 * dma_slave_config: the peripheral end is built into the channel.  It has
 * no address (src_addr/dst_addr must be 0), the controller is the flow
 * controller, the peripheral takes bus widths of 1, 2, 4 or 8 bytes and
 * bursts of up to CHUNK bytes; peripheral_config may give its seed.
 * Anything else is -EINVAL and changes nothing.
 */
static int sdma_de_config(struct dma_chan *c, struct dma_slave_config *cfg)
{
	struct sdma_de_chan *chan = to_de_chan(c);
	const struct sysdma_slave_peripheral *p = cfg->peripheral_config;
	enum dma_slave_buswidth w = DMA_SLAVE_BUSWIDTH_UNDEFINED;
	u32 chunk = chan->de->sd->chunk;
	unsigned long flags;
	int i;

	if (cfg->src_addr || cfg->dst_addr || cfg->device_fc ||
	    cfg->src_port_window_size > 1 || cfg->dst_port_window_size > 1)
		return -EINVAL;
	if (cfg->peripheral_config &&
	    cfg->peripheral_size != sizeof(struct sysdma_slave_peripheral))
		return -EINVAL;
	if (!cfg->peripheral_config && cfg->peripheral_size)
		return -EINVAL;
	for (i = 0; i < 2; i++) {
		enum dma_slave_buswidth cw = i ? cfg->dst_addr_width :
			cfg->src_addr_width;
		u32 burst = i ? cfg->dst_maxburst : cfg->src_maxburst;

		if (cw == DMA_SLAVE_BUSWIDTH_UNDEFINED)
			continue;
		if (cw > DMA_SLAVE_BUSWIDTH_8_BYTES ||
		    !(SDMA_DE_BUSWIDTHS & BIT(cw)))
			return -EINVAL;
		if (burst && (u64)burst * cw > chunk)
			return -EINVAL;
		if (w != DMA_SLAVE_BUSWIDTH_UNDEFINED && w != cw)
			return -EINVAL;	/* one peripheral, one width */
		w = cw;
	}
	if (cfg->src_maxburst > chunk || cfg->dst_maxburst > chunk)
		return -EINVAL;
	spin_lock_irqsave(&chan->vc.lock, flags);
	chan->width = w;
	chan->seed = p ? p->seed : 0;
	spin_unlock_irqrestore(&chan->vc.lock, flags);
	return 0;
}

static void sdma_de_issue_pending(struct dma_chan *c)
{
	struct sdma_de_chan *chan = to_de_chan(c);
	unsigned long flags;

	spin_lock_irqsave(&chan->vc.lock, flags);
	if (vchan_issue_pending(&chan->vc))
		sdma_de_start_next(chan);
	spin_unlock_irqrestore(&chan->vc.lock, flags);
}

/* Bytes of chan->cur that reached memory (vc.lock held). */
static size_t sdma_de_moved(struct sdma_de_chan *chan)
{
	size_t moved = chan->cur->done;

	if (chan->xfer_active)
		moved += sdma_adapter_bytes_moved(de_ad(chan), &chan->ctx);
	return moved;
}

static enum dma_status sdma_de_tx_status(struct dma_chan *c,
					 dma_cookie_t cookie,
					 struct dma_tx_state *state)
{
	struct sdma_de_chan *chan = to_de_chan(c);
	struct virt_dma_desc *vd;
	enum dma_status ret;
	unsigned long flags;
	size_t residue = 0;
	unsigned int i;

	ret = dma_cookie_status(c, cookie, state);
	spin_lock_irqsave(&chan->vc.lock, flags);
	if (ret == DMA_COMPLETE) {
		for (i = 0; i < min_t(unsigned int, chan->nfailed,
				      SDMA_DE_FAILED_COOKIES); i++)
			if (chan->failed[i] == cookie)
				ret = DMA_ERROR;
	} else if (chan->cur && chan->cur->vd.tx.cookie == cookie) {
		residue = chan->cur->total - sdma_de_moved(chan);
		if (chan->paused)
			ret = DMA_PAUSED;
	} else {
		vd = vchan_find_desc(&chan->vc, cookie);
		if (vd)
			residue = to_de_desc(vd)->total;
	}
	spin_unlock_irqrestore(&chan->vc.lock, flags);
	dma_set_residue(state, residue);
	return ret;
}

/*
 * Abort the descriptor the channel took (vc.lock held, never sleeps, H1):
 * CANCEL when it is on the hardware (CancelMappedTransfer: it completes
 * from the DPC with DMA_TRANS_ABORTED), CancelAdapterChannel when it is
 * still queued for its channel.
 */
static void sdma_de_abort_cur(struct sdma_de_chan *chan)
{
	struct sdma_de_desc *d = chan->cur;

	if (!d || d->aborted)
		return;
	d->aborted = true;
	chan->aborting = true;
	if (chan->xfer_active) {
		/* also a paused transfer: CANCEL works while paused */
		sdma_cancel_mapped_transfer(de_ad(chan), &chan->ctx);
	} else if (sdma_cancel_adapter_channel(de_ad(chan), &chan->ctx)) {
		/* still queued for its channel: never started */
		chan->busy = false;
		sdma_de_finish(chan, DMA_TRANS_ABORTED);
	} else if (chan->deferred) {
		/* paused before its next START: the channel is ours */
		sdma_de_finish(chan, DMA_TRANS_ABORTED);
		sdma_free_adapter_channel(de_ad(chan), &chan->ctx);
		chan->busy = false;
	}
	/* else: being granted, sdma_de_granted() sees it aborted */
}

/* Never sleeps: the current descriptor aborted, the queued ones dropped. */
static int sdma_de_terminate_all(struct dma_chan *c)
{
	struct sdma_de_chan *chan = to_de_chan(c);
	unsigned long flags;
	LIST_HEAD(head);

	spin_lock_irqsave(&chan->vc.lock, flags);
	sdma_de_abort_cur(chan);
	chan->paused = false;
	vchan_get_all_descriptors(&chan->vc, &head);
	spin_unlock_irqrestore(&chan->vc.lock, flags);
	vchan_dma_desc_free_list(&chan->vc, &head);
	return 0;
}

static bool sdma_de_aborted(struct sdma_de_chan *chan)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&chan->vc.lock, flags);
	ret = !chan->aborting;
	spin_unlock_irqrestore(&chan->vc.lock, flags);
	return ret;
}

/* Waits for the aborted descriptor's completion routine, then virt-dma. */
static void sdma_de_synchronize(struct dma_chan *c)
{
	struct sdma_de_chan *chan = to_de_chan(c);

	might_sleep();
	while (!wait_event_timeout(chan->wq, sdma_de_aborted(chan), 10 * HZ))
		dev_warn(de_dev(chan), "dmaengine ch%u: synchronize still waiting for the controller\n",
			 chan->id);
	vchan_synchronize(&chan->vc);
}

/*
 * PAUSE register: write 1 stops a BUSY channel at the engine's next step
 * boundary (STATUS.PAUSED; BYTES frozen), 0 resumes.  Between transfers of
 * a descriptor and before its first one, the next START is held back
 * instead.  Never sleeps: waits (busy, unlocked) up to
 * SDMA_DE_PAUSE_POLL_US for the engine; a slower step (a slow rate) ends
 * after the return, tx_status says DMA_PAUSED from the start and its
 * residue is exact either way.
 */
static int sdma_de_pause(struct dma_chan *c)
{
	struct sdma_de_chan *chan = to_de_chan(c);
	unsigned long flags;
	bool wait = false;
	unsigned int us;

	spin_lock_irqsave(&chan->vc.lock, flags);
	if (!chan->paused) {
		chan->paused = true;
		if (chan->xfer_active) {
			sdma_adapter_pause(de_ad(chan), &chan->ctx, true);
			wait = true;
		}
	}
	spin_unlock_irqrestore(&chan->vc.lock, flags);
	for (us = 0; wait && us < SDMA_DE_PAUSE_POLL_US; us += 10) {
		if (sdma_adapter_paused(de_ad(chan), &chan->ctx))
			break;
		udelay(10);
	}
	return 0;
}

static int sdma_de_resume(struct dma_chan *c)
{
	struct sdma_de_chan *chan = to_de_chan(c);
	unsigned long flags;

	spin_lock_irqsave(&chan->vc.lock, flags);
	if (chan->paused) {
		chan->paused = false;
		if (chan->xfer_active) {
			sdma_adapter_pause(de_ad(chan), &chan->ctx, false);
		} else if (chan->deferred) {
			chan->deferred = false;
			if (chan->cur->cur == 0)
				sdma_de_begin(chan);
			else if (!sdma_de_start_xfer(chan)) {
				sdma_de_finish(chan, DMA_TRANS_READ_FAILED);
				sdma_de_release(chan);
			}
		}
		sdma_de_start_next(chan);
	}
	spin_unlock_irqrestore(&chan->vc.lock, flags);
	return 0;
}

/* ---- observability and registration ----------------------------------------- */

static bool sdma_de_is_ours(struct dma_chan *c)
{
	return c && c->device &&
		c->device->device_prep_slave_sg == sdma_de_prep_slave_sg;
}

int sysdma_dmaengine_chan_info(struct dma_chan *c,
			       struct sysdma_dmaengine_info *info)
{
	struct sdma_de_chan *chan;
	unsigned long flags;

	if (!sdma_de_is_ours(c))
		return -ENODEV;
	chan = to_de_chan(c);
	spin_lock_irqsave(&chan->vc.lock, flags);
	info->hw_channel = chan->id;
	info->live_descs = atomic_read(&chan->live);
	info->active = chan->busy;
	info->paused = chan->paused;
	info->freed = atomic64_read(&chan->de->freed);
	spin_unlock_irqrestore(&chan->vc.lock, flags);
	return 0;
}
EXPORT_SYMBOL_GPL(sysdma_dmaengine_chan_info);

/*
 * Removal or reset (the adapter grants nothing any more): the descriptor
 * on each channel is aborted and waited for; those queued behind it then
 * fail to get a channel and complete with DMA_TRANS_ABORTED.
 */
void sdma_dmaengine_quiesce(struct sdma_dev *sd)
{
	struct sdma_de *de = sd->dmaengine;
	unsigned long flags;
	unsigned int i;

	if (!de)
		return;
	for (i = 0; i < sd->adapter.nr_channels; i++) {
		struct sdma_de_chan *chan = &de->chan[i];

		spin_lock_irqsave(&chan->vc.lock, flags);
		sdma_de_abort_cur(chan);
		chan->paused = false;
		sdma_de_start_next(chan);
		spin_unlock_irqrestore(&chan->vc.lock, flags);
		/* a controller that ignores CANCEL is forced (and reset) */
		while (!wait_event_timeout(chan->wq, sdma_de_aborted(chan),
					   2 * HZ)) {
			dev_warn(sd->dev, "dmaengine ch%u: abort takes long: forcing the transfers to end\n",
				 i);
			sdma_adapter_force_stop(&sd->adapter);
		}
	}
}

static void sdma_de_release_dev(struct dma_device *ddev)
{
	struct sdma_de *de = container_of(ddev, struct sdma_de, ddev);

	sdma_dev_put(de->sd);
	kfree(de);
}

int sdma_dmaengine_register(struct sdma_dev *sd)
{
	struct dma_device *dd;
	struct sdma_de *de;
	unsigned int i;
	int ret;

	de = kzalloc(sizeof(*de), GFP_KERNEL);
	if (!de)
		return -ENOMEM;
	de->sd = sd;
	dd = &de->ddev;
	dd->dev = sd->dev;
	INIT_LIST_HEAD(&dd->channels);
	dma_cap_set(DMA_MEMCPY, dd->cap_mask);
	dma_cap_set(DMA_SLAVE, dd->cap_mask);
	/* channels are handed out on request only, never to async_tx */
	dma_cap_set(DMA_PRIVATE, dd->cap_mask);
	dd->copy_align = DMAENGINE_ALIGN_1_BYTE;
	dd->src_addr_widths = SDMA_DE_BUSWIDTHS;
	dd->dst_addr_widths = SDMA_DE_BUSWIDTHS;
	dd->directions = BIT(DMA_MEM_TO_MEM) | BIT(DMA_MEM_TO_DEV) |
		BIT(DMA_DEV_TO_MEM);
	/* BYTES is exact and live: the residue moves with every step */
	dd->residue_granularity = DMA_RESIDUE_GRANULARITY_BURST;
	dd->max_burst = sd->chunk;
	dd->descriptor_reuse = true;
	dd->device_alloc_chan_resources = sdma_de_alloc_chan_resources;
	dd->device_free_chan_resources = sdma_de_free_chan_resources;
	dd->device_prep_dma_memcpy = sdma_de_prep_memcpy;
	dd->device_prep_slave_sg = sdma_de_prep_slave_sg;
	dd->device_config = sdma_de_config;
	dd->device_pause = sdma_de_pause;
	dd->device_resume = sdma_de_resume;
	dd->device_terminate_all = sdma_de_terminate_all;
	dd->device_synchronize = sdma_de_synchronize;
	dd->device_tx_status = sdma_de_tx_status;
	dd->device_issue_pending = sdma_de_issue_pending;
	dd->device_release = sdma_de_release_dev;
	for (i = 0; i < sd->adapter.nr_channels; i++) {
		struct sdma_de_chan *chan = &de->chan[i];

		chan->de = de;
		chan->id = i;
		chan->width = DMA_SLAVE_BUSWIDTH_UNDEFINED;
		init_waitqueue_head(&chan->wq);
		chan->vc.desc_free = sdma_de_desc_free;
		vchan_init(&chan->vc, dd);
	}
	sdma_dev_get(sd);
	ret = dma_async_device_register(dd);
	if (ret) {
		dev_err(sd->dev, "dmaengine registration failed: %d\n", ret);
		sdma_dev_put(sd);
		kfree(de);
		return ret;
	}
	sd->dmaengine = de;
	dev_info(sd->dev, "dmaengine: %u channels (memcpy, slave, pause)\n",
		 sd->adapter.nr_channels);
	return 0;
}

/* After sdma_dmaengine_quiesce(): nothing runs, the adapter is dead. */
void sdma_dmaengine_unregister(struct sdma_dev *sd)
{
	struct sdma_de *de = sd->dmaengine;

	if (!de)
		return;
	sd->dmaengine = NULL;
	/* de lives on until the last client lets go (device_release) */
	dma_async_device_unregister(&de->ddev);
}
