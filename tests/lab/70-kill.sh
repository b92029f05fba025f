# 7. kill -9 of a tunnel, or of the harness mid-up, and down still cleans up.
lab_down # each file brings up its own lab, whatever ran before it
lab_up
kill -9 "$(pid_of office-server)"
check "down after kill -9 of the server's tunnel" "$H" down
check "nothing left after it" test "$(root_view)" = "$BASELINE"

for delay in 0.05 0.15 0.3; do
	"$H" up >/dev/null 2>&1 &
	sleep "$delay"
	kill -9 $! 2>/dev/null
	wait $! 2>/dev/null
	"$H" down >/dev/null 2>&1
	check "kill -9 of harness up after ${delay}s, then down: nothing left" test "$(root_view)" = "$BASELINE"
	# Zombies have no command line, so only live processes match.
	left=$(pgrep -f -- "--control /run/tunlab/$LAB/")
	check "...and no process of the lab running" test -z "$left"
done

# An interrupt during up undoes what was built, without a down.  The
# signal goes in as soon as the first namespace appears, some 50 ms before
# up would finish.  (A background job of a script ignores SIGINT, so this
# sends SIGTERM, which up treats the same way.)
first="/run/netns/$(ns home-laptop)"
"$H" up >/dev/null 2>&1 &
upid=$!
for ((i = 0; i < 200000; i++)); do [ -e "$first" ] && break; done
kill -TERM $upid
wait $upid
rc=$?
check "an interrupt during up makes it fail (status $rc)" test "$rc" -ne 0
check "...and it leaves nothing behind by itself" test "$(root_view)" = "$BASELINE"
check "...not even its records" test ! -e "/run/tunlab/$LAB"
lab_down
