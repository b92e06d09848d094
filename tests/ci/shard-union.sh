#!/usr/bin/env bash
# The CI matrix (.github/workflows/sysdma.yml) runs sysdma-run --shard i/n
# for i = 1..n.  Check that, for several n and with --repeat, the shards'
# instances together are exactly the catalogue's, each in one shard only.
# No VM: sysdma-run --list-instances prints what a shard would run.
set -euo pipefail
run=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "not ok - $*"; exit 1; }
t=0
for repeat in 1 3; do
	"$run" --repeat "$repeat" --list-instances | sort >"$tmp/all"
	[ -s "$tmp/all" ] || fail "no instances at all"
	[ "$(sort -u "$tmp/all" | wc -l)" = "$(wc -l <"$tmp/all")" ] || fail "duplicate instance names"
	for n in 1 2 3 4 7 64; do
		: >"$tmp/union"
		for i in $(seq 1 "$n"); do
			"$run" --repeat "$repeat" --shard "$i/$n" --list-instances >>"$tmp/union"
		done
		sort "$tmp/union" >"$tmp/union.sorted"
		t=$((t + 1))
		if diff -u "$tmp/all" "$tmp/union.sorted" >"$tmp/diff"; then
			echo "ok $t - repeat $repeat, $n shards: $(wc -l <"$tmp/all") instances, each once"
		else
			cat "$tmp/diff"
			fail "repeat $repeat, $n shards: the union differs from the catalogue"
		fi
	done
done
# a bad shard is refused
if "$run" --shard 0/3 --list-instances >/dev/null 2>&1; then fail "--shard 0/3 accepted"; fi
if "$run" --shard 4/3 --list-instances >/dev/null 2>&1; then fail "--shard 4/3 accepted"; fi
t=$((t + 1)); echo "ok $t - bad shards refused"
# junit-merge (the workflow's merge job) on shard files shaped like
# sysdma-run --junit's: the union passes, a lost or doubled shard fails
merge=${2:-}
if [ -n "$merge" ]; then
	"$run" --list-instances >"$tmp/expect"
	for i in 1 2 3; do
		{
			echo '<?xml version="1.0" encoding="UTF-8"?>'
			echo "<testsuites><testsuite name=\"sysdma-scenarios\" tests=\"0\" failures=\"0\" time=\"$i.5\">"
			"$run" --shard "$i/3" --list-instances | while read -r name; do
				echo "  <testcase classname=\"sysdma\" name=\"$name\" time=\"0.1\"></testcase>"
			done
			echo '</testsuite></testsuites>'
		} >"$tmp/shard$i.xml"
	done
	"$merge" --expect "$tmp/expect" "$tmp/all.xml" "$tmp"/shard{1,2,3}.xml >/dev/null ||
		fail "junit-merge rejected the three shards"
	grep -q "tests=\"$(wc -l <"$tmp/expect")\"" "$tmp/all.xml" || fail "merged count wrong"
	t=$((t + 1)); echo "ok $t - junit-merge: three shards add up to the catalogue"
	if "$merge" --expect "$tmp/expect" "$tmp/x.xml" "$tmp"/shard{1,2}.xml >/dev/null 2>&1; then
		fail "junit-merge accepted a missing shard"
	fi
	if "$merge" --expect "$tmp/expect" "$tmp/x.xml" "$tmp"/shard{1,2,3,3}.xml >/dev/null 2>&1; then
		fail "junit-merge accepted a shard twice"
	fi
	t=$((t + 1)); echo "ok $t - junit-merge: a missing or doubled shard fails"
fi
echo "1..$t"
