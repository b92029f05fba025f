# The bash completions, called as bash calls them (COMP_WORDS, COMP_CWORD,
# COMP_LINE, COMP_POINT set, then the function complete -p names), in a
# shell of their own so nothing of them stays in the test run's.

# comp PROGRAM WORD...: what the completion offers for the last WORD, one a line.
comp() {
	local prog=$1
	shift
	bash -c '. "$1"; prog=$2; shift 2
		fn=$(complete -p "${prog##*/}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || { echo "no completion function for ${prog##*/}" >&2; exit 1; }
		COMP_WORDS=("$prog" "$@"); COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		"$fn" "${prog##*/}" "${!#}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "scripts/completions/${prog##*/}" "$prog" "$@"
}

# offers WANT PROGRAM WORD...: WANT is one of the candidates.
offers() {
	local want=$1 got
	shift
	got=$(comp "$@") || return 1
	printf '%s\n' "$got" | grep -qxF -- "$want" || { echo "offered: $got" | tr '\n' ' '; return 1; }
}

# only WANT PROGRAM WORD...: WANT (a space-separated list) is exactly the candidates.
only() {
	local want=$1 got
	shift
	got=$(comp "$@" | sort | tr '\n' ' ')
	[ "$got" = "$(printf '%s\n' $want | sort | tr '\n' ' ')" ] || { echo "offered: $got"; return 1; }
}

check "harness: complete -p names a function" bash -c '. scripts/completions/harness; complete -p harness | grep -q -- "-F _harness"'
check "harness: the commands complete (u -> up)" only "up" "$H" u
check "harness: every command of harness --help is offered" \
	only "$("$H" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }') --help --lab" "$H" ""
check "harness up --cl -> --clients, from up --help" only "--clients" "$H" up --cl
check "harness up --la -> --lab" only "--lab" "$H" up --la
check "harness test --l: nothing, test takes no --lab" only "" "$H" test --l
check "harness validate --: --json and --help, no --lab or --explain" only "--json --help" "$H" validate --
check "harness up --mode -> the three modes" only "encrypted plaintext pi" "$H" up --mode ""
capture_opts() { offers --duration "$H" capture - && ! offers --clients "$H" capture -; }
check "harness capture -> its own options (--duration), not up's (--clients)" capture_opts
check "harness up labs/home -> the lab file" only "labs/home-office.yml" "$H" up labs/home
check "harness validate FILE FILE: each word a lab file" offers "labs/site-to-site.yml" "$H" validate labs/cgnat.yml labs/si
check "tunnel: its commands (genkey genpsk pubkey up)" only "genkey genpsk pubkey up" "$T" ""
check "tunnel up --conf -> --config, from tunnel --help" only "--config" "$T" up --conf
check "tunnel -c scripts/sys -> a directory on the way to a .conf" only "scripts/systemd" "$T" -c scripts/sys

# Node names of the running lab, this run's own ($LAB, by --lab and by $TUNLAB_LAB).
lab_down
check "no node is offered while the lab is down" only "" "$H" exec ""
check "up --mode plaintext" lab_up --mode plaintext
nodes="home-laptop home-router internet office-server office-host"
check "harness exec -> the lab's nodes ($nodes)" only "$nodes" "$H" exec ""
by_option() { (unset TUNLAB_LAB && only "office-server office-host" "$H" --lab "$LAB" shell office-); }
check "harness --lab $LAB shell office- -> the office nodes" by_option
check "harness shell NODE: no second node" only "" "$H" shell home-laptop ""
check "harness mtu-probe --from off -> the office nodes" only "office-server office-host" "$H" mtu-probe --from off
check "harness capture home-r -> home-router's interfaces and all" \
	only "home-router:all home-router:lan home-router:wan" "$H" capture home-r
check "harness capture office-server:t -> tun0, after the colon bash splits at" \
	only "tun0" "$H" capture office-server:t
check "harness --lab LAB: the running labs ($LAB among them)" offers "$LAB" "$H" --lab ""
other_lab() { (TUNLAB_LAB=${LAB}x && only "" "$H" exec ""); }
check "another lab's name gives no nodes" other_lab
lab_down
