# harness up FILE and harness test: each shipped lab (road-warriors' three
# clients on one server included) comes up under a lab name of its own,
# its expectations are observed, and it goes down with nothing left
# behind; in every wire mode for the default lab; with TAP and JUnit for
# CI; and a lab whose expectation is false fails.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The root namespace's links, and namespaces of this file's labs: other labs may
# come and go on the machine meanwhile, so the whole list of namespaces is not compared.
root_links() { ip -o link | awk -F': ' '{ print $2 }' | sort; }
before=$(root_links)

for f in labs/*.yml; do
	check "harness test $f: every expectation holds" "$H" test "$f"
done
for m in plaintext pi; do
	"$H" test --mode "$m" labs/home-office.yml > "$tmp/mode.out" 2>&1
	check "harness test --mode $m labs/home-office.yml (exit $?)" test $? = 0
	check "...its header names the mode" grep -q "^labs/home-office.yml  (lab .*, 8 expectations, tunnels in mode $m)$" "$tmp/mode.out"
done
# The last run's lines: each detail starts at one column (56), a name too
# long for its column puts it on the next line; one pair of brackets holds
# the detail's own words and the time.
details_line_up() {
	awk 'BEGIN { col = 2 + 5 + 1 + 46 + 1 }
	     function starts(l) { return substr(l, col, 1) == " " && substr(l, col + 1, 1) != " " && l ~ / s\)$/ }
	     /^  (ok  |FAIL) / { n++; if ($0 ~ / s\)$/) ok += starts($0); else long++; next }
	     long && substr($0, 1, col) ~ /^ +$/ && starts($0) { wrapped++ }
	     END { exit !(n == 8 && long > 0 && ok + wrapped == n) }' "$tmp/mode.out"
}
check "...every detail in one column, a long name's on the next line" details_line_up
check "...the capture's '(3 of 3 answered; N s)' in one pair of brackets" \
	sh -c "grep -qE '[(]3 of 3 answered; [0-9.]+ s[)]$' '$tmp/mode.out' && ! grep -q ') (' '$tmp/mode.out'"
check "harness test FILE that is not there: said once (the result line)" \
	sh -c "[ \"\$('$H' test /nonexistent.yml 2>&1 | grep -c 'cannot open')\" = 1 ]"

n=$(grep -c '^  - ' labs/routing-101.yml)
"$H" test --tap --junit "$tmp/junit.xml" labs/routing-101.yml > "$tmp/tap"
tap_ok() {
	head -n 1 "$tmp/tap" | grep -qx 'TAP version 13' &&
		[ "$(grep -c '^ok [0-9]* - routing-101: ' "$tmp/tap")" = "$n" ] &&
		tail -n 1 "$tmp/tap" | grep -qx "1..$n" && ! grep -q '^not ok' "$tmp/tap"
}
check "--tap: TAP version 13, $n 'ok' lines and the plan 1..$n" tap_ok
junit_ok() {
	grep -q "<testsuites tests=\"$n\" failures=\"0\">" "$tmp/junit.xml" &&
		[ "$(grep -c '<testcase classname="routing-101"' "$tmp/junit.xml")" = "$n" ] &&
		tail -n 1 "$tmp/junit.xml" | grep -qx '</testsuites>'
}
check "--junit FILE: a suite of $n test cases, none failed" junit_ok

# A lab whose expectations are false: the test says so, and exits 1.
cat > "$tmp/wrong.yml" <<'LAB'
name: wrong
topology:
  nodes:
    a: {interfaces: {eth0: [198.51.100.1/24]}}
    b: {interfaces: {eth0: [198.51.100.2/24]}}
  links:
    - endpoints: [a:eth0, b:eth0]
expect:
  - no-reach: {from: a, to: b}
  - path-mtu: {from: a, to: b, mtu: 1400}
  - reach: {from: a, to: b}
LAB
"$H" test --junit "$tmp/wrong.xml" "$tmp/wrong.yml" > "$tmp/wrong.out" 2>&1
rc=$?
check "a lab with two false expectations: exit 1 (got $rc)" test "$rc" = 1
check "...each false one is a FAIL line saying what was seen" \
	sh -c "grep -q 'FAIL  no-reach a -> b .*3 of 3 pings' '$tmp/wrong.out' && grep -q 'FAIL  path-mtu a -> b .*path MTU 1500 (wanted 1400)' '$tmp/wrong.out'"
check "...the true one passes" grep -q 'ok    reach a -> b' "$tmp/wrong.out"
check "...it ends on '1 passed, 2 failed'" sh -c "tail -n 1 '$tmp/wrong.out' | grep -qx '1 passed, 2 failed'"
check "...and JUnit says failures=\"2\"" grep -q 'failures="2"' "$tmp/wrong.xml"
"$H" test --json "$tmp/wrong.yml" > "$tmp/wrong.json"
rc=$?
check "test --json: the same lab, exit 1 (got $rc), '\"passed\":1,\"failed\":2' at the end" \
	sh -c "[ $rc = 1 ] && grep -q '\"passed\":1,\"failed\":2}\$' '$tmp/wrong.json'"
check_schema test "$tmp/wrong.json" "one pass, two failures"
# faults CMD...: fails, and says on stderr each of unsound.yml's faults as
# file:line:column, nothing else (a file has several: one line each).
faults() {
	! "$@" >/dev/null 2>"$tmp/faults" && [ "$(grep -c . "$tmp/faults")" -gt 1 ] &&
		! grep -v '^tests/fixtures/labfile/unsound.yml:[0-9]*:[0-9]*: ' "$tmp/faults"
}
check "harness test: a file with faults fails with each, file:line:column" \
	faults "$H" test tests/fixtures/labfile/unsound.yml
refuse "harness test: no file" "name at least one lab file" "$H" test
refuse "harness test: --lab is not taken" "--lab is not taken" "$H" test --lab x labs/routing-101.yml
refuse "harness test: a bad mode" "not encrypted, plaintext or pi" "$H" test --mode tls labs/routing-101.yml

# up FILE by hand: the lab keeps its file; later commands work from it.
check "up FILE brings labs/routing-101.yml up" "$H" up --lab "$LAB" labs/routing-101.yml
check "...keeping the file it was built from, root's alone" \
	sh -c "cmp -s labs/routing-101.yml /run/tunlab/$LAB/lab.yml && [ \"\$(stat -c %a /run/tunlab/$LAB/lab.yml)\" = 600 ]"
check "status names the file's nodes" sh -c "'$H' status --lab '$LAB' | grep -q '^r2 '"
check "exec runs on the file's nodes: h1 reaches h3 across three routers" \
	"$H" exec --lab "$LAB" h1 -- ping -c1 -W2 10.3.0.10
# A lab without the roles a command needs: one line naming the role.
for c in check walkthrough mtu-probe; do
	refuse "$c on a lab with no client role says so" "has no 'client' role" "$H" "$c" --lab "$LAB"
done
refuse "flood on a lab with no internet role says so" "has no 'internet' role" "$H" flood --lab "$LAB"
check "mtu-probe --from and --to need no role" "$H" mtu-probe --lab "$LAB" --from h1 --to 10.3.0.10
check "down removes it all" "$H" down --lab "$LAB"
check "up FILE: a file with faults fails with each, file:line:column" \
	faults "$H" up --lab "$LAB" tests/fixtures/labfile/unsound.yml
check "...no namespace of it" sh -c "! ip netns list | grep -q '^$LAB-'"
refuse "up FILE: three clients in plaintext are refused: its server has one peer" \
	"need --mode encrypted" "$H" up --lab "$LAB" --mode plaintext labs/road-warriors.yml
refuse "up FILE: a file's clients with --clients as well are refused" "drop --clients" \
	"$H" up --lab "$LAB" --clients 3 labs/road-warriors.yml
check "no wg socket of a test lab is left" sh -c "! ls /var/run/wireguard/ | grep -q '^lt'"
# A node's exec lines run once the lab is built, recorded like the tunnels.
cat > "$tmp/exec.yml" <<'LAB'
name: exec
topology:
  nodes:
    a:
      interfaces: {eth0: [198.51.100.1/24]}
      exec: ["ping -q -i 0.5 198.51.100.2", "echo from a"]
    b: {interfaces: {eth0: [198.51.100.2/24]}}
  links:
    - endpoints: [a:eth0, b:eth0]
LAB
check "up FILE with exec lines" "$H" up --lab "$LAB" "$tmp/exec.yml"
pid=$(awk '$1 == "proc" && $4 == "a" { print $2 }' "/run/tunlab/$LAB/state" | head -n 1)
check "its first exec line is recorded as a process of node a (${pid:-none})" test -n "$pid"
check "...runs in a's namespace" sh -c "[ \"\$(readlink /proc/$pid/ns/net)\" = \"\$(ip netns exec '$LAB-a' readlink /proc/self/ns/net)\" ]"
sleep 0.3
check "...and its output is logged in the lab's directory" grep -q "from a" "/run/tunlab/$LAB/a.exec2.log"
check "down stops it" "$H" down --lab "$LAB"
# Gone, or a zombie whose parent (here, whatever runs as PID 1) has not reaped it.
state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
check "...it is gone (state '${state:-gone}')" test "${state:-Z}" = Z
# The shell ran ping as its child: down stopped the whole group, not just the shell.
left=$(pgrep -f "^ping -q -i 0.5 198.51.100.2\$" | while read -r p; do
	[ "$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)" = Z ] || echo "$p"; done)
check "...and so is what it started (${left:-nothing left})" test -z "$left"
# status on a lab without a tunnel: no empty TUNNEL table, but its other
# processes in a table of their own, and a LINK column that holds a name of
# 15 characters.
cat > "$tmp/procs.yml" <<'LAB'
name: procs
topology:
  nodes:
    a:
      interfaces: {fifteen-chars-0: [198.51.100.1/24]}
      exec: ["sleep 60", "true"]
    b: {interfaces: {eth0: [198.51.100.2/24]}}
  links:
    - endpoints: [a:fifteen-chars-0, b:eth0]
      reorder: 25
LAB
check "up FILE with exec lines, delay lines and no tunnel" "$H" up --lab "$LAB" "$tmp/procs.yml"
sleep 0.3
"$H" status --lab "$LAB" > "$tmp/status" 2>&1
check "status: no TUNNEL table, but 'no tunnel'" sh -c "! grep -q '^TUNNEL' '$tmp/status' && grep -qx 'no tunnel' '$tmp/status'"
check "status: the delay lines and exec lines under PROCESSES, each running or not" sh -c "
	grep -qE '^NODE +PID +PROCESS +STATE$' '$tmp/status' &&
	grep -qE '^a +[0-9]+ +delay-line-1a +running$' '$tmp/status' &&
	grep -qE '^b +[0-9]+ +delay-line-1b +running$' '$tmp/status' &&
	grep -qE '^a +[0-9]+ +exec +running$' '$tmp/status' &&
	grep -qE '^a +[0-9]+ +exec +not running$' '$tmp/status'"
check "status: every node row's MTU ends under the header's, whatever the link's name" \
	awk '/^NODE +LINK / { h = index($0, "  STATE"); next } /^$/ { h = 0 }
	     h { p = index($0, "  up"); n++; if (p != h) bad = 1 } END { exit bad || n != 4 }' "$tmp/status"
"$H" status --lab "$LAB" --json > "$tmp/status.json"
check "status --json: no tunnel, the processes apart" \
	grep -qE '"tunnels":\[\],"processes":\[\{"node":"a","pid":[0-9]+,"running":true,"what":"delay-line-1a"\}' "$tmp/status.json"
check_schema status "$tmp/status.json" "processes, no tunnel"
check "down takes it away" "$H" down --lab "$LAB"
# Two nodes whose names shorten alike (s-a, srv-a) still get wg sockets of their own.
check "harness test: a lab whose tunnel ends' names shorten alike" \
	"$H" test tests/fixtures/labfile/alike-names.yml
check "graph --lab draws the lab as built, from its kept file" sh -c "
	'$H' up --lab '$LAB' labs/routing-101.yml >/dev/null &&
	'$H' graph --lab '$LAB' | grep -q 'host on LAN 4' && '$H' down --lab '$LAB' >/dev/null"

# A link's MTU and rate from the file; delay wherever the kernel has netem.
cat > "$tmp/rate.yml" <<'LAB'
name: rate
topology:
  nodes:
    a: {interfaces: {eth0: [198.51.100.1/24]}}
    b: {interfaces: {eth0: [198.51.100.2/24]}}
  links:
    - endpoints: [a:eth0, b:eth0]
      rate: 10mbit
      mtu: 1400
LAB
check "up FILE with a link's rate and MTU" "$H" up --lab "$LAB" "$tmp/rate.yml"
check "...a's end has a rate limit (netem or TBF) and both ends MTU 1400" sh -c "
	ip netns exec '$LAB-a' tc qdisc show dev eth0 | grep -Eq 'netem|tbf' &&
	ip -n '$LAB-a' link show eth0 | grep -q 'mtu 1400' && ip -n '$LAB-b' link show eth0 | grep -q 'mtu 1400'"
check "...and so has b's" sh -c "ip netns exec '$LAB-b' tc qdisc show dev eth0 | grep -Eq 'netem|tbf'"
"$H" down --lab "$LAB" >/dev/null
sed 's/rate: 10mbit/delay: 20ms/' "$tmp/rate.yml" > "$tmp/delay.yml"
check "up FILE with delay on a link" "$H" up --lab "$LAB" "$tmp/delay.yml"
# netem where the kernel has it; else an nftables rule sends all to a delay line.
check "...delayed on a's end: netem, or a delay line" sh -c "
	ip netns exec '$LAB-a' tc qdisc show dev eth0 | grep -q 'netem.*delay 20' ||
	ip netns exec '$LAB-a' nft list table netdev tunlab_link1a | grep -q 'fwd to \"delay_1a\"'"
"$H" down --lab "$LAB" >/dev/null
check "the root namespace's links are as they were" test "$(root_links)" = "$before"
check "no namespace of this file's labs is left" sh -c "! ip netns list | grep -q '^$LAB-'"
