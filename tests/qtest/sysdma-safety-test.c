/*
 * QTest: a hostile guest against the sysdma DMA controller.
 *
 * Each test is a guest-triggerable failure that was reproduced on the
 * device (a heap overflow, the device's own DMA or MSI reaching its
 * registers from a timer, livelocks), or a check of the class fix: every
 * DMA and interrupt of the engine runs in a re-entrancy-guarded context,
 * through the memory core's checks at the moment of the access.  See
 * qemu-device/REGISTERS.md, "Safety".
 *
 * A hang is a failure: every test runs in a subprocess with a watchdog
 * that kills QEMU when it stops answering.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <signal.h>
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qemu/bswap.h"
#include "hw/dma/sysdma-regs.h"

#define DEVFN       QPCI_DEVFN(4, 0)
#define DEVFN2      QPCI_DEVFN(5, 0)
#define RAM_SRC     0x100000
#define RAM_DST     0x300000
#define RAM_DESC    0x500000
#define RAM_MSI     0x600000
#define FILL        0xee
#define RATE_1MS    "rate=4096000"      /* one 4 KiB chunk per ms */
#define MS          1000000LL
#define WATCHDOG_S  30

typedef struct T {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIDevice *dev2;
    uint64_t base;                      /* BAR0 of the device */
    uint64_t base2;                     /* BAR0 of the second device */
    GThread *wd;
    GMutex wd_lock;
    GCond wd_cond;
    bool wd_done;
} T;

/* Watchdog: QEMU that does not answer within WATCHDOG_S is killed */
static gpointer watchdog(gpointer opaque)
{
    T *t = opaque;
    gint64 end = g_get_monotonic_time() + WATCHDOG_S * G_TIME_SPAN_SECOND;
    bool done;

    g_mutex_lock(&t->wd_lock);
    while (!t->wd_done && g_cond_wait_until(&t->wd_cond, &t->wd_lock, end)) {
        /* woken up: check again */
    }
    done = t->wd_done;
    g_mutex_unlock(&t->wd_lock);
    if (!done) {
        fprintf(stderr, "sysdma-safety: QEMU did not answer within %d s "
                "(hang): killed\n", WATCHDOG_S);
        kill(qtest_pid(t->qts), SIGKILL);
    }
    return NULL;
}

static uint64_t bar0(QPCIDevice *dev)
{
    QPCIBar bar = qpci_iomap(dev, 0, NULL);

    (void)bar;
    return qpci_config_readl(dev, PCI_BASE_ADDRESS_0) & ~0xfull;
}

static T *t_start(const char *props, const char *extra)
{
    T *t = g_new0(T, 1);

    t->qts = qtest_initf("-M pc -m 64M -device sysdma,addr=04.0%s%s %s",
                         props ? "," : "", props ? props : "",
                         extra ? extra : "");
    g_mutex_init(&t->wd_lock);
    g_cond_init(&t->wd_cond);
    t->wd = g_thread_new("watchdog", watchdog, t);
    t->bus = qpci_new_pc(t->qts, NULL);
    t->dev = qpci_device_find(t->bus, DEVFN);
    g_assert(t->dev);
    qpci_device_enable(t->dev);
    t->base = bar0(t->dev);
    t->dev2 = qpci_device_find(t->bus, DEVFN2);
    if (t->dev2) {
        qpci_device_enable(t->dev2);
        t->base2 = bar0(t->dev2);
    }
    return t;
}

static void t_end(T *t)
{
    g_mutex_lock(&t->wd_lock);
    t->wd_done = true;
    g_cond_signal(&t->wd_cond);
    g_mutex_unlock(&t->wd_lock);
    g_thread_join(t->wd);
    g_free(t->dev);
    g_free(t->dev2);
    qpci_free_pc(t->bus);
    qtest_quit(t->qts);
    g_mutex_clear(&t->wd_lock);
    g_cond_clear(&t->wd_cond);
    g_free(t);
}

static uint32_t rd(T *t, uint32_t off)
{
    return qtest_readl(t->qts, t->base + off);
}

static void wr(T *t, uint32_t off, uint32_t val)
{
    qtest_writel(t->qts, t->base + off, val);
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

static uint32_t vcount(T *t, int kind)
{
    return rd(t, SYSDMA_REG_VERIFY_COUNT(kind));
}

static void step(T *t, int64_t ns)
{
    qtest_clock_step(t->qts, ns);
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

static void arm(T *t, int ch, uint32_t mode, uint32_t sticky)
{
    cwr(t, ch, SYSDMA_CH_FAULT_STICKY, sticky);
    cwr(t, ch, SYSDMA_CH_FAULT_MODE, mode);
}

static void msi_to(QPCIDevice *dev, uint64_t addr, uint16_t data)
{
    uint8_t cap = qpci_find_capability(dev, PCI_CAP_ID_MSI, 0);
    uint16_t flags = qpci_config_readw(dev, cap + PCI_MSI_FLAGS);

    g_assert(cap);
    qpci_config_writel(dev, cap + PCI_MSI_ADDRESS_LO, addr);
    qpci_config_writel(dev, cap + PCI_MSI_ADDRESS_HI, addr >> 32);
    qpci_config_writew(dev, cap + PCI_MSI_DATA_64, data);
    qpci_config_writew(dev, cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
}

/* The device did not reset itself: nothing leaked, ch3's registers kept */
static void check_not_reset(T *t)
{
    g_assert_cmphex(rd(t, SYSDMA_REG_ID), ==, SYSDMA_ID_VALUE);
    g_assert_cmpuint(vcount(t, SYSDMA_V_LEAK), ==, 0);
    g_assert_cmphex(crd(t, 3, SYSDMA_CH_SEED), ==, 0x5eed);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_CLAIM), ==, 1);
}

static void mark_ch3(T *t)
{
    cwr(t, 3, SYSDMA_CH_CLAIM, 1);
    cwr(t, 3, SYSDMA_CH_SEED, 0x5eed);
}

/*
 * Reproduced heap overflow: P2M runs parked in the FIFO aimed at RAM that
 * PAM maps at 0xc0000; PAM switched back and BAR0 moved onto 0xc0000; the
 * next run evicted from the FIFO is written at the device's own CTRL.
 * Before the fix that reset the device in the middle of the drain,
 * fifo_runs underflowed and QEMU died in memmove (SIGSEGV).  Now the
 * memory core refuses the write at the moment of the access: ERROR /
 * ERR_ADDRESS, BYTES = the bytes that reached memory (none).
 */
static void test_fifo_drain_pam_bar_move(void)
{
    T *t = t_start("fifo-size=4096,chunk=4,rate=4000", NULL);
    QPCIDevice *host = qpci_device_find(t->bus, 0);
    const uint64_t win = 0xc0000;
    uint32_t seed = 1;
    int k;

    g_assert(host);
    while (!(sysdma_pattern_byte(seed, 0) & SYSDMA_CTRL_RESET)) {
        seed++;
    }
    qpci_config_writeb(host, 0x5a, 0x33);    /* PAM1: 0xc0000-0xc7fff RAM */
    /*
     * 20 descriptors of 4 bytes, each its own FIFO run: the first aimed
     * at what will be CTRL, the others at ordinary RAM
     */
    for (k = 0; k < 20; k++) {
        desc(t, RAM_DESC + 32 * k, 0,
             k ? RAM_DST + 16 * k : win + SYSDMA_REG_CTRL, 4,
             k == 19 ? SYSDMA_DESC_END : 0, RAM_DESC + 32 * (k + 1));
    }
    mark_ch3(t);
    cwr(t, 0, SYSDMA_CH_SEED, seed);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_P2M | SYSDMA_CFG_SG);
    step(t, 16 * MS + MS / 2);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 64);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 64);

    qpci_config_writeb(host, 0x5a, 0x00);    /* PAM1 back to PCI */
    qpci_config_writel(t->dev, PCI_BASE_ADDRESS_0, win);
    g_assert_cmphex(qpci_config_readl(t->dev, PCI_BASE_ADDRESS_0), ==, win);
    t->base = win;
    g_assert_cmphex(rd(t, SYSDMA_REG_ID), ==, SYSDMA_ID_VALUE);

    step(t, 2 * MS);                        /* the 17th run evicts run 0 */
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (SYSDMA_ERR_ADDRESS << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    /* nothing reached memory: the failed run was the first of the chain */
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 1);
    check_not_reset(t);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_IDLE);
    g_free(host);
    t_end(t);
}

/*
 * FLUSH of P2M data whose target became the device's own BAR: the drain
 * fails, the channel reports it (ERROR / ERR_ADDRESS, BYTES = delivered
 * bytes), the device is not reset by its own data.
 */
static void test_flush_to_own_bar(void)
{
    T *t = t_start("fifo-size=4096,chunk=4,rate=4000", NULL);
    QPCIDevice *host = qpci_device_find(t->bus, 0);
    const uint64_t win = 0xc0000;
    uint32_t seed = 1;

    g_assert(host);
    while (!(sysdma_pattern_byte(seed, 0) & SYSDMA_CTRL_RESET)) {
        seed++;
    }
    qpci_config_writeb(host, 0x5a, 0x33);
    mark_ch3(t);
    cwr(t, 0, SYSDMA_CH_SEED, seed);
    go(t, 0, 0, win + SYSDMA_REG_CTRL, 16, SYSDMA_DIR_P2M);
    step(t, 10 * MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 16);
    qpci_config_writeb(host, 0x5a, 0x00);
    qpci_config_writel(t->dev, PCI_BASE_ADDRESS_0, win);
    t->base = win;
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (SYSDMA_ERR_ADDRESS << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 1);
    check_not_reset(t);
    g_free(host);
    t_end(t);
}

/*
 * Reproduced: the completion MSI, sent from the step timer, aimed at the
 * device's own CTRL with data CTRL_RESET, reset the device from its own
 * completion.  A self-targeted MSI is refused (V_BAD_ADDRESS); the
 * channel stays COMPLETE with IRQ.DONE.  @fault: FAULT_DELAY_IRQ (the
 * message then comes from the delayed-interrupt timer) or 0.
 */
static void msi_own_ctrl(uint32_t fault)
{
    T *t = t_start(RATE_1MS, NULL);

    mark_ch3(t);
    msi_to(t->dev, t->base + SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
    arm(t, 0, fault, 0);
    go(t, 0, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    step(t, 5 * MS);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 1);
    check_not_reset(t);
    t_end(t);
}

static void test_msi_own_ctrl_step_timer(void)
{
    msi_own_ctrl(0);
}

static void test_msi_own_ctrl_delay_timer(void)
{
    msi_own_ctrl(SYSDMA_FAULT_DELAY_IRQ);
}

/*
 * Reproduced hang: the MSI aimed at the channel's own START, a sticky
 * FAULT_DELAY_IRQ of 0 us and a zero-length transfer: each delayed
 * interrupt restarted the channel, whose end armed the timer again at the
 * same instant, and QEMU never left its timer list.  Now the message is
 * refused and counted, the channel ends once.
 */
static void test_msi_own_start_retrigger(void)
{
    T *t = t_start(NULL, NULL);
    int i;

    msi_to(t->dev, t->base + SYSDMA_CH_BASE(0) + SYSDMA_CH_START, 0);
    cwr(t, 0, SYSDMA_CH_FAULT_DELAY_US, 0);
    cwr(t, 0, SYSDMA_CH_FAULT_SLOW_RATE, 0);
    arm(t, 0, SYSDMA_FAULT_DELAY_IRQ | SYSDMA_FAULT_SLOW,
        SYSDMA_FAULT_DELAY_IRQ | SYSDMA_FAULT_SLOW);
    go(t, 0, RAM_SRC, RAM_DST, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    for (i = 0; i < 10; i++) {
        step(t, MS);
    }
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    /* started once: a restart would count V1 (START without FLUSH) */
    g_assert_cmpuint(vcount(t, SYSDMA_V_REPROGRAM_NO_FLUSH), ==, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_ZERO_LENGTH), ==, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 1);
    t_end(t);
}

/*
 * Two controllers whose MSIs start each other (zero-length transfers, a
 * sticky 0 us delayed interrupt): an endless ping-pong the guest asked
 * for.  Each hop is one bottom half, so QEMU keeps answering; before the
 * fix the hops ran inside one timer-list walk and QEMU hung.
 */
static void test_pingpong_responsive(void)
{
    T *t = t_start(NULL, "-device sysdma,addr=05.0");
    uint64_t a = t->base, b = t->base2;
    int i, side;

    g_assert(t->dev2);
    msi_to(t->dev, b + SYSDMA_CH_BASE(0) + SYSDMA_CH_START, 0);
    msi_to(t->dev2, a + SYSDMA_CH_BASE(0) + SYSDMA_CH_START, 0);
    for (side = 1; side >= 0; side--) {
        t->base = side ? b : a;
        cwr(t, 0, SYSDMA_CH_FAULT_DELAY_US, 0);
        arm(t, 0, SYSDMA_FAULT_DELAY_IRQ, SYSDMA_FAULT_DELAY_IRQ);
        cwr(t, 0, SYSDMA_CH_CLAIM, 1);
        prog(t, 0, RAM_SRC, RAM_DST, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    }
    cwr(t, 0, SYSDMA_CH_START, 1);
    for (i = 0; i < 200; i++) {
        step(t, 1000);
        g_assert_cmphex(rd(t, SYSDMA_REG_ID), ==, SYSDMA_ID_VALUE);
    }
    /* both sides really restarted each other (V1 counts each restart) */
    g_assert_cmpuint(vcount(t, SYSDMA_V_REPROGRAM_NO_FLUSH), >, 0);
    t->base = b;
    g_assert_cmpuint(vcount(t, SYSDMA_V_REPROGRAM_NO_FLUSH), >, 0);
    /* the guest stops it */
    arm(t, 0, 0, 0);
    t->base = a;
    arm(t, 0, 0, 0);
    for (i = 0; i < 10; i++) {
        step(t, MS);
    }
    g_assert_cmpuint(state(t, 0), !=, SYSDMA_STATE_BUSY);
    t_end(t);
}

/*
 * Reproduced livelock: END set on a descriptor (or its length shrunk)
 * after START leaves BYTES < TOTAL with nothing left to move; the channel
 * rescheduled itself forever (at rate 0 a host core spun at 100 %).  Now
 * it ends ERROR / ERR_DESCRIPTOR with exact BYTES.  @rate0: run the
 * engine from its bottom half (FAULT_SLOW with rate 0).
 */
static void chain_changed(bool shrink, bool rate0)
{
    T *t = t_start(rate0 ? "rate=0,chunk=4,fast-step=0" : RATE_1MS, NULL);
    /* rate 0 moves 4 bytes per main-loop turn: change the tail early */
    int k = rate0 ? (shrink ? 3 : 2) : 1, i;
    uint32_t want = shrink ? 3 * 4096 + 100 : (k + 1) * 4096;

    for (i = 0; i < 4; i++) {
        desc(t, RAM_DESC + 32 * i, RAM_SRC + 4096 * i, RAM_DST + 4096 * i,
             4096, i == 3 ? SYSDMA_DESC_END : 0, RAM_DESC + 32 * (i + 1));
    }
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
    if (!rate0) {
        step(t, MS / 2);        /* descriptor 1 is fetched at 2 ms */
    }
    desc(t, RAM_DESC + 32 * k, RAM_SRC + 4096 * k, RAM_DST + 4096 * k,
         shrink ? 100 : 4096, shrink && k != 3 ? 0 : SYSDMA_DESC_END,
         RAM_DESC + 32 * (k + 1));
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_TOTAL), ==, 4 * 4096);
    for (i = 0; i < 5000 && state(t, 0) == SYSDMA_STATE_BUSY; i++) {
        step(t, rate0 ? 1 : MS);
    }
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (SYSDMA_ERR_DESCRIPTOR << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, want);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, 4 * 4096 - want);
    t_end(t);
}

static void test_chain_end_set(void)
{
    chain_changed(false, false);
}

static void test_chain_shrunk(void)
{
    chain_changed(true, false);
}

static void test_chain_end_set_rate0(void)
{
    chain_changed(false, true);
}

static void test_chain_shrunk_rate0(void)
{
    chain_changed(true, true);
}

/*
 * Address arithmetic at the top of the 64-bit space: a range ending
 * exactly at 2^64 is a range (the overlap check sees it: before the fix
 * its end wrapped to 0 and identical ranges were "not overlapping"); a
 * range that would wrap past 2^64 is refused at START with BYTES 0 and
 * address 0 is never touched.
 */
static void test_top_of_address_space(void)
{
    T *t = t_start(NULL, NULL);
    const uint64_t top = 0xfffffffffffff000ull;
    g_autofree uint8_t *low = g_malloc(8192);
    g_autofree uint8_t *got = g_malloc(8192);

    memset(low, 0x5a, 8192);
    qtest_memwrite(t->qts, 0, low, 8192);
    go(t, 0, top, top, 4096, SYSDMA_DIR_M2M);
    step(t, 10 * MS);
    g_assert_cmpuint(vcount(t, SYSDMA_V_OVERLAP), ==, 1);
    g_assert_cmpuint(errcode(t, 0), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    /* src 2^64 - 4096 + 8192 bytes would wrap to 0: refused at START */
    go(t, 1, top, RAM_DST, 8192, SYSDMA_DIR_M2M);
    g_assert_cmpuint(errcode(t, 1), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 0);
    go(t, 2, RAM_SRC, top + 8, 4096, SYSDMA_DIR_P2M);
    g_assert_cmpuint(errcode(t, 2), ==, SYSDMA_ERR_ADDRESS);
    /* one M2M range overlapping the other only through the wrap */
    go(t, 3, 0x100, top + 0xf00, 0x200, SYSDMA_DIR_M2M);
    g_assert_cmpuint(errcode(t, 3), ==, SYSDMA_ERR_ADDRESS);
    step(t, 10 * MS);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_BYTES), ==, 0);
    qtest_memread(t->qts, 0, got, 8192);
    g_assert(memcmp(got, low, 8192) == 0);
    /* a descriptor whose destination would wrap */
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    desc(t, RAM_DESC, RAM_SRC, top + 16, 4096, SYSDMA_DESC_END, 0);
    prog(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
    cwr(t, 0, SYSDMA_CH_START, 1);
    g_assert_cmpuint(errcode(t, 0), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    t_end(t);
}

/*
 * The device does DMA and MSI at itself from every context it has: the
 * START register write (descriptor fetch, zero-length completion MSI),
 * the step timer, the bottom half (rate 0), the delayed-interrupt timer
 * and FLUSH.  None of it reaches the registers: every access is refused
 * and counted, the device is never reset by its own traffic.
 */
static void test_self_dma_every_context(void)
{
    T *t = t_start(RATE_1MS, NULL);
    uint32_t one = SYSDMA_CTRL_RESET, bad0;
    int i;

    mark_ch3(t);
    qtest_memwrite(t->qts, RAM_SRC, &one, 4);
    msi_to(t->dev, t->base + SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
    /* START context: the descriptor is the BAR; completion MSI */
    go(t, 0, t->base + SYSDMA_CH_BASE(0), 0, 0,
       SYSDMA_DIR_M2M | SYSDMA_CFG_SG | SYSDMA_CFG_IRQ_EN);
    g_assert_cmpuint(errcode(t, 0), ==, SYSDMA_ERR_ADDRESS);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    go(t, 0, RAM_SRC, RAM_DST, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    check_not_reset(t);
    /* step timer: data to CTRL, then the completion MSI */
    go(t, 1, RAM_SRC, t->base + SYSDMA_REG_CTRL, 4,
       SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, 2 * MS);
    g_assert_cmpuint(errcode(t, 1), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 0);
    cwr(t, 1, SYSDMA_CH_FLUSH, 1);
    check_not_reset(t);
    /* bottom half (rate 0): reading the BAR, writing CTRL */
    cwr(t, 2, SYSDMA_CH_FAULT_SLOW_RATE, 0);
    arm(t, 2, SYSDMA_FAULT_SLOW, SYSDMA_FAULT_SLOW);
    go(t, 2, t->base + SYSDMA_REG_ID, RAM_DST, 4, SYSDMA_DIR_M2M);
    for (i = 0; i < 10 && state(t, 2) == SYSDMA_STATE_BUSY; i++) {
        step(t, 1);
    }
    g_assert_cmpuint(errcode(t, 2), ==, SYSDMA_ERR_ADDRESS);
    cwr(t, 2, SYSDMA_CH_FLUSH, 1);
    go(t, 2, RAM_SRC, t->base + SYSDMA_REG_CTRL, 4,
       SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    for (i = 0; i < 10 && state(t, 2) == SYSDMA_STATE_BUSY; i++) {
        step(t, 1);
    }
    g_assert_cmpuint(errcode(t, 2), ==, SYSDMA_ERR_ADDRESS);
    cwr(t, 2, SYSDMA_CH_FLUSH, 1);
    check_not_reset(t);
    /* delayed-interrupt timer */
    arm(t, 1, SYSDMA_FAULT_DELAY_IRQ, 0);
    go(t, 1, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, 10 * MS);
    g_assert_cmpuint(state(t, 1), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    check_not_reset(t);
    /* every access was refused and counted */
    bad0 = vcount(t, SYSDMA_V_BAD_ADDRESS);
    g_assert_cmpuint(bad0, >=, 8);
    t_end(t);
}

/*
 * strict: a violation on a channel whose transfer already ended (the
 * driver has not read STATUS yet) is counted, but does not turn the
 * COMPLETE into ERROR: the data did arrive.
 */
static void test_strict_keeps_complete(void)
{
    T *t = t_start("x-strict=on", NULL);

    go(t, 0, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M);
    step(t, 10 * MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    cwr(t, 0, SYSDMA_CH_CLAIM, 7);          /* V_BAD_REGISTER */
    cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);  /* V_ACK_NOT_PENDING */
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 4096);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 2);
    t_end(t);
}

/* The device's x-idle-wakeups: bottom-half runs that found nothing to do */
static uint64_t idle_wakeups(T *t)
{
    QDict *rsp = qtest_qmp(t->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': '/machine/peripheral/sysdma0', "
                           "'property': 'x-idle-wakeups' } }");
    uint64_t n;

    g_assert(qdict_haskey(rsp, "return"));
    n = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return n;
}

/*
 * Issue 8's last fuzz finding: a 3-byte P2M START to BIOS ROM at rate
 * 4096000 "spun the main loop".  It was qtest's frozen clock, not the
 * device: the step is due 732 ns of virtual time later, so the main loop
 * polls with a 732 ns timeout until clock_step.  The device itself stays
 * still (no wake-up finds nothing to do), the step runs once the time has
 * passed, and FLUSH to ROM then fails with ERR_ADDRESS where it happened.
 * And a rate-0 ring that moves data for ever is work, not idling.
 */
static void test_idle_with_step_due(void)
{
    T *t = t_start("id=sysdma0," RATE_1MS, NULL);
    uint64_t w0, d0;

    go(t, 0, 0x46ff7a7531669d5dull, 0xffff7, 3,
       SYSDMA_DIR_P2M | SYSDMA_CFG_IRQ_EN);
    w0 = idle_wakeups(t);
    g_usleep(400 * 1000);
    g_assert_cmpuint(idle_wakeups(t) - w0, <=, 2);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    step(t, 732);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_ERROR);
    g_assert_cmpuint(errcode(t, 0), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_FAULT_ADDR_LO), ==, 0xffff7);
    t_end(t);

    t = t_start("id=sysdma0,rate=0", NULL);
    desc(t, RAM_DESC, RAM_SRC, 0, 4096, 0, RAM_DESC);
    go(t, 1, RAM_DESC, 0, 0, SYSDMA_DIR_M2P | SYSDMA_CFG_SG |
       SYSDMA_CFG_CYCLIC);
    w0 = idle_wakeups(t);
    d0 = crd(t, 1, SYSDMA_CH_DESC_DONE);
    g_usleep(400 * 1000);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_DESC_DONE), >, d0 + 100);
    g_assert_cmpuint(idle_wakeups(t) - w0, <=, 2);
    cwr(t, 1, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(state(t, 1), ==, SYSDMA_STATE_CANCELLED);
    t_end(t);
}

/* Every test in its own process: a hang killed by the watchdog fails it */
static void run_isolated(gconstpointer data)
{
    void (*body)(void) = (void (*)(void))data;

    if (g_test_subprocess()) {
        body();
        return;
    }
    g_test_trap_subprocess(NULL, (WATCHDOG_S + 30) * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    if (!g_test_trap_has_passed()) {
        g_test_message("the test process failed (QEMU crashed, hung or "
                       "a check failed: see above)");
        g_test_fail();
    }
}

static void add(const char *path, void (*body)(void))
{
    qtest_add_data_func(path, (gconstpointer)body, run_isolated);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add("/sysdma/safety/fifo-drain-pam-bar-move", test_fifo_drain_pam_bar_move);
    add("/sysdma/safety/flush-to-own-bar", test_flush_to_own_bar);
    add("/sysdma/safety/msi-own-ctrl-step-timer",
        test_msi_own_ctrl_step_timer);
    add("/sysdma/safety/msi-own-ctrl-delay-timer",
        test_msi_own_ctrl_delay_timer);
    add("/sysdma/safety/msi-own-start-retrigger",
        test_msi_own_start_retrigger);
    add("/sysdma/safety/msi-pingpong-responsive", test_pingpong_responsive);
    add("/sysdma/safety/chain-end-set-while-running", test_chain_end_set);
    add("/sysdma/safety/chain-shrunk-while-running", test_chain_shrunk);
    add("/sysdma/safety/chain-end-set-rate0", test_chain_end_set_rate0);
    add("/sysdma/safety/chain-shrunk-rate0", test_chain_shrunk_rate0);
    add("/sysdma/safety/top-of-address-space", test_top_of_address_space);
    add("/sysdma/safety/self-dma-every-context", test_self_dma_every_context);
    add("/sysdma/safety/strict-keeps-complete", test_strict_keeps_complete);
    add("/sysdma/safety/idle-with-step-due", test_idle_with_step_due);
    return g_test_run();
}
