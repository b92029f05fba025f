#!/usr/bin/env bash
# bench-lab.sh N...: how long harness up and down take, and how much memory
# the harness uses, for a generated lab of N routers in a chain (each joined
# to the next by a /30 link, forwarding on, routes to both ends of the
# chain), for each N given.  A benchmark, not a test: it prints figures and
# fails only when a lab does not come up or go down whole.
#   scripts/bench-lab.sh 10 100 250
set -euo pipefail
cd "$(dirname "$0")/.."
H=./harness
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The chain's link i (1-based) is 10.A.B.0/30 with A.B from i.
net() { echo "10.$(($1 / 64)).$((($1 % 64) * 4))"; }

chain() {
	local n=$1 i routes
	printf 'name: chain%d\ntopology:\n  nodes:\n' "$n"
	for i in $(seq "$n"); do
		printf '    r%d:\n      forward: true\n      interfaces:\n' "$i"
		[ "$i" -gt 1 ] && printf '        left: [%s.2/30]\n' "$(net $((i - 1)))"
		[ "$i" -lt "$n" ] && printf '        right: [%s.1/30]\n' "$(net "$i")"
		# Each end of the chain is reached through the neighbour on its side.
		routes=()
		[ "$i" -gt 2 ] && routes+=("$(net 1).0/30 via $(net $((i - 1))).1")
		[ "$i" -lt $((n - 1)) ] && routes+=("$(net $((n - 1))).0/30 via $(net "$i").2")
		if [ ${#routes[@]} -gt 0 ]; then
			printf '      routes:\n'
			printf '        - %s\n' "${routes[@]}"
		fi
	done
	printf '  links:\n'
	for i in $(seq $((n - 1))); do
		printf '    - endpoints: [r%d:right, r%d:left]\n' "$i" $((i + 1))
	done
	# The far end answers from the near one, through every router.
	printf 'expect:\n  - reach: {from: r1, to: %s.2}\n' "$(net $((n - 1)))"
}

printf '%-7s %-10s %-10s %-12s %-14s %s\n' nodes "up (s)" "down (s)" "peak RSS" "end to end" "left behind"
for n in "$@"; do
	chain "$n" > "$tmp/chain$n.yml"
	"$H" validate "$tmp/chain$n.yml" >/dev/null
	lab=bl$n
	before=$(ip netns list | wc -l)
	/usr/bin/time -f '%e %M' -o "$tmp/up.time" "$H" up --lab "$lab" "$tmp/chain$n.yml" >/dev/null
	# The far end of the chain answers the near one, through every router.
	# Its replies start with the kernel's default TTL, 64: past 64 hops
	# they would die on the way, so the far end sends with 255.
	reach=no
	"$H" exec --lab "$lab" "r$n" -- sysctl -qw net.ipv4.ip_default_ttl=255
	"$H" exec --lab "$lab" r1 -- ping -t 255 -c1 -W5 "$(net $((n - 1))).2" >/dev/null && reach=yes
	/usr/bin/time -f '%e %M' -o "$tmp/down.time" "$H" down --lab "$lab" >/dev/null
	left=$(($(ip netns list | wc -l) - before))
	read -r up_s up_kb < "$tmp/up.time"
	read -r down_s down_kb < "$tmp/down.time"
	peak=$((up_kb > down_kb ? up_kb : down_kb))
	printf '%-7s %-10s %-10s %-12s %-14s %s\n' "$n" "$up_s" "$down_s" "$((peak / 1024)) MiB" \
		"$reach" "$left namespaces"
	[ "$left" -eq 0 ] && [ "$reach" = yes ]
done
