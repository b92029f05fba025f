# The tunnel follows the path MTU: a TCP transfer across --wan-mtu 1400
# stalls when it does not (--no-pmtu), and completes when it does.
tmp=$(mktemp -d)
head -c 2000000 /dev/urandom > "$tmp/sent"
# transfer PORT: each transfer has a port of its own, so that a listener
# left from a stalled one (it lives on up to 12 s) cannot take the next.
transfer() {
	rm -f "$tmp/received"
	on office-host sh -c "timeout 12 nc -l -N 172.31.9.200 $1 > '$tmp/received'" &
	local l=$!
	for _ in $(seq 50); do on office-host ss -ltn 2>/dev/null | grep -q ":$1" && break; sleep 0.05; done
	timeout 8 ip netns exec "$(ns home-laptop)" nc -N 172.31.9.200 "$1" < "$tmp/sent"
	local rc=$?
	# The listener ends when the sender closes, once it has written all it
	# got; killing it at once could cut off what it was still writing.
	[ "$rc" = 0 ] || kill $l 2>/dev/null
	wait $l 2>/dev/null
	return $rc
}
lab_down
check "up --wan-mtu 1400 --no-pmtu" lab_up --wan-mtu 1400 --no-pmtu
check "small packets still cross the tunnel" on home-laptop ping -c1 -W2 172.31.9.200
transfer 5003
check "without path MTU following, 2 MB across --wan-mtu 1400 stalls" \
	test "$(stat -c %s "$tmp/received" 2>/dev/null || echo 0)" -lt 2000000
# Why it stalled: datagrams too big for the link, refused and counted, and
# no ICMP "too big" into the tunnel to make the sender's TCP smaller.
check "...because datagrams too big for the link were dropped ($(stat_of home-laptop drop_too_big))" \
	test "$(stat_of home-laptop drop_too_big)" -gt 0
check "...and none was answered with ICMP 'too big' ($(stat_of home-laptop icmp_too_big))" \
	test "$(stat_of home-laptop icmp_too_big)" = 0
# The control, on the same lab: with the route to office-host set by hand
# to an MTU that fits (1400 - 28), the same transfer completes, so the
# stall above came from the packets' size and from nothing else.
tundev=$(stat_of home-laptop dev)
check "...a route by hand with MTU 1372 toward office-host" \
	on home-laptop ip route add 172.31.9.200/32 dev "${tundev:-none}" mtu lock 1372
check "...and then the same transfer completes" transfer 5004
check "...byte-identical" cmp -s "$tmp/sent" "$tmp/received"
lab_down
check "up --wan-mtu 1400" lab_up --wan-mtu 1400
check "with it, the same transfer completes" transfer 5005
check "...byte-identical" cmp -s "$tmp/sent" "$tmp/received"
check "the tunnel learned the path MTU 1400" test "$(stat_of home-laptop path_mtu)" = 1400
check "...and sent ICMP 'too big' into the tunnel" test "$(stat_of home-laptop icmp_too_big)" -gt 0
check "its log names who reported it" grep -q "carries 1400 bytes (ICMP from 192.168.1.1)" "/run/tunlab/$LAB/home-laptop.log"
check "the laptop's kernel now uses 1372 toward office-host" \
	sh -c "ip netns exec $(ns home-laptop) ip route get 172.31.9.200 | grep -q 'mtu 1372'"
# tun0 set to 1500 on a 1500-byte path: full-size packets no longer fit
# once wrapped, and the tunnel must say so with ICMP "too big" or TCP
# stalls.  Encrypted mode has not learned the path yet, so the kernel
# refuses its first sealed datagram (EMSGSIZE); the ICMP is built from what
# the tunnel kept of the packet before sealing it, as plaintext quotes its own.
port=5006
for m in "plaintext 1472" "encrypted 1440"; do
	set -- $m
	lab_down
	check "up --mode $1 --tun-mtu 1500" lab_up --mode "$1" --tun-mtu 1500
	check "$1: 2 MB cross a tunnel whose MTU is too high" transfer $port
	check "...byte-identical" cmp -s "$tmp/sent" "$tmp/received"
	check "...as what did not fit was answered with ICMP 'too big' ($(stat_of home-laptop icmp_too_big))" \
		test "$(stat_of home-laptop icmp_too_big)" -gt 0
	check "...and the laptop's kernel now uses $2 toward office-host" \
		sh -c "ip netns exec $(ns home-laptop) ip route get 172.31.9.200 | grep -q 'mtu $2'"
	port=$((port + 1))
done
rm -rf "$tmp"
