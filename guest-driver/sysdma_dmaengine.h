/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysdma as a Linux dmaengine provider (sysdma_dmaengine.c), a sibling of
 * the KMDF framework on the HAL adapter.
 *
 * What a dmaengine client may pass that is sysdma-specific:
 *   dma_slave_config.peripheral_config -> struct sysdma_slave_peripheral
 *   (peripheral_size = its size): the seed of the channel's pattern source.
 *   Each slave descriptor is one stream of the channel's built-in
 *   peripheral: SEED is written before its first transfer, so a P2M
 *   descriptor delivers sysdma_pattern_byte(seed, i) for its byte i and an
 *   M2P descriptor leaves SINK_CRC = crc32 of the bytes it moved.
 *
 * sysdma_dmaengine_chan_info() is an observability hook for the
 * cancel-protocol client test (tests/dmaengine-client): it tells how many
 * descriptors of a channel are alive and what the hardware is doing.
 */
#ifndef SYSDMA_DMAENGINE_H
#define SYSDMA_DMAENGINE_H

#include <linux/types.h>

struct dma_chan;
struct sdma_dev;

struct sysdma_slave_peripheral {
	u32 seed;
};

struct sysdma_dmaengine_info {
	unsigned int hw_channel;	/* the controller's channel number */
	int live_descs;			/* prepared and not yet freed */
	bool active;			/* a descriptor owns the adapter channel */
	bool paused;
	u64 freed;			/* descriptors freed since probe */
};

int sysdma_dmaengine_chan_info(struct dma_chan *chan,
			       struct sysdma_dmaengine_info *info);

int sdma_dmaengine_register(struct sdma_dev *sd);
void sdma_dmaengine_unregister(struct sdma_dev *sd);
void sdma_dmaengine_quiesce(struct sdma_dev *sd);

#endif /* SYSDMA_DMAENGINE_H */
