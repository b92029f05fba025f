#!/usr/bin/env bash
# Runs every fuzz target (or those named: tests/fuzz/run.sh wire gro) for
# FUZZ_SECONDS each, from its seed corpus.  Ends with
# "fuzz: N passed, N failed, N skipped".
#
# A target passes when it finds no crash AND it did real work:
#  - its seed corpus tests/fuzz/corpus/NAME exists and holds seeds;
#  - it ran at least its least number of inputs a second, times
#    FUZZ_SECONDS (stat::number_of_executed_units of -print_final_stats).
#    Each is about a tenth of what the target did on two cores under a load
#    of 9, niced (wgmsg 12,000 a second under a load of 6, so its floor
#    leaves more room; pcap 700; the rest 12,000 to 100,000), so a busy CI
#    machine passes it, while a target that hangs, crawls or stops early
#    does not;
#  - the code it reached (the final "cov:", edges of our code covered)
#    is at least its floor.  A target that returns early on every input
#    runs MORE inputs, not fewer, so the count above cannot catch it; its
#    coverage falls to a handful of edges.  Each floor is about three
#    quarters of what the seeds alone reach (the INITED line), which does
#    not depend on the machine's speed: far above an early return, with
#    room for the parser to change a little.  A parser that shrinks on
#    purpose lowers its floor here, in the same commit.
set -u
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-10}
passed=0
failed=0
skipped=0

# bounds NAME: the least coverage (edges) the target must reach, and the
# least inputs a second it must run; the seeds alone reached the coverage
# noted, on the code as it was when the floor was set.
bounds() {
	case "$1" in
	config) echo 27 2000 ;;   # seeds reach 37
	gro) echo 75 1000 ;;      # seeds reach 100 (69 before the UDP runs)
	labfile) echo 475 400 ;;  # seeds reach 633
	icmp) echo 21 5000 ;;     # seeds reach 29
	offload) echo 75 1000 ;;  # seeds reach 100
	packet) echo 60 2000 ;;   # seeds reach 81
	pcap) echo 93 50 ;;       # seeds reach 124
	text) echo 36 2000 ;;     # seeds reach 49
	uapi) echo 201 1000 ;;    # seeds reach 269
	wgconfig) echo 39 2000 ;; # seeds reach 52
	wgdecode) echo 64 5000 ;; # seeds reach 85
	wgmsg) echo 358 800 ;;    # seeds reach 477
	wire) echo 21 5000 ;;     # seeds reach 29
	*) echo none none ;;
	esac
}

pass() {
	passed=$((passed + 1))
	printf '  PASS  %-8s %s\n' "$1" "$2"
}
fail() {
	failed=$((failed + 1))
	printf '  FAIL  %-8s %s\n' "$1" "$2"
}

if [ $# -gt 0 ]; then
	bins=()
	for a in "$@"; do bins+=("build/fuzz/fuzz_$a"); done
else
	bins=(build/fuzz/fuzz_*)
fi
for bin in "${bins[@]}"; do
	name=${bin##*/}
	name=${name#fuzz_}
	case "$name" in crash-* | *.log) continue ;; esac
	seeds=tests/fuzz/corpus/$name
	read -r min_cov per_second < <(bounds "$name")
	if [ ! -x "$bin" ]; then
		fail "$name" "no target $bin (make fuzz-bins)"
		continue
	fi
	if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
		fail "$name" "no seed corpus in $seeds"
		continue
	fi
	if [ "$min_cov" = none ]; then
		fail "$name" "no bounds for it in tests/fuzz/run.sh"
		continue
	fi
	min_execs=$((per_second * seconds))
	work=$(mktemp -d)
	log=build/fuzz/$name.log
	if ! "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/crash-$name-" "$work" "$seeds" >"$log" 2>&1; then
		fail "$name" "crashed; see $log"
		tail -n 30 "$log"
		rm -rf "$work"
		continue
	fi
	rm -rf "$work"
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	seed_cov=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	cov=$(sed -n 's/.*DONE *cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	what="${execs:-?} executions in $seconds s (at least $min_execs), coverage ${cov:-?} edges (seeds ${seed_cov:-?}, floor $min_cov)"
	if [ -z "$execs" ] || [ "$execs" -lt "$min_execs" ]; then
		fail "$name" "too few executions: $what"
	elif [ -z "$cov" ] || [ "$cov" -lt "$min_cov" ]; then
		fail "$name" "coverage under its floor: $what"
	else
		pass "$name" "$what"
	fi
done
echo "fuzz: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
