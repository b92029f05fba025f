# make install honours PREFIX and DESTDIR, and what it installs works on
# its own: the installed harness brings a lab up with the installed tunnel.
tmp=$(mktemp -d)
check "make install DESTDIR=... PREFIX=/opt/tunlab" make -s --no-print-directory install DESTDIR="$tmp" PREFIX=/opt/tunlab
installed=(bin/tunnel bin/harness share/man/man8/tunnel.8 share/man/man8/harness.8
	   "lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/wireshark/plugins/tunlab.lua"
	   share/bash-completion/completions/harness share/bash-completion/completions/tunnel
	   lib/systemd/system/tunnel@.service)
for f in docs/schema/*.json; do installed+=("share/tunlab/schema/${f#docs/schema/}"); done
for f in "${installed[@]}"; do
	check "installed $f" test -s "$tmp/opt/tunlab/$f"
done
# Exactly those: a file more would be one uninstall leaves behind.
listed=$(cd "$tmp" && find . -type f | sort | tr '\n' ' ')
want=$(printf './opt/tunlab/%s\n' "${installed[@]}" | sort | tr '\n' ' ')
check "install put exactly ${#installed[@]} files there ($listed)" test "$listed" = "$want"
check "the unit starts the installed tunnel" \
	grep -qx "ExecStart=/opt/tunlab/bin/tunnel up -c /etc/tunlab/%i.conf --dev %i" "$tmp/opt/tunlab/lib/systemd/system/tunnel@.service"
lab_down
IH=$tmp/opt/tunlab/bin/harness
check "the installed harness brings a lab up" "$IH" up --mode plaintext
laptop=$(pid_of home-laptop)
check "...whose laptop tunnel is the installed program ($(readlink /proc/"${laptop:-0}"/exe))" \
	test "$(readlink /proc/"${laptop:-0}"/exe)" = "$tmp/opt/tunlab/bin/tunnel"
check "...and carries a ping" on home-laptop ping -c1 -W2 172.31.9.200
check "the installed harness takes it down" "$IH" down
check "...and no namespace of the lab is left" sh -c "! ip netns list | grep -q '^$LAB-'"
# The control: a harness with no tunnel beside it says so, and starts nothing.
mkdir "$tmp/lone"
cp "$IH" "$tmp/lone/harness"
lone_up() {
	local out
	! out=$("$tmp/lone/harness" up --mode plaintext 2>&1) &&
		printf '%s\n' "$out" | grep -qF "cannot find the tunnel program at $tmp/lone/tunnel"
}
check "a harness with no tunnel beside it fails to bring a lab up, and says why" lone_up
check "...and leaves no lab behind" sh -c "! ip netns list | grep -q '^$LAB-'"
"$H" down >/dev/null 2>&1
rm -rf "${tmp:?}/lone"
# uninstall takes back every file, and nothing else: a file of someone
# else's in the same directories stays.
touch "$tmp/opt/tunlab/bin/other"
check "make uninstall DESTDIR=... PREFIX=/opt/tunlab" make -s --no-print-directory uninstall DESTDIR="$tmp" PREFIX=/opt/tunlab
left=$(cd "$tmp" && find . -type f | tr '\n' ' ')
check "...leaves no installed file, only the other one ($left)" test "$left" = "./opt/tunlab/bin/other "
check "...nor tunlab's own schema directory" test ! -e "$tmp/opt/tunlab/share/tunlab"
rm -rf "${tmp:?}/opt"
# With PREFIX=/usr the dissector lands where this Wireshark loads Lua
# plugins from, whatever its version.
if command -v tshark >/dev/null; then
	wsdir=$(tshark -G folders 2>/dev/null | sed -n 's/^Global Lua Plugins:[[:space:]]*//p')
	make -s --no-print-directory install DESTDIR="$tmp" PREFIX=/usr >/dev/null 2>&1
	check "PREFIX=/usr: tunlab.lua is in Wireshark's global Lua plugin folder ($wsdir)" test -s "$tmp$wsdir/tunlab.lua"
	check "...and tshark, given that folder's file, dissects a pi capture with it" \
		sh -c "tshark -X lua_script:'$tmp$wsdir/tunlab.lua' -r captures/pi-ping.pcap -Y tunlab 2>/dev/null | grep -q ."
	make -s --no-print-directory uninstall DESTDIR="$tmp" PREFIX=/usr >/dev/null 2>&1
	check "...and uninstall leaves no file" test -z "$(find "$tmp" -type f)"
else
	skip "the Wireshark plugin folder" "no tshark"
fi
rm -rf "$tmp"
