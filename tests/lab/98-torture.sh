# harness torture: every scenario survives and loses nothing.  make test
# runs the shortened variant (--quick: 10 MB transfers, a 20 s soak with a
# rekey every 5 s, 5 kills); make test-long runs the whole of it.
lab_down
if [ "${TUNLAB_LONG:-0}" = 1 ]; then args=(); else args=(--quick); fi
"$H" torture "${args[@]}" --json > /tmp/torture.$$ 2> /tmp/torture.err.$$
rc=$?
check "torture ${args[*]} ran (exit $rc)" test "$rc" = 0
check_schema torture /tmp/torture.$$ "every scenario"
has() { printf '%s' "$1" | grep -qF -- "$2"; }
"$H" torture --help > /tmp/torture.help.$$ 2>&1
for s in lossy restart rebind flood soak killed; do
	check "torture --help says what $s does" grep -Eq "^  $s +[a-z]" /tmp/torture.help.$$
	line=$(grep -o "{\"name\":\"$s\"[^}]*}" /tmp/torture.$$)
	kept=$(printf '%s' "$line" | sed -n 's/.*"kept":"\([^"]*\)".*/\1/p')
	check "$s survived: $kept" has "$line" '"survived":true'
	# killed moves no data, so its lost_bytes is always 0: no check there.
	# What it keeps is that every kill left nothing behind.
	# The rebind must land while data is moving, not after the transfer.
	if [ "$s" = rebind ]; then
		check "rebind: the NAT moved in the middle of the transfer ($kept)" \
			sh -c "! printf '%s' \"\$1\" | grep -qF 'ended first'" sh "$kept"
	fi
	if [ "$s" = killed ]; then
		n=${kept%% of *}
		check "killed: each kill left nothing behind ($kept)" \
			has "$kept" "$n of $n left no namespace, process, socket or record; the second up was refused: the lab is already up"
	else
		check "$s lost no byte" has "$line" '"lost_bytes":0,'
	fi
done
# The second up's refusal is the run's to judge, not a line for the reader.
check "torture prints no refusal of its own runs" sh -c "! grep -q 'is already up' /tmp/torture.err.$$"
echo "  soak RSS (MiB): $(grep -o '"soak_rss_mib":\[[^]]*\]' /tmp/torture.$$ | cut -d'[' -f2 | tr -d ']')"
check "no torture lab is left" sh -c "! ls /run/tunlab 2>/dev/null | grep -q '^$LAB-[xk]$'"
refuse "torture refuses an unknown scenario" "--scenarios: 'meteor'" "$H" torture --scenarios meteor
refuse "torture refuses --kills 0" "--kills '0'" "$H" torture --kills 0
rm -f /tmp/torture.$$ /tmp/torture.help.$$ /tmp/torture.err.$$
