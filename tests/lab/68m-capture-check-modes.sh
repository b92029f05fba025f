# harness capture and harness check in every wire mode (encrypted,
# plaintext, pi): capture names what a tunnel datagram carries, opens
# WireGuard data with the lab's keys, leaves IPv6 chatter out unless --all
# and prints every interface in time order; check passes on a clean lab,
# fails for each injected fault, and leaves the lab as it found it.
tmp=$(mktemp -d)

# Timestamps (the first column) never below zero and never going back.
in_time_order() {
	awk '$1 ~ /^[0-9.-]+$/ { if ($1 < 0 || $1 < prev) { print "line " NR ": " $0; bad = 1 } prev = $1 }
	     END { exit bad }' "$1"
}

# Which property each fault must break, by the start of its name.
fault_breaks() {
	case $1 in
	drop | dup | truncate) echo "each inner packet left as one datagram" ;;
	fragment) echo "no outer packet was fragmented" ;;
	esac
}

chatter='ICMPv6 .* (type=(130|131|132|143)|router-solicit)'

for mode in ${TUNLAB_TEST_MODES:-encrypted plaintext pi}; do
	echo "-- $mode mode"
	lab_down
	# No keepalive: in a fresh encrypted lab, the first ping makes the handshake.
	if [ $mode = encrypted ]; then lab_up --mode encrypted --keepalive 0; else lab_up --mode $mode; fi
	mtu=$(stat_of home-laptop mtu)

	# Two captures at once, while the lab is fresh and its kernels still chatter.
	"$H" capture all --all -d 3 > "$tmp/all.$mode" 2> "$tmp/all.err" &
	capall=$!
	"$H" capture all -d 3 > "$tmp/cap.$mode" 2> "$tmp/cap.err" &
	cap=$!
	wait_for_capture "$tmp/all.err"
	wait_for_capture "$tmp/cap.err"
	# A new address joins a new multicast group: the kernel reports it (MLD),
	# on the bare link and, through a plaintext tunnel, inside its datagrams.
	on home-laptop ip addr add fd00:99::99:1234/64 dev tun0 nodad
	on home-laptop ip addr add fd00:98::99:1234/64 dev eth0 nodad
	on home-laptop ping -c2 -i0.3 172.31.9.200 > /dev/null
	wait $cap $capall
	on home-laptop ip addr del fd00:99::99:1234/64 dev tun0
	on home-laptop ip addr del fd00:98::99:1234/64 dev eth0
	wan="home-router:wan +IPv4 [0-9]+ UDP 198\.51\.100\.2 → 203\.0\.113\.10 [0-9]+ → 1234 ttl=63 \|"
	inner="inner IPv4 84 ICMP 172\.31\.255\.7 → 172\.31\.9\.200 echo-request"
	case $mode in
	encrypted)
		check "$mode: capture names the first ping's initiation" \
			grep -qE "$wan WireGuard initiation sender 0x[0-9a-f]{8}$" "$tmp/cap.$mode"
		check "$mode: ...and the response, with both indexes" \
			grep -qE "home-router:wan .* 1234 → [0-9]+ ttl=63 \| WireGuard response sender 0x[0-9a-f]{8} receiver 0x[0-9a-f]{8}$" "$tmp/cap.$mode"
		check "$mode: ...and the transport message, opened with the lab's keys on the same line" \
			grep -qE "$wan WireGuard transport receiver 0x[0-9a-f]{8} counter [0-9]+, 112 sealed \| $inner" "$tmp/cap.$mode"
		check "$mode: every transport message on the path opens" \
			sh -c "! grep -E 'WireGuard transport' '$tmp/cap.$mode' | grep -vE '\| (inner|keepalive)'"
		;;
	plaintext)
		check "$mode: capture shows the ping inside the datagram" grep -qE "$wan $inner" "$tmp/cap.$mode" ;;
	pi)
		check "$mode: capture shows the ping behind its PI header" grep -qE "$wan PI, $inner" "$tmp/cap.$mode" ;;
	esac
	printf 'keys\n' | nc -N -U "/run/tunlab/$LAB/home-laptop.ctl" > "$tmp/keys.$mode" 2>&1
	if [ $mode = encrypted ]; then
		check "$mode: the laptop's tunnel tells its session keys on its control socket" \
			sh -c "grep -qE '^keypair=[0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{64} [0-9a-f]{64}$' '$tmp/keys.$mode' &&
				! grep -qvE '^keypair=' '$tmp/keys.$mode'"
		key=$(head -n 1 "$tmp/keys.$mode" | cut -d' ' -f3)
		check "$mode: ...and never in a log" sh -c "[ -n '$key' ] && ! grep -rqF '$key' /run/tunlab/$LAB/ --include='*.log'"
	else
		check "$mode: a plaintext tunnel refuses 'keys' with one line" \
			sh -c "[ \$(wc -l < '$tmp/keys.$mode') -eq 1 ] && grep -q '^error=no session keys: this tunnel runs $mode mode$' '$tmp/keys.$mode'"
	fi
	check "$mode: no MLD or router solicitation without --all" sh -c "! grep -qE '$chatter' '$tmp/cap.$mode'"
	check "$mode: the summary counts what was left out" grep -qE "MLD or router solicitations? left out \(--all shows them\)" "$tmp/cap.err"
	check "$mode: --all shows the lab's MLD and router solicitations" grep -qE "$chatter" "$tmp/all.$mode"
	check "$mode: capture all's times start at 0 and never go back" in_time_order "$tmp/cap.$mode"
	check "$mode: ...with --all too" in_time_order "$tmp/all.$mode"
	check "$mode: ...and the first line is at 0" sh -c "head -n 1 '$tmp/cap.$mode' | grep -qE '^ +0\.000000 '"

	check "$mode: check passes on a clean lab" "$H" check
	for fault in drop dup truncate fragment; do
		"$H" check --inject-fault $fault > "$tmp/$fault.$mode" 2>&1
		rc=$?
		check "$mode: check --inject-fault $fault fails (exit $rc) naming '$(fault_breaks $fault)'" \
			sh -c "[ $rc -eq 1 ] && grep -q '^  FAIL  $(fault_breaks $fault)' '$tmp/$fault.$mode'"
	done
	if [ "$(stat_of home-laptop fault)" = none ]; then
		pass "$mode: after the faults the laptop's tunnel has none left"
	else
		fail "$mode: after the faults the laptop's tunnel has none left" "fault=$(stat_of home-laptop fault)"
	fi
	"$H" check --json > "$tmp/after.$mode" 2>&1
	check "$mode: the check after the fragment fault runs all 18 probes and passes" \
		grep -q "\"probes\":18,.*\"failed\":0," "$tmp/after.$mode"
	check "$mode: a full-size ($mtu-byte) DF ping crosses the tunnel" \
		on home-laptop ping -M do -s $((mtu - 28)) -c1 -W2 172.31.9.200
	check "$mode: ...over IPv6 too" on home-laptop ping -6 -M do -s $((mtu - 48)) -c1 -W2 fd00:172:31::200

	# Stopped in the middle, check still puts the lab back.
	"$H" check --inject-fault fragment > /dev/null 2>&1 &
	chk=$!
	sleep 0.7
	kill -TERM $chk
	wait $chk
	check "$mode: check stopped by SIGTERM puts the home WAN back to 1500" \
		sh -c "ip -n $(ns home-router) link show wan | grep -q 'mtu 1500'"
	check "$mode: ...and no namespace's kernel remembers a path MTU (IPv4 or IPv6)" \
		sh -c "for n in home-laptop home-router internet office-server office-host; do
				ip -4 -n $LAB-\$n route show cache; ip -6 -n $LAB-\$n route show cache
			done | grep mtu; [ \$? -eq 1 ]"
	check "$mode: ...and the next check passes" "$H" check
done

# Sessions change every second: capture asks for the new keys as new indexes appear.
if [[ " ${TUNLAB_TEST_MODES:-encrypted} " == *" encrypted "* ]]; then
	lab_down
	lab_up --mode encrypted --rekey-after 1
	"$H" capture home-router:wan -d 8 > "$tmp/rekey" 2> "$tmp/rekey.err" &
	cap=$!
	wait_for_capture "$tmp/rekey.err"
	on home-laptop ping -c24 -i0.3 172.31.9.200 > /dev/null
	wait $cap
	receivers=$(grep -oE '1234 ttl=63 \| WireGuard transport receiver 0x[0-9a-f]{8}' "$tmp/rekey" | sort -u | wc -l)
	check "encrypted: capture across rekeys sees several sessions ($receivers receiver indexes)" [ "$receivers" -ge 2 ]
	check "encrypted: ...and opens every transport message of every session" \
		sh -c "grep -q 'WireGuard transport' '$tmp/rekey' && ! grep -E 'WireGuard transport' '$tmp/rekey' | grep -vE '\| (inner|keepalive)'"
fi
lab_down
rm -rf "$tmp"
