# 88b. bench --file and torture --file: the labs they make come up from a
# lab file, which is read and held against what the command needs before
# anything is made.  cgnat.yml is the file that works: its laptop sits
# behind two NATs, and its "carrier" node is one the default lab lacks, so
# a namespace of that name while they run says the file was used.
lab_down
B=$LAB # bench's labs are $B-e and $B-p, torture's $B-x
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_watching OUT NS COMMAND...: COMMAND with stdout and stderr in OUT,
# noting (in $seen) whether namespace NS existed at any time while it ran;
# its exit status in $rc.
run_watching() {
	local out=$1 want=$2 pid
	shift 2
	seen=0
	"$@" > "$out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		ip netns list 2>/dev/null | grep -q "^$want\b" && seen=1
		sleep 0.1
	done
	wait "$pid"
	rc=$?
}
fig() {
	grep -o "{\"path\":\"$1\"[^}]*}" "$tmp/bench" | grep -o "\"$2\":[-0-9.e+]*" | cut -d: -f2
}
over() { awk -v v="$1" -v m="$2" 'BEGIN { exit !(v != "" && v + 0 == v && v > m) }'; }
nothing_of() {
	! ls /run/tunlab 2>/dev/null | grep -q "^$B-" && ! ip netns list 2>/dev/null | grep -q "^$B-"
}

run_watching "$tmp/bench" "$B-e-carrier" \
	"$H" bench --quick --json --file labs/cgnat.yml --lab "$B" --paths bare,plaintext,encrypted
check "bench --file labs/cgnat.yml --paths bare,plaintext,encrypted ran (exit $rc)" test "$rc" = 0
check "its labs were cgnat's: $B-e-carrier was there while it ran" test "$seen" = 1
for p in bare plaintext encrypted; do
	check "$p moved data: TCP over 10 Mbit/s ($(fig $p tcp1_up_bps) bit/s)" \
		over "$(fig $p tcp1_up_bps)" 1e7
done
for p in plaintext encrypted; do
	check "$p's pings crossed the tunnel: slower than bare ($(fig $p rtt_added_ms) ms added)" \
		over "$(fig $p rtt_added_ms)" 0
done
check "bench's labs are gone afterwards" nothing_of

# wireguard-go speaks only the encrypted protocol: a file whose tunnel
# says plaintext still gets it, encrypted.
sed 's/^    mode: encrypted$/    mode: plaintext/' labs/cgnat.yml > "$tmp/plaintext.yml"
if command -v wireguard-go > /dev/null && command -v wg > /dev/null; then
	check "cgnat in plaintext is a sound file" sh -c "grep -q '^    mode: plaintext$' '$tmp/plaintext.yml' && '$H' validate '$tmp/plaintext.yml'"
	"$H" bench --quick --json --file "$tmp/plaintext.yml" --lab "$B" --paths wireguard-go > "$tmp/bench" 2>&1
	rc=$?
	check "bench --paths wireguard-go on it ran (exit $rc): $(tail -n 1 "$tmp/bench")" test "$rc" = 0
	check "wireguard-go moved data: TCP over 10 Mbit/s ($(fig wireguard-go tcp1_up_bps) bit/s)" \
		over "$(fig wireguard-go tcp1_up_bps)" 1e7
	check "its lab is gone afterwards" nothing_of
else
	skip "bench --paths wireguard-go on a plaintext file" "wireguard-go or wg is not installed"
fi

# The pair, internet to the server, starts tunnels of its own and needs
# only those two roles: cgnat without its tunnel (from which client and
# server would be taken) and with no other role.
sed -e '/^tunnels:/,/^roles:/{/^roles:/!d}' -e '/^roles:/,/^expect:/{/^  \(client\|nat\|target\):/d}' \
	-e '/^expect:/,$d' labs/cgnat.yml > "$tmp/pair.yml"
check "cgnat with no tunnel and only the internet and server roles is a sound file" \
	"$H" validate "$tmp/pair.yml"
run_watching "$tmp/bench" "$B-e-carrier" \
	"$H" bench --quick --json --topology pair --file "$tmp/pair.yml" --lab "$B"
check "bench --topology pair --file of it ran (exit $rc): $(tail -n 1 "$tmp/bench")" test "$rc" = 0
check "its lab was cgnat's: $B-e-carrier was there while it ran" test "$seen" = 1
for p in bare plaintext encrypted; do
	check "pair, $p moved data: TCP over 10 Mbit/s ($(fig $p tcp1_up_bps) bit/s)" \
		over "$(fig $p tcp1_up_bps)" 1e7
done
check "the pair's lab is gone afterwards" nothing_of

run_watching "$tmp/torture" "$B-x-carrier" \
	"$H" torture --quick --json --mb 2 --file labs/cgnat.yml --lab "$B" --scenarios lossy
line=$(grep -o '{"name":"lossy"[^}]*}' "$tmp/torture")
check "torture --file labs/cgnat.yml --scenarios lossy ran (exit $rc)" test "$rc" = 0
check "its lab was cgnat's: $B-x-carrier was there while it ran" test "$seen" = 1
check "lossy survived on it, and lost no byte: $line" \
	sh -c "printf '%s' '$line' | grep -q '\"survived\":true,\"lost_bytes\":0,'"
check "torture's lab is gone afterwards" nothing_of

# A file the command cannot use is refused in one line, exit 2, and
# nothing of it is made.
# refused_2 DESC PATTERN COMMAND...: refuse, then the exit status and the lab names.
refused_2() {
	local desc=$1
	refuse "$@"
	shift 2
	"$@" > /dev/null 2>&1
	check "$desc: exit 2 ($?)" test "$?" = 2
	check "$desc: no lab or namespace of $B is made" nothing_of
}
refused_2 "bench refuses routing-101.yml (no roles, no tunnel)" \
	"^harness bench: labs/routing-101.yml has no 'client' role .*, no 'server' role " \
	"$H" bench --quick --file labs/routing-101.yml --lab "$B"
refused_2 "torture refuses it, naming every role lossy needs" \
	"^harness torture: labs/routing-101.yml has no 'client' role .*'nat' role .*'internet' role .*'server' role .*'target' role" \
	"$H" torture --quick --file labs/routing-101.yml --lab "$B" --scenarios lossy
refused_2 "bench --topology pair wants internet and server of it" \
	"^harness bench: labs/routing-101.yml has no 'internet' role .*, no 'server' role [^,]*$" \
	"$H" bench --quick --topology pair --file labs/routing-101.yml --lab "$B"

# cgnat without its tunnel: the roles are there, a tunnel is not.
sed -e '/^tunnels:/,/^roles:/{/^roles:/!d}' -e '/^expect:/,$d' labs/cgnat.yml > "$tmp/no-tunnel.yml"
check "cgnat without its tunnel is a sound file" "$H" validate "$tmp/no-tunnel.yml"
refused_2 "bench refuses a tunnel's path on a file without a tunnel" \
	"^harness bench: $tmp/no-tunnel.yml has no tunnel, which the encrypted path needs$" \
	"$H" bench --quick --file "$tmp/no-tunnel.yml" --lab "$B" --paths bare,encrypted
refused_2 "torture refuses it too" \
	"^harness torture: $tmp/no-tunnel.yml has no tunnel, which rebind needs$" \
	"$H" torture --quick --file "$tmp/no-tunnel.yml" --lab "$B" --scenarios rebind
# Three clients: a plaintext server has one peer.
refused_2 "bench's plaintext path refuses road-warriors.yml's three clients" \
	"^harness bench: labs/road-warriors.yml: tunnel 'vpn' has 3 clients, and the plaintext path runs one$" \
	"$H" bench --quick --file labs/road-warriors.yml --lab "$B" --paths bare,plaintext
refused_2 "torture's lossy (plaintext and pi) too" \
	"^harness torture: labs/road-warriors.yml: tunnel 'vpn' has 3 clients, and lossy" \
	"$H" torture --quick --file labs/road-warriors.yml --lab "$B" --scenarios lossy

# A malformed file: its faults as validate gives them.
printf 'name: bad\ntopology:\n  nodes:\n    a: {interfacs: {}}\n' > "$tmp/bad.yml"
for cmd in bench torture; do
	refused_2 "$cmd refuses a malformed file with file:line:column" \
		"^$tmp/bad.yml:4:9: unknown key 'interfacs', did you mean 'interfaces'\?$" \
		"$H" "$cmd" --quick --file "$tmp/bad.yml" --lab "$B"
done
refused_2 "bench refuses a file that is not there" \
	"^$tmp/none.yml: cannot open: No such file or directory$" \
	"$H" bench --quick --file "$tmp/none.yml" --lab "$B"
