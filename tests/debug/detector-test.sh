#!/bin/sh
# The runner's kernel-log detector (sysdma-run --check-log, the same
# report_kernel_problem the scenarios use) must flag the report of every
# checker the debug kernels carry, and must not flag their normal boot
# messages.  TAP.
#   tests/debug/detector-test.sh SYSDMA_RUN
runner=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
bad=0
check() {	# check WANT(0 clean, 1 flagged) LINE
	n=$((n + 1))
	printf '%s\n' "$2" >"$tmp/log"
	"$runner" --check-log "$tmp/log" >"$tmp/out" 2>&1
	st=$?
	if [ "$st" = "$1" ]; then
		echo "ok $n - $([ "$1" = 1 ] && echo flagged || echo clean): $2"
	else
		echo "not ok $n - exit $st, want $1: $2"
		sed 's/^/# /' "$tmp/out"
		bad=$((bad + 1))
	fi
}
# reports, as 6.1 prints them
check 1 '[   12.345678] BUG: KASAN: use-after-free in sdma_complete+0x1a/0x40 [sysdma]'
check 1 '[   12.345678] BUG: KASAN: slab-out-of-bounds in sdma_ioctl+0x99/0x200 [sysdma]'
check 1 '[    3.100000] BUG: KCSAN: data-race in sdma_begin_completion [sysdma] / sdma_timeout_fn [sysdma]'
check 1 '[    3.100000] UBSAN: shift-out-of-bounds in guest-driver/sysdma_txn.c:120:17'
check 1 '[    3.100000] UBSAN: array-index-out-of-bounds in guest-driver/sysdma_irq.c:40:9'
check 1 '[    3.100000] ODEBUG: free active (active state 0) object: 00000000a1b2c3d4 object type: timer_list hint: sdma_timeout_fn+0x0/0x90 [sysdma]'
check 1 '[    3.100000] ODEBUG: activate not available (active state 0) object: 00000000a1b2c3d4 object type: work_struct hint: 0x0'
check 1 '[    3.100000] BUG: KFENCE: use-after-free read in sdma_release+0x22/0x70 [sysdma]'
check 1 '[    3.100000] BUG: KFENCE: out-of-bounds write in sdma_submit+0x100/0x300 [sysdma]'
check 1 '[    3.100000] WARNING: possible circular locking dependency detected'
check 1 '[    3.100000] WARNING: inconsistent lock state'
check 1 '[    3.100000] WARNING: possible recursive locking detected'
check 1 '[    3.100000] INFO: trying to register non-static key.'
check 1 '[    3.100000] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580'
check 1 '[    3.100000] BUG: scheduling while atomic: sysdma-stress/77/0x00000002'
check 1 '[    3.100000] WARNING: CPU: 1 PID: 77 at lib/debugobjects.c:505 debug_print_object+0x7d/0xa0'
check 1 '[    3.100000] refcount_t: underflow; use-after-free.'
check 1 '[    3.100000] DMA-API: sysdma 0000:00:04.0: device driver tries to free DMA memory it has not allocated [device address=0x0000000001234000] [size=4096 bytes]'
check 1 '[    3.100000] list_add corruption. prev->next should be next (ffff888003d1c0a8), but was 0000000000000000.'
check 1 '[    3.100000] kernel BUG at guest-driver/sysdma_request.c:88!'
check 1 '[    3.100000] general protection fault, probably for non-canonical address 0xdffffc0000000000: 0000 [#1] SMP KASAN'
# normal boot messages of the debug kernels (copied from their dmesg)
check 0 '[    0.295542] kasan: KernelAddressSanitizer initialized'
check 0 '[    2.310824] DMA-API: preallocated 65536 debug entries'
check 0 '[    2.311718] DMA-API: debugging enabled by kernel config'
check 0 '[    1.060344] rcu: 	RCU lockdep checking is enabled.'
check 0 '[    1.179644]  memory used by lock dependency info: 6493 kB'
check 0 '[    0.564549] kcsan: non-strict mode configured - use CONFIG_KCSAN_STRICT=y to see all data races'
check 0 '[    0.707766] BUG: KCSAN: data-race in lapic_cal_handler / setup_boot_APIC_clock'
# ... but any other KCSAN report, also one naming only core functions
check 1 '[    9.100000] BUG: KCSAN: data-race in lapic_cal_handler / sdma_req_submit'
check 1 '[    9.100000] BUG: KCSAN: data-race in __list_add / list_del'
check 0 '[    0.123456] kfence: initialized - using 2097152 bytes for 255 objects at 0x(____ptrval____)-0x(____ptrval____)'
check 0 '[    0.000000] kcsan: enabled early'
check 0 '[    0.000000] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar'
check 0 '[    0.000000] ... MAX_LOCKDEP_SUBCLASSES:  8'
check 0 '[    0.000000] ... MAX_LOCK_DEPTH:          48'
check 0 '[    0.000000] ... CHAINHASH_SIZE:          32768'
check 0 '[    1.000000] sysdma 0000:00:04.0: sysdma: 4 channels, MAX_XFER 65536'
echo "1..$n"
exit "$bad"
