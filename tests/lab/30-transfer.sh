# 3. 20 MB of TCP from home-laptop to office-host arrives byte-identical.
tmp=$(mktemp -d)
head -c 20000000 /dev/urandom > "$tmp/sent"
on office-host sh -c "nc -l -N 172.31.9.200 5001 > '$tmp/received'" &
listener=$!
for _ in $(seq 50); do on office-host ss -ltn 2>/dev/null | grep -q ':5001' && break; sleep 0.05; done
start=$(date +%s%N)
check "20 MB sent through the tunnel" timeout 60 ip netns exec "$(ns home-laptop)" nc -N 172.31.9.200 5001 < "$tmp/sent"
wait "$listener"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "        (20 MB in $ms ms)"
check "the 20 MB arrived byte-identical (sha256)" \
	test "$(sha256sum < "$tmp/sent")" = "$(sha256sum < "$tmp/received")"
rm -rf "$tmp"
