# The lesson is a test: every console session of the README's quick start,
# of docs/walkthrough.md, of the exercises' answers and of docs/bench.md
# (its harness bench --aead, which needs no lab) runs on this run's
# lab, in order and in the modes the pages name, and must print what the
# pages say it prints (tests/lab/doctest.sh has the convention).

# First the checker itself, on a page of two lines: it must see a wrong
# figure, a wrong exit status and a skipped block for what they are.
tmp=$(mktemp -d)
printf '%s\n' '```console' '$ echo "mtu: 1500 - 20 - 8 = 1472"' '... = 1472' '```' >"$tmp/right.md"
printf '%s\n' '```console' '$ echo "mtu: 1500 - 20 - 8 = 1472"' '... = 1473' '```' >"$tmp/figure.md"
printf '%s\n' '```console' '$ false' '```' >"$tmp/status.md"
printf '%s\n' '<!-- doctest: exit=1 -->' '```console' '$ false' '```' >"$tmp/exit.md"
printf '%s\n' '```console' '$ printf "a\nb\n"' 'b' 'a' '```' >"$tmp/order.md"
printf '%s\n' '<!-- doctest: skip (not here) -->' '```console' '$ false' '```' >"$tmp/skip.md"
check "doctest: a page whose figures hold passes" tests/lab/doctest.sh "$tmp/right.md"
refuse_doc() { ! tests/lab/doctest.sh "$1" >/dev/null 2>&1; }
check "doctest: a wrong figure fails" refuse_doc "$tmp/figure.md"
check "doctest: a command that fails fails" refuse_doc "$tmp/status.md"
check "doctest: exit=1 expects the failure" tests/lab/doctest.sh "$tmp/exit.md"
check "doctest: expected lines must come in order" refuse_doc "$tmp/order.md"
check "doctest: a skipped block is reported, not run" \
	sh -c "tests/lab/doctest.sh '$tmp/skip.md' | grep -q '^  SKIP .*(not here)'"

# harness up's "Try:" hints work on the very lab it made, in each kind of lab
# (the README below runs them on the default, encrypted one).
for args in "--mode plaintext" "--mode pi" "--underlay 6" "--clients 2" "--peer wireguard-go" \
	"--peer wireguard-go --peer-on laptop"; do
	printf '%s\n' '<!-- doctest: down try -->' '```console' "\$ ./harness up $args" 'Try:' '```' \
		>"$tmp/try.md"
	tests/lab/doctest.sh "$tmp/try.md" >"$tmp/out" 2>&1
	check "harness up $args: each Try: hint runs on the lab just made" \
		sh -c "! grep -q '^  FAIL' '$tmp/out' && grep -q 'Try: hint' '$tmp/out'"
	grep -A3 '^  FAIL' "$tmp/out"
done

# Then the pages, on the lab, as a reader would type them.
lab_down
before=$(git status --porcelain 2>&1)
for doc in README.md docs/walkthrough.md docs/exercises-answers.md docs/bench.md; do
	tests/lab/doctest.sh "$doc" >"$tmp/out" 2>&1
	while IFS= read -r line; do
		case "$line" in
		"  PASS  "*) pass "${line#  PASS  }" ;;
		"  FAIL  "*) fail "${line#  FAIL  }" ;;
		"  SKIP  "*) printf '%s\n' "$line" ;;
		"        "*) printf '%s\n' "$line" ;;
		doctest:*) ;;
		*) fail "$doc: doctest said: $line" ;;
		esac
	done <"$tmp/out"
done
lab_down
check "running the pages rewrote no tracked file" test "$(git status --porcelain 2>&1)" = "$before"
rm -rf "$tmp"
