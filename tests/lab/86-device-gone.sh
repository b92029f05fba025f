# A tunnel whose device is deleted from outside (as by `ip link del`, or a
# manager taking the interface down) stops cleanly: exit 0, a summary, its
# wg socket closed.  It used to spin on the dead descriptor forever.
lab_down # each file brings up its own lab, whatever ran before it
lab_up
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp"/*.pid 2>/dev/null) 2>/dev/null; "$H" down --lab "$LAB" >/dev/null 2>&1' EXIT

# gone_under_load NAME SERVER-ARGS -- CLIENT-ARGS: a standalone pair, a flood
# of pings through it, then the client's device deleted.
gone_under_load() {
	local name=$1 sargs=() cargs=() rc i
	shift
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	cargs=("$@")
	ip netns exec "$(ns office-server)" "$T" --listen --port 1298 --dev tung --addr 172.31.254.5/30 "${sargs[@]}" > "$tmp/$name.server" 2>&1 &
	echo $! > "$tmp/server.pid"
	for i in $(seq 100); do grep -q "waiting for a client" "$tmp/$name.server" && break; sleep 0.02; done
	ip netns exec "$(ns home-laptop)" "$T" --server 203.0.113.10:1298 --dev tung --addr 172.31.254.6/30 "${cargs[@]}" > "$tmp/$name.client" 2>&1 &
	local cli=$!
	echo $cli > "$tmp/client.pid"
	for i in $(seq 100); do grep -q "tung: up" "$tmp/$name.client" && break; sleep 0.02; done
	check "$name: the pair carries a ping" on home-laptop ping -c1 -W2 172.31.254.5
	# Not through on(): $! would be the shell around ping, and killing it would leave ping.
	ip netns exec "$(ns home-laptop)" ping -f -q -c 200000 -W1 172.31.254.5 > /dev/null 2>&1 &
	local flood=$!
	sleep 0.3
	check "$name: the device is deleted under load" on home-laptop ip link del tung
	# At most 3 s to notice; a spinning tunnel would still be here.
	for i in $(seq 30); do kill -0 "$cli" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$cli" 2>/dev/null; then
		fail "$name: the tunnel exits once its device is gone" "still running after 3 s: $(ps -o stat=,pcpu= -p "$cli")"
		kill "$cli"
	fi
	wait "$cli"
	rc=$?
	check "$name: ...with status 0" test "$rc" -eq 0
	check "$name: ...saying why" grep -q "tung: the device was deleted; stopping" "$tmp/$name.client"
	check "$name: ...and printing its summary" grep -q "^summary" "$tmp/$name.client"
	kill "$flood" 2>/dev/null
	wait "$flood" 2>/dev/null
	kill "$(cat "$tmp/server.pid")" 2>/dev/null
	wait "$(cat "$tmp/server.pid")" 2>/dev/null
	rm -f "$tmp"/*.pid
}
gone_under_load plaintext --queues 1 -- --queues 1
gone_under_load pi --pi --queues 1 -- --pi --queues 1
gone_under_load "plaintext, 2 queues" --queues 2 -- --queues 2

# Encrypted: the lab's own laptop tunnel, configured through its wg socket.
lab_down
check "up (encrypted)" lab_up --mode encrypted
pid=$(pid_of home-laptop)
sock=$(sed -n 's/.*wg socket \(\/[^ ]*\.sock\).*/\1/p' "/run/tunlab/$LAB/home-laptop.log" | head -n 1)
check "encrypted: the laptop's wg socket exists" test -n "$sock" -a -S "$sock"
ip netns exec "$(ns home-laptop)" ping -f -q -c 200000 -W1 172.31.9.200 > /dev/null 2>&1 &
flood=$!
sleep 0.3
check "encrypted: the device is deleted under load" on home-laptop ip link del tun0
for i in $(seq 30); do [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ] || ! kill -0 "$pid" 2>/dev/null && break; sleep 0.1; done
state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
check "encrypted: the tunnel exits once its device is gone (state '${state:-gone}')" test "${state:-Z}" = Z
check "encrypted: ...saying why" grep -q "tun0: the device was deleted; stopping" "/run/tunlab/$LAB/home-laptop.log"
check "encrypted: ...printing its summary" grep -q "^summary" "/run/tunlab/$LAB/home-laptop.log"
# The lab's tunnels run as an unprivileged user and cannot unlink in the
# root-only socket directory, so down removes the file; nothing answers on it.
iface=${sock##*/}
iface=${iface%.sock}
check "encrypted: ...and its wg socket no longer answers" sh -c "! wg show '$iface' >/dev/null 2>&1"
kill "$flood" 2>/dev/null
wait "$flood" 2>/dev/null
check "down after a tunnel left by itself" "$H" down
check "...removes the wg socket" test ! -e "$sock"
rm -rf "$tmp"
trap '"$H" down --lab "$LAB" >/dev/null 2>&1' EXIT
