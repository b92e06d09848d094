/*
 * QTest for the sysdma verifier log: the read-only QOM property
 * "verify-log" (JSON) lists each violation with its contract rule, kind,
 * channel, the guest register write that raised it and its virtual time,
 * plus the counters (qemu-device/REGISTERS.md, "Verifier log").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qjson.h"
#include "qapi/error.h"
#include "hw/dma/sysdma-regs.h"

#define DEVFN       QPCI_DEVFN(4, 0)
#define RAM_SIZE    (64 * 1024 * 1024)
#define RAM_SRC     0x100000
#define RAM_DST     0x300000

typedef struct T {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
} T;

static T *t_start_props(const char *props)
{
    T *t = g_new0(T, 1);

    t->qts = qtest_initf("-M pc -m 64M -device sysdma,addr=04.0,id=sd0%s",
                         props);
    t->bus = qpci_new_pc(t->qts, NULL);
    t->dev = qpci_device_find(t->bus, DEVFN);
    g_assert(t->dev);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, 0, NULL);
    return t;
}

static T *t_start(void)
{
    return t_start_props("");
}

static void t_end(T *t)
{
    g_free(t->dev);
    qpci_free_pc(t->bus);
    qtest_quit(t->qts);
    g_free(t);
}

static void cwr(T *t, int ch, uint32_t off, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar, SYSDMA_CH_BASE(ch) + off, val);
}

static uint32_t crd(T *t, int ch, uint32_t off)
{
    return qpci_io_readl(t->dev, t->bar, SYSDMA_CH_BASE(ch) + off);
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

static void run(T *t, int ch)
{
    int i;

    for (i = 0; i < 10000; i++) {
        if ((crd(t, ch, SYSDMA_CH_STATUS) & SYSDMA_STATUS_STATE_MASK) !=
            SYSDMA_STATE_BUSY) {
            return;
        }
        qtest_clock_step(t->qts, 100 * 1000);
    }
    g_assert_not_reached();
}

/* The property, parsed: the caller unrefs it */
static QDict *vlog(T *t)
{
    QDict *rsp = qtest_qmp(t->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/peripheral/sd0', "
                           "'property': 'verify-log'}}");
    QObject *obj;
    QDict *d;

    g_assert(qdict_haskey(rsp, "return"));
    obj = qobject_from_json(qdict_get_str(rsp, "return"), &error_abort);
    d = qobject_to(QDict, obj);
    g_assert(d);
    qobject_unref(rsp);
    return d;
}

static QDict *entry(QDict *d, int i)
{
    QList *l = qdict_get_qlist(d, "violations");
    QListEntry *e;

    QLIST_FOREACH_ENTRY(l, e) {
        if (!i--) {
            return qobject_to(QDict, qlist_entry_obj(e));
        }
    }
    g_assert_not_reached();
}

/* A clean device: nothing logged, every counter 0 */
static void test_clean(void)
{
    T *t = t_start();
    QDict *d, *c;

    go(t, 0, RAM_SRC, RAM_DST, 4096, SYSDMA_DIR_M2M);
    run(t, 0);
    cwr(t, 0, SYSDMA_CH_FLUSH, 1);
    cwr(t, 0, SYSDMA_CH_CLAIM, 0);
    d = vlog(t);
    g_assert_cmpint(qdict_get_int(d, "total"), ==, 0);
    g_assert_cmpint(qdict_get_int(d, "dropped"), ==, 0);
    g_assert(qlist_empty(qdict_get_qlist(d, "violations")));
    c = qdict_get_qdict(d, "counters");
    g_assert_cmpint(qdict_size(c), ==, SYSDMA_V_COUNT + 1);
    g_assert_cmpint(qdict_get_int(c, "reprogram-no-flush"), ==, 0);
    g_assert_cmpint(qdict_get_int(c, "total"), ==, 0);
    qobject_unref(d);
    t_end(t);
}

/* V1: the START that skipped FLUSH, on its channel, at its virtual time */
static void test_v1_write(void)
{
    T *t = t_start();
    QDict *d, *e, *w;
    int64_t now;

    go(t, 2, RAM_SRC, RAM_DST, 100, SYSDMA_DIR_M2M);
    run(t, 2);
    now = qtest_clock_step(t->qts, 12345);
    cwr(t, 2, SYSDMA_CH_START, 1);
    d = vlog(t);
    g_assert_cmpint(qdict_get_int(d, "total"), ==, 1);
    e = entry(d, 0);
    g_assert_cmpint(qdict_get_int(e, "seq"), ==, 1);
    g_assert_cmpstr(qdict_get_str(e, "rule"), ==, "V1");
    g_assert_cmpstr(qdict_get_str(e, "kind"), ==, "reprogram-no-flush");
    g_assert_cmpint(qdict_get_int(e, "channel"), ==, 2);
    g_assert_cmpint(qdict_get_int(e, "time-ns"), ==, now);
    w = qdict_get_qdict(e, "write");
    g_assert(w);
    g_assert_cmphex(qdict_get_int(w, "offset"), ==,
                    SYSDMA_CH_BASE(2) + SYSDMA_CH_START);
    g_assert_cmpint(qdict_get_int(w, "value"), ==, 1);
    g_assert(strstr(qdict_get_str(e, "detail"), "START without FLUSH"));
    g_assert_cmpint(qdict_get_int(qdict_get_qdict(d, "counters"),
                                  "reprogram-no-flush"), ==, 1);
    qobject_unref(d);
    t_end(t);
}

/*
 * A violation the engine finds between writes (DMA running off the end of
 * RAM) names no write; a plain programming error has no rule; VERIFY_CLEAR
 * clears the counters but not the log.
 */
static void test_engine_and_clear(void)
{
    T *t = t_start();
    QDict *d, *e;
    QObject *w;
    int64_t t0;

    go(t, 1, RAM_SRC, RAM_SIZE - 6000, 8192, SYSDMA_DIR_M2M);
    t0 = qtest_clock_step(t->qts, 1);
    run(t, 1);
    cwr(t, 1, SYSDMA_CH_FLUSH, 1);
    cwr(t, 1, SYSDMA_CH_CLAIM, 0);
    qpci_io_writel(t->dev, t->bar, 0xffc, 7);    /* bad register */
    qpci_io_writel(t->dev, t->bar, SYSDMA_REG_VERIFY_CLEAR, 1);
    d = vlog(t);
    g_assert_cmpint(qdict_get_int(d, "total"), ==, 2);
    e = entry(d, 0);
    g_assert_cmpstr(qdict_get_str(e, "rule"), ==, "V2");
    g_assert_cmpstr(qdict_get_str(e, "kind"), ==, "bad-address");
    g_assert_cmpint(qdict_get_int(e, "channel"), ==, 1);
    g_assert_cmpint(qdict_get_int(e, "time-ns"), >, t0);
    w = qdict_get(e, "write");
    g_assert(w && qobject_type(w) == QTYPE_QNULL);
    e = entry(d, 1);
    g_assert(qobject_type(qdict_get(e, "rule")) == QTYPE_QNULL);
    g_assert_cmpstr(qdict_get_str(e, "kind"), ==, "bad-register");
    g_assert_cmphex(qdict_get_int(qdict_get_qdict(e, "write"), "offset"), ==,
                    0xffc);
    g_assert_cmpint(qdict_get_int(qdict_get_qdict(e, "write"), "value"), ==,
                    7);
    g_assert_cmpint(qdict_get_int(qdict_get_qdict(d, "counters"), "total"),
                    ==, 0);
    qobject_unref(d);
    t_end(t);
}

/*
 * RATE 0: the first step runs inside the START write (REGISTERS.md, The
 * engine and timing), so the DMA error it meets names that write, and the
 * channel has ended before the next register access.
 */
static void test_rate0_step_in_start(void)
{
    T *t = t_start_props(",rate=0");
    QDict *d, *e, *w;

    go(t, 1, RAM_SRC, RAM_SIZE - 6000, 8192, SYSDMA_DIR_M2M);
    g_assert_cmpuint(crd(t, 1, SYSDMA_CH_STATUS) & SYSDMA_STATUS_STATE_MASK,
                     ==, SYSDMA_STATE_ERROR);
    d = vlog(t);
    g_assert_cmpint(qdict_get_int(d, "total"), ==, 1);
    e = entry(d, 0);
    g_assert_cmpstr(qdict_get_str(e, "kind"), ==, "bad-address");
    w = qdict_get_qdict(e, "write");
    g_assert(w);
    g_assert_cmphex(qdict_get_int(w, "offset"), ==,
                    SYSDMA_CH_BASE(1) + SYSDMA_CH_START);
    qobject_unref(d);
    t_end(t);
}

/* The log keeps the last 64 in order and counts the ones it dropped */
static void test_ring(void)
{
    T *t = t_start();
    QDict *d;
    int i;

    for (i = 0; i < 70; i++) {
        cwr(t, 0, SYSDMA_CH_FLUSH, 1);          /* V3 flush-idle */
    }
    d = vlog(t);
    g_assert_cmpint(qdict_get_int(d, "total"), ==, 70);
    g_assert_cmpint(qdict_get_int(d, "dropped"), ==, 6);
    g_assert_cmpint(qlist_size(qdict_get_qlist(d, "violations")), ==, 64);
    g_assert_cmpint(qdict_get_int(entry(d, 0), "seq"), ==, 7);
    g_assert_cmpint(qdict_get_int(entry(d, 63), "seq"), ==, 70);
    g_assert_cmpstr(qdict_get_str(entry(d, 63), "rule"), ==, "V3");
    qobject_unref(d);
    t_end(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/sysdma-verifier-log/clean", test_clean);
    qtest_add_func("/sysdma-verifier-log/v1-write", test_v1_write);
    qtest_add_func("/sysdma-verifier-log/engine-and-clear",
                   test_engine_and_clear);
    qtest_add_func("/sysdma-verifier-log/ring", test_ring);
    qtest_add_func("/sysdma-verifier-log/rate0-step-in-start",
                   test_rate0_step_in_start);
    return g_test_run();
}
