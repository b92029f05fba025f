# make install honours PREFIX and DESTDIR.
tmp=$(mktemp -d)
check "make install DESTDIR=... PREFIX=/opt/tunlab" make -s --no-print-directory install DESTDIR="$tmp" PREFIX=/opt/tunlab
for f in bin/tunnel bin/harness share/man/man8/tunnel.8 share/man/man8/harness.8; do
	check "installed $f" test -s "$tmp/opt/tunlab/$f"
done
check "the installed harness finds the installed tunnel" "$tmp/opt/tunlab/bin/harness" --help
rm -rf "$tmp"
