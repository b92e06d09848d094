// SPDX-License-Identifier: GPL-2.0
/*
 * sysdmactl: direct register access to the sysdma device through
 * /sys/bus/pci/devices/<bdf>/resource0.  Used to read the verifier counters
 * and live channel state, and to provoke verifier violations (V1-V4) on
 * purpose.  While the driver owns the BAR this needs the kernel parameter
 * iomem=relaxed (CONFIG_IO_STRICT_DEVMEM), which the runner passes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "devlib.h"
#include "sysdmactl.h"
#include "sysdma-regs.h"

static volatile uint32_t *bar;

int bar_open(char *err, size_t errlen)
{
	if (!bar)
		bar = sysdma_map_bar0(0, err, errlen);
	return bar ? 0 : -1;
}

int bar_ok(void)
{
	return bar != NULL;
}

uint32_t bar_read(uint32_t off)
{
	return bar[off / 4];
}

void bar_write(uint32_t off, uint32_t val)
{
	bar[off / 4] = val;
}

int bar_channels(void)
{
	int n = (int)(bar_read(SYSDMA_REG_CAPS) & SYSDMA_CAPS_CHANNELS_MASK);

	return n > SYSDMA_MAX_CHANNELS ? SYSDMA_MAX_CHANNELS : n;
}

static const struct { const char *n; uint32_t off; int per_ch; } regs[] = {
	{ "id", SYSDMA_REG_ID, 0 }, { "version", SYSDMA_REG_VERSION, 0 },
	{ "caps", SYSDMA_REG_CAPS, 0 }, { "max_xfer", SYSDMA_REG_MAX_XFER, 0 },
	{ "fifo_size", SYSDMA_REG_FIFO_SIZE, 0 }, { "rate", SYSDMA_REG_RATE, 0 },
	{ "chunk", SYSDMA_REG_CHUNK, 0 }, { "irq_status", SYSDMA_REG_IRQ_STATUS, 0 },
	{ "ctrl", SYSDMA_REG_CTRL, 0 }, { "verify_total", SYSDMA_REG_VERIFY_TOTAL, 0 },
	{ "verify_clear", SYSDMA_REG_VERIFY_CLEAR, 0 },
	{ "src_lo", SYSDMA_CH_SRC_LO, 1 }, { "src", SYSDMA_CH_SRC_LO, 1 },
	{ "src_hi", SYSDMA_CH_SRC_HI, 1 }, { "dst_lo", SYSDMA_CH_DST_LO, 1 },
	{ "dst", SYSDMA_CH_DST_LO, 1 }, { "dst_hi", SYSDMA_CH_DST_HI, 1 },
	{ "len", SYSDMA_CH_LEN, 1 }, { "cfg", SYSDMA_CH_CFG, 1 },
	{ "start", SYSDMA_CH_START, 1 }, { "cancel", SYSDMA_CH_CANCEL, 1 },
	{ "flush", SYSDMA_CH_FLUSH, 1 }, { "claim", SYSDMA_CH_CLAIM, 1 },
	{ "status", SYSDMA_CH_STATUS, 1 }, { "bytes", SYSDMA_CH_BYTES, 1 },
	{ "residue", SYSDMA_CH_RESIDUE, 1 }, { "irq", SYSDMA_CH_IRQ, 1 },
	{ "sink_crc", SYSDMA_CH_SINK_CRC, 1 }, { "seed", SYSDMA_CH_SEED, 1 },
	{ "fifo_level", SYSDMA_CH_FIFO_LEVEL, 1 },
	{ "desc_done", SYSDMA_CH_DESC_DONE, 1 }, { "total", SYSDMA_CH_TOTAL, 1 },
	{ "fault_mode", SYSDMA_CH_FAULT_MODE, 1 },
	{ "fault_sticky", SYSDMA_CH_FAULT_STICKY, 1 },
	{ "fault_error_after", SYSDMA_CH_FAULT_ERROR_AFTER, 1 },
	{ "fault_delay_us", SYSDMA_CH_FAULT_DELAY_US, 1 },
	{ "fault_slow_rate", SYSDMA_CH_FAULT_SLOW_RATE, 1 },
	{ "fault_fired", SYSDMA_CH_FAULT_FIRED, 1 },
};

/*
 * A register by name (channel registers need @ch >= 0) or a number: an
 * offset in the channel block when @ch >= 0, else in BAR0.
 * Returns 0, -1 unknown name, -2 channel register without a channel.
 */
int reg_offset(const char *name, int ch, uint32_t *off)
{
	size_t i;
	char *end;
	unsigned long n;

	if (!strncasecmp(name, "verify_count", 12) && name[12] == '(') {
		n = strtoul(name + 13, &end, 0);
		if (*end != ')' || n >= SYSDMA_V_COUNT)
			return -1;
		*off = SYSDMA_REG_VERIFY_COUNT(n);
		return 0;
	}
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (!strcasecmp(name, regs[i].n)) {
			if (regs[i].per_ch && ch < 0)
				return -2;
			*off = regs[i].per_ch ? SYSDMA_CH_BASE(ch) + regs[i].off
					      : regs[i].off;
			return 0;
		}
	n = strtoul(name, &end, 0);
	if (!*name || *end || n >= SYSDMA_BAR_SIZE || (n & 3))
		return -1;
	*off = ch >= 0 ? SYSDMA_CH_BASE(ch) + (uint32_t)n : (uint32_t)n;
	return 0;
}
