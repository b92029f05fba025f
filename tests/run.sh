#!/usr/bin/env bash
# make test: the unit tests, the same tests built with ASan+UBSan, the netns
# lab tests, and a short run of every fuzz target.  Ends with one line, "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
PASSED=0
FAILED=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# stage NAME COMMAND...: runs a stage and adds up the "N passed, N failed" it ends on.
stage() {
	local name=$1 line p f
	shift
	echo "==== $name"
	"$@" 2>&1 | tee "$log"
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: did not finish (no summary line)"
		FAILED=$((FAILED + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*\b([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.*\b([0-9]+) failed.*/\1/')
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
}

build_and_run() {
	local build=$1 sanitize=$2
	if ! make --no-print-directory -s BUILD="$build" SANITIZE="$sanitize" unit-bins; then
		echo "build of the unit tests failed"
		return 1
	fi
	tests/run-unit.sh "$build"/tests/test_*
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
stage "unit tests" build_and_run build 0
stage "unit tests under ASan+UBSan" build_and_run build/asan 1
# clang's static analyser must find nothing: one check, passed or failed.
analyze() {
	if make --no-print-directory -s analyze; then
		echo "static analysis: 1 passed, 0 failed"
	else
		echo "static analysis: 0 passed, 1 failed"
	fi
}
stage "static analysis (scan-build)" analyze
stage "lab tests" tests/lab/run.sh
fuzz_smoke() {
	make --no-print-directory -s fuzz-bins && FUZZ_SECONDS=${FUZZ_SECONDS:-10} tests/fuzz/run.sh
}
stage "fuzz targets, ${FUZZ_SECONDS:-10} s each" fuzz_smoke

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
