#!/usr/bin/env bash
# doctest.sh FILE.md...: runs the console sessions a document shows, on a lab,
# and checks that each command prints what the document says it prints.
#
# The convention keeps the page a plain page for its reader:
#
#   - Only fenced blocks opened with ```console run, in the file's order.
#   - In them, a line "$ CMD" is a command.  It runs with bash -c from the
#     project's directory, with an empty stdin, stdout and stderr together.
#   - The lines after a command, up to the next "$ " or the fence, are its
#     expected output.  Each must match a line of the real output, in order
#     (other lines may come between).  "..." inside a line matches any text;
#     a line that is only "..." is for the reader and is skipped.  Runs of
#     blanks count as one blank.
#   - A command must exit 0, unless its block says otherwise.
#   - An HTML comment (invisible on the rendered page) before a block sets
#     it up; several words may share one comment:
#       <!-- doctest: mode=plaintext -->  take the lab down and bring it up
#                                         afresh in that mode first
#       <!-- doctest: down -->            take the lab down first
#       <!-- doctest: exit=1 -->          its commands must exit 1
#       <!-- doctest: try -->             then run every "Try:" hint the
#                                         block's last command printed
#       <!-- doctest: skip REASON -->     do not run it (reported as SKIP)
#
# The documents speak of the default lab; this runs them on $TUNLAB_LAB
# (never 'default'), so in commands and in expected lines it rewrites:
#   ip netns exec NODE        -> ip netns exec LAB-NODE
#   /run/tunlab/default/      -> /run/tunlab/LAB/
#   wg show home-laptop       -> wg show LAB-hl   (office-server: LAB-os; the
#                                same in wg's "interface:" line)
#   /tmp/                     -> a directory of this run's own
#   'default' (a lab's name)  -> 'LAB'
#
# Prints "  PASS  ..." or "  FAIL  ..." per command and "  SKIP  ..." per
# skipped block; exits 1 if anything failed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
H="$ROOT/harness"
LAB=${TUNLAB_LAB:-}
case "$LAB" in
'' | default)
	echo "doctest: set TUNLAB_LAB to a lab of its own (not 'default')" >&2
	exit 2
	;;
esac
export TUNLAB_LAB=$LAB
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
npass=0 nfail=0 nskip=0

# The records the documents hold, one a line, fields split by a tab:
#   D <directive words>   B <line>   C <line> <command>   E <expected>   Z
parse() {
	awk '
	/^<!-- doctest:.*-->[ \t]*$/ {
		d = $0
		sub(/^<!-- doctest:[ \t]*/, "", d)
		sub(/[ \t]*-->[ \t]*$/, "", d)
		print "D\t" d
		next
	}
	!inblock && /^```console[ \t]*$/ { inblock = 1; print "B\t" NR; next }
	inblock && /^```/ { inblock = 0; print "Z"; next }
	inblock && /^\$ / { print "C\t" NR "\t" substr($0, 3); next }
	inblock { print "E\t" $0 }
	' "$1"
}

# The default lab's names, made this run's.
map() {
	printf '%s\n' "$1" | sed -E \
		-e "s#ip netns exec (home-laptop|home-router|internet|office-server|office-host)\\b#ip netns exec $LAB-\\1#g" \
		-e "s#/run/tunlab/default/#/run/tunlab/$LAB/#g" \
		-e "s#(wg show |interface: )home-laptop\\b#\\1$LAB-hl#g" \
		-e "s#(wg show |interface: )office-server\\b#\\1$LAB-os#g" \
		-e "s#(^|[ =:'\"])/tmp/#\\1$WORK/#g" \
		-e "s#'default'#'$LAB'#g"
}

squeeze() { printf '%s' "$1" | tr -s ' \t' '  '; }

# matches OUTFILE EXPECTED...: each expected line, in order, on some line of
# the output; prints the first that is missing.
matches() {
	local out=$1
	shift
	awk -v n=$# '
	function squeeze(s) { gsub(/[ \t]+/, " ", s); return s }
	# the pieces between "..." must appear in this order in line s
	function fits(s, pat,   parts, k, i, at) {
		k = split(pat, parts, /\.\.\./)
		for (i = 1; i <= k; i++) {
			if (parts[i] == "")
				continue
			at = index(s, parts[i])
			if (!at)
				return 0
			s = substr(s, at + length(parts[i]))
		}
		return 1
	}
	BEGIN {
		for (i = 1; i <= n; i++) {
			want[i] = squeeze(ARGV[i])
			delete ARGV[i]
		}
		w = 1
	}
	{
		while (w <= n && want[w] ~ /^ *\.\.\. *$/)
			w++
		if (w <= n && fits(squeeze($0), want[w]))
			w++
	}
	END {
		while (w <= n && want[w] ~ /^ *\.\.\. *$/)
			w++
		if (w <= n) {
			print want[w]
			exit 1
		}
	}' "$@" "$out" 2>/dev/null
}

lab_reset() {
	"$H" down >/dev/null 2>&1
	[ -z "$1" ] && return 0
	"$H" up --mode "$1" >"$WORK/up.out" 2>&1 || {
		echo "  FAIL  $where: harness up --mode $1 (for the block)"
		sed 's/^/        /' "$WORK/up.out" | tail -n 3
		nfail=$((nfail + 1))
		return 1
	}
}

# run_one WHERE COMMAND EXPECTED...
run_one() {
	local where=$1 cmd rc missing
	cmd=$(map "$2")
	shift 2
	local want=()
	for e in "$@"; do want+=("$(map "$e")"); done
	timeout 900 bash -c "$cmd" </dev/null >"$WORK/out" 2>&1
	rc=$?
	cp "$WORK/out" "$WORK/last"
	# The walkthrough keeps its captures in a new directory and names it;
	# a test run leaves none of them behind.
	grep -o '/tmp/tunlab-walk-[A-Za-z0-9]*' "$WORK/out" | sort -u | xargs -r rm -rf --
	if [ "$exit_want" != any ] && [ "$rc" -ne "$exit_want" ]; then
		echo "  FAIL  $where: \$ $cmd"
		echo "        exited $rc, not $exit_want:"
		tail -n 4 "$WORK/out" | sed 's/^/        | /'
		nfail=$((nfail + 1))
	elif ! missing=$(matches "$WORK/out" "${want[@]}"); then
		echo "  FAIL  $where: \$ $cmd"
		echo "        no line matches: $missing"
		tail -n 6 "$WORK/out" | sed 's/^/        | /'
		nfail=$((nfail + 1))
	else
		echo "  PASS  $where: \$ $cmd"
		npass=$((npass + 1))
	fi
}

# The "Try:" hints of the last output, each run as it was printed.
run_tries() {
	local where=$1 hints line n=0
	hints=$(awk '/^Try:/ { on = 1; next } on && /^[ \t]*$/ { exit }
		on { sub(/^[ \t]+/, ""); sub(/[ \t]+#.*$/, ""); print }' "$WORK/last")
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		n=$((n + 1))
		exit_want=0 run_one "$where (Try: hint $n)" "$line"
	done <<<"$hints"
	if [ "$n" -eq 0 ]; then
		echo "  FAIL  $where: the output has no Try: hints"
		nfail=$((nfail + 1))
	fi
}

# Runs one document; its blocks share the lab, as a reader's session would.
run_doc() {
	local doc=$1 tag f1 f2 directive="" where="" cmd="" line=""
	local -a want=()
	exit_want=0
	flush() {
		[ -n "$cmd" ] && run_one "$where" "$cmd" "${want[@]}"
		cmd="" want=()
	}
	while IFS=$'\t' read -r tag f1 f2 <&3; do
		case "$tag" in
		D) directive="$directive $f1" ;;
		B)
			where="$doc:$f1" skip="" mode="" exit_want=0 try=0
			for w in $directive; do
				case "$w" in
				skip) skip=${directive#*skip} ;;
				mode=*) mode=${w#mode=} ;;
				down) mode=none ;;
				exit=*) exit_want=${w#exit=} ;;
				try) try=1 ;;
				esac
			done
			directive=""
			if [ -n "$skip" ]; then
				echo "  SKIP  $where:$skip"
				nskip=$((nskip + 1))
			elif [ "$mode" = none ]; then
				lab_reset ""
			elif [ -n "$mode" ]; then
				lab_reset "$mode" || skip=broken
			fi
			;;
		C)
			[ -n "$skip" ] && continue
			flush
			where="$doc:$f1" cmd=$f2
			;;
		E)
			[ -n "$skip" ] && continue
			[ -n "$cmd" ] && want+=("$f1")
			;;
		Z)
			[ -n "$skip" ] && continue
			flush
			[ "$try" = 1 ] && run_tries "$where"
			;;
		esac
	done 3< <(parse "$doc")
}

for doc in "$@"; do
	run_doc "$doc"
done
echo "doctest: $npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
