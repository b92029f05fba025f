# -v decodes every packet; SIGUSR1 prints counters; SIGTERM stops cleanly with a summary.
lab_down # each file brings up its own lab, whatever ran before it
check "up" lab_up
tmp=$(mktemp -d)
ip netns exec "$(ns office-server)" "$T" --listen --port 1299 --dev tunx --addr 172.31.254.1/30 > "$tmp/server" 2>&1 &
srv=$!
for _ in $(seq 100); do grep -q "waiting for a client" "$tmp/server" && break; sleep 0.02; done
ip netns exec "$(ns home-laptop)" "$T" --server 203.0.113.10:1299 --dev tunx --addr 172.31.254.2/30 -v > "$tmp/client" 2>&1 &
cli=$!
# Whatever the checks say, these two do not outlive the test.
stop_pair() { kill "$srv" "$cli" 2>/dev/null; }
trap 'stop_pair; "$H" down --lab "$LAB" >/dev/null 2>&1' EXIT
for _ in $(seq 100); do on home-laptop ip link show tunx >/dev/null 2>&1 && grep -q "tunx: up" "$tmp/client" && break; sleep 0.02; done
check "a second tunnel pair on port 1299 carries a ping" on home-laptop ping -c2 -i0.2 -W2 172.31.254.1
check "-v logs the echo request, decoded" grep -qE "send .*IPv4 84 ICMP 172\.31\.254\.2 → 172\.31\.254\.1 echo-request id=[0-9]+ seq=1" "$tmp/client"
check "-v logs the echo reply, decoded" grep -qE "recv +203\.0\.113\.10:1299 +IPv4 84 ICMP 172\.31\.254\.1 → 172\.31\.254\.2 echo-reply" "$tmp/client"
check "the start-up output shows the MTU arithmetic" grep -q "1500 (underlay) - 20 (outer IPv4) - 8 (UDP) = 1472" "$tmp/client"
kill -USR1 $srv
sleep 0.2
check "SIGUSR1 prints the counters" grep -qE "^counters" "$tmp/server"
# The plaintext drop reasons are printed always, each on its own line.
for reason in truncated not_ip too_big no_peer stranger io_error; do
	check "...with the drop reason $reason" \
		sh -c "sed -n '/^counters/,\$p' '$tmp/server' | grep -qE '^ +$reason +[0-9]+\$'"
done
kill -TERM $srv $cli
wait $srv
rc_srv=$?
wait $cli
rc_cli=$?
check "SIGTERM ends the server with status 0" test "$rc_srv" -eq 0
check "SIGTERM ends the client with status 0" test "$rc_cli" -eq 0
check "...and prints a summary" grep -q "^summary" "$tmp/client"
check "...and the device is gone" lacks ': tunx[:@]' on home-laptop ip -o link show
check "...and so is its route" lacks '172\.31\.254\.' on home-laptop ip route show
rm -rf "$tmp"
trap '"$H" down --lab "$LAB" >/dev/null 2>&1' EXIT
lab_down
