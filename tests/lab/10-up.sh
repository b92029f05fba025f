# 1. The lab comes up, in its own namespaces, and refuses to come up twice.
TMPDIR_10=$(mktemp -d)
"$H" status --json > "$TMPDIR_10/down.json"
check_schema status "$TMPDIR_10/down.json" "a lab that is down"
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
"$H" status > "$TMPDIR_10/status" 2>&1
"$H" status --json > "$TMPDIR_10/status.json"
check_schema status "$TMPDIR_10/status.json" "two tunnels"
check "status: a TUNNEL row per tunnel, each with its drops" \
	sh -c "[ \$(grep -cE '^(office-server|home-laptop) +[0-9]+ +(server|client) +plaintext ' '$TMPDIR_10/status') = 2 ] &&
	       [ \$(grep -c '^ *drops: truncated=' '$TMPDIR_10/status') = 2 ]"
check "status: a plaintext tunnel's drops leave out encrypted mode's (bad_mac, replay...)" \
	sh -c "! grep -E '^ *drops:.* (malformed|bad_mac|replay|bad_auth)=0' '$TMPDIR_10/status'"
check "status: no PROCESSES table when every process is a tunnel" sh -c "! grep -q '^NODE .*PROCESS' '$TMPDIR_10/status'"
check "the default MTU is 1472 (1500 - 20 - 8)" test "$(stat_of home-laptop mtu)" = 1472
rm -rf "$TMPDIR_10"
