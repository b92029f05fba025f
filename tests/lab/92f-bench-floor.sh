# 92f. harness bench --paths floor: the floor, one read and one write per
# packet at each end and no protocol, runs as two recorded processes of
# the lab it rides on (bare's), as nobody, on a TUN device the harness
# made; the report gives its RTT and each tunnel's added RTT as a multiple
# of the floor's; and after the run (whose teardown is "harness down") the
# processes are gone.  No figure is held to a speed: only that there is one.
tmpf=$(mktemp -d)
trap 'rm -rf "$tmpf"' EXIT
lab_down

check "harness floor --help says it is not for use by hand" sh -c "'$H' floor --help | grep -q 'Not for use by hand'"
"$H" bench --quick --paths bare,floor,plaintext --json >"$tmpf/json" 2>"$tmpf/err" &
bench=$!
# The floor's two records in the lab bare rides on, while the run goes on.
for _ in $(seq 600); do
	[ "$(grep -c ' floor$' "/run/tunlab/$LAB-e/state" 2>/dev/null)" = 2 ] && break
	sleep 0.1
done
grep ' floor$' "/run/tunlab/$LAB-e/state" 2>/dev/null | awk '{ print $2 }' >"$tmpf/pids"
check "the floor's two ends are recorded in lab $LAB-e ($(tr '\n' ' ' <"$tmpf/pids"))" test "$(grep -c . "$tmpf/pids")" = 2
for pid in $(cat "$tmpf/pids"); do
	check "floor process $pid runs as nobody ($(ps -o user= -p "$pid"))" test "$(ps -o user= -p "$pid" | tr -d ' ')" = nobody
done
check "office-server has the floor's TUN device" ip netns exec "$LAB-e-office-server" ip link show floor
wait "$bench"
rc=$?
check "bench --quick --paths bare,floor,plaintext ran (exit $rc)" test "$rc" = 0
check_schema bench "$tmpf/json" "--quick --paths bare,floor,plaintext"
# fig PATH KEY: a figure of one path.
fig() { grep -o "{\"path\":\"$1\"[^}]*}" "$tmpf/json" | grep -o "\"$2\":[-0-9.]*" | cut -d: -f2; }
positive() { awk -v v="$1" 'BEGIN { exit !(v != "" && v + 0 == v && v > 0) }'; }
check "the floor has an RTT ($(fig floor rtt_median_ms) ms) and adds one ($(fig floor rtt_added_ms) ms)" \
	sh -c "awk -v a='$(fig floor rtt_median_ms)' -v b='$(fig floor rtt_added_ms)' 'BEGIN { exit !(a + 0 > 0 && b != \"\") }'"
check "plaintext's added RTT is given as a multiple of the floor's ($(fig plaintext rtt_vs_floor))" \
	sh -c "test -n '$(fig plaintext rtt_vs_floor)'"
check "the floor moved TCP ($(fig floor tcp1_up_bps) bit/s)" positive "$(fig floor tcp1_up_bps)"
# gone PID: no such process, or only a zombie that init has yet to reap
# (the run that started it is its parent, and has just ended).
gone() { [ ! -e "/proc/$1" ] || [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ] || [ -z "$(ps -o stat= -p "$1")" ]; }
for pid in $(cat "$tmpf/pids"); do
	check "floor process $pid is gone after the run's down" gone "$pid"
done
check "no benchmark lab is left" sh -c "! ls /run/tunlab 2>/dev/null | grep -q '^$LAB-'"

# The table says it too, and so does a pair.
"$H" bench --quick --topology pair --paths bare,floor,encrypted >"$tmpf/table" 2>&1
rc=$?
check "bench --quick --topology pair --paths bare,floor,encrypted ran (exit $rc)" test "$rc" = 0
check "its table has a row for the floor" grep -Eq '^floor +[0-9]' "$tmpf/table"
check "and a line 'RTT vs floor' with encrypted's multiple" sh -c "grep -q '^RTT vs floor' '$tmpf/table' && grep -Eq '^encrypted +[0-9.]+×$' '$tmpf/table'"
check "the pair's lab is gone too" sh -c "! ls /run/tunlab 2>/dev/null | grep -q '^$LAB-'"
