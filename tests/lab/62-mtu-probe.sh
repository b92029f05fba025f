# harness mtu-probe in every wire mode, on the default lab and on each broken
# network: the arithmetic's figures, the verdict, the fix, and the fix applied.
# The fix must be a fixpoint: after "harness set --tun-mtu N" the probe says
# consistent, a DF ping of the largest payload it predicts crosses the tunnel,
# and one byte more does not.  Then docs/mtu-probe.md's sessions and the
# README's MTU figures are run as they are shown.
# Each output is also held to docs/schema/mtu-probe.json; the misfits are listed in
# $tmp/schema.bad and checked at the end.
probe() {
	"$H" mtu-probe "$@" --json > "$tmp/probe.json" 2> "$tmp/probe.err"
	echo $? > "$tmp/probe.rc"
	echo "mtu-probe $*" >> "$tmp/probes"
	have_jsonschema && ! schema_ok mtu-probe "$tmp/probe.json" >> "$tmp/schema.bad" 2>&1 &&
		echo "  (in: mtu-probe $* --json)" >> "$tmp/schema.bad"
	return 0
}
val() { json_num "$1" < "$tmp/probe.json"; }
verdict() { json_str verdict < "$tmp/probe.json"; }
# The n-th path's object (1: the tunnel peer, 2: the underlay endpoint, by default).
path() { sed 's/},{"target"/}\n{"target"/g' "$tmp/probe.json" | grep '"target"' | sed -n "${1}p"; }
# One line of what the probe found: tun0's MTU, the tunnel MTU the path allows,
# the largest inner packet the arithmetic predicts, the largest inner ping
# measured, the verdict and exit status, and the fix.
figures() {
	echo "tun0 $(val tun_mtu) allows $(val allowed_tunnel_mtu) largest $(val largest_inner)" \
		"ping $(path 1 | json_num largest_payload) $(verdict):$(cat "$tmp/probe.rc") fix $(val tunnel_mtu)"
}
df_ping() { on home-laptop ping -c1 -W1 -M do -s "$1" 172.31.255.13 >/dev/null 2>&1; }
# pings WHAT PAYLOAD: a DF ping of PAYLOAD crosses the tunnel, and one of PAYLOAD + 1 does not.
pings() {
	check "$1: a DF ping of $2 crosses the tunnel" df_ping "$2"
	check "$1: a DF ping of $(($2 + 1)) does not" sh -c "! ip netns exec '$LAB-home-laptop' ping -c1 -W1 -M do -s $(($2 + 1)) 172.31.255.13 >/dev/null 2>&1"
}
# fixpoint WHAT EXPECTED: applies the probe's fix, then the probe finds EXPECTED
# and the largest ping it predicts crosses.  The laptop's kernel forgets the
# path MTU it learned before the fix, as the probe's finding says to.
fixpoint() {
	local fix
	fix=$(val tunnel_mtu)
	"$H" set --tun-mtu "$fix" >/dev/null
	on home-laptop ip route flush cache
	probe
	check "$1, after set --tun-mtu $fix: $2" test "$(figures)" = "$2"
	pings "$1, after the fix" $((fix - 28))
	probe
	check "$1, after the fix: the same again (a fixpoint)" test "$(figures)" = "$2"
}
# scenario MODE FLAGS EXPECTED AFTER: a lab with FLAGS in MODE, probed.
scenario() {
	local mode=$1 flags=$2 expect=$3 after=$4 what
	what="${flags:-the default lab}, $mode"
	lab_down
	lab_up --mode "$mode" $flags
	probe
	check "$what: $expect" test "$(figures)" = "$expect"
	pings "$what" "$(path 1 | json_num largest_payload)"
	[ -n "$after" ] && fixpoint "$what" "$after"
	return 0
}
# The text report's arithmetic holds LINE exactly.
says() { "$H" mtu-probe > "$tmp/probe.txt"; grep -qxF -- "$1" "$tmp/probe.txt"; }
# The README's sections on the MTU.
readme_mtu() { sed -n '/^## The MTU, worked out/,/^## Using the lab/p' README.md; }
# readme_figures MODE: on a lab of MODE, the tunnel's log lines the README shows
# for it are in the laptop's log, and its DF pings do what their comments say.
readme_figures() {
	local m=encrypted line cmd claim out rc logs=0 pings=0 log="/run/tunlab/$LAB/home-laptop.log"
	while IFS= read -r line; do
		case "$line" in
		"mtu: "*)
			case "$line" in
			*"(encrypted)"*) m=encrypted ;;
			*"(PI header)"*) m=pi ;;
			*) m=plaintext ;;
			esac
			[ "$m" = "$1" ] || continue
			logs=$((logs + 1))
			check "README, $1: the laptop's log says '$line'" grep -qxF -- "$line" "$log"
			;;
		"     underlay: "*)
			[ "$m" = "$1" ] && check "README, $1: ...and '$line'" grep -qxF -- "$line" "$log"
			;;
		"# after "*)
			case "$line" in
			*"--mode plaintext"*) m=plaintext ;;
			*"--mode pi"*) m=pi ;;
			*) m=encrypted ;;
			esac
			;;
		"ip netns exec home-laptop ping "*)
			[ "$m" = "$1" ] || continue
			pings=$((pings + 1))
			cmd=${line%%#*}
			claim=${line#*# }
			out=$(ip netns exec "$LAB-home-laptop" ${cmd#ip netns exec home-laptop } 2>&1)
			rc=$?
			case "$claim" in
			fits) check "README, $1: ${cmd%% } # fits" test "$rc" = 0 ;;
			*) check "README, $1: ${cmd%% } # $claim" sh -c "[ $rc -ne 0 ] && printf '%s' \"\$1\" | grep -qF \"\$2\"" _ "$out" "$claim" ;;
			esac
			;;
		esac
	done < <(readme_mtu)
	[ "$1" = pi ] || check "README, $1: log lines and pings shown ($logs, $pings)" test "$logs" -gt 0 -a "$pings" -gt 1
}
# The README's mtu-probe session, run as shown; each claim in a probe's
# comment ("verdict: ..."; "set the tunnel MTU to ...") is in what it prints.
readme_session() {
	local line cmd claims claim out n=0
	while IFS= read -r line; do
		cmd=${line%%#*}
		cmd=${cmd%% }
		cmd=${cmd%%  *}
		claims=${line#*# }
		case "$cmd" in ./harness\ up*) lab_down ;; esac
		out=$("$H" ${cmd#./harness } 2>&1 | tr -s ' ')
		case "$cmd" in
		*mtu-probe*)
			while [ -n "$claims" ]; do
				claim=${claims%%; *}
				n=$((n + 1))
				check "README: $cmd # $claim" sh -c 'printf "%s" "$1" | grep -qF "$2"' _ "$out" "$claim"
				[ "$claim" = "$claims" ] && break
				claims=${claims#*; }
			done
			;;
		esac
	done < <(sed -n '/^## When big packets hang/,/^## Using the lab/p' README.md | awk '/^```sh/ { f = 1; next } /^```/ { if (f) exit } f')
	check "README: the mtu-probe session's claims were checked ($n)" test "$n" -ge 3
}
# Every session of docs/mtu-probe.md, run as shown: each command prints what
# the doc shows, with the lab's name and the seconds the only difference.
doc_sessions() {
	local c cmd exp rc n=0
	rm -rf "$tmp/doc"
	mkdir -p "$tmp/doc"
	awk -v d="$tmp/doc" '
		/^```/ { inblock = !inblock; first = inblock; session = 0; next }
		inblock && first { first = 0; session = /^\$ / }
		inblock && session && /^\$ / { if (f) close(f); n++; f = sprintf("%s/%03d.out", d, n)
			print substr($0, 3) > sprintf("%s/%03d.cmd", d, n); printf "" > f; next }
		inblock && session { print > f }
	' docs/mtu-probe.md
	for c in "$tmp"/doc/*.cmd; do
		cmd=$(cat "$c")
		exp=${c%.cmd}.out
		n=$((n + 1))
		case "$cmd" in
		./harness\ up*)
			lab_down
			check "docs/mtu-probe.md: $cmd" "$H" ${cmd#./harness }
			continue
			;;
		esac
		"$H" ${cmd#./harness } > "$tmp/doc/got" 2>&1
		rc=$?
		grep -q '^(exit status' "$exp" && echo "(exit status $rc)" >> "$tmp/doc/got"
		sed -i -E -e "s/lab '$LAB'/lab 'default'/" -e "s/ip netns exec $LAB-/ip netns exec /g" -e 's/^([0-9]+ probes in )[0-9.]+ s$/\1T s/' "$tmp/doc/got"
		sed -E 's/^([0-9]+ probes in )[0-9.]+ s$/\1T s/' "$exp" > "$tmp/doc/want"
		check "docs/mtu-probe.md: $cmd prints what the doc shows" \
			diff "$tmp/doc/want" "$tmp/doc/got"
	done
	check "docs/mtu-probe.md: its sessions were found and run ($n commands)" test "$n" -ge 20
}
tmp=$(mktemp -d)

# Each mode's figures over a 1500-byte IPv4 underlay: 32 bytes (header and tag)
# in encrypted mode, 4 (the PI header) in pi mode.
for m in "encrypted 1440 1412" "plaintext 1472 1444" "pi 1468 1440"; do
	set -- $m
	lab_down
	lab_up --mode "$1"
	start=$(date +%s%N)
	probe
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "        (mtu-probe on the default lab, $1, took $ms ms)"
	check "default lab, $1: tun0 $2, consistent, exit 0, no fix" \
		test "$(figures)" = "tun0 $2 allows $2 largest $2 ping $3 consistent:0 fix 0"
	check "default lab, $1: the JSON names the mode's bytes" \
		test "$(json_str mode < "$tmp/probe.json") $(val mode_overhead) $(val padding)" = \
		"$1 $(case $1 in encrypted) echo 32 16 ;; pi) echo 4 0 ;; *) echo 0 0 ;; esac)"
	check "default lab, $1: the underlay carries 1472-byte pings (MTU 1500)" \
		test "$(path 2 | json_num largest_payload)" = 1472
	hops=$(path 2 | grep -o '"hop":[0-9]*,"address":"[^"]*","node":"[a-z-]*","path_mtu":1500' | cut -d'"' -f10 | tr '\n' ' ')
	check "default lab, $1: three hops walked to 203.0.113.10, each at 1500 ($hops)" \
		test "$hops" = "home-router internet office-server "
	pings "default lab, $1" "$3"
	check "default lab, $1: a text report ends in a verdict" says "verdict: consistent"
	readme_figures "$1"
	# Not knowing its peer yet, the server reckons with IPv6 outer headers, and says so.
	[ "$1" = encrypted ] || continue
	check "default lab, encrypted: the server's tunnel MTU is 1420" grep -qxF \
		"mtu: 1500 (underlay) - 40 (outer IPv6) - 8 (UDP) - 32 (encrypted) = 1420" \
		"/run/tunlab/$LAB/office-server.log"
	check "default lab, encrypted: ...and its log says why" grep -qxF \
		"     outer IPv6 assumed: no endpoint yet, and a peer may come over IPv6 (over IPv4 it would be 1440)" \
		"/run/tunlab/$LAB/office-server.log"
done

# PPPoE: 1492 - 20 - 8 leaves 1464, less the mode's bytes.  In encrypted mode
# 1432 is allowed but tun0 is 1440, so packets of 1425..1432 are padded to
# 1440 and do not fit: 1424 is the largest, until tun0 is set to 1432.
scenario encrypted "--wan-mtu 1492" "tun0 1440 allows 1432 largest 1424 ping 1396 MTU too high:1 fix 1432" ""
check "--wan-mtu 1492, encrypted: reported by ICMP from home-router (192.168.1.1)" \
	grep -q '"method":"icmp","icmp":{"from":"192.168.1.1","node":"home-router","mtu":1492}' "$tmp/probe.json"
check "--wan-mtu 1492, encrypted: the sum counts 32 bytes" \
	says "          1492 (underlay) - 20 (outer IPv4) - 8 (UDP) - 32 (encrypted) = 1432"
check "--wan-mtu 1492, encrypted: the padding explained" \
	says "            1425..1432 are padded to 1440 (the device MTU) and do not fit"
check "--wan-mtu 1492, encrypted: the fix is 1432" \
	says "fix:     set the tunnel MTU to 1432 (MTU = 1432 in [Interface]; in the lab: harness set --tun-mtu 1432)"
check "--wan-mtu 1492, encrypted: clamp the MSS to 1432 - 40" \
	test "$(val mss_ipv4):$(val mss_ipv6)" = "1392:1372"
fixpoint "--wan-mtu 1492, encrypted" "tun0 1432 allows 1432 largest 1432 ping 1404 consistent:0 fix 0"
check "--wan-mtu 1492, encrypted, fixed: padding stops at the device MTU" \
	says "          1432, the device MTU, where padding stops"
check "--wan-mtu 1492, encrypted, fixed: the tunnel logs the new MTU" \
	grep -qxF "tun0: mtu 1440 -> 1432, set from outside" "/run/tunlab/$LAB/home-laptop.log"
scenario plaintext "--wan-mtu 1492" "tun0 1472 allows 1464 largest 1464 ping 1436 MTU too high:1 fix 1464" \
	"tun0 1464 allows 1464 largest 1464 ping 1436 consistent:0 fix 0"
scenario pi "--wan-mtu 1492" "tun0 1468 allows 1460 largest 1460 ping 1432 MTU too high:1 fix 1460" \
	"tun0 1460 allows 1460 largest 1460 ping 1432 consistent:0 fix 0"

# A mobile link: 1280 leaves less than IPv6 needs inside, in every mode.
scenario encrypted "--wan-mtu 1280" "tun0 1440 allows 1220 largest 1216 ping 1188 MTU too high:1 fix 1220" \
	"tun0 1220 allows 1220 largest 1220 ping 1192 consistent:0 fix 0"
check "--wan-mtu 1280, encrypted, fixed: IPv6 cannot cross a 1220-byte tunnel" \
	grep -q "below IPv6's minimum of 1280" "$tmp/probe.json"
scenario plaintext "--wan-mtu 1280" "tun0 1472 allows 1252 largest 1252 ping 1224 MTU too high:1 fix 1252" \
	"tun0 1252 allows 1252 largest 1252 ping 1224 consistent:0 fix 0"
scenario pi "--wan-mtu 1280" "tun0 1468 allows 1248 largest 1248 ping 1220 MTU too high:1 fix 1248" \
	"tun0 1248 allows 1248 largest 1248 ping 1220 consistent:0 fix 0"

# A black hole at 1400 (the office uplink, ICMP dropped): found by silence.
# Encrypted mode allows 1340 but, padded to 16 within tun0's 1440, carries 1328.
start=$(date +%s%N)
scenario encrypted "--block-icmp" "tun0 1440 allows 1340 largest 1328 ping 1300 black hole:1 fix 1340" ""
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "        (the black-hole scenario took $ms ms)"
check "--block-icmp: the limit 1400 inferred from silence" \
	test "$(val underlay_mtu):$(path 2 | json_str method)" = "1400:silence"
no_icmp() { ! path 2 | grep -q '"icmp":{'; }
check "--block-icmp: no ICMP came back on the underlay" no_icmp
fixpoint "--block-icmp, encrypted" "tun0 1340 allows 1340 largest 1340 ping 1312 consistent:0 fix 0"
check "--block-icmp, fixed: the black hole no longer touches the tunnel" \
	grep -q "tun0's MTU of 1340 keeps the tunnel's datagrams within 1400 bytes" "$tmp/probe.json"
scenario plaintext "--block-icmp" "tun0 1472 allows 1372 largest 1372 ping 1344 black hole:1 fix 1372" \
	"tun0 1372 allows 1372 largest 1372 ping 1344 consistent:0 fix 0"
scenario pi "--block-icmp" "tun0 1468 allows 1368 largest 1368 ping 1340 black hole:1 fix 1368" \
	"tun0 1368 allows 1368 largest 1368 ping 1340 consistent:0 fix 0"

# tun0 set to 1500 on a 1500-byte path.  The encrypted tunnel, told its MTU
# with --mtu, has no path MTU yet: the kernel refuses the first datagram too
# big for the route (EMSGSIZE), after the packet was sealed in place, and the
# tunnel answers with ICMP "too big" from what it kept of the packet before
# the seal, as plaintext does.  So every mode's MTU is called too high.
scenario encrypted "--tun-mtu 1500" "tun0 1500 allows 1440 largest 1440 ping 1412 MTU too high:1 fix 1440" \
	"tun0 1440 allows 1440 largest 1440 ping 1412 consistent:0 fix 0"
check "--tun-mtu 1500, encrypted: the refused datagrams were counted as too_big" \
	test "$(stat_of home-laptop drop_too_big)" -gt 0
check "--tun-mtu 1500, encrypted: ...and answered with ICMP 'too big' ($(stat_of home-laptop icmp_too_big))" \
	test "$(stat_of home-laptop icmp_too_big)" -gt 0
scenario plaintext "--tun-mtu 1500" "tun0 1500 allows 1472 largest 1472 ping 1444 MTU too high:1 fix 1472" \
	"tun0 1472 allows 1472 largest 1472 ping 1444 consistent:0 fix 0"
check "--tun-mtu 1500, plaintext: answered with ICMP 'too big' ($(stat_of home-laptop icmp_too_big))" \
	test "$(stat_of home-laptop icmp_too_big)" -gt 0
scenario pi "--tun-mtu 1500" "tun0 1500 allows 1468 largest 1468 ping 1440 MTU too high:1 fix 1468" \
	"tun0 1468 allows 1468 largest 1468 ping 1440 consistent:0 fix 0"

# Without DF, packets above the limit are sent too and their pieces counted.
for m in "encrypted 1340" "plaintext 1372" "pi 1368"; do
	set -- $m
	lab_down
	lab_up --mode "$1" --wan-mtu 1400
	"$H" mtu-probe --df off --json > "$tmp/probe.json"
	check "--df off, $1: a 1401-byte probe leaves as 1 packet" \
		grep -q '"size":1401,"arrived":true,"links":\[{"link":"home-laptop:eth0","packets":1,' "$tmp/probe.json"
	check "--df off, $1: ...and is 2 fragments on home-router:wan" \
		grep -q '"size":1401,[^]]*{"link":"home-router:wan","packets":2,' "$tmp/probe.json"
	check "--df off, $1: the verdict is fragmenting, the fix $2" \
		test "$(verdict):$(val tunnel_mtu)" = "fragmenting:$2"
	# A sealed datagram hides its inner packet, so only these two can be followed.
	[ "$1" = encrypted ] || check "--df off, $1: a $(($2 + 1))-byte inner packet crosses in a fragmented datagram" \
		grep -q "\"size\":$(($2 + 1)),\"arrived\":true,[^]]*{\"link\":\"home-router:wan\",\"packets\":2,\"outer\":true" "$tmp/probe.json"
	"$H" set --tun-mtu "$2" >/dev/null
	"$H" mtu-probe --df off --json > "$tmp/probe.json"
	check "--df off, $1, after set --tun-mtu $2: consistent" test "$(verdict)" = consistent
	check "--df off, $1, fixed: the underlay's fragments do not touch the tunnel" \
		grep -q "tun0's MTU of $2 keeps the tunnel's datagrams within 1400 bytes" "$tmp/probe.json"
done
check "--df off: the text report counts the fragments" \
	sh -c "'$H' mtu-probe --df off | grep -qE '^ +2 on home-router:wan'"

readme_session
doc_sessions

refuse "mtu-probe: bad --df" "--df 'maybe'" "$H" mtu-probe --df maybe
refuse "mtu-probe: bad --to" "--to 'banana'" "$H" mtu-probe --to banana
refuse "mtu-probe: bad --from" "--from 'mars'" "$H" mtu-probe --from mars
check "mtu-probe: --help" sh -c "'$H' mtu-probe --help | grep -q -- '--df on|off'"
if have_jsonschema; then
	check "each of the $(cat "$tmp/probes" 2>/dev/null | wc -l) mtu-probe --json outputs matches docs/schema/mtu-probe.json" \
		sh -c "[ -s '$tmp/probes' ] && ! cat '$tmp/schema.bad' 2>/dev/null | grep ."
else
	skip "mtu-probe --json outputs match docs/schema/mtu-probe.json" "no python3-jsonschema (scripts/deps.sh test)"
fi
rm -rf "$tmp"
