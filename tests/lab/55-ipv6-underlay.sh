# IPv4 and IPv6 inner packets over an IPv6 underlay, through the NAT.
lab_down
check "harness up --underlay 6" "$H" up --mode plaintext --underlay 6
check "the IPv6-underlay MTU is 1452 (1500 - 40 - 8)" test "$(stat_of home-laptop mtu)" = 1452
check "IPv4 inside IPv6: home-laptop pings 172.31.9.200" on home-laptop ping -c2 -i0.2 -W2 172.31.9.200
check "IPv6 inside IPv6: home-laptop pings fd00:172:31::200" on home-laptop ping -c2 -i0.2 -W2 fd00:172:31::200
check "server learned the client as 2001:db8:198::2 (after NAT)" \
	sh -c "'$H' status --json | grep -q '\"endpoint\":\"\[2001:db8:198::2\]:'"
