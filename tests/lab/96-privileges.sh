# Least privilege: once set up, every thread of every tunnel keeps only
# CAP_NET_ADMIN (bit 12: 0000000000001000); --user switches to that user;
# the sockets and key files are the owner's alone, and a key file others
# can read gets a warning.
tmp=$(mktemp -d)

# gone DEV: office-server has no such link.
gone() { ! on office-server ip link show "$1" >/dev/null 2>&1; }

# caps PID: the distinct CapEff values of all the process's threads.
caps() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^CapEff/ { print $2 }' | sort -u | tr '\n' ' '; }

for mode in plaintext encrypted; do
	lab_down
	check "up --mode $mode" lab_up --mode $mode
	for node in home-laptop office-server; do
		pid=$(pid_of "$node")
		threads=$(ls /proc/"$pid"/task 2>/dev/null | wc -l)
		check "$mode, $node: all $threads thread(s) keep CAP_NET_ADMIN only ($(caps "$pid"))" \
			test "$(caps "$pid")" = "0000000000001000 "
		check "$mode, $node: nothing can be gained back (NoNewPrivs)" \
			grep -q "^NoNewPrivs:[[:space:]]*1" /proc/"$pid"/status
	done
	check "$mode: the control socket is 0600" test "$(stat -c %a "/run/tunlab/$LAB/home-laptop.ctl")" = 600
	check "$mode: the tunnel still works without them" on home-laptop ping -c1 -W2 172.31.9.200
done
sock=$(ls /var/run/wireguard/ 2>/dev/null | grep "^${LAB:0:12}" | head -n 1)
check "encrypted: the wg socket $sock is 0600" test "$(stat -c %a "/var/run/wireguard/$sock")" = 600
# Modes of the key files, one "mode name" a line; there must be some.
key_modes() { find "/run/tunlab/$LAB" -name '*.conf' -printf '%m %f\n' | sort; }
keys_private() {
	local modes
	modes=$(key_modes) || return 1
	[ -n "$modes" ] || { echo "no key file found"; return 1; }
	! printf '%s\n' "$modes" | grep -v '^600 '
}
check "encrypted: the lab's key files are 0600 ($(key_modes | tr '\n' ' '))" keys_private
lab_down

# --user: a tunnel of our own in a lab node, run as nobody.
check "up --mode plaintext" lab_up --mode plaintext
ip netns exec "$(ns office-server)" "$T" --listen --port 1299 --dev tunu --user nobody \
	--addr 172.31.254.1/30 > "$tmp/user" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "waiting for a client" "$tmp/user" && break; sleep 0.02; done
check "--user nobody: runs as uid 65534 ($(awk '/^Uid/ { print $2 }' /proc/$pid/status 2>/dev/null))" \
	sh -c "awk '/^Uid/ { exit !(\$2 == 65534 && \$3 == 65534) }' /proc/$pid/status"
check "--user nobody: with CAP_NET_ADMIN only ($(caps $pid))" test "$(caps $pid)" = "0000000000001000 "
kill -TERM $pid
wait $pid
rc=$?
check "--user nobody: SIGTERM stops it cleanly (exit $rc)" test $rc = 0
check "--user nobody: and its device is gone" gone tunu
refuse "tunnel: --user of no one" "no user 'no-such-user'" \
	on office-server "$T" --listen --port 1298 --dev tunv --user no-such-user
check "...and that half-made device is gone" gone tunv

# A private key others can read is no longer private: say so, as wg does.
umask 022
printf '[Interface]\nPrivateKey = %s\nListenPort = 1297\n' "$("$T" genkey)" > "$tmp/open.conf"
umask 077
on office-server timeout 2 "$T" -c "$tmp/open.conf" --dev tunk --no-uapi > /dev/null 2> "$tmp/warn"
check "a 0644 key file gets a warning: $(head -n 1 "$tmp/warn")" \
	grep -q "open.conf is readable by group or others (mode 644)" "$tmp/warn"
chmod 600 "$tmp/open.conf"
on office-server timeout 2 "$T" -c "$tmp/open.conf" --dev tunk --no-uapi > /dev/null 2> "$tmp/warn"
check "a 0600 key file gets none" sh -c "! grep -q readable '$tmp/warn'"
lab_down
rm -rf "$tmp"
