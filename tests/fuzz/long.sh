#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS each (default 3600 when run by
# hand; `make fuzz` passes its own default, 60), across
# FUZZ_JOBS cores (default: all of them) with libFuzzer's -fork, from its
# seed corpus and what earlier runs kept in build/fuzz/long/NAME.
# Prints, per target, the executions it made and how many per second, and
# ends with "fuzz: N passed, N failed": a target passes if it finds no crash.
# FUZZ_TARGETS="wgmsg uapi" limits the run to those targets.
# FUZZ_RUNS=N stops each target once it has made N executions, and then a
# target passes only if it got there inside FUZZ_SECONDS with no crash:
#   make fuzz FUZZ_SECONDS=3600 FUZZ_RUNS=10000000
set -u
cd "$(dirname "$0")/../.." || exit 1
seconds=${FUZZ_SECONDS:-3600}
jobs=${FUZZ_JOBS:-$(nproc)}
runs=${FUZZ_RUNS:-}
case $runs in
'' | *[!0-9]*) [ -z "$runs" ] || {
	echo "long.sh: FUZZ_RUNS must be a number of executions, not '$runs'" >&2
	exit 2
} ;;
esac
passed=0
failed=0
for bin in build/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	if [ -n "${FUZZ_TARGETS:-}" ] && ! printf ' %s ' "$FUZZ_TARGETS" | grep -q " $name "; then
		continue
	fi
	work=build/fuzz/long/$name
	log=build/fuzz/long/$name.log
	mkdir -p "$work"
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	# A crash stops the run (fork mode does not go on past one) and
	# leaves its input as build/fuzz/crash-NAME-*; that file alone
	# reproduces it: build/fuzz/fuzz_NAME build/fuzz/crash-NAME-...
	# shellcheck disable=SC2086 # $seeds is one directory, or none
	# shellcheck disable=SC2046 # -runs=N, or nothing
	if "$bin" -fork="$jobs" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 \
		$([ -n "$runs" ] && echo "-runs=$runs") \
		-artifact_prefix="build/fuzz/crash-$name-" "$work" $seeds >"$log" 2>&1; then
		# Fork mode's status lines start "#EXECUTIONS:"; the last is the total.
		# Fork mode's status lines: "#EXECUTIONS: cov: EDGES ... time: SECONDSs".
		last=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -n 1)
		execs=$(printf '%s\n' "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
		cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
		took=$(printf '%s\n' "$last" | sed -n 's/.* time: \([0-9]*\)s.*/\1/p')
		rate='?'
		[ -n "$execs" ] && [ "${took:-0}" -gt 0 ] && rate=$((execs / took))
		verdict=PASS
		# Fork mode stops at -runs between jobs, so the total may pass N a little.
		if [ -n "$runs" ] && [ "${execs:-0}" -lt "$runs" ]; then
			verdict=FAIL
		fi
		printf '  %s  %-8s %12s executions in %s s on %s jobs, %s/s, %s edges\n' \
			"$verdict" "$name" "${execs:-?}" "${took:-?}" "$jobs" "$rate" "${cov:-?}"
		if [ "$verdict" = PASS ]; then
			passed=$((passed + 1))
		else
			echo "        fewer than the $runs executions asked for in $seconds s"
			failed=$((failed + 1))
		fi
	else
		printf '  FAIL  %-8s crashed; see %s\n' "$name" "$log"
		tail -n 30 "$log"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
