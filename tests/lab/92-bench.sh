# harness bench --quick --peers: every path moves data, the other projects'
# tunnels included (make test installs them), at rates that hold against
# the bare path measured in the same run; and the labs it built are gone
# afterwards.
#
# Floors are fractions of figures measured in the same run, so a slow or
# busy machine moves both sides.  Against bare they sit well under what
# docs/bench.md records (single-stream TCP: plaintext 19 to 35% of bare,
# encrypted 6.3 to 10%; wireguard-go, OpenVPN, fastd and quicktun 1.5 to
# 4.2%; 64-byte UDP: ours 21 to 47%, theirs 11 to 36%).  But on a busy
# machine bare falls further than the tunnels do (3.1 Gbit/s with plaintext
# at 54% of it, in one run), so bare alone cannot tell a tunnel that stopped
# batching.  Tunnels that never batch can: quicktun, one read and one write
# per packet, and wireguard-go.  Ours moved 8.2 to 9.1 times quicktun
# (plaintext) and 5.4 to 6.8 times wireguard-go (encrypted); before the
# offloads, one packet per read or write, encrypted was 1.6 times
# wireguard-go.  So plaintext must move twice quicktun's TCP, and encrypted
# 2.5 times wireguard-go's: a quarter and under half of what they do.
lab_down
"$H" bench --quick --peers --json > /tmp/bench.$$ 2>&1
rc=$?
check "bench --quick --peers ran (exit $rc)" test "$rc" = 0
check_schema bench /tmp/bench.$$ "--quick --peers"
check "--quick gives no goals: it measures no speed" grep -q "\"goals\":\[\]" /tmp/bench.$$

# fig PATH KEY: a figure of one path in /tmp/bench.$$.
fig() {
	grep -o "{\"path\":\"$1\"[^}]*}" /tmp/bench.$$ | grep -o "\"$2\":[-0-9.]*" | cut -d: -f2
}
# at_least V MIN: V is a number, and not under MIN.  in_range V LO HI: from
# LO to HI; between V LO HI: over LO and under HI.
at_least() { awk -v v="$1" -v m="$2" 'BEGIN { exit !(v != "" && v + 0 == v && v >= m) }'; }
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 == v && v >= lo && v <= hi) }'; }
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 == v && v > lo && v < hi) }'; }
# share PATH KEY: the path's figure as a percentage of bare's.
share() {
	awk -v v="$(fig "$1" "$2")" -v b="$(fig bare "$2")" 'BEGIN { if (v != "" && b > 0) printf "%.1f", 100 * v / b }'
}

# bare_and_tunnels TOPOLOGY PATH...: the checks of one run's figures.
# Floors: TCP single stream and 64-byte UDP, as a percentage of bare.
tcp_floor() { case "$1" in plaintext) echo 10 ;; encrypted) echo 4 ;; *) echo 0.5 ;; esac; }
udp_floor() { case "$1" in plaintext | encrypted) echo 10 ;; *) echo 4 ;; esac; }
bare_and_tunnels() {
	local topo=$1 path t u
	shift
	# The base the floors stand on: a veth path moves gigabits.
	check "$topo, bare: TCP moves at least 1 Gbit/s ($(fig bare tcp1_up_bps) bit/s)" \
		at_least "$(fig bare tcp1_up_bps)" 1e9
	[ "$topo" = lab ] && check "$topo, bare: 64-byte UDP at least 10 kpps ($(fig bare udp64_pps) pps)" \
		at_least "$(fig bare udp64_pps)" 10000
	for path in "$@"; do
		t=$(tcp_floor "$path")
		u=$(udp_floor "$path")
		check "$topo, $path: TCP at least $t% of bare ($(share "$path" tcp1_up_bps)%)" \
			at_least "$(share "$path" tcp1_up_bps)" "$t"
		[ "$topo" = pair ] && continue
		check "$topo, $path: 64-byte UDP at least $u% of bare ($(share "$path" udp64_pps)%)" \
			at_least "$(share "$path" udp64_pps)" "$u"
		# A ping that crosses the tunnel takes longer than one that does not.
		check "$topo, $path: pings cross the tunnel: slower than bare by 0 to 50 ms ($(fig "$path" rtt_added_ms) ms)" \
			between "$(fig "$path" rtt_added_ms)" 0 50
		check "$path: the tunnels' CPU was read: 0 to 200 s per GB ($(fig "$path" cpu_seconds_per_gb))" \
			between "$(fig "$path" cpu_seconds_per_gb)" 0 200
		check "$path: and their memory: 1 to 256 MiB ($(fig "$path" peak_rss_bytes) bytes)" \
			in_range "$(fig "$path" peak_rss_bytes)" 1048576 268435456
	done
}
bare_and_tunnels lab plaintext encrypted wireguard-go openvpn fastd quicktun
# times A B: A's single-stream TCP over B's.
times() {
	awk -v a="$(fig "$1" tcp1_up_bps)" -v b="$(fig "$2" tcp1_up_bps)" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b }'
}
check "lab, plaintext: TCP at least 2x quicktun's, which never batches ($(times plaintext quicktun)x)" \
	at_least "$(times plaintext quicktun)" 2
check "lab, encrypted: TCP at least 2.5x wireguard-go's ($(times encrypted wireguard-go)x)" \
	at_least "$(times encrypted wireguard-go)" 2.5
check "no benchmark lab is left" sh -c "! ls /run/tunlab 2>/dev/null | grep -q '^$LAB-'"
check "no namespace of theirs either" sh -c "! ip netns list | grep -q '^$LAB-[epwofq]-'"
refuse "bench refuses an unknown path" "--paths: 'fast'" "$H" bench --paths bare,fast
refuse "bench refuses --rounds 0" "--rounds '0'" "$H" bench --rounds 0
refuse "up --peer openvpn refuses our modes" "runs its own protocol" "$H" up --peer openvpn --mode plaintext
refuse "up --peer fastd refuses --clients" "runs its own protocol" "$H" up --peer fastd --clients 3
refuse "up refuses an unknown peer" "--peer 'tinc' is not a peer" "$H" up --peer tinc
# Each other project's lab is up only when it carries packets: the map's
# first "Try:" ping, sent at once, gets every reply (OpenVPN's TLS
# handshake used to be still going, and the first pings were lost).
both_replies() { on home-laptop ping -c2 -i0.2 -W1 172.31.9.200 | grep -q ' 2 received'; }
for peer in openvpn fastd quicktun; do
	lab_down
	if "$H" up --peer "$peer" >/dev/null 2>&1; then
		check "up --peer $peer: a ping sent as soon as up returns gets both replies" both_replies
	else
		fail "up --peer $peer" "harness up failed"
	fi
done
lab_down
rm -f /tmp/bench.$$

# The pair: internet to office-server, one link, the tunnels' own cost.
"$H" bench --quick --json --topology pair > /tmp/bench.$$ 2>&1
rc=$?
check "bench --quick --topology pair ran (exit $rc)" test "$rc" = 0
check_schema bench /tmp/bench.$$ "--quick --topology pair"
bare_and_tunnels pair plaintext encrypted
check "the pair's lab is gone too" sh -c "! ls /run/tunlab 2>/dev/null | grep -q '^$LAB-'"
refuse "bench refuses an unknown topology" "--topology 'ring'" "$H" bench --topology ring
rm -f /tmp/bench.$$

# The table as a reader sees it: every cell, a '-' as much as a number, ends
# under the end of its header, so every row is as long as the header row;
# and the progress says that bare rides on the encrypted lab.
"$H" bench --quick --paths bare,encrypted > /tmp/bench.$$ 2>&1
rc=$?
check "bench --quick --paths bare,encrypted ran (exit $rc)" test "$rc" = 0
check "its progress says bare rides on lab $LAB-e" grep -q "bringing up lab $LAB-e (bare rides on it)" /tmp/bench.$$
check "every row of its table is as long as the header: $(awk '/^path /,/^$/ { printf "%d ", length($0) }' /tmp/bench.$$)" \
	awk '/^path / { w = length($0) } /^$/ { w = 0 } w && /^(bare|encrypted) / { n++; if (length($0) != w) bad = 1 } END { exit bad || n != 2 }' /tmp/bench.$$
check "and bare's row ends in dashes, one under each of +RTT, CPU and RSS" grep -Eq '^bare .* +- +- +-$' /tmp/bench.$$
rm -f /tmp/bench.$$
