#!/usr/bin/env bash
# Runs cmocka test binaries and adds up their verdicts.
# Prints cmocka's own output, then "unit: N passed, N failed, N skipped" and
# exits 1 on any failure.
set -u
passed=0
failed=0
skipped=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' | tail -1)
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	skipped=$((skipped + ${s:-0}))
	failed=$((failed + ${f:-0}))
	# A binary that died before its summary still counts as a failure.
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "unit: $t exited with status $rc"
		failed=$((failed + 1))
	fi
done
echo "unit: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
