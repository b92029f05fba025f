# harness set on labs built from files: each setting needs the roles it
# acts on, and a lab without them is refused in one line, exit 2, with
# nothing changed.  On cgnat the home WAN is the link the home router
# masquerades out of (toward the carrier), not some link of the internet
# node.  And validate refuses what up cannot build, in up's own words.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lab_down

status_of() {
	"$@" >/dev/null 2>&1
	echo $?
}

# docs/labs.md's smallest lab: two nodes, no roles at all.
sed -n '/^## The smallest lab/,/^## /p' docs/labs.md | sed -n '/^```yaml$/,/^```$/p' | sed '1d;$d' > "$tmp/small.yml"
check "the smallest lab of docs/labs.md comes up" "$H" up --lab "$LAB" "$tmp/small.yml"
# flag, args and the roles it must name.
while read -r flag arg want; do
	[ "$arg" = - ] && arg=
	refuse "set $flag on a lab with no roles: names the option and the role" \
		"^harness set: $flag needs the $want.*which lab '$LAB' does not name; name (it|them) under 'roles:' in the lab file\$" \
		"$H" set --lab "$LAB" $flag $arg
	check "...exit 2 (not a crash)" test "$(status_of "$H" set --lab "$LAB" $flag $arg)" = 2
done <<'EOF'
--wan-mtu 1492 'nat' role
--office-mtu 1400 'internet' role .* and the 'server' role
--tun-mtu 1400 'client' role .* and the 'server' role
--delay 20ms 'nat' role .*, the 'internet' role .* and the 'server' role
--loss 5 'nat' role .*, the 'internet' role
--rate 10mbit 'nat' role
--block-icmp - 'nat' role .* and the 'internet' role
--allow-icmp - 'nat' role
--udp-timeout 2 'nat' role
--nat-rebind - 'nat' role
--reorder 25 'nat' role .*, the 'internet' role .* and the 'server' role
EOF
check "...and nothing changed: both ends still MTU 1500, no qdisc, no nftables" sh -c "
	ip -n '$LAB-a' link show eth0 | grep -q 'mtu 1500' && ip -n '$LAB-b' link show eth0 | grep -q 'mtu 1500' &&
	! ip netns exec '$LAB-a' tc qdisc show dev eth0 | grep -Eq 'netem|tbf' &&
	[ -z \"\$(ip netns exec '$LAB-a' nft list ruleset)\" ] && [ -z \"\$(ip netns exec '$LAB-b' nft list ruleset)\" ]"
# Several at once: the first that cannot be is refused, and the others are not done either.
refuse "set --tun-mtu 1400 --udp-timeout 2: refused whole" "needs the" \
	"$H" set --lab "$LAB" --tun-mtu 1400 --udp-timeout 2
# The commands that need roles say every one missing, as a whole sentence.
refuse "check on it names every missing role in one sentence" \
	"^harness check: lab '$LAB' has no 'client' role .*, no 'nat' role .*, no 'internet' role .*, no 'server' role .*, no 'target' role .*; name them under 'roles:' in the lab file\$" \
	"$H" check --lab "$LAB"
"$H" down --lab "$LAB" >/dev/null
refuse "up with --wan-mtu on a file with no nat role: refused before anything is made" \
	"^harness up: --wan-mtu needs the 'nat' role" "$H" up --lab "$LAB" --wan-mtu 1492 "$tmp/small.yml"
check "...no namespace of it" sh -c "! ip netns list | grep -q '^$LAB-'"

# site-to-site names no nat role: its WAN MTU is refused, its office uplink is a real link.
check "labs/site-to-site.yml comes up" "$H" up --lab "$LAB" labs/site-to-site.yml
refuse "site-to-site: set --wan-mtu says it has no nat role" "^harness set: --wan-mtu needs the 'nat' role" \
	"$H" set --lab "$LAB" --wan-mtu 1492
check "...exit 2" test "$(status_of "$H" set --lab "$LAB" --wan-mtu 1492)" = 2
for f in --block-icmp "--udp-timeout 2" "--delay 20ms"; do
	refuse "site-to-site: set $f says it has no nat role" "^harness set: ${f%% *} needs the 'nat' role" \
		"$H" set --lab "$LAB" $f
done
"$H" set --lab "$LAB" --office-mtu 1400 > "$tmp/office" 2>&1
check "site-to-site: set --office-mtu sets the link between internet and gw-a" \
	grep -q 'office uplink MTU 1400 (internet:to-a, gw-a:wan)' "$tmp/office"
"$H" down --lab "$LAB" >/dev/null

# cgnat: home-router -> carrier -> internet.  No link joins the home router
# and the internet node; its WAN is the link it masquerades out of.
check "labs/cgnat.yml comes up (encrypted, its mode)" "$H" up --lab "$LAB" labs/cgnat.yml
"$H" set --lab "$LAB" --wan-mtu 1492 > "$tmp/wan" 2>&1
check "cgnat: set --wan-mtu 1492 names home-router:wan and carrier:inside" \
	grep -q 'home WAN MTU 1492 (home-router:wan, carrier:inside)' "$tmp/wan"
mtu_of() { ip -n "$LAB-$1" link show dev "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }
check "...both ends of that link have MTU 1492" sh -c "
	[ '$(mtu_of home-router wan)' = 1492 ] && [ '$(mtu_of carrier inside)' = 1492 ]"
check "...and no interface of another link changed" sh -c "
	[ '$(mtu_of home-router lan)' = 1500 ] && [ '$(mtu_of internet home)' = 1500 ] &&
	[ '$(mtu_of carrier wan)' = 1500 ]"
"$H" mtu-probe --lab "$LAB" --json > "$tmp/probe1" 2>&1
check "mtu-probe finds the 1492 path: too high, fix --tun-mtu 1432" sh -c "
	grep -q '\"verdict\":\"MTU too high\"' '$tmp/probe1' && grep -q '\"tunnel_mtu\":1432' '$tmp/probe1'"
check "set --tun-mtu 1432, as its fix says" "$H" set --lab "$LAB" --tun-mtu 1432
check "...then mtu-probe finds it consistent" sh -c "
	'$H' mtu-probe --lab '$LAB' --json | grep -q '\"verdict\":\"consistent\"'"
# The internet node's sides toward the home and the office, as the routes go.
"$H" set --lab "$LAB" --delay 5ms > "$tmp/delay" 2>&1
check "cgnat: set --delay 5ms acts on the internet's links" grep -q 'internet links: delay 5 ms' "$tmp/delay"
check "...its side toward the home (home) and the office (office), not another" sh -c "
	ip netns exec '$LAB-internet' tc qdisc show dev home | grep -q 'netem.*delay 5' ||
	ip netns exec '$LAB-internet' nft list table netdev tunlab_reorder | grep -q 'device \"home\"'"
check "set --delay 0 takes it away" "$H" set --lab "$LAB" --delay 0
"$H" down --lab "$LAB" >/dev/null

# What up cannot build, validate refuses too, at its place and in the same words.
cat > "$tmp/long.yml" <<'LAB'
name: long
topology:
  nodes:
    a: {interfaces: {eth0: [10.0.0.1/24]}}
    b: {interfaces: {eth0: [10.0.0.2/24]}}
  links:
    - endpoints: [a:eth0, b:eth0]
      delay: 2s
      reorder: 25%
LAB
cat > "$tmp/two.yml" <<'LAB'
name: two
topology:
  nodes:
    c: {interfaces: {eth0: [198.51.100.2/24]}}
    s: {interfaces: {eth0: [198.51.100.1/24]}}
  links:
    - endpoints: [c:eth0, s:eth0]
tunnels:
  one:
    server: {node: s, addresses: [172.31.255.1/24]}
    clients:
      - {node: c, addresses: [172.31.255.2/24]}
  two:
    port: 1235
    server: {node: s, addresses: [172.31.254.1/24]}
    clients:
      - {node: c, addresses: [172.31.254.2/24]}
LAB
for f in 'long:7:7: delay over 1s with reorder; the delay line that reorders holds a packet 1s at most' \
	'two:13:3: 2 tunnels; up starts one tunnel a lab so far'; do
	name=${f%%:*} line="$tmp/${f%%:*}.yml:${f#*:}"
	refuse "validate $name.yml: one line, file:line:col" "^$line\$" "$H" validate "$tmp/$name.yml"
	check "...exit 2" test "$(status_of "$H" validate "$tmp/$name.yml")" = 2
	refuse "up $name.yml: the same line" "^$line\$" "$H" up --lab "$LAB" "$tmp/$name.yml"
	check "...exit 2, no namespace of it" sh -c "
		[ \"\$('$H' up --lab '$LAB' '$tmp/$name.yml' >/dev/null 2>&1; echo \$?)\" = 2 ] &&
		! ip netns list | grep -q '^$LAB-'"
done
