# Every fallback still carries data intact, TCP and UDP bursts: the TUN
# offloads, UDP GSO and UDP GRO each turned off, and all three, a single
# TUN queue, one packet per system call, and everything off at once, in
# both modes and both ways.
tmp=$(mktemp -d)
head -c 20000000 /dev/urandom > "$tmp/sent"

# move FROM TO ADDR PORT: 20 MB from one node to a listener on another.
move() {
	rm -f "$tmp/received"
	on "$2" sh -c "nc -l -N $3 $4 > '$tmp/received'" &
	local l=$!
	for _ in $(seq 50); do on "$2" ss -ltn 2>/dev/null | grep -q ":$4" && break; sleep 0.05; done
	timeout 30 ip netns exec "$(ns "$1")" nc -N "$3" "$4" < "$tmp/sent"
	local rc=$?
	wait $l
	[ $rc = 0 ] && cmp -s "$tmp/sent" "$tmp/received"
}

for mode in plaintext encrypted; do
	for flags in "" "--no-offload" "--no-gso" "--no-gro" "--no-offload --no-gso --no-gro" \
		"--queues 1" "--batch 1" "--no-offload --no-gso --no-gro --queues 1 --batch 1"; do
		what="$mode${flags:+ $flags}"
		lab_down
		check "up --mode $what" lab_up --mode $mode $flags
		# UDP first, so that what the server glued is UDP's alone.
		check "$what: UDP bursts up, each datagram whole" \
			udp_burst home-laptop office-host 172.31.9.200 5025
		check "$what: UDP bursts down over IPv6, each datagram whole" \
			udp_burst office-host home-laptop fd00:172:31:255::7 5026
		if [ -z "$flags" ]; then
			check "$what: the server glued UDP datagrams ($(stat_of office-server gro_merged))" \
				test "$(stat_of office-server gro_merged)" -gt 0
			check "$what: the laptop glued UDP datagrams ($(stat_of home-laptop gro_merged))" \
				test "$(stat_of home-laptop gro_merged)" -gt 0
		fi
		check "$what: 20 MB up, byte-identical" move home-laptop office-host 172.31.9.200 5021
		check "$what: 20 MB down, byte-identical" move office-host home-laptop 172.31.255.7 5022
		if [ -z "$flags" ]; then
			check "$what: the laptop cut super-packets ($(stat_of home-laptop super_reads))" \
				test "$(stat_of home-laptop super_reads)" -gt 0
			check "$what: the server glued segments ($(stat_of office-server gro_merged))" \
				test "$(stat_of office-server gro_merged)" -gt 0
			check "$what: datagrams left in GSO runs ($(stat_of home-laptop gso_sends))" \
				test "$(stat_of home-laptop gso_sends)" -gt 0
		fi
		# Plaintext takes a queue per core (at most 16); encrypted mode runs one.
		want=1
		case "$mode $flags" in plaintext*) want=$(( $(nproc) > 16 ? 16 : $(nproc) )) ;; esac
		case "$flags" in *--queues\ 1*) want=1 ;; esac
		check "$what: the laptop runs $want queue(s) ($(stat_of home-laptop queues))" \
			test "$(stat_of home-laptop queues)" = $want
		case "$flags" in *--batch\ 1*)
			check "$what: the tunnels say batch=1" test "$(stat_of office-server batch)" = 1 ;;
		*) check "$what: the tunnels batch 32 packets" test "$(stat_of office-server batch)" = 32 ;;
		esac
		case "$flags" in *--no-offload*)
			check "$what: the tunnels say offload=off" test "$(stat_of home-laptop offload)" = off ;;
		esac
		case "$flags" in *--no-gso*)
			check "$what: the tunnels say gso=off" test "$(stat_of office-server gso)" = off ;;
		esac
		case "$flags" in *--no-gro*)
			check "$what: the tunnels say gro=off" test "$(stat_of office-server gro)" = off ;;
		esac
	done
done
lab_down
refuse "up refuses --queues 2 in encrypted mode" "needs --mode plaintext or pi" \
	"$H" up --mode encrypted --queues 2
refuse "up refuses --queues 0" "--queues wants a count from 1 to 16" "$H" up --queues 0
refuse "up refuses --batch 33" "--batch wants a count from 1 to 32" "$H" up --batch 33
# Our offloads against a peer that has none of them.
if command -v wireguard-go >/dev/null; then
	for side in server laptop; do
		lab_down
		check "up --peer wireguard-go --peer-on $side" lab_up --mode encrypted --peer wireguard-go --peer-on $side
		check "wireguard-go on the $side: 20 MB up, byte-identical" move home-laptop office-host 172.31.9.200 5023
		check "wireguard-go on the $side: 20 MB down, byte-identical" move office-host home-laptop 172.31.255.7 5024
		# Eight at a time, 2 ms apart: this wireguard-go keeps its socket's
		# default buffer and no UDP GRO, and under load forty datagrams in
		# one of our GSO sends overran it ("receive buffer errors" in its
		# namespace, the tail of a burst lost). What is checked here is
		# that what crosses arrives whole, not that buffer's size.
		check "wireguard-go on the $side: UDP bursts both ways, each datagram whole" \
			eval "udp_burst home-laptop office-host 172.31.9.200 5027 8 2 &&
			      udp_burst office-host home-laptop 172.31.255.7 5028 8 2"
	done
else
	for side in server laptop; do
		for what in "up --peer wireguard-go --peer-on $side" "wireguard-go on the $side: 20 MB up, byte-identical" \
			"wireguard-go on the $side: 20 MB down, byte-identical" \
			"wireguard-go on the $side: UDP bursts both ways, each datagram whole"; do
			skip "$what" "wireguard-go is not installed (make test installs it)"
		done
	done
fi
lab_down
rm -rf "$tmp"
