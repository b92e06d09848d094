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

    g_assert(!n || memcmp(got, want, n) == 0);     /* want may be NULL */
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

/* zlib-compatible CRC-32 (crc32(crc, b, len)), independent of the device */
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

static uint32_t crc32_ref(const uint8_t *b, size_t len)
{
    return crc32_upd(0, b, len);
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
    /* the sink's CRC runs on across STARTs */
    go(t, 1, RAM_SRC + 100, 0, 1000, SYSDMA_DIR_M2P);
    run(t, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==,
                    crc32_upd(crc32_ref(data, len), data + 100, 1000));
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
    /*
     * the first one's last 64 bytes never reached memory; they were taken
     * from the source all the same, so the second goes on at 4096
     */
    check_pattern(t, RAM_DST, 77, 0, 4096 - 64, 4096);
    check_pattern(t, RAM_DST + 4096, 77, 4096, 100, 200);
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
static void test_timing_rate0(gconstpointer chunk)
{
    g_autofree char *props = g_strdup_printf("rate=0,max-transfer=16777216,"
                                             "chunk=%s", (const char *)chunk);
    T *t = t_start(props, NULL);
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
    g_test_message("rate=0 chunk=%s: %u bytes in %" PRId64 " us wall "
                   "(%.1f MiB/s), 0 ns virtual, %d status polls answered "
                   "meanwhile", (const char *)chunk, len, (int64_t)w,
                   len / (w / 1e6) / (1024 * 1024), polls);
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

/* Verifier (V2, V4, registers, strict) ----------------------------------- */

/* V2: START on a busy channel is counted; the running transfer goes on */
static void test_v2_start_busy(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 4 * 4096;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 7);

    fill(t, RAM_DST, FILL, len);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M);
    step(t, MS);
    prog(t, 0, RAM_SRC, RAM_DST + len, 16, SYSDMA_DIR_M2M);
    cwr(t, 0, SYSDMA_CH_START, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_START_BUSY), ==, 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_TOTAL), ==, len);
    run(t, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, len);
    check_copied(t, RAM_DST, want, len, len);
    finish(t, 0);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 1);
    t_end(t);
}

/* V2: a zero-length transfer is counted and completes with 0 bytes */
static void test_v2_zero_length(void)
{
    T *t = t_start(NULL, NULL);

    go(t, 0, RAM_SRC, RAM_DST, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    g_assert_cmpuint(vcount(t, SYSDMA_V_ZERO_LENGTH), ==, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    finish(t, 0);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 1);
    t_end(t);
}

/* V2: overlapping M2M is counted (and still runs when not strict) */
static void test_v2_overlap(void)
{
    T *t = t_start(NULL, NULL);

    src_data(t, RAM_SRC, 8192, 8);
    go(t, 0, RAM_SRC, RAM_SRC + 100, 4096, SYSDMA_DIR_M2M);
    g_assert_cmpuint(vcount(t, SYSDMA_V_OVERLAP), ==, 1);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 4096);
    finish(t, 0);
    /* adjacent is not overlapping */
    go(t, 0, RAM_SRC, RAM_SRC + 4096, 4096, SYSDMA_DIR_M2M);
    run(t, 0);
    finish(t, 0);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 1);
    t_end(t);
}

/* V2: DMA running off the end of RAM stops with exactly the RAM bytes */
static void test_v2_bad_address(void)
{
    T *t = t_start(NULL, NULL);
    const uint64_t dst = RAM_SIZE - 6000;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, 8192, 9);

    fill(t, dst, FILL, 6000);
    go(t, 0, RAM_SRC, dst, 8192, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (SYSDMA_ERR_ADDRESS << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 6000);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    check_copied(t, dst, want, 6000, 6000);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 1);
    finish(t, 0);
    /* source far above RAM, 64-bit address: nothing moves */
    go(t, 1, 0x123400000000ull, RAM_DST, 100, SYSDMA_DIR_M2P);
    run(t, 1);
    g_assert_cmpuint(errcode(t, 1), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 0);
    finish(t, 1);
    /* the top of the 64-bit space: no wrap-around to address 0 */
    go(t, 2, 0, 0xfffffffffffff000ull, 8192, SYSDMA_DIR_P2M);
    run(t, 2);
    g_assert_cmpuint(errcode(t, 2), ==, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_BYTES), ==, 0);
    finish(t, 2);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 3);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 3);
    t_end(t);
}

/* V2: DMA aimed at the device's own registers is refused (re-entrancy) */
static void test_v2_own_bar(void)
{
    T *t = t_start(NULL, NULL);
    uint32_t v = SYSDMA_CTRL_RESET;

    qtest_memwrite(t->qts, RAM_SRC, &v, 4);
    /* would write CTRL_RESET into CTRL, then START into ch0 */
    go(t, 0, RAM_SRC, t->bar_addr + SYSDMA_REG_CTRL, 4, SYSDMA_DIR_M2M);
    run(t, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (SYSDMA_ERR_ADDRESS << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    finish(t, 0);
    go(t, 1, t->bar_addr, RAM_DST, 64, SYSDMA_DIR_M2M);
    run(t, 1);
    g_assert_cmpuint(errcode(t, 1), ==, SYSDMA_ERR_ADDRESS);
    finish(t, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 2);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 2);
    t_end(t);
}

/* V4: a channel still claimed at reset leaks (CTRL, bus master, system) */
static void test_v4_leak(void)
{
    T *t = t_start(NULL, NULL);
    uint16_t cmd;

    cwr(t, 0, SYSDMA_CH_CLAIM, 1);
    cwr(t, 3, SYSDMA_CH_CLAIM, 1);
    wr(t, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
    g_assert_cmpuint(vcount(t, SYSDMA_V_LEAK), ==, 2);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_CLAIM), ==, 0);
    g_assert_cmphex(crd(t, 3, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);

    cwr(t, 1, SYSDMA_CH_CLAIM, 1);
    cmd = qpci_config_readw(t->dev, PCI_COMMAND);
    qpci_config_writew(t->dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    g_assert_cmpuint(vcount(t, SYSDMA_V_LEAK), ==, 3);
    qpci_config_writew(t->dev, PCI_COMMAND, cmd);
    /* turning it on again is no reset */
    g_assert_cmpuint(vcount(t, SYSDMA_V_LEAK), ==, 3);

    cwr(t, 2, SYSDMA_CH_CLAIM, 1);
    qtest_qmp_assert_success(t->qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(t->qts, "RESET");
    g_assert_cmpuint(qom_u32(t, "verify-leak"), ==, 4);
    /* the counters survive the resets */
    g_assert_cmpuint(qom_u32(t, "verify-total"), ==, 4);
    t_end(t);
}

/* V4: releasing a channel twice; START on an unclaimed channel */
static void test_v4_double_release_not_claimed(void)
{
    T *t = t_start(NULL, NULL);

    cwr(t, 0, SYSDMA_CH_CLAIM, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATUS_CLAIMED);
    cwr(t, 0, SYSDMA_CH_CLAIM, 0);
    cwr(t, 0, SYSDMA_CH_CLAIM, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_DOUBLE_RELEASE), ==, 1);
    prog(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M);
    cwr(t, 0, SYSDMA_CH_START, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_NOT_CLAIMED), ==, 1);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 100);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 2);
    t_end(t);
}

/* Bad offsets, sizes and values: counted, logged, never fatal */
static void test_v_bad_register(void)
{
    T *t = t_start("channels=2", NULL);
    uint32_t n = 0;

    g_assert_cmpuint(rd(t, 0x0fc), ==, 0);                  /* hole */
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmpuint(qpci_io_readb(t->dev, t->bar, 0), ==, 0); /* size */
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    qpci_io_writew(t->dev, t->bar, SYSDMA_CH_BASE(0) + SYSDMA_CH_LEN, 5);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_LEN), ==, 0);
    g_assert_cmpuint(qpci_io_readq(t->dev, t->bar, 0), ==, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    /* unaligned: the memory core splits it into two 16-bit accesses */
    g_assert_cmpuint(rd(t, 2), ==, 0);
    n += 2;
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, n);
    wr(t, SYSDMA_REG_ID, 0);                                /* RO */
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmpuint(rd(t, SYSDMA_REG_CTRL), ==, 0);        /* WO */
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_STATUS), ==, 0);   /* no ch2 */
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    cwr(t, 7, SYSDMA_CH_START, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_COUNT(SYSDMA_V_COUNT)), ==, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmpuint(crd(t, 0, 0x7c), ==, 0);               /* ch hole */
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    cwr(t, 0, SYSDMA_CH_CLAIM, 2);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_CLAIM), ==, 0);
    wr(t, SYSDMA_REG_CTRL, 0x80);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    cwr(t, 1, SYSDMA_CH_FAULT_MODE, 0xffffffff);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_FAULT_MODE), ==, SYSDMA_FAULT_ALL);
    cwr(t, 1, SYSDMA_CH_FAULT_MODE, 0);
    /* DIR 3 is refused by START with ERR_CONFIG */
    cwr(t, 0, SYSDMA_CH_CFG, 3 | 0x100);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, ++n);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_CFG), ==, 3);
    cwr(t, 0, SYSDMA_CH_CLAIM, 1);
    cwr(t, 0, SYSDMA_CH_LEN, 16);
    cwr(t, 0, SYSDMA_CH_START, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (SYSDMA_ERR_CONFIG << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    finish(t, 0);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, n);
    g_assert_cmpuint(qom_u32(t, "verify-bad-register"), ==, n);
    /* still alive and well */
    g_assert_cmphex(rd(t, SYSDMA_REG_ID), ==, SYSDMA_ID_VALUE);
    t_end(t);
}

/* VERIFY_COUNT(k), VERIFY_TOTAL, VERIFY_CLEAR and QMP qom-get agree */
static void test_v_counters(void)
{
    T *t = t_start(NULL, NULL);

    cwr(t, 0, SYSDMA_CH_CANCEL, 1);             /* cancel-idle */
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);              /* flush-idle */
    cwr(t, 1, SYSDMA_CH_FLUSH, 1);              /* flush-idle */
    cwr(t, 0, SYSDMA_CH_CLAIM, 0);              /* double-release */
    g_assert_cmpuint(vcount(t, SYSDMA_V_CANCEL_IDLE), ==, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_FLUSH_IDLE), ==, 2);
    g_assert_cmpuint(vcount(t, SYSDMA_V_DOUBLE_RELEASE), ==, 1);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 4);
    g_assert_cmpuint(qom_u32(t, "verify-cancel-idle"), ==, 1);
    g_assert_cmpuint(qom_u32(t, "verify-flush-idle"), ==, 2);
    g_assert_cmpuint(qom_u32(t, "verify-double-release"), ==, 1);
    g_assert_cmpuint(qom_u32(t, "verify-leak"), ==, 0);
    g_assert_cmpuint(qom_u32(t, "verify-total"), ==, 4);
    wr(t, SYSDMA_REG_VERIFY_CLEAR, 1);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_FLUSH_IDLE), ==, 0);
    g_assert_cmpuint(qom_u32(t, "verify-total"), ==, 0);
    t_end(t);
}

/* strict: a violation also ends the channel in ERROR / ERR_VERIFIER */
static void test_v_strict(void)
{
    T *t = t_start("x-strict=on," RATE_1MS, NULL);
    const uint32_t verr = SYSDMA_STATE_ERROR |
        (SYSDMA_ERR_VERIFIER << SYSDMA_STATUS_ERRCODE_SHIFT);

    /* START unclaimed: refused, nothing moves */
    fill(t, RAM_DST, FILL, 4096);
    prog(t, 0, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    cwr(t, 0, SYSDMA_CH_START, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==,
                    verr | SYSDMA_STATUS_FLUSH_OWED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    step(t, 10 * MS);
    check_copied(t, RAM_DST, NULL, 0, 4096);
    cwr(t, 0, SYSDMA_CH_IRQ, SYSDMA_IRQ_DONE);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);

    /* START while busy: the running transfer ends with exact bytes */
    go(t, 1, RAM_SRC, RAM_DST, 4 * 4096, SYSDMA_DIR_M2M);
    step(t, 2 * MS);
    cwr(t, 1, SYSDMA_CH_START, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS), ==, verr |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 2 * 4096);
    step(t, 10 * MS);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 2 * 4096);
    finish(t, 1);

    /* a V3 violation on an idle channel marks it ERROR too */
    cwr(t, 2, SYSDMA_CH_CANCEL, 1);
    g_assert_cmphex(crd(t, 2, SYSDMA_CH_STATUS), ==, verr);

    /* zero length in strict mode */
    go(t, 3, RAM_SRC, RAM_DST, 0, SYSDMA_DIR_M2M);
    g_assert_cmphex(crd(t, 3, SYSDMA_CH_STATUS), ==, verr |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    finish(t, 3);
    g_assert_cmpuint(vcount(t, SYSDMA_V_NOT_CLAIMED), ==, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_START_BUSY), ==, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_CANCEL_IDLE), ==, 1);
    g_assert_cmpuint(vcount(t, SYSDMA_V_ZERO_LENGTH), ==, 1);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 4);
    t_end(t);
}

/* K10: a START longer than MAX_XFER ends in ERR_CONFIG */
static void test_k10_max_transfer(void)
{
    T *t = t_start("max-transfer=8192", NULL);

    g_assert_cmpuint(rd(t, SYSDMA_REG_MAX_XFER), ==, 8192);
    go(t, 0, RAM_SRC, RAM_DST, 8193, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (SYSDMA_ERR_CONFIG << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    finish(t, 0);
    go(t, 0, RAM_SRC, RAM_DST, 8192, SYSDMA_DIR_M2M);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 8192);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* Scatter-gather --------------------------------------------------------- */

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

static void test_sg_m2m(void)
{
    T *t = t_start(NULL, NULL);
    g_autofree uint8_t *want = src_data(t, RAM_SRC, 3 * 4096, 10);
    g_autofree uint8_t *got = NULL;

    fill(t, RAM_DST, FILL, 5 * 4096);
    /* three pieces, scattered, out of order, odd sizes */
    desc(t, RAM_DESC, RAM_SRC, RAM_DST + 2 * 4096, 1000, 0, RAM_DESC + 64);
    desc(t, RAM_DESC + 64, RAM_SRC + 1000, RAM_DST, 5000, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, RAM_SRC + 6000, RAM_DST + 4 * 4096, 7,
         SYSDMA_DESC_END, 0xdead0000);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_TOTAL), ==, 6007);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 6007);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_DESC_DONE), ==, 3);
    check_copied(t, RAM_DST + 2 * 4096, want, 1000, 4096);
    check_copied(t, RAM_DST, want + 1000, 5000, 5000);
    check_copied(t, RAM_DST + 4 * 4096, want + 6000, 7, 100);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/*
 * V2 in both orders (DRIVER.md promise V2b): a destination above the
 * source and one below it are each counted once, in plain and in
 * scatter-gather programming; touching ranges on either side are not.
 */
static void test_v2_overlap_orders(void)
{
    T *t = t_start(NULL, NULL);

    src_data(t, RAM_SRC, 3 * 4096, 8);
    go(t, 0, RAM_SRC + 4096, RAM_SRC + 4096 + 16, 64, SYSDMA_DIR_M2M);
    g_assert_cmpuint(vcount(t, SYSDMA_V_OVERLAP), ==, 1);
    run(t, 0);
    finish(t, 0);
    go(t, 0, RAM_SRC + 4096, RAM_SRC + 4096 - 16, 64, SYSDMA_DIR_M2M);
    g_assert_cmpuint(vcount(t, SYSDMA_V_OVERLAP), ==, 2);
    run(t, 0);
    finish(t, 0);
    go(t, 0, RAM_SRC + 4096, RAM_SRC + 4096 - 64, 64, SYSDMA_DIR_M2M);
    run(t, 0);
    finish(t, 0);
    g_assert_cmpuint(vcount(t, SYSDMA_V_OVERLAP), ==, 2);

    /* SG: above, touching above, below, touching below */
    desc(t, RAM_DESC, RAM_SRC, RAM_SRC + 16, 64, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, RAM_SRC + 256, RAM_SRC + 320, 64, 0,
         RAM_DESC + 64);
    desc(t, RAM_DESC + 64, RAM_SRC + 1024, RAM_SRC + 1008, 64, 0,
         RAM_DESC + 96);
    desc(t, RAM_DESC + 96, RAM_SRC + 2048, RAM_SRC + 1984, 64,
         SYSDMA_DESC_END, 0);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
    g_assert_cmpuint(vcount(t, SYSDMA_V_OVERLAP), ==, 4);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    finish(t, 0);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 4);
    t_end(t);
}

/* SG P2M: the stream offset runs on across descriptors; FIFO spans them */
static void test_sg_p2m(void)
{
    T *t = t_start(NULL, NULL);

    fill(t, RAM_DST, FILL, 3 * 4096);
    cwr(t, 0, SYSDMA_CH_SEED, 42);
    desc(t, RAM_DESC, 0, RAM_DST + 4096, 3000, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, 0, RAM_DST, 40, SYSDMA_DESC_END, 0);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_P2M | SYSDMA_CFG_SG);
    run(t, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3040);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    check_pattern(t, RAM_DST + 4096, 42, 0, 3000 - 24, 3000);
    check_pattern(t, RAM_DST, 42, 3000, 0, 40);
    finish(t, 0);
    check_pattern(t, RAM_DST + 4096, 42, 0, 3000, 4096);
    check_pattern(t, RAM_DST, 42, 3000, 40, 4096);
    assert_no_violation(t);
    t_end(t);
}

/* SG M2P: the sink sees the pieces in chain order */
static void test_sg_m2p(void)
{
    T *t = t_start(NULL, NULL);
    g_autofree uint8_t *data = src_data(t, RAM_SRC, 8192, 11);
    g_autofree uint8_t *cat = g_malloc(300);

    memcpy(cat, data + 4000, 200);
    memcpy(cat + 200, data, 100);
    desc(t, RAM_DESC, RAM_SRC + 4000, 0, 200, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, RAM_SRC, 0, 100, SYSDMA_DESC_END, 0);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2P | SYSDMA_CFG_SG);
    run(t, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 300);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_SINK_CRC), ==, crc32_ref(cat, 300));
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

static void sg_expect(T *t, uint32_t err)
{
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG |
       SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (err << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    finish(t, 0);
}

/* Malformed chains end in ERR_DESCRIPTOR before any data moves */
static void test_sg_malformed(void)
{
    T *t = t_start("max-transfer=1048576", NULL);
    int i;

    fill(t, RAM_DST, FILL, 4096);
    /* zero length in the middle */
    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 100, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, RAM_SRC, RAM_DST + 100, 0, 0, RAM_DESC + 64);
    desc(t, RAM_DESC + 64, RAM_SRC, RAM_DST + 200, 100, SYSDMA_DESC_END, 0);
    sg_expect(t, SYSDMA_ERR_DESCRIPTOR);
    /* misaligned next */
    desc(t, RAM_DESC + 32, RAM_SRC, RAM_DST + 100, 10, 0, RAM_DESC + 68);
    sg_expect(t, SYSDMA_ERR_DESCRIPTOR);
    /* a loop */
    desc(t, RAM_DESC + 32, RAM_SRC, RAM_DST + 100, 10, 0, RAM_DESC);
    sg_expect(t, SYSDMA_ERR_DESCRIPTOR);
    /* a self loop */
    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 1, 0, RAM_DESC);
    sg_expect(t, SYSDMA_ERR_DESCRIPTOR);
    check_copied(t, RAM_DST, NULL, 0, 4096);
    /* exactly SYSDMA_SG_MAX_DESC descriptors is fine, one more is not */
    for (i = 0; i < SYSDMA_SG_MAX_DESC; i++) {
        desc(t, RAM_DESC + 32 * i, RAM_SRC + i, RAM_DST + 4096 + i, 1,
             i == SYSDMA_SG_MAX_DESC - 1 ? SYSDMA_DESC_END : 0,
             RAM_DESC + 32 * (i + 1));
    }
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, SYSDMA_SG_MAX_DESC);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_DESC_DONE), ==, SYSDMA_SG_MAX_DESC);
    finish(t, 0);
    desc(t, RAM_DESC + 32 * (SYSDMA_SG_MAX_DESC - 1), RAM_SRC, RAM_DST, 1, 0,
         RAM_DESC + 32 * SYSDMA_SG_MAX_DESC);
    desc(t, RAM_DESC + 32 * SYSDMA_SG_MAX_DESC, RAM_SRC, RAM_DST, 1,
         SYSDMA_DESC_END, 0);
    sg_expect(t, SYSDMA_ERR_DESCRIPTOR);
    assert_no_violation(t);
    /* a chain outside RAM: ERR_ADDRESS, counted */
    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 10, 0, 0x7fff0000);
    sg_expect(t, SYSDMA_ERR_ADDRESS);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_ADDRESS), ==, 1);
    /* the total of the chain is checked against MAX_XFER (K10) */
    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 1048576, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, RAM_SRC, RAM_DST, 1, SYSDMA_DESC_END, 0);
    sg_expect(t, SYSDMA_ERR_CONFIG);
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, 1);
    t_end(t);
}

/* SG: cancel in the middle of the second descriptor */
static void test_sg_cancel(void)
{
    T *t = t_start(RATE_1MS, NULL);
    g_autofree uint8_t *want = src_data(t, RAM_SRC, 16384, 12);

    fill(t, RAM_DST, FILL, 16384);
    desc(t, RAM_DESC, RAM_SRC, RAM_DST, 6000, 0, RAM_DESC + 32);
    desc(t, RAM_DESC + 32, RAM_SRC + 6000, RAM_DST + 6000, 10000,
         SYSDMA_DESC_END, 0);
    go(t, 0, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
    step(t, 2 * MS + 5);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_CANCELLED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 8192);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_DESC_DONE), ==, 1);
    check_copied(t, RAM_DST, want, 8192, 16384);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* Faults ----------------------------------------------------------------- */

static void arm(T *t, int ch, uint32_t mode, uint32_t sticky)
{
    cwr(t, ch, SYSDMA_CH_FAULT_STICKY, sticky);
    cwr(t, ch, SYSDMA_CH_FAULT_MODE, mode);
}

/* FAULT_ERROR: exactly ERROR_AFTER bytes move; one-shot vs sticky */
static void test_fault_error(void)
{
    T *t = t_start(NULL, NULL);
    g_autofree uint8_t *want = src_data(t, RAM_SRC, 10000, 13);

    fill(t, RAM_DST, FILL, 10000);
    cwr(t, 0, SYSDMA_CH_FAULT_ERROR_AFTER, 5001);
    arm(t, 0, SYSDMA_FAULT_ERROR, 0);
    go(t, 0, RAM_SRC, RAM_DST, 10000, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_ERROR |
                    (SYSDMA_ERR_INJECTED << SYSDMA_STATUS_ERRCODE_SHIFT) |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 5001);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    check_copied(t, RAM_DST, want, 5001, 10000);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_FIRED), ==, 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_MODE), ==, 0);  /* one-shot */
    finish(t, 0);
    go(t, 0, RAM_SRC, RAM_DST, 10000, SYSDMA_DIR_M2M);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    finish(t, 0);
    /* sticky, after 0 bytes: every START fails at once */
    cwr(t, 0, SYSDMA_CH_FAULT_ERROR_AFTER, 0);
    arm(t, 0, SYSDMA_FAULT_ERROR, SYSDMA_FAULT_ERROR);
    for (int i = 0; i < 2; i++) {
        go(t, 0, RAM_SRC, RAM_DST, 10000, SYSDMA_DIR_P2M);
        g_assert_cmpuint(errcode(t, 0), ==, SYSDMA_ERR_INJECTED);
        g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
        finish(t, 0);
    }
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_FIRED), ==, 3);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_MODE), ==, SYSDMA_FAULT_ERROR);
    /* ERROR_AFTER beyond the transfer: it completes, the fault stays armed */
    cwr(t, 0, SYSDMA_CH_FAULT_ERROR_AFTER, 20000);
    arm(t, 0, SYSDMA_FAULT_ERROR, 0);
    go(t, 0, RAM_SRC, RAM_DST, 10000, SYSDMA_DIR_M2M);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_MODE), ==, SYSDMA_FAULT_ERROR);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* FAULT_STALL: STALLED, never finishes until CANCEL (K6 for timeouts) */
static void test_fault_stall(void)
{
    T *t = t_start(RATE_1MS, NULL);
    g_autofree uint8_t *want = src_data(t, RAM_SRC, 16384, 14);

    fill(t, RAM_DST, FILL, 16384);
    cwr(t, 1, SYSDMA_CH_FAULT_ERROR_AFTER, 6000);
    arm(t, 1, SYSDMA_FAULT_STALL, 0);
    go(t, 1, RAM_SRC, RAM_DST, 16384, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, 1000 * MS);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_STALLED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 6000);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_IRQ), ==, 0);
    cwr(t, 1, SYSDMA_CH_CANCEL, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_CANCELLED |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 6000);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    check_copied(t, RAM_DST, want, 6000, 16384);
    finish(t, 1);
    /* ERROR_AFTER >= length: all data moves, completion never comes */
    cwr(t, 1, SYSDMA_CH_FAULT_ERROR_AFTER, 0xffffffff);
    arm(t, 1, SYSDMA_FAULT_STALL, 0);
    go(t, 1, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M);
    step(t, 1000 * MS);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_STALLED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 100);
    cwr(t, 1, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(state(t, 1), ==, SYSDMA_STATE_CANCELLED);
    finish(t, 1);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_FAULT_FIRED), ==, 2);
    assert_no_violation(t);
    t_end(t);
}

/* FAULT_DROP_IRQ: completes, no IRQ bit, no interrupt */
static void test_fault_drop_irq(void)
{
    T *t = t_start(NULL, NULL);

    route_intx(t);
    arm(t, 0, SYSDMA_FAULT_DROP_IRQ, 0);
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 100);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    g_assert(!qtest_get_irq(t->qts, 11));
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_FIRED), ==, 1);
    finish(t, 0);
    /* one-shot: the next one interrupts */
    go(t, 0, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    g_assert(qtest_get_irq(t->qts, 11));
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* FAULT_DELAY_IRQ: the IRQ bit and the interrupt come DELAY_US later */
static void test_fault_delay_irq(void)
{
    T *t = t_start(RATE_1MS, NULL);

    route_intx(t);
    cwr(t, 0, SYSDMA_CH_FAULT_DELAY_US, 500);
    arm(t, 0, SYSDMA_FAULT_DELAY_IRQ, 0);
    go(t, 0, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
    g_assert(!qtest_get_irq(t->qts, 11));
    step(t, 500 * 1000 - 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
    step(t, 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    g_assert(qtest_get_irq(t->qts, 11));
    finish(t, 0);
    g_assert(!qtest_get_irq(t->qts, 11));
    assert_no_violation(t);
    t_end(t);
}

/* FAULT_SPURIOUS: an interrupt at START with no status bit behind it */
static void test_fault_spurious(void)
{
    T *t = t_start(RATE_1MS, NULL);

    route_intx(t);
    arm(t, 2, SYSDMA_FAULT_SPURIOUS, 0);
    go(t, 2, RAM_SRC, RAM_DST, 8192, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    g_assert(qtest_get_irq(t->qts, 11));
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0); /* drops it */
    g_assert(!qtest_get_irq(t->qts, 11));
    run(t, 2);
    g_assert(qtest_get_irq(t->qts, 11));
    finish(t, 2);
    g_assert(!qtest_get_irq(t->qts, 11));
    /* sticky: again; reading the channel's IRQ register drops it too */
    arm(t, 2, SYSDMA_FAULT_SPURIOUS, SYSDMA_FAULT_SPURIOUS);
    go(t, 2, RAM_SRC, RAM_DST, 8192, SYSDMA_DIR_M2M);
    g_assert(qtest_get_irq(t->qts, 11));
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_IRQ), ==, 0);
    g_assert(!qtest_get_irq(t->qts, 11));
    run(t, 2);
    finish(t, 2);
    g_assert_cmphex(crd(t, 2, SYSDMA_CH_FAULT_MODE), ==,
                    SYSDMA_FAULT_SPURIOUS);
    /* with MSI: one message at START */
    enable_msi(t, 0x77);
    arm(t, 2, SYSDMA_FAULT_SPURIOUS, 0);
    go(t, 2, RAM_SRC, RAM_DST, 8192, SYSDMA_DIR_M2M);
    g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0x77);
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    run(t, 2);
    finish(t, 2);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_FAULT_FIRED), ==, 3);
    assert_no_violation(t);
    t_end(t);
}

/* FAULT_SLOW: the transfer runs at FAULT_SLOW_RATE */
static void test_fault_slow(void)
{
    T *t = t_start(RATE_1MS, NULL);

    cwr(t, 0, SYSDMA_CH_FAULT_SLOW_RATE, 409600);   /* 4096 B per 10 ms */
    arm(t, 0, SYSDMA_FAULT_SLOW, 0);
    go(t, 0, RAM_SRC, RAM_DST, 8192, SYSDMA_DIR_M2M);
    step(t, 10 * MS - 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 0);
    step(t, 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 4096);
    step(t, 10 * MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    finish(t, 0);
    /* one-shot: back to the normal rate */
    go(t, 0, RAM_SRC, RAM_DST, 8192, SYSDMA_DIR_M2M);
    step(t, 2 * MS);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* Faults as properties at start-up and over QMP qom-set */
/*
 * FAULT_IGNORE_CANCEL: CANCEL while BUSY does nothing (one-shot: the
 * first one; sticky: all); only a reset stops the channel.
 */
static void test_fault_ignore_cancel(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 8 * 4096;

    arm(t, 0, SYSDMA_FAULT_IGNORE_CANCEL, 0);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    step(t, 2 * MS + MS / 2);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);         /* ignored, fault consumed */
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 2 * 4096);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_IRQ), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_FIRED), ==, 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_FAULT_MODE), ==, 0);
    cwr(t, 0, SYSDMA_CH_CANCEL, 1);         /* answered */
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_CANCELLED);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 2 * 4096);
    finish(t, 0);
    /* sticky with a stall: BUSY for ever, until CTRL_RESET */
    cwr(t, 1, SYSDMA_CH_FAULT_ERROR_AFTER, 5000);
    arm(t, 1, SYSDMA_FAULT_IGNORE_CANCEL | SYSDMA_FAULT_STALL,
        SYSDMA_FAULT_IGNORE_CANCEL);
    go(t, 1, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M);
    step(t, 100 * MS);
    cwr(t, 1, SYSDMA_CH_CANCEL, 1);
    cwr(t, 1, SYSDMA_CH_CANCEL, 1);
    step(t, 100 * MS);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_STALLED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 5000);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_FAULT_FIRED), ==, 3);
    assert_no_violation(t);
    wr(t, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);
    g_assert_cmpuint(vcount(t, SYSDMA_V_LEAK), ==, 1);
    t_end(t);
}

static void test_fault_qom(void)
{
    T *t = t_start("x-fault-channel=1,x-fault-mode=1,x-fault-error-after=300,"
                   "x-fault-sticky=1", NULL);

    g_assert_cmphex(crd(t, 0, SYSDMA_CH_FAULT_MODE), ==, 0);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_FAULT_MODE), ==, SYSDMA_FAULT_ERROR);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_FAULT_STICKY), ==,
                    SYSDMA_FAULT_ERROR);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_FAULT_ERROR_AFTER), ==, 300);
    go(t, 1, RAM_SRC, RAM_DST, 1000, SYSDMA_DIR_M2M);
    run(t, 1);
    g_assert_cmpuint(errcode(t, 1), ==, SYSDMA_ERR_INJECTED);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 300);
    finish(t, 1);
    g_assert_cmpuint(qom_u32(t, "x-fault-mode"), ==, 1);

    /* run time: all channels, error after 1234 */
    qom_set_u32(t, "x-fault-channel", -1);
    qom_set_u32(t, "x-fault-error-after", 1234);
    qom_set_u32(t, "x-fault-sticky", 0);
    qom_set_u32(t, "x-fault-mode", SYSDMA_FAULT_ERROR);
    g_assert_cmphex(crd(t, 3, SYSDMA_CH_FAULT_MODE), ==, SYSDMA_FAULT_ERROR);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_FAULT_ERROR_AFTER), ==, 1234);
    go(t, 3, RAM_SRC, RAM_DST, 2000, SYSDMA_DIR_M2M);
    run(t, 3);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_BYTES), ==, 1234);
    g_assert_cmpuint(errcode(t, 3), ==, SYSDMA_ERR_INJECTED);
    finish(t, 3);
    g_assert_cmphex(crd(t, 3, SYSDMA_CH_FAULT_MODE), ==, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_FAULT_MODE), ==, SYSDMA_FAULT_ERROR);
    g_assert_cmpint(qom_u32(t, "x-fault-error-after"), ==, 1234);
    /* bad values are refused */
    {
        QDict *rsp = qtest_qmp(t->qts, "{'execute': 'qom-set', 'arguments':"
                               " {'path': '/machine/peripheral-anon/device[0]',"
                               " 'property': 'x-fault-mode', 'value': 256}}");
        g_assert(qdict_haskey(rsp, "error"));
        qobject_unref(rsp);
    }
    /* the properties are reloaded into the window at reset */
    qom_set_u32(t, "x-fault-mode", SYSDMA_FAULT_DROP_IRQ);
    cwr(t, 2, SYSDMA_CH_FAULT_MODE, 0);
    wr(t, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
    g_assert_cmphex(crd(t, 2, SYSDMA_CH_FAULT_MODE), ==,
                    SYSDMA_FAULT_DROP_IRQ);
    assert_no_violation(t);
    t_end(t);
}

/* The peripheral stream -------------------------------------------------- */

/*
 * One stream per channel: the source's position and the sink's CRC run
 * on across STARTs; a reset restarts them (SINK_CRC 0, SEED 0, offset 0).
 */
static void test_stream_two_starts(void)
{
    T *t = t_start(NULL, NULL);
    const uint32_t seed = 0x5eed;
    g_autofree uint8_t *data = src_data(t, RAM_SRC, 9000, 21);

    fill(t, RAM_DST, FILL, 3 * 8192);
    cwr(t, 0, SYSDMA_CH_SEED, seed);
    go(t, 0, 0, RAM_DST, 5000, SYSDMA_DIR_P2M);
    run(t, 0);
    finish(t, 0);
    go(t, 0, 0, RAM_DST + 8192, 3000, SYSDMA_DIR_P2M);
    run(t, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3000);
    finish(t, 0);
    check_pattern(t, RAM_DST, seed, 0, 5000, 8192);
    check_pattern(t, RAM_DST + 8192, seed, 5000, 3000, 8192);

    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, 0);
    go(t, 1, RAM_SRC, 0, 5000, SYSDMA_DIR_M2P);
    run(t, 1);
    finish(t, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, crc32_ref(data, 5000));
    go(t, 1, RAM_SRC + 6000, 0, 3000, SYSDMA_DIR_M2P);
    run(t, 1);
    finish(t, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==,
                    crc32_upd(crc32_ref(data, 5000), data + 6000, 3000));

    /* CTRL_RESET restarts both ends */
    wr(t, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_SEED), ==, 0);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, 0);
    fill(t, RAM_DST + 2 * 8192, FILL, 8192);
    go(t, 0, 0, RAM_DST + 2 * 8192, 100, SYSDMA_DIR_P2M);
    run(t, 0);
    finish(t, 0);
    check_pattern(t, RAM_DST + 2 * 8192, 0, 0, 100, 8192);
    assert_no_violation(t);
    t_end(t);
}

/*
 * A SEED write restarts the stream, even with the same value: source
 * offset 0 with the new seed, SINK_CRC back to the CRC of nothing.  While
 * BUSY it acts from the next chunk on; FIFO data keeps its old seed.
 */
static void test_stream_seed_resets(void)
{
    T *t = t_start(RATE_1MS, NULL);
    g_autofree uint8_t *data = src_data(t, RAM_SRC, 8192, 22);

    fill(t, RAM_DST, FILL, 8 * 4096);
    cwr(t, 0, SYSDMA_CH_SEED, 7);
    go(t, 0, 0, RAM_DST, 1000, SYSDMA_DIR_P2M);
    run(t, 0);
    finish(t, 0);
    cwr(t, 0, SYSDMA_CH_SEED, 7);
    go(t, 0, 0, RAM_DST + 4096, 1000, SYSDMA_DIR_P2M);
    run(t, 0);
    finish(t, 0);
    check_pattern(t, RAM_DST + 4096, 7, 0, 1000, 4096);

    go(t, 1, RAM_SRC, 0, 4096, SYSDMA_DIR_M2P);
    run(t, 1);
    finish(t, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, crc32_ref(data, 4096));
    cwr(t, 1, SYSDMA_CH_SEED, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, 0);
    go(t, 1, RAM_SRC + 4096, 0, 4096, SYSDMA_DIR_M2P);
    run(t, 1);
    finish(t, 1);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==,
                    crc32_ref(data + 4096, 4096));

    /* while BUSY: two chunks with seed 8, then seed 9 from offset 0 */
    cwr(t, 2, SYSDMA_CH_SEED, 8);
    go(t, 2, 0, RAM_DST + 2 * 4096, 4 * 4096, SYSDMA_DIR_P2M);
    step(t, 2 * MS + MS / 2);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_BYTES), ==, 2 * 4096);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    cwr(t, 2, SYSDMA_CH_SEED, 9);
    run(t, 2);
    finish(t, 2);
    check_pattern(t, RAM_DST + 2 * 4096, 8, 0, 2 * 4096, 2 * 4096);
    check_pattern(t, RAM_DST + 4 * 4096, 9, 0, 2 * 4096, 4 * 4096);
    assert_no_violation(t);
    t_end(t);
}

/*
 * The stream advances by exactly the bytes moved when a transfer is
 * cancelled, fails (FAULT_ERROR) or stalls; P2M bytes in the FIFO count.
 */
static void test_stream_cancel(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 16 * 4096;
    g_autofree uint8_t *data = src_data(t, RAM_SRC, len, 23);
    uint32_t crc;

    /* P2M cancelled after 5 chunks, then an error after 5001 bytes */
    fill(t, RAM_DST, FILL, len);
    cwr(t, 3, SYSDMA_CH_SEED, 0xabc);
    go(t, 3, 0, RAM_DST, len, SYSDMA_DIR_P2M);
    step(t, 5 * MS + 10);
    cwr(t, 3, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_BYTES), ==, 5 * 4096);
    finish(t, 3);
    cwr(t, 3, SYSDMA_CH_FAULT_ERROR_AFTER, 5001);
    arm(t, 3, SYSDMA_FAULT_ERROR, 0);
    go(t, 3, 0, RAM_DST + 5 * 4096, 3 * 4096, SYSDMA_DIR_P2M);
    run(t, 3);
    g_assert_cmpuint(errcode(t, 3), ==, SYSDMA_ERR_INJECTED);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_BYTES), ==, 5001);
    finish(t, 3);
    go(t, 3, 0, RAM_DST + 5 * 4096 + 5001, 1000, SYSDMA_DIR_P2M);
    run(t, 3);
    finish(t, 3);
    check_pattern(t, RAM_DST, 0xabc, 0, 5 * 4096 + 5001 + 1000, len);

    /* M2P cancelled after 3 chunks, then a stall at 6000 and a cancel */
    go(t, 1, RAM_SRC, 0, len, SYSDMA_DIR_M2P);
    step(t, 3 * MS + 10);
    cwr(t, 1, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 3 * 4096);
    finish(t, 1);
    crc = crc32_ref(data, 3 * 4096);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, crc);
    cwr(t, 1, SYSDMA_CH_FAULT_ERROR_AFTER, 6000);
    arm(t, 1, SYSDMA_FAULT_STALL, 0);
    go(t, 1, RAM_SRC + 4096, 0, 3 * 4096, SYSDMA_DIR_M2P);
    step(t, 100 * MS);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_STATUS) & SYSDMA_STATUS_STALLED, ==,
                    SYSDMA_STATUS_STALLED);
    cwr(t, 1, SYSDMA_CH_CANCEL, 1);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_BYTES), ==, 6000);
    finish(t, 1);
    crc = crc32_upd(crc, data + 4096, 6000);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SINK_CRC), ==, crc);
    assert_no_violation(t);
    t_end(t);
}

/* Reset ------------------------------------------------------------------ */

/* Reset stops every channel at once; no DMA happens after it */
static void test_reset_stops(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 8 * 4096;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 15);

    route_intx(t);
    fill(t, RAM_DST, FILL, 3 * len);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    go(t, 1, 0, RAM_DST + len, len, SYSDMA_DIR_P2M);
    go(t, 2, RAM_SRC, RAM_DST + 2 * len, 100, SYSDMA_DIR_M2M |
       SYSDMA_CFG_IRQ_EN);
    step(t, 3 * MS);
    g_assert(qtest_get_irq(t->qts, 11));        /* ch2 done */
    wr(t, SYSDMA_REG_CTRL, SYSDMA_CTRL_RESET);
    g_assert(!qtest_get_irq(t->qts, 11));
    for (int ch = 0; ch < 4; ch++) {
        g_assert_cmphex(crd(t, ch, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_BYTES), ==, 0);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_FIFO_LEVEL), ==, 0);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_IRQ), ==, 0);
    }
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    step(t, 100 * MS);
    check_copied(t, RAM_DST, want, 3 * 4096, len);
    /* P2M: the FIFO was dropped, not written */
    check_pattern(t, RAM_DST + len, 0, 0, 3 * 4096 - 64, len);
    g_assert_cmpuint(vcount(t, SYSDMA_V_LEAK), ==, 3);

    /* system reset too */
    fill(t, RAM_DST + len, FILL, len);
    go(t, 0, RAM_SRC, RAM_DST + len, len, SYSDMA_DIR_M2M);
    step(t, MS);
    qtest_qmp_assert_success(t->qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(t->qts, "RESET");
    step(t, 100 * MS);
    check_copied(t, RAM_DST + len, want, 4096, len);
    g_assert_cmpuint(qom_u32(t, "verify-leak"), ==, 4);
    t_end(t);
}

/* Channels run side by side, each with its own timing and interrupt */
static void test_channels_parallel(void)
{
    T *t = t_start("channels=8," RATE_1MS, NULL);
    g_autofree uint8_t *want = src_data(t, RAM_SRC, 16 * 4096, 16);
    int ch;

    fill(t, RAM_DST, FILL, 8 * 8192);
    for (ch = 0; ch < 8; ch++) {
        go(t, ch, RAM_SRC + ch * 4096, RAM_DST + ch * 8192, (ch + 1) * 1024,
           SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    }
    step(t, MS);
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0x0f);
    step(t, MS);
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0xff);
    for (ch = 0; ch < 8; ch++) {
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_BYTES), ==, (ch + 1) * 1024);
        check_copied(t, RAM_DST + ch * 8192, want + ch * 4096,
                     (ch + 1) * 1024, 8192);
        finish(t, ch);
    }
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    assert_no_violation(t);
    t_end(t);
}

/* Migration -------------------------------------------------------------- */

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
 * vmstate: migrate (to a file) in the middle of an M2M, a P2M with data in
 * the FIFO and a stalled transfer; the destination finishes them with the
 * same data and counts.
 */
static void test_migration_mid_transfer(void)
{
    const char *props = "channels=3," RATE_1MS;
    g_autofree char *dir = g_dir_make_tmp("sysdma-mig-XXXXXX", NULL);
    g_autofree char *file = g_strdup_printf("%s/state", dir);
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    const uint32_t len = 16 * 4096;
    T *src = t_start(props, NULL), *dst;
    g_autofree uint8_t *want = src_data(src, RAM_SRC, len, 17);

    fill(src, RAM_DST, FILL, 2 * len);
    go(src, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    cwr(src, 1, SYSDMA_CH_SEED, 99);
    go(src, 1, 0, RAM_DST + len, len, SYSDMA_DIR_P2M);
    cwr(src, 2, SYSDMA_CH_FAULT_ERROR_AFTER, 5000);
    arm(src, 2, SYSDMA_FAULT_STALL, 0);
    go(src, 2, RAM_SRC, 0, len, SYSDMA_DIR_M2P);
    cwr(src, 0, SYSDMA_CH_FLUSH, 1);    /* FLUSH while busy: a violation */
    step(src, 6 * MS + MS / 2);
    g_assert_cmpuint(crd(src, 0, SYSDMA_CH_BYTES), ==, 6 * 4096);
    g_assert_cmpuint(crd(src, 1, SYSDMA_CH_FIFO_LEVEL), ==, 64);

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
    /* the state arrived as it was */
    g_assert_cmpuint(crd(dst, 0, SYSDMA_CH_BYTES), ==, 6 * 4096);
    g_assert_cmpuint(state(dst, 0), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    g_assert_cmphex(crd(dst, 2, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_BUSY |
                    SYSDMA_STATUS_STALLED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(vcount(dst, SYSDMA_V_BAD_REGISTER), ==, 1);
    check_copied(dst, RAM_DST, want, 6 * 4096, len);
    /* and finishes */
    step(dst, 1000 * MS);
    g_assert_cmphex(crd(dst, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    g_assert_cmpuint(crd(dst, 0, SYSDMA_CH_BYTES), ==, len);
    g_assert_cmpuint(crd(dst, 0, SYSDMA_CH_IRQ), ==, SYSDMA_IRQ_DONE);
    check_copied(dst, RAM_DST, want, len, len);
    g_assert_cmpuint(crd(dst, 1, SYSDMA_CH_BYTES), ==, len);
    cwr(dst, 1, SYSDMA_CH_FLUSH, 1);
    check_pattern(dst, RAM_DST + len, 99, 0, len, len);
    g_assert_cmpuint(crd(dst, 2, SYSDMA_CH_BYTES), ==, 5000);
    cwr(dst, 2, SYSDMA_CH_CANCEL, 1);
    g_assert_cmphex(crd(dst, 2, SYSDMA_CH_SINK_CRC), ==,
                    crc32_ref(want, 5000));
    finish(dst, 0);
    cwr(dst, 1, SYSDMA_CH_CLAIM, 0);
    finish(dst, 2);
    g_assert_cmpuint(rd(dst, SYSDMA_REG_VERIFY_TOTAL), ==, 1);

    t_end(dst);
    t_end(src);
    unlink(file);
    rmdir(dir);
}

/* Power management: D3hot -> D0 is a function reset ---------------------- */

static uint8_t pm_cap(T *t)
{
    uint8_t cap = qpci_find_capability(t->dev, PCI_CAP_ID_PM, 0);

    g_assert(cap);
    return cap;
}

static void pm_set(T *t, uint16_t d)
{
    uint8_t cap = pm_cap(t);

    qpci_config_writew(t->dev, cap + PCI_PM_CTRL, d);
    g_assert_cmphex(qpci_config_readw(t->dev, cap + PCI_PM_CTRL) &
                    PCI_PM_CTRL_STATE_MASK, ==, d);
}

/*
 * PCI PM 1.2, No_Soft_Reset 0 (Linux's "pm" reset method): D3hot -> D0
 * mid-transfer stops every channel at once (no DMA after it, the FIFO
 * dropped), releases them (a claimed channel is a V4 leak) and resets the
 * registers; config space (BAR, COMMAND, MSI) is kept.  In D3hot the
 * function masters nothing and the BAR is not decoded.
 */
static void test_pm_d3hot_reset(void)
{
    T *t = t_start(RATE_1MS, NULL);
    const uint32_t len = 8 * 4096;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 18);
    uint8_t cap = pm_cap(t);
    uint8_t msi = qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0);
    uint16_t cmd = qpci_config_readw(t->dev, PCI_COMMAND);
    uint16_t msi_flags;
    int ch;

    g_assert_cmphex(qpci_config_readw(t->dev, cap + PCI_PM_PMC) &
                    PCI_PM_CAP_VER_MASK, ==, 3);
    g_assert_cmphex(qpci_config_readw(t->dev, cap + PCI_PM_CTRL), ==, 0);
    g_assert(!(qpci_config_readw(t->dev, cap + PCI_PM_CTRL) &
               PCI_PM_CTRL_NO_SOFT_RESET));
    enable_msi(t, 0x4d5a);
    msi_flags = qpci_config_readw(t->dev, msi + PCI_MSI_FLAGS);
    fill(t, RAM_DST, FILL, 3 * len);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    go(t, 1, 0, RAM_DST + len, len, SYSDMA_DIR_P2M | SYSDMA_CFG_IRQ_EN);
    cwr(t, 3, SYSDMA_CH_CLAIM, 1);
    step(t, 3 * MS);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 3 * 4096);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_FIFO_LEVEL), ==, 64);

    /* D3hot: no reset, but no DMA and no BAR either */
    pm_set(t, 3);
    g_assert_cmphex(rd(t, SYSDMA_REG_ID), !=, SYSDMA_ID_VALUE);
    step(t, 20 * MS);
    check_copied(t, RAM_DST, want, 3 * 4096, len);
    check_pattern(t, RAM_DST + len, 0, 0, 3 * 4096 - 64, len);
    g_assert_cmpuint(qom_u32(t, "verify-total"), ==, 0);
    /* D3hot -> D1 is no valid transition (and D1 is not supported) */
    qpci_config_writew(t->dev, cap + PCI_PM_CTRL, 1);
    g_assert_cmphex(qpci_config_readw(t->dev, cap + PCI_PM_CTRL), ==, 3);

    /* D0: the function reset */
    pm_set(t, 0);
    g_assert_cmpuint(qom_u32(t, "verify-leak"), ==, 3);
    g_assert_cmpuint(qom_u32(t, "verify-total"), ==, 3);
    g_assert_cmphex(rd(t, SYSDMA_REG_ID), ==, SYSDMA_ID_VALUE);
    for (ch = 0; ch < 4; ch++) {
        g_assert_cmphex(crd(t, ch, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_IDLE);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_CLAIM), ==, 0);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_BYTES), ==, 0);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_TOTAL), ==, 0);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_FIFO_LEVEL), ==, 0);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_IRQ), ==, 0);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_LEN), ==, 0);
        g_assert_cmpuint(crd(t, ch, SYSDMA_CH_CFG), ==, 0);
    }
    g_assert_cmpuint(rd(t, SYSDMA_REG_IRQ_STATUS), ==, 0);
    step(t, 100 * MS);
    /* nothing moved after the reset; the P2M FIFO was dropped unwritten */
    check_copied(t, RAM_DST, want, 3 * 4096, len);
    check_pattern(t, RAM_DST + len, 0, 0, 3 * 4096 - 64, len);
    g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0);
    /* config space is the OS's: COMMAND, BAR and MSI are as they were */
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_COMMAND), ==, cmd);
    g_assert_cmphex(qpci_config_readl(t->dev, PCI_BASE_ADDRESS_0) & ~0xfull,
                    ==, t->bar_addr);
    g_assert_cmphex(qpci_config_readw(t->dev, msi + PCI_MSI_FLAGS), ==,
                    msi_flags);
    g_assert(msi_flags & PCI_MSI_FLAGS_ENABLE);
    g_assert_cmphex(qpci_config_readl(t->dev, msi + PCI_MSI_ADDRESS_LO), ==,
                    RAM_MSI);
    g_assert_cmphex(qpci_config_readw(t->dev, msi + PCI_MSI_DATA_64), ==,
                    0x4d5a);
    /* and the device works again, MSI included */
    go(t, 0, RAM_SRC, RAM_DST + 2 * len, len, SYSDMA_DIR_M2M |
       SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    g_assert_cmphex(qtest_readl(t->qts, RAM_MSI), ==, 0x4d5a);
    check_copied(t, RAM_DST + 2 * len, want, len, len);
    finish(t, 0);
    g_assert_cmpuint(qom_u32(t, "verify-total"), ==, 3);
    t_end(t);
}

/*
 * No reset without D3hot -> D0: writing D0 in D0 and D1 (unsupported) is
 * nothing; D3hot without the way back keeps the channels claimed (only the
 * system reset then counts the leak), also across a migration.
 */
static void test_pm_no_reset(void)
{
    const char *props = RATE_1MS;
    g_autofree char *dir = g_dir_make_tmp("sysdma-pm-XXXXXX", NULL);
    g_autofree char *file = g_strdup_printf("%s/state", dir);
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    const uint32_t len = 8 * 4096;
    T *t = t_start(props, NULL), *dst;
    g_autofree uint8_t *want = src_data(t, RAM_SRC, len, 19);
    uint8_t cap = pm_cap(t);

    fill(t, RAM_DST, FILL, 2 * len);
    go(t, 0, RAM_SRC, RAM_DST, len, SYSDMA_DIR_M2M);
    step(t, 2 * MS);
    pm_set(t, 0);
    qpci_config_writew(t->dev, cap + PCI_PM_CTRL, 1);
    g_assert_cmphex(qpci_config_readw(t->dev, cap + PCI_PM_CTRL), ==, 0);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 2 * 4096);
    run(t, 0);
    g_assert_cmphex(crd(t, 0, SYSDMA_CH_STATUS), ==, SYSDMA_STATE_COMPLETE |
                    SYSDMA_STATUS_FLUSH_OWED | SYSDMA_STATUS_CLAIMED);
    check_copied(t, RAM_DST, want, len, len);

    /* D3hot mid-transfer, and no way back: frozen, still claimed */
    go(t, 1, RAM_SRC, RAM_DST + len, len, SYSDMA_DIR_M2M);
    step(t, 2 * MS);
    pm_set(t, 3);
    step(t, 20 * MS);
    check_copied(t, RAM_DST + len, want, 2 * 4096, len);
    g_assert_cmpuint(qom_u32(t, "verify-total"), ==, 0);

    /* migrated in D3hot: arrives in D3hot, frozen */
    qtest_qmp_assert_success(t->qts, "{'execute': 'migrate', 'arguments':"
                             " {'uri': %s}}", uri);
    mig_wait(t->qts);
    t_end(t);
    dst = g_new0(T, 1);
    dst->qts = qtest_initf("-M pc -m 64M -device sysdma,addr=04.0,%s "
                           "-incoming defer", props);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s}}", uri);
    mig_wait(dst->qts);
    dst->bus = qpci_new_pc(dst->qts, NULL);
    dst->dev = qpci_device_find(dst->bus, DEVFN);
    g_assert(dst->dev);
    g_assert_cmphex(qpci_config_readw(dst->dev, pm_cap(dst) + PCI_PM_CTRL) &
                    PCI_PM_CTRL_STATE_MASK, ==, 3);
    step(dst, 20 * MS);
    check_copied(dst, RAM_DST + len, want, 2 * 4096, len);
    g_assert_cmpuint(qom_u32(dst, "verify-total"), ==, 0);

    /* the system reset: both channels were still claimed */
    qtest_qmp_assert_success(dst->qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(dst->qts, "RESET");
    g_assert_cmpuint(qom_u32(dst, "verify-leak"), ==, 2);
    g_assert_cmphex(qpci_config_readw(dst->dev, pm_cap(dst) + PCI_PM_CTRL) &
                    PCI_PM_CTRL_STATE_MASK, ==, 0);
    step(dst, 20 * MS);
    check_copied(dst, RAM_DST + len, want, 2 * 4096, len);
    t_end(dst);
    unlink(file);
    rmdir(dir);
}

/*
 * The default rate, 32 MiB/s: 4 KiB every 122070.3125 ns; step k ends at
 * floor(k * 4096 * 1e9 / RATE), so the 16th at exactly 1953125 ns
 */
static void test_timing_default_rate(void)
{
    T *t = t_start(NULL, NULL);

    go(t, 0, RAM_SRC, RAM_DST, 64 * 1024, SYSDMA_DIR_M2M);
    step(t, 1953125 - 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 15 * 4096);
    step(t, 1);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 64 * 1024);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/* The chunk property sets the step size */
static void test_timing_chunk(void)
{
    T *t = t_start("chunk=1000,rate=1000000", NULL);   /* 1000 B per ms */

    go(t, 0, RAM_SRC, RAM_DST, 2500, SYSDMA_DIR_M2M);
    step(t, MS);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 1000);
    step(t, MS);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 2000);
    step(t, MS / 2 - 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 2000);
    step(t, 1);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 2500);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    finish(t, 0);
    assert_no_violation(t);
    t_end(t);
}

/*
 * Safety: an MSI aimed at the device's own START register must not
 * recurse (the re-entrancy guard blocks it), and random register writes
 * must never abort, hang or make DMA outside RAM.
 */
static void test_safety_msi_reentrancy(void)
{
    T *t = t_start(NULL, NULL);
    uint8_t cap = qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0);
    uint16_t flags = qpci_config_readw(t->dev, cap + PCI_MSI_FLAGS);

    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_LO,
                       t->bar_addr + SYSDMA_CH_BASE(0) + SYSDMA_CH_START);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_HI, 0);
    qpci_config_writew(t->dev, cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
    /* zero-length on ch0: each START would end at once and send an MSI */
    go(t, 0, RAM_SRC, RAM_DST, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_IRQ_EN);
    run(t, 0);
    g_assert_cmpuint(state(t, 0), ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(vcount(t, SYSDMA_V_ZERO_LENGTH), ==, 1);
    g_assert_cmphex(rd(t, SYSDMA_REG_ID), ==, SYSDMA_ID_VALUE);
    t_end(t);
}

static void test_safety_random(void)
{
    T *t = t_start("channels=4,rate=0,max-transfer=262144", NULL);
    static const uint64_t addrs[] = {
        RAM_SRC, RAM_DST, RAM_DESC, RAM_SIZE - 100, 0, 0xfffffffffffffff0ull,
        0xfee00000, 0xe0000000, 0x100000000ull, 0xa0000, 0xfffc0000,
    };
    uint64_t sum = 0;
    int i, k;

    for (i = 0; i < 3000; i++) {
        int ch = g_test_rand_int_range(0, 5);
        uint32_t off = g_test_rand_int_range(0, 0x100) & ~3;
        uint32_t v = g_test_rand_int();

        switch (g_test_rand_int_range(0, 6)) {
        case 0:
            v = addrs[g_test_rand_int_range(0, ARRAY_SIZE(addrs))] >>
                (off == SYSDMA_CH_SRC_HI || off == SYSDMA_CH_DST_HI ? 32 : 0);
            break;
        case 1:
            v &= 0xffff;
            break;
        case 2:
            off = SYSDMA_CH_START;
            break;
        case 3:
            off = g_test_rand_bit() ? SYSDMA_CH_CANCEL : SYSDMA_CH_FLUSH;
            break;
        default:
            break;
        }
        if (g_test_rand_int_range(0, 50) == 0) {
            off = g_test_rand_int_range(0, 0x100) & ~3;
            wr(t, off == SYSDMA_REG_CTRL ? 0x0fc : off, v);
        } else {
            cwr(t, ch, off, v);
        }
    }
    /* every channel ends (stalled ones by CANCEL) */
    for (k = 0; k < 4; k++) {
        cwr(t, k, SYSDMA_CH_FAULT_MODE, 0);
        cwr(t, k, SYSDMA_CH_CANCEL, 1);
        g_assert_cmpuint(state(t, k), !=, SYSDMA_STATE_BUSY);
    }
    for (k = 0; k < SYSDMA_V_COUNT; k++) {
        sum += vcount(t, k);
    }
    g_assert_cmpuint(rd(t, SYSDMA_REG_VERIFY_TOTAL), ==, sum);
    g_assert_cmpuint(sum, >, 0);
    g_assert_cmphex(rd(t, SYSDMA_REG_ID), ==, SYSDMA_ID_VALUE);
    t_end(t);
}

/*
 * Upstream shape: 64-bit accesses to the address pairs, msi=on|off|auto,
 * x-fault-channel checked against channels in realize and on qom-set.
 */
static void test_shape(void)
{
    T *t = t_start("channels=2,msi=off", NULL);
    QDict *rsp;

    g_assert(!qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0));
    qpci_io_writeq(t->dev, t->bar, SYSDMA_CH_BASE(1) + SYSDMA_CH_SRC_LO,
                   0x1122334455667788ull);
    qpci_io_writeq(t->dev, t->bar, SYSDMA_CH_BASE(1) + SYSDMA_CH_DST_LO,
                   0x99aabbccddeeff00ull);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SRC_LO), ==, 0x55667788);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SRC_HI), ==, 0x11223344);
    g_assert_cmphex(qpci_io_readq(t->dev, t->bar, SYSDMA_CH_BASE(1) +
                                  SYSDMA_CH_DST_LO), ==,
                    0x99aabbccddeeff00ull);
    assert_no_violation(t);
    /* 64 bits anywhere else, 16 bits anywhere: refused and counted */
    qpci_io_writeq(t->dev, t->bar, SYSDMA_CH_BASE(1) + SYSDMA_CH_LEN, 5);
    qpci_io_writew(t->dev, t->bar, SYSDMA_CH_BASE(1) + SYSDMA_CH_SRC_LO, 5);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_LEN), ==, 0);
    g_assert_cmphex(crd(t, 1, SYSDMA_CH_SRC_LO), ==, 0x55667788);
    g_assert_cmpuint(vcount(t, SYSDMA_V_BAD_REGISTER), ==, 2);
    /* x-fault-channel must name a channel of this device */
    rsp = qtest_qmp(t->qts, "{'execute': 'qom-set', 'arguments': "
                    "{'path': '/machine/peripheral-anon/device[0]', "
                    "'property': 'x-fault-channel', 'value': 2}}");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(t->qts, "{'execute': 'device_add', 'arguments': "
                    "{'driver': 'sysdma', 'id': 'x', 'addr': '06.0', "
                    "'channels': 2, 'x-fault-channel': 3}}");
    g_assert(qdict_haskey(rsp, "error"));
    g_assert(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"),
                    "x-fault-channel 3: the device has 2 channels"));
    qobject_unref(rsp);
    t_end(t);
    t = t_start("msi=on", NULL);
    g_assert(qpci_find_capability(t->dev, PCI_CAP_ID_MSI, 0));
    t_end(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/sysdma/id", test_id);
    qtest_add_func("/sysdma/id/properties", test_id_props);
    qtest_add_func("/sysdma/id/upstream-shape", test_shape);
    qtest_add_func("/sysdma/m2m/copy", test_m2m);
    qtest_add_func("/sysdma/m2p/sink-crc", test_m2p);
    qtest_add_func("/sysdma/h2/p2m-fifo", test_h2_p2m_fifo);
    qtest_add_func("/sysdma/h2/p2m-shorter-than-fifo", test_h2_p2m_short);
    qtest_add_func("/sysdma/h2/flush-owed", test_h2_flush_owed);
    qtest_add_func("/sysdma/v1/reprogram-no-flush",
                   test_v1_reprogram_no_flush);
    qtest_add_func("/sysdma/v1/release-no-flush", test_v1_release_no_flush);
    qtest_add_func("/sysdma/timing/rate", test_timing_rate);
    qtest_add_data_func("/sysdma/timing/rate0/chunk4k", "4096",
                        test_timing_rate0);
    qtest_add_data_func("/sysdma/timing/rate0/chunk64k", "65536",
                        test_timing_rate0);
    qtest_add_func("/sysdma/timing/default-rate", test_timing_default_rate);
    qtest_add_func("/sysdma/timing/chunk", test_timing_chunk);
    qtest_add_func("/sysdma/h1-k6/cancel-half-way", test_h1_cancel_half_way);
    qtest_add_func("/sysdma/h1-k6/cancel-chunk-boundary",
                   test_h1_cancel_chunk_boundary);
    qtest_add_func("/sysdma/h1-h2/cancel-p2m", test_h1_cancel_p2m);
    qtest_add_func("/sysdma/h1/cancel-after-complete",
                   test_h1_cancel_after_complete);
    qtest_add_func("/sysdma/v3/cancel-idle", test_v3_cancel_idle);
    qtest_add_func("/sysdma/irq/intx-w1c", test_irq_intx);
    qtest_add_func("/sysdma/irq/msi", test_irq_msi);
    qtest_add_func("/sysdma/v2/start-busy", test_v2_start_busy);
    qtest_add_func("/sysdma/v2/zero-length", test_v2_zero_length);
    qtest_add_func("/sysdma/v2/overlap", test_v2_overlap);
    qtest_add_func("/sysdma/v2/overlap-both-orders", test_v2_overlap_orders);
    qtest_add_func("/sysdma/v2/bad-address", test_v2_bad_address);
    qtest_add_func("/sysdma/v2/own-bar", test_v2_own_bar);
    qtest_add_func("/sysdma/v4/leak", test_v4_leak);
    qtest_add_func("/sysdma/v4/double-release-not-claimed",
                   test_v4_double_release_not_claimed);
    qtest_add_func("/sysdma/v/bad-register", test_v_bad_register);
    qtest_add_func("/sysdma/v/counters-qom", test_v_counters);
    qtest_add_func("/sysdma/v/strict", test_v_strict);
    qtest_add_func("/sysdma/k10/max-transfer", test_k10_max_transfer);
    qtest_add_func("/sysdma/sg/m2m", test_sg_m2m);
    qtest_add_func("/sysdma/sg/p2m-h2", test_sg_p2m);
    qtest_add_func("/sysdma/sg/m2p", test_sg_m2p);
    qtest_add_func("/sysdma/sg/malformed", test_sg_malformed);
    qtest_add_func("/sysdma/sg/cancel-h1", test_sg_cancel);
    qtest_add_func("/sysdma/fault/error", test_fault_error);
    qtest_add_func("/sysdma/fault/stall-k6", test_fault_stall);
    qtest_add_func("/sysdma/fault/drop-irq", test_fault_drop_irq);
    qtest_add_func("/sysdma/fault/delay-irq", test_fault_delay_irq);
    qtest_add_func("/sysdma/fault/spurious", test_fault_spurious);
    qtest_add_func("/sysdma/fault/slow", test_fault_slow);
    qtest_add_func("/sysdma/fault/qom", test_fault_qom);
    qtest_add_func("/sysdma/fault/ignore-cancel", test_fault_ignore_cancel);
    qtest_add_func("/sysdma/stream/two-starts-reset", test_stream_two_starts);
    qtest_add_func("/sysdma/stream/seed-write-resets",
                   test_stream_seed_resets);
    qtest_add_func("/sysdma/stream/cancel-error-stall", test_stream_cancel);
    qtest_add_func("/sysdma/reset/stops-channels-v4", test_reset_stops);
    qtest_add_func("/sysdma/pm/d3hot-d0-function-reset", test_pm_d3hot_reset);
    qtest_add_func("/sysdma/pm/no-reset-without-d3hot-d0", test_pm_no_reset);
    qtest_add_func("/sysdma/channels/parallel", test_channels_parallel);
    qtest_add_func("/sysdma/vmstate/migrate-mid-transfer",
                   test_migration_mid_transfer);
    qtest_add_func("/sysdma/safety/msi-reentrancy",
                   test_safety_msi_reentrancy);
    qtest_add_func("/sysdma/safety/random-registers", test_safety_random);
    return g_test_run();
}
