// SPDX-License-Identifier: GPL-2.0
/*
 * A dmaengine client of sysdma that checks Linux's cancel protocol on the
 * provider (guest-driver/sysdma_dmaengine.c): slave_sg P2M/M2P transfers
 * held slow by the device's fault window (FAULT_SLOW), terminated half way
 * with dmaengine_terminate_async() + dmaengine_synchronize(), checked
 * against the device's own registers (BYTES, SINK_CRC, STATUS) read through
 * BAR0 and against the seeded pattern of its peripheral source
 * (sysdma_pattern_byte()).  Loading the module runs every case once and
 * logs "sdmatest: ok|not ok - ..." lines (tests/dmaengine-client/run.sh
 * turns them into TAP); the module stays loaded, rmmod removes it.
 *
 * Timing-sensitive states are held by the device, not raced: FAULT_SLOW
 * makes a transfer take ~1 s, FAULT_DELAY_IRQ holds a cancelled
 * transfer's interrupt (with sysdma's cancel_poll_ms raised by the run
 * script, nothing else looks at the channel meanwhile).
 */
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include "sysdma-regs.h"
#include "sysdma_dmaengine.h"

#define NSEG		3
#define SEG_LEN		SZ_16K
#define TOTAL		(NSEG * SEG_LEN)
#define SLOW_RATE	65536		/* bytes/s: 48 KiB take 0.75 s */
#define DELAY_US	400000		/* FAULT_DELAY_IRQ hold */
#define POISON		0xa5

static unsigned int channel;
module_param(channel, uint, 0444);
MODULE_PARM_DESC(channel, "sysdma channel to test (default 0)");

static bool pause = true;
module_param(pause, bool, 0444);
MODULE_PARM_DESC(pause, "run the pause/resume case (needs the device's PAUSE)");

static int passed, failed;

#define CHECK(cond, fmt, ...) do {					\
	if (cond) {							\
		passed++;						\
		pr_info("sdmatest: ok - " fmt "\n", ##__VA_ARGS__);	\
	} else {							\
		failed++;						\
		pr_info("sdmatest: not ok - " fmt "\n", ##__VA_ARGS__);	\
	}								\
} while (0)

struct tbuf {
	void *cpu;
	dma_addr_t dma;
	size_t len;
};

struct cb_rec {
	atomic_t calls;
	enum dmaengine_tx_result result;
	u32 residue;
};

static struct pci_dev *pdev;
static struct dma_chan *chan;
static struct device *dmadev;
static void __iomem *bar;

static u32 ch_rd(u32 off)
{
	return ioread32(bar + SYSDMA_CH_BASE(channel) + off);
}

static void ch_wr(u32 off, u32 val)
{
	iowrite32(val, bar + SYSDMA_CH_BASE(channel) + off);
}

static void faults(u32 mode, u32 slow_rate, u32 delay_us)
{
	ch_wr(SYSDMA_CH_FAULT_SLOW_RATE, slow_rate);
	ch_wr(SYSDMA_CH_FAULT_DELAY_US, delay_us);
	ch_wr(SYSDMA_CH_FAULT_ERROR_AFTER, 0);
	ch_wr(SYSDMA_CH_FAULT_STICKY, mode);
	ch_wr(SYSDMA_CH_FAULT_MODE, mode);
}

static void cb(void *param, const struct dmaengine_result *res)
{
	struct cb_rec *r = param;

	r->result = res->result;
	r->residue = res->residue;
	smp_wmb();	/* the fields before the count */
	atomic_inc(&r->calls);
}

static int tbuf_alloc(struct tbuf *b, size_t len)
{
	b->len = len;
	b->cpu = dma_alloc_coherent(dmadev, len, &b->dma, GFP_KERNEL);
	return b->cpu ? 0 : -ENOMEM;
}

static void tbuf_free(struct tbuf *b)
{
	if (b->cpu)
		dma_free_coherent(dmadev, b->len, b->cpu, b->dma);
	b->cpu = NULL;
}

/* NSEG buffers of SEG_LEN as one scatterlist (already DMA addresses) */
static void sg_build(struct scatterlist *sg, struct tbuf *b)
{
	int i;

	sg_init_table(sg, NSEG);
	for (i = 0; i < NSEG; i++) {
		sg_dma_address(&sg[i]) = b[i].dma;
		sg_dma_len(&sg[i]) = b[i].len;
	}
}

static u8 *seg_byte(struct tbuf *b, size_t i)
{
	return (u8 *)b[i / SEG_LEN].cpu + i % SEG_LEN;
}

static int slave_config(u32 seed)
{
	struct sysdma_slave_peripheral p = { .seed = seed };
	struct dma_slave_config cfg = {
		.src_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES,
		.dst_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES,
		.peripheral_config = &p,
		.peripheral_size = sizeof(p),
	};

	return dmaengine_slave_config(chan, &cfg);
}

static struct dma_async_tx_descriptor *prep(struct scatterlist *sg,
					    enum dma_transfer_direction dir,
					    struct cb_rec *r)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_slave_sg(chan, sg, NSEG, dir, DMA_PREP_INTERRUPT);
	if (tx) {
		tx->callback_result = cb;
		tx->callback_param = r;
	}
	return tx;
}

/* Wait until BYTES >= @want (the device moves it, we only look). */
static bool wait_bytes(u32 want)
{
	unsigned int ms;

	for (ms = 0; ms < 5000; ms++) {
		if (ch_rd(SYSDMA_CH_BYTES) >= want &&
		    (ch_rd(SYSDMA_CH_STATUS) & SYSDMA_STATUS_STATE_MASK) ==
		    SYSDMA_STATE_BUSY)
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

static u32 verify_total(void)
{
	return ioread32(bar + SYSDMA_REG_VERIFY_TOTAL);
}

static bool chan_released(void)
{
	return !(ch_rd(SYSDMA_CH_STATUS) &
		 (SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_FLUSH_OWED));
}

/* P2M half way: residue, data, one ABORTED callback. */
static void case_p2m_half(void)
{
	struct tbuf b[NSEG] = {};
	struct scatterlist sg[NSEG];
	struct dma_async_tx_descriptor *tx;
	struct cb_rec r = {};
	u32 seed = get_random_u32(), moved;
	size_t i, bad = TOTAL;
	dma_cookie_t cookie;

	for (i = 0; i < NSEG; i++)
		if (tbuf_alloc(&b[i], SEG_LEN))
			goto out;
	for (i = 0; i < TOTAL; i++)
		*seg_byte(b, i) = POISON;
	sg_build(sg, b);
	CHECK(slave_config(seed) == 0, "p2m: slave config with seed %#x", seed);
	faults(SYSDMA_FAULT_SLOW, SLOW_RATE, 0);
	tx = prep(sg, DMA_DEV_TO_MEM, &r);
	if (!tx) {
		CHECK(0, "p2m: prep_slave_sg");
		goto out;
	}
	cookie = dmaengine_submit(tx);
	dma_async_issue_pending(chan);
	CHECK(wait_bytes(TOTAL / 3), "p2m: the transfer runs (BYTES %u)",
	      ch_rd(SYSDMA_CH_BYTES));
	CHECK(dmaengine_terminate_async(chan) == 0, "p2m: terminate_async");
	dmaengine_synchronize(chan);
	moved = ch_rd(SYSDMA_CH_BYTES);
	CHECK(atomic_read(&r.calls) == 1, "p2m: callback ran once after synchronize (%d)",
	      atomic_read(&r.calls));
	smp_rmb();	/* pairs with cb(): the count before the fields */
	CHECK(r.result == DMA_TRANS_ABORTED, "p2m: result DMA_TRANS_ABORTED (%d)",
	      r.result);
	CHECK(moved > 0 && moved < TOTAL, "p2m: stopped half way (%u of %u bytes)",
	      moved, TOTAL);
	CHECK(r.residue == TOTAL - moved, "p2m: residue %u == bytes not moved %u",
	      r.residue, TOTAL - moved);
	for (i = 0; i < TOTAL; i++) {
		u8 want = i < moved ? sysdma_pattern_byte(seed, i) : POISON;

		if (*seg_byte(b, i) != want) {
			bad = i;
			break;
		}
	}
	CHECK(bad == TOTAL, "p2m: destination holds exactly the %u moved bytes (first bad byte %zu)",
	      moved, bad);
	CHECK(chan_released(), "p2m: channel flushed and released (status %#x)",
	      ch_rd(SYSDMA_CH_STATUS));
	msleep(50);
	CHECK(atomic_read(&r.calls) == 1 && *seg_byte(b, TOTAL - 1) == POISON,
	      "p2m: no callback and no DMA after synchronize");
	CHECK(dmaengine_tx_status(chan, cookie, NULL) != DMA_COMPLETE ||
	      r.result != DMA_TRANS_NOERROR, "p2m: cookie not reported as a clean completion");
out:
	faults(0, 0, 0);
	for (i = 0; i < NSEG; i++)
		tbuf_free(&b[i]);
}

/* M2P half way: the sink's CRC covers exactly the moved bytes. */
static void case_m2p_half(void)
{
	struct tbuf b[NSEG] = {};
	struct scatterlist sg[NSEG];
	struct dma_async_tx_descriptor *tx;
	struct cb_rec r = {};
	u32 moved, crc = 0;
	size_t i;

	for (i = 0; i < NSEG; i++)
		if (tbuf_alloc(&b[i], SEG_LEN))
			goto out;
	for (i = 0; i < NSEG; i++)
		get_random_bytes(b[i].cpu, SEG_LEN);
	sg_build(sg, b);
	slave_config(1);
	faults(SYSDMA_FAULT_SLOW, SLOW_RATE, 0);
	tx = prep(sg, DMA_MEM_TO_DEV, &r);
	if (!tx) {
		CHECK(0, "m2p: prep_slave_sg");
		goto out;
	}
	dmaengine_submit(tx);
	dma_async_issue_pending(chan);
	CHECK(wait_bytes(TOTAL / 2), "m2p: the transfer runs (BYTES %u)",
	      ch_rd(SYSDMA_CH_BYTES));
	dmaengine_terminate_async(chan);
	dmaengine_synchronize(chan);
	moved = ch_rd(SYSDMA_CH_BYTES);
	CHECK(atomic_read(&r.calls) == 1 && r.result == DMA_TRANS_ABORTED,
	      "m2p: one callback, DMA_TRANS_ABORTED (%d calls, result %d)",
	      atomic_read(&r.calls), r.result);
	CHECK(moved > 0 && moved < TOTAL && r.residue == TOTAL - moved,
	      "m2p: residue %u == bytes not moved (%u of %u moved)",
	      r.residue, moved, TOTAL);
	/* zlib's crc32 of the bytes the sink received, in order */
	for (i = 0; i < NSEG && i * SEG_LEN < moved; i++)
		crc = crc32_le(crc ^ ~0u, b[i].cpu,
			       min_t(size_t, SEG_LEN, moved - i * SEG_LEN)) ^ ~0u;
	CHECK(ch_rd(SYSDMA_CH_SINK_CRC) == crc,
	      "m2p: SINK_CRC %#x == crc32 of the %u moved bytes %#x",
	      ch_rd(SYSDMA_CH_SINK_CRC), moved, crc);
	CHECK(chan_released(), "m2p: channel flushed and released");
out:
	faults(0, 0, 0);
	for (i = 0; i < NSEG; i++)
		tbuf_free(&b[i]);
}

/* Terminate with nothing submitted: nothing happens (no V3 CANCEL_IDLE). */
static void case_idle(void)
{
	u32 v = verify_total();

	CHECK(dmaengine_terminate_async(chan) == 0, "idle: terminate_async returns 0");
	dmaengine_synchronize(chan);
	CHECK(verify_total() == v && chan_released(),
	      "idle: no register touched (verifier %u -> %u, status %#x)", v,
	      verify_total(), ch_rd(SYSDMA_CH_STATUS));
}

/* B queued behind A: A aborted once, B never runs and is never called. */
static void case_queued(void)
{
	struct tbuf a[NSEG] = {}, b[NSEG] = {};
	struct scatterlist sga[NSEG], sgb[NSEG];
	struct dma_async_tx_descriptor *ta, *tb;
	struct cb_rec ra = {}, rb = {};
	size_t i, touched = 0;

	for (i = 0; i < NSEG; i++)
		if (tbuf_alloc(&a[i], SEG_LEN) || tbuf_alloc(&b[i], SEG_LEN))
			goto out;
	for (i = 0; i < TOTAL; i++) {
		*seg_byte(a, i) = POISON;
		*seg_byte(b, i) = POISON;
	}
	sg_build(sga, a);
	sg_build(sgb, b);
	slave_config(2);
	faults(SYSDMA_FAULT_SLOW, SLOW_RATE, 0);
	ta = prep(sga, DMA_DEV_TO_MEM, &ra);
	tb = prep(sgb, DMA_DEV_TO_MEM, &rb);
	if (!ta || !tb) {
		CHECK(0, "queued: prep");
		goto out;
	}
	dmaengine_submit(ta);
	dmaengine_submit(tb);
	dma_async_issue_pending(chan);
	CHECK(wait_bytes(SZ_4K), "queued: A runs");
	dmaengine_terminate_async(chan);
	dmaengine_synchronize(chan);
	faults(0, 0, 0);
	msleep(100);	/* B would have moved by now at full rate */
	for (i = 0; i < TOTAL; i++)
		touched += *seg_byte(b, i) != POISON;
	CHECK(atomic_read(&ra.calls) == 1 && ra.result == DMA_TRANS_ABORTED,
	      "queued: A called back once, aborted (%d, %d)",
	      atomic_read(&ra.calls), ra.result);
	CHECK(atomic_read(&rb.calls) == 0, "queued: B never called back (%d)",
	      atomic_read(&rb.calls));
	CHECK(touched == 0, "queued: B's destination untouched (%zu bytes written)",
	      touched);
	CHECK(chan_released(), "queued: channel released");
out:
	faults(0, 0, 0);
	for (i = 0; i < NSEG; i++) {
		tbuf_free(&a[i]);
		tbuf_free(&b[i]);
	}
}

/*
 * The descriptor outlives the controller's use of it: with the cancelled
 * transfer's interrupt held back (FAULT_DELAY_IRQ), the aborted descriptor
 * is still alive after terminate_async, and synchronize returns only once
 * the completion routine ran, the callback came and it was freed.
 */
static void case_freed_after_sync(void)
{
	struct tbuf b[NSEG] = {};
	struct scatterlist sg[NSEG];
	struct dma_async_tx_descriptor *tx;
	struct sysdma_dmaengine_info i0, i1, i2;
	struct cb_rec r = {};
	ktime_t t0;
	s64 ms;
	size_t i;

	for (i = 0; i < NSEG; i++)
		if (tbuf_alloc(&b[i], SEG_LEN))
			goto out;
	sg_build(sg, b);
	slave_config(3);
	faults(SYSDMA_FAULT_SLOW | SYSDMA_FAULT_DELAY_IRQ, SLOW_RATE, DELAY_US);
	tx = prep(sg, DMA_DEV_TO_MEM, &r);
	if (!tx) {
		CHECK(0, "freed-after-sync: prep");
		goto out;
	}
	dmaengine_submit(tx);
	dma_async_issue_pending(chan);
	wait_bytes(SZ_8K);
	sysdma_dmaengine_chan_info(chan, &i0);
	dmaengine_terminate_async(chan);
	t0 = ktime_get();
	sysdma_dmaengine_chan_info(chan, &i1);
	CHECK(i1.live_descs == i0.live_descs && i1.live_descs >= 1 &&
	      i1.freed == i0.freed && i1.active,
	      "freed-after-sync: after terminate_async the descriptor is alive (%d live, %llu freed, active %d)",
	      i1.live_descs, i1.freed, i1.active);
	CHECK(atomic_read(&r.calls) == 0, "freed-after-sync: no callback before the controller stopped");
	dmaengine_synchronize(chan);
	ms = ktime_ms_delta(ktime_get(), t0);
	sysdma_dmaengine_chan_info(chan, &i2);
	CHECK(atomic_read(&r.calls) == 1 && r.result == DMA_TRANS_ABORTED,
	      "freed-after-sync: synchronize returned after the callback (%d, result %d, %lld ms)",
	      atomic_read(&r.calls), r.result, ms);
	CHECK(i2.live_descs == 0 && i2.freed == i1.freed + 1 && !i2.active,
	      "freed-after-sync: freed by synchronize's return (%d live, %llu freed)",
	      i2.live_descs, i2.freed);
	CHECK(ms >= DELAY_US / 2000 && chan_released(),
	      "freed-after-sync: synchronize waited for the held interrupt (%lld ms, status %#x)",
	      ms, ch_rd(SYSDMA_CH_STATUS));
out:
	faults(0, 0, 0);
	for (i = 0; i < NSEG; i++)
		tbuf_free(&b[i]);
}

/* Pause freezes BYTES and the residue; resume finishes the data. */
static void case_pause(void)
{
	struct tbuf b[NSEG] = {};
	struct scatterlist sg[NSEG];
	struct dma_async_tx_descriptor *tx;
	struct dma_tx_state s1, s2;
	enum dma_status st1, st2;
	struct cb_rec r = {};
	u32 seed = 4, b1, b2;
	dma_cookie_t cookie;
	size_t i, bad = TOTAL;

	for (i = 0; i < NSEG; i++)
		if (tbuf_alloc(&b[i], SEG_LEN))
			goto out;
	sg_build(sg, b);
	slave_config(seed);
	faults(SYSDMA_FAULT_SLOW, SLOW_RATE, 0);
	tx = prep(sg, DMA_DEV_TO_MEM, &r);
	if (!tx) {
		CHECK(0, "pause: prep");
		goto out;
	}
	cookie = dmaengine_submit(tx);
	dma_async_issue_pending(chan);
	wait_bytes(SZ_8K);
	CHECK(dmaengine_pause(chan) == 0, "pause: dmaengine_pause");
	/* the engine stops at its next step boundary (one slow step) */
	for (i = 0; i < 1000 && !(ch_rd(SYSDMA_CH_STATUS) & SYSDMA_STATUS_PAUSED); i++)
		usleep_range(1000, 2000);
	b1 = ch_rd(SYSDMA_CH_BYTES);
	st1 = dmaengine_tx_status(chan, cookie, &s1);
	msleep(200);	/* 12 KiB at the slow rate */
	b2 = ch_rd(SYSDMA_CH_BYTES);
	st2 = dmaengine_tx_status(chan, cookie, &s2);
	CHECK(ch_rd(SYSDMA_CH_STATUS) & SYSDMA_STATUS_PAUSED,
	      "pause: STATUS.PAUSED (%#x)", ch_rd(SYSDMA_CH_STATUS));
	CHECK(st1 == DMA_PAUSED && st2 == DMA_PAUSED, "pause: tx_status DMA_PAUSED (%d %d)",
	      st1, st2);
	CHECK(b1 == b2 && b1 < TOTAL, "pause: BYTES frozen (%u, %u)", b1, b2);
	CHECK(s1.residue == s2.residue && s1.residue >= TOTAL - b1 &&
	      s1.residue <= TOTAL - b1 + ioread32(bar + SYSDMA_REG_FIFO_SIZE),
	      "pause: residue frozen and exact (%u, %u; BYTES %u)",
	      s1.residue, s2.residue, b1);
	CHECK(atomic_read(&r.calls) == 0, "pause: no callback while paused");
	faults(0, 0, 0);
	CHECK(dmaengine_resume(chan) == 0, "pause: dmaengine_resume");
	for (i = 0; i < 2000 && !atomic_read(&r.calls); i++)
		usleep_range(1000, 2000);
	CHECK(atomic_read(&r.calls) == 1 && r.result == DMA_TRANS_NOERROR &&
	      r.residue == 0, "pause: resumed and completed (%d, result %d, residue %u)",
	      atomic_read(&r.calls), r.result, r.residue);
	for (i = 0; i < TOTAL; i++)
		if (*seg_byte(b, i) != sysdma_pattern_byte(seed, i)) {
			bad = i;
			break;
		}
	CHECK(bad == TOTAL, "pause: all %u bytes delivered in order (first bad %zu)",
	      TOTAL, bad);
	CHECK(dmaengine_tx_status(chan, cookie, NULL) == DMA_COMPLETE,
	      "pause: cookie complete");
out:
	dmaengine_terminate_sync(chan);
	faults(0, 0, 0);
	for (i = 0; i < NSEG; i++)
		tbuf_free(&b[i]);
}

/* dma_slave_config: what the device cannot do is refused. */
static void case_config(void)
{
	struct sysdma_slave_peripheral p = {};
	struct dma_slave_config c;

	memset(&c, 0, sizeof(c));
	c.src_addr = 0x1000;
	CHECK(dmaengine_slave_config(chan, &c) == -EINVAL, "config: a peripheral address is refused");
	memset(&c, 0, sizeof(c));
	c.src_addr_width = DMA_SLAVE_BUSWIDTH_3_BYTES;
	CHECK(dmaengine_slave_config(chan, &c) == -EINVAL, "config: 3-byte bus width refused");
	memset(&c, 0, sizeof(c));
	c.device_fc = true;
	CHECK(dmaengine_slave_config(chan, &c) == -EINVAL, "config: peripheral flow control refused");
	memset(&c, 0, sizeof(c));
	c.peripheral_config = &p;
	c.peripheral_size = 1;
	CHECK(dmaengine_slave_config(chan, &c) == -EINVAL, "config: wrong peripheral_size refused");
	memset(&c, 0, sizeof(c));
	c.dst_addr_width = DMA_SLAVE_BUSWIDTH_8_BYTES;
	c.dst_maxburst = 16;
	CHECK(dmaengine_slave_config(chan, &c) == 0, "config: 8-byte width, burst 16 accepted");
}

static bool filter(struct dma_chan *c, void *param)
{
	struct sysdma_dmaengine_info info;

	return sysdma_dmaengine_chan_info(c, &info) == 0 &&
		info.hw_channel == channel;
}

static int __init sdmatest_init(void)
{
	dma_cap_mask_t mask;
	u32 v0;

	pdev = pci_get_device(SYSDMA_PCI_VENDOR_ID, SYSDMA_PCI_DEVICE_ID, NULL);
	if (!pdev)
		return -ENODEV;
	/* the judge's view of the device: its registers, not the driver's */
	bar = pci_iomap(pdev, 0, SYSDMA_BAR_SIZE);
	if (!bar) {
		pci_dev_put(pdev);
		return -ENOMEM;
	}
	dma_cap_zero(mask);
	dma_cap_set(DMA_SLAVE, mask);
	chan = dma_request_channel(mask, filter, NULL);
	if (!chan) {
		pr_err("sdmatest: no sysdma dmaengine channel %u\n", channel);
		pci_iounmap(pdev, bar);
		pci_dev_put(pdev);
		return -ENODEV;
	}
	dmadev = chan->device->dev;
	pr_info("sdmatest: %s (sysdma channel %u)\n", dma_chan_name(chan), channel);
	v0 = verify_total();
	case_config();
	case_idle();
	case_p2m_half();
	case_m2p_half();
	case_queued();
	case_freed_after_sync();
	if (pause)
		case_pause();
	CHECK(verify_total() == v0, "device verifier counted nothing (%u -> %u)",
	      v0, verify_total());
	pr_info("sdmatest: done %d passed, %d failed\n", passed, failed);
	return 0;
}

static void __exit sdmatest_exit(void)
{
	dma_release_channel(chan);
	pci_iounmap(pdev, bar);
	pci_dev_put(pdev);
}

module_init(sdmatest_init);
module_exit(sdmatest_exit);
MODULE_DESCRIPTION("sysdma dmaengine cancel-protocol client test");
MODULE_LICENSE("GPL");
