#!/usr/bin/env bash
# Run the browser tests N times in a row (default 20) while the rest of the suite runs beside them in a
# loop, to show they do not flake on a busy machine. Each round runs them as make test does (pytest-xdist,
# one worker more than cores; with browser modules only, side by side), so with the loop's pytest there is
# more to run than cores. Prints one line per round (with the load average at its end) and the count at the end.
# Usage: scripts/browser-tests-under-load.sh [N]
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
py=.venv/bin/python
log=test-artifacts/under-load
mkdir -p "$log"
# the load in a process group of its own, so that stopping it stops the pytest it is running too
setsid bash -c "while true; do $py -m pytest -q -p no:cacheprovider -m 'not e2e' >/dev/null 2>&1; done" &
load=$!
round_pid=
# stopping the script stops the load and the round under way (each in a process group of its own)
trap 'kill -- -$load 2>/dev/null; [ -n "$round_pid" ] && kill -- -"$round_pid" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
passed=0
for round in $(seq 1 "$rounds"); do
  start=$(date +%s)
  PMQA_REQUIRE_E2E=1 setsid $py -m pytest -q -p no:cacheprovider -n auto -m e2e >"$log/round-$round.txt" 2>&1 &
  round_pid=$!
  if wait "$round_pid"; then
    passed=$((passed + 1)); outcome=passed
  else
    outcome=FAILED
  fi
  round_pid=
  echo "round $round: $outcome in $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg)" \
    "($(tail -1 "$log/round-$round.txt"))"
done
echo "browser tests under load: $passed of $rounds rounds passed"
[ "$passed" -eq "$rounds" ]
