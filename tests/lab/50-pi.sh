# 5. --pi: both ends keep the 4-byte packet-info header, and lose 4 bytes of MTU.
lab_down
check "harness up --mode pi" "$H" up --mode pi
check "the PI tunnel MTU is 1468" test "$(stat_of home-laptop mtu)" = 1468
check "both ends run in pi mode" test "$(stat_of office-server mode)$(stat_of home-laptop mode)" = pipi
check "home-laptop pings office-host in pi mode" on home-laptop ping -c3 -i0.2 -W2 172.31.9.200
check "pi mode: UDP bursts up, each datagram whole" udp_burst home-laptop office-host 172.31.9.200 5025
check "pi mode: UDP bursts down over IPv6, each datagram whole" \
	udp_burst office-host home-laptop fd00:172:31:255::7 5026
check "a 1440-byte DF ping fits (the blog's figure)" on home-laptop ping -c1 -W2 -M do -s 1440 172.31.9.200
refuse "a 1441-byte DF ping does not" "mtu=1468|too long" on home-laptop ping -c1 -W2 -M do -s 1441 172.31.9.200
