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

# ---- calm output: one line per step, the details in a log ------------------
# Every step's command output (apt, dpkg, configure, ninja, kbuild) goes to
# $SYSDMA_LOG; the console gets one "==> WHAT" line and one result line
# (download sizes from apt's "Fetched" line).  On failure: the log's last
# lines and the command to retry (the outermost script's command line).
: "${SYSDMA_LOG:=$SYSDMA_CACHE/logs/sysdma.log}"
export SYSDMA_LOG
if [ -z "${SYSDMA_RETRY:-}" ]; then
	SYSDMA_RETRY=$(printf '%q ' "$0" "$@")
	export SYSDMA_RETRY
fi

# The failure report: the last lines of the log since line $1, then the retry.
log_failed() {
	local from=$1 what=$2 st=$3
	printf 'sysdma: error: %s failed (status %s); the end of %s:\n' "$what" "$st" "$SYSDMA_LOG" >&2
	tail -n +"$from" "$SYSDMA_LOG" | tail -n 25 | sed 's/^/    | /' >&2
	printf 'sysdma: fix the cause, then retry: %s\n' "$SYSDMA_RETRY" >&2
}

# logged WHAT CMD [ARGS...]: run CMD with its output in the log.
logged() {
	local what=$1 from t0=$SECONDS st=0 fetched
	shift
	mkdir -p "$(dirname "$SYSDMA_LOG")"
	printf '\n==== %s: %s\n' "$(date -u '+%F %T')" "$what" >>"$SYSDMA_LOG"
	printf '$ %s\n' "$*" >>"$SYSDMA_LOG"
	from=$(($(wc -l <"$SYSDMA_LOG") + 1))
	step "$what"
	DEBIAN_FRONTEND=noninteractive "$@" </dev/null >>"$SYSDMA_LOG" 2>&1 || st=$?
	if [ "$st" != 0 ]; then
		log_failed "$from" "$what" "$st"
		return "$st"
	fi
	fetched=$(tail -n +"$from" "$SYSDMA_LOG" | sed -n 's/^Fetched \([0-9.]* [kMG]*B\) in.*/\1/p' | tail -n1)
	printf '    %s: done in %d s%s\n' "$what" $((SECONDS - t0)) "${fetched:+, fetched $fetched}" >&2
}

# build_progress WHAT: filter a build's output (stdin) into the log, showing
# ninja's "[n/N]" on one console line (overwritten on a terminal, every
# tenth otherwise).  Returns the build's status from PIPESTATUS.
build_progress() {
	local what=$1 line n total shown=-1 tty=0
	[ -t 2 ] && tty=1
	mkdir -p "$(dirname "$SYSDMA_LOG")"
	printf '\n==== %s: %s\n' "$(date -u '+%F %T')" "$what" >>"$SYSDMA_LOG"
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$SYSDMA_LOG"
		case "$line" in
		\[[0-9]*/[0-9]*\]*)
			n=${line#[}; n=${n%%/*}; total=${line#*/}; total=${total%%]*}
			if [ "$tty" = 1 ]; then
				printf '\r    %s [%s/%s]' "$what" "$n" "$total" >&2
			elif [ $((n * 10 / total)) != "$shown" ]; then
				shown=$((n * 10 / total))
				printf '    %s [%s/%s]\n' "$what" "$n" "$total" >&2
			fi ;;
		esac
	done
	if [ "$tty" = 1 ]; then
		printf '\n' >&2
	fi
	return 0
}
