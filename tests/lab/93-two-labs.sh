# Two labs whose names start alike, up at once: each keeps its own wg
# sockets (a long name gets a short hash), and a live socket is never
# replaced, by a lab or by a tunnel started by hand.
one=audit-lab-one-a
two=audit-lab-one-b
socks() { awk '$1 == "file" && $2 ~ /^\/var\/run\/wireguard\// { print $2 }' "/run/tunlab/$1/state"; }

"$H" down --lab $one > /dev/null 2>&1
"$H" down --lab $two > /dev/null 2>&1
check "up --lab $one (encrypted)" "$H" up --lab $one --mode encrypted
check "up --lab $two (encrypted), at the same time" "$H" up --lab $two --mode encrypted
a=$(socks $one | sort | tr '\n' ' ')
b=$(socks $two | sort | tr '\n' ' ')
check "each lab names its own wg sockets ($a| $b)" \
	sh -c "[ -n '$a' ] && [ -n '$b' ] && [ -z \"\$(printf '%s\n%s\n' '$a' '$b' | tr ' ' '\n' | grep . | sort | uniq -d)\" ]"
all_live() {
	local s
	for s in $1; do
		wg show "$(basename "$s" .sock)" > /dev/null 2>&1 || return 1
	done
}
check "every socket of both labs answers wg show" all_live "$a $b"
check "both labs carry pings" sh -c "ip netns exec $one-home-laptop ping -c1 -W2 172.31.9.200 &&
	ip netns exec $two-home-laptop ping -c1 -W2 172.31.9.200"

# A tunnel started by hand on a live socket of lab one: refused, the socket stays.
sock=$(echo "$a" | cut -d' ' -f1)
printf '[Interface]\nPrivateKey = %s\n' "$("$T" genkey)" > "/run/tunlab/$one/extra.conf"
chmod 600 "/run/tunlab/$one/extra.conf"
refuse "a tunnel on a live wg socket is refused" "wg socket $sock is live" \
	timeout 5 ip netns exec $one-office-host "$T" -c "/run/tunlab/$one/extra.conf" --dev tunx --uapi "$sock"
check "...and the socket still answers wg show" all_live "$sock"
# A symlink where a socket would go is no socket.
ln -sf /etc/passwd /var/run/wireguard/h17-link.sock
refuse "a tunnel on a symlink is refused" "h17-link.sock: Too many levels of symbolic links" \
	timeout 5 ip netns exec $one-office-host "$T" -c "/run/tunlab/$one/extra.conf" --dev tunx \
	--uapi /var/run/wireguard/h17-link.sock
check "...and the symlink's target is untouched" sh -c "head -n 1 /etc/passwd | grep -q '^root:'"
rm -f /var/run/wireguard/h17-link.sock

check "down --lab $one" "$H" down --lab $one
check "lab $two's sockets are still there and answer" all_live "$b"
check "lab $two still carries pings" ip netns exec $two-home-laptop ping -c1 -W2 172.31.9.200
check "down --lab $two" "$H" down --lab $two
