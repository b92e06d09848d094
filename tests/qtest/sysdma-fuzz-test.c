/*
 * Seeded hostile-guest fuzzer for the sysdma device (no guest OS).
 *
 * A run is a list of operations generated from a seed: register traffic
 * over the whole BAR (every size, unaligned), channels programmed with
 * hostile lengths (0, 1, 2^31, 2^32-1, ...) and addresses (wrapping, at
 * the top of RAM, the device's own BAR, other MMIO), scatter-gather chains
 * that loop, are huge, point into MMIO or are rewritten while they run,
 * CANCEL/FLUSH/ACK storms, function resets (CTRL_RESET, PCI PM D3hot ->
 * D0) mid-chunk, bus-master and MSI toggles and random clock steps.
 *
 * Each run executes in a forked child with its own QEMU; the parent is the
 * watchdog.  A run fails when QEMU dies or aborts, a sanitizer reports
 * (QEMU's stderr is scanned), a qtest command gets no answer within
 * SYSDMA_FUZZ_HANG_S seconds (default 10), the main loop spins (the
 * device keeps waking up with nothing to do while the guest does
 * nothing), or the device stops answering its ID.  A failure prints the
 * seed and the shrunk list of operations; SYSDMA_FUZZ_REPLAY=FILE replays
 * such a list.
 *
 * Size: SYSDMA_FUZZ_OPS operations in all (default 50000, split in runs of
 * SYSDMA_FUZZ_RUN_OPS, default 5000), or --long / SYSDMA_FUZZ_LONG=1 for
 * 1000000; SYSDMA_FUZZ_SEED fixes the first seed (default: random,
 * printed).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <sys/wait.h>
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qemu/bswap.h"
#include "hw/dma/sysdma-regs.h"

#define DEVFN       QPCI_DEVFN(4, 0)
#define RAM_SIZE    (64ull * 1024 * 1024)
#define RAM_DESC    0x500000ull     /* descriptor area of the chains */
#define DESC_AREA   0x10000ull
#define CHANNELS    4
#define MAX_OPS     (1 << 22)
#define ATTACHED    UINT32_MAX  /* progress: QEMU started, ops follow */
#define SPIN_WAKEUPS 64    /* idle wake-ups in 0.4 s that mean a spin */

enum {
    OP_READ,        /* a: offset, b: size */
    OP_WRITE,       /* a: offset, b: size, c: value */
    OP_PROGRAM,     /* ch, a: src, b: dst, c: len | cfg << 32 | start */
    OP_CHAIN,       /* ch, a: shape, b: seed, c: cfg */
    OP_REWRITE,     /* a: descriptor index, b: field, c: value */
    OP_STORM,       /* a: register (CANCEL/FLUSH/IRQ/START), b: count */
    OP_RESET,       /* a: 0 CTRL_RESET, 1 D3hot, 2 D0, 3 D3hot + D0 */
    OP_COMMAND,     /* a: PCI_COMMAND value bits (master, memory) */
    OP_MSI,         /* a: 0 off, 1 RAM, 2 own BAR, 3 other MMIO, b: data */
    OP_CLOCK,       /* a: nanoseconds */
    OP_FAULT,       /* ch, a: mode, b: sticky, c: error_after */
    OP_MEMSET,      /* a: address in RAM, b: length, c: byte */
    OP_GEN_KINDS,
    /* never generated: the watchdog's self-test makes QEMU fail with them */
    OP_SELF_STOP = OP_GEN_KINDS,    /* SIGSTOP to QEMU: a hang */
    OP_SELF_KILL,                   /* SIGKILL to QEMU: a death */
    OP_SELF_REPORT,                 /* a sanitizer-like line on stderr */
    OP_KINDS,
};

static const char *const op_names[OP_KINDS] = {
    "read", "write", "program", "chain", "rewrite", "storm", "reset",
    "command", "msi", "clock", "fault", "memset",
    "selftest-stop", "selftest-kill", "selftest-report",
};

typedef struct Op {
    uint32_t kind;
    uint32_t ch;
    uint64_t a, b, c;
} Op;

typedef struct Fuzz {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    uint64_t bar;
    uint8_t pm_cap, msi_cap;
} Fuzz;

/* xorshift64*: the whole run follows from the seed */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
    return v[rnd_below(n)];
}

/* The BAR address qpci_iomap gives BAR0 of the only device on the bus */
static uint64_t bar_guess;

static uint64_t hostile_addr(void)
{
    static const uint64_t fixed[] = {
        0, 1, 0x1000, 0x100000, 0x300000, RAM_DESC, 0x9fff0,
        0xa0000,                        /* VGA hole */
        0xc0000, 0xfffc0000,            /* ROM, BIOS */
        RAM_SIZE - 1, RAM_SIZE - 4096, RAM_SIZE - 100, RAM_SIZE,
        0xfec00000,                     /* IOAPIC */
        0xfee00000,                     /* LAPIC / MSI window */
        0xfed00000,                     /* HPET */
        0xffffffffull, 0x100000000ull, 0x7fffffffull, 0x80000000ull,
        0xfffffffffffff000ull, 0xffffffffffffffffull,
        0xfffffffffffffff0ull, 0x8000000000000000ull,
    };

    switch (rnd_below(6)) {
    case 0:
        return bar_guess + rnd_below(SYSDMA_BAR_SIZE + 16);
    case 1:
        return rnd();
    case 2:
        return 0x100000 + rnd_below(RAM_SIZE - 0x100000);
    default:
        return pick(fixed, ARRAY_SIZE(fixed)) - rnd_below(3) * rnd_below(64);
    }
}

static uint64_t hostile_len(void)
{
    static const uint64_t fixed[] = {
        0, 1, 2, 3, 4095, 4096, 4097, 65535, 65536, 65537,
        0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe,
    };

    switch (rnd_below(4)) {
    case 0:
        return (uint32_t)rnd();
    case 1:
        return rnd_below(70000);
    default:
        return pick(fixed, ARRAY_SIZE(fixed));
    }
}

static Op gen_op(void)
{
    static const uint64_t sizes[] = { 1, 2, 4, 8 };
    Op op = { .kind = rnd_below(100), .ch = rnd_below(CHANNELS + 1) };
    uint32_t k = op.kind;

    /* weights: register traffic and programming dominate */
    if (k < 22) {
        op.kind = OP_READ;
    } else if (k < 42) {
        op.kind = OP_WRITE;
    } else if (k < 56) {
        op.kind = OP_PROGRAM;
    } else if (k < 62) {
        op.kind = OP_CHAIN;
    } else if (k < 67) {
        op.kind = OP_REWRITE;
    } else if (k < 72) {
        op.kind = OP_STORM;
    } else if (k < 75) {
        op.kind = OP_RESET;
    } else if (k < 78) {
        op.kind = OP_COMMAND;
    } else if (k < 81) {
        op.kind = OP_MSI;
    } else if (k < 93) {
        op.kind = OP_CLOCK;
    } else if (k < 97) {
        op.kind = OP_FAULT;
    } else {
        op.kind = OP_MEMSET;
    }
    switch (op.kind) {
    case OP_READ:
    case OP_WRITE:
        /* mostly a real register, sometimes anywhere (plus a bit past) */
        if (rnd_below(3)) {
            op.a = op.ch < CHANNELS ? SYSDMA_CH_BASE(op.ch) + rnd_below(0xa0) :
                rnd_below(0x80);
            op.a &= rnd_below(4) ? ~3ull : ~0ull;
        } else {
            op.a = rnd_below(SYSDMA_BAR_SIZE + 8);
        }
        op.b = rnd_below(4) ? 4 : pick(sizes, ARRAY_SIZE(sizes));
        op.c = rnd_below(2) ? rnd() : hostile_len();
        break;
    case OP_PROGRAM:
        op.a = hostile_addr();
        op.b = hostile_addr();
        op.c = (hostile_len() & 0xffffffffull) |
            ((rnd_below(8) ? rnd_below(4) | (rnd_below(2) << 5) : rnd()) &
             0xffffull) << 32 | (uint64_t)(rnd_below(8) != 0) << 48;
        break;
    case OP_CHAIN:
        op.a = rnd_below(6);
        op.b = rnd();
        op.c = rnd_below(3) | (rnd_below(2) << 5);
        break;
    case OP_REWRITE:
        op.a = rnd_below(300);
        op.b = rnd_below(5);
        op.c = rnd_below(2) ? hostile_addr() : hostile_len();
        break;
    case OP_STORM:
        op.a = rnd_below(4);
        op.b = 1 + rnd_below(64);
        break;
    case OP_RESET:
        op.a = rnd_below(4);
        break;
    case OP_COMMAND:
        op.a = rnd_below(4);
        break;
    case OP_MSI:
        op.a = rnd_below(4);
        op.b = rnd() & 0xffff;
        break;
    case OP_CLOCK:
        switch (rnd_below(4)) {
        case 0:
            op.a = rnd_below(1000);
            break;
        case 1:
            op.a = rnd_below(200000);
            break;
        case 2:
            op.a = rnd_below(20000000);
            break;
        default:
            op.a = 0;
            break;
        }
        break;
    case OP_FAULT:
        op.a = rnd_below(2) ? rnd() : rnd_below(64);
        op.b = rnd_below(64);
        op.c = hostile_len();
        break;
    case OP_MEMSET:
        op.a = 0x100000 + rnd_below(RAM_SIZE - 0x110000);
        op.b = rnd_below(8192);
        op.c = rnd() & 0xff;
        break;
    }
    return op;
}

/* Operation list as text: "kind ch a b c", one per line */
static void op_print(FILE *f, const Op *op)
{
    fprintf(f, "%s %u 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "\n",
            op_names[op->kind], op->ch, op->a, op->b, op->c);
}

static bool op_parse(const char *line, Op *op)
{
    char name[16];
    unsigned k;

    if (sscanf(line, "%15s %u %" SCNx64 " %" SCNx64 " %" SCNx64, name,
               &op->ch, &op->a, &op->b, &op->c) != 5) {
        return false;
    }
    for (k = 0; k < OP_KINDS; k++) {
        if (!strcmp(name, op_names[k])) {
            op->kind = k;
            return op->ch <= CHANNELS;
        }
    }
    return false;
}

/* Executing operations (in the child) ------------------------------------ */

static void bar_wr(Fuzz *f, uint64_t off, unsigned size, uint64_t v)
{
    uint64_t a = f->bar + off;

    switch (size) {
    case 1:
        qtest_writeb(f->qts, a, v);
        break;
    case 2:
        qtest_writew(f->qts, a, v);
        break;
    case 8:
        qtest_writeq(f->qts, a, v);
        break;
    default:
        qtest_writel(f->qts, a, v);
        break;
    }
}

static uint64_t bar_rd(Fuzz *f, uint64_t off, unsigned size)
{
    uint64_t a = f->bar + off;

    switch (size) {
    case 1:
        return qtest_readb(f->qts, a);
    case 2:
        return qtest_readw(f->qts, a);
    case 8:
        return qtest_readq(f->qts, a);
    default:
        return qtest_readl(f->qts, a);
    }
}

static void cwr(Fuzz *f, unsigned ch, uint32_t off, uint32_t v)
{
    qtest_writel(f->qts, f->bar + SYSDMA_CH_BASE(ch) + off, v);
}

static void desc_put(Fuzz *f, uint64_t at, uint64_t src, uint64_t dst,
                     uint32_t len, uint32_t flags, uint64_t next)
{
    uint8_t d[SYSDMA_DESC_SIZE];

    stq_le_p(d + SYSDMA_DESC_SRC, src);
    stq_le_p(d + SYSDMA_DESC_DST, dst);
    stl_le_p(d + SYSDMA_DESC_LEN, len);
    stl_le_p(d + SYSDMA_DESC_FLAGS, flags);
    stq_le_p(d + SYSDMA_DESC_NEXT, next);
    qtest_memwrite(f->qts, at, d, sizeof(d));
}

/*
 * Chains in the descriptor area: 0 a short good one, 1 a loop back to the
 * start, 2 a huge one (300 descriptors, no END), 3 next into MMIO (own BAR
 * or LAPIC), 4 hostile lengths and addresses, 5 next off the top of RAM.
 */
static void build_chain(Fuzz *f, unsigned ch, const Op *op)
{
    uint64_t saved = rng_state;
    uint64_t base = RAM_DESC + ch * 0x800;
    unsigned n, i;

    rng_state = op->b | 1;
    switch (op->a) {
    case 0:
    case 4:
        n = 1 + rnd_below(6);
        for (i = 0; i < n; i++) {
            bool hostile = op->a == 4;

            desc_put(f, base + i * SYSDMA_DESC_SIZE,
                     hostile ? hostile_addr() : 0x100000 + rnd_below(0x100000),
                     hostile ? hostile_addr() : 0x300000 + rnd_below(0x100000),
                     hostile ? hostile_len() : 1 + rnd_below(9000),
                     i == n - 1 ? SYSDMA_DESC_END : 0,
                     base + (i + 1) * SYSDMA_DESC_SIZE);
        }
        break;
    case 1:
        n = 1 + rnd_below(4);
        for (i = 0; i < n; i++) {
            desc_put(f, base + i * SYSDMA_DESC_SIZE, 0x100000, 0x300000,
                     1 + rnd_below(4096), 0,
                     i == n - 1 ? base + rnd_below(n) * SYSDMA_DESC_SIZE :
                     base + (i + 1) * SYSDMA_DESC_SIZE);
        }
        break;
    case 2:
        /* 300 descriptors of 1 byte spread over the area, no END */
        for (i = 0; i < 300; i++) {
            desc_put(f, RAM_DESC + (i % (DESC_AREA / SYSDMA_DESC_SIZE)) *
                     SYSDMA_DESC_SIZE, 0x100000 + i, 0x300000 + i, 1, 0,
                     RAM_DESC + ((i + 1) % (DESC_AREA / SYSDMA_DESC_SIZE)) *
                     SYSDMA_DESC_SIZE);
        }
        base = RAM_DESC;
        break;
    case 3:
        desc_put(f, base, 0x100000, 0x300000, 512, 0,
                 rnd_below(2) ? (f->bar + rnd_below(SYSDMA_BAR_SIZE)) & ~7ull :
                 0xfee00000);
        break;
    default:
        desc_put(f, base, 0x100000, 0x300000, 512, 0,
                 RAM_SIZE - SYSDMA_DESC_SIZE + 8 * rnd_below(8));
        desc_put(f, RAM_SIZE - SYSDMA_DESC_SIZE, 0x100000, 0x300000, 64, 0,
                 0xfffffffffffffff8ull);
        break;
    }
    rng_state = saved;
    cwr(f, ch, SYSDMA_CH_CLAIM, 1);
    cwr(f, ch, SYSDMA_CH_SRC_LO, base);
    cwr(f, ch, SYSDMA_CH_SRC_HI, base >> 32);
    cwr(f, ch, SYSDMA_CH_CFG, SYSDMA_CFG_SG | op->c);
    cwr(f, ch, SYSDMA_CH_START, 1);
}

static void pm_set(Fuzz *f, uint16_t d)
{
    qpci_config_writew(f->dev, f->pm_cap + PCI_PM_CTRL, d);
}

static void op_exec(Fuzz *f, const Op *op)
{
    static const uint32_t storm_regs[] = {
        SYSDMA_CH_CANCEL, SYSDMA_CH_FLUSH, SYSDMA_CH_IRQ, SYSDMA_CH_START,
    };
    unsigned ch = op->ch % CHANNELS;
    uint16_t flags;
    uint64_t i;

    switch (op->kind) {
    case OP_READ:
        bar_rd(f, op->a, op->b);
        break;
    case OP_WRITE:
        bar_wr(f, op->a, op->b, op->c);
        break;
    case OP_PROGRAM:
        cwr(f, ch, SYSDMA_CH_CLAIM, 1);
        cwr(f, ch, SYSDMA_CH_SRC_LO, op->a);
        cwr(f, ch, SYSDMA_CH_SRC_HI, op->a >> 32);
        cwr(f, ch, SYSDMA_CH_DST_LO, op->b);
        cwr(f, ch, SYSDMA_CH_DST_HI, op->b >> 32);
        cwr(f, ch, SYSDMA_CH_LEN, op->c);
        cwr(f, ch, SYSDMA_CH_CFG, (op->c >> 32) & 0xffff);
        if (op->c >> 48) {
            cwr(f, ch, SYSDMA_CH_START, 1);
        }
        break;
    case OP_CHAIN:
        build_chain(f, ch, op);
        break;
    case OP_REWRITE: {
        /* a descriptor (maybe in use) gets a field rewritten */
        static const uint32_t fields[] = {
            SYSDMA_DESC_SRC, SYSDMA_DESC_DST, SYSDMA_DESC_LEN,
            SYSDMA_DESC_FLAGS, SYSDMA_DESC_NEXT,
        };
        uint64_t at = RAM_DESC + (op->a % (DESC_AREA / SYSDMA_DESC_SIZE)) *
            SYSDMA_DESC_SIZE + fields[op->b % ARRAY_SIZE(fields)];

        if (fields[op->b % ARRAY_SIZE(fields)] == SYSDMA_DESC_LEN ||
            fields[op->b % ARRAY_SIZE(fields)] == SYSDMA_DESC_FLAGS) {
            qtest_writel(f->qts, at, op->c);
        } else {
            qtest_writeq(f->qts, at, op->c);
        }
        break;
    }
    case OP_STORM:
        for (i = 0; i < op->b; i++) {
            cwr(f, (ch + i) % CHANNELS, storm_regs[op->a % 4],
                op->a % 4 == 2 ? SYSDMA_IRQ_DONE : 1);
        }
        break;
    case OP_RESET:
        switch (op->a) {
        case 0:
            qtest_writel(f->qts, f->bar + SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
            break;
        case 1:
            pm_set(f, PCI_PM_CTRL_STATE_MASK);      /* D3hot */
            break;
        case 2:
            pm_set(f, 0);                           /* D0: function reset */
            break;
        default:
            pm_set(f, PCI_PM_CTRL_STATE_MASK);
            pm_set(f, 0);
            break;
        }
        break;
    case OP_COMMAND:
        qpci_config_writew(f->dev, PCI_COMMAND,
                           (op->a & 1 ? PCI_COMMAND_MASTER : 0) |
                           (op->a & 2 ? 0 : PCI_COMMAND_MEMORY) |
                           PCI_COMMAND_IO);
        break;
    case OP_MSI: {
        static const uint64_t targets[] = { 0x600000, 0, 0xfec00000 };
        uint64_t addr = op->a == 2 ? f->bar + SYSDMA_CH_BASE(ch) +
            SYSDMA_CH_START : targets[op->a % 3];

        flags = qpci_config_readw(f->dev, f->msi_cap + PCI_MSI_FLAGS);
        if (op->a == 0) {
            qpci_config_writew(f->dev, f->msi_cap + PCI_MSI_FLAGS,
                               flags & ~PCI_MSI_FLAGS_ENABLE);
            break;
        }
        qpci_config_writel(f->dev, f->msi_cap + PCI_MSI_ADDRESS_LO, addr);
        qpci_config_writel(f->dev, f->msi_cap + PCI_MSI_ADDRESS_HI, 0);
        qpci_config_writew(f->dev, f->msi_cap + PCI_MSI_DATA_64, op->b);
        qpci_config_writew(f->dev, f->msi_cap + PCI_MSI_FLAGS,
                           flags | PCI_MSI_FLAGS_ENABLE);
        break;
    }
    case OP_CLOCK:
        /* qtest refuses a step that does not advance the clock */
        qtest_clock_step(f->qts, MAX(op->a, 1));
        break;
    case OP_FAULT:
        cwr(f, ch, SYSDMA_CH_FAULT_ERROR_AFTER, op->c);
        cwr(f, ch, SYSDMA_CH_FAULT_STICKY, op->b);
        cwr(f, ch, SYSDMA_CH_FAULT_MODE, op->a);
        break;
    case OP_MEMSET:
        qtest_memset(f->qts, op->a, op->c, op->b);
        break;
    case OP_SELF_STOP:
        kill(qtest_pid(f->qts), SIGSTOP);
        qtest_readl(f->qts, f->bar + SYSDMA_REG_ID);
        break;
    case OP_SELF_KILL:
        kill(qtest_pid(f->qts), SIGKILL);
        qtest_readl(f->qts, f->bar + SYSDMA_REG_ID);
        break;
    case OP_SELF_REPORT:
        fprintf(stderr, "==1==ERROR: AddressSanitizer: selftest report\n");
        break;
    }
}

/* Runs alternate between rate=0 (bottom halves) and 1 chunk per ms */
static uint32_t qemu_rate;

static void fuzz_attach(Fuzz *f, const char *args)
{
    f->qts = qtest_init(args);
    f->bus = qpci_new_pc(f->qts, NULL);
    f->dev = qpci_device_find(f->bus, DEVFN);
    g_assert(f->dev);
    qpci_device_enable(f->dev);
    qpci_iomap(f->dev, 0, NULL);
    f->bar = qpci_config_readl(f->dev, PCI_BASE_ADDRESS_0) & ~0xfull;
    f->pm_cap = qpci_find_capability(f->dev, PCI_CAP_ID_PM, 0);
    f->msi_cap = qpci_find_capability(f->dev, PCI_CAP_ID_MSI, 0);
    g_assert(f->pm_cap && f->msi_cap);
}

/* Jiffies of CPU QEMU used (utime + stime from /proc/PID/stat) */
static long qemu_cpu(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    unsigned long ut, st;
    char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return -1;
    }
    p = strrchr(text, ')');
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                     "%lu %lu", &ut, &st) != 2) {
        return -1;
    }
    return ut + st;
}

/* The device's x-idle-wakeups: bottom-half runs that found nothing to do */
static int64_t device_wakeups(Fuzz *f)
{
    QDict *rsp = qtest_qmp(f->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': '/machine/peripheral/sysdma0', "
                           "'property': 'x-idle-wakeups' } }");
    int64_t n = qdict_haskey(rsp, "return") ?
        qdict_get_int(rsp, "return") : -1;

    qobject_unref(rsp);
    return n;
}

/*
 * Between operations the guest does nothing and no virtual time passes:
 * more than a few device wake-ups that find nothing to do in 0.4 s mean
 * the device keeps the main loop spinning (a rate-0 transfer still
 * moving data is work, not a spin).
 *
 * QEMU's CPU time is reported but does not decide: under -accel qtest
 * the virtual clock only moves on clock_step, so a device timer due
 * 732 ns from now (a 3-byte step at rate 4096000) makes the main loop
 * poll with a 732 ns timeout for ever and burn a core without the
 * device running at all.  In a guest that timer fires 732 ns later.
 */
static bool main_loop_spins(Fuzz *f)
{
    pid_t pid = qtest_pid(f->qts);
    long c0 = qemu_cpu(pid), c1;
    long hz = sysconf(_SC_CLK_TCK);
    int64_t w0 = device_wakeups(f), w1;

    g_usleep(400 * 1000);
    w1 = device_wakeups(f);
    c1 = qemu_cpu(pid);
    g_assert(w0 >= 0 && w1 >= 0);
    if (w1 - w0 > SPIN_WAKEUPS) {
        fprintf(stderr, "sysdma-fuzz: %" PRId64 " idle device wake-ups in "
                "0.4 s, QEMU used %ld ms of CPU\n", w1 - w0,
                c0 >= 0 && c1 >= 0 ? (c1 - c0) * 1000 / hz : -1);
        return true;
    }
    return false;
}

/*
 * The child: run the operations, reporting each index on @progress before
 * executing it.  Exit 0 when the device survived all of them and still
 * answers; 3 when the main loop spins; 4 when the device no longer answers
 * (QEMU dying makes libqtest abort: SIGABRT).
 */
static G_NORETURN void child_run(const Op *ops, size_t n, int progress,
                                 bool spin_check)
{
    Fuzz f = { 0 };
    g_autofree char *args = g_strdup_printf("-M pc -m 64M -device "
                                            "sysdma,id=sysdma0,addr=04.0,"
                                            "channels=%d,"
                                            "rate=%u", CHANNELS, qemu_rate);
    uint32_t id;
    size_t i;

    fuzz_attach(&f, args);
    id = ATTACHED;
    if (write(progress, &id, sizeof(id)) != sizeof(id)) {
        _exit(5);
    }
    for (i = 0; i < n; i++) {
        uint32_t idx = i;

        if (write(progress, &idx, sizeof(idx)) != sizeof(idx)) {
            _exit(5);
        }
        op_exec(&f, &ops[i]);
        if (spin_check && i % 2000 == 1999 && main_loop_spins(&f)) {
            fprintf(stderr, "sysdma-fuzz: main loop spinning after op %zu\n",
                    i);
            _exit(3);
        }
    }
    /* back to D0, decoding, mastering: the device must still answer */
    pm_set(&f, 0);
    qpci_config_writew(f.dev, PCI_COMMAND, PCI_COMMAND_MASTER |
                       PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    id = qtest_readl(f.qts, f.bar + SYSDMA_REG_ID);
    if (id != SYSDMA_ID_VALUE) {
        fprintf(stderr, "sysdma-fuzz: ID reads 0x%08x after the run\n", id);
        _exit(4);
    }
    if (spin_check && main_loop_spins(&f)) {
        fprintf(stderr, "sysdma-fuzz: main loop spinning at the end\n");
        _exit(3);
    }
    /* what the run reached: verifier kinds, faults fired, bytes moved */
    printf("# run of %zu ops (rate %u): verifier", n, qemu_rate);
    for (i = 0; i < SYSDMA_V_COUNT; i++) {
        printf(" %u", qtest_readl(f.qts, f.bar + SYSDMA_REG_VERIFY_COUNT(i)));
    }
    printf(", per channel state/bytes/faults fired:");
    for (i = 0; i < CHANNELS; i++) {
        uint64_t b = f.bar + SYSDMA_CH_BASE(i);

        printf(" %u/%u/%u", qtest_readl(f.qts, b + SYSDMA_CH_STATUS) &
               SYSDMA_STATUS_STATE_MASK,
               qtest_readl(f.qts, b + SYSDMA_CH_BYTES),
               qtest_readl(f.qts, b + SYSDMA_CH_FAULT_FIRED));
    }
    printf("\n");
    fflush(stdout);
    qtest_quit(f.qts);
    _exit(0);
}

/* The parent: watchdog and judge ----------------------------------------- */

typedef struct Verdict {
    bool failed;
    size_t last_op;         /* index of the op running when it failed */
    char what[256];
} Verdict;

static int hang_s = 10;
static char *stderr_path;

static bool sanitizer_report(const char *path, char *what, size_t len)
{
    static const char *const bad[] = {
        "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
        "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer",
        "SUMMARY: AddressSanitizer", "Assertion", "qemu: hardware error",
        "**\nERROR", NULL,
    };
    g_autofree char *text = NULL;
    int i;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return false;
    }
    for (i = 0; bad[i]; i++) {
        char *m = strstr(text, bad[i]);

        if (m) {
            char *nl;

            if (m[0] == '*') {
                m += 3;     /* "**\nERROR:..." (g_assert, g_error) */
            }
            nl = strchr(m, '\n');

            snprintf(what, len, "QEMU stderr: %.*s", nl ? (int)(nl - m) : 200,
                     m);
            return true;
        }
    }
    return false;
}

static Verdict run_ops(const Op *ops, size_t n, bool spin_check)
{
    Verdict v = { 0 };
    int pfd[2], st = 0, fd;
    pid_t pid;
    uint32_t idx;
    bool done = false, hung = false, attached = false;

    g_assert(pipe(pfd) == 0);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    g_assert(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        setpgid(0, 0);
        fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 2) < 0) {
            _exit(6);
        }
        child_run(ops, n, pfd[1], spin_check);
    }
    close(pfd[1]);
    setpgid(pid, pid);
    while (!done) {
        struct pollfd p = { .fd = pfd[0], .events = POLLIN };
        /* starting QEMU on a busy host is not an operation: more time */
        int r = poll(&p, 1, hang_s * (attached ? 1000 : 6000));
        ssize_t got;

        if (r == 0) {
            hung = true;
            break;
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        got = read(pfd[0], &idx, sizeof(idx));
        if (got == sizeof(idx) && idx == ATTACHED) {
            attached = true;
        } else if (got == sizeof(idx)) {
            v.last_op = idx;
        } else {
            done = true;    /* EOF: the child ended */
        }
    }
    close(pfd[0]);
    if (hung) {
        kill(-pid, SIGKILL);
        if (attached) {
            snprintf(v.what, sizeof(v.what),
                     "hang: no answer within %d s (op %zu)", hang_s,
                     v.last_op);
        } else {
            snprintf(v.what, sizeof(v.what), "hang: QEMU did not start "
                     "within %d s (before op 0)", hang_s * 6);
        }
        v.failed = true;
        waitpid(pid, &st, 0);
        return v;
    }
    /* the child ended: give it hang_s to be reaped, then kill the group */
    for (int i = 0; i < hang_s * 10; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            break;
        }
        g_usleep(100 * 1000);
        if (i == hang_s * 10 - 1) {
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            snprintf(v.what, sizeof(v.what), "hang: QEMU did not quit");
            v.failed = true;
            return v;
        }
    }
    kill(-pid, SIGKILL);    /* a QEMU left behind by an aborting child */
    if (sanitizer_report(stderr_path, v.what, sizeof(v.what))) {
        v.failed = true;
    } else if (WIFSIGNALED(st)) {
        snprintf(v.what, sizeof(v.what), "child killed by signal %d (QEMU "
                 "died or aborted: see its stderr)", WTERMSIG(st));
        v.failed = true;
    } else if (WEXITSTATUS(st) == 3) {
        snprintf(v.what, sizeof(v.what), "main loop spinning");
        v.failed = true;
    } else if (WEXITSTATUS(st) != 0) {
        snprintf(v.what, sizeof(v.what), "child exit status %d",
                 WEXITSTATUS(st));
        v.failed = true;
    }
    return v;
}

static bool same_failure(const Verdict *a, const Verdict *b)
{
    size_t n = strcspn(a->what, "(0123456789");

    return b->failed && !strncmp(a->what, b->what, MIN(n, 24));
}

/*
 * Shrink: drop chunks of operations while the same kind of failure stays
 * (ddmin with halving chunk sizes), bounded by SYSDMA_FUZZ_SHRINK_S.
 */
static size_t shrink(Op *ops, size_t n, const Verdict *orig, bool spin)
{
    Op *tmp = g_new(Op, n);
    gint64 end = g_get_monotonic_time() +
        (gint64)atoi(g_getenv("SYSDMA_FUZZ_SHRINK_S") ?: "120") *
        G_USEC_PER_SEC;
    size_t chunk = n / 2;

    while (chunk >= 1 && g_get_monotonic_time() < end) {
        bool progress = false;
        size_t start = 0;

        while (start < n && g_get_monotonic_time() < end) {
            size_t m = 0, i;
            Verdict v;

            for (i = 0; i < n; i++) {
                if (i < start || i >= start + chunk) {
                    tmp[m++] = ops[i];
                }
            }
            if (m == 0 || m == n) {
                start += chunk;
                continue;
            }
            v = run_ops(tmp, m, spin);
            if (same_failure(orig, &v)) {
                /* keep the shorter list, up to the failing op */
                n = MIN(m, v.last_op + 1);
                memcpy(ops, tmp, n * sizeof(Op));
                progress = true;
            } else {
                start += chunk;
            }
        }
        if (!progress) {
            chunk /= 2;
        }
    }
    g_free(tmp);
    return n;
}

static void report_failure(uint64_t seed, Op *ops, size_t n, Verdict *v,
                           bool spin)
{
    g_autofree char *list = g_strdup_printf("%s.replay", stderr_path);
    g_autofree char *qerr = NULL;
    FILE *out;
    size_t i;

    g_test_message("FAIL: seed %" PRIu64 ": %s", seed, v->what);
    n = MIN(n, v->last_op + 1);
    n = shrink(ops, n, v, spin);
    out = fopen(list, "w");
    g_assert(out);
    fprintf(out, "# sysdma-fuzz seed %" PRIu64 ": %s\nrate %u\n", seed,
            v->what, qemu_rate);
    for (i = 0; i < n; i++) {
        op_print(out, &ops[i]);
    }
    fclose(out);
    /* rerun the minimal list once for its QEMU stderr */
    run_ops(ops, n, spin);
    g_file_get_contents(stderr_path, &qerr, NULL, NULL);
    fprintf(stderr, "sysdma-fuzz: FAILED: seed %" PRIu64 ": %s\n"
            "sysdma-fuzz: minimal operation list (%zu ops), replay with "
            "SYSDMA_FUZZ_REPLAY=%s:\n", seed, v->what, n, list);
    for (i = 0; i < n; i++) {
        op_print(stderr, &ops[i]);
    }
    fprintf(stderr, "sysdma-fuzz: QEMU stderr of the minimal list:\n%s\n",
            qerr ? qerr : "");
}

static void test_replay(const void *data)
{
    const char *file = data;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    Op *ops = g_new(Op, MAX_OPS);
    size_t n = 0;
    Verdict v;
    int i;

    g_assert(g_file_get_contents(file, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (lines[i][0] == '#' || !lines[i][0]) {
            continue;
        }
        if (sscanf(lines[i], "rate %u", &qemu_rate) == 1) {
            continue;
        }
        if (n == MAX_OPS || !op_parse(lines[i], &ops[n])) {
            g_error("%s:%d: bad operation '%s'", file, i + 1, lines[i]);
        }
        n++;
    }
    v = run_ops(ops, n, true);
    if (v.failed) {
        g_test_message("replay of %zu ops: %s", n, v.what);
    }
    g_assert_false(v.failed);
    g_free(ops);
}

/*
 * Self-test of the judge: a clean list passes; a QEMU that stops answering
 * (SIGSTOP), dies (SIGKILL) or prints a sanitizer report fails with the
 * right verdict and the index of the operation; the shrinker reduces a
 * failing list to the one operation that fails it.
 */
static void test_detects(void)
{
    Op ops[40];
    Verdict v;
    size_t n, i;

    rng_state = 42;
    for (i = 0; i < ARRAY_SIZE(ops); i++) {
        ops[i] = gen_op();
        if (ops[i].kind == OP_RESET || ops[i].kind == OP_COMMAND) {
            ops[i].kind = OP_CLOCK;     /* the BAR stays reachable */
            ops[i].a = 1000;
        }
    }
    qemu_rate = 0;
    v = run_ops(ops, 20, false);
    g_assert_false(v.failed);

    ops[13] = (Op) { .kind = OP_SELF_STOP };
    v = run_ops(ops, 20, false);
    g_assert_true(v.failed);
    g_assert_cmpuint(v.last_op, ==, 13);
    g_assert_nonnull(strstr(v.what, "hang"));

    ops[13] = (Op) { .kind = OP_SELF_KILL };
    v = run_ops(ops, 20, false);
    g_assert_true(v.failed);
    g_assert_cmpuint(v.last_op, ==, 13);
    g_assert_nonnull(strstr(v.what, "signal"));

    ops[13] = (Op) { .kind = OP_SELF_REPORT };
    v = run_ops(ops, 20, false);
    g_assert_true(v.failed);
    g_assert_nonnull(strstr(v.what, "AddressSanitizer"));

    ops[13] = (Op) { .kind = OP_SELF_KILL };
    v = run_ops(ops, 20, false);
    n = shrink(ops, 14, &v, false);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpuint(ops[0].kind, ==, OP_SELF_KILL);
}

static void test_fuzz(const void *data)
{
    bool lng = GPOINTER_TO_INT(data) ||
        g_strcmp0(g_getenv("SYSDMA_FUZZ_LONG"), "1") == 0;
    uint64_t total = lng ? 1000000 :
        g_ascii_strtoull(g_getenv("SYSDMA_FUZZ_OPS") ?: "50000", NULL, 0);
    uint64_t per_run =
        g_ascii_strtoull(g_getenv("SYSDMA_FUZZ_RUN_OPS") ?: "5000", NULL, 0);
    const char *s = g_getenv("SYSDMA_FUZZ_SEED");
    uint64_t seed = s ? g_ascii_strtoull(s, NULL, 0) :
        (uint64_t)g_random_int() << 32 | g_random_int();
    uint64_t done = 0;
    Op *ops;
    gint64 t0 = g_get_monotonic_time();
    bool failed = false;

    per_run = MAX(MIN(per_run, MAX_OPS), 1);
    ops = g_new(Op, per_run);
    g_test_message("sysdma-fuzz: %" PRIu64 " operations, runs of %" PRIu64
                   ", first seed %" PRIu64 " (SYSDMA_FUZZ_SEED)", total,
                   per_run, seed);
    while (done < total && !failed) {
        size_t n = MIN(per_run, total - done), i;
        Verdict v;

        rng_state = seed | 1;
        qemu_rate = seed & 1 ? 0 : 4096000;
        if (g_getenv("SYSDMA_FUZZ_RATE")) {
            /* one rate for every run, e.g. to set an open finding aside */
            qemu_rate = atoi(g_getenv("SYSDMA_FUZZ_RATE"));
        }
        for (i = 0; i < n; i++) {
            ops[i] = gen_op();
        }
        v = run_ops(ops, n, true);
        if (v.failed) {
            report_failure(seed, ops, n, &v, true);
            failed = true;
        }
        done += n;
        seed++;
    }
    g_test_message("sysdma-fuzz: %" PRIu64 " operations in %.1f s", done,
                   (g_get_monotonic_time() - t0) / 1e6);
    g_free(ops);
    g_assert_false(failed);
}

int main(int argc, char **argv)
{
    const char *replay = g_getenv("SYSDMA_FUZZ_REPLAY");
    bool lng = false;
    int i, j;

    for (i = j = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--long")) {
            lng = true;
        } else {
            argv[j++] = argv[i];
        }
    }
    argc = j;
    g_test_init(&argc, &argv, NULL);
    hang_s = atoi(g_getenv("SYSDMA_FUZZ_HANG_S") ?: "10");
    hang_s = MAX(hang_s, 1);
    stderr_path = g_strdup_printf("%s/sysdma-fuzz-%d.stderr",
                                  g_get_tmp_dir(), (int)getpid());
    bar_guess = 0xe0000000;
    qtest_add_func("/sysdma-fuzz/watchdog", test_detects);
    if (replay) {
        qtest_add_data_func("/sysdma-fuzz/replay", replay, test_replay);
    } else {
        qtest_add_data_func("/sysdma-fuzz/run", GINT_TO_POINTER(lng),
                            test_fuzz);
    }
    return g_test_run();
}
