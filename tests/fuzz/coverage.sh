#!/usr/bin/env bash
# Source-based line coverage (clang -fprofile-instr-generate -fcoverage-mapping)
# of every fuzz target over its seed corpus, and of the unit tests.  Builds
# into build/coverage/, prints llvm-cov's per-file report for each, then one
# line per parser: the share of its lines that its own fuzz target runs.
# Ends with "coverage: N parsers at or above 90%, N below".
set -u
cd "$(dirname "$0")/../.." || exit 1
out=build/coverage
profdata=$(command -v llvm-profdata || command -v llvm-profdata-14) || {
	echo "coverage: llvm-profdata not found (Debian package llvm)" >&2
	exit 1
}
cov=$(command -v llvm-cov || command -v llvm-cov-14) || {
	echo "coverage: llvm-cov not found (Debian package llvm)" >&2
	exit 1
}
pkgs="libmnl libnftables libpcap libsodium libcrypto yaml-0.1 jansson"
# shellcheck disable=SC2086
pkg_cflags=$(pkg-config --cflags $pkgs)
# shellcheck disable=SC2086
pkg_libs="$(pkg-config --libs $pkgs) -pthread"
covflags="-fprofile-instr-generate -fcoverage-mapping"
code=$(printf '%s\n' src/lib/*.c src/tunnel/*.c src/harness/*.c | grep -v -e '/main\.c$' -e '/graph_svg\.c$' -e '/graph_cmd\.c$')
mkdir -p "$out"

# Only the project's own sources count, not the harness around them.
ignore='tests/|/usr/'

# The programs' code, compiled once with coverage into one archive that
# every target links against.
build_code() {
	local objs=() o c
	mkdir -p "$out/obj"
	for c in $code; do
		objs+=("$out/obj/$(echo "${c%.c}" | tr / _).o")
	done
	for c in $code; do
		o=$out/obj/$(echo "${c%.c}" | tr / _).o
		[ "$o" -nt "$c" ] || echo "$c $o"
	done | xargs -r -P "$(nproc)" -n 2 sh -c \
		"clang -std=gnu11 -D_GNU_SOURCE -O1 -g -Isrc -fsanitize=fuzzer-no-link $covflags \
			-Wno-unknown-warning-option $pkg_cflags -c -o \"\$1\" \"\$0\"" || return 1
	rm -f "$out/libcode.a"
	ar rcs "$out/libcode.a" "${objs[@]}"
}

# run_target NAME: builds fuzz_NAME with coverage, runs each seed once,
# and leaves build/coverage/NAME.profdata.
run_target() {
	local name=$1 bin=$out/fuzz_$1 seeds=tests/fuzz/corpus/$1
	# shellcheck disable=SC2086
	clang -std=gnu11 -D_GNU_SOURCE -O1 -g -Isrc -fsanitize=fuzzer $covflags \
		-Wno-unknown-warning-option $pkg_cflags -o "$bin" "tests/fuzz/fuzz_$name.c" \
		"$out/libcode.a" $pkg_libs || return 1
	rm -f "$out/$name".*.profraw
	# libFuzzer runs each file named on its command line once, and exits.
	# shellcheck disable=SC2046
	LLVM_PROFILE_FILE="$out/$name.%p.profraw" "$bin" $(find "$seeds" -type f | sort) \
		>"$out/$name.log" 2>&1 || { echo "coverage: fuzz_$name failed on its corpus; see $out/$name.log"; return 1; }
	"$profdata" merge -sparse -o "$out/$name.profdata" "$out/$name".*.profraw
	rm -f "$out/$name".*.profraw
}

# line_cov BIN PROFDATA FILE: the line coverage of FILE, as a percentage.
line_cov() {
	"$cov" report "$1" -instr-profile="$2" "$3" 2>/dev/null |
		awk '$1 == "TOTAL" { print $(NF - 3) }' | tr -d '%'
}

# per_file: llvm-cov's report cut to lines: the files a run reached at all
# (paths under src/), and the total over every file of both programs.
per_file() {
	awk 'BEGIN { printf "  %-26s %7s %7s %8s\n", "file", "lines", "missed", "cover" }
	     ($1 ~ /\.c$/ && $8 != $9) || $1 == "TOTAL" {
		printf "  %-26s %7s %7s %8s\n", $1, $(NF - 5), $(NF - 4), $(NF - 3) }'
}

status=0
build_code || { echo "coverage: the code did not build"; exit 1; }
for src in tests/fuzz/fuzz_*.c; do
	name=${src##*/fuzz_}
	name=${name%.c}
	[ -d "tests/fuzz/corpus/$name" ] || continue
	echo "== fuzz_$name over tests/fuzz/corpus/$name ($(find "tests/fuzz/corpus/$name" -type f | wc -l) inputs)"
	if ! run_target "$name"; then
		status=1
		continue
	fi
	"$cov" report "$out/fuzz_$name" -instr-profile="$out/$name.profdata" \
		-ignore-filename-regex="$ignore" | per_file
done

echo "== unit tests"
# shellcheck disable=SC2086
if make --no-print-directory -s BUILD=$out/unit CC="clang -Wno-unknown-warning-option $covflags" unit-bins >"$out/unit-build.log" 2>&1; then
	rm -f "$out"/unit.*.profraw
	for t in "$out"/unit/tests/test_*; do
		LLVM_PROFILE_FILE="$out/unit.%p.profraw" "$t" >/dev/null 2>&1 || echo "  $t failed"
	done
	"$profdata" merge -sparse -o "$out/unit.profdata" "$out"/unit.*.profraw
	rm -f "$out"/unit.*.profraw
	objs=()
	for t in "$out"/unit/tests/test_*; do objs+=(-object "$t"); done
	"$cov" report "${objs[@]:1}" -instr-profile="$out/unit.profdata" \
		-ignore-filename-regex="$ignore" | per_file
else
	echo "coverage: the unit tests did not build; see $out/unit-build.log"
	status=1
fi

# Each parser against the fuzz target written for it.
echo "== parsers, line coverage from their own fuzz target (goal 90%)"
above=0
below=0
for pair in src/tunnel/receive.c:wgmsg src/tunnel/noise.c:wgmsg src/lib/cookie.c:wgmsg \
	src/tunnel/replay.c:wgmsg src/tunnel/uapi.c:uapi src/tunnel/wgconfig.c:wgconfig \
	src/tunnel/wire.c:wire; do
	file=${pair%%:*}
	name=${pair##*:}
	pct=$(line_cov "$out/fuzz_$name" "$out/$name.profdata" "$file")
	if [ -z "$pct" ]; then
		printf '  %-24s fuzz_%-9s no report\n' "$file" "$name"
		below=$((below + 1))
		continue
	fi
	if awk -v p="$pct" 'BEGIN { exit !(p >= 90) }'; then
		mark=ok
		above=$((above + 1))
	else
		mark=below
		below=$((below + 1))
	fi
	printf '  %-24s fuzz_%-9s %6s%%  %s\n' "$file" "$name" "$pct" "$mark"
done
echo "coverage: $above parsers at or above 90%, $below below"
exit $status
