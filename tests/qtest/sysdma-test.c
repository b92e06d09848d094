/*
 * QTest for the sysdma system DMA controller (qemu-device/REGISTERS.md).
 *
 * Test names cite the rules of CONTRACT.md they prove (H1, H2, K6, K10,
 * V1-V4).  Every test checks exact values: byte counts, memory contents,
 * counters and interrupt levels.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "hw/dma/sysdma_regs.h"

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

typedef struct T {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t bar_addr;
} T;

static void t_attach(T *t)
{
    t->bus = qpci_new_pc(t->qts, NULL);
    t->dev = qpci_device_find(t->bus, DEVFN);
    g_assert(t->dev);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, 0, NULL);
    t->bar_addr = qpci_config_readl(t->dev, PCI_BASE_ADDRESS_0) & ~0xfull;
}

static T *t_start(const char *props, const char *extra)
{
    T *t = g_new0(T, 1);

    t->qts = qtest_initf("-M pc -m 64M -device sysdma,addr=04.0%s%s %s",
                         props ? "," : "", props ? props : "",
                         extra ? extra : "");
    t_attach(t);
    return t;
}

static void t_detach(T *t)
{
    g_free(t->dev);
    qpci_free_pc(t->bus);
}

static void t_end(T *t)
{
    t_detach(t);
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

static uint32_t vcount(T *t, int kind)
{
    return rd(t, SYSDMA_REG_VERIFY_COUNT(kind));
}

static void step(T *t, int64_t ns)
{
    qtest_clock_step(t->qts, ns);
}

static void fill(T *t, uint64_t addr, uint8_t v, size_t len)
{
    qtest_memset(t->qts, addr, v, len);
}

/* Source buffer with a recognisable, position-dependent content */
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

/* Exactly @n pattern bytes (stream offset @off0 on) at @addr, then FILL */
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

/* zlib-compatible CRC-32, written independently of the device */
static uint32_t crc32_ref(const uint8_t *b, size_t len)
{
    uint32_t c = 0xffffffff;
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

/* claim, program, start */
static void go(T *t, int ch, uint64_t src, uint64_t dst, uint32_t len,
               uint32_t cfg)
{
    cwr(t, ch, SYSDMA_CH_CLAIM, 1);
    prog(t, ch, src, dst, len, cfg);
    cwr(t, ch, SYSDMA_CH_START, 1);
}

/* Run virtual time until the channel leaves BUSY; returns the ns it took */
static int64_t run(T *t, int ch)
{
    int64_t t0 = qtest_clock_step(t->qts, 1), now = t0;
    int i;

    for (i = 0; i < 100000 && state(t, ch) == SYSDMA_STATE_BUSY; i++) {
        now = qtest_clock_step(t->qts, 100 * 1000);
    }
    g_assert_cmpuint(state(t, ch), !=, SYSDMA_STATE_BUSY);
    return now - t0;
}

/* flush, acknowledge, release: the driver's end of a transfer (H2, V4) */
static void finish(T *t, int ch)
{
    cwr(t, ch, SYSDMA_CH_FLUSH, 1);
    if (crd(t, ch, SYSDMA_CH_IRQ)) {
        cwr(t, ch, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);
    }
    cwr(t, ch, SYSDMA_CH_CLAIM, 0);
}

static void assert_no_violation(T *t)
{
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 0);
}

static uint32_t qom_u32(T *t, const char *prop)
{
    QDict *rsp = qtest_qmp(t->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral-anon/device[0]', "
                           "'property': %s}}", prop);
    uint32_t v;

    g_assert(qdict_haskey(rsp, "return"));
    v = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return v;
}

static void qom_set_u32(T *t, const char *prop, int64_t val)
{
    qtest_qmp_assert_success(t->qts, "{'execute': 'qom-set', 'arguments': "
                             "{'path': '/machine/peripheral-anon/device[0]', "
                             "'property': %s, 'value': %" PRId64 "}}",
                             prop, val);
}

/* Identification --------------------------------------------------------- */

static void test_id(void)
{
    T *t = t_start(NULL, NULL);

    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==,
                    SYSDMA_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_DEVICE_ID), ==,
                    SYSDMA_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_CLASS_DEVICE), ==,
                    SYSDMA_PCI_CLASS);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_INTERRUPT_PIN), ==, 1);
    g_assert_cmphex(rd(t, SYSDMA_REG_ID), ==, SYSDMA_ID_VALUE);
    g_assert_cmphex(rd(t, SYSDMA_REG_VERSION), ==, SYSDMA_VERSION_VALUE);
    g_assert_cmphex(rd(t, SYSDMA_REG_CAPS), ==, 4 | SYSDMA_CAPS_SG |
                    SYSDMA_CAPS_FIFO | SYSDMA_CAPS_FAULTS |
                    SYSDMA_CAPS_VERIFIER | SYSDMA_CAPS_PERIPHERAL);
    g_assert_cmpuint(rd(t, SYSDMA_REG_MAX_XFER), ==, 64 * 1024);
    g_assert_cmpuint(rd(t, SYSDMA_REG_FIFO_SIZE), ==, 64);
    g_assert_cmpuint(rd(t, SYSDMA_REG_RATE), ==, 32 * 1024 * 1024);
    g_assert_cmpuint(rd(t, SYSDMA_REG_CHUNK), ==, 4096);
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_IDLE);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_STATUS), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_SLOW_RATE), ==, 64 * 1024);
    g_assert(qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0));
    assert_no_violation(t);
    t_end(t);
}

static void test_id_props(void)
{
    T *t = t_start("channels=8,max-transfer=1048576,fifo-size=16,"
                   "rate=1000,chunk=512", NULL);

    g_assert_cmphex(rd(t, SYSDMA_REG_CAPS) & SYSDMA_CAPS_CHANNELS_MASK,
                    ==, 8);
    g_assert_cmpuint(rd(t, SYSDMA_REG_MAX_XFER), ==, 1048576);
    g_assert_cmpuint(rd(t, SYSDMA_REG_FIFO_SIZE), ==, 16);
    g_assert_cmpuint(rd(t, SYSDMA_REG_RATE), ==, 1000);
    g_assert_cmpuint(rd(t, SYSDMA_REG_CHUNK), ==, 512);
    cwr(t, 7, SYSDMA_CH_SEED, 0x1234);
    g_assert_cmphex(crd(t, 7, SYSDMA_CH_SEED), ==, 0x1234);
    assert_no_violation(t);
    t_end(t);
}

/* Directions ------------------------------------------------------------- */

static void test_m2m(void)
{
    T *t = t_start(NULL, NULL);
    const uint32_t len = 10000;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 1);

    fill(t, RAM_DST, FILL, len + 100);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_TOTAL), ==, len);
    run(t, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, len);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 1);
    check_copied(t, RAM_DST, want, len, len + 100);
    finish(t, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, len);
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    assert_no_violation(t);
    t_end(t);
}

static void test_m2p(void)
{
    T *t = t_start(NULL, NULL);
    const uint32_t len = 12345;
    g_autofree uint8_t *data = src_data(t, RAM_SRC, len, 9);

    go(t, 1, RAM_SRC, 0, len, SYSDMA_DIR_M2P);
    run(t, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, len);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, crc32_ref(data, len));
    /* no IRQ_EN: no interrupt bit */
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_IRQ), ==, 0);
    finish(t, 1);
    /* the sink restarts at START */
    go(t, 1, RAM_SRC + 100, 0, 1000, SYSDMA_DIR_M2P);
    run(t, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==,
                    crc32_ref(data + 100, 1000));
    finish(t, 1);
    assert_no_violation(t);
    t_end(t);
}

/* H2: P2M data passes the FIFO; the last FIFO_SIZE bytes land on FLUSH */
static void test_h2_p2m_fifo(void)
{
    T *t = t_start(NULL, NULL);
    const uint32_t len = 9000, seed = 0xc0ffee;

    fill(t, RAM_DST, FILL, len + 64);
    cwr(t, 2, SYSDMA_CH_SEED, seed);
    go(t, 2, 0, RAM_DST, len, SYSDMA_DIR_P2M);
    run(t, 2);
    g_assert_cmphex(crd(t, 2, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_BYTES), ==, len);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    check_pattern(t, RAM_DST, seed, 0, len - 64, len + 64);
    cwr(t, 2, SYSDMA_CH_FLUSH, 1);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_FIFO_LEVEL), ==, 0);
    g_assert_cmphex(crd(t, 2, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE |
                    SYSDMA_STATUS_CLAIMED);
    check_pattern(t, RAM_DST, seed, 0, len, len + 64);
    cwr(t, 2, SYSDMA_CH_CLAIM, 0);
    assert_no_violation(t);
    t_end(t);
}

/* H2: a transfer shorter than the FIFO reaches memory only on FLUSH */
static void test_h2_p2m_short(void)
{
    T *t = t_start(NULL, NULL);

    fill(t, RAM_DST, FILL, 64);
    cwr(t, 0, SYSDMA_CH_SEED, 5);
    go(t, 0, 0, RAM_DST, 40, SYSDMA_DIR_P2M);
    run(t, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 40);
    check_pattern(t, RAM_DST, 5, 0, 0, 64);
    finish(t, 0);
    check_pattern(t, RAM_DST, 5, 0, 40, 64);
    assert_no_violation(t);
    t_end(t);
}

/* H2: every direction ends owing a flush; FLUSH -> IDLE; V3 flush-idle */
static void test_h2_flush_owed(void)
{
    T *t = t_start(NULL, NULL);
    uint32_t dir;

    src_data(t, RAM_SRC, 4096, 3);
    for (dir = SYSDMA_DIR_M2M; dir <= SYSDMA_DIR_P2M; dir++) {
        go(t, 0, RAM_SRC, RAM_DST, 4096, dir);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_STATUS) &
                         SYSDMA_STATUS_FLUSH_OWED, ==, 0);
        run(t, 0);
        g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==,
                        SYSDMA_STATE_COMPLETE | SYSDMA_STATUS_FLUSH_OWED |
                        SYSDMA_STATUS_CLAIMED);
        finish(t, 0);
        g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);
    }
    assert_no_violation(t);
    /* V3: FLUSH with nothing owed */
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_FLUSH_IDLE), ==, 1);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);
    t_end(t);
}

/* V1: START while a flush is owed counts, and the FIFO data is lost */
static void test_v1_reprogram_no_flush(void)
{
    T *t = t_start(NULL, NULL);

    fill(t, RAM_DST, FILL, 8192);
    cwr(t, 0, SYSDMA_CH_SEED, 77);
    go(t, 0, 0, RAM_DST, 4096, SYSDMA_DIR_P2M);
    run(t, 0);
    prog(t, 0, 0, RAM_DST + 4096, 100, SYSDMA_DIR_P2M);
    cwr(t, 0, SYSDMA_CH_START, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_REPROGRAM_NO_FLUSH), ==, 1);
    run(t, 0);
    /* the second transfer ran (not strict) */
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 100);
    finish(t, 0);
    /* the first one's last 64 bytes never reached memory */
    check_pattern(t, RAM_DST, 77, 0, 4096 - 64, 4096);
    check_pattern(t, RAM_DST + 4096, 77, 0, 100, 200);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 1);
    t_end(t);
}

/* V1: releasing the channel while a flush is owed */
static void test_v1_release_no_flush(void)
{
    T *t = t_start(NULL, NULL);

    src_data(t, RAM_SRC, 100, 0);
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M);
    run(t, 0);
    cwr(t, 0, SYSDMA_CH_CLAIM, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_RELEASE_NO_FLUSH), ==, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 1);
    t_end(t);
}

/* Timing ----------------------------------------------------------------- */

static void test_timing_rate(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 10 * 4096 + 100;
    int k;

    src_data(t, RAM_SRC, len, 2);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M);
    for (k = 0; k < 10; k++) {
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, k * 4096);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, len - k * 4096);
        step(t, MS - 1);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, k * 4096);
        step(t, 1);
    }
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 10 * 4096);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    /* the last 100 bytes take 100/4096000 s = 24414 ns */
    step(t, 24413);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    step(t, 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, len);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* rate=0: finishes without virtual time passing, in bounded chunks */
static void test_timing_rate0(void)
{
    T *t = t_start("rate=0,max-transfer=16777216", NULL);
    const uint32_t len = 16 * 1024 * 1024;
    int64_t v0 = qtest_clock_step(t->qts, 1);
    gint64 w0 = g_get_monotonic_time(), w;
    int polls = 0;

    go(t, 0, 0x1000000, 0x2000000, len, SYSDMA_DIR_M2M);
    while (state(t, 0) == SYSDMA_STATE_BUSY) {
        g_assert_cmpint(++polls, <, 10000000);
    }
    w = g_get_monotonic_time() - w0;
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, len);
    g_assert_cmpint(qtest_clock_step(t->qts, 1), ==, v0 + 1);
    /* the main loop kept answering while the engine ran */
    g_assert_cmpint(polls, >, 1);
    g_test_message("rate=0: %u bytes in %" PRId64 " us wall (%.1f MiB/s), "
                   "0 ns virtual, %d status polls answered meanwhile",
                   len, (int64_t)w, len / (w / 1e6) / (1024 * 1024), polls);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* Cancel (H1, K6) -------------------------------------------------------- */

/* H1/K6: cancel half way: BYTES exact and memory holds exactly BYTES */
static void test_h1_cancel_half_way(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 64 * 1024;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 4);

    fill(t, RAM_DST, FILL, len);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, 8 * MS + MS / 2);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_CANCELLED |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 8 * 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_RESIDUE), ==, len - 8 * 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    check_copied(t, RAM_DST, want, 8 * 4096, len);
    /* nothing moves after the cancel */
    step(t, 100 * MS);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 8 * 4096);
    check_copied(t, RAM_DST, want, 8 * 4096, len);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* H1: cancel exactly at chunk boundaries (the chunk due "now" is done) */
static void test_h1_cancel_chunk_boundary(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 8 * 4096;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 5);
    int k;

    for (k = 0; k <= 8; k++) {
        fill(t, RAM_DST, FILL, len);
        go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M);
        if (k) {
            step(t, k * MS);
        }
        cwr(t, 0, SYSDMA_CH_CANCEL, 1);
        if (k < 8) {
            g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_CANCELLED);
        } else {
            /* the last chunk ended the transfer: the cancel lost the race */
            g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
        }
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, k * 4096);
        check_copied(t, RAM_DST, want, k * 4096, len);
        finish(t, 0);
    }
    assert_no_violation(t);
    t_end(t);
}

/* H1: cancel of a P2M transfer: the FIFO still owes its bytes to FLUSH */
static void test_h1_cancel_p2m(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 16 * 4096;

    fill(t, RAM_DST, FILL, len);
    cwr(t, 3, SYSDMA_CH_SEED, 0xabc);
    go(t, 3, 0, RAM_DST, len, SYSDMA_DIR_P2M);
    step(t, 5 * MS + 10);
    cwr(t, 3, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(state(t, 3), ==, SYSDMA_STATE_CANCELLED);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_BYTES), ==, 5 * 4096);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    check_pattern(t, RAM_DST, 0xabc, 0, 5 * 4096 - 64, len);
    cwr(t, 3, SYSDMA_CH_FLUSH, 1);
    check_pattern(t, RAM_DST, 0xabc, 0, 5 * 4096, len);
    cwr(t, 3, SYSDMA_CH_CLAIM, 0);
    assert_no_violation(t);
    t_end(t);
}

/* H1: cancel after completion leaves COMPLETE and is not a violation */
static void test_h1_cancel_after_complete(void)
{
    T *t = t_start(NULL, NULL);

    src_data(t, RAM_SRC, 5000, 6);
    go(t, 0, RAM_SRC, RAM_DST, 5000, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 5000);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* V3: cancel with nothing mapped (idle, or after FLUSH) is counted */
static void test_v3_cancel_idle(void)
{
    T *t = t_start(NULL, NULL);

    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_CANCEL_IDLE), ==, 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_IDLE);
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M);
    run(t, 0);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_CANCEL_IDLE), ==, 2);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 2);
    t_end(t);
}

/* Interrupts ------------------------------------------------------------- */

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

static void test_irq_intx(void)
{
    T *t = t_start(NULL, NULL);

    route_intx(t);
    g_assert(!qtest_get_irq(t->qts, 11));
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    go(t, 2, RAM_SRC, RAM_DST + 4096, 100, SYSDMA_DIR_M2M |
       SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    run(t, 2);
    g_assert(qtest_get_irq(t->qts, 11));
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0x5);
    cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);      /* W1C */
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0x4);
    g_assert(qtest_get_irq(t->qts, 11));            /* ch2 still pending */
    cwr(t, 2, SYSDMA_CH_IRQ, 0);                    /* writing 0: no-op */
    g_assert(qtest_get_irq(t->qts, 11));
    cwr(t, 2, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);
    g_assert(!qtest_get_irq(t->qts, 11));
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    finish(t, 0);
    finish(t, 2);
    assert_no_violation(t);
    /* V3: acknowledging what is not pending */
    cwr(t, 2, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);
    g_assert_cmpuint(vcount(t, SYSDMA_V_ACK_NOT_PENDING), ==, 1);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 1);
    t_end(t);
}

static void enable_msi(T *t, uint16_t data)
{
    uint8_t cap = qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0);
    uint16_t flags = qpci_config_readw(t->dev, cap + PCI_MSI_FLAGS);

    g_assert(cap);
    g_assert(flags & PCI_MSI_FLAGS_64BIT);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_LO, RAM_MSI);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_HI, 0);
    qpci_config_writew(t->dev, cap + PCI_MSI_DATA_64, data);
    qpci_config_writew(t->dev, cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
    qtest_writel(t->qts, RAM_MSI, 0);
}

/* MSI: one message per completion, written where the guest pointed it */
static void test_irq_msi(void)
{
    T *t = t_start(NULL, NULL);

    route_intx(t);
    enable_msi(t, 0x4d5a);
    go(t, 1, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    run(t, 1);
    g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0x4d5a);
    g_assert(!qtest_get_irq(t->qts, 11));           /* no INTx with MSI */
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 2);
    qtest_writel(t->qts, RAM_MSI, 0);
    cwr(t, 1, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);
    g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0);
    finish(t, 1);
    /* without IRQ_EN: no message */
    go(t, 1, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M);
    run(t, 1);
    g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0);
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    finish(t, 1);
    assert_no_violation(t);
    t_end(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/sysdma/id", test_id);
    qtest_add_func("/sysdma/id/properties", test_id_props);
    qtest_add_func("/sysdma/m2m/copy", test_m2m);
    qtest_add_func("/sysdma/m2p/sink-crc", test_m2p);
    qtest_add_func("/sysdma/h2/p2m-fifo", test_h2_p2m_fifo);
    qtest_add_func("/sysdma/h2/p2m-shorter-than-fifo", test_h2_p2m_short);
    qtest_add_func("/sysdma/h2/flush-owed", test_h2_flush_owed);
    qtest_add_func("/sysdma/v1/reprogram-no-flush",
                   test_v1_reprogram_no_flush);
    qtest_add_func("/sysdma/v1/release-no-flush", test_v1_release_no_flush);
    qtest_add_func("/sysdma/timing/rate", test_timing_rate);
    qtest_add_func("/sysdma/timing/rate0", test_timing_rate0);
    qtest_add_func("/sysdma/h1-k6/cancel-half-way", test_h1_cancel_half_way);
    qtest_add_func("/sysdma/h1-k6/cancel-chunk-boundary",
                   test_h1_cancel_chunk_boundary);
    qtest_add_func("/sysdma/h1-h2/cancel-p2m", test_h1_cancel_p2m);
    qtest_add_func("/sysdma/h1/cancel-after-complete",
                   test_h1_cancel_after_complete);
    qtest_add_func("/sysdma/v3/cancel-idle", test_v3_cancel_idle);
    qtest_add_func("/sysdma/irq/intx-w1c", test_irq_intx);
    qtest_add_func("/sysdma/irq/msi", test_irq_msi);
    return g_test_run();
}
