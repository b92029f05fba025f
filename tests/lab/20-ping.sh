# 2. Pings across the VPN: the server's tunnel address, the office LAN, and IPv6 inside.
check "home-laptop pings 172.31.255.13 (VPN server)" on home-laptop ping -c3 -i0.2 -W2 172.31.255.13
check "home-laptop pings 172.31.9.200 (office-host)" on home-laptop ping -c3 -i0.2 -W2 172.31.9.200
check "home-laptop pings fd00:172:31::200 (IPv6 inside IPv4)" on home-laptop ping -c3 -i0.2 -W2 fd00:172:31::200
check "a 1444-byte DF ping fits the 1472 tunnel MTU" on home-laptop ping -c1 -W2 -M do -s 1444 172.31.9.200
refuse "a 1445-byte DF ping does not" "mtu=1472|too long" on home-laptop ping -c1 -W2 -M do -s 1445 172.31.9.200
check "office-host reaches home-laptop's VPN address back" on office-host ping -c2 -i0.2 -W2 172.31.255.7
