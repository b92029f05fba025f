# Helpers for the lab tests.  Each test file is sourced by run.sh in one
# shell, so the lab and the counters carry from one file to the next.

H="$ROOT/harness"
T="$ROOT/tunnel"

# A run's own lab, so a user's lab (default or any other) is never touched.
LAB=${TUNLAB_TEST_LAB:-t$$}
export TUNLAB_LAB=$LAB

# Checks of refusals (refuse) are also counted apart from checks of
# behaviour, for the summary; _refusing is set only while refuse() runs.
REFUSALS_PASSED=0
REFUSALS_FAILED=0
SKIPPED=0

pass() {
	PASSED=$((PASSED + 1))
	[ -n "${_refusing:-}" ] && REFUSALS_PASSED=$((REFUSALS_PASSED + 1))
	printf '  PASS  %s\n' "$1"
}

fail() {
	FAILED=$((FAILED + 1))
	[ -n "${_refusing:-}" ] && REFUSALS_FAILED=$((REFUSALS_FAILED + 1))
	printf '  FAIL  %s\n' "$1"
	[ -n "${2:-}" ] && printf '        %s\n' "$2"
	return 0
}

# skip DESCRIPTION REASON: a check that cannot run here, counted and said why.
skip() {
	SKIPPED=$((SKIPPED + 1))
	printf '  SKIP  %s: %s\n' "$1" "$2"
}

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# refuse DESCRIPTION PATTERN COMMAND...: the command must fail with exactly
# one line on stderr that matches PATTERN.
refuse() {
	local desc=$1 pattern=$2 err rc _refusing=1
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		fail "$desc" "exited 0"
	elif [ "$(printf '%s\n' "$err" | grep -c .)" -ne 1 ]; then
		fail "$desc" "expected one line, got: $(printf '%s' "$err" | tr '\n' '|')"
	elif ! printf '%s' "$err" | grep -qE -- "$pattern"; then
		fail "$desc" "line does not match /$pattern/: $err"
	else
		pass "$desc: $err"
	fi
}

# lacks [--may-be-empty] PATTERN COMMAND...: COMMAND succeeds and says
# something, and no line of it matches PATTERN (grep -E).  A command that
# fails, or says nothing, proves no absence, so both fail; --may-be-empty
# is for a listing where nothing at all is a fair answer (nft list ruleset).
lacks() {
	local empty_ok=0 pattern out
	[ "$1" = --may-be-empty ] && empty_ok=1 && shift
	pattern=$1
	shift
	if ! out=$("$@" 2>&1); then
		echo "$* failed: $out"
		return 1
	fi
	if [ -z "$out" ] && [ "$empty_ok" = 0 ]; then
		echo "$* said nothing"
		return 1
	fi
	if printf '%s\n' "$out" | grep -qE -- "$pattern"; then
		printf '%s\n' "$out" | grep -E -- "$pattern"
		return 1
	fi
}

# none_exist PATH...: none of the paths exists; with no path at all it
# fails, since then nothing was looked for.
none_exist() {
	local f
	[ $# -gt 0 ] || { echo "no path given"; return 1; }
	for f in "$@"; do
		[ -e "$f" ] && { echo "$f is left"; return 1; }
	done
	return 0
}

ns() { echo "$LAB-$1"; }
on() {
	local node=$1
	shift
	ip netns exec "$LAB-$node" "$@"
}

# wait_for_capture ERRFILE: until a background capture says it is listening
# (at most 5 s), so that the traffic sent next is not missed.
wait_for_capture() {
	local i
	for i in $(seq 50); do
		grep -q '^capturing on' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# A tunnel's counter or field, asked over its control socket.
stat_of() {
	printf 'stats\n' | nc -N -U "/run/tunlab/$LAB/$1.ctl" 2>/dev/null | sed -n "s/^$2=//p"
}

# udp_burst FROM TO ADDR PORT [BURST PAUSE_MS]: 120 datagrams of 1000
# bytes and a short one, sent in bursts the tunnels may glue (40 at a time,
# back to back, unless BURST and PAUSE_MS say otherwise), each checked on
# arrival.
udp_burst() {
	local got rc
	got=$(mktemp)
	on "$2" /usr/bin/python3 "$ROOT/tests/support/udp_burst.py" recv "$3" "$4" 120 1000 \
		> "$got" 2>&1 &
	local l=$!
	for _ in $(seq 50); do grep -q listening "$got" && break; sleep 0.05; done
	on "$1" /usr/bin/python3 "$ROOT/tests/support/udp_burst.py" send "$3" "$4" 120 1000 "${5:-40}" "${6:-0}"
	wait $l
	rc=$?
	[ $rc = 0 ] || tail -n 1 "$got"
	rm -f "$got"
	return $rc
}

# wg_sock NODE: the wg socket a lab tunnel was given (--uapi on its command line).
wg_sock() { tr '\0' '\n' < /proc/"$(pid_of "$1")"/cmdline | sed -n '/^--uapi$/{n;p}'; }

# PID of a recorded process on a node.
pid_of() {
	awk -v n="$1" '$1 == "proc" && $4 == n { print $2 }' "/run/tunlab/$LAB/state" | tail -n 1
}

# The lessons' tests were written for plaintext; encrypted ones say --mode.
lab_up() {
	case " $* " in
	*" --mode "*) ;;
	*) set -- --mode plaintext "$@" ;;
	esac
	# One try: a retry would hide an up that fails now and then.  On failure
	# up's own words go to stderr, where check shows them.
	local out
	if ! out=$("$H" up "$@" 2>&1); then
		printf '%s\n' "$out" >&2
		return 1
	fi
}

lab_down() {
	"$H" down >/dev/null 2>&1
}

# others_netns: the namespaces that labs of other runs, or a user's lab, have
# up now, from their own records.  A lab whose name holds this run's $LAB
# (ours, or one a test of ours made) is never among them, so a leftover of
# ours still shows.
others_netns() {
	local d
	for d in /run/tunlab/*/; do
		case "$(basename "$d")" in *"$LAB"*) continue ;; esac
		awk '$1 == "netns" { print $2 }' "$d/state" 2>/dev/null
	done
}

# root_view: the namespaces and the root namespace's links, less what other
# labs that are up hold (a user's lab, or another run's, may come and go).
root_view() {
	local others
	others=$(others_netns)
	{
		ip netns list | awk -v o="$others" 'BEGIN { n = split(o, a, "\n"); for (i = 1; i <= n; i++) skip[a[i]] = 1 }
			!($1 in skip)' | sort
		ip -o link | awk -F': ' '{ print $2 }' | sort
	}
}

# A field of the MTU probe's JSON, with plain tools: probe_json KEY < json
json_num() { grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
json_str() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }

# schema_ok COMMAND FILE: FILE, one --json output of harness COMMAND, matches
# its documented shape, docs/schema/COMMAND.json (schema.sh says where not).
schema_ok() { "$ROOT/tests/lab/schema.sh" "$1" "$2"; }
have_jsonschema() { /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; }
# check_schema COMMAND FILE [WHAT]: that, as a check.
check_schema() {
	local desc="$1 --json${3:+ ($3)} matches docs/schema/$1.json"
	if ! have_jsonschema; then
		skip "$desc" "no python3-jsonschema (scripts/deps.sh test)"
		return 0
	fi
	check "$desc" schema_ok "$1" "$2"
}
