# harness up FILE: delay, loss and reorder on a file lab's links, on a
# kernel with netem or without.  Two nodes joined by four links: one plain,
# one delayed, one lossy, two reordering (with a delay and without); each impairment is measured
# across its own link and is absent from the plain one.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lab_down

cat > "$tmp/impair.yml" <<'LAB'
name: impair
topology:
  nodes:
    a:
      interfaces:
        plain: [10.88.1.1/24]
        slow: [10.88.2.1/24, fd88:2::1/64]
        lossy: [10.88.3.1/24]
        mixed: [10.88.4.1/24]
        shuffle: [10.88.5.1/24]
    b:
      interfaces:
        plain: [10.88.1.2/24]
        slow: [10.88.2.2/24, fd88:2::2/64]
        lossy: [10.88.3.2/24]
        mixed: [10.88.4.2/24]
        shuffle: [10.88.5.2/24]
  links:
    - endpoints: [a:plain, b:plain]
    - endpoints: [a:slow, b:slow]
      delay: 20ms
    - endpoints: [a:lossy, b:lossy]
      loss: 50%
    - endpoints: [a:mixed, b:mixed]
      delay: 10ms
      reorder: 25%
    - endpoints: [a:shuffle, b:shuffle]
      reorder: 25%
LAB

# The links are labelled before anything is built.
"$H" graph "$tmp/impair.yml" > "$tmp/graph" 2>&1
check "graph FILE labels each impaired link" sh -c "
	grep -q 'slow.*delay 20ms' '$tmp/graph' && grep -q 'lossy.*loss 50%' '$tmp/graph' &&
	grep -q 'mixed.*delay 10ms, reorder 25%' '$tmp/graph' &&
	grep -q 'shuffle.*reorder 25%' '$tmp/graph'"

check "up FILE with delay, loss and reorder on four links" "$H" up --lab "$LAB" "$tmp/impair.yml"
# With netem, delay and loss are netem's; reorder is always a delay line.
netem=0
ip netns exec "$(ns a)" tc qdisc show dev slow | grep -q netem && netem=1

# median ADDR: the median RTT in whole ms of 5 pings from a, or "lost".
median() {
	ip netns exec "$(ns a)" ping -n -c 5 -i 0.2 -W 1 "$@" |
		sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n | sed -n 3p | cut -d. -f1 | grep . ||
		echo lost
}
rtt=$(median 10.88.2.2)
check "delay 20ms each way: the median RTT is 40 to 199 ms ($rtt)" \
	sh -c "[ '$rtt' != lost ] && [ '$rtt' -ge 40 ] && [ '$rtt' -lt 200 ]"
rtt=$(median -6 fd88:2::2)
check "...over IPv6 too ($rtt ms): neighbour discovery still works" \
	sh -c "[ '$rtt' != lost ] && [ '$rtt' -ge 40 ] && [ '$rtt' -lt 200 ]"
rtt=$(median 10.88.1.2)
check "...while the plain link's median RTT stays under 5 ms ($rtt)" \
	sh -c "[ '$rtt' != lost ] && [ '$rtt' -lt 5 ]"

# lost ADDR: percent of 200 pings 10 ms apart that got no reply.
lost() {
	ip netns exec "$(ns a)" ping -n -q -c 200 -i 0.01 -W 1 "$1" |
		sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' | cut -d. -f1
}
# Half lost each way: a round trip survives a quarter of the time.  Over
# 200 pings, 75% has a standard deviation near 3%, so 55..95 is some 6.
pct=$(lost 10.88.3.2)
check "loss 50% each way: 55 to 95% of 200 pings get no reply ($pct%)" \
	sh -c "[ -n '$pct' ] && [ '$pct' -ge 55 ] && [ '$pct' -le 95 ]"
dropped() {
	ip netns exec "$(ns "$1")" nft list table netdev "$2" |
		sed -n 's/.*counter packets \([0-9]*\) .*drop.*/\1/p' | head -n 1
}
# Without netem, each end's nftables rule drops what arrives there.
if [ "$netem" = 0 ]; then
	check "...each end's nftables rule dropped some (a $(dropped a tunlab_link3a), b $(dropped b tunlab_link3b))" \
		sh -c "[ '$(dropped a tunlab_link3a)' -gt 0 ] && [ '$(dropped b tunlab_link3b)' -gt 0 ]"
else
	skip "...each end's nftables rule dropped some" "this kernel has netem"
fi
pct=$(lost 10.88.1.2)
check "...and the plain link loses none of 200 ($pct%)" test "$pct" = 0

# pings ADDR N: N pings 2 ms apart from a; each reply's RTT in ms goes to
# $tmp/rtt, and it prints how many came back and how many of those came
# back before one sent earlier.
pings() {
	: > "$tmp/rtt"
	ip netns exec "$(ns a)" ping -n -c "$2" -i 0.002 -W 1 "$1" |
		awk -F'icmp_seq=' -v out="$tmp/rtt" '/bytes from/ && NF > 1 {
				got++; n = $2 + 0; if (n < last) back++; last = n
				split($2, t, "time="); print t[2] + 0 > out
			}
			END { print got + 0, back + 0 }'
}
# rtts LO HI: how many RTTs in $tmp/rtt lie in [LO, HI) ms.
rtts() { awk -v lo="$1" -v hi="$2" '$1 >= lo && $1 < hi { n++ } END { print n + 0 }' "$tmp/rtt"; }

# reorder 25% with delay 10ms, as netem has it: each way, 25% go at once
# and 75% wait 10 ms, so a round trip takes 0 ms (1/16 of them), 10 ms
# (6/16) or 20 ms (9/16).  Of 200, some 112 wait both ways (sd 7); were
# 25% the share held, some 12 would.  Pings 2 ms apart: one that went at
# once comes back before ones sent earlier that waited.
read -r got back < <(pings 10.88.4.2 200)
fast=$(rtts 0 5) both=$(rtts 19 1000)
check "reorder 25% with delay 10ms: all 200 pings come back ($got), some at once ($fast)" \
	sh -c "[ '$got' = 200 ] && [ '$fast' -gt 0 ]"
check "...75% held each way: 80 or more of 200 held both ways ($both)" test "$both" -ge 80
check "...and replies came back out of order ($back times)" test "$back" -gt 0
# reorder 25% with no delay: 25% held 2 ms each way (harness set
# --reorder's default), so 1 - 0.75^2 = 44% of round trips take 2 ms or
# more (sd 5 over 100).
read -r got back < <(pings 10.88.5.2 100)
held=$(rtts 2 1000)
check "reorder 25% without delay: 20 to 70 of 100 pings held 2 ms or more ($held), none lost ($got back)" \
	sh -c "[ '$held' -ge 20 ] && [ '$held' -le 70 ] && [ '$got' = 100 ]"
diverted() {
	ip netns exec "$(ns "$1")" nft list table netdev "$2" |
		sed -n 's/.*counter packets \([0-9]*\) .*fwd to.*/\1/p' | head -n 1
}
check "...each end's nftables rule sent packets to its delay line" sh -c "
	[ '$(diverted a tunlab_link4a)' -gt 0 ] && [ '$(diverted b tunlab_link4b)' -gt 0 ]"

# Delay lines: one a link end of the two reordering links; without netem
# the delayed link has its two as well.
want=$((4 + 2 * (1 - netem)))
lines() { awk '$1 == "proc" && $5 ~ /^delay-line-/ { print $2 }' "/run/tunlab/$LAB/state"; }
# alive PID...: those of the PIDs that run (a zombie waits only to be reaped).
alive() {
	local p state
	for p in "$@"; do
		state=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)
		[ -n "$state" ] && [ "$state" != Z ] && echo "$p"
	done
}
running() { alive $(lines) | wc -l; }
check "the lab's records hold $want delay lines, all running" \
	sh -c "[ '$(lines | wc -l)' = $want ] && [ '$(running)' = $want ]"
check "...and status lists them" sh -c "
	'$H' status --lab '$LAB' | grep -c 'delay-line-[0-9]*[ab]' | grep -qx $want"
pids=$(lines | tr '\n' ' ')
check "down takes the lab away" "$H" down --lab "$LAB"
check "...with its delay lines ($pids)" test -z "$(alive $pids)"
check "...and its namespaces" sh -c "! ip netns list | grep -q '^$LAB-'"

# A delay line holds a packet 1 s at most: more is netem's alone.
sed 's/delay: 10ms/delay: 2s/' "$tmp/impair.yml" > "$tmp/long.yml"
refuse "reorder with a delay over 1s: refused in one line" "delay over 1s with reorder" \
	"$H" up --lab "$LAB" "$tmp/long.yml"
check "...before anything is made: no namespace of it" sh -c "! ip netns list | grep -q '^$LAB-'"
# Without netem, a delay is a delay line's too: over 1s, up says so and
# undoes what it built.
sed '/reorder: 25%/d; s/delay: 10ms/delay: 2s/' "$tmp/impair.yml" > "$tmp/slow.yml"
if [ "$netem" = 0 ]; then
	check "without netem, a delay over 1s: up fails, saying why" sh -c "
		! '$H' up --lab '$LAB' '$tmp/slow.yml' > '$tmp/slow.out' 2>&1 &&
		grep -q 'delay over 1s needs the netem qdisc' '$tmp/slow.out'"
	check "...and undoes it: no namespace of it" sh -c "! ip netns list | grep -q '^$LAB-'"
else
	skip "without netem, a delay over 1s: up fails, saying why" "this kernel has netem"
fi
