# 4. The server learned the client as NAT made it, and drops what is not IP.
ep=$(stat_of office-server endpoint)
check "server learned the client as 198.51.100.2 (after NAT), not 192.168.1.192" \
	sh -c "echo '$ep' | grep -q '^198\.51\.100\.2:'"
check "the server's log says so" grep -q "learned client endpoint 198.51.100.2:" "/run/tunlab/$LAB/office-server.log"
before=$(stat_of office-server drop_not_ip)
on internet sh -c 'printf "Xhello" | nc -u -w1 -q0 203.0.113.10 1234' >/dev/null 2>&1
sleep 0.2
check "a datagram that is not IP is dropped and counted" test "$(stat_of office-server drop_not_ip)" -gt "$before"
check "...and does not steal the endpoint" test "$(stat_of office-server endpoint)" = "$ep"
# The NAT keeps strangers on the internet out, so the stranger is the home
# router itself, writing straight to the client's socket from the LAN.
lport=$(on home-laptop ss -Huan | awk '{ n = split($4, a, ":"); print a[n] }' | head -n 1)
before=$(stat_of home-laptop drop_stranger)
on home-router sh -c "printf 'E\000\000\024\000\000\000\000@\001\000\000\001\002\003\004\005\006\007\010' | nc -u -w1 -q0 192.168.1.192 $lport" >/dev/null 2>&1
sleep 0.2
check "the client drops a datagram from a stranger, and counts it" test "$(stat_of home-laptop drop_stranger)" -gt "$before"
check "the tunnel still works afterwards" on home-laptop ping -c1 -W2 172.31.9.200
