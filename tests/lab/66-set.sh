# harness set changes a running lab, and the probe sees it.
lab_down
lab_up
check "harness set --wan-mtu 1492" "$H" set --wan-mtu 1492
check "...the WAN link has MTU 1492" sh -c "ip -n $(ns home-router) link show wan | grep -q 'mtu 1492'"
check "harness set --tun-mtu 1464" "$H" set --tun-mtu 1464
check "...and now the probe finds it consistent" sh -c "'$H' mtu-probe --json | grep -q '\"verdict\":\"consistent\"'"
check "harness set --loss 5% --rate 50mbit" "$H" set --loss 5% --rate 50mbit
check "...the internet links are rate-limited" sh -c "ip netns exec $(ns internet) tc qdisc show dev office | grep -qE 'netem|tbf'"
check "harness set --loss 0 --rate 0 clears it" "$H" set --loss 0 --rate 0
check "...no impairment is left" sh -c "! ip netns exec $(ns internet) tc qdisc show dev office | grep -qE 'netem|tbf'"
check "...and no loss rule" sh -c "! ip netns exec $(ns internet) nft list ruleset | grep -q tunlab_loss"
check "harness set --block-icmp, then --allow-icmp" sh -c "'$H' set --block-icmp && '$H' set --allow-icmp"
if ip netns exec "$(ns internet)" tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	ip netns exec "$(ns internet)" tc qdisc del dev lo root
	check "harness set --delay 10ms (netem)" "$H" set --delay 10ms
	check "...the RTT grows by about 20 ms" sh -c "ip netns exec $(ns home-laptop) ping -c1 -W2 203.0.113.10 | grep -qE 'time=(1[89]|2[0-9])'"
	"$H" set --delay 0 >/dev/null
else
	refuse "harness set --delay on a kernel without netem says why" "netem" "$H" set --delay 10ms
fi
refuse "set: nothing to change" "nothing to change" "$H" set
refuse "set: bad MTU" "--wan-mtu 'big'" "$H" set --wan-mtu big
refuse "set: bad rate" "--rate '10 parsecs'" "$H" set --rate '10 parsecs'
refuse "set: bad loss" "--loss '120%'" "$H" set --loss 120%
refuse "set: on a lab that is not up" "is not up" "$H" set --lab nosuchlab --wan-mtu 1400
refuse "up: bad --wan-mtu" "--wan-mtu '70000'" "$H" up --lab nosuchlab --wan-mtu 70000
lab_down
