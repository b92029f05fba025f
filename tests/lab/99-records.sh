# harness down acts only on what a lab of that name could have made: a
# record naming anything else is said in one line and left alone, and
# records that are not root's alone are not trusted at all.
tmp=$(mktemp -d)
state=/run/tunlab/$LAB/state

# start_time PID: the process's start time, as the records hold it.
start_time() { awk '{ print $22 }' /proc/"$1"/stat; }

# record LINE: appends a record as a hostile writer would.
record() { printf '%s\n' "$1" >> "$state"; }

# A file outside the lab.
lab_down # each file brings up its own lab, whatever ran before it
lab_up
echo "precious" > "$tmp/victim"
record "file $tmp/victim"
refuse "down: a file outside the lab" "left alone: file $tmp/victim: outside the lab's directory" \
	"$H" down
check "...and that file survives" grep -q precious "$tmp/victim"
check "...while the lab itself is down" test ! -e "/run/tunlab/$LAB"

# A path that climbs out of the lab's directory.
lab_up
record "file /run/tunlab/$LAB/../../../$tmp/victim"
refuse "down: a file with ../ in it" "left alone: file .*victim: outside the lab's directory" "$H" down
check "...and that file survives" grep -q precious "$tmp/victim"

# A process outside the lab (in the root namespace), with its right start time.
lab_up
sleep 300 < /dev/null > /dev/null 2>&1 &
outside=$!
sleep 0.1
record "proc $outside $(start_time $outside) home-laptop tunnel"
refuse "down: a process outside the lab's namespaces" \
	"left alone: process $outside .*: it is in none of the lab's namespaces" "$H" down
check "...and it still runs" kill -0 "$outside"
kill "$outside"

# A process inside a lab node that the harness did not start.
lab_up
ip netns exec "$(ns office-host)" sleep 300 < /dev/null > /dev/null 2>&1 &
inside=$!
sleep 0.1
record "proc $inside $(start_time "$inside") office-host tunnel"
refuse "down: a process in a node that the harness did not start" \
	"left alone: process $inside .*: the harness has no command line recorded for it" "$H" down
check "...and it was not signalled by down (the namespace went; it lives on)" kill -0 "$inside"
kill "$inside"

# Namespaces: '..', and another lab's.
lab_up
ip netns add "h17other-home-laptop" 2>/dev/null
record "netns .."
refuse "down: a namespace named '..'" "left alone: namespace '\.\.': not named LAB-NODE" "$H" down
lab_up
record "netns h17other-home-laptop"
refuse "down: another lab's namespace" "left alone: namespace 'h17other-home-laptop'" "$H" down
check "...and that namespace survives" test -e /run/netns/h17other-home-laptop
ip netns del h17other-home-laptop

# Records not root's alone are not trusted at all.
lab_up
chmod 644 "$state"
refuse "down: records others can read" "state belongs to uid 0 with mode 644.*refusing" "$H" down
chmod 600 "$state"
chown nobody "$state"
refuse "down: records owned by someone else" "state belongs to uid 65534 .*refusing" "$H" down
chown root "$state"
chmod 755 "/run/tunlab/$LAB"
refuse "down: a lab directory others can read" "belongs to uid 0 with mode 755.*refusing" "$H" down
chmod 700 "/run/tunlab/$LAB"
check "with the records root's again, down works" "$H" down
check "...and the lab is gone" test ! -e "/run/tunlab/$LAB"
rm -rf "$tmp"
