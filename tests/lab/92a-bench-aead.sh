# 92a. harness bench --aead: the encrypted tunnel's AEAD, OpenSSL's against
# libsodium's, measured alone: no lab, and no root (it runs as nobody here).
# The table has a row for each backend and the ratio, --json the same
# figures, and the labs' own options are refused.  No figure is held to a
# speed (the machine is shared): each must only be a number over zero.
tmpa=$(mktemp -d)
chmod 0755 "$tmpa"
trap 'rm -rf "$tmpa"' EXIT

setpriv --reuid=nobody --regid=nogroup --clear-groups "$H" bench --aead --quick >"$tmpa/table" 2>&1
rc=$?
check "bench --aead --quick ran as nobody, with no lab (exit $rc)" test "$rc" = 0
# row NAME: NAME then four figures over zero (MB/s: seal and open, 1424 and 64 bytes).
row() {
	awk -v n="$1" '$1 == n { r = NF == 5; for (i = 2; i <= 5; i++) if (!($i + 0 > 0)) r = 0; f = 1 }
		END { exit !(f && r) }' "$tmpa/table"
}
check "a row for openssl: seal and open, 1424 and 64 bytes, MB/s over zero" row openssl
check "a row for libsodium: the same" row libsodium
check "and the ratio of the two, four times" grep -Eq '^ratio( +[0-9]+\.[0-9]+×){4}$' "$tmpa/table"
check "the header names the four columns" grep -Eq '^backend +seal 1424 +open 1424 +seal 64 +open 64$' "$tmpa/table"
check "it says which the tunnel uses" grep -q 'The tunnel seals and opens its data with openssl' "$tmpa/table"

"$H" bench --aead --rounds 2 --json >"$tmpa/json" 2>&1
rc=$?
check "bench --aead --json ran (exit $rc)" test "$rc" = 0
# jfig BACKEND KEY: a figure of one backend's object.
jfig() { grep -o "{\"backend\":\"$1\"[^}]*}" "$tmpa/json" | grep -o "\"$2\":[0-9.]*" | cut -d: -f2; }
positive() { awk -v v="$1" 'BEGIN { exit !(v != "" && v + 0 == v && v > 0) }'; }
for b in openssl libsodium; do
	for k in seal_1424 open_1424 seal_64 open_64; do
		check "--json: $b ${k}_mb_per_s is over zero ($(jfig $b ${k}_mb_per_s))" positive "$(jfig $b ${k}_mb_per_s)"
	done
done
check "--json: one line, the rounds it was asked for, and the ratios" \
	grep -Eq '^\{"rounds":2,"seconds_each":[0-9.]+,"backends":\[.*\],"openssl_over_libsodium":\{"seal_1424":[0-9.]+,"open_1424":[0-9.]+,"seal_64":[0-9.]+,"open_64":[0-9.]+\}\}$' "$tmpa/json"
check "--json: and nothing else (no progress lines)" test "$(wc -l <"$tmpa/json")" = 1
check_schema bench-aead "$tmpa/json" "bench --aead"

refuse "bench --aead refuses a lab's option" "--aead measures no path" "$H" bench --aead --paths bare
refuse "...and --plot" "--aead measures no path" "$H" bench --aead --plot "$tmpa/x.svg"
refuse "...and --lab" "--aead measures no path" "$H" bench --aead --lab x
check "...and wrote no plot" test ! -e "$tmpa/x.svg"
rm -rf "$tmpa"
