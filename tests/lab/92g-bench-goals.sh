# 92g. harness bench's goals, in a run that is not --quick: --json gives
# the goals its paths let it measure (bare and plaintext: plaintext's TCP
# and 64-byte rate of bare's, and its peak RSS), each met exactly when its
# value is on the right side of its target, and each path's TCP1 up as a
# share of bare's, the same ratio the goal uses.  No figure is held to a
# speed here: bench_goals' own arithmetic is the unit test's
# (test_bench_goals); this is what a script reads of a real run.
tmpg=$(mktemp -d)
trap 'rm -rf "$tmpg"' EXIT
lab_down
"$H" bench --rounds 1 --paths bare,plaintext --json >"$tmpg/json" 2>"$tmpg/err"
rc=$?
check "bench --rounds 1 --paths bare,plaintext --json ran (exit $rc)" test "$rc" = 0
check_schema bench "$tmpg/json" "--rounds 1 --paths bare,plaintext"
# goals_say: the goals' keys in order, then for each whether met agrees.
goals_say() {
	/usr/bin/python3 - "$tmpg/json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(g["goal"] for g in d["goals"]))
for g in d["goals"]:
    ok = g["value"] >= g["target"] if g["compare"] == "at_least" else g["value"] <= g["target"]
    print(g["goal"], "agrees" if ok == g["met"] else "disagrees")
pt = [p for p in d["paths"] if p["path"] == "plaintext"][0]
tcp = [g for g in d["goals"] if g["goal"] == "plaintext_tcp_of_bare"][0]
print("ratio", "same" if abs(tcp["value"] - pt["tcp1_up_of_bare"]) < 1e-3 else "differs",
      tcp["value"], pt["tcp1_up_of_bare"])
PY
}
goals_say >"$tmpg/goals" 2>&1
# The work per small packet: read for plaintext's tunnels, absent for bare, which has none.
pkt_cost() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (p["path"], p.get("udp64_cpu_us_per_packet", "none")) for p in d["paths"]))' "$tmpg/json"
}
pkt_cost_ok() {
	local v
	v=$(pkt_cost)
	case "$v" in "bare=none plaintext="*) ;; *) return 1 ;; esac
	awk -v v="${v#*plaintext=}" 'BEGIN { exit !(v + 0 == v && v > 0 && v < 1000) }'
}
check "plaintext's CPU per 64-byte packet was read, 0 to 1000 µs; bare has none ($(pkt_cost))" \
	pkt_cost_ok
check "its goals are plaintext's TCP and 64-byte rate of bare's, and its RSS: $(head -n 1 "$tmpg/goals")" \
	test "$(head -n 1 "$tmpg/goals")" = "plaintext_tcp_of_bare plaintext_pps_of_bare plaintext_rss_mib"
check "each goal's met agrees with its value and target" sh -c "! grep -q disagrees '$tmpg/goals' && test \$(grep -c agrees '$tmpg/goals') = 3"
check "the TCP goal's value is plaintext's tcp1_up_of_bare ($(grep ^ratio "$tmpg/goals"))" grep -q "^ratio same" "$tmpg/goals"
check "no benchmark lab is left" sh -c "! ls /run/tunlab 2>/dev/null | grep -q '^$LAB-'"
rm -rf "$tmpg"
