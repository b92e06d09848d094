# Shared helpers for sysdma's scripts (sourced, not run).
# SYSDMA_CACHE: downloads, QEMU source and build, firmware, guest kernel.
: "${SYSDMA_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/sysdma}"
export SYSDMA_CACHE
SYSDMA_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SYSDMA_TOP

step() { printf '==> %s\n' "$*" >&2; }
die() { printf 'sysdma: error: %s\n' "$*" >&2; exit 1; }

# The guest kernel: SYSDMA_KERNEL, else the one set-up chose, else the
# newest linux-image-6.1.0-N-amd64 that apt knows.
guest_kernel_version() {
	if [ -n "${SYSDMA_KERNEL:-}" ]; then
		echo "$SYSDMA_KERNEL"
	elif [ -e "$SYSDMA_CACHE/kernel/current" ]; then
		basename "$(readlink "$SYSDMA_CACHE/kernel/current")"
	else
		apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
			grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' |
			sed 's/^linux-image-//' | sort -t- -k2,2n | tail -n1
	fi
}
