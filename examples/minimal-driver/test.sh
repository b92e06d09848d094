#!/usr/bin/env bash
# Boot the example driver instead of the reference one and check it:
#   test.sh good   minidma.ko         transfers right, verifier clean
#   test.sh broken minidma_broken.ko  the verifier reports V1 (no FLUSH)
set -uo pipefail
mode=$1 ko=$2
top=${SYSDMA_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

"$top/scripts/boot" --module "$ko" --no-sysdma-driver --strict \
	--device rate=1000000 --timeout 120 \
	--run 'dmesg | grep "minidma:"' >"$out" 2>"$err"
st=$?
echo "---- guest output (status $st)"; cat "$out"
echo "---- boot stderr"; cat "$err"
fail() { echo "FAIL: $*"; exit 1; }
grep -q 'minidma: m2m .* state=2 bytes=16384$' "$out" || fail "no completed 16 KiB transfer"
grep -qE 'minidma: cancel .* state=4 bytes=[0-9]+ of 65536' "$out" || fail "no cancelled transfer"
grep -q 'minidma: result pass' "$out" || fail "the driver's own checks failed"
case "$mode" in
good)
	[ "$st" = 0 ] || fail "scripts/boot --strict exited $st (want 0)"
	grep -q '^sysdma verifier: clean: 0 violation' "$err" || fail "no clean verifier report"
	;;
broken)
	[ "$st" = 123 ] || fail "scripts/boot --strict exited $st (want 123: verifier not clean)"
	grep -q '^sysdma verifier: VIOLATIONS' "$err" || fail "no verifier violations reported"
	grep -qE '^  #1 V1 reprogram-no-flush +ch0 +at [0-9.]+ ms: write CH0.START \(0x120\) = 0x1: START without FLUSH' "$err" ||
		fail "the report does not name the V1 START on ch0"
	grep -q 'counters: total=1 .*reprogram-no-flush=1' "$err" || fail "counters wrong"
	;;
*) fail "unknown mode $mode" ;;
esac
echo "PASS ($mode)"
