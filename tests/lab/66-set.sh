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
# Delay is netem's where the kernel has it, else the delay line's.
check "harness set --delay 10ms" "$H" set --delay 10ms
check "...the RTT grows by about 20 ms" sh -c "ip netns exec $(ns home-laptop) ping -c1 -W2 203.0.113.10 | grep -qE 'time=(1[89]|2[0-9])'"
check "harness set --delay 0 takes it away" "$H" set --delay 0
check "...the RTT is back under 2 ms" sh -c "ip netns exec $(ns home-laptop) ping -c1 -W2 203.0.113.10 | grep -qE 'time=[01]\.'"
if ! ip netns exec "$(ns internet)" tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	refuse "without netem, --delay over 1 s says why" "netem" "$H" set --delay 2s
else
	ip netns exec "$(ns internet)" tc qdisc del dev lo root
fi
# Reordering comes from a delay line: pings 1 ms apart (8 in flight), a
# quarter held 2 ms, come back out of order; with it off, never.
out_of_order() {
	ip netns exec "$(ns home-laptop)" ping -n -c 400 -l 8 -i 0.001 -W1 203.0.113.10 |
		awk -F'icmp_seq=' 'NF > 1 { n = $2 + 0; if (n < last) back++; last = n }
			/received/ { got = $0 } END { print back + 0; print got > "/dev/stderr" }'
}
back=$(out_of_order 2>/dev/null)
check "with no reordering, 400 pings come back in order ($back out of order)" test "$back" = 0
# Delay lines of this lab that run: recorded in its state, alive and not a
# zombie waiting for its parent's successor to reap it.
delay_lines() {
	awk '$1 == "proc" && $5 == "delay-line" { print $2 }' "/run/tunlab/$LAB/state" |
		while read -r pid; do
			state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
			[ -n "$state" ] && [ "$state" != Z ] && echo "$pid"
		done | wc -l
}
check "harness set --reorder 25" "$H" set --reorder 25
check "...a delay line is recorded, and runs" test "$(delay_lines)" = 1
back=$(out_of_order 2>/dev/null)
check "...and 400 pings 1 ms apart come back out of order ($back times)" test "$back" -gt 0
got=$(out_of_order 2>&1 >/dev/null)
check "...yet none is lost: held, not dropped ($got)" sh -c "echo '$got' | grep -q ' 400 received'"
check "harness set --reorder 10,5ms moves to a new delay line" "$H" set --reorder 10,5ms
check "...the old one stopped: one delay line runs" test "$(delay_lines)" = 1
check "harness set --reorder 0 takes it away" "$H" set --reorder 0
check "...no delay line runs" test "$(delay_lines)" = 0
check "...no rule and no device left" sh -c "! ip netns exec $(ns internet) nft list ruleset | grep -q tunlab_reorder && ! ip -n $(ns internet) link show reorder 2>/dev/null"
refuse "set: bad reorder share" "--reorder '150'" "$H" set --reorder 150
refuse "set: bad reorder time" "is not a time from 1us to 1s" "$H" set --reorder 25,5s
refuse "set: nothing to change" "nothing to change" "$H" set
refuse "set: bad MTU" "--wan-mtu 'big'" "$H" set --wan-mtu big
refuse "set: bad rate" "--rate '10 parsecs'" "$H" set --rate '10 parsecs'
refuse "set: bad loss" "--loss '120%'" "$H" set --loss 120%
refuse "set: on a lab that is not up" "is not up" "$H" set --lab nosuchlab --wan-mtu 1400
refuse "up: bad --wan-mtu" "--wan-mtu '70000'" "$H" up --lab nosuchlab --wan-mtu 70000
lab_down
