# harness mtu-probe on the default lab and on every broken network.
probe() { "$H" mtu-probe "$@" --json > "$tmp/probe.json" 2> "$tmp/probe.err"; echo $? > "$tmp/probe.rc"; }
val() { json_num "$1" < "$tmp/probe.json"; }
verdict() { json_str verdict < "$tmp/probe.json"; }
# The n-th path's object (1: the tunnel peer, 2: the underlay endpoint, by default).
path() { sed 's/},{"target"/}\n{"target"/g' "$tmp/probe.json" | grep '"target"' | sed -n "${1}p"; }
tmp=$(mktemp -d)

lab_down
lab_up
start=$(date +%s%N)
probe
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "        (mtu-probe on the default lab took $ms ms)"
check "default lab: verdict consistent, exit 0" test "$(verdict):$(cat "$tmp/probe.rc")" = "consistent:0"
check "default lab: the largest inner DF ping payload is 1444" test "$(path 1 | json_num largest_payload)" = 1444
check "default lab: the underlay carries 1472-byte pings (MTU 1500)" test "$(path 2 | json_num largest_payload)" = 1472
hops=$(path 2 | grep -o '"hop":[0-9]*,"address":"[^"]*","node":"[a-z-]*","path_mtu":1500' | cut -d'"' -f10 | tr '\n' ' ')
check "default lab: three hops walked to 203.0.113.10, each at 1500 ($hops)" \
	test "$hops" = "home-router internet office-server "
check "a text report ends in a verdict" sh -c "'$H' mtu-probe | grep -q '^verdict: consistent'"

lab_down
lab_up --mode pi
probe
check "--mode pi: the largest inner DF ping payload is 1440" test "$(path 1 | json_num largest_payload)" = 1440
check "--mode pi: consistent" test "$(verdict)" = consistent

for wan in 1492 1280; do
	lab_down
	lab_up --wan-mtu $wan
	probe
	tunnel=$((wan - 28))
	check "--wan-mtu $wan: the underlay path MTU is $wan" test "$(val underlay_mtu)" = $wan
	check "--wan-mtu $wan: reported by ICMP from home-router (192.168.1.1)" \
		sh -c "grep -q '\"method\":\"icmp\",\"icmp\":{\"from\":\"192.168.1.1\",\"node\":\"home-router\",\"mtu\":$wan}' '$tmp/probe.json'"
	check "--wan-mtu $wan: the tunnel path carries $tunnel (the tunnel's own ICMP)" \
		test "$(path 1 | json_num largest)" = $tunnel
	check "--wan-mtu $wan: flagged 'MTU too high', exit 1, fix $tunnel" \
		test "$(verdict):$(cat "$tmp/probe.rc"):$(val tunnel_mtu)" = "MTU too high:1:$tunnel"
done

lab_down
lab_up --block-icmp
start=$(date +%s%N)
probe
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "        (mtu-probe on the black hole took $ms ms)"
check "--block-icmp: diagnosed as a black hole" test "$(verdict)" = "black hole"
check "--block-icmp: the limit 1400 inferred from silence" \
	test "$(val underlay_mtu):$(path 2 | json_str method)" = "1400:silence"
no_icmp() { ! path 2 | grep -q '"icmp":{'; }
check "--block-icmp: no ICMP came back on the underlay" no_icmp
check "--block-icmp: fix 1372" test "$(val tunnel_mtu)" = 1372

lab_down
lab_up --tun-mtu 1500
probe
check "--tun-mtu 1500: flagged 'MTU too high'" test "$(verdict)" = "MTU too high"
check "--tun-mtu 1500: fix 1472, MSS 1432" test "$(val tunnel_mtu):$(val mss_ipv4)" = "1472:1432"

lab_down
lab_up --wan-mtu 1400
"$H" mtu-probe --df off --json > "$tmp/probe.json"
check "--df off: a 1401-byte probe leaves as 1 packet" \
	grep -q '"size":1401,"arrived":true,"links":\[{"link":"home-laptop:eth0","packets":1,' "$tmp/probe.json"
check "--df off: ...and is 2 fragments on home-router:wan" \
	grep -q '"size":1401,[^]]*{"link":"home-router:wan","packets":2,' "$tmp/probe.json"
check "--df off: the verdict is fragmenting" test "$(verdict)" = fragmenting
check "--df off: the text report counts the fragments" \
	sh -c "'$H' mtu-probe --df off | grep -qE '^ +2 on home-router:wan'"
refuse "mtu-probe: bad --df" "--df 'maybe'" "$H" mtu-probe --df maybe
refuse "mtu-probe: bad --to" "--to 'banana'" "$H" mtu-probe --to banana
refuse "mtu-probe: bad --from" "--from 'mars'" "$H" mtu-probe --from mars
check "mtu-probe: --help" sh -c "'$H' mtu-probe --help | grep -q -- '--df off'"
rm -rf "$tmp"
