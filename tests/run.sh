#!/usr/bin/env bash
# make test: the unit tests, the same tests built with ASan+UBSan, the netns
# lab tests, and a short run of every fuzz target; make test-long adds the
# mutants of tests/mutants.md.  Ends with what the count is made of, then
# one line, "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
PASSED=0
FAILED=0
SKIPPED=0
BREAKDOWN=
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# part LABEL PASSED FAILED [SKIPPED]: one line of the closing breakdown.
part() {
	BREAKDOWN+=$(printf '  %-34s %5s passed, %s failed%s' "$1" "$2" "$3" "${4:+, $4 skipped}")$'\n'
}

# stage NAME LABEL COMMAND...: runs a stage and adds up the
# "N passed, N failed[, N skipped]" it ends on.
stage() {
	local name=$1 label=$2 line p f s
	shift 2
	echo "==== $name"
	"$@" 2>&1 | tee "$log"
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: did not finish (no summary line)"
		FAILED=$((FAILED + 1))
		part "$label, did not finish" 0 1
		return
	fi
	p=$(echo "$line" | sed -E 's/.*\b([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.*\b([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.*\b([0-9]+) skipped.*/\1/p')
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	SKIPPED=$((SKIPPED + ${s:-0}))
	line=
	[ "$label" = lab ] && line=$(grep -E '^lab: checks of behaviour' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		# The lab tells checks of behaviour from checks of refusals.
		part "lab checks of behaviour" \
			"$(echo "$line" | sed -nE 's/.*behaviour ([0-9]+) passed, ([0-9]+) failed.*/\1/p')" \
			"$(echo "$line" | sed -nE 's/.*behaviour ([0-9]+) passed, ([0-9]+) failed.*/\2/p')" "${s:-0}"
		part "lab checks of refusals" \
			"$(echo "$line" | sed -nE 's/.*refusals ([0-9]+) passed, ([0-9]+) failed.*/\1/p')" \
			"$(echo "$line" | sed -nE 's/.*refusals ([0-9]+) passed, ([0-9]+) failed.*/\2/p')"
	else
		part "${label/#lab/lab checks}" "$p" "$f" "$s"
	fi
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
stage "unit tests" "unit cases" build_and_run build 0
stage "unit tests under ASan+UBSan" "the same under ASan+UBSan" build_and_run build/asan 1
# clang's static analyser must find nothing: one check, passed or failed.
analyze() {
	if make --no-print-directory -s analyze; then
		echo "static analysis: 1 passed, 0 failed"
	else
		echo "static analysis: 0 passed, 1 failed"
	fi
}
stage "static analysis (scan-build)" "static analysis" analyze
stage "lab tests" lab tests/lab/run.sh
fuzz_smoke() {
	make --no-print-directory -s fuzz-bins && FUZZ_SECONDS=${FUZZ_SECONDS:-10} tests/fuzz/run.sh
}
stage "fuzz targets, ${FUZZ_SECONDS:-10} s each" "fuzz targets" fuzz_smoke
if [ "${TUNLAB_LONG:-0}" = 1 ]; then
	stage "mutants (tests/mutants.md), each must turn its test red" "mutants caught" tests/mutants.sh
fi

echo "==== what the count is made of"
printf '%s' "$BREAKDOWN"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
