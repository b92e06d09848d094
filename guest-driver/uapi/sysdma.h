/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sysdma user interface: /dev/sysdma0 ioctls.
 *
 * A request moves @len bytes between user memory and the device (M2M: user
 * src -> user dst; M2P: user src -> the channel's peripheral sink; P2M: the
 * channel's peripheral pattern source -> user dst).  SUBMIT returns an id at
 * once; WAIT returns the request's result: errno (0, ECANCELED, ETIMEDOUT,
 * EIO) and the exact number of bytes transferred, also on failure.
 *
 * Errors of the ioctls themselves: EINVAL (bad field value, unknown flag),
 * EFAULT (bad pointer), ENOENT (unknown or already collected id), EBUSY
 * (non-waiting allocation with no free channel, H4; or a destination that
 * shares a cache line with the destination of a request in flight, U11),
 * ENOTTY (unknown ioctl),
 * EAGAIN (WAIT timed out, the request still runs; SUBMIT/read/write: the
 * file owns max_file_requests requests already), ENODEV (device gone),
 * EPERM (SELFTEST, FAULT and the HOLD_* test hooks need CAP_SYS_ADMIN),
 * ENOMEM (also: the pinned pages would exceed RLIMIT_MEMLOCK).
 *
 * EFAULT leaves no request behind and loses no result: a SUBMIT whose
 * struct cannot be written (the id) starts no request, and a WAIT whose
 * result cannot be written leaves the request uncollected (a WAIT with a
 * good buffer then gets the result).
 *
 * The reserved fields are output only: their input is ignored and the
 * driver returns them zeroed.
 */
#ifndef _UAPI_LINUX_SYSDMA_H
#define _UAPI_LINUX_SYSDMA_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SYSDMA_DEV_DIR_M2M	0	/* same values as SYSDMA_DIR_* */
#define SYSDMA_DEV_DIR_M2P	1
#define SYSDMA_DEV_DIR_P2M	2

#define SYSDMA_ANY_CHANNEL	(-1)

/*
 * sysdma_submit.flags
 *   NOWAIT_CHANNEL  H4: fail with EBUSY at once when no channel is free
 *   NO_CALLBACK     K7: no transfer-complete callback; the DPC polls
 *                   DmaCompleted instead
 *   SG              program one descriptor chain per transfer (else one
 *                   contiguous piece per transfer)
 */
#define SYSDMA_F_NOWAIT_CHANNEL	(1u << 0)
#define SYSDMA_F_NO_CALLBACK	(1u << 1)
#define SYSDMA_F_SG		(1u << 2)
/*
 * Test hooks: hold the request at a protocol point until SYSDMA_IOC_RELEASE
 * (or a cancel) so that races can be provoked deterministically.
 *   HOLD_CHANNEL  K2: stay queued for a channel
 *   HOLD_PROGRAM  K4: stop inside EvtProgramDma, before UnmarkCancelable
 *   HOLD_BETWEEN  K5: stop after DmaCompleted returned FALSE, before the
 *                 next EvtProgramDma
 * Added later:
 *   HOLD_GRANTED  K2: stop once the adapter granted the channel, before
 *                 the execution routine starts the transaction (Cancel
 *                 returns FALSE there: EvtProgramDma is about to run)
 *   HOLD_PROGRAMMED K4: stop inside EvtProgramDma between
 *                 UnmarkCancelable and MarkCancelable (first transfer)
 */
#define SYSDMA_F_HOLD_CHANNEL	(1u << 8)
#define SYSDMA_F_HOLD_PROGRAM	(1u << 9)
#define SYSDMA_F_HOLD_BETWEEN	(1u << 10)
#define SYSDMA_F_HOLD_GRANTED	(1u << 11)
#define SYSDMA_F_HOLD_PROGRAMMED (1u << 12)
#define SYSDMA_F_ALL		0x1f07u

struct sysdma_submit {
	__u64 src;		/* user address (M2M, M2P), else 0 */
	__u64 dst;		/* user address (M2M, P2M), else 0 */
	__u64 len;		/* bytes, > 0 */
	__u32 dir;		/* SYSDMA_DEV_DIR_* */
	__u32 timeout_ms;	/* request timeout (R5), 0 = none */
	__s32 channel;		/* channel number or SYSDMA_ANY_CHANNEL */
	__u32 flags;		/* SYSDMA_F_* */
	__u32 seed;		/* peripheral pattern seed (M2P/P2M) */
	/* split into transfers of at most this many bytes (K10), 0: device's */
	__u32 max_transfer;
	__u64 id;		/* out: request id, never 0 (0 on error) */
};

/* sysdma_result.path: who began the completion (R2's winner) */
#define SYSDMA_PATH_DMA		1	/* transfer-complete callback / DPC */
#define SYSDMA_PATH_CANCEL_K2	2	/* cancel, Cancel() returned TRUE */
#define SYSDMA_PATH_CANCEL_STOP	3	/* cancel, StopSystemTransfer */
#define SYSDMA_PATH_TIMEOUT	4	/* timer, StopSystemTransfer (R5) */
#define SYSDMA_PATH_ABORT	5	/* device removed / reset / close */
/* cancel seen by EvtProgramDma (K4): nothing programmed, DmaCompletedFinal */
#define SYSDMA_PATH_CANCEL_K4	6

struct sysdma_result {
	__u64 id;		/* in */
	__u32 timeout_ms;	/* in: 0 = wait forever */
	__u32 error;		/* out: 0, ECANCELED, ETIMEDOUT, EIO, ENODEV */
	__u64 bytes;		/* out: bytes transferred, exact */
	__u32 path;		/* out: SYSDMA_PATH_* */
	__u32 transfers;	/* out: transfers programmed (K10) */
	__u32 sink_crc;		/* out: M2P: the sink's CRC32 at completion */
	__s32 channel;		/* out: last channel used, -1 if none */
	__u32 dev_status;	/* out: last channel STATUS register value */
	__u32 dev_bytes;	/* out: last transfer's BYTES register value */
	__u64 reserved[2];	/* out: zero */
};

/* Counters (SYSDMA_IOC_STATS, also in sysfs) */
enum sysdma_stat {
	SYSDMA_STAT_SUBMITTED,
	SYSDMA_STAT_COMPLETED,		/* completed requests, any status */
	SYSDMA_STAT_OK,
	SYSDMA_STAT_CANCELLED,
	SYSDMA_STAT_TIMEDOUT,
	SYSDMA_STAT_ERROR,
	SYSDMA_STAT_ABORTED,
	SYSDMA_STAT_CANCEL_K2,		/* Cancel() returned TRUE */
	SYSDMA_STAT_CANCEL_STOP,	/* StopSystemTransfer from cancel */
	SYSDMA_STAT_TIMEOUT_STOP,	/* StopSystemTransfer from timer */
	SYSDMA_STAT_IN_FLIGHT,
	SYSDMA_STAT_TRANSFERS,		/* transfers programmed */
	SYSDMA_STAT_FLUSHES,		/* FlushAdapterBuffers calls (H2) */
	SYSDMA_STAT_IRQS,
	SYSDMA_STAT_SPURIOUS_IRQS,
	SYSDMA_STAT_CHANNEL_WAITS,	/* allocations that had to queue */
	SYSDMA_STAT_CALLER_ERRORS,	/* K3 and other API misuse detected */
	SYSDMA_STAT_COUNT_V1		/* number of counters in this version */
};

#define SYSDMA_STAT_MAX		32

struct sysdma_stats {
	__u32 count;		/* out: valid entries in v[] */
	__u32 reserved;		/* out: zero */
	__u64 v[SYSDMA_STAT_MAX];
};

/* Fault injection through the device's debug window (SYSDMA_CH_FAULT_*) */
struct sysdma_fault {
	__u32 channel;
	__u32 mode;		/* SYSDMA_FAULT_* bits */
	__u32 sticky;		/* bits of mode that stay armed */
	__u32 error_after;	/* bytes */
	__u32 delay_us;
	__u32 slow_rate;	/* bytes per second */
};

/* In-kernel self-tests of the framework and adapter layers (K2, K3, ...) */
struct sysdma_selftest {
	__u32 passed;		/* out */
	__u32 failed;		/* out */
	char log[4096];		/* out: one line per check, NUL-terminated */
};

/*
 * SYSDMA_IOC_QUERY (added after v1): where a request is, without waiting
 * for it or collecting it.  Lets a test wait until a request reached a
 * hold point (SYSDMA_F_HOLD_*) before it cancels or releases it.
 */
#define SYSDMA_QSTATE_CREATED		0	/* framework transaction state */
#define SYSDMA_QSTATE_INITIALIZED	1
#define SYSDMA_QSTATE_WAIT_CHANNEL	2	/* queued for a channel (K2) */
#define SYSDMA_QSTATE_PROGRAMMING	3	/* EvtProgramDma due/running */
#define SYSDMA_QSTATE_TRANSFER		4	/* a transfer is running */
#define SYSDMA_QSTATE_TRANSFER_DONE	5	/* it ended, completing */
#define SYSDMA_QSTATE_BETWEEN		6	/* between transfers (K5) */
#define SYSDMA_QSTATE_DONE		7	/* DmaCompleted* returned TRUE */
#define SYSDMA_QSTATE_CANCELLED		8	/* Cancel() returned TRUE */

struct sysdma_query {
	__u64 id;		/* in */
	__u32 done;		/* out: 1 = finished, WAIT returns at once */
	__u32 held;		/* out: SYSDMA_F_HOLD_* held at now, or 0 */
	__u32 state;		/* out: SYSDMA_QSTATE_* */
	__u32 transfers;	/* out: transfers programmed so far */
	__u64 bytes;		/* out: bytes transferred so far (K10) */
	__s32 channel;		/* out: channel, -1 if none yet */
	__u32 reserved;		/* out: zero */
};

#define SYSDMA_IOC_MAGIC	0xd5
#define SYSDMA_IOC_SUBMIT	_IOWR(SYSDMA_IOC_MAGIC, 1, struct sysdma_submit)
#define SYSDMA_IOC_CANCEL	_IOW(SYSDMA_IOC_MAGIC, 2, __u64)
#define SYSDMA_IOC_WAIT		_IOWR(SYSDMA_IOC_MAGIC, 3, struct sysdma_result)
#define SYSDMA_IOC_RELEASE	_IOW(SYSDMA_IOC_MAGIC, 4, __u64)
#define SYSDMA_IOC_STATS	_IOR(SYSDMA_IOC_MAGIC, 5, struct sysdma_stats)
#define SYSDMA_IOC_FAULT	_IOW(SYSDMA_IOC_MAGIC, 6, struct sysdma_fault)
#define SYSDMA_IOC_SELFTEST	_IOR(SYSDMA_IOC_MAGIC, 7, struct sysdma_selftest)
#define SYSDMA_IOC_QUERY	_IOWR(SYSDMA_IOC_MAGIC, 8, struct sysdma_query)

#endif /* _UAPI_LINUX_SYSDMA_H */
