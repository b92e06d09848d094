#!/bin/sh
# Guest side of the dmaengine-client test: load the cancel-protocol client
# module (its cases run at load) and turn its "sdmatest:" log lines into
# TAP.  sysdma's cancel poll is raised for the run so that a held-back
# interrupt (FAULT_DELAY_IRQ) is the only thing that ends a cancelled
# transfer (the freed-after-synchronize case).
set -u
ko=${1:-/lib/modules/sysdma_dmaengine_test.ko}
[ $# -gt 0 ] && shift
poll=/sys/module/sysdma/parameters/cancel_poll_ms
old=$(cat $poll)
echo 60000 >$poll
dmesg -c >/dev/null
insmod "$ko" "$@"
rc=$?
echo "$old" >$poll
dmesg | sed -n 's/^\[[^]]*\] //; s/^sdmatest: //p' >/tmp/sdmatest
n=0
while IFS= read -r l; do
	case "$l" in
	"ok - "*|"not ok - "*)
		n=$((n + 1))
		echo "${l%% - *} $n - ${l#* - }" ;;
	*) echo "# $l" ;;
	esac
done </tmp/sdmatest
if [ "$rc" != 0 ]; then
	n=$((n + 1))
	echo "not ok $n - insmod $ko: $rc"
fi
warn=$(dmesg | grep -cE 'WARNING|BUG:|Oops|caller error')
n=$((n + 1))
if [ "$warn" = 0 ]; then echo "ok $n - no kernel warning"; else
	dmesg | grep -E 'WARNING|BUG:|Oops|caller error' | head -5 | sed 's/^/# /'
	echo "not ok $n - kernel warnings: $warn"; fi
n=$((n + 1))
if grep -q '^done .* 0 failed' /tmp/sdmatest; then
	echo "ok $n - every case ran"
else
	echo "not ok $n - the module did not finish with 0 failed"
fi
rmmod sysdma_dmaengine_test 2>/dev/null
echo "1..$n"
! grep -q '^not ok' /tmp/sdmatest && [ "$rc" = 0 ] && [ "$warn" = 0 ] &&
	grep -q '^done .* 0 failed' /tmp/sdmatest
