#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The debug lanes' long randomized stress, run inside the guest (scripts/boot
# --add THIS:/scenario/stress.sh --run 'sh /scenario/stress.sh'), booted with
# two sysdma devices so that two sysdma-stress processes run at the same
# time, each on its own device (the driver's counters and fault injection
# are per device, which sysdma-stress checks exactly).  sysdma-stress reads
# the registers of the first sysdma it finds in /sys/bus/pci/devices: each
# process runs in a mount namespace whose /sys/bus/pci/devices shows only
# its own device.
#
# Kernel command line: sysdma.stress_n=N requests per process and round
# (default 25000), sysdma.stress_rounds=R (default 2), sysdma.seed=S.
# Total requests: N x devices x R (default 100,000).
#
# THE STRESS COMMAND LINE IS HERE (stress_cmd): update it when
# sysdma-stress gains options (threads sharing one fd, close/signal mixes).
PATH=/bin:/sbin:/usr/bin:/scenario

arg() {
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1"=*) echo "${w#*=}"; return ;; esac
	done
}

# stress_cmd SEED COUNT: one stress process (SYSDMA_DEV says which device)
stress_cmd() {
	# threads sharing one open file, once sysdma-stress has them
	threads=""
	sysdma-stress -h 2>&1 | grep -q -- '-t ' && threads="-t 4"
	sysdma-stress -n "$2" -s "$1" -j 8 $threads
}

# --one DEV SEED COUNT: (in its own mount namespace) one process on DEV
if [ "${1:-}" = --one ]; then
	name=${2#/dev/}
	pci=$(readlink -f "/sys/class/misc/$name/device")
	[ -d "$pci" ] || { echo "stress: no PCI device behind $2"; exit 1; }
	mount --make-rprivate / 2>/dev/null
	mkdir -p "/tmp/view-$name"
	ln -sfn "$pci" "/tmp/view-$name/$(basename "$pci")"
	mount --bind "/tmp/view-$name" /sys/bus/pci/devices ||
		{ echo "stress: cannot narrow /sys/bus/pci/devices"; exit 1; }
	SYSDMA_DEV=$2 stress_cmd "$3" "$4"
	exit $?
fi

per=$(arg sysdma.stress_n)
rounds=$(arg sysdma.stress_rounds)
seed=$(arg sysdma.seed)
: "${per:=25000}" "${rounds:=2}"
[ -n "$seed" ] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
devs=$(ls /dev/sysdma[0-9]* 2>/dev/null)
ndev=$(echo $devs | wc -w)
echo "stress: seed $seed (reproduce with --append sysdma.seed=$seed), $per requests x $ndev devices x $rounds rounds"
[ "$ndev" -ge 1 ] || { echo "stress: FAIL: no /dev/sysdma*"; exit 1; }
failed=0
total=0
t0=$(cut -d. -f1 /proc/uptime)
r=0
while [ "$r" -lt "$rounds" ]; do
	k=0
	pids=""
	for d in $devs; do
		s=$((seed + r * 16 + k))
		unshare -m sh "$0" --one "$d" "$s" "$per" >/tmp/stress-$r-$k.txt 2>&1 &
		pids="$pids $!:$d:$s:$k"
		k=$((k + 1))
	done
	for p in $pids; do
		pid=${p%%:*}
		rest=${p#*:}
		wait "$pid"
		st=$?
		k=${rest##*:}
		if [ "$st" != 0 ]; then
			echo "stress: FAIL: round $r, ${rest%%:*} (seed $(echo "$rest" | cut -d: -f2)) exit $st:"
			tail -n 40 /tmp/stress-$r-$k.txt | sed 's/^/  /'
			failed=$((failed + 1))
		else
			tail -n 2 /tmp/stress-$r-$k.txt | sed 's/^/  /'
			total=$((total + per))
		fi
	done
	r=$((r + 1))
done
t1=$(cut -d. -f1 /proc/uptime)
echo "stress: $total requests completed and checked in $((t1 - t0)) s of guest time"
# the driver lets go of everything: no claimed channel, no verifier count
rmmod sysdma
st=$?
[ "$st" = 0 ] || { echo "stress: FAIL: rmmod exit $st"; failed=$((failed + 1)); }
sysdma-stress --check-idle || { echo "stress: FAIL: device not idle after rmmod"; failed=$((failed + 1)); }
[ "$failed" = 0 ] && echo "stress: PASS" || echo "stress: FAIL ($failed)"
exit "$failed"
