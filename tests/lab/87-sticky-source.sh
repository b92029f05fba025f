# Replies leave from the address the peer wrote to.  The VPN server gets a
# second address of each family; a client that writes to the second one
# must hear back from it, or it learns (encrypted) or refuses (plaintext,
# whose client accepts its server's address alone) an endpoint it never
# sent to.  When that address goes away, traffic carries on from the
# address that is left.
lab_down # each file brings up its own lab, whatever ran before it
lab_up --mode encrypted
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp"/*.pid 2>/dev/null) 2>/dev/null; "$H" down --lab "$LAB" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

on office-server ip addr add 203.0.113.11/24 dev wan
on office-server ip addr add 2001:db8:203::11/64 dev wan nodad

# pair NAME SERVER-ADDRESS [tunnel options]: a standalone plaintext pair
# whose client writes to SERVER-ADDRESS; the server's control socket tells
# what it learned.
pair() {
	local name=$1 addr=$2 i
	shift 2
	ip netns exec "$(ns office-server)" "$T" --listen --port 1297 --dev tuns --addr 172.31.254.9/30 \
		--control "$tmp/$name.ctl" "$@" > "$tmp/$name.server" 2>&1 &
	echo $! > "$tmp/server.pid"
	for i in $(seq 100); do grep -q "waiting for a client" "$tmp/$name.server" && break; sleep 0.02; done
	ip netns exec "$(ns home-laptop)" "$T" --server "$addr" --dev tuns --addr 172.31.254.10/30 "$@" \
		> "$tmp/$name.client" 2>&1 &
	echo $! > "$tmp/client.pid"
	for i in $(seq 100); do grep -q "tuns: up" "$tmp/$name.client" && break; sleep 0.02; done
	check "$name, client writes to $addr: pings across answered" on home-laptop ping -c2 -i0.2 -W2 172.31.254.9
	local src
	src=$(printf 'stats\n' | nc -N -U "$tmp/$name.ctl" 2>/dev/null | sed -n 's/^source=//p')
	check "$name: the server says it answers from ${addr%:*} (source=$src)" \
		test "[$src]:1297" = "$addr" -o "$src:1297" = "$addr"
	check "$name: the client refused nothing as a stranger" \
		sh -c "! grep -q 'stranger' '$tmp/$name.client'"
	kill "$(cat "$tmp/client.pid")" "$(cat "$tmp/server.pid")" 2>/dev/null
	wait 2>/dev/null
	rm -f "$tmp"/*.pid
}

pair plaintext 203.0.113.11:1297
pair plaintext "[2001:db8:203::11]:1297"
pair pi 203.0.113.11:1297 --pi
pair pi "[2001:db8:203::11]:1297" --pi

# Encrypted: the lab's own client, pointed at each address in turn through
# its wg socket; what it learns from the replies is where they came from.
sock=$(wg_sock home-laptop)
dev=$(basename "$sock" .sock)
server_pub=$(wg show "$dev" peers | head -n 1)
check "the lab's client has a wg socket and one peer" test -n "$server_pub"
for ep in 203.0.113.11:1234 "[2001:db8:203::11]:1234" 203.0.113.10:1234 "[2001:db8:203::10]:1234" 203.0.113.11:1234; do
	wg set "$dev" peer "$server_pub" endpoint "$ep"
	on home-laptop ping -c2 -i0.2 -W2 172.31.9.200 > /dev/null 2>&1
	check "encrypted, endpoint $ep: pings across answered" on home-laptop ping -c1 -W2 172.31.9.200
	got=$(wg show "$dev" endpoints | awk '{ print $2 }')
	check "encrypted, endpoint $ep: the client still has $ep after the replies (has $got)" test "$got" = "$ep"
	src=$(stat_of office-server peer1_source)
	check "encrypted, endpoint $ep: the server answers from it (source=$src)" \
		test "[$src]:1234" = "$ep" -o "$src:1234" = "$ep"
done

# The address the client writes to goes away: the server, sending first,
# finds its source refused and sends from what is left; the client follows.
on office-server ip addr del 203.0.113.11/24 dev wan
check "the address is removed; the office still reaches the client" \
	on office-host ping -c3 -i0.3 -W2 172.31.255.7
got=$(wg show "$dev" endpoints | awk '{ print $2 }')
check "the client now writes to 203.0.113.10:1234 (has $got)" test "$got" = 203.0.113.10:1234
check "...and the laptop reaches the office again" on home-laptop ping -c2 -i0.2 -W2 172.31.9.200
src=$(stat_of office-server peer1_source)
check "the server answers from 203.0.113.10 now (source=$src)" test "$src" = 203.0.113.10

# The same for IPv6: the client writes to the second IPv6 address, which then goes.
wg set "$dev" peer "$server_pub" endpoint "[2001:db8:203::11]:1234"
on home-laptop ping -c2 -i0.2 -W2 172.31.9.200 > /dev/null 2>&1
check "IPv6: the client writes to [2001:db8:203::11]:1234 and is answered from it" \
	test "$(stat_of office-server peer1_source)" = 2001:db8:203::11
on office-server ip addr del 2001:db8:203::11/64 dev wan
check "IPv6: the address is removed; the office still reaches the client" \
	on office-host ping -c3 -i0.3 -W2 172.31.255.7
got=$(wg show "$dev" endpoints | awk '{ print $2 }')
check "IPv6: the client now writes to [2001:db8:203::10]:1234 (has $got)" test "$got" = "[2001:db8:203::10]:1234"
check "IPv6: the server answers from 2001:db8:203::10 (source=$(stat_of office-server peer1_source))" \
	test "$(stat_of office-server peer1_source)" = 2001:db8:203::10
check "harness status shows where replies leave from" \
	sh -c "'$H' status --lab '$LAB' | grep -q '^office-server .* 2001:db8:203::10 '"
