# Everything the wg tool can set, set the same way on our tunnel and on
# wireguard-go side by side in one lab node: after each step, wg showconf
# prints the same for both (listen ports aside, which must differ), and the
# marks reach the sockets.
lab_down # each file brings up its own lab, whatever ran before it
lab_up --mode encrypted
tmp=$(mktemp -d)
chmod 700 "$tmp"
ours=so$$
ours=${ours:0:15}
theirs=sg$$
theirs=${theirs:0:15}
trap 'ip -n "$(ns home-laptop)" link del "$ours" 2>/dev/null; ip -n "$(ns home-laptop)" link del "$theirs" 2>/dev/null; "$H" down --lab "$LAB" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

ip netns exec "$(ns home-laptop)" "$T" -f "$ours" > "$tmp/ours.log" 2>&1 &
op=$!
ip netns exec "$(ns home-laptop)" wireguard-go -f "$theirs" > "$tmp/theirs.log" 2>&1 &
tp=$!
for i in $(seq 50); do
	[ -S "/var/run/wireguard/$ours.sock" ] && [ -S "/var/run/wireguard/$theirs.sock" ] && break
	sleep 0.1
done
check "both answer on their wg sockets" sh -c "wg show '$ours' >/dev/null && wg show '$theirs' >/dev/null"

umask 077
wg genkey > "$tmp/key"
wg genpsk > "$tmp/psk"
p1=$(wg genkey | wg pubkey)
p2=$(wg genkey | wg pubkey)
p3=$(wg genkey | wg pubkey)
hex() { printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }

# showconf DEV: its wg showconf with the port made P and each section on one
# line, peers sorted: wireguard-go lists its peers in no fixed order.
showconf() {
	wg showconf "$1" | sed 's/^ListenPort = .*/ListenPort = P/' |
		awk 'BEGIN { RS = ""; FS = "\n" } { $1 = $1; print }' OFS=' | ' | sort
}
# same STEP: the two showconfs, ports aside, are the same.
same() {
	showconf "$ours" > "$tmp/ours.conf"
	showconf "$theirs" > "$tmp/theirs.conf"
	check "$1: wg showconf is the same for both" diff "$tmp/ours.conf" "$tmp/theirs.conf"
}
# both ARGS: the same wg set on each, with its own port where a port is given.
both() {
	wg set "$ours" "${@//PORT/40501}"
	wg set "$theirs" "${@//PORT/40502}"
}
# raw TEXT: a request written to each socket as the protocol has it.
raw() {
	printf "$1" | timeout 3 nc -N -U "/var/run/wireguard/$ours.sock" > "$tmp/ours.reply"
	printf "$1" | timeout 3 nc -N -U "/var/run/wireguard/$theirs.sock" > "$tmp/theirs.reply"
	check "$2: both answer errno=0" sh -c "grep -qx errno=0 '$tmp/ours.reply' && grep -qx errno=0 '$tmp/theirs.reply'"
}

both private-key "$tmp/key" listen-port PORT fwmark 0x42
same "key, port and fwmark"
check "our socket carries fwmark 0x42" sh -c "ip netns exec '$(ns home-laptop)' ss -Huanpe | grep 'pid=$op,' | grep -q 'fwmark:0x42'"
both peer "$p1" allowed-ips 10.1.0.0/16,fd00:1::/64 endpoint 198.51.100.9:5555 persistent-keepalive 25 preshared-key "$tmp/psk" \
	peer "$p2" allowed-ips 10.2.0.1/32 peer "$p3" endpoint "[2001:db8:198::9]:77"
same "three peers, with allowed IPs, endpoints, keepalive and a preshared key"
both peer "$p3" remove
same "remove"
both peer "$p1" persistent-keepalive 0
same "persistent_keepalive_interval=0"
raw "set=1\npublic_key=$(hex "$p3")\nupdate_only=true\nallowed_ip=10.3.0.0/16\n\n" "update_only for a peer that is not there"
same "update_only adds no peer"
raw "set=1\npublic_key=$(hex "$p2")\nupdate_only=true\nreplace_allowed_ips=true\nallowed_ip=10.2.0.2/32\n\n" "update_only for a peer that is there"
same "update_only changes the peer that is there"
both fwmark 0
same "fwmark 0 clears it"
check "our socket carries no mark now" sh -c "! ip netns exec '$(ns home-laptop)' ss -Huanpe | grep 'pid=$op,' | grep -q 'fwmark:'"
both listen-port PORT fwmark 7
same "fwmark again, after the port"
check "the mark follows our socket to its new port" sh -c "ip netns exec '$(ns home-laptop)' ss -Huanpe | grep 'pid=$op,' | grep -q 'fwmark:0x7'"
# setconf sends replace_peers: only the file's peers are left.
printf '[Interface]\nPrivateKey = %s\nListenPort = 40501\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.9.0.0/24\n' "$(cat "$tmp/key")" "$p3" > "$tmp/ours.wg"
sed 's/40501/40502/' "$tmp/ours.wg" > "$tmp/theirs.wg"
wg setconf "$ours" "$tmp/ours.wg"
wg setconf "$theirs" "$tmp/theirs.wg"
same "setconf (replace_peers)"
check "and it left one peer" test "$(wg show "$ours" peers | wc -l)" = 1
printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.10.0.0/24\n' "$p1" > "$tmp/add.wg"
wg addconf "$ours" "$tmp/add.wg"
wg addconf "$theirs" "$tmp/add.wg"
same "addconf"
wg syncconf "$ours" "$tmp/ours.wg"
wg syncconf "$theirs" "$tmp/theirs.wg"
same "syncconf"

ip -n "$(ns home-laptop)" link del "$ours"
ip -n "$(ns home-laptop)" link del "$theirs"
for i in $(seq 30); do kill -0 "$op" 2>/dev/null || kill -0 "$tp" 2>/dev/null || break; sleep 0.1; done
check "both exit once their devices are deleted" sh -c "! kill -0 $op 2>/dev/null && ! kill -0 $tp 2>/dev/null"
