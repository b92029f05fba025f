#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS each, from its seed corpus.
# Ends with "fuzz: N passed, N failed": a target passes if it finds no crash.
set -u
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-10}
passed=0
failed=0
for bin in build/fuzz/fuzz_*; do
	name=${bin##*/}
	name=${name#fuzz_}
	work=$(mktemp -d)
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	if "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 \
		-artifact_prefix="build/fuzz/crash-$name-" "$work" $seeds > "build/fuzz/$name.log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build/fuzz/$name.log" | grep -o '[0-9]*$')
		[ -z "$execs" ] && execs=$(grep -oE '#[0-9]+' "build/fuzz/$name.log" | tail -n 1 | tr -d '#')
		printf '  PASS  %-8s %s executions in %s s\n' "$name" "${execs:-?}" "$seconds"
		passed=$((passed + 1))
	else
		printf '  FAIL  %-8s crashed; see build/fuzz/%s.log\n' "$name" "$name"
		tail -n 30 "build/fuzz/$name.log"
		failed=$((failed + 1))
	fi
	rm -rf "$work"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
