# Encrypted mode on a network that moves under it: the NAT forgets the
# laptop mid-transfer, the NAT times out idle mappings fast, and the
# sessions rekey every two seconds during a long transfer.
tmp=$(mktemp -d)
head -c 10000000 /dev/urandom > "$tmp/sent"

# slow_transfer PORT: starts $tmp/sent from home-laptop to office-host in the
# background; the lab's --rate makes it last.  wait_transfer judges it.
slow_transfer() {
	rm -f "$tmp/received"
	on office-host sh -c "nc -l -N 172.31.9.200 $1 > '$tmp/received'" &
	listener=$!
	for _ in $(seq 50); do on office-host ss -ltn 2>/dev/null | grep -q ":$1" && break; sleep 0.05; done
	timeout 60 ip netns exec "$(ns home-laptop)" nc -N 172.31.9.200 "$1" < "$tmp/sent" &
	sender=$!
}
# Waits in this shell (a check's command runs in a subshell, which cannot
# wait for these), and leaves "yes" or "no" in $arrived.
wait_transfer() {
	local rc
	wait "$sender"
	rc=$?
	wait "$listener"
	arrived=no
	[ "$rc" = 0 ] && cmp -s "$tmp/sent" "$tmp/received" && arrived=yes
}

# Roaming: the server follows the laptop to its new public port.
lab_down
check "up --rate 20mbit (encrypted)" lab_up --mode encrypted --rate 20mbit
check "the first ping makes a session" on home-laptop ping -c1 -W2 172.31.9.200
before=$(stat_of office-server endpoint)
slow_transfer 5011
sleep 1
check "set --nat-rebind in the middle of the transfer" "$H" set --nat-rebind
wait_transfer
check "10 MB arrived byte-identical across the rebind" test $arrived = yes
after=$(stat_of office-server endpoint)
port=${after##*:}
check "the server's endpoint for the laptop moved into the new NAT range ($before -> $after)" \
	sh -c "[ '$after' != '$before' ] && [ '${port:-0}' -ge 20000 ] && [ '${port:-0}' -le 24999 ]"
check "the server counted the move" test "$(stat_of office-server endpoint_moves)" -ge 1
lab_down

# A NAT that forgets in 2 s: with PersistentKeepalive 1 the office can still
# reach the laptop after an idle spell; without it, it cannot.
for ka in 1 0; do
	check "up --keepalive $ka --udp-timeout 2" lab_up --mode encrypted --keepalive $ka --udp-timeout 2
	on home-laptop ping -c1 -W2 172.31.9.200 >/dev/null 2>&1
	sleep 5
	if [ $ka = 1 ]; then
		check "after 5 s idle, office-host reaches the laptop (keepalive 1)" \
			on office-host ping -c1 -W2 172.31.255.7
		check "the laptop sent keepalives" test "$(stat_of home-laptop keepalives_sent)" -ge 3
	else
		tx0=$(stat_of office-server tx_packets)
		rx0=$(stat_of home-laptop rx_packets)
		check "after 5 s idle, office-host cannot reach the laptop (no keepalive)" \
			sh -c "! ip netns exec $(ns office-host) ping -c1 -W2 172.31.255.7"
		# Why: the server did send toward the laptop, and the NAT, having
		# forgotten the mapping, let none of it in.
		tx1=$(stat_of office-server tx_packets)
		rx1=$(stat_of home-laptop rx_packets)
		check "...though the server sent toward it ($tx0 -> $tx1 packets)" test "${tx1:-0}" -gt "${tx0:-0}"
		check "...nothing reached the laptop ($rx0 -> $rx1 packets)" test "${rx1:-x}" = "${rx0:-y}"
		check "...which sent no keepalive ($(stat_of home-laptop keepalives_sent))" \
			test "$(stat_of home-laptop keepalives_sent)" = 0
		# The control, on the same lab: once the laptop speaks first, the
		# NAT maps it again and the office reaches it.
		check "...the laptop pings the office, opening the NAT again" on home-laptop ping -c1 -W2 172.31.9.200
		check "...and then office-host reaches the laptop" on office-host ping -c1 -W2 172.31.255.7
	fi
	lab_down
done

# Rekey: a 2 s session lifetime over a transfer of about 12 s.  The
# protocol sends at most one initiation per 5 s (REKEY_TIMEOUT), so that
# is two or more new handshakes.
head -c 6000000 /dev/urandom > "$tmp/sent"
check "up --rekey-after 2 --rate 4mbit" lab_up --mode encrypted --rekey-after 2 --rate 4mbit
on home-laptop ping -c1 -W2 172.31.9.200 >/dev/null 2>&1
s0=$(stat_of office-server peer1_handshakes)
slow_transfer 5012
wait_transfer
check "6 MB arrived byte-identical while the sessions rekeyed" test $arrived = yes
s1=$(stat_of office-server peer1_handshakes)
check "at least two new handshakes during the transfer ($s0 -> $s1)" test "$s1" -ge $((s0 + 2))
for node in office-server home-laptop; do
	check "$node dropped nothing for an expired or unknown session" \
		test "$(stat_of $node drop_expired)/$(stat_of $node drop_unknown_index)" = 0/0
done
lab_down

# A smaller link on the way: the tunnel learns the path MTU per peer and
# answers inner packets that no longer fit with ICMP "too big".
head -c 2000000 /dev/urandom > "$tmp/sent"
check "up --wan-mtu 1400 (encrypted)" lab_up --mode encrypted --wan-mtu 1400
slow_transfer 5013
wait_transfer
check "2 MB crossed the 1400-byte link byte-identical" test $arrived = yes
check "the laptop learned the path MTU to the server (1400)" test "$(stat_of home-laptop peer1_path_mtu)" = 1400
check "...and told its kernel: 1400 - 60, down to a multiple of 16, is 1328" \
	sh -c "ip netns exec $(ns home-laptop) ip route get 172.31.9.200 | grep -q 'mtu 1328'"
check "...with ICMP 'too big' through the TUN device" test "$(stat_of home-laptop icmp_too_big)" -ge 1
lab_down

# An attacker on the internet: random, truncated, forged and replayed
# datagrams, and handshakes that earn a cookie, at the server, while a
# ping goes on through the tunnel.
check "up (encrypted) for the flood" lab_up --mode encrypted
on home-laptop ping -c1 -W2 172.31.9.200 >/dev/null 2>&1
rx0=$(stat_of office-server rx_packets)
on home-laptop ping -c 30 -i 0.1 -W2 172.31.9.200 > "$tmp/ping" 2>&1 &
pinger=$!
"$H" flood --count 2000 > "$tmp/flood" 2>&1
frc=$?
wait $pinger
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/ping")
counted() { awk -v k="$1" '$1 == k { print $2 + 0 }' "$tmp/flood"; }
check "harness flood ran (exit $frc)" test "$frc" = 0
check "2000 random + 2000 truncated: all dropped as malformed ($(counted drop_malformed))" \
	test "$(counted drop_malformed)" -ge 4000
check "the forged initiations without a valid mac1 are dropped for it ($(counted drop_bad_mac))" \
	test "$(counted drop_bad_mac)" -ge 400
check "forged data and cookie replies name no session ($(counted drop_unknown_index))" \
	test "$(counted drop_unknown_index)" -ge 800
check "under the handshake flood the server answers with cookies ($(counted cookies_sent))" \
	test "$(counted cookies_sent)" -ge 1
check "2000 replayed real datagrams are all dropped as replays ($(counted drop_replay))" \
	test "$(counted drop_replay)" -ge 2000
opened=$(sed -n 's/^cookie replies that opened: \([0-9]*\);.*/\1/p' "$tmp/flood")
check "the flood opened a cookie reply and made mac2 with it (${opened:-none})" \
	test "${opened:-0}" -ge 1
check "handshakes with a valid mac2 meet the per-source limit ($(counted drop_ratelimited))" \
	test "$(counted drop_ratelimited)" -ge 1000
rx1=$(stat_of office-server rx_packets)
check "only the ping reached the TUN device ($((rx1 - rx0)) packets for $got replies)" \
	sh -c "[ $((rx1 - rx0)) -ge ${got:-0} ] && [ $((rx1 - rx0)) -le 30 ]"
check "the ping went on through the flood ($got/30)" test "${got:-0}" -ge 27
check "replays from another address did not move the endpoint" \
	test "$(stat_of office-server endpoint_moves)" = 0
# Again for scripts, every kind: replay needs traffic crossing to copy, so a ping goes on.
on home-laptop ping -c 20 -i 0.2 -W2 172.31.9.200 >/dev/null 2>&1 &
pinger=$!
sleep 0.5
"$H" flood --json --count 200 > "$tmp/flood.json" 2> "$tmp/flood.err"
frc=$?
wait $pinger
check "flood --json (exit $frc): each kind's datagrams, the cookies, the server's drops" \
	sh -c "[ $frc = 0 ] && grep -q '^{\"sent\":{\"random\":{\"datagrams\":200,' '$tmp/flood.json' &&
	       grep -q '\"replay\":{\"datagrams\":200,' '$tmp/flood.json' &&
	       grep -q '\"cookie\":{\"datagrams\":[0-9]*,\"seconds\":[0-9.]*,\"cookies\":' '$tmp/flood.json' &&
	       grep -q '},\"server\":{.*\"drop_malformed\":[0-9]' '$tmp/flood.json' ||
	       { cat '$tmp/flood.err'; exit 1; }"
check_schema flood "$tmp/flood.json"
refuse "flood refuses an unknown kind" "--kinds: 'bogus'" "$H" flood --kinds random,bogus
refuse "flood refuses --count 0" "--count '0'" "$H" flood --count 0
lab_down
rm -rf "$tmp"
