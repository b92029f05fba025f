# wg-quick starts our tunnel as its userspace implementation, configures it
# through the wg socket alone (key, port, peer, addresses, MTU, routes),
# and takes it down by deleting the device; the tunnel then exits by
# itself and leaves no socket behind.  Also "tunnel IFNAME" refusals.
lab_down # each file brings up its own lab, whatever ran before it
lab_up --mode encrypted
tmp=$(mktemp -d)
chmod 700 "$tmp"
dev=wq$$
dev=${dev:0:15}
trap 'ip -n "$(ns home-laptop)" link del "$dev" 2>/dev/null; ip -n "$(ns office-host)" link del "$dev" 2>/dev/null; "$H" down --lab "$LAB" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

refuse "tunnel -f alone is refused: it needs an interface name" "interface name|-f keeps" "$T" -f
refuse "tunnel a/b is refused: not an interface name" "not an interface name" "$T" a/b
refuse "tunnel -c FILE IFNAME is refused: a stray word" "unexpected argument 'wg9'" "$T" -c "$tmp/x.conf" wg9
refuse "tunnel IFNAME --listen is refused: a stray word" "unexpected argument 'wg9'" "$T" wg9 --listen
refuse "tunnel IFNAME --addr is refused: addresses come through the socket" "wg socket alone: drop --addr" "$T" wg9 --addr 172.31.255.60/32

# The office server's tunnel (ours) takes a new peer, the laptop's wg-quick.
server_dev=$(basename "$(wg_sock office-server)" .sock)
server_pub=$(wg show "$server_dev" public-key)
key=$("$T" genkey)
pub=$(printf '%s\n' "$key" | "$T" pubkey)
wg set "$server_dev" peer "$pub" allowed-ips 172.31.255.50/32
umask 077
cat > "$tmp/$dev.conf" <<CONF
[Interface]
PrivateKey = $key
Address = 172.31.255.50/32
ListenPort = 51820

[Peer]
PublicKey = $server_pub
Endpoint = 203.0.113.10:1234
AllowedIPs = 172.31.255.13/32
PersistentKeepalive = 25
CONF

check "WG_QUICK_USERSPACE_IMPLEMENTATION=tunnel wg-quick up FILE" \
	ip netns exec "$(ns home-laptop)" env WG_QUICK_USERSPACE_IMPLEMENTATION="$T" wg-quick up "$tmp/$dev.conf"
# wg-quick does not say which process it started: the one whose command line is "$T $dev".
pid=$(for p in /proc/[0-9]*; do
	[ "$( (tr '\0' ' ' < "$p/cmdline") 2>/dev/null)" = "$T $dev " ] && basename "$p"
done | head -n 1)
check "the tunnel went into the background (pid ${pid:-none})" test -n "$pid"
check "its wg socket is there" test -S "/var/run/wireguard/$dev.sock"
check "wg show lists the key wg-quick set" sh -c "wg show '$dev' public-key | grep -qx '$pub'"
check "...the listen port" sh -c "wg show '$dev' listen-port | grep -qx 51820"
check "...and the peer's keepalive" sh -c "wg show '$dev' persistent-keepalive | grep -q '25$'"
check "the device has wg-quick's address" \
	sh -c "ip -n '$(ns home-laptop)' -o addr show dev '$dev' | grep -q '172.31.255.50/32'"
check "and wg-quick's route" \
	sh -c "ip -n '$(ns home-laptop)' route show dev '$dev' | grep -q '^172.31.255.13 '"
check "a ping crosses from the wg-quick address to the server's VPN address" \
	on home-laptop ping -c2 -i0.3 -W2 -I 172.31.255.50 172.31.255.13
check "the server saw a handshake from the new peer" \
	sh -c "wg show '$server_dev' latest-handshakes | grep '^$pub' | awk '{ exit !(\$2 > 0) }'"

check "wg-quick down FILE" \
	ip netns exec "$(ns home-laptop)" env WG_QUICK_USERSPACE_IMPLEMENTATION="$T" wg-quick down "$tmp/$dev.conf"
for i in $(seq 30); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "the tunnel exited once its device was deleted" sh -c "! kill -0 '${pid:-0}' 2>/dev/null"
check "and removed its wg socket" test ! -e "/var/run/wireguard/$dev.sock"

# -f: the same in the foreground; it answers on the socket, and goes when the device goes.
ip netns exec "$(ns home-laptop)" "$T" -f "$dev" > "$tmp/fg.log" 2>&1 &
fg=$!
for i in $(seq 50); do [ -S "/var/run/wireguard/$dev.sock" ] && break; sleep 0.1; done
check "tunnel -f IFNAME answers on its wg socket" sh -c "wg show '$dev' listen-port | grep -q '^[0-9]'"
check "and stays in the foreground" kill -0 "$fg"
# The port moves as often as it is told to, and each old one is free at once.
for port in 40001 40002 40003 40001 40004; do
	wg set "$dev" listen-port "$port"
done
check "after five listen-port changes wg show says 40004" sh -c "wg show '$dev' listen-port | grep -qx 40004"
bound=$(on home-laptop ss -Hlunp | grep -c "pid=$fg,")
check "the tunnel holds one UDP socket, not one per port it had ($bound)" test "$bound" = 1
check "on port 40004" sh -c "ip netns exec '$(ns home-laptop)' ss -Hlun 'sport = :40004' | grep -q ."
# free PORT: another program can bind it (nc listens until timeout stops it: 124).
free() { ip netns exec "$(ns home-laptop)" timeout 0.3 nc -u -l "$1" 2>/dev/null; [ $? = 124 ]; }
for port in 40001 40002 40003; do
	check "port $port is free again at once" free "$port"
done
taken() { ! free "$1"; }
check "while 40004, the tunnel's, is not" taken 40004
ip netns exec "$(ns home-laptop)" ip link del "$dev"
for i in $(seq 30); do kill -0 "$fg" 2>/dev/null || break; sleep 0.1; done
check "tunnel -f exits 0 when its device is deleted" wait "$fg"

# The device may be moved to another namespace, as WireGuard's are: the
# tunnel's UDP socket stays where it was started (home-laptop, with the
# underlay), and the device carries traffic from where it now is.  The
# namespace it moves to is another lab node's, so nothing is made outside
# the lab.
ip netns exec "$(ns home-laptop)" "$T" -f "$dev" > "$tmp/move.log" 2>&1 &
mv=$!
for i in $(seq 50); do [ -S "/var/run/wireguard/$dev.sock" ] && break; sleep 0.1; done
printf '%s\n' "$key" > "$tmp/key"
wg set "$dev" private-key "$tmp/key" listen-port 51820 \
	peer "$server_pub" endpoint 203.0.113.10:1234 allowed-ips 172.31.255.13/32
check "the device moves from home-laptop to office-host" \
	ip -n "$(ns home-laptop)" link set "$dev" netns "$(ns office-host)"
ip -n "$(ns office-host)" addr add 172.31.255.50/32 dev "$dev"
ip -n "$(ns office-host)" link set "$dev" up
ip -n "$(ns office-host)" route add 172.31.255.13/32 dev "$dev"
check "a ping from office-host crosses the moved device" \
	on office-host ping -c2 -i0.3 -W2 -I 172.31.255.50 172.31.255.13
check "while the tunnel's UDP socket stays in home-laptop" \
	sh -c "ip netns exec '$(ns home-laptop)' ss -Hlunp | grep -q 'pid=$mv,'"
check "and the tunnel is still running" kill -0 "$mv"
ip -n "$(ns office-host)" link del "$dev"
for i in $(seq 30); do kill -0 "$mv" 2>/dev/null || break; sleep 0.1; done
check "deleted in its new namespace, the device takes the tunnel with it (exit 0)" wait "$mv"
