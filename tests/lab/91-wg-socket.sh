# The wg socket of a lab tunnel: what it refuses never puts a secret key
# into the log, whatever the request; wg syncconf, which always sends the
# private key, leaves the sessions of an unchanged tunnel alone; and a
# client that drips its request never holds up the packets.
tmp=$(mktemp -d)

# ask SOCKET: sends stdin as one request, prints the answer.
ask() { timeout 3 nc -N -U "$1" 2>/dev/null; }

# secret_requests SECRET PUBLIC: one rejected request a line, \n and \r as printf escapes.
secret_requests() {
	local k=$1 pub=$2
	cat <<EOF
set=1\nprivate_key=$k\r\n\n
set=1\nprivate_key=${k}0\n\n
set=1\nprivate_key=${k:0:63}g\n\n
set=1\nprivate_key=$k\nlisten_port=no-port\n\n
set=1\nprivate_key=$k\nfwmark=x\n\n
set=1\nprivate-key=$k\n\n
set=1\nprivate_key $k\n\n
set=1\n$k\n\n
set=1\n$k=\n\n
set=1\n${k}=${k}\n\n
set=1\npublic_key=$pub\npreshared_key=$k\r\n\n
set=1\npublic_key=$pub\npreshared_key=${k}00\n\n
set=1\npublic_key=$pub\npreshared_key=$k\nallowed_ip=300.1.1.1/32\n\n
set=1\npublic_key=$pub\npreshared_key=$k\nendpoint=10.0.0.1:99999\n\n
set=1\npublic_key=$pub\npresharedkey=$k\n\n
set=1\nprivate_key=$k\npublic_key=$pub\nremove=yes\n\n
sett=1\nprivate_key=$k\n\n
set=1\nprivate_key=$k\0\n\n
EOF
}

# leaks WHAT SOCKET LOG: sends every request; prints the ones whose key reached the log.
leaks() {
	local sock=$2 log=$3 key pub req size n=0 bad=""
	key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	pub=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	while IFS= read -r req; do
		n=$((n + 1))
		size=$(stat -c %s "$log")
		# shellcheck disable=SC2059 # the request is the format: it holds \n and \r
		printf "$req" | ask "$sock" > "$tmp/answer"
		grep -q '^errno=[1-9]' "$tmp/answer" || bad+=" request $n was not refused;"
		# Any 16 hex digits of the key, in case of a cut or a partial echo.
		for i in 0 16 32 48; do
			tail -c +$((size + 1)) "$log" | grep -qi "${key:$i:16}" && { bad+=" request $n put the key in the log;"; break; }
		done
	done < <(secret_requests "$key" "$pub")
	if [ -z "$bad" ] && [ "$n" -ge 18 ] && grep -q "set refused" "$log"; then
		pass "$1: $n refused requests with a key, none of it in the log ($(grep -c 'set refused' "$log") lines)"
	else
		fail "$1: $n requests" "$bad $(grep 'set refused' "$log" | tail -n 1)"
	fi
}

lab_down
check "up --mode encrypted" lab_up --mode encrypted
sock=$(wg_sock home-laptop)
check "home-laptop's tunnel has a wg socket ($sock)" test -S "$sock"
leaks "home-laptop" "$sock" "/run/tunlab/$LAB/home-laptop.log"
# wg syncconf with the tunnels' own configuration, while pings cross the VPN.
for side in home-laptop office-server; do
	wg showconf "$(basename "$(wg_sock $side)" .sock)" > "$tmp/$side.conf"
done
hs_before="$(stat_of home-laptop peer1_handshakes) $(stat_of office-server peer1_handshakes)"
on home-laptop ping -c 1 -W 2 172.31.9.200 > /dev/null
on home-laptop ping -c 20 -i 0.1 -W 2 172.31.9.200 > "$tmp/ping" 2>&1 &
ppid=$!
for _ in 1 2 3; do
	for side in home-laptop office-server; do
		wg syncconf "$(basename "$(wg_sock $side)" .sock)" "$tmp/$side.conf"
	done
	sleep 0.5
done
wait $ppid
hs_after="$(stat_of home-laptop peer1_handshakes) $(stat_of office-server peer1_handshakes)"
check "wg syncconf x3 on both ends: handshakes unchanged ($hs_before -> $hs_after)" \
	test "$hs_before" = "$hs_after"
check "wg syncconf: sessions kept ($(stat_of home-laptop sessions) on home-laptop)" \
	test "$(stat_of home-laptop sessions)" = "$(echo "$hs_before" | cut -d' ' -f1)"
check "wg syncconf: pings kept flowing ($(grep -o '[0-9]* received' "$tmp/ping"))" \
	grep -q ' 20 received' "$tmp/ping"

# drip SOCKET SECONDS: a client sends "get=1\n" then one byte every 0.8 s, never
# ending its request; dropped, it connects again, until SECONDS are up.
drip() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do
		{
			printf 'get=1\n'
			while [ $SECONDS -lt $end ]; do
				sleep 0.8
				printf x
			done
		} 2> /dev/null | timeout $(($2 + 2)) nc -U "$1" > /dev/null 2>&1
	done
}
for side in home-laptop office-server; do
	drip "$(wg_sock $side)" 9 &
	drip "$(wg_sock $side)" 9 &
done
sleep 0.5
on home-laptop ping -c 10 -i 0.5 -W 1 172.31.9.200 > "$tmp/ping" 2>&1
check "10 pings while 4 clients drip into both wg sockets: $(grep -o '[0-9]* received' "$tmp/ping")" \
	grep -q ' 10 received' "$tmp/ping"
wait
check "...and the wg socket still answers afterwards" wg show "$(basename "$(wg_sock home-laptop)" .sock)"

example=$(grep "set refused" "/run/tunlab/$LAB/home-laptop.log" | grep -m 1 "private_key=")
check "a refused private_key says how long it was, not what: ${example#*uapi: }" \
	sh -c "printf '%s' '$example' | grep -q 'private_key=(65 characters, not shown): not 64 hex digits'"

# A verbose tunnel of our own (it logs every packet): still no key.
printf '[Interface]\nPrivateKey = %s\nListenPort = 1296\n' "$("$T" genkey)" > "$tmp/v.conf"
chmod 600 "$tmp/v.conf"
ip netns exec "$(ns office-host)" "$T" -c "$tmp/v.conf" --dev tunvv --uapi "$tmp/v.sock" -v > "$tmp/v.log" 2>&1 &
vpid=$!
for _ in $(seq 100); do [ -S "$tmp/v.sock" ] && break; sleep 0.02; done
leaks "a --verbose tunnel" "$tmp/v.sock" "$tmp/v.log"
kill "$vpid" 2>/dev/null
wait "$vpid" 2>/dev/null
lab_down
rm -rf "$tmp"
