# Encrypted mode: the default, our tunnel against itself and wireguard-go,
# the wg tool, a class of 20, and junk thrown at the server.
lab_down
check "harness up with no --mode runs encrypted" "$H" up
check "the laptop's tunnel says mode=encrypted" test "$(stat_of home-laptop mode)" = encrypted
check "the MTU is 1500 - 20 - 8 - 32 = 1440" test "$(stat_of home-laptop mtu)" = 1440
check "ping across the encrypted tunnel" on home-laptop ping -c2 -i0.2 -W2 172.31.9.200
check "IPv6 inside too" on home-laptop ping -6 -c2 -i0.2 -W2 fd00:172:31::200
check "a handshake was made" test "$(stat_of office-server sessions)" -ge 1
check "harness check passes all five properties, none skipped" sh -c "\"$H\" check | grep -q '5 passed, 0 failed, 0 skipped'"
wgname="$LAB-os"
check "wg show talks to our tunnel" sh -c "wg show $wgname | grep -q 'latest handshake'"
check "wg show lists the laptop's allowed IPs" sh -c "wg show $wgname allowed-ips | grep -q '172.31.255.7/32'"
peer=$(wg show "$wgname" peers | head -n1)
check "wg set adds an allowed IP" wg set "$wgname" peer "$peer" allowed-ips 172.31.255.7/32,fd00:172:31:255::7/128,10.99.0.0/16
check "...which wg show then lists" sh -c "wg show $wgname allowed-ips | grep -q '10.99.0.0/16'"
check "the wg socket is 0600" test "$(stat -c %a /var/run/wireguard/$wgname.sock)" = 600
# Junk at the server's port: counted, never written to TUN, and traffic goes on.
rx=$(stat_of office-server rx_packets)
on internet sh -c 'head -c 200 /dev/urandom | nc -u -w1 -q0 203.0.113.10 1234' >/dev/null 2>&1
on internet sh -c 'printf "\001\000\000\000%0144d" 0 | nc -u -w1 -q0 203.0.113.10 1234' >/dev/null 2>&1
on internet sh -c 'printf "\004\000\000\000%060d" 0 | nc -u -w1 -q0 203.0.113.10 1234' >/dev/null 2>&1
on internet sh -c 'printf "\004\000\000" | nc -u -w1 -q0 203.0.113.10 1234' >/dev/null 2>&1
sleep 0.3
check "random bytes are dropped as malformed" test "$(stat_of office-server drop_malformed)" -ge 1
check "a forged initiation is dropped for its mac1" test "$(stat_of office-server drop_bad_mac)" -ge 1
check "a data message for no session is dropped" test "$(stat_of office-server drop_unknown_index)" -ge 1
check "none of it reached the TUN device" test "$(stat_of office-server rx_packets)" = "$rx"
check "real traffic goes on" on home-laptop ping -c1 -W2 172.31.9.200
# What down must remove, named while it is there.
left=$(ls -d /var/run/wireguard/"$LAB"-*.sock /run/tunlab/"$LAB"/*.conf 2>/dev/null)
nsock=$(printf '%s\n' "$left" | grep -c '\.sock$')
nconf=$(printf '%s\n' "$left" | grep -c '\.conf$')
check "before down, the lab has wg sockets ($nsock) and key files ($nconf)" \
	test "$nsock" -ge 2 -a "$nconf" -ge 2
lab_down
# shellcheck disable=SC2086
check "down removes the wg sockets and key files" none_exist $left

if command -v wireguard-go >/dev/null && command -v wg >/dev/null; then
	for side in server laptop; do
		check "up --peer wireguard-go --peer-on $side" "$H" up --peer wireguard-go --peer-on $side
		check "ping from our side's laptop through wireguard-go ($side)" on home-laptop ping -c2 -i0.3 -W2 172.31.9.200
		check "and from the office back to the laptop ($side)" on office-host ping -c1 -W2 172.31.255.7
		lab_down
		# Across rekeys: ours starts a new session every 2 s (at most one
		# initiation each 5 s), as initiator or as responder, and
		# wireguard-go follows, with nothing lost on the way.
		ours=office-server
		[ "$side" = server ] && ours=home-laptop
		check "up --peer wireguard-go --peer-on $side --rekey-after 2" \
			"$H" up --peer wireguard-go --peer-on $side --rekey-after 2
		# Only an initiator rekeys by time, as in the kernel: where ours is
		# the server, it is made the initiator once, by a handshake of its own.
		if [ "$ours" = office-server ]; then
			on home-laptop ping -c1 -W2 172.31.9.200 >/dev/null
			printf 'handshake\n' | nc -N -U "/run/tunlab/$LAB/office-server.ctl" >/dev/null
		fi
		check "24 pings over 12 s across rekeys, every one answered ($side)" \
			on home-laptop ping -c24 -i0.5 -W2 -q 172.31.9.200
		sessions=$(stat_of "$ours" sessions)
		check "our $ours made at least 3 sessions with wireguard-go meanwhile ($sessions)" \
			test "${sessions:-0}" -ge 3
		lab_down
	done
else
	check "wireguard-go and wg are installed (make test installs them)" false
fi

check "up --clients 20" "$H" up --clients 20
ok=0
for k in $(seq 2 20); do
	on "laptop-$k" ping -c1 -W3 172.31.9.200 >/dev/null 2>&1 && ok=$((ok + 1))
done
on home-laptop ping -c1 -W3 172.31.9.200 >/dev/null 2>&1 && ok=$((ok + 1))
check "all 20 laptops ping the office through one server ($ok/20)" test "$ok" = 20
check "the server holds 20 peers" test "$(stat_of office-server peers)" = 20
# status shows the laptops --clients added, which are no nodes of the lab's
# own: each with its namespace's links, and its tunnel with its counters.
"$H" status > /tmp/status.$$ 2>&1
check "status lists laptop-20 with its eth0 address" grep -Eq '^laptop-20 +eth0 .*192\.168\.1\.120/24' /tmp/status.$$
check "status lists 20 running tunnels on laptops" test "$(grep -Ec '^(home-laptop|laptop-[0-9]+) +[0-9]+ +peer +encrypted ' /tmp/status.$$)" = 20
"$H" status --json > /tmp/status.$$ 2>&1
check "status --json has the 21 nodes' tunnels" test "$(grep -o '"node":"[a-z0-9-]*"' /tmp/status.$$ | sort -u | wc -l)" = 21
rm -f /tmp/status.$$
lab_down

# The packet that waits for the first handshake is counted like every other:
# two pings on a fresh lab are two packets sent by the laptop, two received.
check "up --keepalive 0 (encrypted)" lab_up --mode encrypted --keepalive 0
on home-laptop ping -c2 -i0.2 -W2 172.31.9.200 >/dev/null 2>&1
check "the laptop counts both pings sent, the first one that waited too ($(stat_of home-laptop tx_packets))" \
	test "$(stat_of home-laptop tx_packets)" = 2
check "...and the server both received ($(stat_of office-server rx_packets))" \
	test "$(stat_of office-server rx_packets)" = 2
lab_down
