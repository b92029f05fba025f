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
RUN_END='"$H" down --lab "$LAB" >/dev/null 2>&1'
trap "$RUN_END" EXIT

# Arguments pick files by their number: tests/lab/run.sh 62 67 runs only
# those (each file that needs a lab brings its own up).  They are copied
# first: a sourced file may `set --` at its top level and change "$@".
RUN_ONLY=("$@")
picked() {
	local a
	[ ${#RUN_ONLY[@]} -eq 0 ] && return 0
	for a in "${RUN_ONLY[@]}"; do
		case "${1#tests/lab/}" in "$a"*) return 0 ;; esac
	done
	return 1
}
RUN_FILES=(tests/lab/[0-9]*.sh)
for RUN_FILE in "${RUN_FILES[@]}"; do
	picked "$RUN_FILE" || continue
	echo "== ${RUN_FILE#tests/lab/}"
	RUN_START=$SECONDS
	# A file's EXIT trap is its cleanup (processes the lab did not record,
	# devices, scratch files): run when the file ends, not when the run does,
	# or the next file's trap replaces it unrun.  The run's own trap (take
	# the lab down at the very end) is put back after each file.
	trap - EXIT
	. "$RUN_FILE"
	RUN_TRAP=$(trap -p EXIT)
	trap "$RUN_END" EXIT
	if [ -n "$RUN_TRAP" ]; then
		eval "set -- ${RUN_TRAP#trap -- }"
		eval "$1"
	fi
	# What each file costs, so the 30-minute budget of make test can be kept.
	echo "== ${RUN_FILE#tests/lab/} took $((SECONDS - RUN_START)) s"
done

echo "lab: checks of behaviour $((PASSED - REFUSALS_PASSED)) passed, $((FAILED - REFUSALS_FAILED)) failed;" \
	"checks of refusals $REFUSALS_PASSED passed, $REFUSALS_FAILED failed"
echo "lab: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
