/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysdma register map: the single source of truth shared by the QEMU device
 * model (qemu-device/), the Linux guest driver (guest-driver/) and the tests.
 *
 * Plain macros and one static inline helper only, so the header compiles in
 * QEMU, in the Linux kernel and in user space alike.  All registers are
 * 32 bits wide, little endian, and must be accessed with 32-bit accesses.
 *
 * PCI identity: vendor 0x1234, device SYSDMA_PCI_DEVICE_ID, class 0x0801
 * (system peripheral / DMA controller).  BAR0: SYSDMA_BAR_SIZE bytes of MMIO.
 * Interrupts: one MSI vector, INTx (pin A) when MSI is not enabled.
 *
 * BAR0 layout
 *   0x000 - 0x0ff   global block
 *   0x100 * (n + 1) channel n block (n < SYSDMA_MAX_CHANNELS), 0x100 bytes
 *     +0x00 - 0x7f  transfer registers
 *     +0x80 - 0xbf  fault injection (debug) window
 *
 * Global block
 *   off   name            access  reset   meaning
 *   0x000 ID              RO      'SDMA'  identification, SYSDMA_ID_VALUE
 *   0x004 VERSION         RO      0x10000 major << 16 | minor
 *   0x008 CAPS            RO      -       CHANNELS field + feature bits
 *   0x00c MAX_XFER        RO      prop    largest transfer in bytes (one START)
 *   0x010 FIFO_SIZE       RO      prop    bytes held back until FLUSH (H2)
 *   0x014 RATE            RO      prop    bytes per second, 0 = unthrottled
 *   0x018 CHUNK           RO      prop    bytes moved per step of the engine
 *   0x020 IRQ_STATUS      RO      0       bit n: channel n has IRQ.DONE set
 *   0x024 CTRL            WO      -       CTRL_RESET resets every channel
 *   0x030 VERIFY_TOTAL    RO      0       sum of all verifier counters
 *   0x034 VERIFY_CLEAR    WO      -       any write clears all counters
 *   0x040 VERIFY_COUNT(k) RO      0       violations of kind k (SYSDMA_V_*)
 *
 * Channel block (offsets relative to SYSDMA_CH_BASE(n))
 *   0x00 SRC_LO/0x04 SRC_HI  RW  source address (M2M, M2P); in SG mode the
 *                                guest address of the first descriptor
 *   0x08 DST_LO/0x0c DST_HI  RW  destination address (M2M, P2M)
 *   0x10 LEN         RW  bytes to move (ignored in SG mode)
 *   0x14 CFG         RW  DIR, SG, IRQ_EN fields
 *   0x20 START       WO  any write starts the programmed transfer
 *   0x24 CANCEL      WO  any write stops a running transfer within one chunk
 *   0x28 FLUSH       WO  any write drains the FIFO to memory (H2)
 *   0x2c CLAIM       RW  write 1 claims the channel, 0 releases it (V4)
 *   0x30 STATUS      RO  STATE, FLUSH_OWED, CLAIMED, ERRCODE fields
 *   0x34 BYTES       RO  bytes transferred so far (exact, live)
 *   0x38 RESIDUE     RO  bytes still to move (TOTAL - BYTES while BUSY)
 *   0x3c IRQ         RW1C IRQ_DONE: completion interrupt pending
 *   0x40 SINK_CRC    RO  CRC32 of the bytes the peripheral sink received
 *                        since the last SEED write or reset (across STARTs)
 *   0x44 SEED        RW  seed of the peripheral pattern source; any write
 *                        restarts the stream (offset 0, SINK_CRC 0)
 *   0x48 FIFO_LEVEL  RO  bytes held in the FIFO
 *   0x4c DESC_DONE   RO  scatter-gather descriptors finished
 *   0x50 TOTAL       RO  length of the current transfer (sum of descriptors)
 *   0x80 FAULT_MODE  RW  armed faults (SYSDMA_FAULT_* bits)
 *   0x84 FAULT_STICKY RW faults that stay armed after firing (else one-shot)
 *   0x88 FAULT_ERROR_AFTER RW  bytes after which FAULT_ERROR fires
 *   0x8c FAULT_DELAY_US RW  microseconds FAULT_DELAY_IRQ holds the interrupt
 *   0x90 FAULT_SLOW_RATE RW bytes per second while FAULT_SLOW is armed
 *   0x94 FAULT_FIRED RO  number of faults fired on this channel
 */
#ifndef SYSDMA_REGS_H
#define SYSDMA_REGS_H

#define SYSDMA_PCI_VENDOR_ID        0x1234
#define SYSDMA_PCI_DEVICE_ID        0x5d4a
#define SYSDMA_PCI_CLASS            0x0801   /* system peripheral: DMA */
#define SYSDMA_PCI_REVISION         0x01
#define SYSDMA_BAR_SIZE             0x1000

#define SYSDMA_MAX_CHANNELS         8
#define SYSDMA_ID_VALUE             0x414d4453u /* "SDMA" little endian */
#define SYSDMA_VERSION_VALUE        0x00010000u

/* Global block */
#define SYSDMA_REG_ID               0x000
#define SYSDMA_REG_VERSION          0x004
#define SYSDMA_REG_CAPS             0x008
#define   SYSDMA_CAPS_CHANNELS_MASK   0x0000000fu /* number of channels */
#define   SYSDMA_CAPS_SG              (1u << 8)   /* scatter-gather */
#define   SYSDMA_CAPS_FIFO            (1u << 9)   /* FIFO + FLUSH (H2) */
#define   SYSDMA_CAPS_FAULTS          (1u << 10)  /* fault window */
#define   SYSDMA_CAPS_VERIFIER        (1u << 11)  /* protocol verifier */
#define   SYSDMA_CAPS_PERIPHERAL      (1u << 12)  /* M2P / P2M ends */
#define SYSDMA_REG_MAX_XFER         0x00c
#define SYSDMA_REG_FIFO_SIZE        0x010
#define SYSDMA_REG_RATE             0x014
#define SYSDMA_REG_CHUNK            0x018
#define SYSDMA_REG_IRQ_STATUS       0x020
#define SYSDMA_REG_CTRL             0x024
#define   SYSDMA_CTRL_RESET           (1u << 0)
#define SYSDMA_REG_VERIFY_TOTAL     0x030
#define SYSDMA_REG_VERIFY_CLEAR     0x034
#define SYSDMA_REG_VERIFY_COUNT(k)  (0x040 + 4 * (k))

/*
 * Protocol verifier kinds (CONTRACT V1-V4).  Each violation is counted,
 * traced and logged as a guest error; with the device's "strict" property
 * the offending channel also ends in STATE_ERROR / ERR_VERIFIER.
 */
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
#define SYSDMA_CH_BASE(n)           (0x100 * ((n) + 1))
#define SYSDMA_CH_SIZE              0x100

#define SYSDMA_CH_SRC_LO            0x00
#define SYSDMA_CH_SRC_HI            0x04
#define SYSDMA_CH_DST_LO            0x08
#define SYSDMA_CH_DST_HI            0x0c
#define SYSDMA_CH_LEN               0x10
#define SYSDMA_CH_CFG               0x14
#define   SYSDMA_CFG_DIR_MASK         0x00000003u
#define   SYSDMA_DIR_M2M              0u /* memory to memory */
#define   SYSDMA_DIR_M2P              1u /* memory to peripheral sink */
#define   SYSDMA_DIR_P2M              2u /* peripheral source to memory */
#define   SYSDMA_CFG_SG               (1u << 4) /* SRC is a descriptor chain */
#define   SYSDMA_CFG_IRQ_EN           (1u << 5) /* interrupt on completion */
#define SYSDMA_CH_START             0x20
#define SYSDMA_CH_CANCEL            0x24
#define SYSDMA_CH_FLUSH             0x28
#define SYSDMA_CH_CLAIM             0x2c
#define SYSDMA_CH_STATUS            0x30
#define   SYSDMA_STATUS_STATE_MASK    0x0000000fu
#define   SYSDMA_STATE_IDLE           0u /* never started since reset/flush */
#define   SYSDMA_STATE_BUSY           1u
#define   SYSDMA_STATE_COMPLETE       2u
#define   SYSDMA_STATE_ERROR          3u
#define   SYSDMA_STATE_CANCELLED      4u
#define   SYSDMA_STATUS_FLUSH_OWED    (1u << 8)
#define   SYSDMA_STATUS_CLAIMED       (1u << 9)
#define   SYSDMA_STATUS_STALLED       (1u << 10) /* FAULT_STALL holds it */
#define   SYSDMA_STATUS_PAUSED        (1u << 11) /* PAUSE took effect */
#define   SYSDMA_STATUS_ERRCODE_SHIFT 16
#define   SYSDMA_STATUS_ERRCODE_MASK  0x00ff0000u
#define   SYSDMA_ERR_NONE             0u
#define   SYSDMA_ERR_ADDRESS          1u /* DMA to/from outside guest RAM */
#define   SYSDMA_ERR_DESCRIPTOR       2u /* malformed scatter-gather chain */
#define   SYSDMA_ERR_INJECTED         3u /* FAULT_ERROR fired */
#define   SYSDMA_ERR_VERIFIER         4u /* strict mode: protocol violation */
#define   SYSDMA_ERR_CONFIG           5u /* bad CFG, LEN > MAX_XFER, ... */
#define SYSDMA_CH_BYTES             0x34
#define SYSDMA_CH_RESIDUE           0x38
#define SYSDMA_CH_IRQ               0x3c
#define   SYSDMA_IRQ_DONE             (1u << 0)
#define SYSDMA_CH_SINK_CRC          0x40
#define SYSDMA_CH_SEED              0x44
#define SYSDMA_CH_FIFO_LEVEL        0x48
#define SYSDMA_CH_DESC_DONE         0x4c
#define SYSDMA_CH_TOTAL             0x50
#define SYSDMA_CH_PAUSE             0x54 /* 1: pause (BUSY), 0: resume */

/* Fault injection window (also settable as properties and over QMP) */
#define SYSDMA_CH_FAULT_MODE        0x80
#define SYSDMA_CH_FAULT_STICKY      0x84
#define SYSDMA_CH_FAULT_ERROR_AFTER 0x88
#define SYSDMA_CH_FAULT_DELAY_US    0x8c
#define SYSDMA_CH_FAULT_SLOW_RATE   0x90
#define SYSDMA_CH_FAULT_FIRED       0x94
#define   SYSDMA_FAULT_ERROR          (1u << 0) /* error after ERROR_AFTER */
#define   SYSDMA_FAULT_STALL          (1u << 1) /* never finish until CANCEL */
#define   SYSDMA_FAULT_DROP_IRQ       (1u << 2) /* complete, raise nothing */
#define   SYSDMA_FAULT_DELAY_IRQ      (1u << 3) /* raise after DELAY_US */
/* FAULT_SPURIOUS: raise an IRQ at START with no status bit behind it */
#define   SYSDMA_FAULT_SPURIOUS       (1u << 4)
#define   SYSDMA_FAULT_SLOW           (1u << 5) /* use FAULT_SLOW_RATE */
#define   SYSDMA_FAULT_ALL            0x3fu

/*
 * Scatter-gather descriptor, in guest memory, little endian, 8-byte
 * aligned.  The chain ends at a descriptor with SYSDMA_DESC_END set; a
 * chain longer than SYSDMA_SG_MAX_DESC (which also catches loops), a
 * misaligned descriptor or a zero length ends the transfer with
 * SYSDMA_ERR_DESCRIPTOR.
 *   0x00 src   (u64)  memory source (M2M, M2P)
 *   0x08 dst   (u64)  memory destination (M2M, P2M)
 *   0x10 len   (u32)  bytes, non-zero
 *   0x14 flags (u32)  SYSDMA_DESC_END
 *   0x18 next  (u64)  guest address of the next descriptor
 */
#define SYSDMA_DESC_SIZE            32
#define SYSDMA_DESC_ALIGN           8
#define SYSDMA_DESC_SRC             0x00
#define SYSDMA_DESC_DST             0x08
#define SYSDMA_DESC_LEN             0x10
#define SYSDMA_DESC_FLAGS           0x14
#define SYSDMA_DESC_NEXT            0x18
#define   SYSDMA_DESC_END             (1u << 0)
#define SYSDMA_SG_MAX_DESC          256

/*
 * The peripheral pattern source: byte @off of the stream seeded with
 * @seed.  The stream is continuous per channel: @off counts the bytes
 * taken from the source since the last SEED write or reset, across
 * STARTs.  Random access, so the guest can verify any partial transfer
 * without the host.  Built from a 32-bit integer hash (lowbias32).
 */
static inline unsigned char sysdma_pattern_byte(unsigned int seed,
                                                unsigned long long off)
{
    unsigned int x = seed ^ (unsigned int)(off >> 2) ^
                     (unsigned int)(off >> 34) * 0x9e3779b9u;

    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return (unsigned char)(x >> (8 * (off & 3)));
}

#endif /* SYSDMA_REGS_H */
