# make install honours PREFIX and DESTDIR, and what it installs works on
# its own: the installed harness brings a lab up with the installed tunnel.
tmp=$(mktemp -d)
check "make install DESTDIR=... PREFIX=/opt/tunlab" make -s --no-print-directory install DESTDIR="$tmp" PREFIX=/opt/tunlab
for f in bin/tunnel bin/harness share/man/man8/tunnel.8 share/man/man8/harness.8; do
	check "installed $f" test -s "$tmp/opt/tunlab/$f"
done
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
rm -rf "$tmp"
