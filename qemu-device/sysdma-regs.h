/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysdma register map: names, offsets and field macros, shared by the QEMU
 * device model (qemu-device/), the Linux guest driver (guest-driver/) and
 * the tests.  The description of every register is the datasheet,
 * qemu-device/REGISTERS.md; this header only names things.
 *
 * Plain macros and two static inline helpers only, so the header compiles
 * in QEMU, in the Linux kernel and in user space alike.
 */
#ifndef HW_DMA_SYSDMA_REGS_H
#define HW_DMA_SYSDMA_REGS_H

#define SYSDMA_PCI_VENDOR_ID        0x1234
#define SYSDMA_PCI_DEVICE_ID        0x5d4a
#define SYSDMA_PCI_CLASS            0x0801   /* system peripheral: DMA */
#define SYSDMA_PCI_REVISION         0x01
#define SYSDMA_BAR_SIZE             0x1000

#define SYSDMA_MAX_CHANNELS         8
#define SYSDMA_ID_VALUE             0x414d4453u /* "SDMA" little endian */
#define SYSDMA_VERSION_VALUE        0x00010000u

/* Global block */
#define SYSDMA_REG_ID               0x000       /* RO "SDMA" */
#define SYSDMA_REG_VERSION          0x004       /* RO major << 16 | minor */
#define SYSDMA_REG_CAPS             0x008       /* RO channels + feature bits */
#define   SYSDMA_CAPS_CHANNELS_MASK   0x0000000fu /* number of channels */
#define   SYSDMA_CAPS_SG              (1u << 8)   /* scatter-gather */
#define   SYSDMA_CAPS_FIFO            (1u << 9)   /* FIFO + FLUSH (H2) */
#define   SYSDMA_CAPS_FAULTS          (1u << 10)  /* fault window */
#define   SYSDMA_CAPS_VERIFIER        (1u << 11)  /* protocol verifier */
#define   SYSDMA_CAPS_PERIPHERAL      (1u << 12)  /* M2P / P2M ends */
#define SYSDMA_REG_MAX_XFER         0x00c       /* RO largest TOTAL (K10) */
#define SYSDMA_REG_FIFO_SIZE        0x010       /* RO P2M FIFO bytes (H2) */
#define SYSDMA_REG_RATE             0x014       /* RO bytes/s, 0 unthrottled */
#define SYSDMA_REG_CHUNK            0x018       /* RO bytes per engine step */
#define SYSDMA_REG_FAST_STEP        0x01c       /* RO bytes per step, RATE 0 */
#define SYSDMA_REG_IRQ_STATUS       0x020       /* RO bit n: ch n IRQ != 0 */
#define SYSDMA_REG_CTRL             0x024       /* WO */
#define   SYSDMA_CTRL_RESET           (1u << 0)
#define SYSDMA_REG_VERIFY_TOTAL     0x030       /* RO sum of the counters */
#define SYSDMA_REG_VERIFY_CLEAR     0x034       /* WO clears the counters */
#define SYSDMA_REG_VERIFY_COUNT(k)  (0x040 + 4 * (k)) /* RO */

/* Protocol verifier kinds (CONTRACT V1-V4; REGISTERS.md, verifier) */
#define SYSDMA_V_REPROGRAM_NO_FLUSH 0  /* V1: START while a flush is owed */
#define SYSDMA_V_RELEASE_NO_FLUSH   1  /* V1: release while a flush is owed */
#define SYSDMA_V_START_BUSY         2  /* V2: START on a busy channel */
#define SYSDMA_V_ZERO_LENGTH        3  /* V2: zero-length transfer */
#define SYSDMA_V_OVERLAP            4  /* V2: M2M source and dest overlap */
#define SYSDMA_V_BAD_ADDRESS        5  /* V2: DMA outside guest RAM */
#define SYSDMA_V_ACK_NOT_PENDING    6  /* V3: IRQ ack with nothing pending */
#define SYSDMA_V_CANCEL_IDLE        7  /* V3: CANCEL with nothing mapped */
#define SYSDMA_V_FLUSH_IDLE         8  /* V3: FLUSH with nothing mapped */
#define SYSDMA_V_LEAK               9  /* V4: channel still claimed at reset */
#define SYSDMA_V_DOUBLE_RELEASE     10 /* V4: release of an unclaimed channel */
#define SYSDMA_V_NOT_CLAIMED        11 /* START on a channel nobody claimed */
#define SYSDMA_V_BAD_REGISTER       12 /* bad offset, size or field value */
#define SYSDMA_V_COUNT              13

/* Channel blocks */
#define SYSDMA_CH_BASE(n)           (0x100 * ((n) + 1)) /* channel n block */
#define SYSDMA_CH_SIZE              0x100

#define SYSDMA_CH_SRC_LO            0x00        /* RW source or SG chain */
#define SYSDMA_CH_SRC_HI            0x04        /* RW */
#define SYSDMA_CH_DST_LO            0x08        /* RW destination */
#define SYSDMA_CH_DST_HI            0x0c        /* RW */
#define SYSDMA_CH_LEN               0x10        /* RW bytes (not SG) */
#define SYSDMA_CH_CFG               0x14        /* RW */
#define   SYSDMA_CFG_DIR_MASK         0x00000003u
#define   SYSDMA_DIR_M2M              0u /* memory to memory */
#define   SYSDMA_DIR_M2P              1u /* memory to peripheral sink */
#define   SYSDMA_DIR_P2M              2u /* peripheral source to memory */
#define   SYSDMA_CFG_SG               (1u << 4) /* SRC is a descriptor chain */
#define   SYSDMA_CFG_IRQ_EN           (1u << 5) /* interrupt on completion */
#define   SYSDMA_CFG_CYCLIC           (1u << 6) /* SG ring, runs until CANCEL */
#define SYSDMA_CH_START             0x20        /* WO */
#define SYSDMA_CH_CANCEL            0x24        /* WO */
#define SYSDMA_CH_FLUSH             0x28        /* WO drain the FIFO (H2) */
#define SYSDMA_CH_CLAIM             0x2c        /* RW 1 claim, 0 release (V4) */
#define SYSDMA_CH_STATUS            0x30        /* RO */
#define   SYSDMA_STATUS_STATE_MASK    0x0000000fu
#define   SYSDMA_STATE_IDLE           0u /* never started since reset/flush */
#define   SYSDMA_STATE_BUSY           1u
#define   SYSDMA_STATE_COMPLETE       2u
#define   SYSDMA_STATE_ERROR          3u
#define   SYSDMA_STATE_CANCELLED      4u
#define   SYSDMA_STATUS_FLUSH_OWED    (1u << 8)
#define   SYSDMA_STATUS_CLAIMED       (1u << 9)
#define   SYSDMA_STATUS_STALLED       (1u << 10) /* FAULT_STALL holds it */
#define   SYSDMA_STATUS_PAUSED        (1u << 11) /* engine stopped by PAUSE */
#define   SYSDMA_STATUS_ERRCODE_SHIFT 16
#define   SYSDMA_STATUS_ERRCODE_MASK  0x00ff0000u
#define   SYSDMA_ERR_NONE             0u
#define   SYSDMA_ERR_ADDRESS          1u /* DMA to/from outside guest RAM */
#define   SYSDMA_ERR_DESCRIPTOR       2u /* malformed scatter-gather chain */
#define   SYSDMA_ERR_INJECTED         3u /* FAULT_ERROR fired */
#define   SYSDMA_ERR_VERIFIER         4u /* strict mode: protocol violation */
#define   SYSDMA_ERR_CONFIG           5u /* bad CFG, LEN > MAX_XFER, ... */
#define SYSDMA_CH_BYTES             0x34        /* RO bytes moved (exact) */
#define SYSDMA_CH_RESIDUE           0x38        /* RO TOTAL - BYTES (lap) */
#define SYSDMA_CH_IRQ               0x3c        /* RW1C */
#define   SYSDMA_IRQ_DONE             (1u << 0) /* any end of a transfer */
#define   SYSDMA_IRQ_COMPLETE         (1u << 1) /* ended COMPLETE */
#define   SYSDMA_IRQ_ERROR            (1u << 2) /* ended ERROR */
#define   SYSDMA_IRQ_ABORT            (1u << 3) /* ended CANCELLED */
#define   SYSDMA_IRQ_DESC             (1u << 4) /* DESC_IRQ descriptor done */
#define   SYSDMA_IRQ_ALL              0x1fu
#define   SYSDMA_IRQ_MASK_RESET       0x1eu     /* only DONE unmasked */
#define SYSDMA_CH_SINK_CRC          0x40        /* RO CRC32 of the sink (M2P) */
#define SYSDMA_CH_SEED              0x44        /* RW pattern seed */
#define SYSDMA_CH_FIFO_LEVEL        0x48        /* RO bytes in the FIFO */
#define SYSDMA_CH_DESC_DONE         0x4c        /* RO SG descriptors finished */
#define SYSDMA_CH_TOTAL             0x50        /* RO length of the transfer */
#define SYSDMA_CH_PAUSE             0x54        /* RW 1 pause, 0 resume */
#define SYSDMA_CH_IRQ_MASK          0x58        /* RW masked IRQ causes */
#define SYSDMA_CH_FAULT_ADDR_LO     0x5c        /* RO where an error was */
#define SYSDMA_CH_FAULT_ADDR_HI     0x60        /* RO */

/* Fault injection window (also settable as properties and over QMP) */
#define SYSDMA_CH_FAULT_MODE        0x80        /* RW armed faults */
#define SYSDMA_CH_FAULT_STICKY      0x84        /* RW faults kept armed */
#define SYSDMA_CH_FAULT_ERROR_AFTER 0x88        /* RW bytes */
#define SYSDMA_CH_FAULT_DELAY_US    0x8c        /* RW */
#define SYSDMA_CH_FAULT_SLOW_RATE   0x90        /* RW bytes/s */
#define SYSDMA_CH_FAULT_FIRED       0x94        /* RO faults fired */
#define   SYSDMA_FAULT_ERROR          (1u << 0) /* error after ERROR_AFTER */
#define   SYSDMA_FAULT_STALL          (1u << 1) /* never finish until CANCEL */
#define   SYSDMA_FAULT_DROP_IRQ       (1u << 2) /* complete, raise nothing */
#define   SYSDMA_FAULT_DELAY_IRQ      (1u << 3) /* raise after DELAY_US */
/* FAULT_SPURIOUS: raise an IRQ at START with no status bit behind it */
#define   SYSDMA_FAULT_SPURIOUS       (1u << 4)
#define   SYSDMA_FAULT_SLOW           (1u << 5) /* use FAULT_SLOW_RATE */
#define   SYSDMA_FAULT_IGNORE_CANCEL  (1u << 6) /* CANCEL while BUSY ignored */
#define   SYSDMA_FAULT_ALL            0x7fu

/* Scatter-gather descriptor in guest memory (REGISTERS.md, SG) */
#define SYSDMA_DESC_SIZE            32
#define SYSDMA_DESC_ALIGN           8
#define SYSDMA_DESC_SRC             0x00
#define SYSDMA_DESC_DST             0x08
#define SYSDMA_DESC_LEN             0x10
#define SYSDMA_DESC_FLAGS           0x14
#define SYSDMA_DESC_NEXT            0x18
#define   SYSDMA_DESC_END             (1u << 0) /* last (ignored if CYCLIC) */
#define   SYSDMA_DESC_IRQ             (1u << 1) /* IRQ_DESC when it is done */
#define SYSDMA_SG_MAX_DESC          256

/*
 * The peripheral pattern source seeded with @seed (REGISTERS.md,
 * Peripheral ends), a 32-bit integer hash (lowbias32): the word holding
 * bytes (@off & ~3) .. (@off | 3), and byte @off.
 */
static inline unsigned int sysdma_pattern_word(unsigned int seed,
                                               unsigned long long off)
{
    unsigned int x = seed ^ (unsigned int)(off >> 2) ^
                     (unsigned int)(off >> 34) * 0x9e3779b9u;

    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;   /* bytes off & ~3 .. (off & ~3) + 3, little endian */
}

static inline unsigned char sysdma_pattern_byte(unsigned int seed,
                                                unsigned long long off)
{
    return (unsigned char)(sysdma_pattern_word(seed, off) >> (8 * (off & 3)));
}

#endif /* HW_DMA_SYSDMA_REGS_H */
