# 88. harness validate: lab files read and checked, nothing built.
# Needs no lab; it checks that none appears while it runs.
lab_down
tmp=$(mktemp -d)
# What a validate that built anything would leave: a namespace or an
# interface named after a node of the labs, bare or behind a lab's name
# (this run's, or a file's).  Other labs on the machine come and go
# meanwhile, so only these names are compared.
node_names=$(awk '/^  nodes:/ { on = 1; next } /^  [a-z]/ { on = 0 }
	on && /^    [a-z0-9-]+:/ { sub(/:.*/, ""); gsub(/ /, ""); print }' labs/*.yml | sort -u | paste -sd'|')
lab_names=$(sed -n 's/^name: //p' labs/*.yml | paste -sd'|')
lab_view() {
	{
		ip netns list | awk '{ print $1 }'
		ip -o link | awk -F': ' '{ print $2 }' | cut -d@ -f1
	} | grep -xE "(($LAB|$lab_names)-)?($node_names)" | sort
}
before=$(lab_view)

for f in labs/*.yml; do
	check "validate $f" "$H" validate "$f"
done
check "validate names the counts of a sound file" sh -c \
	"'$H' validate labs/home-office.yml | grep -qx 'labs/home-office.yml: ok (5 nodes, 4 links, 1 tunnel, 8 expectations)'"
check "validate takes every shipped lab at once" "$H" validate labs/*.yml

# bad NAME: writes the file $tmp/NAME.yml from stdin.
bad() { cat >"$tmp/$1.yml"; }
bad typo <<'YAML'
name: t
topology:
  nodes:
    a: {interfaces: {eth0: [10.0.0.1/24]}}
    b: {interfaces: {eth0: [10.0.0.2/24]}, fowrard: true}
  links:
    - endpoints: [a:eth0, b:eth0]
YAML
refuse "a misspelt key, with the nearest known one" \
	"^$tmp/typo.yml:5:44: unknown key 'fowrard', did you mean 'forward'\\?\$" "$H" validate "$tmp/typo.yml"
bad netns <<'YAML'
name: t
topology:
  nodes:
    a: {netns: /proc/1/ns/net, interfaces: {eth0: [10.0.0.1/24]}}
YAML
refuse "a key naming a namespace outside the lab" \
	"^$tmp/netns.yml:4:9: unknown key 'netns' in a node \\(known: label, forward, nat, interfaces, routes, exec\\)\$" \
	"$H" validate "$tmp/netns.yml"
bad hostif <<'YAML'
name: t
topology:
  nodes:
    a: {interfaces: {eth0: [10.0.0.1/24]}}
    b: {interfaces: {eth0: [10.0.0.2/24]}}
  links:
    - endpoints: [a:eth0, host:eth0]
YAML
refuse "a link to the host's interface" \
	"^$tmp/hostif.yml:7:27: no node 'host' in this lab\$" "$H" validate "$tmp/hostif.yml"
bad slash <<'YAML'
name: t
topology:
  nodes:
    ../a: {interfaces: {eth0: [10.0.0.1/24]}}
YAML
check "a node name that is a path is refused" sh -c \
	"'$H' validate '$tmp/slash.yml' 2>&1 | grep -qx \"$tmp/slash.yml:4:5: node name '../a' is not valid: 1 to 15 of a-z, 0-9 and '-', not starting with '-'\""
bad subnet <<'YAML'
name: t
topology:
  nodes:
    a: {interfaces: {eth0: [10.0.0.1/24]}}
    b: {interfaces: {eth0: [10.0.0.2/24]}, routes: [default via 10.0.1.1]}
  links:
    - endpoints: [a:eth0, b:eth0]
YAML
refuse "a gateway on no subnet of its node" \
	"^$tmp/subnet.yml:5:53: gateway 10.0.1.1 is on no subnet of node 'b'\$" "$H" validate "$tmp/subnet.yml"
bad syntax <<'YAML'
name: t
topology: [
YAML
refuse "a YAML syntax error, at its place" "^$tmp/syntax.yml:3:1: " "$H" validate "$tmp/syntax.yml"

exit_of() {
	"$@" >/dev/null 2>&1
	echo $?
}
check "a bad file exits 2" test "$(exit_of "$H" validate "$tmp/typo.yml")" = 2
check "one bad file among good ones still exits 2" \
	test "$(exit_of "$H" validate labs/home-office.yml "$tmp/subnet.yml" labs/cgnat.yml)" = 2
check "a missing file exits 2" test "$(exit_of "$H" validate "$tmp/none.yml")" = 2
check "no file at all exits 2" test "$(exit_of "$H" validate)" = 2
check "validate --help exits 0" "$H" validate --help

# Every fault of a file at once, in file order.
want="tests/fixtures/labfile/unsound.yml:8:16: gateway 192.168.1.254 is no address of the node across laptop:eth0
tests/fixtures/labfile/unsound.yml:23:9: client 'laptop' cannot reach the server's endpoint 198.51.100.1: 'laptop' has no route to it
tests/fixtures/labfile/unsound.yml:23:36: 172.31.254.7/24 shares no subnet with the server's addresses
tests/fixtures/labfile/unsound.yml:25:31: 8.8.8.8 is no address in this lab (the lab only sends to its own)"
check "all four faults of unsound.yml, in file order" \
	test "$("$H" validate tests/fixtures/labfile/unsound.yml 2>&1)" = "$want"
check "--json says which file is bad and where" sh -c \
	"'$H' validate --json '$tmp/subnet.yml' | grep -qF '\"ok\":false' &&
	 '$H' validate --json '$tmp/subnet.yml' | grep -qF '{\"line\":5,\"column\":53,\"message\":\"gateway 10.0.1.1 is on no subnet of node '\\''b'\\''\"}'"
"$H" validate --json labs/*.yml tests/fixtures/labfile/unsound.yml "$tmp/subnet.yml" > "$tmp/validate.json"
check_schema validate "$tmp/validate.json" "good files and bad ones"
# The schema holds the shape: a key taken out, or a count that became a
# string, is refused, so the check above can fail.
if have_jsonschema; then
	sed 's/"ok":[a-z]*,//' "$tmp/validate.json" > "$tmp/no-ok.json"
	refuse "docs/schema/validate.json: a file without its \"ok\" is refused" \
		"'ok' is a required property" schema_ok validate "$tmp/no-ok.json"
	sed 's/"bad":\([0-9]*\)}$/"bad":"\1"}/' "$tmp/validate.json" > "$tmp/bad-type.json"
	refuse "docs/schema/validate.json: \"bad\" as a string is refused" \
		"is not of type 'integer'" schema_ok validate "$tmp/bad-type.json"
	sed 's/"errors":\[/"warnings":[],"errors":[/' "$tmp/validate.json" > "$tmp/extra.json"
	refuse "docs/schema/validate.json: a key it does not know is refused" \
		"Additional properties are not allowed \('warnings' was unexpected\)" \
		schema_ok validate "$tmp/extra.json"
fi

# Every lab docs/labs.md shows validates, and so do its commands.
awk -v dir="$tmp" '/^```yaml$/ { n++; f = dir "/doc-" n ".yml"; on = 1; next }
	on && /^```/ { on = 0; next } on { print > f }' docs/labs.md
blocks=("$tmp"/doc-*.yml)
check "docs/labs.md shows labs (${#blocks[@]} yaml blocks)" test "${#blocks[@]}" -ge 5
for f in "${blocks[@]}"; do
	check "docs/labs.md's lab ${f##*/} validates" "$H" validate "$f"
done
check "the smallest lab is ten lines" test "$(wc -l <"$tmp/doc-1.yml")" = 10
tests/lab/doctest.sh docs/labs.md >"$tmp/out" 2>&1
while IFS= read -r line; do
	case "$line" in
	"  PASS  "*) pass "${line#  PASS  }" ;;
	"  FAIL  "*) fail "${line#  FAIL  }" ;;
	doctest:*) ;;
	*) printf '%s\n' "$line" ;;
	esac
done <"$tmp/out"

check "validate made no namespace and no interface ($(printf '%s' "$node_names" | tr '|' '\n' | wc -l) node names looked for)" \
	test "$(lab_view)" = "$before"
rm -rf "$tmp"
