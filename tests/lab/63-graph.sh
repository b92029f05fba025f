# The map: harness graph draws the default lab from its description, as text,
# JSON and SVG, with no lab up and nothing changed on the host.
lab_down # the lab drawn is this run's, as it was built: not up, so from its description
gdir=$(mktemp -d)
graph_text() { "$H" graph >"$gdir/map.txt"; }
map_has() { grep -qF -- "$1" "$gdir/map.txt"; }
check "graph: draws the default lab" graph_text
for n in home-laptop home-router internet office-server office-host; do
	check "graph: the map names $n" map_has "$n"
done
check "graph: the nodes in a row, joined by ───" map_has "home-laptop ─"
check "graph: the subnets above the links" map_has "192.168.1.0/24"
check "graph: NAT on the home router" map_has "NAT out of wan"
check "graph: the tunnel as a ═══ line from the laptop's inner address" \
	map_has "172.31.255.7/24 ═"
check "graph: ...with its name, port and mode" map_has "═ vpn: UDP 1234, encrypted ═"
no_escape() { ! grep -q $'\033' "$gdir/map.txt"; }
check "graph: no colour into a file" no_escape
json_ok() {
	"$H" graph --json >"$gdir/map.json" &&
		grep -q '^{"name":"home-office","nodes":\[{"name":"home-laptop"' "$gdir/map.json" &&
		grep -q '"tunnels":\[{"name":"vpn","mode":"encrypted","port":1234' "$gdir/map.json"
}
check "graph --json: the topology for scripts" json_ok
check_schema graph "$gdir/map.json"
svg_ok() {
	"$H" graph --svg "$gdir/map.svg" >/dev/null && head -c 5 "$gdir/map.svg" | grep -q '^<?xml' &&
		grep -q 'vpn: UDP 1234, encrypted' "$gdir/map.svg" && grep -q '</svg>' "$gdir/map.svg"
}
check "graph --svg: an SVG laid out by Graphviz" svg_ok
only_svg() { [ "$(ls -A "$gdir" | grep -c 'map\.svg')" -eq 1 ]; }
check "graph --svg: no temporary file left beside it" only_svg
echo keep >"$gdir/precious"
ln -s "$gdir/precious" "$gdir/link.svg"
refuse "graph --svg: not through a symbolic link" "link.svg is a symbolic link" \
	"$H" graph --svg "$gdir/link.svg"
kept() { [ "$(cat "$gdir/precious")" = keep ]; }
check "...and the file it points to is untouched" kept
refuse "graph --svg: a directory that is not there" "cannot create a file beside" \
	"$H" graph --svg "$gdir/no/such/dir/map.svg"
refuse "graph: --svg without a file" "needs a value" "$H" graph --svg
refuse "graph: unknown option" "unknown option '--bogus'" "$H" graph --bogus
help_ok() { "$H" graph --help | grep -q -- '--svg OUT'; }
check "graph --help" help_ok


# The map harness.8 shows is the map graph draws.
man_map() {
	awk '/For the default lab:$/ { f = 1 } f && /^\.fi$/ { exit } f == 2 { print } f && /^\.nf$/ { f = 2 }' \
		docs/harness.8 | sed -e 's/\\\[u2500\]/─/g' -e 's/\\\[u2550\]/═/g' -e 's/\\-/-/g' -e 's/\\\\/\\/g'
}
same_map() { diff <(man_map) <("$H" graph); }
check "harness.8: its map of the default lab is the one graph draws" same_map

# Any lab file: read and checked as up and validate read it.
site() { "$H" graph labs/site-to-site.yml >"$gdir/site.txt" && grep -q "host-a ─" "$gdir/site.txt" && grep -q "offices: UDP 1234, encrypted" "$gdir/site.txt"; }
check "graph FILE: draws labs/site-to-site.yml" site
star() { "$H" graph labs/road-warriors.yml >"$gdir/rw.txt" && grep -q "└──" "$gdir/rw.txt"; }
check "graph FILE: a lab that is no chain is drawn as a tree (road-warriors)" star
faults() {
	"$H" graph tests/fixtures/labfile/unsound.yml >/dev/null 2>"$gdir/faults"
	[ $? = 2 ] && [ "$(grep -c . "$gdir/faults")" -gt 1 ] &&
		! grep -v '^tests/fixtures/labfile/unsound.yml:[0-9]*:[0-9]*: ' "$gdir/faults"
}
check "graph FILE: a file with faults fails (exit 2) with each, file:line:column, and nothing else" faults
refuse "graph FILE: a file that is not there" "cannot open" "$H" graph "$gdir/none.yml"
"$H" graph "$gdir/none.yml" >/dev/null 2>&1
check "graph FILE: ...exit 2, as validate and up ($?)" test $? = 2
"$H" graph tests/fixtures/labfile/typos.yml >/dev/null 2>&1
check "graph FILE: typos.yml, exit 2 ($?)" test $? = 2
rm -rf "$gdir"

# The README's map is the one graph (and up) draws.
readme_map() {
	awk '/as `.\/harness up` and `.\/harness graph` draw it/ { f = 1; next }
	     f && /^```$/ { if (b) exit; b = 1; next } b { print }' README.md
}
same_readme() { diff <(readme_map) <("$H" graph); }
check "README: its map of the default lab is the one graph draws" same_readme
# A lab that is up is drawn in the mode its tunnel runs: "up --mode" is
# kept nowhere but in the running tunnel, so graph asks it.
lab_up --mode plaintext >/dev/null 2>&1
check "graph of a lab up in plaintext says plaintext" sh -c "'$H' graph | grep -q '═ vpn: UDP 1234, plaintext ═'"
check "graph --json of it too" sh -c "'$H' graph --json | grep -q '\"mode\":\"plaintext\"'"
lab_down
check "...and once it is down, the file's mode again" sh -c "'$H' graph | grep -q '═ vpn: UDP 1234, encrypted ═'"
