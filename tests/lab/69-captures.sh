# make captures: the reference captures are made anew, and the Lua
# dissector labels the tunnel datagrams in them.
tmp=$(mktemp -d)
lab_down
check "scripts/make-captures.sh writes every reference capture" \
	env CAPTURES_DIR="$tmp" TUNLAB_LAB="$LAB" scripts/make-captures.sh
for f in plaintext-ping pi-ping nat-home-router-lan nat-home-router-wan fragmented black-hole; do
	check "$f.pcap was written" test -s "$tmp/$f.pcap"
done
lua() { tshark -X lua_script:scripts/tunlab.lua -r "$1" -T fields -e tunlab.mode -e ip.src 2>/dev/null | head -n 1; }
check "the dissector labels plaintext mode, outer and inner sources" \
	test "$(lua "$tmp/plaintext-ping.pcap")" = "plaintext	198.51.100.2,172.31.255.7"
check "the dissector labels PI mode" test "$(lua "$tmp/pi-ping.pcap" | cut -f1)" = pi
check "...and on the committed captures too" test "$(lua captures/pi-ping.pcap | cut -f1)" = pi
check "the NAT capture pair shows the rewrite" \
	test "$(lua "$tmp/nat-home-router-lan.pcap" | cut -f2 | cut -d, -f1):$(lua "$tmp/nat-home-router-wan.pcap" | cut -f2 | cut -d, -f1)" = "192.168.1.192:198.51.100.2"
check "the fragmented capture holds IP fragments" \
	sh -c "tshark -r '$tmp/fragmented.pcap' 2>/dev/null | grep -q 'Fragmented IP protocol'"
check "the black hole has requests and no reply" \
	sh -c "tshark -X lua_script:scripts/tunlab.lua -r '$tmp/black-hole.pcap' 2>/dev/null | grep -q 'request' && ! tshark -X lua_script:scripts/tunlab.lua -r '$tmp/black-hole.pcap' 2>/dev/null | grep -q 'reply'"
# Encrypted: noise without the keys; with the keylog, the analyser's own
# WireGuard dissector finds the handshake and the pings inside.
wgdec() { tshark -r "$1" -o "wg.keylog_file:$2" -o wg.dissect_packet:TRUE -Y icmp 2>/dev/null | grep -c 'Echo (ping)'; }
for dir in "$tmp" captures; do
	check "$dir/encrypted-ping.pcap starts with the handshake" \
		sh -c "tshark -r '$dir/encrypted-ping.pcap' 2>/dev/null | head -n 2 | tr '\n' ' ' | grep -q 'Handshake Initiation.*Handshake Response'"
	check "...shows no ICMP without its keys" test "$(tshark -r "$dir/encrypted-ping.pcap" -Y icmp 2>/dev/null | grep -c .)" = 0
	check "...and decrypts with encrypted-ping.keys to 2 requests and 2 replies" \
		test "$(wgdec "$dir/encrypted-ping.pcap" "$dir/encrypted-ping.keys")" = 4
done
rm -rf "$tmp"
