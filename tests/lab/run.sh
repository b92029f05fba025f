#!/usr/bin/env bash
# The lab tests: real namespaces, real tunnels, a lab of their own.
# Prints PASS/FAIL/SKIP per check, then the passes and failures of checks of
# behaviour and of refusals apart, and ends with "lab: N passed, N failed, N skipped".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PASSED=0
FAILED=0
. tests/lab/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	echo "lab: the lab tests need root (network namespaces)"
	echo "lab: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

BASELINE=$(root_view)
# Whatever happens, leave nothing behind.
trap '"$H" down --lab "$LAB" >/dev/null 2>&1' EXIT

# Arguments pick files by their number: tests/lab/run.sh 62 67 runs only
# those (each file that needs a lab brings its own up).
for t in tests/lab/[0-9]*.sh; do
	if [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do
			case "${t#tests/lab/}" in "$a"*) want=1 ;; esac
		done
		[ "$want" -eq 1 ] || continue
	fi
	echo "== ${t#tests/lab/}"
	. "$t"
done

echo "lab: checks of behaviour $((PASSED - REFUSALS_PASSED)) passed, $((FAILED - REFUSALS_FAILED)) failed;" \
	"checks of refusals $REFUSALS_PASSED passed, $REFUSALS_FAILED failed"
echo "lab: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
