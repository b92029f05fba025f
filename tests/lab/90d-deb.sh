# The Debian package, built in a copy of the tree (tracked files and new
# ones not ignored, as they stand), never in the tree itself.  By default
# the source package: its build runs debian/rules clean, and lintian reads
# debian/ whole.  With TUNLAB_LONG=1, the binary package too (it compiles
# everything once more), whose files must be what make install PREFIX=/usr
# installs.
if ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null ||
	! dpkg-query -W -f='${Status}' debhelper 2>/dev/null | grep -q 'ok installed'; then
	skip "the Debian package" "needs dpkg-dev, debhelper and lintian (scripts/deps.sh test)"
	return 0 2>/dev/null || exit 0
fi
tmpd=$(mktemp -d)
src=$tmpd/tunlab
mkdir "$src"
git ls-files -co --exclude-standard -z | tar -cf - --null -T - | tar -xf - -C "$src"
# A repository of the copy, to see afterwards what the build changed.
git -C "$src" init -q && git -C "$src" add -A &&
	git -C "$src" -c user.name=t -c user.email=t@t commit -qm copy

# lintian_clean FILE: lintian says nothing of severity error (E:).
lintian_clean() {
	local out
	out=$(lintian "$1" 2>&1 | grep -v 'running with root privileges')
	printf '%s\n' "$out" | grep '^E:' && return 1
	[ -z "$out" ] || printf 'lintian: %s\n' "$out" | tr '\n' ' ' >&2
	return 0
}

# untouched: no tracked file rewritten, nothing new but what .gitignore names.
untouched() {
	local st
	st=$(git -C "$src" status --porcelain)
	[ -z "$st" ] || { echo "$st"; return 1; }
}

check "dpkg-buildpackage -S -us -uc (the source package)" sh -c "cd '$src' && dpkg-buildpackage -S -us -uc -d >'$tmpd/src.log' 2>&1 || { tail -n 5 '$tmpd/src.log'; exit 1; }"
dsc=$(ls "$tmpd"/tunlab_*.dsc 2>/dev/null | head -n 1)
check "...makes a .dsc ($(basename "${dsc:-none}")) and a native tarball" sh -c "test -s '$dsc' && ls '$tmpd'/tunlab_*.tar.* >/dev/null"
check "...that lintian finds no error in" lintian_clean "$dsc"
check "...and the copy of the tree is as it was" untouched

if [ -n "${TUNLAB_LONG:-}" ]; then
	check "make deb (dpkg-buildpackage -us -uc -b)" sh -c "cd '$src' && make -s deb >'$tmpd/bin.log' 2>&1 || { tail -n 5 '$tmpd/bin.log'; exit 1; }"
	deb=$(ls "$tmpd"/tunlab_*_*.deb 2>/dev/null | head -n 1)
	check "...whose .changes lintian finds no error in" lintian_clean "$(ls "$tmpd"/tunlab_*.changes | head -n 1)"
	check "...and the copy of the tree is as it was" untouched
	make -s --no-print-directory -C "$src" install PREFIX=/usr DESTDIR="$tmpd/root" >/dev/null 2>&1
	want=$(cd "$tmpd/root" && find . -type f | sort | tr '\n' ' ')
	got=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | grep -v -e '^./usr/share/doc/' -e '^./usr/lib/sysusers.d/' |
		sed 's/\.8\.gz$/.8/' | sort | tr '\n' ' ')
	check "...and the package holds what make install PREFIX=/usr installs ($got)" test "$got" = "$want"
else
	skip "make deb, the binary package" "compiles the project once more; TUNLAB_LONG=1 builds it"
fi
rm -rf "$tmpd"
