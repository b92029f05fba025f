# 72w. An idle encrypted tunnel sleeps.  Its timer is set for the next
# protocol deadline of any peer (or wg socket client), as the kernel
# module arms a timer per deadline, not on a fixed 10 Hz tick.  Right
# after a ping the server's next deadlines are 10 s and more away (the
# keepalive it owes, the handshake it would start for silence), so in the
# next 4 s its loop should not wake at all; with a tick it woke 40 times.
# Counted as the voluntary context switches of the tunnel's one thread
# (encrypted mode runs its loop on the main thread).  And the timer still
# fires: a keepalive, 10 s after data with nothing sent back, reaches the
# other side.
lab_down
check "harness up (encrypted)" lab_up --mode encrypted
check "a ping crosses" on home-laptop ping -c1 -W2 172.31.9.200
srv=$(pid_of office-server)
# switches PID: the main thread's voluntary context switches so far.
switches() { awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$1/status"; }
before=$(switches "$srv")
sleep 4
after=$(switches "$srv")
check "office-server's tunnel woke $((after - before)) times in 4 idle seconds (at most 3)" \
	test "$((after - before))" -le 3
# The laptop got the reply and sent nothing since: its keepalive timer
# (10 s) fires, and the server receives the keepalive.
ka=$(stat_of office-server keepalives_received)
for _ in $(seq 90); do
	[ "$(stat_of office-server keepalives_received)" != "$ka" ] && break
	sleep 0.2
done
check "...yet the laptop's keepalive timer fired: office-server received a keepalive (${ka:-?} before, $(stat_of office-server keepalives_received) now)" \
	test "$(stat_of office-server keepalives_received)" != "$ka"
lab_down
