#!/usr/bin/env bash
# Applies each mutant listed in tests/mutants.md, one at a time: breaks the
# code as it says, runs the test that should catch it, expects red, and puts
# the code back.  A mutant the test lets through (green) fails this script;
# so does one that no longer applies or no longer builds, since then it
# proves nothing.  Arguments pick mutants by name; none runs them all.
# Ends with "mutants: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
list=tests/mutants.md
passed=0
failed=0
backup=$(mktemp)
log=$(mktemp)
current=
# Puts the file back as it was, mtime too, so that what depends on it by
# time alone (the fuzz targets) is not rebuilt for nothing; the object made
# from the mutant is removed, so make rebuilds it.  A header gets a new
# mtime instead, as its dependants are many.
restore() {
	if [ -n "$current" ]; then
		cat "$backup" >"$current"
		case "$current" in
		*.c)
			touch -r "$backup" "$current"
			rm -f "build/${current%.c}.o"
			;;
		*.h) touch "$current" ;;
		*) touch -r "$backup" "$current" ;;
		esac
	fi
	current=
}
trap 'restore; rm -f "$backup" "$log"' EXIT
trap 'exit 130' INT TERM

pass() {
	passed=$((passed + 1))
	printf '  PASS  %s\n' "$1"
}
fail() {
	failed=$((failed + 1))
	printf '  FAIL  %s\n' "$1"
	[ -n "${2:-}" ] && printf '        %s\n' "$2"
	return 0
}

# run_test KIND ARG: builds what the test needs and runs it; the exit status
# is the test's.  Status 125 means the build failed.
run_test() {
	case "$1" in
	unit)
		make -s --no-print-directory "build/tests/$2" >"$log" 2>&1 || return 125
		"build/tests/$2" >>"$log" 2>&1
		;;
	lab)
		make -s --no-print-directory all >"$log" 2>&1 || return 125
		tests/lab/run.sh "$2" >>"$log" 2>&1
		;;
	fuzz)
		make -s --no-print-directory "build/fuzz/fuzz_$2" >"$log" 2>&1 || return 125
		FUZZ_SECONDS=${FUZZ_SECONDS:-10} tests/fuzz/run.sh "$2" >>"$log" 2>&1
		;;
	*)
		echo "unknown test kind '$1'" >"$log"
		return 125
		;;
	esac
}

# apply FILE FROM TO: replaces FROM with TO (\n and \t in either stand for a
# newline and a tab); fails unless FROM occurs exactly once.
apply() {
	FROM=$2 TO=$3 perl -0777 -i -pe '
		my ($f, $t) = ($ENV{FROM}, $ENV{TO});
		s/\\n/\n/g, s/\\t/\t/g for $f, $t;
		my $n = () = /\Q$f\E/g;
		die "found $n times\n" if $n != 1;
		s/\Q$f\E/$t/' "$1" 2>"$log"
}

# one NAME FILE FROM TO KIND ARG
one() {
	local name=$1 file=$2 from=$3 to=$4 kind=$5 arg=$6 rc
	if [ ! -f "$file" ]; then
		fail "$name" "no file $file"
		return
	fi
	cp -p "$file" "$backup"
	current=$file
	if ! apply "$file" "$from" "$to"; then
		restore
		fail "$name: does not apply to $file" "$(cat "$log")"
		return
	fi
	run_test "$kind" "$arg"
	rc=$?
	restore
	# A fuzz target is built from its sources by time alone: build it anew.
	if [ "$kind" = fuzz ] && case "$file" in *.c | *.h) true ;; *) false ;; esac then
		rm -f "build/fuzz/fuzz_$arg"
		make -s --no-print-directory "build/fuzz/fuzz_$arg" >/dev/null 2>&1
	fi
	if [ "$rc" -eq 125 ]; then
		fail "$name: the mutant does not build" "$(tail -n 3 "$log" | tr '\n' ' ')"
	elif [ "$rc" -eq 0 ]; then
		fail "$name: survived $kind $arg (the test stayed green)"
	else
		pass "$name: $kind $arg went red"
		# What went red, up to five lines of it.
		grep -E '^ *FAIL |\[  FAILED  \]|\[  ERROR   \]' "$log" | head -n 5 | sed 's/^ */        /' | cut -c1-160
	fi
}

# Each mutant in the list is a block of lines:
#   ### name
#   file: path
#   test: unit test_x | lab NN | fuzz target
#   from: `text`
#   to: `text`
name= file= from= to= tst=
flush() {
	local want=1 a
	if [ -n "$name" ] && [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do [ "$a" = "$name" ] && want=1; done
	fi
	if [ -n "$name" ] && [ "$want" = 1 ]; then
		echo "== $name"
		# shellcheck disable=SC2086
		one "$name" "$file" "$from" "$to" $tst
	fi
	name= file= from= to= tst=
}
while IFS= read -r line; do
	case "$line" in
	'### '*)
		flush "$@"
		name=${line#'### '}
		;;
	'file: '*) file=${line#'file: '} ;;
	'test: '*) tst=${line#'test: '} ;;
	'from: `'*) from=${line#'from: `'} from=${from%'`'} ;;
	'to: `'*) to=${line#'to: `'} to=${to%'`'} ;;
	esac
done <"$list"
flush "$@"
# Put the binaries back as the unmutated code builds them.
make -s --no-print-directory all >/dev/null 2>&1
echo "mutants: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
