# harness walkthrough runs to completion, in both modes, and writes its captures and page.
tmp=$(mktemp -d)
lab_down
check "walkthrough --no-pause brings up its own lab and completes" \
	sh -c "'$H' walkthrough --no-pause --captures '$tmp' --html '$tmp/walk.html' > '$tmp/out' 2>&1"
check "...and takes that lab down again" test ! -e "/run/netns/$(ns home-laptop)"
check "it shows all six hops" test "$(grep -c '^-- hop [1-6] of 6' "$tmp/out")" = 6
check "it tells the encapsulation, the NAT and the TTL apart" \
	sh -c "grep -q 'encapsulation added' '$tmp/out' && grep -q 'NAT rewrote the outer source: 192.168.1.192' '$tmp/out' && grep -q 'inner TTL 64 -> 63' '$tmp/out' && grep -q 'encapsulation removed' '$tmp/out'"
check "it does the arithmetic: 62 + 8 + 20 = 90" grep -q "62 (the ping) + 8 (UDP) + 20 (outer IPv4) = 90 bytes" "$tmp/out"
check "it follows the reply back" grep -q "home-laptop:tun0 .*echo-reply" "$tmp/out"
check "each hop's capture is written and readable" \
	sh -c "[ \$(ls '$tmp'/walkthrough-*.pcap | wc -l) = 6 ] && tshark -r '$tmp/walkthrough-3-home-router-wan.pcap' 2>/dev/null | grep -q 198.51.100.2"
check "the HTML page is self-contained (no http)" sh -c "grep -q '<h2>Hop 6 of 6' '$tmp/walk.html' && ! grep -qi 'http' '$tmp/walk.html'"
lab_up --mode pi
check "walkthrough --mode pi on a pi lab shows the 4 bytes" \
	sh -c "'$H' walkthrough --no-pause --mode pi --captures '$tmp' | grep -q '62 (the ping) + 4 (PI header) + 8 (UDP) + 20 (outer IPv4) = 94 bytes: the tunnel costs 32'"
refuse "walkthrough --mode plaintext on a pi lab says so" "runs pi mode" "$H" walkthrough --no-pause --mode plaintext --captures "$tmp"
refuse "walkthrough: a mode that does not exist yet" "--mode 'encrypted'" "$H" walkthrough --mode encrypted
lab_down
rm -rf "$tmp"
