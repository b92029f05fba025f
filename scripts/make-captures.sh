#!/usr/bin/env bash
# Regenerates the reference captures in captures/, each from a lab of its
# own that is taken down again.  Run as root: make captures.
set -euo pipefail
cd "$(dirname "$0")/.."
H=./harness
export TUNLAB_LAB=${TUNLAB_LAB:-captures}
out=${CAPTURES_DIR:-captures}
trap '"$H" down >/dev/null 2>&1 || true' EXIT

# shot FILE SPEC FILTER COUNT NODE COMMAND...: capture on SPEC while NODE runs COMMAND.
shot() {
	local file=$1 spec=$2 filter=$3 count=$4 node=$5
	shift 5
	local said i
	said=$(mktemp)
	"$H" capture "$spec" $filter -c "$count" -d 5 -q -w "$out/$file" 2>"$said" &
	local cap=$!
	# Send nothing until the capture says it listens: a missed first packet
	# would make a different lesson.
	for i in $(seq 50); do
		grep -q '^capturing on' "$said" && break
		sleep 0.1
	done
	rm -f "$said"
	"$H" exec "$node" -- "$@" >/dev/null 2>&1 || true
	wait "$cap" || true
	echo "  $out/$file"
}

# A new lab chatters (IPv6 router solicitations, MLD reports) for a moment: let it settle.
fresh() {
	"$H" down >/dev/null 2>&1 || true
	case " $* " in *" --mode "*) ;; *) set -- --mode plaintext "$@" ;; esac
	"$H" up "$@" >/dev/null
	sleep 2
}

echo "make captures: writing reference captures"
fresh
shot plaintext-ping.pcap home-router:wan "udp port 1234" 2 home-laptop ping -c1 -W2 172.31.9.200
shot nat.pcap home-router:all "udp port 1234" 4 home-laptop ping -c1 -W2 172.31.9.200
"$H" walkthrough --no-pause --captures "$out" >/dev/null
echo "  $out/walkthrough-*.pcap"
fresh --mode pi
shot pi-ping.pcap home-router:wan "udp port 1234" 2 home-laptop ping -c1 -W2 172.31.9.200
fresh --wan-mtu 1400
# A first big ping teaches the tunnel the path MTU; the next ones go out fragmented.
"$H" exec home-laptop -- ping -c1 -W1 -M dont -s 1400 172.31.9.200 >/dev/null 2>&1 || true
shot fragmented.pcap home-laptop:eth0 "udp port 1234 or (ip[6:2] & 0x1fff != 0)" 4 home-laptop ping -c1 -W2 -M dont -s 1400 172.31.9.200
fresh --block-icmp
shot black-hole.pcap home-router:wan "udp port 1234" 3 home-laptop ping -c3 -i0.3 -W1 -s 1400 172.31.9.200
# Encrypted: the handshake comes with the first ping, and the keylog lets an
# analyser decrypt it (wg.keylog_file); without the keys it is noise.
fresh --mode encrypted --keylog --keepalive 0
shot encrypted-ping.pcap home-router:wan "udp port 1234" 6 home-laptop ping -c2 -i0.3 -W2 172.31.9.200
cp "/run/tunlab/$TUNLAB_LAB/home-laptop.keys" "$out/encrypted-ping.keys"
echo "make captures: done"
