# torture's restart scenario starts the server's tunnel again with the
# command line the harness saved when it started it, never one read from
# /proc/PID/cmdline (which the process, or whoever has its PID, can write).
tmp=$(mktemp -d)
tl=h17t$$
"$H" down --lab $tl-x > /dev/null 2>&1
strace -qq -e trace=openat,open -o "$tmp/trace" \
	"$H" torture --lab $tl --scenarios restart --quick --json > "$tmp/out" 2> "$tmp/err"
rc=$?
check "torture --scenarios restart ran (exit $rc)" test $rc = 0
check_schema torture "$tmp/out" "one scenario"
check "...and the server's tunnel came back: $(grep -o '"survived":[a-z]*' "$tmp/out" | head -n 1)" \
	grep -q '"survived":true' "$tmp/out"
read_cmdline=$(grep -E '"/proc/[0-9]+/cmdline"' "$tmp/trace" | grep -v ENOENT | head -n 1)
check "...without reading any process's /proc/PID/cmdline ${read_cmdline:+($read_cmdline)}" \
	test -z "$read_cmdline"
check "...but the argv the harness saved (LAB/PID.argv)" grep -qE '"/run/tunlab/'$tl'-x/[0-9]+\.argv", O_RDONLY' "$tmp/trace"
"$H" down --lab $tl-x > /dev/null 2>&1
rm -rf "$tmp"
