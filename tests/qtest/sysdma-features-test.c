/*
 * QTest for the sysdma controller's "real controller" features
 * (qemu-device/REGISTERS.md): PAUSE/RESUME, cyclic mode, interrupt causes,
 * IRQ_MASK and DESC_IRQ, FAULT_ADDR, the exact rate schedule, the rate-0
 * fast path and the cancel latency the device guarantees.
 *
 * Every test checks exact values (bytes, memory, counters, virtual time).
 * Wall-clock figures are printed with g_test_message and never asserted.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "qemu/bswap.h"
#include "hw/dma/sysdma-regs.h"

#define DEVFN       QPCI_DEVFN(4, 0)
#define RAM_SIZE    (64 * 1024 * 1024)
#define RAM_SRC     0x100000
#define RAM_DST     0x300000
#define RAM_DESC    0x500000
#define RAM_MSI     0x600000
#define FILL        0xee
/* rate that moves one 4 KiB chunk per millisecond of virtual time */
#define RATE_1MS    "rate=4096000"
#define MS          1000000LL
#define NS_PER_S    1000000000ULL
#define FAST_STEP   (256 * 1024)
#define ALL_CAUSES  (SYSDMA_IRQ_DONE | SYSDMA_IRQ_COMPLETE | \
                     SYSDMA_IRQ_ERROR | SYSDMA_IRQ_ABORT | SYSDMA_IRQ_DESC)

typedef struct T {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    int64_t clk;        /* virtual clock, as the last clock_step said */
} T;

static void t_attach(T *t)
{
    t->bus = qpci_new_pc(t->qts, NULL);
    t->dev = qpci_device_find(t->bus, DEVFN);
    g_assert(t->dev);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, 0, NULL);
}

static T *t_start_mem(const char *props, int mib)
{
    T *t = g_new0(T, 1);

    t->qts = qtest_initf("-M pc -m %dM -device sysdma,addr=04.0%s%s", mib,
                         props ? "," : "", props ? props : "");
    t_attach(t);
    t->clk = qtest_clock_step(t->qts, 1);
    return t;
}

static T *t_start(const char *props)
{
    return t_start_mem(props, RAM_SIZE >> 20);
}

static void t_end(T *t)
{
    g_free(t->dev);
    qpci_free_pc(t->bus);
    qtest_quit(t->qts);
    g_free(t);
}

static uint32_t rd(T *t, uint32_t off)
{
    return qpci_io_readl(t->dev, t->bar, off);
}

static void wr(T *t, uint32_t off, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar, off, val);
}

static uint32_t crd(T *t, int ch, uint32_t off)
{
    return rd(t, SYSDMA_CH_BASE(ch) + off);
}

static void cwr(T *t, int ch, uint32_t off, uint32_t val)
{
    wr(t, SYSDMA_CH_BASE(ch) + off, val);
}

static uint32_t state(T *t, int ch)
{
    return crd(t, ch, SYSDMA_CH_STATUS) & SYSDMA_STATUS_STATE_MASK;
}

static uint32_t errcode(T *t, int ch)
{
    return (crd(t, ch, SYSDMA_CH_STATUS) & SYSDMA_STATUS_ERRCODE_MASK) >>
        SYSDMA_STATUS_ERRCODE_SHIFT;
}

static uint64_t fault_addr(T *t, int ch)
{
    return crd(t, ch, SYSDMA_CH_FAULT_ADDR_LO) |
        (uint64_t)crd(t, ch, SYSDMA_CH_FAULT_ADDR_HI) << 32;
}

static uint32_t vcount(T *t, int kind)
{
    return rd(t, SYSDMA_REG_VERIFY_COUNT(kind));
}

static void assert_no_violation(T *t)
{
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 0);
}

/* Advance the virtual clock (qtest: it moves only here) */
static int64_t step(T *t, int64_t ns)
{
    t->clk = qtest_clock_step(t->qts, ns);
    return t->clk;
}

static int64_t now(T *t)
{
    return t->clk;
}

static void fill(T *t, uint64_t addr, uint8_t v, size_t len)
{
    qtest_memset(t->qts, addr, v, len);
}

static uint8_t *src_data(T *t, uint64_t addr, size_t len, uint8_t salt)
{
    uint8_t *b = g_malloc(len);
    size_t i;

    for (i = 0; i < len; i++) {
        b[i] = (uint8_t)(i * 7 + (i >> 8) + salt);
    }
    qtest_memwrite(t->qts, addr, b, len);
    return b;
}

static uint8_t *mem(T *t, uint64_t addr, size_t len)
{
    uint8_t *b = g_malloc(len);

    qtest_memread(t->qts, addr, b, len);
    return b;
}

/* Big buffers in 1 MiB pieces (qtest parses one protocol line at a time) */
static void big_write(T *t, uint64_t addr, const uint8_t *b, size_t len)
{
    size_t o, n;

    for (o = 0; o < len; o += n) {
        n = MIN(len - o, 1024 * 1024);
        qtest_bufwrite(t->qts, addr + o, b + o, n);
    }
}

static void big_read(T *t, uint64_t addr, uint8_t *b, size_t len)
{
    size_t o, n;

    for (o = 0; o < len; o += n) {
        n = MIN(len - o, 1024 * 1024);
        qtest_bufread(t->qts, addr + o, b + o, n);
    }
}

/* Exactly @n bytes of @want at @addr, then untouched FILL up to @len */
static void check_copied(T *t, uint64_t addr, const uint8_t *want, size_t n,
                         size_t len)
{
    g_autofree uint8_t *got = mem(t, addr, len);
    size_t i;

    g_assert(memcmp(got, want, n) == 0);
    for (i = n; i < len; i++) {
        g_assert_cmphex(got[i], ==, FILL);
    }
}

static void check_pattern(T *t, uint64_t addr, uint32_t seed, uint64_t off0,
                          size_t n, size_t len)
{
    g_autofree uint8_t *got = mem(t, addr, len);
    size_t i;

    for (i = 0; i < n; i++) {
        g_assert_cmphex(got[i], ==, sysdma_pattern_byte(seed, off0 + i));
    }
    for (i = n; i < len; i++) {
        g_assert_cmphex(got[i], ==, FILL);
    }
}

/* zlib-compatible CRC-32, independent of the device */
static uint32_t crc32_upd(uint32_t crc, const uint8_t *b, size_t len)
{
    uint32_t c = ~crc;
    size_t i;
    int k;

    for (i = 0; i < len; i++) {
        c ^= b[i];
        for (k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320 & -(c & 1));
        }
    }
    return ~c;
}

static void prog(T *t, int ch, uint64_t src, uint64_t dst, uint32_t len,
                 uint32_t cfg)
{
    cwr(t, ch, SYSDMA_CH_SRC_LO, src);
    cwr(t, ch, SYSDMA_CH_SRC_HI, src >> 32);
    cwr(t, ch, SYSDMA_CH_DST_LO, dst);
    cwr(t, ch, SYSDMA_CH_DST_HI, dst >> 32);
    cwr(t, ch, SYSDMA_CH_LEN, len);
    cwr(t, ch, SYSDMA_CH_CFG, cfg);
}

static void go(T *t, int ch, uint64_t src, uint64_t dst, uint32_t len,
               uint32_t cfg)
{
    cwr(t, ch, SYSDMA_CH_CLAIM, 1);
    prog(t, ch, src, dst, len, cfg);
    cwr(t, ch, SYSDMA_CH_START, 1);
}

/* Poll (the main loop runs between polls) until the channel leaves BUSY */
static void poll_done(T *t, int ch)
{
    int i;

    for (i = 0; i < 10000000 && state(t, ch) == SYSDMA_STATE_BUSY; i++) {
        ;
    }
    g_assert_cmpuint(state(t, ch), !=, SYSDMA_STATE_BUSY);
}

/* The same with a short sleep between polls (timed runs: fewer polls) */
static void poll_done_timed(T *t, int ch)
{
    int i;

    for (i = 0; i < 1000000 && state(t, ch) == SYSDMA_STATE_BUSY; i++) {
        g_usleep(100);
    }
    g_assert_cmpuint(state(t, ch), !=, SYSDMA_STATE_BUSY);
}

static void finish(T *t, int ch)
{
    uint32_t irq;

    cwr(t, ch, SYSDMA_CH_FLUSH, 1);
    irq = crd(t, ch, SYSDMA_CH_IRQ);
    if (irq) {
        cwr(t, ch, SYSDMA_CH_IRQ, irq);
    }
    cwr(t, ch, SYSDMA_CH_CLAIM, 0);
}

static void desc(T *t, uint64_t at, uint64_t src, uint64_t dst, uint32_t len,
                 uint32_t flags, uint64_t next)
{
    uint8_t d[SYSDMA_DESC_SIZE];

    stq_le_p(d + SYSDMA_DESC_SRC, src);
    stq_le_p(d + SYSDMA_DESC_DST, dst);
    stl_le_p(d + SYSDMA_DESC_LEN, len);
    stl_le_p(d + SYSDMA_DESC_FLAGS, flags);
    stq_le_p(d + SYSDMA_DESC_NEXT, next);
    qtest_memwrite(t->qts, at, d, sizeof(d));
}

static void route_intx(T *t)
{
    QPCIDevice *piix = qpci_device_find(t->bus, QPCI_DEVFN(1, 0));
    int i;

    g_assert(piix);
    for (i = 0; i < 4; i++) {
        qpci_config_writeb(piix, 0x60 + i, 11);  /* PIRQA-D -> IRQ 11 */
    }
    g_free(piix);
    qtest_irq_intercept_in(t->qts, "ioapic");
}

static void enable_msi(T *t, uint16_t data)
{
    uint8_t cap = qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0);
    uint16_t flags = qpci_config_readw(t->dev, cap + PCI_MSI_FLAGS);

    g_assert(cap);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_LO, RAM_MSI);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_HI, 0);
    qpci_config_writew(t->dev, cap + PCI_MSI_DATA_64, data);
    qpci_config_writew(t->dev, cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
    qtest_writel(t->qts, RAM_MSI, 0);
}

static void arm(T *t, int ch, uint32_t mode, uint32_t sticky)
{
    cwr(t, ch, SYSDMA_CH_FAULT_STICKY, sticky);
    cwr(t, ch, SYSDMA_CH_FAULT_MODE, mode);
}

/* PAUSE / RESUME ---------------------------------------------------------- */

/*
 * M2M at 4 KiB/ms: PAUSE lets the step in flight land, then the engine
 * stops (PAUSED), BYTES/RESIDUE/memory stay frozen, and a resume continues
 * exactly where it stopped; the paused time does not count against the
 * rate (the rest takes exactly the time it would have taken).
 */
static void test_pause_m2m(void)
{
    T *t = t_start(RATE_1MS);
    const uint32_t len = 10 * 4096;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 1);
    int64_t t_resume;

    fill(t, RAM_DST, FILL, len + 64);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, 2 * MS + MS / 2);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 2 * 4096);
    cwr(t, 0, SYSDMA_CH_PAUSE, 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_PAUSE), ==, 1);
    /* the step in flight is not done yet: not stopped */
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_CLAIMED);
    step(t, MS / 2 - 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS) & SYSDMA_STATUS_PAUSED, ==, 0);
    step(t, 1);
    /* the step boundary at 3 ms: stopped there */
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_PAUSED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3 * 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, len - 3 * 4096);
    step(t, 500 * MS);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_PAUSED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3 * 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, len - 3 * 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
    check_copied(t, RAM_DST, want, 3 * 4096, len + 64);
    /* a second PAUSE while paused changes nothing */
    cwr(t, 0, SYSDMA_CH_PAUSE, 1);
    step(t, MS / 3);
    /* resume: the next chunk takes one full chunk time from now */
    cwr(t, 0, SYSDMA_CH_PAUSE, 0);
    t_resume = now(t);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_PAUSE), ==, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_CLAIMED);
    step(t, MS - 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3 * 4096);
    step(t, 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 4 * 4096);
    step(t, 6 * MS - 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    step(t, 1);
    g_assert_cmpint(now(t) - t_resume, ==, 7 * MS);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_FLUSH_OWED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, len);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    check_copied(t, RAM_DST, want, len, len + 64);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* A pause withdrawn before the engine stopped: nothing changes at all */
static void test_pause_withdrawn(void)
{
    T *t = t_start(RATE_1MS);

    go(t, 0, RAM_SRC, RAM_DST, 4 * 4096, SYSDMA_DIR_M2M);
    step(t, MS / 2);
    cwr(t, 0, SYSDMA_CH_PAUSE, 1);
    cwr(t, 0, SYSDMA_CH_PAUSE, 0);
    step(t, MS / 2);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 4096);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS) & SYSDMA_STATUS_PAUSED, ==, 0);
    step(t, 3 * MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/*
 * P2M: while paused the FIFO keeps its bytes (nothing is written); CANCEL
 * of a paused channel ends CANCELLED, clears the pause, and FLUSH delivers
 * exactly BYTES pattern bytes.  A pause on the last step: the transfer
 * completes and the request is dropped.
 */
static void test_pause_p2m_cancel(void)
{
    T *t = t_start(RATE_1MS);
    const uint32_t len = 8 * 4096;

    cwr(t, 0, SYSDMA_CH_IRQ_MASK, 0);
    fill(t, RAM_DST, FILL, len);
    cwr(t, 0, SYSDMA_CH_SEED, 0x77);
    go(t, 0, 0, RAM_DST, len, SYSDMA_DIR_P2M | SYSDMA_CFG_IRQ_EN);
    step(t, 2 * MS + 10);
    cwr(t, 0, SYSDMA_CH_PAUSE, 1);
    step(t, MS);
    g_assert(crd(t, 0, SYSDMA_CH_STATUS) & SYSDMA_STATUS_PAUSED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3 * 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    step(t, 100 * MS);
    check_pattern(t, RAM_DST, 0x77, 0, 3 * 4096 - 64, len);
    /* resume, run one more chunk, pause again, cancel while paused */
    cwr(t, 0, SYSDMA_CH_PAUSE, 0);
    step(t, MS);
    cwr(t, 0, SYSDMA_CH_PAUSE, 1);
    step(t, MS);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 5 * 4096);
    g_assert(crd(t, 0, SYSDMA_CH_STATUS) & SYSDMA_STATUS_PAUSED);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_CANCELLED |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_FLUSH_OWED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_PAUSE), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 5 * 4096);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==,
                    SYSDMA_IRQ_DONE | SYSDMA_IRQ_ABORT);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    check_pattern(t, RAM_DST, 0x77, 0, 5 * 4096, len);
    cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE | SYSDMA_IRQ_ABORT);

    /* PAUSE during the last step: COMPLETE, the request is dropped */
    go(t, 0, 0, RAM_DST, 4096, SYSDMA_DIR_P2M);
    cwr(t, 0, SYSDMA_CH_PAUSE, 1);
    step(t, MS);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_FLUSH_OWED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_PAUSE), ==, 0);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/*
 * PAUSE on a channel that is not BUSY is a harmless no-op (reads 0, no
 * violation, the next START is not paused); values other than 0/1 are
 * V_BAD_REGISTER.  A stalled channel (FAULT_STALL) pauses at once and
 * stays stalled after the resume.
 */
static void test_pause_noop_stalled(void)
{
    T *t = t_start(RATE_1MS);

    cwr(t, 1, SYSDMA_CH_PAUSE, 1);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_PAUSE), ==, 0);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);
    go(t, 1, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M);
    step(t, MS);
    g_assert_cmpuint(state(t, 1), ==, SYSDMA_STATE_COMPLETE);
    cwr(t, 1, SYSDMA_CH_PAUSE, 1);      /* COMPLETE: no-op too */
    cwr(t, 1, SYSDMA_CH_PAUSE, 0);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_FLUSH_OWED);
    finish(t, 1);
    assert_no_violation(t);
    cwr(t, 1, SYSDMA_CH_PAUSE, 2);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, 1);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_PAUSE), ==, 0);
    wr(t, SYSDMA_REG_VERIFY_CLEAR, 1);

    cwr(t, 2, SYSDMA_CH_FAULT_ERROR_AFTER, 8192);
    arm(t, 2, SYSDMA_FAULT_STALL, 0);
    go(t, 2, RAM_SRC, RAM_DST, 4 * 4096, SYSDMA_DIR_M2M);
    step(t, 3 * MS);
    g_assert_cmphex(crd(t, 2, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_STALLED);
    cwr(t, 2, SYSDMA_CH_PAUSE, 1);
    g_assert_cmphex(crd(t, 2, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_STALLED |
                    SYSDMA_STATUS_PAUSED);
    cwr(t, 2, SYSDMA_CH_PAUSE, 0);
    step(t, 10 * MS);
    g_assert_cmphex(crd(t, 2, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_STALLED);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_BYTES), ==, 8192);
    cwr(t, 2, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(state(t, 2), ==, SYSDMA_STATE_CANCELLED);
    finish(t, 2);
    assert_no_violation(t);
    t_end(t);
}

/* Migration --------------------------------------------------------------- */

static const char *mig_status(QTestState *qts)
{
    static char buf[32];
    QDict *rsp = qtest_qmp(qts, "{'execute': 'query-migrate'}");
    QDict *ret = qdict_get_qdict(rsp, "return");

    g_strlcpy(buf, ret && qdict_haskey(ret, "status") ?
              qdict_get_str(ret, "status") : "none", sizeof(buf));
    qobject_unref(rsp);
    return buf;
}

static void mig_wait(QTestState *qts)
{
    int i;

    for (i = 0; i < 3000; i++) {
        const char *st = mig_status(qts);

        g_assert_cmpstr(st, !=, "failed");
        if (!strcmp(st, "completed")) {
            return;
        }
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

/*
 * A paused channel, a cyclic ring with its interrupt mask and a latched
 * fault address migrate (the "sysdma/channel-features" subsection) and go
 * on, on the destination, exactly as they would have.
 */
static void test_features_migrate(void)
{
    const char *props = RATE_1MS;
    g_autofree char *dir = g_dir_make_tmp("sysdma-feat-XXXXXX", NULL);
    g_autofree char *file = g_strdup_printf("%s/state", dir);
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    const uint32_t len = 8 * 4096;
    T *src = t_start(props), *dst;
    g_autofree uint8_t *want = src_data(src, RAM_SRC, len, 3);
    uint32_t laps;

    fill(src, RAM_DST, FILL, len);
    go(src, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M);
    step(src, MS / 2);
    cwr(src, 0, SYSDMA_CH_PAUSE, 1);
    step(src, MS);
    g_assert(crd(src, 0, SYSDMA_CH_STATUS) & SYSDMA_STATUS_PAUSED);
    /* ch1: a ring of two 2 KiB periods, M2P */
    desc(src, RAM_DESC, RAM_SRC, 0, 2048, SYSDMA_DESC_IRQ, RAM_DESC + 32);
    desc(src, RAM_DESC + 32, RAM_SRC + 2048, 0, 2048, SYSDMA_DESC_IRQ,
         RAM_DESC);
    cwr(src, 1, SYSDMA_CH_IRQ_MASK, SYSDMA_IRQ_DONE);
    go(src, 1, RAM_DESC, 0, 0, SYSDMA_DIR_M2P | SYSDMA_CFG_SG |
       SYSDMA_CFG_CYCLIC);
    step(src, 3 * MS);
    /* ch2: an error with its fault address */
    go(src, 2, RAM_SIZE - 100, RAM_DST + len, 4096, SYSDMA_DIR_M2M);
    step(src, MS);
    g_assert_cmpuint(state(src, 2), ==, SYSDMA_STATE_ERROR);
    wr(src, SYSDMA_REG_VERIFY_CLEAR, 1);
    g_assert_cmpuint(crd(src, 1, SYSDMA_CH_BYTES), ==, 4 * 4096);

    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', 'arguments':"
                             " {'uri': %s}}", uri);
    mig_wait(src->qts);
    dst = g_new0(T, 1);
    dst->qts = qtest_initf("-M pc -m 64M -device sysdma,addr=04.0,%s "
                           "-incoming defer", props);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s}}", uri);
    mig_wait(dst->qts);
    t_attach(dst);
    dst->clk = qtest_clock_step(dst->qts, 1);

    g_assert_cmphex(crd(dst, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_PAUSED);
    g_assert_cmpuint(crd(dst, 0, SYSDMA_CH_PAUSE), ==, 1);
    g_assert_cmpuint(crd(dst, 0, SYSDMA_CH_BYTES), ==, 4096);
    step(dst, 50 * MS);
    g_assert_cmpuint(crd(dst, 0, SYSDMA_CH_BYTES), ==, 4096);
    cwr(dst, 0, SYSDMA_CH_PAUSE, 0);
    step(dst, 7 * MS);
    g_assert_cmpuint(state(dst, 0), ==, SYSDMA_STATE_COMPLETE);
    check_copied(dst, RAM_DST, want, len, len);

    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_IRQ_MASK), ==, SYSDMA_IRQ_DONE);
    g_assert_cmphex(crd(dst, 1, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DESC);
    g_assert_cmpuint(state(dst, 1), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_TOTAL), ==, 4096);
    /*
     * The ring goes on, a lap per ms (the qtest destination's clock starts
     * again at 0 while the migrated timers keep the source's times, so
     * count laps from here on)
     */
    laps = crd(dst, 1, SYSDMA_CH_BYTES) / 4096;
    g_assert_cmpuint(laps, >, 4);
    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_BYTES), ==, laps * 4096);
    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_DESC_DONE), ==, 2 * laps);
    step(dst, 3 * MS);
    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_BYTES), ==, (laps + 3) * 4096);
    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_RESIDUE), ==, 0);
    cwr(dst, 1, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_DESC_DONE), ==, 2 * laps + 6);

    g_assert_cmphex(crd(dst, 2, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_FLUSH_OWED |
                    (SYSDMA_ERR_ADDRESS << SYSDMA_STATUS_ERRCODE_SHIFT));
    g_assert_cmphex(fault_addr(dst, 2), ==, RAM_SIZE);
    t_end(dst);
    t_end(src);
    unlink(file);
    rmdir(dir);
}

/* Cyclic mode ------------------------------------------------------------- */

/*
 * M2P ring of three periods (1000 + 2000 + 1096 bytes, DESC_IRQ on each),
 * 1000 bytes per ms: the ring runs lap after lap until CANCEL; BYTES keeps
 * counting, RESIDUE is what is left of the current lap, DESC_DONE counts
 * periods, the sink sees the ring's bytes over and over, one IRQ_DESC (and
 * one MSI) per step that finished a period.
 */
static void test_cyclic_m2p(void)
{
    T *t = t_start("chunk=1000,rate=1000000");
    const uint32_t lens[3] = { 1000, 2000, 1096 }, total = 4096;
    g_autofree uint8_t *ring = src_data(t, RAM_SRC, total, 9);
    uint32_t crc = 0, sent = 0;
    int k;

    desc(t, RAM_DESC, RAM_SRC, 0, lens[0], SYSDMA_DESC_IRQ, RAM_DESC + 64);
    desc(t, RAM_DESC + 64, RAM_SRC + 1000, 0, lens[1],
         SYSDMA_DESC_IRQ | SYSDMA_DESC_END, RAM_DESC + 128);
    desc(t, RAM_DESC + 128, RAM_SRC + 3000, 0, lens[2], SYSDMA_DESC_IRQ,
         RAM_DESC);
    enable_msi(t, 0x5151);
    cwr(t, 0, SYSDMA_CH_IRQ_MASK, 0);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2P | SYSDMA_CFG_SG |
       SYSDMA_CFG_CYCLIC | SYSDMA_CFG_IRQ_EN);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_TOTAL), ==, total);
    for (k = 1; k <= 30; k++) {
        uint32_t pos, want_desc, b, i;

        step(t, MS);
        sent += 1000;
        pos = sent % total;
        g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, sent);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, total - pos);
        /* periods finished: whole laps * 3 + those within this lap */
        want_desc = sent / total * 3;
        for (b = 0, i = 0; i < 3; i++) {
            b += lens[i];
            want_desc += pos >= b;
        }
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_DESC_DONE), ==, want_desc);
        /* a period boundary inside this step: IRQ_DESC and an MSI */
        if (crd(t, 0, SYSDMA_CH_DESC_DONE) !=
            (sent - 1000) / total * 3 + ((sent - 1000) % total >= 1000) +
            ((sent - 1000) % total >= 3000)) {
            g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DESC);
            g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0x5151);
            qtest_writel(t->qts, RAM_MSI, 0);
            cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_DESC);
        } else {
            g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
            g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0);
        }
    }
    for (k = 0; k < 30000 / total; k++) {
        crc = crc32_upd(crc, ring, total);
    }
    crc = crc32_upd(crc, ring, 30000 % total);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_SINK_CRC), ==, crc);
    step(t, MS / 2);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_CANCELLED |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_FLUSH_OWED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 30000);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==,
                    SYSDMA_IRQ_DONE | SYSDMA_IRQ_ABORT);
    g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0x5151);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/*
 * P2M ring into a 3 KiB buffer (two periods): each buffer byte holds the
 * stream byte of the last lap that wrote it; the FIFO's last 64 bytes
 * come with FLUSH after the CANCEL.
 */
static void test_cyclic_p2m(void)
{
    T *t = t_start(RATE_1MS);
    const uint32_t total = 3072;
    g_autofree uint8_t *got = NULL;
    uint64_t moved, p;

    fill(t, RAM_DST, FILL, total + 64);
    desc(t, RAM_DESC, 0, RAM_DST, 1024, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, 0, RAM_DST + 1024, 2048, 0, RAM_DESC);
    cwr(t, 0, SYSDMA_CH_SEED, 0x3c);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_P2M | SYSDMA_CFG_SG |
       SYSDMA_CFG_CYCLIC);
    step(t, 5 * MS + 1);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    moved = crd(t, 0, SYSDMA_CH_BYTES);
    g_assert_cmpuint(moved, ==, 5 * 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_DESC_DONE), ==,
                     moved / total * 2 + (moved % total >= 1024));
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    got = mem(t, RAM_DST, total + 64);
    for (p = 0; p < total; p++) {
        uint64_t off = p + (moved - 1 - p) / total * total;

        g_assert_cmphex(got[p], ==, sysdma_pattern_byte(0x3c, off));
    }
    for (p = total; p < total + 64; p++) {
        g_assert_cmphex(got[p], ==, FILL);
    }
    cwr(t, 0, SYSDMA_CH_CLAIM, 0);
    assert_no_violation(t);
    t_end(t);
}

/*
 * Bad rings: CYCLIC without SG is ERR_CONFIG; a chain that does not come
 * back to its head within 256 descriptors is ERR_DESCRIPTOR (END does not
 * end a ring); a ring the guest shortens while it runs ends
 * ERR_DESCRIPTOR at the next wrap with exact BYTES and FAULT_ADDR at the
 * head.
 */
static void test_cyclic_bad(void)
{
    T *t = t_start(RATE_1MS);
    int i;

    go(t, 0, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M | SYSDMA_CFG_CYCLIC);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_ERROR);
    g_assert_cmpuint(errcode(t, 0), ==, SYSDMA_ERR_CONFIG);
    finish(t, 0);

    /* a plain END-terminated chain is not a ring */
    desc(t, RAM_DESC, RAM_SRC, 0, 100, SYSDMA_DESC_END, RAM_DESC + 32);
    for (i = 1; i < 300; i++) {
        desc(t, RAM_DESC + 32 * i, RAM_SRC, 0, 100, 0, RAM_DESC + 32 * i + 32);
    }
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2P | SYSDMA_CFG_SG |
       SYSDMA_CFG_CYCLIC);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_ERROR);
    g_assert_cmpuint(errcode(t, 0), ==, SYSDMA_ERR_DESCRIPTOR);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    g_assert_cmphex(fault_addr(t, 0), ==, RAM_DESC + 32 * 256);
    finish(t, 0);

    /* shortened while running: the lap no longer sums to TOTAL */
    desc(t, RAM_DESC, RAM_SRC, 0, 4096, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, RAM_SRC, 0, 4096, 0, RAM_DESC);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2P | SYSDMA_CFG_SG |
       SYSDMA_CFG_CYCLIC);
    g_assert_cmphex(fault_addr(t, 0), ==, 0);
    step(t, 3 * MS);
    desc(t, RAM_DESC + 32, RAM_SRC, 0, 1024, 0, RAM_DESC);
    step(t, 3 * MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_ERROR);
    g_assert_cmpuint(errcode(t, 0), ==, SYSDMA_ERR_DESCRIPTOR);
    /* laps: 4096 + 4096, then 4096 + 1024, then the wrap fails */
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3 * 4096 + 1024);
    g_assert_cmphex(fault_addr(t, 0), ==, RAM_DESC);
    finish(t, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, 0);
    t_end(t);
}

/*
 * Rate 0 and a ring of one 8-byte descriptor: the ring spins as fast as
 * the host allows, but a step loads at most 256 descriptors, so the main
 * loop keeps answering; CANCEL stops it.  Then a 64 KiB ring until BYTES
 * wraps at 2^32: RESIDUE and DESC_DONE stay consistent.
 */
static void test_cyclic_rate0(void)
{
    T *t = t_start("rate=0");
    uint32_t b0, b1, prev, cur, periods;
    int i;

    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 8, 0, RAM_DESC);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG |
       SYSDMA_CFG_CYCLIC);
    b0 = crd(t, 0, SYSDMA_CH_BYTES);
    for (i = 0; i < 100; i++) {
        g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    }
    b1 = crd(t, 0, SYSDMA_CH_BYTES);
    g_assert_cmpuint(b1, >, b0);
    g_assert_cmpuint(b1 % 8, ==, 0);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    b1 = crd(t, 0, SYSDMA_CH_BYTES);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_DESC_DONE), ==, b1 / 8);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, b1);
    finish(t, 0);

    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 65536, 0, RAM_DESC);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG |
       SYSDMA_CFG_CYCLIC);
    prev = 0;
    for (i = 0; i < 20000000; i++) {
        cur = crd(t, 0, SYSDMA_CH_BYTES);
        if (cur < prev) {
            break;
        }
        prev = cur;
    }
    g_assert_cmpuint(cur, <, prev);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    cur = crd(t, 0, SYSDMA_CH_BYTES);
    periods = crd(t, 0, SYSDMA_CH_DESC_DONE);
    /* past 2^32 bytes: BYTES is the count modulo 2^32 */
    g_assert_cmpuint(periods, >=, 65536);
    g_assert_cmpuint(cur, ==, (uint32_t)((uint64_t)periods * 65536));
    /* a step ends at a lap boundary here: nothing left of this lap */
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, 0);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* Interrupt causes, IRQ_MASK, DESC_IRQ ------------------------------------ */

/*
 * Reset IRQ_MASK leaves only DONE: a driver that knows only DONE sees the
 * device of old.  Unmasked, each end sets DONE plus its cause; causes are
 * W1C one by one and INTx stays up while any bit is set.
 */
static void test_irq_causes(void)
{
    T *t = t_start(RATE_1MS);

    route_intx(t);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ_MASK), ==, SYSDMA_IRQ_MASK_RESET);
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, MS);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    finish(t, 0);

    cwr(t, 0, SYSDMA_CH_IRQ_MASK, 0);
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, MS);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==,
                    SYSDMA_IRQ_DONE | SYSDMA_IRQ_COMPLETE);
    g_assert(qtest_get_irq(t->qts, 11));
    cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_COMPLETE);
    g_assert_cmphex(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 1);
    g_assert(qtest_get_irq(t->qts, 11));
    cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_COMPLETE);
    g_assert(!qtest_get_irq(t->qts, 11));
    g_assert_cmphex(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);

    /* error: DONE | ERROR */
    go(t, 0, RAM_SIZE - 16, RAM_DST, 100, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_ERROR);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==,
                    SYSDMA_IRQ_DONE | SYSDMA_IRQ_ERROR);
    cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE | SYSDMA_IRQ_ERROR);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 1);
    wr(t, SYSDMA_REG_VERIFY_CLEAR, 1);

    /* cancel: DONE | ABORT; strict refusal at START: DONE | ERROR */
    go(t, 0, RAM_SRC, RAM_DST, 8192, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==,
                    SYSDMA_IRQ_DONE | SYSDMA_IRQ_ABORT);
    /* acknowledging a clear bit is V3, the set ones are still cleared */
    cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_ABORT | SYSDMA_IRQ_COMPLETE);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    g_assert_cmpuint(vcount(t, SYSDMA_V_ACK_NOT_PENDING), ==, 1);
    cwr(t, 0, SYSDMA_CH_IRQ, 0x20 | SYSDMA_IRQ_DONE);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
    g_assert(!qtest_get_irq(t->qts, 11));
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);

    /* IRQ_MASK: bits outside the causes are V_BAD_REGISTER and dropped */
    cwr(t, 0, SYSDMA_CH_IRQ_MASK, 0xffffffff);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ_MASK), ==, ALL_CAUSES);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, 2);
    /* everything masked: no bit, no line, no message at the end */
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
    g_assert(!qtest_get_irq(t->qts, 11));
    finish(t, 0);
    /* reset restores the mask */
    wr(t, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ_MASK), ==, SYSDMA_IRQ_MASK_RESET);
    t_end(t);
}

/*
 * DESC_IRQ on the second descriptor of three (one per ms): IRQ_DESC and an
 * MSI exactly when that descriptor finishes, independent of CFG.IRQ_EN;
 * masked, nothing.  FAULT_DELAY_IRQ delays the end causes together.
 */
static void test_irq_desc(void)
{
    T *t = t_start(RATE_1MS);
    int round;

    enable_msi(t, 0x7e7e);
    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 4096, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, RAM_SRC, RAM_DST + 4096, 4096, SYSDMA_DESC_IRQ,
         RAM_DESC + 64);
    desc(t, RAM_DESC + 64, RAM_SRC, RAM_DST + 8192, 4096, SYSDMA_DESC_END, 0);
    for (round = 0; round < 2; round++) {
        cwr(t, 0, SYSDMA_CH_IRQ_MASK, round ? SYSDMA_IRQ_DESC : 0);
        go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
        step(t, MS);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_DESC_DONE), ==, 1);
        g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
        g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0);
        step(t, MS);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_DESC_DONE), ==, 2);
        g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==,
                        round ? 0 : SYSDMA_IRQ_DESC);
        g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==,
                        round ? 0 : 0x7e7e);
        qtest_writel(t->qts, RAM_MSI, 0);
        step(t, MS);
        g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
        /* no IRQ_EN: no end causes, no message */
        g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==,
                        round ? 0 : SYSDMA_IRQ_DESC);
        g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0);
        finish(t, 0);
    }

    cwr(t, 0, SYSDMA_CH_IRQ_MASK, 0);
    cwr(t, 0, SYSDMA_CH_FAULT_DELAY_US, 5000);
    arm(t, 0, SYSDMA_FAULT_DELAY_IRQ, 0);
    go(t, 0, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
    step(t, 5 * MS);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_IRQ), ==,
                    SYSDMA_IRQ_DONE | SYSDMA_IRQ_COMPLETE);
    g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0x7e7e);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* FAULT_ADDR -------------------------------------------------------------- */

/*
 * FAULT_ADDR is the first guest address the device could not access
 * (source, destination or descriptor), latched at the error with
 * ERRCODE ADDRESS or DESCRIPTOR, cleared (0) at the next START.
 */
static void test_fault_addr(void)
{
    T *t = t_start("rate=0");

    /* destination runs off the end of RAM after 1000 bytes */
    go(t, 0, RAM_SRC, RAM_SIZE - 1000, 4096, SYSDMA_DIR_M2M);
    poll_done(t, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    SYSDMA_STATUS_CLAIMED | SYSDMA_STATUS_FLUSH_OWED |
                    (SYSDMA_ERR_ADDRESS << SYSDMA_STATUS_ERRCODE_SHIFT));
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 1000);
    g_assert_cmphex(fault_addr(t, 0), ==, RAM_SIZE);
    finish(t, 0);
    /* kept after FLUSH, cleared by the next START */
    g_assert_cmphex(fault_addr(t, 0), ==, RAM_SIZE);
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M);
    g_assert_cmphex(fault_addr(t, 0), ==, 0);
    poll_done(t, 0);
    finish(t, 0);

    /* source above 4 GiB (no RAM there): the high half too */
    go(t, 1, 0x123456000ull, RAM_DST, 4096, SYSDMA_DIR_M2P);
    poll_done(t, 1);
    g_assert_cmpuint(errcode(t, 1), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 0);
    g_assert_cmphex(fault_addr(t, 1), ==, 0x123456000ull);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_FAULT_ADDR_HI), ==, 1);
    finish(t, 1);

    /* SG: the second descriptor's destination leaves RAM */
    desc(t, RAM_DESC, 0, RAM_DST, 512, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, 0, RAM_SIZE - 8, 512, SYSDMA_DESC_END, 0);
    go(t, 2, RAM_DESC, 0, 0, SYSDMA_DIR_P2M | SYSDMA_CFG_SG);
    poll_done(t, 2);
    g_assert_cmpuint(errcode(t, 2), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_BYTES), ==, 520);
    g_assert_cmphex(fault_addr(t, 2), ==, RAM_SIZE);
    finish(t, 2);

    /* a misaligned descriptor: its own address */
    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 512, 0, RAM_DESC + 36);
    go(t, 3, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
    g_assert_cmpuint(errcode(t, 3), ==, SYSDMA_ERR_DESCRIPTOR);
    g_assert_cmphex(fault_addr(t, 3), ==, RAM_DESC + 36);
    finish(t, 3);

    /* an injected error is no bus error: no fault address */
    cwr(t, 3, SYSDMA_CH_FAULT_ERROR_AFTER, 100);
    arm(t, 3, SYSDMA_FAULT_ERROR, 0);
    go(t, 3, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M);
    poll_done(t, 3);
    g_assert_cmpuint(errcode(t, 3), ==, SYSDMA_ERR_INJECTED);
    g_assert_cmphex(fault_addr(t, 3), ==, 0);
    finish(t, 3);
    t_end(t);
}

/* Rate: exact over the whole transfer ------------------------------------- */

/*
 * BYTES at every chunk boundary and the end are exactly where
 * floor(bytes * 1e9 / RATE) puts them, whatever the chunk (no rounding
 * per step: with chunk 64 at 3 GB/s a per-step floor would be 1.6 % fast).
 */
static void test_rate_exact(gconstpointer data)
{
    const uint32_t *p = data;   /* rate, chunk, len */
    g_autofree char *props = g_strdup_printf("rate=%u,chunk=%u,"
                                             "max-transfer=%u", p[0], p[1],
                                             p[2]);
    T *t = t_start(props);
    uint32_t rate = p[0], chunk = p[1], len = p[2], k, nsteps;
    int64_t t0, at, prev = 0;

    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M);
    t0 = now(t);
    nsteps = DIV_ROUND_UP(len, chunk);
    for (k = 1; k <= nsteps; k++) {
        uint64_t b = MIN((uint64_t)k * chunk, len);

        /* sample a few boundaries only: the rest follow the same formula */
        if (k > 4 && k < nsteps - 2 && k % 97) {
            continue;
        }
        at = (int64_t)((__uint128_t)b * NS_PER_S / rate);
        if (at - 1 > prev) {
            step(t, t0 + at - 1 - now(t));
            g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), <, b);
        }
        if (t0 + at > now(t)) {
            step(t, t0 + at - now(t));
        }
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, b);
        prev = at;
    }
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_test_message("rate %u chunk %u: %u bytes in %" PRId64 " ns (ideal "
                   "%.1f ns)", rate, chunk, len, now(t) - t0,
                   (double)len * NS_PER_S / rate);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* Rate 0: the fast path and the cancel latency ----------------------------- */

/*
 * At rate 0 a step is FAST_STEP bytes (256 KiB) and no virtual time
 * passes.  A CANCEL takes effect in the MMIO write itself: BYTES is then a
 * whole number of steps, exactly that prefix is in memory, nothing moves
 * after it, and the virtual clock did not move.  M2M, M2P and P2M of
 * 64 MiB each: the data is checked, the speed printed.
 */
static void test_rate0_fast(void)
{
    const uint64_t src = 0x1000000, dst = 0x6000000;
    const uint32_t len = 64 * 1024 * 1024;
    T *t = t_start_mem("rate=0,max-transfer=67108864", 256);
    g_autofree uint8_t *want = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    g_autofree uint8_t *copy = g_malloc(len);
    int64_t v0 = now(t);
    gint64 w;
    uint32_t b, i, crc;

    g_assert_cmpuint(rd(t, SYSDMA_REG_FAST_STEP), ==, FAST_STEP);
    for (i = 0; i < len; i++) {
        want[i] = (uint8_t)(i * 13 + (i >> 12));
    }
    big_write(t, src, want, len);

    /* a host memcpy of the same size (pages touched first), for the ratio */
    memcpy(copy, want, len);
    w = g_get_monotonic_time();
    memcpy(copy, want, len);
    w = g_get_monotonic_time() - w;
    g_test_message("host memcpy 64 MiB: %" PRId64 " us (%.0f MB/s)",
                   (int64_t)w, len / (double)w);

    /* M2M, cancelled right after START */
    fill(t, dst, FILL, len);
    go(t, 0, src, dst, len, SYSDMA_DIR_M2M);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    b = crd(t, 0, SYSDMA_CH_BYTES);
    g_test_message("rate 0: CANCEL right after START stopped at %u bytes", b);
    if (state(t, 0) == SYSDMA_STATE_CANCELLED) {
        g_assert_cmpuint(b % FAST_STEP, ==, 0);
        g_assert_cmpuint(b, <, len);
    } else {
        g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
        g_assert_cmpuint(b, ==, len);
    }
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, len - b);
    for (i = 0; i < 1000; i++) {
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, b);
    }
    big_read(t, dst, got, len);
    g_assert(memcmp(got, want, b) == 0);
    for (i = b; i < len; i++) {
        g_assert_cmphex(got[i], ==, FILL);
    }
    finish(t, 0);

    /* M2M, the whole 64 MiB */
    w = g_get_monotonic_time();
    go(t, 0, src, dst, len, SYSDMA_DIR_M2M);
    poll_done_timed(t, 0);
    w = g_get_monotonic_time() - w;
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_test_message("rate 0 M2M 64 MiB: %" PRId64 " us (%.0f MB/s)",
                   (int64_t)w, len / (double)w);
    big_read(t, dst, got, len);
    g_assert(memcmp(got, want, len) == 0);
    finish(t, 0);

    /* M2P */
    w = g_get_monotonic_time();
    go(t, 1, src, 0, len, SYSDMA_DIR_M2P);
    poll_done_timed(t, 1);
    w = g_get_monotonic_time() - w;
    g_assert_cmpuint(state(t, 1), ==, SYSDMA_STATE_COMPLETE);
    g_test_message("rate 0 M2P 64 MiB: %" PRId64 " us (%.0f MB/s)",
                   (int64_t)w, len / (double)w);
    crc = crc32_upd(0, want, len);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, crc);
    finish(t, 1);

    /* P2M */
    w = g_get_monotonic_time();
    cwr(t, 2, SYSDMA_CH_SEED, 0x600d);
    go(t, 2, 0, dst, len, SYSDMA_DIR_P2M);
    poll_done_timed(t, 2);
    cwr(t, 2, SYSDMA_CH_FLUSH, 1);
    w = g_get_monotonic_time() - w;
    g_assert_cmpuint(state(t, 2), ==, SYSDMA_STATE_IDLE);
    g_test_message("rate 0 P2M 64 MiB: %" PRId64 " us (%.0f MB/s)",
                   (int64_t)w, len / (double)w);
    big_read(t, dst, got, len);
    for (i = 0; i < len; i++) {
        if (got[i] != sysdma_pattern_byte(0x600d, i)) {
            g_assert_cmphex(got[i], ==, sysdma_pattern_byte(0x600d, i));
        }
    }
    cwr(t, 2, SYSDMA_CH_CLAIM, 0);
    /* no virtual time passed during any of it */
    g_assert_cmpint(step(t, 1), ==, v0 + 1);
    assert_no_violation(t);
    t_end(t);
}

/*
 * Rate > 0: CANCEL at any virtual time T stops the channel at T (0 ns):
 * BYTES is every step that ended by T, the step in flight moves nothing.
 */
static void test_cancel_latency_rate(void)
{
    T *t = t_start(RATE_1MS);
    const uint32_t len = 16 * 4096;
    static const int64_t at[] = { 1, MS - 1, MS, MS + 1, 7 * MS + 654321 };
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 5);
    int i;

    for (i = 0; i < ARRAY_SIZE(at); i++) {
        uint32_t b = at[i] / MS * 4096;
        fill(t, RAM_DST, FILL, len);
        go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M);
        step(t, at[i]);
        cwr(t, 0, SYSDMA_CH_CANCEL, 1);
        g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_CANCELLED);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, b);
        step(t, 10 * MS);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, b);
        check_copied(t, RAM_DST, want, b, len);
        finish(t, 0);
    }
    assert_no_violation(t);
    t_end(t);
}

/* Pages the running migration has scanned so far (sent or found zero) */
static int64_t mig_pages(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'query-migrate'}");
    QDict *ret = qdict_get_qdict(rsp, "return");
    QDict *ram = ret && qdict_haskey(ret, "ram") ?
                 qdict_get_qdict(ret, "ram") : NULL;
    int64_t n = ram ? qdict_get_int(ram, "normal") +
                      qdict_get_int(ram, "duplicate") : 0;

    qobject_unref(rsp);
    return n;
}

/*
 * The fast path writes guest RAM through a mapping, not through the
 * memory core's write path, so it must mark the pages it wrote dirty when
 * it unmaps them, or a live migration would lose what the device wrote
 * (TCG relies on the same marking to drop stale translated code).  The
 * migration is slowed to 1 MB/s so its first pass over RAM (in address
 * order) has sent the destination pages, still holding FILL, before the
 * device writes them (M2M and P2M at rate 0, in place); an 8 MiB tail of
 * data keeps the pass busy meanwhile.  Then it runs at full speed: the
 * destination VM must hold what the device wrote, which it only gets if
 * the pages were marked dirty and sent again.
 */
static void test_fast_path_marks_dirty(void)
{
    const uint64_t src = 0x1000000, dst = 0x1200000, dst2 = 0x1400000;
    const uint64_t tail = 0x6000000;
    const uint32_t len = 1024 * 1024;
    g_autofree char *dir = g_dir_make_tmp("sysdma-dirty-XXXXXX", NULL);
    g_autofree char *file = g_strdup_printf("%s/state", dir);
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    const char *props = "rate=0,max-transfer=1048576";
    T *t = t_start_mem(props, 128), *d;
    g_autofree uint8_t *want = g_malloc(len);
    g_autofree uint8_t *got = g_malloc(len);
    uint32_t i;

    for (i = 0; i < len; i++) {
        want[i] = (uint8_t)(i * 7 + (i >> 12) + 1);
    }
    big_write(t, src, want, len);
    fill(t, dst, FILL, len);
    fill(t, dst2, FILL, len);
    fill(t, tail, 0x77, 8 * len);

    qtest_qmp_assert_success(t->qts, "{'execute': 'migrate-set-parameters',"
                             " 'arguments': {'max-bandwidth': 1048576}}");
    qtest_qmp_assert_success(t->qts, "{'execute': 'migrate', 'arguments':"
                             " {'uri': %s}}", uri);
    for (i = 0; mig_pages(t->qts) < (int64_t)((dst2 + len) >> 12) + 64; i++) {
        g_assert_cmpuint(i, <, 3000);
        g_usleep(10 * 1000);
    }
    /* the pass is in the tail now: dst and dst2 went out holding FILL */
    g_assert_cmpstr(mig_status(t->qts), ==, "active");
    go(t, 0, src, dst, len, SYSDMA_DIR_M2M);
    poll_done_timed(t, 0);
    go(t, 1, 0, dst2, len, SYSDMA_DIR_P2M);
    poll_done_timed(t, 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(state(t, 1), ==, SYSDMA_STATE_COMPLETE);
    finish(t, 0);
    finish(t, 1);           /* FLUSH: the FIFO's last bytes reach RAM */
    g_assert_cmpstr(mig_status(t->qts), ==, "active");
    qtest_qmp_assert_success(t->qts, "{'execute': 'migrate-set-parameters',"
                             " 'arguments': {'max-bandwidth': 0}}");
    mig_wait(t->qts);

    d = g_new0(T, 1);
    d->qts = qtest_initf("-M pc -m 128M -device sysdma,addr=04.0,%s "
                         "-incoming defer", props);
    qtest_qmp_assert_success(d->qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s}}", uri);
    mig_wait(d->qts);
    t_attach(d);
    big_read(d, dst, got, len);
    g_assert(memcmp(got, want, len) == 0);
    big_read(d, dst2, got, len);
    for (i = 0; i < len; i++) {
        if (got[i] != sysdma_pattern_byte(0, i)) {
            g_assert_cmphex(got[i], ==, sysdma_pattern_byte(0, i));
        }
    }
    t_end(d);
    t_end(t);
    unlink(file);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    static const uint32_t rates[][3] = {
        { 3000000000u, 64, 1024 * 1024 },
        { 33554432, 4096, 64 * 1024 },
        { 1000, 4096, 64 * 1024 },
        { 1024, 1000, 65536 },
        { 123456789, 3000, 1024 * 1024 },
        { 4294967295u, 4096, 1024 * 1024 },
    };
    int i;

    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/sysdma/pause/m2m", test_pause_m2m);
    qtest_add_func("/sysdma/pause/withdrawn", test_pause_withdrawn);
    qtest_add_func("/sysdma/pause/p2m-cancel", test_pause_p2m_cancel);
    qtest_add_func("/sysdma/pause/noop-stalled", test_pause_noop_stalled);
    qtest_add_func("/sysdma/features/migrate", test_features_migrate);
    qtest_add_func("/sysdma/cyclic/m2p", test_cyclic_m2p);
    qtest_add_func("/sysdma/cyclic/p2m", test_cyclic_p2m);
    qtest_add_func("/sysdma/cyclic/bad", test_cyclic_bad);
    qtest_add_func("/sysdma/cyclic/rate0", test_cyclic_rate0);
    qtest_add_func("/sysdma/irq/causes", test_irq_causes);
    qtest_add_func("/sysdma/irq/desc", test_irq_desc);
    qtest_add_func("/sysdma/fault-addr", test_fault_addr);
    for (i = 0; i < ARRAY_SIZE(rates); i++) {
        g_autofree char *name = g_strdup_printf("/sysdma/rate/exact/%u-%u-%u",
                                                rates[i][0], rates[i][1],
                                                rates[i][2]);

        qtest_add_data_func(name, rates[i], test_rate_exact);
    }
    qtest_add_func("/sysdma/cancel-latency/rate", test_cancel_latency_rate);
    qtest_add_func("/sysdma/cancel-latency/rate0-fast", test_rate0_fast);
    qtest_add_func("/sysdma/fast-path/marks-dirty",
                   test_fast_path_marks_dirty);
    return g_test_run();
}
