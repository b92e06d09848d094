#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 10 (U-fuzz), run inside the guest: 100,000 seeded hostile and
# malformed calls of every /dev/sysdma0 entry point (sysdma-fuzz), then
# the driver must be balanced and the kernel log clean.  TAP on stdout.
# Seed: sysdma.seed=N on the kernel command line, else random (printed).
PATH=/bin:/sbin:/usr/bin:/scenario
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

seed=
for w in $(cat /proc/cmdline); do
	case "$w" in sysdma.seed=*) seed=${w#*=} ;; esac
done
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
echo "# seed $seed (reproduce with --append sysdma.seed=$seed)"
dmesg_base=$(dmesg | wc -l)

start=$(date +%s)
sysdma-fuzz -n 100000 -s "$seed" >/tmp/out.txt 2>&1
rc=$?
sed 's/^/# /' /tmp/out.txt
ok $rc "100000 hostile ioctl/read/write calls: documented errnos only, counters balanced, nothing claimed or charged (seed $seed, $(($(date +%s) - start)) s)"

sysdma-stress --check-idle >/tmp/out.txt 2>&1
rc=$?
sed 's/^/# /' /tmp/out.txt
ok $rc "after the fuzzer: no claimed channel, no V_LEAK, verifier 0"

sysdma-stress -n 200 -s "$seed" >/tmp/out.txt 2>&1
rc=$?
sed 's/^/# /' /tmp/out.txt
ok $rc "the driver still works: 200 randomized requests"

dmesg | tail -n +$((dmesg_base + 1)) >/tmp/dmesg.txt
grep -E 'WARNING:|BUG:|Oops|leak|refcount|lockdep|Call Trace' /tmp/dmesg.txt >/tmp/bad.txt
sed 's/^/# /' /tmp/bad.txt
[ ! -s /tmp/bad.txt ]
ok $? "kernel log clean (no WARNING:|BUG:|Oops|leak|refcount|lockdep|Call Trace)"

echo "1..$n"
exit $failed
