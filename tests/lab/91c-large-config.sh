# Configurations as large as wg sends: one peer with every a.b.0.0/16 and
# a::b/128 (a 1..255, b 0..255: 130,560 allowed IPs), 40 peers with 52
# each, and 30 peers with none, each set with wg setconf on a bare tunnel
# in a lab node and counted back from wg show.  The request is read a line
# at a time, so the tunnel's memory follows what the configuration holds.
lab_down # each file brings up its own lab, whatever ran before it
lab_up --mode encrypted
tmp=$(mktemp -d)
chmod 700 "$tmp"
dev=lc$$
dev=${dev:0:15}
trap 'ip -n "$(ns home-laptop)" link del "$dev" 2>/dev/null; "$H" down --lab "$LAB" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

ip netns exec "$(ns home-laptop)" "$T" -f "$dev" > "$tmp/log" 2>&1 &
tp=$!
for i in $(seq 50); do [ -S "/var/run/wireguard/$dev.sock" ] && break; sleep 0.1; done
key=$(wg genkey)

# conf PEERS ALLOWED: a configuration file with PEERS peers of ALLOWED allowed IPs each.
conf() {
	local peers=$1 allowed=$2 p a
	printf '[Interface]\nPrivateKey = %s\nListenPort = 40600\n' "$key"
	for p in $(seq "$peers"); do
		printf '\n[Peer]\nPublicKey = %s\n' "$(wg genkey | wg pubkey)"
		for a in $(seq 0 $((allowed - 1))); do
			printf 'AllowedIPs = 10.%d.%d.0/24\n' "$p" "$a"
		done
	done
}
# Each line is a peer's key, then its allowed IPs or "(none)"; keys may hold '/'.
count_allowed() { wg show "$dev" allowed-ips | awk '{ for (i = 2; i <= NF; i++) if ($i != "(none)") n++ } END { print n + 0 }'; }
count_peers() { wg show "$dev" peers | grep -c .; }

{
	printf '[Interface]\nPrivateKey = %s\nListenPort = 40600\n\n[Peer]\nPublicKey = %s\n' "$key" "$(wg genkey | wg pubkey)"
	for a in $(seq 1 255); do
		for b in $(seq 0 255); do
			printf 'AllowedIPs = %d.%d.0.0/16\nAllowedIPs = %d::%d/128\n' "$a" "$b" "$a" "$b"
		done
	done
} > "$tmp/big.conf"
start=$(date +%s%N)
check "wg setconf with one peer of 130,560 allowed IPs" wg setconf "$dev" "$tmp/big.conf"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
rss=$(awk '/^VmHWM/ { print $2 }' /proc/$tp/status)
got=$(count_allowed)
check "wg show allowed-ips returns all 130,560 ($got)" test "$got" = 130560
check "one peer holds them ($(count_peers))" test "$(count_peers)" = 1
echo "        setconf took $ms ms; the tunnel's peak RSS ${rss} kB"
check "the tunnel's peak RSS stays under 64 MiB (${rss} kB)" test "$rss" -lt 65536
check "nothing was refused" sh -c "! grep -q 'refused' '$tmp/log'"

conf 40 52 > "$tmp/forty.conf"
check "wg setconf with 40 peers of 52 allowed IPs" wg setconf "$dev" "$tmp/forty.conf"
check "40 peers come back ($(count_peers))" test "$(count_peers)" = 40
check "2,080 allowed IPs come back ($(count_allowed))" test "$(count_allowed)" = 2080

conf 30 0 > "$tmp/thirty.conf"
check "wg setconf with 30 peers and no allowed IPs" wg setconf "$dev" "$tmp/thirty.conf"
check "30 peers come back ($(count_peers))" test "$(count_peers)" = 30
check "and no allowed IPs ($(count_allowed))" test "$(count_allowed)" = 0

# A real limit, hit: refused whole with errno and a log line, nothing changed.
{
	printf 'set=1\n'
	for p in $(seq 0 65536); do printf 'public_key=%064x\n' "$((p + 1))"; done
	printf '\n'
} > "$tmp/toomany"
reply=$(timeout 20 nc -N -U "/var/run/wireguard/$dev.sock" < "$tmp/toomany")
check "65,537 peers in one request are refused with errno=7 (E2BIG): $reply" sh -c "echo '$reply' | grep -qx errno=7"
check "the log says why" grep -q "set refused: more than 65536 peers in one request" "$tmp/log"
check "and the 30 peers are still there ($(count_peers))" test "$(count_peers)" = 30
ip -n "$(ns home-laptop)" link del "$dev"
for i in $(seq 30); do kill -0 "$tp" 2>/dev/null || break; sleep 0.1; done
check "the tunnel exits once its device is deleted, socket and all" \
	sh -c "! kill -0 $tp 2>/dev/null && [ ! -e /var/run/wireguard/$dev.sock ]"
