# harness set changes a running lab, and the probe sees it.
lab_down
check "up" lab_up
check "harness set --wan-mtu 1492" "$H" set --wan-mtu 1492
check "...the WAN link has MTU 1492" sh -c "ip -n $(ns home-router) link show wan | grep -q 'mtu 1492'"
check "harness set --tun-mtu 1464" "$H" set --tun-mtu 1464
check "...and now the probe finds it consistent" sh -c "'$H' mtu-probe --json | grep -q '\"verdict\":\"consistent\"'"
check "harness set --loss 5% --rate 50mbit" "$H" set --loss 5% --rate 50mbit
check "...the internet links are rate-limited" sh -c "ip netns exec $(ns internet) tc qdisc show dev office | grep -qE 'netem|tbf'"
check "harness set --loss 0 --rate 0 clears it" "$H" set --loss 0 --rate 0
check "...no impairment is left" lacks 'netem|tbf' on internet tc qdisc show dev office
check "...and no loss rule" lacks --may-be-empty tunlab_loss on internet nft list ruleset
# ICMP "fragmentation needed": a DF ping from the laptop too big for the
# WAN link (1492 bytes, over 1480) gets none while it is blocked, and the
# router's rule counts what it dropped; once allowed, the ping hears of 1480.
too_big_ping() { on home-laptop ping -n -M do -s 1464 -c 2 -i 0.3 -W 1 203.0.113.10 2>&1; }
icmp_dropped() {
	on home-router nft list table inet tunlab_block 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }'
}
check "harness set --wan-mtu 1480 --block-icmp" "$H" set --wan-mtu 1480 --block-icmp
heard=$(too_big_ping)
heard_1480() { printf '%s\n' "$heard" | grep -qE 'mtu ?=? ?1480'; }
heard_nothing() { printf '%s\n' "$heard" | grep -q '^2 packets transmitted' && ! heard_1480; }
check "...a DF ping of 1492 bytes hears nothing of 1480 ($(printf '%s\n' "$heard" | grep -c 1480) lines say it)" \
	heard_nothing
check "...while the router's rule dropped its ICMP ($(icmp_dropped) packets)" test "$(icmp_dropped)" -gt 0
check "harness set --allow-icmp" "$H" set --allow-icmp
heard=$(too_big_ping)
check "...and now the same ping hears the link carries 1480 ($(printf '%s\n' "$heard" | grep -m 1 1480))" \
	heard_1480
check "harness set --wan-mtu 1492 again" "$H" set --wan-mtu 1492
# Delay is netem's where the kernel has it, else the delay line's.
check "harness set --delay 10ms" "$H" set --delay 10ms
check "...the RTT grows by about 20 ms" sh -c "ip netns exec $(ns home-laptop) ping -c1 -W2 203.0.113.10 | grep -qE 'time=(1[89]|2[0-9])'"
check "harness set --delay 0 takes it away" "$H" set --delay 0
check "...the RTT is back under 2 ms" sh -c "ip netns exec $(ns home-laptop) ping -c1 -W2 203.0.113.10 | grep -qE 'time=[01]\.'"
if ! ip netns exec "$(ns internet)" tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	refuse "without netem, --delay over 1 s says why" "netem" "$H" set --delay 2s
else
	ip netns exec "$(ns internet)" tc qdisc del dev lo root
	skip "without netem, --delay over 1 s says why" "this kernel has netem"
fi
# Reordering comes from a delay line: pings 1 ms apart (8 in flight), a
# quarter held 2 ms, come back out of order; with it off, never.  Prints
# how many replies came back out of order, and how many came back at all.
out_of_order() {
	ip netns exec "$(ns home-laptop)" ping -n -c 400 -l 8 -i 0.001 -W1 203.0.113.10 |
		awk -F'icmp_seq=' '/bytes from/ && NF > 1 { got++; n = $2 + 0; if (n < last) back++; last = n }
			END { print back + 0, got + 0 }'
}
read -r back got < <(out_of_order)
check "with no reordering, all 400 pings come back ($got), in order ($back out of order)" \
	test "$got/$back" = 400/0
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
read -r back got < <(out_of_order)
check "...and 400 pings 1 ms apart come back out of order ($back times)" test "$back" -gt 0
check "...yet none is lost: held, not dropped ($got of 400 came back)" test "$got" = 400
check "harness set --reorder 10,5ms moves to a new delay line" "$H" set --reorder 10,5ms
check "...the old one stopped: one delay line runs" test "$(delay_lines)" = 1
check "harness set --reorder 0 takes it away" "$H" set --reorder 0
check "...no delay line runs" test "$(delay_lines)" = 0
check "...no rule left" lacks --may-be-empty tunlab_reorder on internet nft list ruleset
check "...no device left" lacks ': reorder[:@]' on internet ip -o link show
refuse "set: bad reorder share" "--reorder '150'" "$H" set --reorder 150
refuse "set: bad reorder time" "is not a time from 1us to 1s" "$H" set --reorder 25,5s
refuse "set: nothing to change" "nothing to change" "$H" set
refuse "set: bad MTU" "--wan-mtu 'big'" "$H" set --wan-mtu big
refuse "set: bad rate" "--rate '10 parsecs'" "$H" set --rate '10 parsecs'
refuse "set: bad loss" "--loss '120%'" "$H" set --loss 120%
refuse "set: on a lab that is not up" "is not up" "$H" set --lab nosuchlab --wan-mtu 1400
refuse "up: bad --wan-mtu" "--wan-mtu '70000'" "$H" up --lab nosuchlab --wan-mtu 70000
lab_down
