/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysdma register accessors.  The register map itself is sysdma-regs.h,
 * owned by the device model and included here, never copied.
 */
#ifndef SYSDMA_HW_H
#define SYSDMA_HW_H

#include <linux/io.h>
#include <linux/types.h>
#include "sysdma-regs.h"

static inline u32 sdma_rd(void __iomem *regs, u32 off)
{
	return ioread32(regs + off);
}

static inline void sdma_wr(void __iomem *regs, u32 off, u32 val)
{
	iowrite32(val, regs + off);
}

static inline u32 sdma_ch_rd(void __iomem *regs, unsigned int ch, u32 off)
{
	return ioread32(regs + SYSDMA_CH_BASE(ch) + off);
}

static inline void sdma_ch_wr(void __iomem *regs, unsigned int ch, u32 off,
			      u32 val)
{
	iowrite32(val, regs + SYSDMA_CH_BASE(ch) + off);
}

static inline void sdma_ch_wr64(void __iomem *regs, unsigned int ch, u32 lo,
				u32 hi, u64 val)
{
	sdma_ch_wr(regs, ch, lo, lower_32_bits(val));
	sdma_ch_wr(regs, ch, hi, upper_32_bits(val));
}

static inline u32 sdma_status_state(u32 status)
{
	return status & SYSDMA_STATUS_STATE_MASK;
}

static inline u32 sdma_status_errcode(u32 status)
{
	return (status & SYSDMA_STATUS_ERRCODE_MASK) >>
		SYSDMA_STATUS_ERRCODE_SHIFT;
}

#endif /* SYSDMA_HW_H */
