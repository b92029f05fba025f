# harness bench --quick --peers: every path moves data, the other projects'
# tunnels included (make test installs them), and the labs it built are
# gone afterwards.  Speed is for the benchmark itself, not for this test.
lab_down
"$H" bench --quick --peers --json > /tmp/bench.$$ 2>&1
rc=$?
check "bench --quick --peers ran (exit $rc)" test "$rc" = 0
for path in bare plaintext encrypted wireguard-go openvpn fastd quicktun; do
	line=$(grep -o "{\"path\":\"$path\"[^}]*}" /tmp/bench.$$)
	fig() { printf '%s' "$line" | grep -o "\"$1\":[0-9.]*" | cut -d: -f2; }
	check "$path: TCP moved data ($(fig tcp1_up_bps) bit/s)" awk -v v="$(fig tcp1_up_bps)" 'BEGIN { exit !(v > 0) }'
	check "$path: 64-byte UDP was delivered ($(fig udp64_pps) pps)" awk -v v="$(fig udp64_pps)" 'BEGIN { exit !(v > 0) }'
	check "$path: pings came back ($(fig rtt_median_ms) ms)" awk -v v="$(fig rtt_median_ms)" 'BEGIN { exit !(v > 0) }'
	if [ $path != bare ]; then
		check "$path: the tunnels' CPU and memory were read" \
			sh -c "printf '%s' '$line' | grep -q cpu_seconds_per_gb && printf '%s' '$line' | grep -q peak_rss_bytes"
	fi
done
check "no benchmark lab is left" sh -c "! ls /run/tunlab 2>/dev/null | grep -q '^$LAB-'"
check "no namespace of theirs either" sh -c "! ip netns list | grep -q '^$LAB-[epwofq]-'"
refuse "bench refuses an unknown path" "--paths: 'fast'" "$H" bench --paths bare,fast
refuse "bench refuses --rounds 0" "--rounds '0'" "$H" bench --rounds 0
refuse "up --peer openvpn refuses our modes" "runs its own protocol" "$H" up --peer openvpn --mode plaintext
refuse "up --peer fastd refuses --clients" "runs its own protocol" "$H" up --peer fastd --clients 3
refuse "up refuses an unknown peer" "--peer 'tinc' is not a peer" "$H" up --peer tinc
rm -f /tmp/bench.$$

# The pair: internet to office-server, one link, the tunnels' own cost.
"$H" bench --quick --json --topology pair > /tmp/bench.$$ 2>&1
rc=$?
check "bench --quick --topology pair ran (exit $rc)" test "$rc" = 0
for path in bare plaintext encrypted; do
	line=$(grep -o "{\"path\":\"$path\"[^}]*}" /tmp/bench.$$)
	v=$(printf '%s' "$line" | grep -o '"tcp1_up_bps":[0-9.]*' | cut -d: -f2)
	check "pair, $path: TCP moved data ($v bit/s)" awk -v v="$v" 'BEGIN { exit !(v > 0) }'
done
check "the pair's lab is gone too" sh -c "! ls /run/tunlab 2>/dev/null | grep -q '^$LAB-'"
refuse "bench refuses an unknown topology" "--topology 'ring'" "$H" bench --topology ring
rm -f /tmp/bench.$$
