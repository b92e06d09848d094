// SPDX-License-Identifier: GPL-2.0
/*
 * sysdma: PCI driver for the sysdma system-DMA controller (QEMU device
 * model in qemu-device/).  Probe/remove, the misc device /dev/sysdmaN,
 * sysfs counters, debugfs state, module parameters.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "sysdma_core.h"
#include "sysdma_dmaengine.h"
#include "sysdma_hw.h"
#include "sysdma_txn.h"

unsigned int sdma_param_rw_timeout_ms = 10000;
module_param_named(rw_timeout_ms, sdma_param_rw_timeout_ms, uint, 0644);
MODULE_PARM_DESC(rw_timeout_ms, "timeout of read()/write() transfers (ms, 0 = none)");

unsigned int sdma_param_max_request = 64 << 20;
module_param_named(max_request, sdma_param_max_request, uint, 0644);
MODULE_PARM_DESC(max_request, "largest request in bytes");

unsigned int sdma_param_cancel_poll_ms = 1;
module_param_named(cancel_poll_ms, sdma_param_cancel_poll_ms, uint, 0644);
MODULE_PARM_DESC(cancel_poll_ms, "poll period of a channel being cancelled (ms)");

static unsigned int sdma_param_max_xfer;
module_param_named(max_xfer, sdma_param_max_xfer, uint, 0444);
MODULE_PARM_DESC(max_xfer, "cap the device's MAX_XFER (bytes, 0 = device's)");

static bool sdma_param_msi = true;
module_param_named(msi, sdma_param_msi, bool, 0444);
MODULE_PARM_DESC(msi, "use MSI (else INTx)");

static DEFINE_IDA(sdma_ida);
static struct dentry *sdma_debugfs_root;

static void sdma_dev_release(struct kref *kref)
{
	struct sdma_dev *sd = container_of(kref, struct sdma_dev, kref);

	if (sd->wq)
		destroy_workqueue(sd->wq);
	if (sd->misc.name) {
		ida_free(&sdma_ida, sd->index);
		kfree(sd->misc.name);
	}
	kfree(sd);
}

void sdma_dev_get(struct sdma_dev *sd)
{
	kref_get(&sd->kref);
}

void sdma_dev_put(struct sdma_dev *sd)
{
	kref_put(&sd->kref, sdma_dev_release);
}

/* ---- sysfs: one file per counter of enum sysdma_stat ------------------- */

static ssize_t sdma_stat_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr,
						    struct dev_ext_attribute,
						    attr);
	struct sdma_dev *sd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&sd->stats[(uintptr_t)ea->var]));
}

#define SDMA_STAT_ATTR(_name, _idx)					\
	static struct dev_ext_attribute sdma_attr_##_name = {		\
		__ATTR(_name, 0444, sdma_stat_show, NULL),		\
		(void *)(_idx)						\
	}

SDMA_STAT_ATTR(submitted, SYSDMA_STAT_SUBMITTED);
SDMA_STAT_ATTR(completed, SYSDMA_STAT_COMPLETED);
SDMA_STAT_ATTR(ok, SYSDMA_STAT_OK);
SDMA_STAT_ATTR(cancelled, SYSDMA_STAT_CANCELLED);
SDMA_STAT_ATTR(timedout, SYSDMA_STAT_TIMEDOUT);
SDMA_STAT_ATTR(error, SYSDMA_STAT_ERROR);
SDMA_STAT_ATTR(aborted, SYSDMA_STAT_ABORTED);
SDMA_STAT_ATTR(cancel_k2, SYSDMA_STAT_CANCEL_K2);
SDMA_STAT_ATTR(cancel_stop, SYSDMA_STAT_CANCEL_STOP);
SDMA_STAT_ATTR(timeout_stop, SYSDMA_STAT_TIMEOUT_STOP);
SDMA_STAT_ATTR(in_flight, SYSDMA_STAT_IN_FLIGHT);
SDMA_STAT_ATTR(transfers, SYSDMA_STAT_TRANSFERS);
SDMA_STAT_ATTR(flushes, SYSDMA_STAT_FLUSHES);
SDMA_STAT_ATTR(irqs, SYSDMA_STAT_IRQS);
SDMA_STAT_ATTR(spurious_irqs, SYSDMA_STAT_SPURIOUS_IRQS);
SDMA_STAT_ATTR(channel_waits, SYSDMA_STAT_CHANNEL_WAITS);
SDMA_STAT_ATTR(caller_errors, SYSDMA_STAT_CALLER_ERRORS);

static struct attribute *sdma_stat_attrs[] = {
	&sdma_attr_submitted.attr.attr,
	&sdma_attr_completed.attr.attr,
	&sdma_attr_ok.attr.attr,
	&sdma_attr_cancelled.attr.attr,
	&sdma_attr_timedout.attr.attr,
	&sdma_attr_error.attr.attr,
	&sdma_attr_aborted.attr.attr,
	&sdma_attr_cancel_k2.attr.attr,
	&sdma_attr_cancel_stop.attr.attr,
	&sdma_attr_timeout_stop.attr.attr,
	&sdma_attr_in_flight.attr.attr,
	&sdma_attr_transfers.attr.attr,
	&sdma_attr_flushes.attr.attr,
	&sdma_attr_irqs.attr.attr,
	&sdma_attr_spurious_irqs.attr.attr,
	&sdma_attr_channel_waits.attr.attr,
	&sdma_attr_caller_errors.attr.attr,
	NULL
};

static const struct attribute_group sdma_stat_group = {
	.name = "stats",
	.attrs = sdma_stat_attrs,
};

/* ---- debugfs: channel and request state --------------------------------- */

static int sdma_state_show(struct seq_file *m, void *v)
{
	struct sdma_dev *sd = m->private;
	struct sdma_adapter *ad = &sd->adapter;
	struct sdma_xfer_ctx *ctx;
	unsigned long flags;
	unsigned int i, waiters = 0;

	down_read(&sd->gate);
	if (sd->dead) {
		up_read(&sd->gate);
		seq_puts(m, "dead\n");
		return 0;
	}
	spin_lock_irqsave(&ad->lock, flags);
	list_for_each_entry(ctx, &ad->waiters, node)
		waiters++;
	for (i = 0; i < ad->nr_channels; i++) {
		struct sdma_chan *ch = &ad->ch[i];

		seq_printf(m, "ch%u: %s%s%s%s status %#010x bytes %u\n", i,
			   ch->owner ? "allocated" : "free",
			   ch->mapped ? " mapped" : "",
			   ch->flush_owed ? " flush-owed" : "",
			   ch->cancel_written ? " cancelling" : "",
			   sdma_ch_rd(sd->regs, i, SYSDMA_CH_STATUS),
			   sdma_ch_rd(sd->regs, i, SYSDMA_CH_BYTES));
	}
	spin_unlock_irqrestore(&ad->lock, flags);
	seq_printf(m, "waiters: %u\nmax_xfer: %u\nverify_total: %u\n", waiters,
		   sd->max_xfer, sdma_rd(sd->regs, SYSDMA_REG_VERIFY_TOTAL));
	up_read(&sd->gate);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sdma_state);

/* ---- device bring-up ----------------------------------------------------- */

static void sdma_kick(struct sdma_adapter *ad)
{
	struct sdma_dev *sd = container_of(ad, struct sdma_dev, adapter);

	tasklet_schedule(&sd->dpc);
}

/* Read the controller's identity and limits, reset it, set the adapter up. */
static int sdma_hw_init(struct sdma_dev *sd)
{
	u32 id = sdma_rd(sd->regs, SYSDMA_REG_ID);
	unsigned int nr;

	if (id != SYSDMA_ID_VALUE) {
		dev_err(sd->dev, "bad ID register %#x\n", id);
		return -ENODEV;
	}
	sd->caps = sdma_rd(sd->regs, SYSDMA_REG_CAPS);
	nr = sd->caps & SYSDMA_CAPS_CHANNELS_MASK;
	sd->max_xfer = sdma_rd(sd->regs, SYSDMA_REG_MAX_XFER);
	sd->fifo_size = sdma_rd(sd->regs, SYSDMA_REG_FIFO_SIZE);
	sd->chunk = sdma_rd(sd->regs, SYSDMA_REG_CHUNK);
	sd->rate = sdma_rd(sd->regs, SYSDMA_REG_RATE);
	if (!nr || nr > SYSDMA_MAX_CHANNELS || !sd->max_xfer) {
		dev_err(sd->dev, "bad CAPS %#x / MAX_XFER %u\n", sd->caps,
			sd->max_xfer);
		return -ENODEV;
	}
	if (sdma_param_max_xfer && sdma_param_max_xfer < sd->max_xfer)
		sd->max_xfer = sdma_param_max_xfer;
	sdma_wr(sd->regs, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
	return sdma_adapter_init(&sd->adapter, sd->dev, sd->regs, nr,
				 sd->max_xfer, sd->caps & SYSDMA_CAPS_SG,
				 sdma_kick);
}

/*
 * Stop everything: no new request, every request in flight completed with
 * ENODEV (path ABORT), nothing left claimed, pinned or armed.
 */
static void sdma_quiesce(struct sdma_dev *sd)
{
	down_write(&sd->gate);
	sd->dead = true;
	up_write(&sd->gate);
	/* no channel may be granted while the requests are being aborted */
	sdma_adapter_stop(&sd->adapter);
	sdma_abort_all(sd, SDMA_STATUS_NO_SUCH_DEVICE);
	sdma_dmaengine_quiesce(sd);
	flush_workqueue(sd->wq);
	sdma_adapter_shutdown(&sd->adapter);
	tasklet_kill(&sd->dpc);
}

static int sdma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct sdma_dev *sd;
	unsigned int irqflags;
	int ret;

	/* the uapi mirrors these values */
	BUILD_BUG_ON(SYSDMA_STAT_MAX < SYSDMA_STAT_COUNT_V1);
	BUILD_BUG_ON(SYSDMA_DIR_M2P - SYSDMA_DEV_DIR_M2P);
	BUILD_BUG_ON(SYSDMA_DIR_P2M - SYSDMA_DEV_DIR_P2M);
	BUILD_BUG_ON(SDMA_TXN_CANCELLED - SYSDMA_QSTATE_CANCELLED);
	BUILD_BUG_ON(SDMA_TXN_BETWEEN - SYSDMA_QSTATE_BETWEEN);

	sd = kzalloc(sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	kref_init(&sd->kref);
	sd->pdev = pdev;
	sd->dev = dev;
	init_rwsem(&sd->gate);
	spin_lock_init(&sd->lock);
	INIT_LIST_HEAD(&sd->inflight);
	init_waitqueue_head(&sd->idle_wq);
	tasklet_setup(&sd->dpc, sdma_dpc);

	ret = pcim_enable_device(pdev);
	if (ret)
		goto err;
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		goto err;
	sd->regs = pcim_iomap_table(pdev)[0];
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret)
		goto err;

	ret = -ENOMEM;
	/*
	 * Per-CPU (bound), not WQ_UNBOUND: a request's completion work is
	 * queued from the DPC and so runs on the CPU that took the
	 * interrupt, usually the submitter's.  An unbound worker woke the
	 * other, idle CPU for every request and that CPU then woke the
	 * submitter back: two cross-CPU wake-ups per request, each a
	 * halted vCPU that a busy host may not run for milliseconds.
	 */
	sd->wq = alloc_workqueue("sysdma", WQ_HIGHPRI, 0);
	if (!sd->wq)
		goto err;
	ret = sdma_hw_init(sd);
	if (ret)
		goto err;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, sdma_param_msi ?
				    PCI_IRQ_MSI | PCI_IRQ_LEGACY :
				    PCI_IRQ_LEGACY);
	if (ret < 0)
		goto err;
	sd->msi = pdev->msi_enabled;
	sd->irq = pci_irq_vector(pdev, 0);
	irqflags = sd->msi ? 0 : IRQF_SHARED;
	ret = devm_request_irq(dev, sd->irq, sdma_isr, irqflags,
			       KBUILD_MODNAME, sd);
	if (ret)
		goto err;
	pci_set_drvdata(pdev, sd);
	ret = devm_device_add_group(dev, &sdma_stat_group);
	if (ret)
		goto err_irq;

	ret = ida_alloc(&sdma_ida, GFP_KERNEL);
	if (ret < 0)
		goto err_irq;
	sd->index = ret;
	sd->misc.minor = MISC_DYNAMIC_MINOR;
	sd->misc.name = kasprintf(GFP_KERNEL, "sysdma%d", sd->index);
	if (!sd->misc.name) {
		ida_free(&sdma_ida, sd->index);
		ret = -ENOMEM;
		goto err_irq;
	}
	sd->misc.fops = &sdma_fops;
	sd->misc.parent = dev;
	/*
	 * U-perm: root and the node's group only (a udev rule may grant a
	 * group); the test hooks, FAULT and SELFTEST need CAP_SYS_ADMIN on top.
	 */
	sd->misc.mode = 0660;
	ret = misc_register(&sd->misc);
	if (ret)
		goto err_irq;
	sd->debugfs = debugfs_create_dir(dev_name(dev), sdma_debugfs_root);
	debugfs_create_file("state", 0444, sd->debugfs, sd, &sdma_state_fops);
	/* the dmaengine provider is optional: the rest works without it */
	if (sdma_dmaengine_register(sd))
		dev_warn(dev, "no dmaengine channels\n");

	dev_info(dev, "%s: %u channels, MAX_XFER %u, FIFO %u, CHUNK %u, RATE %u, caps %#x, %s\n",
		 sd->misc.name, sd->adapter.nr_channels, sd->max_xfer,
		 sd->fifo_size, sd->chunk, sd->rate, sd->caps,
		 sd->msi ? "MSI" : "INTx");
	return 0;

err_irq:
	devm_free_irq(dev, sd->irq, sd);
	tasklet_kill(&sd->dpc);
err:
	sdma_dev_put(sd);
	return ret;
}

static void sdma_remove(struct pci_dev *pdev)
{
	struct sdma_dev *sd = pci_get_drvdata(pdev);

	misc_deregister(&sd->misc);	/* open files stay, get ENODEV */
	debugfs_remove_recursive(sd->debugfs);
	sdma_quiesce(sd);
	sdma_dmaengine_unregister(sd);
	sdma_wr(sd->regs, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
	devm_free_irq(&pdev->dev, sd->irq, sd);
	tasklet_kill(&sd->dpc);
	dev_info(&pdev->dev, "removed\n");
	sdma_dev_put(sd);
}

/* Function reset with requests in flight: they end with ENODEV. */
static void sdma_reset_prepare(struct pci_dev *pdev)
{
	struct sdma_dev *sd = pci_get_drvdata(pdev);

	dev_info(&pdev->dev, "reset: aborting requests\n");
	sdma_quiesce(sd);
}

static void sdma_reset_done(struct pci_dev *pdev)
{
	struct sdma_dev *sd = pci_get_drvdata(pdev);

	sdma_wr(sd->regs, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
	sdma_adapter_restart(&sd->adapter);
	down_write(&sd->gate);
	sd->dead = false;
	up_write(&sd->gate);
	dev_info(&pdev->dev, "reset done\n");
}

static const struct pci_error_handlers sdma_err_handlers = {
	.reset_prepare = sdma_reset_prepare,
	.reset_done = sdma_reset_done,
};

static const struct pci_device_id sdma_ids[] = {
	{ PCI_DEVICE(SYSDMA_PCI_VENDOR_ID, SYSDMA_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, sdma_ids);

static struct pci_driver sdma_driver = {
	.name = KBUILD_MODNAME,
	.id_table = sdma_ids,
	.probe = sdma_probe,
	.remove = sdma_remove,
	.err_handler = &sdma_err_handlers,
};

static int __init sdma_init(void)
{
	int ret;

	sdma_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = pci_register_driver(&sdma_driver);
	if (ret)
		debugfs_remove_recursive(sdma_debugfs_root);
	return ret;
}

static void __exit sdma_exit(void)
{
	pci_unregister_driver(&sdma_driver);
	debugfs_remove_recursive(sdma_debugfs_root);
}

module_init(sdma_init);
module_exit(sdma_exit);

MODULE_DESCRIPTION("sysdma system DMA controller: KMDF/HAL DMA protocol model");
MODULE_AUTHOR("sysdma project");
MODULE_LICENSE("GPL");
