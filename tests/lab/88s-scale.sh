# A generated lab of 250 routers in a chain (scripts/bench-lab.sh, the
# benchmark docs/labs.md quotes) comes up, carries a ping from one end to
# the other through every router, and goes down leaving no namespace.  The
# benchmark prints its times; this checks only that it worked, not how fast.
before=$(root_view)
check "scripts/bench-lab.sh 250: up, end to end, down, nothing left" scripts/bench-lab.sh 250
check "the root namespace is as it was" test "$(root_view)" = "$before"
