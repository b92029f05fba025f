# tunnel@.service: systemd-analyze verify finds nothing wrong with it as
# make install writes it, and the tunnel starts the way it runs it (as
# the tunlab user, with CAP_NET_ADMIN alone, ExecStart's own command line).
tmpu=$(mktemp -d)
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
	check "...and a unit with a misspelt key is not clean" sh -c "! MANPATH=$tmpu/p/share/man systemd-analyze verify '$tmpu/bad/tunnel@.service' >/dev/null 2>&1 || ! [ -z \"\$(MANPATH=$tmpu/p/share/man systemd-analyze verify '$tmpu/bad/tunnel@.service' 2>&1)\" ]"
	sed "s|^ExecStart=$tmpu/p/bin/|ExecStart=$tmpu/none/|" "$unit" > "$tmpu/bad/tunnel@.service"
	check "...nor one whose ExecStart names no program" sh -c "! systemd-analyze verify '$tmpu/bad/tunnel@.service' >/dev/null 2>&1"
else
	skip "systemd-analyze verify tunnel@.service" "no systemd-analyze (package systemd)"
fi

for key in "User=tunlab" "AmbientCapabilities=CAP_NET_ADMIN" "CapabilityBoundingSet=CAP_NET_ADMIN" \
	"NoNewPrivileges=yes" "ProtectSystem=strict" "PrivateTmp=yes" "DeviceAllow=/dev/net/tun rw" \
	"RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX" "RuntimeDirectory=wireguard"; do
	check "the unit says $key" grep -qxF "$key" "$unit"
done

# The unit's command, as the unit's user with the unit's capabilities, in a
# namespace of the run's own; /dev/net/tun is root's alone on some machines
# (udev makes it 0666), so a copy open to all is mounted over it for this
# process alone.  The configuration and wg socket move into the scratch
# directory: /etc and /run are the machine's.
dev=tu$$
mkdir -p "$tmpu/etc" "$tmpu/run"
printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\nAddress = 172.31.255.1/24\n' "$("$T" genkey)" > "$tmpu/etc/$dev.conf"
chown tunlab:tunlab "$tmpu/etc/$dev.conf" "$tmpu/run"
chmod 0600 "$tmpu/etc/$dev.conf"
chmod 0755 "$tmpu"
mknod -m 0666 "$tmpu/tun" c 10 200
exec_start=$(sed -n 's/^ExecStart=//p' "$unit" | sed "s|%i|$dev|g; s|/etc/tunlab/|$tmpu/etc/|")
ip netns add "$LAB-unit"
ip netns exec "$LAB-unit" unshare -m sh -c "mount --bind '$tmpu/tun' /dev/net/tun && exec setpriv \
	--reuid=tunlab --regid=tunlab --clear-groups --inh-caps=-all,+net_admin \
	--ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin --no-new-privs \
	$exec_start --uapi '$tmpu/run/$dev.sock'" > "$tmpu/log" 2>&1 &
unit_pid=$!
for i in $(seq 50); do grep -q ": up," "$tmpu/log" && break; sleep 0.1; done
check "ExecStart as the unit runs it (tunlab, CAP_NET_ADMIN alone) brings $dev up" grep -q "^$dev: up," "$tmpu/log"
check "...with its wg socket made as the tunlab user" sh -c "test -S '$tmpu/run/$dev.sock' && test \"\$(stat -c %U '$tmpu/run/$dev.sock')\" = tunlab"
kill -TERM "$unit_pid" 2>/dev/null
wait "$unit_pid"
check "...and stops cleanly on SIGTERM, as systemctl stop sends (exit $?)" test "$?" = 0
ip netns del "$LAB-unit" 2>/dev/null
rm -rf "$tmpu"
