#!/bin/bash
# Build the (mutated) driver of a worktree and run the catalogue, then the
# acceptance script, against it.  Never run from /work/main itself, never
# scripts/build-qemu from the worktree (it would graft the worktree's device
# into the shared QEMU tree).
#
#   git -C /work/main worktree add /tmp/mut HEAD
#   tests/mutation/mutate.py /tmp/mut R3b
#   tests/mutation/run-mutant.sh /tmp/mut /tmp/mutbuild [runner args...]
set -u
wt=$1 out=$2; shift 2
main=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
for t in sysdmactl sysdma-exit sysdma-stress sysdma-ioctl-test; do
	cp "$main/build/guest-driver/$t" "$out/$t"
done
"$wt/scripts/build-module" "$out/sysdma.ko" || exit 2
"$wt/scripts/build-initramfs" "$out/initramfs.cpio.gz" "$out/sysdma.ko:/lib/modules/sysdma.ko" \
	"$out/sysdmactl:/bin/sysdmactl" "$out/sysdma-exit:/bin/sysdma-exit" \
	"$out/sysdma-stress:/bin/sysdma-stress" "$out/sysdma-ioctl-test:/bin/sysdma-ioctl-test" || exit 2
cd "$main" || exit 2
SYSDMA_BUILD=$main/build timeout 300 build/scripts/runner/sysdma-run -j 1 --vm-timeout 25 \
	--initrd "$out/initramfs.cpio.gz" "$@" | tee "$out/catalogue.log" | grep -E '^(FAIL|TIMEOUT|CRASH)|passed in'
echo "catalogue: rc ${PIPESTATUS[0]}"
timeout 200 scripts/boot --initrd "$out/initramfs.cpio.gz" --append iomem=relaxed \
	--add "$main/tests/e2e/driver-acceptance.sh:/scenario/acceptance.sh" \
	--run 'sh /scenario/acceptance.sh' --timeout 150 >"$out/acceptance.log" 2>&1
echo "acceptance: rc $?"
grep -E '^not ok' "$out/acceptance.log"
