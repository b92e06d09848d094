#!/usr/bin/env bash
# scripts/lib.sh's calm output (logged, build_progress): the console gets
# one line per step, the command's output goes to the log; on failure the
# console shows the log's tail and the command to retry.
set -uo pipefail
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "not ok - $*"; exit 1; }
echo "1..3"

cat >"$tmp/step.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
. "$TOP/scripts/lib.sh"
logged "fetching something" sh -c 'echo "Get:1 http://x y 1.0 [5 MB]"; echo noise; echo "Fetched 70.6 MB in 1s (136 MB/s)"'
logged "failing step" sh -c 'echo detail-one; echo detail-two >&2; exit 3'
echo not reached
SH
chmod +x "$tmp/step.sh"
TOP=$top SYSDMA_CACHE=$tmp/cache SYSDMA_LOG= SYSDMA_RETRY= "$tmp/step.sh" --some-arg >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" = 3 ] || fail "status $st, want 3"
! grep -q "not reached" "$tmp/out" || fail "went on after a failed step"
! grep -q "noise" "$tmp/err" || fail "a command's output reached the console"
grep -q "fetching something: done in [0-9]* s, fetched 70.6 MB" "$tmp/err" || { cat "$tmp/err"; fail "no byte count"; }
grep -q "noise" "$tmp/cache/logs/sysdma.log" || fail "the output is not in the log"
echo "ok 1 - a step: one line and the download size; the output in the log"
grep -q "failing step failed (status 3)" "$tmp/err" || fail "no failure line"
grep -q "| detail-two" "$tmp/err" || fail "no log tail on failure"
grep -q "retry: .*step.sh --some-arg" "$tmp/err" || { cat "$tmp/err"; fail "no retry command"; }
echo "ok 2 - a failing step: the log's tail and the retry command"

cat >"$tmp/build.sh" <<'SH'
#!/usr/bin/env bash
set -euo pipefail
. "$TOP/scripts/lib.sh"
for i in $(seq 1 100); do echo "[$i/100] Compiling C object x$i.o"; echo "warning: chatter $i"; done |
	build_progress "QEMU"
SH
chmod +x "$tmp/build.sh"
TOP=$top SYSDMA_CACHE=$tmp/cache SYSDMA_LOG= "$tmp/build.sh" 2>"$tmp/err2" || fail "build_progress failed"
lines=$(wc -l <"$tmp/err2")
[ "$lines" -le 12 ] || fail "$lines progress lines for 100 steps (want <= 12)"
grep -q "QEMU \[100/100\]" "$tmp/err2" || { cat "$tmp/err2"; fail "no final [n/N]"; }
! grep -q chatter "$tmp/err2" || fail "build chatter on the console"
grep -q "chatter 100" "$tmp/cache/logs/sysdma.log" || fail "build output not in the log"
echo "ok 3 - a build: ninja's [n/N] on a few lines, the rest in the log"
