# 8. Bad input: one clear line, a non-zero exit, and nothing left configured.
lab_down # each file brings up its own lab, whatever ran before it
lab_up
node=office-host
no_tun() { ! on $node ip link show tun0 >/dev/null 2>&1 && ! on $node ip link show tunx >/dev/null 2>&1; }

refuse "tunnel: neither --listen nor --server" "--listen" "$T"
refuse "tunnel: unknown flag" "unknown option '--bogus'" "$T" --listen --bogus
refuse "tunnel: malformed address" "999.1.1.1" on $node "$T" --listen --addr 999.1.1.1/24
refuse "tunnel: malformed CIDR length" "prefix length" on $node "$T" --listen --addr 10.9.9.9/33
refuse "tunnel: route without a length" "prefix length" on $node "$T" --listen --route 172.16.0.0
refuse "tunnel: bad port" "--port" "$T" --listen --port 70000
refuse "tunnel: bad MTU" "--mtu" "$T" --listen --mtu 20
refuse "tunnel: not root" "root" setpriv --reuid=65534 --regid=65534 --clear-groups "$T" --listen
refuse "tunnel: no /dev/net/tun" "/dev/net/tun" \
	unshare -m sh -c "mount -t tmpfs none /dev/net && exec ip netns exec $(ns $node) '$T' -q --listen --dev tunx"
check "...and no device was left behind" no_tun
refuse "tunnel: device name already in use" "eth0 already exists" on $node "$T" --listen --dev eth0
refuse "tunnel: unresolvable server" "cannot resolve 'no-such-host.invalid'" \
	on $node timeout 20 "$T" --server no-such-host.invalid --dev tunx
refuse "tunnel: route that clashes with the LAN" "172.31.0.0/20" \
	on $node "$T" --listen --port 1299 --dev tunx --route 172.31.0.0/20
check "...and that half-made device is gone again" no_tun
refuse "tunnel: port in use" "1234 is already in use" on office-server "$T" --listen --dev tunx
check "...and the server's own tunnel is untouched" on home-laptop ping -c1 -W2 172.31.255.13

refuse "harness: unknown command" "unknown command 'fly'" "$H" fly
refuse "harness: bad lab name" "lab name 'Bad!'" "$H" status --lab 'Bad!'
refuse "harness: unknown node" "'mars' is not a lab node" "$H" exec mars true
refuse "harness: bad mode" "--mode 'xor'" "$H" up --mode xor
refuse "harness: exec on a lab that is not up" "is not up" "$H" exec home-laptop --lab nosuchlab -- true
check "harness exec runs on the node" sh -c "'$H' exec office-host -- ip -br addr | grep -q 172.31.9.200"


# A lab name that leads to the host's own namespace is refused, never used.
before=$(root_view)
mkdir -p /run/netns
touch /run/netns/rootlab-home-laptop
mount --bind /proc/self/ns/net /run/netns/rootlab-home-laptop
refuse "harness exec refuses the root namespace" "is the root network namespace" \
	"$H" exec --lab rootlab home-laptop -- true
umount /run/netns/rootlab-home-laptop
rm -f /run/netns/rootlab-home-laptop
check "...and the root namespace is as it was" test "$(root_view)" = "$before"

# --json only where a command prints JSON; elsewhere one line and exit 2,
# and the command's --help does not offer it.  validate and test refuse the
# common options they do not take, the same way.
refused_2() {
	local desc=$1 pattern=$2
	shift 2
	refuse "$desc" "$pattern" "$@"
	"$@" > /dev/null 2>&1
	check "$desc: exit 2 ($?)" test $? = 2
}
for cmd in up set down capture walkthrough shell; do
	refused_2 "$cmd --json" "^harness $cmd: --json is not offered by $cmd$" "$H" $cmd --json
	check "$cmd --help does not offer --json" lacks "--json" "$H" $cmd --help
done
refused_2 "exec --json" "^harness exec: --json is not offered by exec$" "$H" exec home-laptop --json true
refused_2 "exec NODE --json" "^harness exec: --json is not offered by exec$" "$H" exec --json home-laptop true
for cmd in status mtu-probe check validate graph test bench torture flood; do
	check "$cmd --help offers --json" sh -c "'$H' $cmd --help | grep -q -- '^  --json '"
done
for cmd in status check capture mtu-probe graph; do
	refused_2 "$cmd --explain (it runs no ip or nft step)" "^harness $cmd: --explain is not offered by $cmd$" "$H" $cmd --explain
done
for cmd in up down set; do
	check "$cmd --help offers --explain" sh -c "'$H' $cmd --help | grep -q -- '^  --explain '"
done
refused_2 "validate --lab" "^harness validate: --lab is not offered by validate$" "$H" validate --lab x labs/cgnat.yml
refused_2 "validate --explain" "^harness validate: --explain is not offered by validate$" "$H" validate --explain labs/cgnat.yml
refused_2 "test --explain" "^harness test: --explain is not offered by test$" "$H" test --explain labs/cgnat.yml
refused_2 "test --lab" "^harness test: --lab is not taken" "$H" test --lab x labs/cgnat.yml

# Every command's --help puts each option's description at one column (18,
# as the common options have it); an option too long for it has its
# description on the next line, at that column.
help_aligned() {
	"$H" "$1" --help | awk '
		function desc_at(l) { return substr(l, 1, 18) ~ /^ +$/ && substr(l, 19, 1) != " " }
		want { want = 0; if (!desc_at($0)) { print "no description under: " opt; bad = 1 } ; in_opt = 1; next }
		/^  -/ {
			in_opt = 1
			if (match($0, /^  [^ ].*[^ ]  +[^ ]/) && RLENGTH == 19) next
			if (substr($0, 3) !~ /  /) { want = 1; opt = $0; next }
			print "off column 18: " $0; bad = 1; next
		}
		in_opt && /^   / { if (!desc_at($0)) { print "continued off column 18: " $0; bad = 1 }; next }
		{ in_opt = 0 }
		END { exit bad }'
}
for cmd in $("$H" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	check "$cmd --help: every option's description at column 18" help_aligned "$cmd"
done
