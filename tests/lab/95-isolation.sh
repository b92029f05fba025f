# Isolation: a lab's tunnels run as an unprivileged user (uid not 0,
# CAP_NET_ADMIN only), and a process the harness starts in a node holds only the
# descriptors it was meant to get.  None is a socket of another node's
# namespace (the harness keeps a netlink socket per node), and each kind of
# process has its expected set:
#   tunnel        0 /dev/null, 1 and 2 its node's log, /dev/net/tun, its own
#                 signalfd/eventpoll/timerfd/eventfd, UDP sockets of its node,
#                 its own netlink socket (its port is its PID), in encrypted
#                 mode a second one that only listens to rtnetlink's link
#                 events (RTMGRP_LINK: the device's MTU is followed as it
#                 changes, not asked for ten times a second; kept apart from
#                 the first so that no event lands among its answers), and
#                 the unix sockets named on its command line (wg, control)
#   wireguard-go  0 /dev/null, 1 and 2 its log, 3 its wg socket (from the
#                 harness), and whatever it opened itself: sockets of its own
#                 node only
#   openvpn, fastd  the same as wireguard-go, without a wg socket
#   exec          a command run by "harness exec": 0, 1 and 2 only

# in_tables DIR INODE: which of the socket tables under DIR (a /proc/.../net) hold the socket.
in_tables() {
	local t
	for t in udp udp6 tcp tcp6 raw raw6; do
		awk -v i="$2" 'NR > 1 && $10 == i { f = 1 } END { exit !f }' "$1/$t" 2>/dev/null &&
			{ echo "$t"; return; }
	done
	awk -v i="$2" 'NR > 1 && $7 == i { f = 1 } END { exit !f }' "$1/unix" &&
		{ echo "unix:$(awk -v i="$2" 'NR > 1 && $7 == i { print $8 }' "$1/unix" | head -n 1)"; return; }
	# A netlink socket says whose it is: its port is the PID of the process that opened it.
	# One that listens to multicast groups says which: "listens=PROTOCOL/GROUPS".
	awk -v i="$2" 'NR > 1 && $NF == i { f = 1 } END { exit !f }' "$1/netlink" &&
		{ echo "netlink:$(awk -v i="$2" 'NR > 1 && $NF == i { print $3 ($4 != "00000000" ? ":listens=" $2 "/" $4 : "") }' "$1/netlink")"; return; }
	awk -v i="$2" 'NR > 1 && $NF == i { f = 1 } END { exit !f }' "$1/packet" &&
		{ echo packet; return; }
	return 1
}

# sock_table PID INODE: the table of the process's own namespace that holds
# the socket; "foreign" if another lab node's or the host's does; "unlisted"
# if none does (an unbound UDP socket, say).
sock_table() {
	local other
	in_tables /proc/"$1"/net "$2" && return
	for other in "$snap"/*; do
		in_tables "$other" "$2" > /dev/null && { echo foreign; return; }
	done
	echo unlisted
}

# unexpected PID NODE KIND: prints every descriptor that should not be there.
unexpected() {
	local pid=$1 node=$2 kind=$3 fd target inode where cmd
	cmd=$(tr '\0' ' ' < /proc/"$pid"/cmdline)
	if [ "$(stat -L -c %i /proc/"$pid"/ns/net)" != "$(stat -L -c %i /run/netns/"$LAB-$node")" ]; then
		echo "pid $pid is not in $LAB-$node"
	fi
	for fd in $(ls /proc/"$pid"/fd); do
		target=$(readlink /proc/"$pid"/fd/"$fd") || continue
		case "$fd:$target" in
		0:/dev/null) continue ;;
		[12]:/run/tunlab/"$LAB"/*.log) continue ;;
		esac
		case "$target" in
		socket:*)
			inode=${target#socket:[}
			inode=${inode%]}
			where=$(sock_table "$pid" "$inode")
			case "$kind:$where" in
			*:foreign) echo "fd $fd: a socket of another namespace ($target)" ;;
			tunnel:udp | tunnel:udp6 | tunnel:netlink:"$pid") ;;
			tunnel:netlink:*:listens=0/00000001) ;; # rtnetlink, link events only
			tunnel:unix:*)
				case " $cmd " in
				*" ${where#unix:} "*) ;;
				*) echo "fd $fd: unix socket ${where#unix:} not on its command line" ;;
				esac
				;;
			tunnel:*) echo "fd $fd: a $where socket a tunnel does not open ($target)" ;;
			wireguard-go:* | openvpn:* | fastd:*) ;;
			*) echo "fd $fd: $target ($where)" ;;
			esac
			;;
		/dev/net/tun | anon_inode:\[signalfd\] | anon_inode:\[eventpoll\] | \
			anon_inode:\[timerfd\] | anon_inode:\[eventfd\])
			[ "$kind" = exec ] && echo "fd $fd: $target"
			;;
		*) case "$kind" in wireguard-go | openvpn | fastd) [ "$fd" -gt 2 ] ;; *) false ;; esac ||
			echo "fd $fd: $target" ;;
		esac
	done
}

# isolated WHAT: every recorded process of the running lab has only its expected set.
# snapshot: every lab node's socket tables, and the host's, under $snap.
snap=$(mktemp -d)
snapshot() {
	local n t
	rm -rf "${snap:?}"/*
	for n in host home-laptop home-router internet office-server office-host; do
		mkdir -p "$snap/$n"
		for t in udp udp6 tcp tcp6 raw raw6 unix netlink packet; do
			if [ $n = host ]; then
				cat /proc/1/net/$t > "$snap/$n/$t" 2>/dev/null
			else
				ip netns exec "$LAB-$n" cat /proc/net/$t > "$snap/$n/$t" 2>/dev/null
			fi
		done
	done
}

isolated() {
	local n=0 bad="" pid node kind
	snapshot
	while read -r pid node kind; do
		n=$((n + 1))
		bad+=$(unexpected "$pid" "$node" "$kind" | sed "s|^|$kind on $node: |")
	done < <(awk '$1 == "proc" { print $2, $4, $5 }' "/run/tunlab/$LAB/state")
	if [ "$n" -ge 2 ] && [ -z "$bad" ]; then
		pass "$1: all $n recorded processes hold only their expected descriptors"
	else
		fail "$1: $n recorded processes" "$bad"
	fi
}

# unprivileged PID: every uid and gid of the process is not 0, and with its
# credentials and capabilities nothing root-only can be opened.
unprivileged() {
	local pid=$1 uid gid caps
	uid=$(awk '/^Uid:/ { print $3 }' /proc/"$pid"/status)
	gid=$(awk '/^Gid:/ { print $3 }' /proc/"$pid"/status)
	awk '/^(Uid|Gid):/ { for (i = 2; i <= 5; i++) if ($i == 0) exit 1 }' /proc/"$pid"/status || return 1
	caps=$(awk '/^CapEff:/ { print $2 }' /proc/"$pid"/status)
	[ "$caps" = 0000000000001000 ] || return 1
	# The same uid, gid and capability (CAP_NET_ADMIN, no DAC override) as the tunnel.
	for f in /etc/shadow "/run/tunlab/$LAB/state" "/run/tunlab/$LAB/home-laptop.log"; do
		[ -e "$f" ] || continue
		setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all,+net_admin \
			--ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin \
			cat "$f" > /dev/null 2>&1 && return 1
		setpriv --reuid="$uid" --regid="$gid" --clear-groups sh -c "echo x >> '$f'" 2> /dev/null && return 1
	done
	return 0
}

for mode in plaintext encrypted; do
	lab_down
	check "up --mode $mode" lab_up --mode $mode
	isolated "$mode"
	for node in home-laptop office-server; do
		pid=$(pid_of "$node")
		check "$mode, $node: the tunnel runs as $(awk '/^Uid:/ { print $3 }' /proc/"$pid"/status), not root, and opens nothing root-only" \
			unprivileged "$pid"
	done
	check "$mode: and the VPN works so" on home-laptop ping -c1 -W2 172.31.9.200
done

lab_down
if command -v wireguard-go >/dev/null; then
	check "up --peer wireguard-go --peer-on both" lab_up --mode encrypted --peer wireguard-go --peer-on both
	isolated "wireguard-go on both ends"
fi

# A command run in a node gets stdin, stdout and stderr, nothing more.
got=$("$H" exec home-laptop sh -c 'ls /proc/$$/fd' | sort -n | tr '\n' ' ')
check "harness exec: the command holds fds 0 1 2 only ($got)" test "$got" = "0 1 2 "

for other in openvpn fastd; do
	command -v $other > /dev/null || continue
	lab_down
	check "up --peer $other" "$H" up --peer $other
	isolated "$other on both ends"
done

lab_down
rm -rf "$snap"
