# harness capture and harness check: live captures, pcap files, and proof
# that the tunnel encapsulates correctly, and that every break is caught.
tmp=$(mktemp -d)
lab_down
lab_up

"$H" capture home-router:wan udp port 1234 -c 4 -w "$tmp/wan.pcap" > "$tmp/live" 2> "$tmp/summary" &
cap=$!
wait_for_capture "$tmp/summary"
on home-laptop ping -c2 -i0.2 172.31.9.200 > /dev/null
wait $cap
check "capture stops after -c 4 and says what it caught" grep -q "captured 4 packets: 4 on home-router:wan" "$tmp/summary"
check "the live decode shows the tunnel datagram and the ping inside it" \
	grep -qE "home-router:wan +IPv4 112 UDP 198\.51\.100\.2 → 203\.0\.113\.10 [0-9]+ → 1234 .*\| inner IPv4 84 ICMP 172\.31\.255\.7 → 172\.31\.9\.200 echo-request" "$tmp/live"
check "the pcap file opens in tshark, 4 packets" sh -c "[ \$(tshark -r '$tmp/wan.pcap' 2>/dev/null | wc -l) = 4 ]"
"$H" capture home-laptop:all -d 1 -q -w "$tmp/lap" 2>"$tmp/lapcap" &
cap=$!
wait_for_capture "$tmp/lapcap"
on home-laptop ping -c1 172.31.9.200 > /dev/null
wait $cap
check "NODE:all writes one file per interface (Ethernet and raw IP)" \
	sh -c "tshark -r '$tmp/lap-home-laptop-eth0.pcap' 2>/dev/null | grep -q UDP && tshark -r '$tmp/lap-home-laptop-tun0.pcap' 2>/dev/null | grep -q ICMP"
# ARP is written to the file but never shown: the summary's parts add up to its total.
on home-router ip neigh flush dev wan
"$H" capture home-router:wan -d 1.5 -w "$tmp/arp.pcap" >/dev/null 2>"$tmp/arpcap" &
cap=$!
wait_for_capture "$tmp/arpcap"
on home-laptop ping -c1 -W1 172.31.9.200 > /dev/null
wait $cap
shown=$(sed -n 's/^captured \([0-9]*\) packets\{0,1\}: \([0-9]*\) on home-router:wan.*/\1 \2/p' "$tmp/arpcap")
check "capture's summary: the packets on home-router:wan add up to the total ($shown)" \
	sh -c "set -- $shown; [ \"\$1\" -ge 2 ] && [ \"\$1\" = \"\$2\" ]"
check "...and it names the ARP frames it wrote but did not show" \
	grep -qE "; [0-9]+ frames? without IP \(ARP\) not shown, but written" "$tmp/arpcap"
refuse "capture: not NODE:IFACE" "is not NODE:IFACE" "$H" capture wan
refuse "capture: no such interface" "cannot capture on home-router:nope" "$H" capture home-router:nope -c 1
refuse "capture: a bad filter" "bad capture filter" "$H" capture home-router:wan -c 1 "not a filter (("

"$H" check > "$tmp/healthy" 2>&1
check "check passes on a healthy tunnel" test $? = 0
check "...with IPv4 and IPv6 probes, which its header names" grep -q "^check: 18 probes (ICMP, UDP, TCP; IPv4 and IPv6;" "$tmp/healthy"
"$H" check --json > "$tmp/check.json"
check "check --json: 4 passed, 0 failed, 1 skipped" grep -q '"passed":4,"failed":0,"skipped":1}' "$tmp/check.json"
check_schema check "$tmp/check.json" "a healthy tunnel"
"$H" check --json --inject-fault drop > "$tmp/drop.json"
check_schema check "$tmp/drop.json" "a fault caught"
for fault in drop dup truncate fragment; do
	"$H" check --inject-fault $fault > "$tmp/$fault" 2>&1
	rc=$?
	check "check --inject-fault $fault is caught (exit $rc)" sh -c "[ $rc -eq 1 ] && grep -q '^  FAIL' '$tmp/$fault'"
done
check "after the faults the tunnel is healthy again" "$H" check
check "...and the home WAN is back to 1500" sh -c "ip -n $(ns home-router) link show wan | grep -q 'mtu 1500'"
refuse "check: unknown fault" "--inject-fault 'melt'" "$H" check --inject-fault melt
lab_down
lab_up --tun-mtu 1500
"$H" check > "$tmp/wrongmtu" 2>&1
check "check catches a tunnel MTU set too high" grep -q "^  FAIL  each inner packet" "$tmp/wrongmtu"
lab_down
# cgnat.yml carries no IPv6 inside its tunnel: check sends IPv4 only, and says so.
lab_up labs/cgnat.yml
"$H" check > "$tmp/cgnat" 2>&1
check "check passes on cgnat.yml's tunnel" test $? = 0
check "...with 9 IPv4 probes, and its header claims no IPv6" grep -q "^check: 9 probes (ICMP, UDP, TCP; IPv4 only;" "$tmp/cgnat"
lab_down
rm -rf "$tmp"
