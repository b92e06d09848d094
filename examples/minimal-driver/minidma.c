// SPDX-License-Identifier: GPL-2.0
/*
 * minidma: the smallest Linux driver for the sysdma device.
 *
 * At probe it claims channel 0 and runs two memory-to-memory transfers by
 * polling (no interrupts, no DMA engine framework):
 *   1. 16 KiB, to completion: BYTES must be 16384, the data must match;
 *   2. 64 KiB, cancelled half way: BYTES tells exactly how much landed.
 * After each transfer it writes FLUSH (the device's FIFO must be drained
 * before the channel is programmed again or released: CONTRACT V1), then
 * releases the channel.  Results go to the kernel log, one line each,
 * ending with "minidma: result pass" or "minidma: result FAIL".
 *
 * Built with MINIDMA_SKIP_FLUSH (minidma_broken.c) it "forgets" the FLUSH
 * after the first transfer, so the device's verifier reports V1.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/string.h>
#include "sysdma-regs.h"

#define BUF_SIZE	(64 * 1024)
#define CH		0

struct minidma {
	void __iomem *bar;
	void *src, *dst;
	dma_addr_t src_dma, dst_dma;
	bool ok;
};

static u32 ch_rd(struct minidma *m, u32 off)
{
	return readl(m->bar + SYSDMA_CH_BASE(CH) + off);
}

static void ch_wr(struct minidma *m, u32 off, u32 val)
{
	writel(val, m->bar + SYSDMA_CH_BASE(CH) + off);
}

static u32 state(struct minidma *m)
{
	return ch_rd(m, SYSDMA_CH_STATUS) & SYSDMA_STATUS_STATE_MASK;
}

static void flush(struct minidma *m)
{
	ch_wr(m, SYSDMA_CH_FLUSH, 1);
}

static void start(struct minidma *m, u32 len)
{
	ch_wr(m, SYSDMA_CH_SRC_LO, lower_32_bits(m->src_dma));
	ch_wr(m, SYSDMA_CH_SRC_HI, upper_32_bits(m->src_dma));
	ch_wr(m, SYSDMA_CH_DST_LO, lower_32_bits(m->dst_dma));
	ch_wr(m, SYSDMA_CH_DST_HI, upper_32_bits(m->dst_dma));
	ch_wr(m, SYSDMA_CH_LEN, len);
	ch_wr(m, SYSDMA_CH_CFG, SYSDMA_DIR_M2M);
	ch_wr(m, SYSDMA_CH_START, 1);
}

/* Poll until the channel leaves BUSY (at most ~1 s) */
static u32 wait_idle(struct minidma *m)
{
	int i;

	for (i = 0; i < 10000 && state(m) == SYSDMA_STATE_BUSY; i++)
		usleep_range(100, 200);
	return state(m);
}

static void check(struct minidma *m, bool cond, const char *what)
{
	if (!cond) {
		pr_err("minidma: FAIL: %s\n", what);
		m->ok = false;
	}
}

/* The first @n bytes arrived, the rest of @len is untouched */
static bool data_ok(struct minidma *m, u32 n, u32 len)
{
	return !memcmp(m->dst, m->src, n) &&
		(n == len || memchr_inv(m->dst + n, 0xee, len - n) == NULL);
}

static void fill(struct minidma *m)
{
	u32 i;

	for (i = 0; i < BUF_SIZE; i++)
		((u8 *)m->src)[i] = (u8)(i * 7 + (i >> 8));
	memset(m->dst, 0xee, BUF_SIZE);
}

static void transfer_complete(struct minidma *m)
{
	u32 st, bytes;

	fill(m);
	start(m, 16384);
	st = wait_idle(m);
	bytes = ch_rd(m, SYSDMA_CH_BYTES);
	pr_info("minidma: m2m status=0x%08x state=%u bytes=%u\n",
		ch_rd(m, SYSDMA_CH_STATUS), st, bytes);
	check(m, st == SYSDMA_STATE_COMPLETE, "transfer did not complete");
	check(m, bytes == 16384, "BYTES is not 16384");
	check(m, data_ok(m, bytes, 16384), "data mismatch");
#ifndef MINIDMA_SKIP_FLUSH
	flush(m);
#endif
}

/*
 * Cancel half way: start 64 KiB, CANCEL once some but not all of it moved.
 * If the transfer outran us (a busy host), flush and try again.
 */
static void transfer_cancel(struct minidma *m)
{
	u32 st = SYSDMA_STATE_COMPLETE, bytes = 0;
	int attempt, i;

	for (attempt = 1; attempt <= 20; attempt++) {
		fill(m);
		start(m, BUF_SIZE);
		for (i = 0; i < 100000; i++) {
			bytes = ch_rd(m, SYSDMA_CH_BYTES);
			if (bytes >= BUF_SIZE / 4 || state(m) != SYSDMA_STATE_BUSY)
				break;
			udelay(10);
		}
		ch_wr(m, SYSDMA_CH_CANCEL, 1);
		st = wait_idle(m);
		bytes = ch_rd(m, SYSDMA_CH_BYTES);
		if (st == SYSDMA_STATE_CANCELLED)
			break;
		flush(m);
	}
	pr_info("minidma: cancel status=0x%08x state=%u bytes=%u of %u (attempt %d)\n",
		ch_rd(m, SYSDMA_CH_STATUS), st, bytes, BUF_SIZE, attempt);
	check(m, st == SYSDMA_STATE_CANCELLED, "transfer was not cancelled");
	check(m, bytes > 0 && bytes < BUF_SIZE, "BYTES not between 0 and 64 KiB");
	check(m, data_ok(m, bytes, BUF_SIZE), "cancelled data mismatch");
	flush(m);
}

static int minidma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct minidma *m;
	int ret;

	m = devm_kzalloc(&pdev->dev, sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), "minidma");
	if (ret)
		return ret;
	m->bar = pcim_iomap_table(pdev)[0];
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	m->src = dmam_alloc_coherent(&pdev->dev, BUF_SIZE, &m->src_dma, GFP_KERNEL);
	m->dst = dmam_alloc_coherent(&pdev->dev, BUF_SIZE, &m->dst_dma, GFP_KERNEL);
	if (!m->src || !m->dst)
		return -ENOMEM;
	if (readl(m->bar + SYSDMA_REG_ID) != SYSDMA_ID_VALUE) {
		dev_err(&pdev->dev, "not a sysdma device\n");
		return -ENODEV;
	}
	pci_set_drvdata(pdev, m);

	m->ok = true;
	ch_wr(m, SYSDMA_CH_CLAIM, 1);
	transfer_complete(m);
	transfer_cancel(m);
	ch_wr(m, SYSDMA_CH_CLAIM, 0);
	pr_info("minidma: result %s\n", m->ok ? "pass" : "FAIL");
	return 0;
}

static const struct pci_device_id minidma_ids[] = {
	{ PCI_DEVICE(SYSDMA_PCI_VENDOR_ID, SYSDMA_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, minidma_ids);

static struct pci_driver minidma_driver = {
	.name = KBUILD_MODNAME,
	.id_table = minidma_ids,
	.probe = minidma_probe,
};
module_pci_driver(minidma_driver);

MODULE_DESCRIPTION("The smallest sysdma driver: one transfer, one cancel");
MODULE_LICENSE("GPL");
