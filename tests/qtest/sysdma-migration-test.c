/*
 * QTest: hostile migration streams against the sysdma DMA controller.
 *
 * A migration stream is untrusted input.  A stream is saved (to a file)
 * in the middle of the work: channels busy, the P2M FIFO holding data, a
 * scatter-gather chain half walked, a FIFO holding several runs after the
 * end.  Then every field that indexes, sizes or points is corrupted, one
 * at a time, on active and inactive channels, and the file is loaded into
 * a new QEMU: each load must be refused and QEMU must go on answering.
 * The unmodified stream must load (so the offsets are right and a refusal
 * means something), and a stream from channels=8 must not load into
 * channels=4.
 *
 * The fields are found by the channel layout of vmstate_sysdma_channel
 * (qemu-device/sysdma.c): the SEED register of channels 0 and 1 holds a
 * marker, which gives the start of each channel and the channel size.
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
#define RAM_SRC     0x100000
#define RAM_DST     0x300000
#define RAM_DESC    0x500000
#define RATE_1MS    "rate=4096000"
#define MS          1000000LL
#define MARKER      0x5eed5a00u

/* vmstate_sysdma_channel, in stream order (offsets in bytes) */
enum {
    F_SRC = 0, F_DST = 8, F_LEN = 16, F_CFG = 20, F_SEED = 24,
    F_CLAIMED = 28, F_STATE = 29, F_ERRCODE = 33, F_FLUSH_OWED = 37,
    F_STALLED = 38, F_BYTES = 39, F_TOTAL = 43, F_IRQ = 47,
    F_DESC_DONE = 51, F_SRC_POS = 55, F_SINK_CRC = 63, F_XDIR = 67,
    F_XSG = 71, F_XIRQ = 72, F_XRATE = 73, F_CUR_SRC = 77, F_CUR_DST = 85,
    F_SEG_LEFT = 93, F_SEG_LAST = 97, F_NEXT_DESC = 98, F_NDESC = 106,
    F_STEP_LEN = 110, F_DEADLINE = 114, F_IRQ_OWED = 122, F_IRQ_AT = 123,
    F_FIFO = 131,                       /* SYSDMA FIFO runs, 28 bytes each */
    F_FIFO_RUNS = 131 + 16 * 28, F_FIFO_LEVEL = F_FIFO_RUNS + 4,
    CH_SIZE = F_FIFO_LEVEL + 4,
};
/* a FIFO run: dst, off, seed, len, pos */
#define RUN(i, f)   (F_FIFO + 28 * (i) + (f))
#define RUN_DST     0
#define RUN_LEN     20
#define RUN_POS     24

typedef struct T {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
} T;

static void t_attach(T *t)
{
    t->bus = qpci_new_pc(t->qts, NULL);
    t->dev = qpci_device_find(t->bus, DEVFN);
    g_assert(t->dev);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, 0, NULL);
}

static T *t_start(const char *props, const char *extra)
{
    T *t = g_new0(T, 1);

    t->qts = qtest_initf("-M pc -m 64M -device sysdma,addr=04.0,%s %s",
                         props, extra ? extra : "");
    if (!extra) {
        t_attach(t);
    }
    return t;
}

static void t_end(T *t)
{
    g_free(t->dev);
    if (t->bus) {
        qpci_free_pc(t->bus);
    }
    qtest_quit(t->qts);
    g_free(t);
}

static uint32_t crd(T *t, int ch, uint32_t off)
{
    return qpci_io_readl(t->dev, t->bar, SYSDMA_CH_BASE(ch) + off);
}

static void cwr(T *t, int ch, uint32_t off, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar, SYSDMA_CH_BASE(ch) + off, val);
}

static void go(T *t, int ch, uint64_t src, uint64_t dst, uint32_t len,
               uint32_t cfg)
{
    cwr(t, ch, SYSDMA_CH_CLAIM, 1);
    cwr(t, ch, SYSDMA_CH_SRC_LO, src);
    cwr(t, ch, SYSDMA_CH_SRC_HI, src >> 32);
    cwr(t, ch, SYSDMA_CH_DST_LO, dst);
    cwr(t, ch, SYSDMA_CH_DST_HI, dst >> 32);
    cwr(t, ch, SYSDMA_CH_LEN, len);
    cwr(t, ch, SYSDMA_CH_CFG, cfg);
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

/* Wait for the end of a migration; true when it completed */
static bool mig_wait(QTestState *qts)
{
    int i;

    for (i = 0; i < 6000; i++) {
        const char *st = mig_status(qts);

        if (!strcmp(st, "completed")) {
            return true;
        }
        if (!strcmp(st, "failed")) {
            return false;
        }
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

static void save(T *t, const char *file)
{
    g_autofree char *uri = g_strdup_printf("file:%s", file);

    qtest_qmp_assert_success(t->qts, "{'execute': 'migrate', 'arguments':"
                             " {'uri': %s}}", uri);
    g_assert(mig_wait(t->qts));
}

/*
 * Load @file into a new QEMU with @props; true when the load completed.
 * A refused load leaves QEMU running and answering.
 */
static bool load(const char *props, const char *file, T **out)
{
    g_autofree char *uri = g_strdup_printf("file:%s", file);
    T *t = t_start(props, "-incoming defer");
    QDict *rsp;
    bool ok;

    qtest_qmp_assert_success(t->qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s, "
                             "'exit-on-error': false}}", uri);
    ok = mig_wait(t->qts);
    /* QEMU still answers, and its clock still runs the device's timers */
    qtest_clock_step(t->qts, 10 * MS);
    rsp = qtest_qmp(t->qts, "{'execute': 'query-status'}");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    if (ok) {
        t_attach(t);
    }
    if (out) {
        *out = t;
    } else {
        t_end(t);
    }
    return ok;
}

/* Offset of the big-endian 32-bit @val in @buf from @from on, or -1 */
static gssize find_be32(const uint8_t *buf, gsize len, gsize from,
                        uint32_t val)
{
    gsize i;

    for (i = from; i + 4 <= len; i++) {
        if (ldl_be_p(buf + i) == val) {
            return i;
        }
    }
    return -1;
}

static gssize find_str(const uint8_t *buf, gsize len, gsize from,
                       const char *str)
{
    gsize n = strlen(str), i;

    for (i = from; i + n <= len; i++) {
        if (!memcmp(buf + i, str, n)) {
            return i;
        }
    }
    return -1;
}

typedef struct Stream {
    uint8_t *buf;
    gsize len;
    gsize ch0;          /* start of channel 0 in the main section */
    gsize debug;        /* first field of the "sysdma/debug" subsection */
} Stream;

static void stream_read(Stream *st, const char *file)
{
    gssize dev, m0, m1, dbg;

    g_assert(g_file_get_contents(file, (gchar **)&st->buf, &st->len, NULL));
    dev = find_str(st->buf, st->len, 0, "0000:00:04.0/sysdma");
    g_assert_cmpint(dev, >=, 0);
    m0 = find_be32(st->buf, st->len, dev, MARKER);
    m1 = find_be32(st->buf, st->len, dev, MARKER + 1);
    g_assert_cmpint(m0, >, dev);
    /* the channel layout is the one this test knows */
    g_assert_cmpint(m1 - m0, ==, CH_SIZE);
    st->ch0 = m0 - F_SEED;
    dbg = find_str(st->buf, st->len, st->ch0, "sysdma/debug");
    g_assert_cmpint(dbg, >, st->ch0 + SYSDMA_MAX_CHANNELS * CH_SIZE);
    st->debug = dbg + strlen("sysdma/debug") + 4;     /* + version_id */
}

static void put(uint8_t *b, gsize at, unsigned size, uint64_t val)
{
    switch (size) {
    case 1:
        b[at] = val;
        break;
    case 4:
        stl_be_p(b + at, val);
        break;
    default:
        stq_be_p(b + at, val);
        break;
    }
}

static uint32_t get32(const Stream *st, int ch, unsigned off)
{
    return ldl_be_p(st->buf + st->ch0 + ch * CH_SIZE + off);
}

/*
 * Save: channels busy, FIFO data, an SG chain half walked, a finished P2M
 * chain with four runs in the FIFO, a stalled channel (channels=8 lets
 * channels 0-4 be used and 5-7 stay inactive in a channels=5 reload).
 */
static void make_stream(const char *props, const char *file, bool high)
{
    T *t = t_start(props, NULL);
    int k;

    qtest_memset(t->qts, RAM_SRC, 0x5a, 16 * 4096);
    for (k = 0; k < 5; k++) {
        cwr(t, k, SYSDMA_CH_SEED, MARKER + k);
    }
    go(t, 0, RAM_SRC, RAM_DST, 16 * 4096, SYSDMA_DIR_M2M);
    go(t, 1, 0, RAM_DST + 0x20000, 16 * 4096, SYSDMA_DIR_P2M);
    for (k = 0; k < 4; k++) {
        desc(t, RAM_DESC + 32 * k, RAM_SRC + 4096 * k,
             RAM_DST + 0x40000 + 4096 * k, 4096,
             k == 3 ? SYSDMA_DESC_END : 0, RAM_DESC + 32 * (k + 1));
        desc(t, RAM_DESC + 0x1000 + 32 * k, 0,
             RAM_DST + 0x60000 + 64 * k, 16,
             k == 3 ? SYSDMA_DESC_END : 0, RAM_DESC + 0x1000 + 32 * (k + 1));
    }
    go(t, 2, RAM_DESC, 0, 0, SYSDMA_DIR_M2M | SYSDMA_CFG_SG);
    go(t, 3, RAM_DESC + 0x1000, 0, 0, SYSDMA_DIR_P2M | SYSDMA_CFG_SG);
    cwr(t, 4, SYSDMA_CH_FAULT_ERROR_AFTER, 5000);
    cwr(t, 4, SYSDMA_CH_FAULT_MODE, SYSDMA_FAULT_STALL);
    go(t, 4, RAM_SRC, 0, 16 * 4096, SYSDMA_DIR_M2P);
    if (high) {
        go(t, 6, RAM_SRC, RAM_DST + 0x80000, 16 * 4096, SYSDMA_DIR_M2M);
    }
    qtest_clock_step(t->qts, 2 * MS + MS / 2);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 2 * 4096);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_DESC_DONE), ==, 2);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_STATUS) & SYSDMA_STATUS_STATE_MASK,
                     ==, SYSDMA_STATE_COMPLETE);
    g_assert_cmpuint(crd(t, 3, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    g_assert(crd(t, 4, SYSDMA_CH_STATUS) & SYSDMA_STATUS_STALLED);
    save(t, file);
    t_end(t);
}

typedef struct Corruption {
    const char *what;
    int ch;             /* -1: the debug subsection */
    unsigned off;
    unsigned size;
    uint64_t val;
} Corruption;

/* Every one of these must be refused (channels=5: 5-7 are inactive) */
static const Corruption corruptions[] = {
    { "state out of range", 0, F_STATE, 4, 9 },
    { "errcode out of range", 2, F_ERRCODE, 4, 0x77 },
    { "errcode without ERROR", 0, F_ERRCODE, 4, SYSDMA_ERR_ADDRESS },
    { "bytes > total", 0, F_BYTES, 4, 0x7fffffff },
    { "total > max-transfer", 0, F_TOTAL, 4, 0xffffffff },
    { "seg_left past the transfer", 0, F_SEG_LEFT, 4, 0xfffff000 },
    { "step_len > chunk", 0, F_STEP_LEN, 4, 0x40000000 },
    { "cur_dst wrapping", 0, F_CUR_DST, 8, 0xffffffffffffff00ull },
    { "xdir 3", 1, F_XDIR, 4, 3 },
    { "cfg bits", 1, F_CFG, 4, 0xffffffff },
    { "irq bits", 1, F_IRQ, 4, 0x80000001 },
    { "fifo_runs 17", 1, F_FIFO_RUNS, 4, 17 },
    { "fifo_runs 239", 1, F_FIFO_RUNS, 4, 239 },
    { "fifo_level > fifo-size", 1, F_FIFO_LEVEL, 4, 4096 },
    { "fifo_level != runs", 1, F_FIFO_LEVEL, 4, 63 },
    { "run length 0", 1, RUN(0, RUN_LEN), 4, 0 },
    { "run target wrapping", 1, RUN(0, RUN_DST), 8, 0xfffffffffffffff8ull },
    { "run position past BYTES", 1, RUN(0, RUN_POS), 4, 0xfffffff0 },
    { "ndesc > max", 2, F_NDESC, 4, SYSDMA_SG_MAX_DESC + 1 },
    { "desc_done > ndesc", 2, F_DESC_DONE, 4, 100 },
    { "FIFO data while idle", 3, F_STATE, 4, SYSDMA_STATE_IDLE },
    { "FIFO runs out of order", 3, RUN(1, RUN_POS), 4, 0 },
    { "stalled while not busy", 3, F_STALLED, 1, 1 },
    { "busy and flush owed", 4, F_FLUSH_OWED, 1, 1 },
    { "inactive: fifo_runs 239", 6, F_FIFO_RUNS, 4, 239 },
    { "inactive: fifo_level", 5, F_FIFO_LEVEL, 4, 64 },
    { "inactive: busy", 7, F_STATE, 4, SYSDMA_STATE_BUSY },
    { "inactive: claimed", 5, F_CLAIMED, 1, 1 },
    { "inactive: delayed irq", 7, F_IRQ_OWED, 1, 1 },
    /* debug subsection: spurious (1), verify[13] (52), fault_channel */
    { "x-fault-channel beyond channels", -1, 1 + 4 * SYSDMA_V_COUNT, 4, 6 },
    { "x-fault-channel < -1", -1, 1 + 4 * SYSDMA_V_COUNT, 4, -7 },
};

static void test_corrupted_streams(void)
{
    const char *props = "channels=5," RATE_1MS;
    g_autofree char *dir = g_dir_make_tmp("sysdma-mig-XXXXXX", NULL);
    g_autofree char *file = g_strdup_printf("%s/state", dir);
    g_autofree char *bad = g_strdup_printf("%s/bad", dir);
    Stream st = { 0 };
    T *t;
    size_t i;

    make_stream(props, file, false);
    stream_read(&st, file);
    g_assert_cmpuint(get32(&st, 0, F_STATE), ==, SYSDMA_STATE_BUSY);
    g_assert_cmpuint(get32(&st, 1, F_FIFO_RUNS), ==, 1);
    g_assert_cmpuint(get32(&st, 3, F_FIFO_RUNS), ==, 4);
    g_assert_cmpuint(get32(&st, 6, F_STATE), ==, SYSDMA_STATE_IDLE);

    /* the stream as saved loads, and the transfers finish */
    g_assert(load(props, file, &t));
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_FIFO_LEVEL), ==, 64);
    qtest_clock_step(t->qts, 100 * MS);
    g_assert_cmpuint(crd(t, 0, SYSDMA_CH_BYTES), ==, 16 * 4096);
    g_assert_cmpuint(crd(t, 2, SYSDMA_CH_BYTES), ==, 4 * 4096);
    t_end(t);

    for (i = 0; i < ARRAY_SIZE(corruptions); i++) {
        const Corruption *c = &corruptions[i];
        g_autofree uint8_t *b = g_memdup2(st.buf, st.len);
        gsize at = c->ch < 0 ? st.debug + c->off :
            st.ch0 + c->ch * CH_SIZE + c->off;

        g_test_message("corrupting: %s", c->what);
        put(b, at, c->size, c->val);
        g_assert(g_file_set_contents(bad, (const gchar *)b, st.len, NULL));
        if (load(props, bad, NULL)) {
            g_test_message("loaded a stream with %s", c->what);
            g_test_fail();
        }
    }
    g_free(st.buf);
    unlink(file);
    unlink(bad);
    rmdir(dir);
}

/*
 * A stream saved with channels=8 (channel 6 running) loaded into a device
 * with channels=5: refused; channel 6 must never run there.
 */
static void test_fewer_channels(void)
{
    g_autofree char *dir = g_dir_make_tmp("sysdma-mig-XXXXXX", NULL);
    g_autofree char *file = g_strdup_printf("%s/state", dir);
    g_autofree uint8_t *got = g_malloc(4096);
    T *t;
    int i;

    make_stream("channels=8," RATE_1MS, file, true);
    g_assert(!load("channels=5," RATE_1MS, file, &t));
    /* channel 6 (copying 0x5a bytes) did not go on there */
    qtest_memread(t->qts, RAM_DST + 0x80000 + 3 * 4096, got, 4096);
    for (i = 0; i < 4096; i++) {
        g_assert_cmphex(got[i], ==, 0);
    }
    t_end(t);
    /* the same stream loads into channels=8 */
    g_assert(load("channels=8," RATE_1MS, file, NULL));
    unlink(file);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/sysdma/migration/corrupted-streams",
                   test_corrupted_streams);
    qtest_add_func("/sysdma/migration/fewer-channels", test_fewer_channels);
    return g_test_run();
}
