# tunnel@.service: systemd-analyze verify finds nothing wrong with it as
# make install writes it, and the tunnel starts the way it runs it (as
# the tunlab user, with CAP_NET_ADMIN alone, ExecStart's own command line).
tmpu=$(mktemp -d)
# Whatever happens, the scratch namespaces and files go.
trap 'ip netns del "$LAB-us" 2>/dev/null; ip netns del "$LAB-ul" 2>/dev/null; rm -rf "$tmpu"' EXIT
make -s --no-print-directory install PREFIX="$tmpu/p" >/dev/null 2>&1
unit=$tmpu/p/lib/systemd/system/tunnel@.service

# verify_clean UNIT: systemd-analyze verify exits 0 and says nothing (its
# warnings, an unknown key say, are lines too).  The man page it names is
# looked up where make install put it.
verify_clean() {
	local out
	out=$(MANPATH=$tmpu/p/share/man systemd-analyze verify "$1" 2>&1) || { echo "$out"; return 1; }
	[ -z "$out" ] || { echo "$out"; return 1; }
}
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify tunnel@.service: no error, no warning" verify_clean "$unit"
	# Controls: a misspelt key and a missing program must be caught.
	mkdir "$tmpu/bad"
	sed 's/^User=/Usr=/' "$unit" > "$tmpu/bad/tunnel@.service"
	not_clean() { ! verify_clean "$1" >/dev/null; }
	check "...and a unit with a misspelt key is not clean" not_clean "$tmpu/bad/tunnel@.service"
	sed "s|^ExecStart=$tmpu/p/bin/|ExecStart=$tmpu/none/|" "$unit" > "$tmpu/bad/tunnel@.service"
	check "...nor one whose ExecStart names no program" not_clean "$tmpu/bad/tunnel@.service"
else
	skip "systemd-analyze verify tunnel@.service" "no systemd-analyze (package systemd)"
fi

for key in "User=tunlab" "AmbientCapabilities=CAP_NET_ADMIN" "CapabilityBoundingSet=CAP_NET_ADMIN" \
	"NoNewPrivileges=yes" "ProtectSystem=strict" "PrivateTmp=yes" "DeviceAllow=/dev/net/tun rw" \
	"RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX" "RuntimeDirectory=wireguard"; do
	check "the unit says $key" grep -qxF "$key" "$unit"
done

# The two-machine example of tunnel(8), RUNNING AS A SERVICE: its two
# files as the page shows them (keys filled in), each run by the unit's
# command line as the unit runs it (the tunlab user, CAP_NET_ADMIN alone),
# in two namespaces of the run's own joined by a veth with the page's
# public addresses.  Each tunnel gets, in a mount namespace of its own, a
# /dev/net/tun open to all (udev makes it 0666; some machines keep it
# root's) and a /run/wireguard of tunlab's (the unit's RuntimeDirectory);
# /etc/tunlab/ becomes a scratch directory, /etc being the machine's.
example() {
	sed -n "/^\.\\\\\" unit-example $1\$/,/^\.\\\\\" unit-example end\$/p" docs/tunnel.8 |
		sed -e '/^\./d' -e 's/^  //'
}
sk=$("$T" genkey) lk=$("$T" genkey)
sp=$(printf '%s\n' "$sk" | "$T" pubkey) lp=$(printf '%s\n' "$lk" | "$T" pubkey)
mknod -m 0666 "$tmpu/tun" c 10 200
mkdir -p /run/wireguard # where the lab's own wg sockets go too: a mount point here
chmod 0755 "$tmpu"
for side in server laptop; do
	mkdir -p "$tmpu/$side/etc" "$tmpu/$side/run"
	example "$side" | sed -e "s|SERVER_PRIVATE_KEY|$sk|; s|LAPTOP_PRIVATE_KEY|$lk|" \
		-e "s|SERVER_PUBLIC_KEY|$sp|; s|LAPTOP_PUBLIC_KEY|$lp|" > "$tmpu/$side/etc/wg0.conf"
	chown -R tunlab:tunlab "$tmpu/$side"
	chmod 0600 "$tmpu/$side/etc/wg0.conf"
done
check "tunnel(8) shows both files of the example" \
	sh -c "grep -q '^Endpoint = 203.0.113.10:51820' '$tmpu/laptop/etc/wg0.conf' && grep -q '^ListenPort = 51820' '$tmpu/server/etc/wg0.conf'"
ip netns add "$LAB-us"
ip netns add "$LAB-ul"
ip -n "$LAB-us" link add us0 type veth peer name ul0 netns "$LAB-ul"
ip -n "$LAB-us" link set lo up
ip -n "$LAB-ul" link set lo up
ip -n "$LAB-us" addr add 203.0.113.10/24 dev us0
ip -n "$LAB-ul" addr add 198.51.100.7/24 dev ul0
ip -n "$LAB-us" link set us0 up
ip -n "$LAB-ul" link set ul0 up
ip -n "$LAB-us" route add 198.51.100.0/24 dev us0
ip -n "$LAB-ul" route add 203.0.113.0/24 dev ul0

# unit_start SIDE NETNS: the unit's ExecStart for instance wg0, in the background.
unit_start() {
	local cmd
	cmd=$(sed -n 's/^ExecStart=//p' "$unit" | sed "s|%i|wg0|g; s|/etc/tunlab/|$tmpu/$1/etc/|")
	ip netns exec "$2" unshare -m sh -c "mount --bind '$tmpu/tun' /dev/net/tun &&
		mount --bind '$tmpu/$1/run' /run/wireguard && exec setpriv \
		--reuid=tunlab --regid=tunlab --clear-groups --inh-caps=-all,+net_admin \
		--ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin --no-new-privs \
		$cmd" > "$tmpu/$1.log" 2>&1 &
}
# The laptop starts first, on purpose.  Its PersistentKeepalive makes it
# speak at once, and that initiation finds no server; as in the kernel, the
# next may go only REKEY_TIMEOUT (5 s) later, whatever asks for it, so the
# ping below must wait that long.  Started the other way round, a busy
# machine could start the server late now and then, and the ping failed
# then only (it did, in two full runs).
unit_start laptop "$LAB-ul"
laptop_pid=$!
for i in $(seq 50); do grep -q "^wg0: up," "$tmpu/laptop.log" && break; sleep 0.1; done
unit_start server "$LAB-us"
server_pid=$!
for i in $(seq 50); do
	grep -q "^wg0: up," "$tmpu/server.log" && grep -q "^wg0: up," "$tmpu/laptop.log" && break
	sleep 0.1
done
for side in server laptop; do
	check "$side: the unit's command line, as tunlab with CAP_NET_ADMIN alone, brings wg0 up" \
		grep -q "^wg0: up," "$tmpu/$side.log"
done
# ping_across: three replies within 12 s (the retry comes at 5 s), and when
# they do not come, what each side said and did.
ping_across() {
	ip netns exec "$LAB-ul" ping -c 3 -i 0.3 -w 12 172.31.255.1 && return 0
	echo "server: $(tail -n 2 "$tmpu/server.log" | tr '\n' '|') laptop: $(tail -n 2 "$tmpu/laptop.log" | tr '\n' '|')"
	echo "laptop's wg0: $(nsenter -t "$laptop_pid" -m -n wg show wg0 2>&1 | grep -E 'endpoint|handshake|transfer' | tr '\n' '|')"
	{
	echo "server's wg0: $(nsenter -t "$server_pid" -m -n wg show wg0 2>&1 | grep -E 'endpoint|handshake|transfer' | tr '\n' '|')"
	# Each side's counters (SIGUSR1 prints them to its log): what it sent, got and dropped.
	kill -USR1 "$server_pid" "$laptop_pid" 2>/dev/null
	sleep 0.3
	echo "server's log:" && sed 's/^/    /' "$tmpu/server.log"
	echo "laptop's log:" && sed 's/^/    /' "$tmpu/laptop.log"
	} >&7 # past check, which keeps only the last three lines
	return 1
}
exec 7>&1
check "the laptop, started first, pings the server's VPN address 172.31.255.1 across the tunnel once its initiation is retried" ping_across
exec 7>&-
check "wg show wg0 on the server, at the unit's socket /run/wireguard/wg0.sock, names the laptop" \
	sh -c "nsenter -t '$server_pid' -m -n wg show wg0 peers | grep -qxF '$lp'"
check "...a socket of tunlab's" sh -c "test \"\$(stat -c %U '$tmpu/server/run/wg0.sock')\" = tunlab"
kill -TERM "$server_pid" "$laptop_pid" 2>/dev/null
wait "$server_pid"
rc_s=$?
wait "$laptop_pid"
rc_l=$?
check "both stop cleanly on SIGTERM, as systemctl stop sends (exit $rc_s and $rc_l)" test "$rc_s$rc_l" = 00
check "...and remove their wg sockets" none_exist "$tmpu/server/run/wg0.sock" "$tmpu/laptop/run/wg0.sock"
# Started by root instead, with every capability in its bounding set, the
# tunnel still drops all of them but CAP_NET_ADMIN (bit 12) from it: it
# skips only what the set does not hold.
ip netns exec "$LAB-us" "$T" -c "$tmpu/server/etc/wg0.conf" --dev wg1 --no-uapi > "$tmpu/root.log" 2>&1 &
root_pid=$!
for i in $(seq 50); do grep -q "^wg1: up," "$tmpu/root.log" && break; sleep 0.1; done
bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/"$root_pid"/status 2>/dev/null)
check "a tunnel root starts keeps CAP_NET_ADMIN alone in its bounding set (CapBnd $bnd)" test "$bnd" = 0000000000001000
kill -TERM "$root_pid" 2>/dev/null
wait "$root_pid"
ip netns del "$LAB-us" 2>/dev/null
ip netns del "$LAB-ul" 2>/dev/null
rm -rf "$tmpu"
