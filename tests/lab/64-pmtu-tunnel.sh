# The tunnel follows the path MTU: a TCP transfer across --wan-mtu 1400
# stalls when it does not (--no-pmtu), and completes when it does.
tmp=$(mktemp -d)
head -c 2000000 /dev/urandom > "$tmp/sent"
transfer() {
	rm -f "$tmp/received"
	on office-host sh -c "timeout 12 nc -l -N 172.31.9.200 5003 > '$tmp/received'" &
	local l=$!
	for _ in $(seq 50); do on office-host ss -ltn 2>/dev/null | grep -q ':5003' && break; sleep 0.05; done
	timeout 8 ip netns exec "$(ns home-laptop)" nc -N 172.31.9.200 5003 < "$tmp/sent"
	local rc=$?
	kill $l 2>/dev/null
	wait $l 2>/dev/null
	return $rc
}
lab_down
check "up --wan-mtu 1400 --no-pmtu" lab_up --wan-mtu 1400 --no-pmtu
check "small packets still cross the tunnel" on home-laptop ping -c1 -W2 172.31.9.200
transfer
check "without path MTU following, 2 MB across --wan-mtu 1400 stalls" \
	test "$(stat -c %s "$tmp/received" 2>/dev/null || echo 0)" -lt 2000000
lab_down
check "up --wan-mtu 1400" lab_up --wan-mtu 1400
check "with it, the same transfer completes" transfer
check "...byte-identical" cmp -s "$tmp/sent" "$tmp/received"
check "the tunnel learned the path MTU 1400" test "$(stat_of home-laptop path_mtu)" = 1400
check "...and sent ICMP 'too big' into the tunnel" test "$(stat_of home-laptop icmp_too_big)" -gt 0
check "its log names who reported it" grep -q "carries 1400 bytes (ICMP from 192.168.1.1)" "/run/tunlab/$LAB/home-laptop.log"
check "the laptop's kernel now uses 1372 toward office-host" \
	sh -c "ip netns exec $(ns home-laptop) ip route get 172.31.9.200 | grep -q 'mtu 1372'"
rm -rf "$tmp"
