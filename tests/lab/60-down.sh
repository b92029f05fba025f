# 6. down leaves the root namespace exactly as it was, and is safe twice.
pids="$(pid_of office-server) $(pid_of home-laptop)"
check "harness down" "$H" down
check "harness down again is harmless" "$H" down
check "ip netns list and the root namespace's links are as before" test "$(root_view)" = "$BASELINE"
check "the lab's directory is gone" test ! -e "/run/tunlab/$LAB"
alive=""
for p in $pids; do
	[ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat")" != Z ] && alive="$alive $p"
done
check "no tunnel process left running" test -z "$alive"
