# up --explain shows "the ip or nft command a person would type" for each
# step.  Typed, they must build the same network: the commands up printed
# are run by hand after down, and the namespaces' links, addresses, routes
# and NAT rules must read back as up made them.  The tunnels' own lines are
# not run: a process started by hand is no lab's to record.
tmp=$(mktemp -d)
# view: each namespace's links (name, state, MTU), addresses, routes and
# nft ruleset, as text that does not depend on who made them.
view() {
	local n
	for n in home-laptop home-router internet office-server office-host; do
		echo "== $n"
		ip -n "$(ns "$n")" -o link | grep -v ' tun0' |
			awk '{ sub(/@.*/, "", $2); print $2, $3, $4, $5 }' | sort
		ip -n "$(ns "$n")" -o addr | grep -v ' tun0' |
			awk '$4 !~ /^fe80/ { print $2, $3, $4 }' | sort
		ip -n "$(ns "$n")" route | grep -v ' tun0' | sort
		ip -n "$(ns "$n")" -6 route | grep -v ' tun0' | grep -v '^fe80\|^multicast\|^ff00' | sort
		ip netns exec "$(ns "$n")" nft list ruleset
	done
}
for mode in encrypted plaintext pi; do
	lab_down
	"$H" up --mode "$mode" --explain > "$tmp/explain" 2>&1
	rc=$?
	check "up --mode $mode --explain (exit $rc)" test "$rc" = 0

	view > "$tmp/built"
	lab_down

	# The commands up printed, less the tunnels; an nft here-document is kept whole.
	awk '/^\$ / { line = substr($0, 3); if (line ~ /\/tunnel /) { skip = 1; next }
			skip = 0; print line; doc = (line ~ /<<.EOF.$/); next }
		doc { print; if ($0 == "EOF") doc = 0 }' "$tmp/explain" > "$tmp/typed.sh"
	check "$mode: up --explain printed commands to type ($(wc -l < "$tmp/typed.sh") lines)" \
		test "$(grep -c '^ip ' "$tmp/typed.sh")" -ge 40
	check "$mode: ...and the NAT rule as an nft script" grep -q 'masquerade' "$tmp/typed.sh"
	check "$mode: typed by hand, they run without an error" bash -e "$tmp/typed.sh"
	view > "$tmp/typed"
	check "$mode: ...and build the network up built: links, addresses, routes, NAT" \
		diff -u "$tmp/built" "$tmp/typed"
	# Made by hand, the namespaces are no lab's: removed here, by their names.
	for n in home-laptop home-router internet office-server office-host; do
		ip netns del "$(ns "$n")" 2>/dev/null
	done
	check "$mode: the namespaces typed by hand are gone" none_exist \
		/run/netns/"$(ns home-laptop)" /run/netns/"$(ns office-host)" /run/netns/"$(ns internet)"
done
rm -rf "$tmp"
# The tests after this one go on with the lab 10-up left: plaintext, as up makes it.
check "the lab is up again for the tests that follow" lab_up
