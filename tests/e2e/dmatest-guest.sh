#!/bin/sh
# Linux's own dmatest (drivers/dma/dmatest.c from linux-source-6.1, built by
# scripts/setup) on sysdma's dmaengine channels, in the guest, as TAP.
# Needs /lib/modules/dmatest.ko and iomem=relaxed (the verifier counters
# are read from BAR0 by sysdmactl).
#
#   DMATEST_ITER  iterations per thread of the verified runs (1000)
#   DMATEST_SIZES test_buf_size of the verified runs (bytes, up to and above
#                 the device's MAX_XFER: 8192 in tests/e2e/dmatest's boot)
#   DMATEST_NOVERIFY_SIZE test_buf_size of the noverify run (MAX_XFER)
#   DMATEST_FAULT_ITER iterations per thread of the fault-injection run
#   DMATEST_MODE=bench  only a noverify run of MAX_XFER copies (scripts/bench)
set -u
: >/tmp/warnings
P=/sys/module/dmatest/parameters
ITER=${DMATEST_ITER:-1000}
SIZES=${DMATEST_SIZES:-"1024 8192 24576"}
FAULT_ITER=${DMATEST_FAULT_ITER:-100}
THREADS=2
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { # check COND-STATUS DESCRIPTION
	if [ "$1" = 0 ]; then ok "$2"; else notok "$2"; fi
}

verifier_total() {
	sysdmactl verifier 2>/dev/null | awk '$1 == "total" { print $2 }'
}

# sysdma's dmaengine channels: /sys/class/dma/dma*chan* whose device is ours
chans=""
for c in /sys/class/dma/dma*chan*; do
	[ -e "$c" ] || continue
	dev=$(readlink -f "$c/device")
	[ "$(cat "$dev/vendor" 2>/dev/null)" = 0x1234 ] &&
		[ "$(cat "$dev/device" 2>/dev/null)" = 0x5d4a ] &&
		chans="$chans ${c##*/}"
done
nch=$(echo $chans | wc -w)
max_xfer=$(sysdmactl peek reg=max_xfer 2>/dev/null | awk '{ print $NF }')
max_xfer=$((${max_xfer:-0x10000}))
echo "# sysdma dmaengine channels:$chans (MAX_XFER $max_xfer)"
[ "$nch" -gt 0 ] || { echo "1..1"; echo "not ok 1 - no sysdma dmaengine channel in /sys/class/dma"; exit 1; }
[ -f /lib/modules/dmatest.ko ] || { echo "1..1"; echo "not ok 1 - no dmatest.ko"; exit 1; }

# One dmatest run: NAME PARAMS...; leaves its summary lines in /tmp/summary
dmatest_run() {
	name=$1
	shift
	dmesg -c >/dev/null
	t0=$(date +%s)
	# parameters first, then run: a "run=1" on the command line would
	# start at once with the parameters parsed before it
	if ! insmod /lib/modules/dmatest.ko threads_per_chan=$THREADS \
		timeout=10000 "$@" || ! echo 1 >$P/run; then
		notok "$name: insmod dmatest $*"
		: >/tmp/summary
		rmmod dmatest 2>/dev/null
		return
	fi
	cat $P/wait >/dev/null
	t1=$(date +%s)
	dmesg | grep -E 'dmatest: .*summary [0-9]+ tests' | sed 's/^\[[^]]*\] //' >/tmp/summary
	dmesg | grep -E 'dmatest: .*(result #|Started)' | head -8 | sed 's/^/# /'
	dmesg | grep -E 'WARNING|BUG:|Oops|caller error' >>/tmp/warnings
	rmmod dmatest
	sed "s/^/# $name: /" /tmp/summary
	echo "# $name: $((t1 - t0)) s"
}

# summary lines -> "threads tests failures bad_ret iops_sum kbs_sum"
summarize() {
	awk '{
		for (i = 1; i <= NF; i++) {
			if ($i == "summary") tests += $(i + 1)
			if ($i == "failures") fails += $(i - 1)
			if ($i == "iops") iops += $(i - 1)
			if ($i == "KB/s") kbs += $(i - 1)
		}
		if ($NF != "(0)") bad++
		threads++
	} END { printf "%d %d %d %d %.2f %d\n", threads, tests, fails, bad, iops, kbs }' /tmp/summary
}

expect_threads=$((nch * THREADS))
if [ "${DMATEST_MODE:-}" = bench ]; then
	# scripts/bench: only the noverify numbers
	dmatest_run "memcpy noverify buf=$max_xfer" test_buf_size="$max_xfer" \
		iterations="$ITER" noverify=1
	set -- $(summarize)
	echo "@@dmatest-noverify buf=$max_xfer threads=$1 tests=$2 failures=$3 iops=$5 KB/s=$6"
	exit 0
fi
v0=$(verifier_total)
echo "# verifier total before: $v0"

for sz in $SIZES; do
	dmatest_run "memcpy buf=$sz" test_buf_size="$sz" iterations="$ITER"
	set -- $(summarize)
	check $([ "$1" = "$expect_threads" ]; echo $?) "memcpy verified, test_buf_size=$sz: $1 threads on $nch channels (want $expect_threads)"
	check $([ "$2" = $((expect_threads * ITER)) ]; echo $?) "memcpy verified, test_buf_size=$sz: $2 tests (want $((expect_threads * ITER)))"
	check $([ "$3" = 0 ] && [ "$4" = 0 ]; echo $?) "memcpy verified, test_buf_size=$sz: $3 failures, $4 threads with an error (want 0, 0)"
done

v1=$(verifier_total)
check $([ -n "$v1" ] && [ "$v1" = "$v0" ]; echo $?) "device verifier counted nothing during the verified runs ($v0 -> $v1)"

# noverify: the numbers (iops, KB/s); copies of up to MAX_XFER
nv_size=${DMATEST_NOVERIFY_SIZE:-$((max_xfer))}
dmatest_run "memcpy noverify buf=$nv_size" test_buf_size="$nv_size" iterations="$ITER" noverify=1
set -- $(summarize)
check $([ "$2" = $((expect_threads * ITER)) ] && [ "$3" = 0 ]; echo $?) "memcpy noverify: $2 tests, $3 failures"
echo "@@dmatest-noverify buf=$nv_size threads=$1 tests=$2 iops=$5 KB/s=$6"
v2=$(verifier_total)
check $([ "$v2" = "$v1" ]; echo $?) "device verifier counted nothing during the noverify run ($v1 -> $v2)"

# Fault injection: every channel ends a transfer in ERROR/ERR_INJECTED once
# it moved 4 KiB (sticky): the longer copies fail, dmatest must see it.
i=0
while [ $i -lt "$nch" ]; do
	sysdmactl fault ch=$i mode=error sticky=error error_after=4096 >/dev/null ||
		notok "arm FAULT_ERROR on channel $i"
	i=$((i + 1))
done
dmatest_run "memcpy fault-injected" test_buf_size=16384 iterations="$FAULT_ITER"
set -- $(summarize)
check $([ "$1" = "$expect_threads" ] && [ "$2" = $((expect_threads * FAULT_ITER)) ]; echo $?) "fault-injected: $1 threads, $2 tests"
check $([ "$3" -gt 0 ]; echo $?) "fault-injected: dmatest reports failures ($3 of $2): the judge can fail"
fired=0
i=0
while [ $i -lt "$nch" ]; do
	f=$(sysdmactl peek reg=fault_fired ch=$i 2>/dev/null | awk '{ print $NF }')
	fired=$((fired + ${f:-0}))
	sysdmactl fault ch=$i mode=none >/dev/null
	i=$((i + 1))
done
# A thread that saw failures ends with dmaengine_terminate_sync(), which
# aborts at most one copy of the other thread on its channel.
check $([ "$fired" -gt 0 ] && [ "$3" -le $((fired + expect_threads)) ]; echo $?) "fault-injected: failures ($3) explained by faults fired ($fired) + final terminates (<= $expect_threads)"

dmesg | grep -E 'WARNING|BUG:|Oops|caller error' >>/tmp/warnings
sed 's/^/# /' /tmp/warnings | head -5
check $([ ! -s /tmp/warnings ]; echo $?) "no kernel warning, no caller error"
echo "1..$n"
[ "$fails" = 0 ]
