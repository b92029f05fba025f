# 1. The lab comes up, in its own namespaces, and refuses to come up twice.
start=$(date +%s%N)
check "harness up builds lab $LAB (plaintext)" "$H" up --mode plaintext
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "        (up took $ms ms)"
for n in home-laptop home-router internet office-server office-host; do
	check "namespace $(ns $n) exists" test -e "/run/netns/$(ns $n)"
done
check "both tunnels answer on their control sockets" \
	sh -c "[ -n \"\$(printf 'stats\n' | nc -N -U /run/tunlab/$LAB/office-server.ctl)\" ] &&
	       [ -n \"\$(printf 'stats\n' | nc -N -U /run/tunlab/$LAB/home-laptop.ctl)\" ]"
refuse "a second up is refused" "already up" "$H" up
check "status reports the lab" sh -c "'$H' status | grep -q 'office-server'"
check "status --json is one JSON object" sh -c "'$H' status --json | grep -q '^{\"lab\":\"$LAB\",\"up\":true'"
check "the default MTU is 1472 (1500 - 20 - 8)" test "$(stat_of home-laptop mtu)" = 1472
