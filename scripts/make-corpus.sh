#!/usr/bin/env bash
# Seeds for the fuzz targets, cut from the reference captures in captures/
# (real datagrams and packets of the lab) and from the lab's own command
# lines and files.  Run after `make captures`; the result is committed
# under tests/fuzz/corpus/.  Needs tshark and perl.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fuzz/corpus

# seeds TARGET NAME CAPTURE FIELD [FILTER]: up to 8 files, one per packet's FIELD, as bytes.
seeds() {
	local target=$1 name=$2 file=$3 field=$4 filter=${5:-} i=0 hex
	mkdir -p "$out/$target"
	while read -r hex; do
		[ -n "$hex" ] || continue
		i=$((i + 1))
		printf '%s' "${hex//:/}" | perl -ne 'print pack("H*", $_)' > "$out/$target/$name-$i"
		[ "$i" -ge 8 ] && break
	done < <(tshark -r "captures/$file" ${filter:+-Y "$filter"} -T fields -e "$field" 2>/dev/null)
	echo "corpus: $target/$name: $i from captures/$file"
}

# text TARGET NAME CONTENT: one seed written as given (printf escapes apply).
text() {
	mkdir -p "$out/$1"
	printf -- "$3" > "$out/$1/$2"
}

# Tunnel datagrams, as the server reads them: plaintext, PI, and fragments' whole.
seeds wire plaintext plaintext-ping.pcap udp.payload "udp.dstport == 1234"
seeds wire pi pi-ping.pcap udp.payload "udp.dstport == 1234"
seeds wire fragmented fragmented.pcap udp.payload "udp.dstport == 1234"
# Inner packets: in plaintext mode the datagram is the packet.
seeds packet ping plaintext-ping.pcap udp.payload
seeds packet fragment fragmented.pcap udp.payload
seeds icmp ping plaintext-ping.pcap udp.payload
seeds icmp black-hole black-hole.pcap udp.payload
# Whole captures, as check reads them.
mkdir -p "$out/pcap"
for f in plaintext-ping pi-ping encrypted-ping; do
	cp "captures/$f.pcap" "$out/pcap/$f.pcap"
done
echo "corpus: pcap: 3 captures"
# The tunnel's command lines as the lab gives them, NUL-separated.
text config server '--listen\0--port\0001234\0--dev\0tun0\0--addr\000172.31.255.13/24\0--addr\0fd00:172:31:255::13/64'
text config client '--server\000203.0.113.10:1234\0--dev\0tun0\0--addr\000172.31.255.7/24\0--route\000172.16.0.0/12\0--pi\0--queues\0002'
text config encrypted '-c\0/run/tunlab/default/office-server.conf\0--uapi\0/var/run/wireguard/office-server.sock\0--rekey-after\0005'
# wg configuration files of the lab's shape (keys made for the seed, never used).
k1=$(./tunnel genkey) k2=$(./tunnel genkey)
text wgconfig server "[Interface]\nPrivateKey = $k1\nListenPort = 1234\nAddress = 172.31.255.13/24, fd00:172:31:255::13/64\n\n[Peer]\n# home-laptop\nPublicKey = $(echo "$k2" | ./tunnel pubkey)\nAllowedIPs = 172.31.255.7/32, fd00:172:31:255::7/128\n"
text wgconfig client "[Interface]\nPrivateKey = $k2\nAddress = 172.31.255.7/24\nMTU = 1420\n\n[Peer]\nPublicKey = $(echo "$k1" | ./tunnel pubkey)\nPresharedKey = $(./tunnel genpsk)\nEndpoint = 203.0.113.10:1234\nAllowedIPs = 172.31.255.0/24, 172.16.0.0/12\nPersistentKeepalive = 25\n"
# The small text formats: prefixes, endpoints, records, control replies, settings.
text text prefix '172.31.0.0/20'
text text endpoint '[2001:db8:203::10]:1234'
text text record 'proc 4242 office-server tunnel 123456'
text text reply 'role=server\nmode=plaintext\nmtu=1472\ndrop_replay=3\n'
text text delay '20ms'
text text rate '10mbit'
echo "corpus: config, wgconfig, text: written"
