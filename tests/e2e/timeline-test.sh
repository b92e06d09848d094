#!/usr/bin/env bash
# sysdma-run's timelines (README, "One timeline"):
#  1. --timeline DIR on r6-cancel-race-completion: its JSON is valid trace
#     events with device, request and driver-party tracks, and its HTML
#     renders in headless Chromium to a screenshot that is not blank;
#  2. a failing scenario (selftest/wrong-expectation) leaves a timeline
#     in the work dir without being asked, linked from index.html.
set -uo pipefail
run=$1 top=$2
check="$top/tests/e2e/check-timeline.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "not ok - $*"; exit 1; }

echo "1..4"
"$run" --timeline "$tmp/tl" "$top/tests/scenarios/r6-cancel-race-completion.scn" >"$tmp/out" 2>&1 ||
	{ cat "$tmp/out"; fail "r6-cancel-race-completion failed"; }
json="$tmp/tl/r6-cancel-race-completion_0.json" html="$tmp/tl/r6-cancel-race-completion_0.html"
[ -f "$json" ] && [ -f "$html" ] && [ -f "$tmp/tl/index.html" ] || { ls -l "$tmp/tl"; fail "timeline files missing"; }
grep -q 'href="r6-cancel-race-completion_0.html"' "$tmp/tl/index.html" || fail "index.html does not link the timeline"
python3 "$check" "$json" --require-driver || fail "r6 JSON invalid"
echo "ok 1 - r6 timeline JSON valid"

browser=$(command -v chromium || command -v chromium-browser) || fail "no chromium (scripts/setup installs it)"
mkdir -p "$tmp/profile"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$tmp/profile" --window-size=1440,900 \
	--screenshot="$tmp/shot.png" "file://$html" >"$tmp/chromium.log" 2>&1
[ -s "$tmp/shot.png" ] || { tail -20 "$tmp/chromium.log"; fail "chromium made no screenshot"; }
python3 "$check" "$json" --png "$tmp/shot.png" || fail "screenshot blank"
echo "ok 2 - r6 timeline renders in headless Chromium"

"$run" "$top/tests/scenarios/selftest/wrong-expectation.scn" >"$tmp/out2" 2>&1 && fail "wrong-expectation passed"
dir=$(sed -n 's/^timeline: \(.*\)\/index.html$/\1/p' "$tmp/out2" | head -n1)
[ -n "$dir" ] && [ -f "$dir/index.html" ] || { cat "$tmp/out2"; fail "a failing scenario left no timeline"; }
j=$(ls "$dir"/*.json | head -n1)
python3 "$check" "$j" || fail "failing scenario's JSON invalid"
echo "ok 3 - a failing scenario leaves a valid timeline ($dir)"
grep -q 'class="fail"' "$dir/index.html" || fail "index.html does not show the failure"
rm -rf "$(dirname "$dir")"
echo "ok 4 - the report lists the failure"
