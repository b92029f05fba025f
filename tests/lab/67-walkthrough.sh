# harness walkthrough in every mode: encrypted (the default lab), plaintext
# and pi.  The numbers it shows are checked against the packets themselves
# (tshark reads the same captures), the page is rendered by a real browser,
# and the tracked captures/ are never written.
tmp=$(mktemp -d)
# hop N FILE: the walk's text for hop N of 6.
hop() { sed -n "/^-- hop $1 of 6/,/^-- hop $(($1 + 1)) of 6\|^And back/p" "$2"; }
# browser ARGS... FILE: headless chromium on a local file, nothing from the network.
browser() {
	local profile
	profile=$(mktemp -d)
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" "$@" 2>/dev/null
	rm -rf "$profile"
}
pages() { grep -ao '/Count [0-9]*' "$1" | awk '{ print $2 }' | sort -n | tail -n 1; }
captures_state() { git status --porcelain -- captures/; sha256sum captures/* 2>/dev/null; }
before=$(captures_state)

# ---- encrypted: the default lab, brought up by the walk itself ----
lab_down
check "walkthrough --size 84 --handshake walks the default lab, which is encrypted" \
	sh -c "'$H' walkthrough --no-pause --size 84 --handshake --html '$tmp/enc.html' > '$tmp/enc' 2>&1"
check "...and takes that lab down again" test ! -e "/run/netns/$(ns home-laptop)"
check "it says encrypted mode and shows all six hops" \
	sh -c "grep -q 'encrypted mode, 84 bytes' '$tmp/enc' && [ \$(grep -c '^-- hop [1-6] of 6' '$tmp/enc') = 6 ] && ! grep -q 'not seen' '$tmp/enc'"
check "walkthrough --html says where it wrote the page" grep -qxF "Wrote $tmp/enc.html" "$tmp/enc"
check "...and no hop header ends in a blank" sh -c "! grep -q '^-- hop .* $' '$tmp/enc'"
dir=$(sed -n 's|^Each hop.s capture is in \(/tmp/tunlab-walk-[^/]*\)/walkthrough.*|\1|p' "$tmp/enc")
check "without --captures the captures go to a new directory under /tmp" \
	test -n "$dir" -a "$(ls "$dir"/walkthrough-*.pcap 2>/dev/null | wc -l)" = 6
check "captures/ is untouched (git status and every file's hash)" test "$(captures_state)" = "$before"
# What tshark's own WireGuard dissector reads in the laptop's capture: the ping is the
# 156-byte transport message to the server.
wg=$(tshark -r "$dir/walkthrough-2-home-laptop-eth0.pcap" -d udp.port==1234,wg -Y 'wg.type == 4 && ip.len == 156 && ip.dst == 203.0.113.10' \
	-T fields -e wg.receiver -e wg.counter 2>/dev/null | head -n 1)
recv=$(printf '%s' "$wg" | cut -f1)
counter=$(printf '%s' "$wg" | cut -f2)
hop 2 "$tmp/enc" > "$tmp/enc2"
check "hop 2 shows the WireGuard header field by field: type 4 and 3 reserved bytes" \
	sh -c "grep -qE '^ +28 +type +4 \(transport data\)$' '$tmp/enc2' && grep -qE '^ +29 +reserved +00 00 00$' '$tmp/enc2'"
check "...the receiver index tshark reads ($recv)" \
	sh -c "[ -n '$recv' ] && grep -qE '^ +32 +receiver index +$recv$' '$tmp/enc2'"
check "...and the 64-bit counter tshark reads ($counter)" \
	sh -c "[ -n '$counter' ] && grep -qE '^ +36 +counter +$counter$' '$tmp/enc2'"
check "...then the encrypted packet (84), the padding (12) and the 16-byte tag" \
	sh -c "grep -q '44-127   encrypted packet (84 bytes)' '$tmp/enc2' && grep -q '128-139   padding (12 bytes)' '$tmp/enc2' && grep -q '140-155   tag (16 bytes)' '$tmp/enc2'"
check "the arithmetic, read from the packet: 84 -> 96 (padded) + 16 + 16 = 128, + 8 + 20 = 156" \
	test "$(grep -c '84 (the ping) -> 96 (padded) + 16 + 16 = 128, + 8 + 20 = 156 bytes' "$tmp/enc")" = 3
check "the ping's session is the handshake's: the receiver index is the response's sender index" \
	sh -c "sed -n '/handshake response/,/^-- hop 1/p' '$tmp/enc' | grep -qE '^ +32 +sender index +$recv$'"
check "the packet inside, opened with the session keys: 172.31.255.7 to 172.31.9.200, type 8" \
	sh -c "sed -n '/Opened with/,\$p' '$tmp/enc2' | grep -qE '^ +12 +source +172.31.255.7$' && sed -n '/Opened with/,\$p' '$tmp/enc2' | grep -qE '^ +16 +destination +172.31.9.200$' && sed -n '/Opened with/,\$p' '$tmp/enc2' | grep -qE '^ +20 +type, code +8, 0$'"
check "the NAT shows at hop 3, outside the sealed packet" \
	grep -q 'NAT rewrote the outer source: 192.168.1.192' "$tmp/enc"
check "the reply comes back sealed, and opened" \
	sh -c "grep -qE '^  home-router:wan .*WireGuard transport receiver 0x[0-9a-f]{8} counter [0-9]+ \| opened: .*echo-reply' '$tmp/enc'"
check "--handshake: the initiation is 148 bytes of WireGuard, the response 92" \
	sh -c "grep -q 'size: 148 (WireGuard initiation) + 8 (UDP) + 20 (outer IPv4) = 176 bytes' '$tmp/enc' && grep -q 'size: 92 (WireGuard response) + 8 (UDP) + 20 (outer IPv4) = 120 bytes' '$tmp/enc'"
check "...as tshark reads them too (udp length 156 and 100)" \
	test "$(tshark -r "$dir/walkthrough-2-home-laptop-eth0.pcap" -d udp.port==1234,wg -Y 'wg.type == 1 || wg.type == 2' -T fields -e wg.type -e udp.length 2>/dev/null | head -n 2 | tr '\t\n' ':,')" = "1:156,2:100,"
check "...field by field, saying what each proves" \
	sh -c "grep -qE '^ +68 +encrypted static +.*\(48 bytes\)$' '$tmp/enc' && grep -qE '^ +116 +encrypted timestamp +.*\(28 bytes\)$' '$tmp/enc' && grep -qE '^ +72 +encrypted nothing +.*\(16 bytes\)$' '$tmp/enc' && grep -q 'replayed is' '$tmp/enc' && grep -q 'holds its static private key' '$tmp/enc'"

# The page, as a browser renders it.
browser --dump-dom "file://$tmp/enc.html" > "$tmp/enc.dom"
check "chromium renders the encrypted page: WireGuard, ciphertext, padding and tag layers" \
	sh -c "grep -q '<div class=\"layer wg\"><b>WireGuard transport</b>' '$tmp/enc.dom' && grep -q '<div class=\"layer sealed\"><b>encrypted packet</b>' '$tmp/enc.dom' && grep -q '<div class=\"layer padding\"><b>padding</b>' '$tmp/enc.dom' && grep -q '<div class=\"layer tag\"><b>tag</b>' '$tmp/enc.dom' && grep -q '<div class=\"layer wg\"><b>WireGuard initiation</b>' '$tmp/enc.dom'"
check "...the hex, coloured by layer: the type byte 04 as WireGuard" \
	grep -q '<span class="wg">04</span> <span class="wg">00</span>' "$tmp/enc.dom"
check "...with an ASCII column where the greeting reads" \
	grep -q '<span class="ascii">o, office-host! </span>' "$tmp/enc.dom"
check "...the opened packet beside the ciphertext" \
	sh -c "grep -o 'Opened with the session key</h3><div class=\"stack\"><div class=\"layer inner\"><b>IPv4</b>[^!]*<td>source</td><td>172.31.255.7</td>' '$tmp/enc.dom' | grep -q ."
check "...the fields that changed since the hop before marked (the NAT's source)" \
	sh -c "grep -o '<tr class=\"changed\">[^/]*</td><td>source</td><td>198.51.100.2' '$tmp/enc.dom' | grep -q ."
check "...and the reply's way back" \
	sh -c "grep -q '<h2>And back</h2>' '$tmp/enc.dom' && [ \$(grep -oE '<tr><td><code>[a-z-]+:[a-z0-9]+</code></td><td>IPv4 [0-9]+ (ICMP|UDP)' '$tmp/enc.dom' | wc -l) = 6 ]"
browser --window-size=1280,2000 --screenshot="$tmp/enc.png" "file://$tmp/enc.html" > /dev/null
check "...and a screenshot of it is a real picture" \
	sh -c "file '$tmp/enc.png' | grep -q 'PNG image data, 1280 x 2000' && [ \$(stat -c %s '$tmp/enc.png') -gt 50000 ]"
[ -n "${WALK_KEEP:-}" ] && cp "$tmp/enc.png" "$tmp/enc.html" "$WALK_KEEP"/

# A lab already up the way make lab brings it up, walked with the default 62-byte ping.
"$H" up >/dev/null 2>&1 || "$H" up
check "on a lab up by default (encrypted), walkthrough with no --mode walks it" \
	sh -c "'$H' walkthrough --no-pause --captures '$tmp/def' > '$tmp/def.out' 2>&1 && grep -q 'encrypted mode, 62 bytes' '$tmp/def.out'"
check "...62 -> 64 (padded) + 16 + 16 = 96, + 8 + 20 = 124 at each outer hop" \
	test "$(grep -c '62 (the ping) -> 64 (padded) + 16 + 16 = 96, + 8 + 20 = 124 bytes' "$tmp/def.out")" = 3
lab_down

# ---- plaintext ----
lab_up --mode plaintext
check "walkthrough --mode plaintext --captures DIR completes" \
	sh -c "'$H' walkthrough --no-pause --mode plaintext --captures '$tmp/plain' --html '$tmp/plain.html' > '$tmp/out' 2>&1"
check "it shows all six hops" test "$(grep -c '^-- hop [1-6] of 6' "$tmp/out")" = 6
check "it tells the encapsulation, the NAT and the TTL apart" \
	sh -c "grep -q 'encapsulation added' '$tmp/out' && grep -q 'NAT rewrote the outer source: 192.168.1.192' '$tmp/out' && grep -q 'inner TTL 64 -> 63' '$tmp/out' && grep -q 'encapsulation removed' '$tmp/out'"
check "it does the arithmetic: 62 + 8 + 20 = 90" grep -q "62 (the ping) + 8 (UDP) + 20 (outer IPv4) = 90 bytes" "$tmp/out"
check "it follows the reply back" grep -q "home-laptop:tun0 .*echo-reply" "$tmp/out"
check "--captures DIR: each hop's capture is written there and readable" \
	sh -c "[ \$(ls '$tmp/plain'/walkthrough-*.pcap | wc -l) = 6 ] && tshark -r '$tmp/plain/walkthrough-3-home-router-wan.pcap' 2>/dev/null | grep -q 198.51.100.2"
check "...and captures/ is still untouched" test "$(captures_state)" = "$before"
check "the HTML page is self-contained (no http)" sh -c "grep -q '<h2>Hop 6 of 6' '$tmp/plain.html' && ! grep -qi 'http' '$tmp/plain.html'"
browser --dump-dom "file://$tmp/plain.html" > "$tmp/plain.dom"
check "chromium renders the plaintext page: outer, UDP and inner layers, and the hex" \
	sh -c "grep -q '<b>outer IPv4</b>' '$tmp/plain.dom' && grep -q '<b>inner IPv4</b>' '$tmp/plain.dom' && grep -q '<span class=\"outer\">45</span>' '$tmp/plain.dom' && grep -q '<span class=\"inner\">45</span>' '$tmp/plain.dom'"
browser --print-to-pdf="$tmp/plain.pdf" --no-pdf-header-footer "file://$tmp/plain.html" > /dev/null
check "printed for slides, each hop is a page of its own (6 hops and the way back: 7)" \
	test "$(pages "$tmp/plain.pdf")" = 7
mkdir "$tmp/sym"
echo "precious" > "$tmp/victim"
ln -s "$tmp/victim" "$tmp/sym/walkthrough-1-home-laptop-tun0.pcap"
refuse "a symlink planted where a capture goes is not followed" "symbolic link" \
	"$H" walkthrough --no-pause --mode plaintext --captures "$tmp/sym"
check "...and the file it points to is intact" test "$(cat "$tmp/victim")" = precious
ln -s "$tmp/victim" "$tmp/page.html"
refuse "nor one planted where the page goes" "cannot write .*page.html" \
	"$H" walkthrough --no-pause --mode plaintext --captures "$tmp/plain" --html "$tmp/page.html"
check "...which is intact too" test "$(cat "$tmp/victim")" = precious
refuse "--handshake on a plaintext lab says there is none" "no handshake" \
	"$H" walkthrough --no-pause --handshake --captures "$tmp/plain"

# ---- pi ----
lab_down
lab_up --mode pi
check "walkthrough --mode pi on a pi lab shows the 4 bytes" \
	sh -c "'$H' walkthrough --no-pause --mode pi --captures '$tmp/pi' | grep -q '62 (the ping) + 4 (PI header) + 8 (UDP) + 20 (outer IPv4) = 94 bytes: the tunnel costs 32'"
refuse "walkthrough --mode plaintext on a pi lab says so" "runs pi mode" "$H" walkthrough --no-pause --mode plaintext --captures "$tmp/pi"
refuse "walkthrough --mode encrypted on a pi lab says so" "runs pi mode" "$H" walkthrough --no-pause --mode encrypted --captures "$tmp/pi"
refuse "walkthrough: a mode that does not exist" "--mode 'gre' is not encrypted, plaintext or pi" "$H" walkthrough --mode gre
refuse "walkthrough: a ping too small for its greeting" "--size '40' is not a number from 62 to 1400" "$H" walkthrough --size 40
check "captures/ is untouched after every walk" test "$(captures_state)" = "$before"
lab_down
rm -rf "$tmp" "$dir"
