# The tunnel built with ASan+UBSan carries a plaintext session (two queues)
# and an encrypted one with rekeys, and stops cleanly with no report; then
# valgrind's memcheck watches an encrypted server through handshake,
# traffic, rekeys and shutdown: no error and no leak.
tmp=$(mktemp -d)
A="$ROOT/build/asan/tunnel"
check "the sanitized tunnel builds" make -s -C "$ROOT" BUILD=build/asan SANITIZE=1 build/asan/tunnel
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=98
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98

# wait_for FILE TEXT: up to 5 s for a line in a log.
wait_for() { for _ in $(seq 250); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.02; done; return 1; }
clean_log() { ! grep -qE "AddressSanitizer|LeakSanitizer|runtime error|Invalid read|Invalid write" "$1"; }
# stop PID: SIGTERM, and its exit status.
stop() { kill -TERM "$1" 2>/dev/null; wait "$1"; }

move20() {
	head -c 20000000 /dev/urandom > "$tmp/sent"
	on office-server sh -c "nc -l -N $1 5061 > '$tmp/got'" &
	local l=$!
	for _ in $(seq 50); do on office-server ss -ltn | grep -q ":5061" && break; sleep 0.05; done
	timeout 30 ip netns exec "$(ns home-laptop)" nc -N "$1" 5061 < "$tmp/sent"
	wait $l
	cmp -s "$tmp/sent" "$tmp/got"
}

lab_down # each file brings up its own lab, whatever ran before it
lab_up --mode plaintext
ip netns exec "$(ns office-server)" "$A" --listen --port 1299 --dev tuns --queues 2 \
	--addr 172.31.254.1/30 > "$tmp/s.log" 2>&1 &
srv=$!
wait_for "$tmp/s.log" "waiting for a client"
ip netns exec "$(ns home-laptop)" "$A" --server 203.0.113.10:1299 --dev tuns --queues 2 \
	--addr 172.31.254.2/30 > "$tmp/c.log" 2>&1 &
cli=$!
wait_for "$tmp/c.log" "tuns: up"
check "sanitized plaintext: ping" on home-laptop ping -c2 -W2 172.31.254.1
check "sanitized plaintext: 20 MB byte-identical" move20 172.31.254.1
stop $cli; rc_c=$?
stop $srv; rc_s=$?
check "sanitized plaintext: both stop with 0 ($rc_c, $rc_s)" test "$rc_c$rc_s" = 00
check "sanitized plaintext: no sanitizer report" sh -c "$(declare -f clean_log); clean_log '$tmp/s.log' && clean_log '$tmp/c.log'"

# encrypted_pair PROGRAM...: an encrypted server on 1298 run by PROGRAM, and a client.
ks=$("$T" genkey); kc=$("$T" genkey)
printf '[Interface]\nPrivateKey = %s\nListenPort = 1298\nAddress = 172.31.253.1/30\n[Peer]\nPublicKey = %s\nAllowedIPs = 172.31.253.2/32\n' \
	"$ks" "$(echo "$kc" | "$T" pubkey)" > "$tmp/s.conf"
printf '[Interface]\nPrivateKey = %s\nAddress = 172.31.253.2/30\n[Peer]\nPublicKey = %s\nEndpoint = 203.0.113.10:1298\nAllowedIPs = 172.31.253.1/32\n' \
	"$kc" "$(echo "$ks" | "$T" pubkey)" > "$tmp/c.conf"
chmod 600 "$tmp"/*.conf
encrypted_pair() {
	ip netns exec "$(ns office-server)" "$@" -c "$tmp/s.conf" --dev tune --no-uapi \
		--rekey-after 2 --control "$tmp/s.ctl" > "$tmp/s.log" 2>&1 &
	srv=$!
	wait_for "$tmp/s.log" "listening on UDP port 1298"
	ip netns exec "$(ns home-laptop)" "$A" -c "$tmp/c.conf" --dev tune --no-uapi \
		--rekey-after 2 > "$tmp/c.log" 2>&1 &
	cli=$!
	wait_for "$tmp/c.log" "tune: up"
}
sessions() { printf 'stats\n' | nc -N -U "$tmp/s.ctl" 2>/dev/null | sed -n 's/^sessions=//p'; }

encrypted_pair "$A"
check "sanitized encrypted: 5 s of pings across rekeys" on home-laptop ping -c 25 -i 0.2 -W2 -q 172.31.253.1
check "sanitized encrypted: 20 MB byte-identical" move20 172.31.253.1
n=$(sessions)
check "sanitized encrypted: the server made $n sessions (rekey every 2 s)" test "${n:-0}" -ge 2
stop $cli; rc_c=$?
stop $srv; rc_s=$?
check "sanitized encrypted: both stop with 0 ($rc_c, $rc_s)" test "$rc_c$rc_s" = 00
check "sanitized encrypted: no sanitizer report" sh -c "$(declare -f clean_log); clean_log '$tmp/s.log' && clean_log '$tmp/c.log'"
unset ASAN_OPTIONS UBSAN_OPTIONS

if command -v valgrind >/dev/null; then
	encrypted_pair valgrind --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$tmp/vg.log" "$T"
	wait_for "$tmp/s.log" "listening on UDP port 1298"
	check "memcheck: 8 s of pings across rekeys" on home-laptop ping -c 40 -i 0.2 -W3 -q 172.31.253.1
	n=$(sessions)
	check "memcheck: the server made $n sessions" test "${n:-0}" -ge 2
	stop $cli
	stop $srv; rc=$?
	check "memcheck: the server stops with 0, not valgrind's 99 ($rc)" test "$rc" = 0
	check "memcheck: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$tmp/vg.log")" \
		grep -q "ERROR SUMMARY: 0 errors" "$tmp/vg.log"
	check "memcheck: nothing definitely or indirectly lost" \
		sh -c "grep -qE 'All heap blocks were freed|definitely lost: 0 bytes' '$tmp/vg.log' && ! grep -qE 'indirectly lost: [1-9]' '$tmp/vg.log'"
else
	check "valgrind is installed (make test installs it)" false
fi
lab_down
rm -rf "$tmp"
